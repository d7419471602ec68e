"""档案材料完整度: required personal documents present / required, over the steps taken
in the period — per township, or per party organization inside one township.

The step records carry their own counters (members.materials.services keeps them), so
the figure is one aggregate query over the step records of the dossiers in scope.
"""
from django.db.models import F, Q, Sum

from members.models import StepRecord

from ..figures import PARTY_ORG, TOWNSHIP, Column, Figure, percent
from .common import Scope, count_cube, fold, group_rows, memo, sum_rows, township_note
from .development import dossiers

MEASURES = ["steps", "required", "present", "incomplete", "backfilled"]


def materials_cube(scope: Scope) -> list[dict]:
    records = StepRecord.objects.filter(dossier__in=dossiers(scope).values("pk"),
                                        taken_on__gte=scope.period.start, taken_on__lte=scope.as_of)
    dims = {"township": "dossier__party_org__area_id"}
    if scope.drilled:
        dims["group"] = "dossier__party_org_id"
    measures = {"steps": Q(), "required": Sum("materials_required"), "present": Sum("materials_present"),
                "incomplete": Q(materials_present__lt=F("materials_required")), "backfilled": ~Q(backfill_reason="")}
    return memo(scope, "materials", lambda: count_cube(records, dims, measures))


def materials_completeness(scope: Scope) -> Figure:
    """档案材料完整度 of the steps taken in the period, and the steps recorded as 补录."""
    key, grain = (("group",), PARTY_ORG) if scope.drilled else (("township",), TOWNSHIP)
    rows = group_rows(scope, fold(materials_cube(scope), key, MEASURES), grain=grain)
    totals = sum_rows(rows, MEASURES)
    for row in rows + [totals]:
        row["ratio"] = percent(row["present"], row["required"])
    columns = [Column("name", "乡镇（街道）" if grain == TOWNSHIP else "党组织", "text"),
               Column("steps", "办理步骤"), Column("required", "必备材料"), Column("present", "已上传"),
               Column("ratio", "完整度（%）", "percent"), Column("incomplete", "材料不全的步骤"),
               Column("backfilled", "补录的步骤")]
    notes = [f"{scope.period.start:%Y年%m月%d日}至{scope.as_of:%Y年%m月%d日}办理的步骤；必备材料为材料目录中的"
             "必备个人材料（组织名册不计）。"]
    if scope.snapshot is not None:
        notes.append("快照不保存本图，按实时数据计算。")
    return Figure(key="materials", title="档案材料完整度", columns=columns, rows=rows, totals=totals, grain=grain,
                  charts=[{"type": "bar", "category": "name", "series": ["present", "required"]}],
                  notes=notes + township_note(scope))
