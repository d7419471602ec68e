"""Figures of the development plan (发展党员计划): seats allocated against seats used
and ready demand, activists on hand per seat, and plan completion by party organization.

Seats are the allocations of the plan of the period's year (seats + approved extra
seats); ``used`` and ``reserved`` are the allocation's counters that quotas.seats
keeps under lock, so they are read, never recounted.
"""
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from quotas.models import QuotaAllocation

from ..figures import PARTY_ORG, TOWNSHIP, Column, Figure, percent, ratio
from .common import Scope, count_cube, fold, group_rows, kind_note, memo, snapshot_cube, sum_rows, township_note
from .development import pipeline_cube

PLAN_MEASURES = ("allocated", "used", "reserved", "ready_demand")
# Planners' rule of thumb (domain.md §3): activists on hand ≈ 4 × the plan.
ACTIVISTS_PER_SEAT_TARGET = 4


def allocations(scope: Scope):
    return QuotaAllocation.objects.visible_to(scope.user).filter(plan__year=scope.period.year,
                                                                 area_id__in=scope.township_ids)


def plan_cube(scope: Scope) -> list[dict]:
    if scope.snapshot is not None:
        return snapshot_cube(scope, "plan")
    dims = {"township": "area_id"}
    if scope.drilled:
        dims["group"] = "party_org_id"
    measures = {"allocated": Coalesce(Sum(F("seats") + F("extra_seats")), 0), "used": Coalesce(Sum("used"), 0),
                "reserved": Coalesce(Sum("reserved"), 0), "ready_demand": Coalesce(Sum("ready_demand"), 0)}
    return memo(scope, "plan", lambda: count_cube(allocations(scope), dims, measures))


def _key(scope):
    return ("group",) if scope.drilled else ("township",)


def _grain(scope):
    return PARTY_ORG if scope.drilled else TOWNSHIP


def plan_use(scope: Scope) -> Figure:
    """计划分配、使用与可发展需求: seats against seats used, seats reserved at the county
    pre-review, ready demand, and the new members actually admitted."""
    folded = fold(plan_cube(scope), _key(scope), PLAN_MEASURES)
    admitted = fold(pipeline_cube(scope), _key(scope), ["probationary"])
    for key, values in admitted.items():
        folded.setdefault(key, dict.fromkeys(PLAN_MEASURES, 0))["admitted"] = values["probationary"]
    for values in folded.values():
        values.setdefault("admitted", 0)
    measures = PLAN_MEASURES + ("admitted",)
    rows = group_rows(scope, folded, grain=_grain(scope), measures=measures)
    totals = sum_rows(rows, measures)
    for row in rows + [totals]:
        row.setdefault("admitted", 0)
        row["remaining"] = row["allocated"] - row["used"] - row["reserved"]
        row["completion"] = percent(row["used"], row["allocated"])
        row["shortfall"] = max(row["ready_demand"] - row["allocated"], 0)
    columns = [Column("name", "党组织" if scope.drilled else "乡镇（街道）", "text"),
               Column("allocated", "计划名额（含追加）"), Column("used", "已使用"), Column("reserved", "已预留（预审）"),
               Column("remaining", "剩余名额"), Column("completion", "完成率（%）", "percent"),
               Column("ready_demand", "可发展需求"), Column("shortfall", "需求超出名额"),
               Column("admitted", "实际发展党员")]
    return Figure(key="plan", title="计划名额：分配、使用与可发展需求", columns=columns, rows=rows, totals=totals,
                  grain=_grain(scope),
                  charts=[{"type": "bar", "category": "name", "series": ["allocated", "used", "ready_demand"]}],
                  notes=[f"{scope.period.year}年度发展党员计划；“实际发展党员”为{scope.period.label}内审批接收的预备党员。"]
                  + kind_note(scope, applies=False) + township_note(scope))


