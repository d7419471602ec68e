"""This period against the same period a year earlier, and the monthly trend.

"Last year" is read from the monthly snapshot taken at its end when there is one, so
it does not move when today's data changes (a dossier corrected, a unit dissolved).
Without a snapshot the dossier figures are recomputed from their dates; the registry's
coverage cannot be — the registry keeps no past state — so it is left empty then.
"""
from dataclasses import replace
from datetime import date

from ..figures import INDICATOR, MONTH, Column, Figure, Period, percent
from ..models import StatisticsSnapshot
from .common import Scope, sum_rows
from .development import ended_early_cube, lost_contact_cube, pipeline_cube
from .new_members import COLLEGE_AND_ABOVE, EDUCATION_KEYS, MEASURES as NEW_MEMBER_MEASURES, new_member_cube
from .plan import plan_cube
from .units import COVERAGE_MEASURES, GAP_MEASURES, coverage_cube, unit_gaps_cube

# (key, label, kind) — kind "count" or "percent"; "registry" ones need a snapshot for the past.
INDICATORS = (
    ("applied", "递交入党申请", "count"), ("activists", "确定入党积极分子", "count"),
    ("candidates", "确定发展对象", "count"), ("probationary", "发展党员", "count"), ("full", "预备党员转正", "count"),
    ("female", "其中：女", "count"), ("age35", "其中：35岁及以下", "count"), ("college", "其中：大专及以上", "count"),
    ("front_line", "其中：生产经营一线职工", "count"),
    ("stock_activist", "期末入党积极分子", "count"), ("stock_candidate", "期末发展对象", "count"),
    ("ended", "中止发展档案", "count"), ("lost", "期末失联档案", "count"),
    ("allocated", "计划名额", "count"), ("used", "已使用名额", "count"), ("completion", "计划完成率（%）", "percent"),
    ("units", "两新组织", "registry"), ("covered", "已建党组织的单位", "registry"),
    ("coverage_rate", "党组织覆盖率（%）", "registry_percent"), ("without_member", "无党员单位", "registry"),
    ("members_per_100", "每百名从业人员党员数", "registry_percent"),
    ("no_new_2y", "连续2年未发展党员的单位", "registry"),
)


def indicator_values(scope: Scope, *, registry: bool = True) -> dict:
    """Every indicator of one period (``registry=False``: leave the registry's out)."""
    values = sum_rows(pipeline_cube(scope), ("applied", "activists", "candidates", "probationary", "full",
                                             "stock_activist", "stock_candidate"))
    members = sum_rows(new_member_cube(scope), NEW_MEMBER_MEASURES)
    values.update(female=members["female"], age35=members["age35"], front_line=members["occ_front_line"],
                  college=sum(members[EDUCATION_KEYS[e]] for e in COLLEGE_AND_ABOVE))
    values["ended"] = sum_rows(ended_early_cube(scope), ("ended",))["ended"]
    values["lost"] = sum_rows(lost_contact_cube(scope), ("lost",))["lost"]
    plan = sum_rows(plan_cube(scope), ("allocated", "used"))
    values.update(plan, completion=percent(plan["used"], plan["allocated"]))
    if registry:
        cover = sum_rows(coverage_cube(scope), COVERAGE_MEASURES)
        gaps = sum_rows(unit_gaps_cube(scope), GAP_MEASURES)
        values.update(units=cover["units"], covered=cover["covered"], without_member=cover["without_member"],
                      coverage_rate=percent(cover["covered"], cover["units"]),
                      members_per_100=percent(cover["members"], cover["employees"], 2), no_new_2y=gaps["no_new_2y"])
    return values


def snapshot_at(day: date):
    return StatisticsSnapshot.objects.filter(as_of=day).first()


def previous_scope(scope: Scope) -> Scope:
    """The same span a year earlier, read from the snapshot at its end when the span
    is a year-to-date one (what a snapshot holds)."""
    previous = scope.period.previous()
    snapshot = None
    if previous.start == date(previous.end.year, 1, 1):
        snapshot = snapshot_at(previous.end)
    return replace(scope, period=previous, snapshot=snapshot, cache={})


def year_comparison(scope: Scope) -> Figure:
    last_scope = previous_scope(scope)
    this = indicator_values(scope)
    last = indicator_values(last_scope, registry=last_scope.snapshot is not None)
    rows = []
    for key, label, kind in INDICATORS:
        now, before = this.get(key), last.get(key)
        change = None if now is None or before is None else round(now - before, 2)
        rows.append({"id": key, "name": label, "drill": None, "this": now, "last": before, "change": change,
                     "change_rate": percent(change, before) if kind in ("count", "registry") and change is not None
                     else None})
    source = (f"{last_scope.snapshot.as_of:%Y年%m月%d日}快照" if last_scope.snapshot is not None
              else "按档案日期实时计算")
    notes = [f"本期：{scope.period.label}；上年同期：{last_scope.period.label}（{source}）。"]
    if last_scope.snapshot is None:
        notes.append("上年同期无月度快照，单位覆盖类指标无法回溯，留空。")
    return Figure(key="year_comparison", title="与上年同期对比", grain=INDICATOR, rows=rows,
                  columns=[Column("name", "指标", "text"), Column("this", "本期", "decimal"),
                           Column("last", "上年同期", "decimal"), Column("change", "增减", "decimal"),
                           Column("change_rate", "增减幅度（%）", "percent")],
                  charts=[{"type": "compare", "category": "name", "series": ["this", "last"],
                           "rows": ["applied", "activists", "candidates", "probationary", "full", "ended", "lost"]}],
                  notes=notes)


def trend(scope: Scope, *, months: int = 24) -> Figure:
    """Monthly snapshots up to the end of the period: the year-to-date flows and the
    stocks as they were at each month's end (they never move afterwards)."""
    snapshots = list(StatisticsSnapshot.objects.filter(as_of__lte=scope.period.end).order_by("-as_of")[:months])
    rows = []
    for snapshot in reversed(snapshots):
        month_scope = replace(scope, snapshot=snapshot, period=Period(date(snapshot.as_of.year, 1, 1), snapshot.as_of),
                              cache={})
        pipeline = sum_rows(pipeline_cube(month_scope), ("applied", "probationary", "stock_activist"))
        cover = sum_rows(coverage_cube(month_scope), ("units", "covered"))
        rows.append({"id": snapshot.as_of.isoformat(), "name": f"{snapshot.as_of:%Y年%m月}", "drill": None,
                     **pipeline, "coverage_rate": percent(cover["covered"], cover["units"])})
    notes = ["每月1日生成上月末快照；本年累计数自1月1日起算。"]
    if not rows:
        notes.append("尚无月度快照。")
    return Figure(key="trend", title="月度趋势（快照）", grain=MONTH, rows=rows,
                  columns=[Column("name", "月份", "text"), Column("applied", "本年累计申请"),
                           Column("probationary", "本年累计发展党员"), Column("stock_activist", "月末积极分子"),
                           Column("coverage_rate", "党组织覆盖率（%）", "percent")],
                  charts=[{"type": "line", "category": "name",
                           "series": ["applied", "probationary", "stock_activist"]}],
                  notes=notes)
