"""One selector per statistics figure — the only place a figure's numbers come from.

Each public selector is keyword-only and scoped: ``user`` (everything read goes
through ``visible_to(user)``), the period (``year``, or ``start`` and ``end``), an
optional ``township`` (an Area the user may see: rows then go one level down, to
party organizations, units, …), an optional ``kind`` of unit, ``today`` (for tests
and re-runs) and an optional ``snapshot`` to read frozen figures from.  Every
selector costs a fixed number of aggregate queries, whatever the number of units.

The dashboard, the XLSX downloads, the API and the county report all call
:func:`build_figure` (or these selectors); :data:`FIGURES` lists them in the order the
dashboard shows them.
"""
from dataclasses import dataclass
from datetime import date
from typing import Callable

from ..figures import Figure
from . import comparison, development, materials, plan, units
from . import new_members as new_member_figures, transfers as transfer_figures
from .common import Scope, make_scope


@dataclass(frozen=True)
class FigureSpec:
    key: str
    title: str
    build: Callable[[Scope], Figure]
    uses_kind: bool = True
    in_snapshot: bool = False    # its township-grain cube is kept in the monthly snapshot


FIGURES: dict[str, FigureSpec] = {spec.key: spec for spec in (
    FigureSpec("pipeline", "发展党员漏斗", development.pipeline_funnel, in_snapshot=True),
    FigureSpec("plan", "计划名额：分配、使用与可发展需求", plan.plan_use, uses_kind=False, in_snapshot=True),
    FigureSpec("activists_per_seat", "积极分子与计划名额之比", plan.activists_per_seat),
    FigureSpec("overdue", "逾期事项（按类型）", development.overdue_steps, in_snapshot=True),
    FigureSpec("lost_contact", "失联档案", development.lost_contact, in_snapshot=True),
    FigureSpec("ended_early", "中止的发展档案（按原因）", development.ended_early, in_snapshot=True),
    FigureSpec("activist_sources", "积极分子来源", development.activist_sources, in_snapshot=True),
    FigureSpec("plan_completion", "计划完成情况（按党组织）", plan.plan_completion, uses_kind=False),
    FigureSpec("transfers", "培养关系转接", transfer_figures.transfers, in_snapshot=True),
    FigureSpec("unit_gaps", "党建空白与长期未发展党员的单位", units.unit_gaps, in_snapshot=True),
    FigureSpec("coverage", "组织覆盖（按单位类别和乡镇）", units.coverage, in_snapshot=True),
    FigureSpec("instructor_load", "党建指导员工作量", units.instructor_load, uses_kind=False),
    FigureSpec("training_hours", "党务工作者、党建指导员培训学时", units.training_hours, uses_kind=False),
    FigureSpec("new_members", "新发展党员构成", new_member_figures.new_members, in_snapshot=True),
    FigureSpec("materials", "档案材料完整度", materials.materials_completeness),
    FigureSpec("year_comparison", "与上年同期对比", comparison.year_comparison),
    FigureSpec("trend", "月度趋势（快照）", comparison.trend),
)}

# The township-grain cube of each figure kept in a snapshot (reports.snapshots).
SNAPSHOT_CUBES: dict[str, Callable[[Scope], list[dict]]] = {
    "pipeline": development.pipeline_cube, "plan": plan.plan_cube, "overdue": development.overdue_cube,
    "lost_contact": development.lost_contact_cube, "ended_early": development.ended_early_cube,
    "activist_sources": development.activist_sources_cube, "transfers": transfer_figures.transfer_cube,
    "unit_gaps": units.unit_gaps_cube, "coverage": units.coverage_cube,
    "new_members": new_member_figures.new_member_cube,
}


def build_figure(key: str, scope: Scope) -> Figure:
    figure = FIGURES[key].build(scope)
    figure.filters = scope.filters()
    if scope.snapshot is not None:
        figure.source = f"{scope.snapshot.as_of:%Y年%m月%d日}快照"
    return figure


def _selector(key: str):
    def select(*, user, year: int | None = None, start: date | None = None, end: date | None = None,
               township=None, kind: str | None = None, today: date | None = None, snapshot=None) -> Figure:
        scope = make_scope(user=user, year=year, start=start, end=end, township=township, kind=kind, today=today,
                           snapshot=snapshot)
        return build_figure(key, scope)

    select.__name__ = key
    select.__qualname__ = key
    select.__doc__ = (FIGURES[key].build.__doc__ or FIGURES[key].title).strip()
    return select


pipeline_funnel = _selector("pipeline")
plan_use = _selector("plan")
activists_per_seat = _selector("activists_per_seat")
overdue_steps = _selector("overdue")
lost_contact = _selector("lost_contact")
ended_early = _selector("ended_early")
activist_sources = _selector("activist_sources")
plan_completion = _selector("plan_completion")
transfers = _selector("transfers")
unit_gaps = _selector("unit_gaps")
coverage = _selector("coverage")
instructor_load = _selector("instructor_load")
training_hours = _selector("training_hours")
new_members = _selector("new_members")
materials_completeness = _selector("materials")
year_comparison = _selector("year_comparison")
trend = _selector("trend")

__all__ = ["FIGURES", "SNAPSHOT_CUBES", "FigureSpec", "Scope", "build_figure", "make_scope", "pipeline_funnel",
           "plan_use", "activists_per_seat", "overdue_steps", "lost_contact", "ended_early", "activist_sources",
           "plan_completion", "transfers", "unit_gaps", "coverage", "instructor_load", "training_hours",
           "new_members", "materials_completeness", "year_comparison", "trend"]