def activists_per_seat(scope: Scope) -> Figure:
    """积极分子与计划名额之比 (the rule of thumb is about 4 activists per seat)."""
    seats = fold(plan_cube(scope), _key(scope), ["allocated"])
    stock = fold(pipeline_cube(scope), _key(scope), ["stock_activist", "stock_candidate"])
    folded = {key: {"stock_activist": stock.get(key, {}).get("stock_activist", 0),
                    "stock_candidate": stock.get(key, {}).get("stock_candidate", 0),
                    "allocated": seats.get(key, {}).get("allocated", 0)} for key in set(seats) | set(stock)}
    rows = group_rows(scope, folded, grain=_grain(scope), measures=["stock_activist", "stock_candidate", "allocated"])
    totals = sum_rows(rows, ["stock_activist", "stock_candidate", "allocated"])
    for row in rows + [totals]:
        row["per_seat"] = ratio(row["stock_activist"], row["allocated"])
        row["target"] = ACTIVISTS_PER_SEAT_TARGET
    columns = [Column("name", "党组织" if scope.drilled else "乡镇（街道）", "text"),
               Column("stock_activist", "期末积极分子"), Column("stock_candidate", "期末发展对象"),
               Column("allocated", "计划名额"), Column("per_seat", "每个名额积极分子数", "decimal"),
               Column("target", "参考值", "decimal")]
    return Figure(key="activists_per_seat", title="积极分子与计划名额之比", columns=columns, rows=rows,
                  totals=totals, grain=_grain(scope),
                  charts=[{"type": "bar", "category": "name", "series": ["per_seat"],
                           "mark_line": ACTIVISTS_PER_SEAT_TARGET}],
                  notes=[f"积极分子截至{scope.as_of:%Y年%m月%d日}；名额为{scope.period.year}年度计划。"
                         f"一般以积极分子约为计划的{ACTIVISTS_PER_SEAT_TARGET}倍为宜。"] + township_note(scope))


COMPLETION_BUCKETS = (("none", "未使用（0%）"), ("low", "使用不足一半（1%–49%）"), ("most", "50%–99%"),
                      ("done", "已完成（100%）"))


def _bucket(used: int, allocated: int) -> str:
    if used >= allocated:
        return "done"
    if used == 0:
        return "none"
    return "low" if 2 * used < allocated else "most"


def plan_completion(scope: Scope) -> Figure:
    """计划完成情况 by party organization: every allocation with seats, the least
    complete first, and how many organizations fall in each band."""
    rows = []
    bands = dict(COMPLETION_BUCKETS)
    counts = dict.fromkeys(bands.values(), 0)
    totals = dict.fromkeys(("allocated", "used", "reserved", "ready_demand"), 0)
    queryset = allocations(scope).filter(Q(seats__gt=0) | Q(extra_seats__gt=0)).order_by().values_list(
        "party_org_id", "party_org__name", "area__name", "seats", "extra_seats", "used", "reserved", "ready_demand")
    for party_org, name, township, seats, extra_seats, used, reserved, ready_demand in queryset:
        allocated = seats + extra_seats
        band = bands[_bucket(used, allocated)]
        counts[band] += 1
        totals["allocated"] += allocated
        totals["used"] += used
        totals["reserved"] += reserved
        totals["ready_demand"] += ready_demand
        rows.append({"id": party_org, "name": name, "township": township,
                     "drill": {"level": PARTY_ORG, "id": party_org}, "allocated": allocated, "used": used,
                     "reserved": reserved, "ready_demand": ready_demand, "completion": percent(used, allocated),
                     "band": band})
    rows.sort(key=lambda r: (r["completion"], -r["allocated"], r["name"]))
    totals["completion"] = percent(totals["used"], totals["allocated"])
    return Figure(key="plan_completion", title="计划完成情况（按党组织）", grain=PARTY_ORG, rows=rows, totals=totals,
                  columns=[Column("name", "党组织", "text"), Column("township", "乡镇（街道）", "text"),
                           Column("allocated", "计划名额"), Column("used", "已使用"), Column("reserved", "已预留"),
                           Column("ready_demand", "可发展需求"), Column("completion", "完成率（%）", "percent"),
                           Column("band", "完成情况", "text")],
                  charts=[{"type": "counts_pie", "counts": counts}],
                  notes=[f"{scope.period.year}年度有名额的党组织，完成率低的在前。"] + kind_note(scope, applies=False))
