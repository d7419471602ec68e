"""Figures of units and the party-work force: coverage by kind and township, units
without a party organization / member / new member, instructor load, training hours.

Coverage is the registry's own definition (organizations.selectors: ``coverage_units``,
``coverage_counts``, ``coverage_rates`` — the home pages use the same), instructor load
reads ``organizations.selectors.instructors_with_load`` and training hours read
``members.training.hours_by_area`` / ``yearly_hours`` — one source for each number.
"""
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F, Q

from members.models import Dossier
from members.models.dossiers import OPEN_STATES
from members.training import TRAINING_HOURS_TARGETS, hours_by_area, yearly_hours
from organizations.choices import OrganizationKind
from organizations.selectors import (
    COVERAGE_MEASURES, coverage_counts, coverage_rates, coverage_units, instructors_with_load,
)
from organizations.structure_rules import THRESHOLDS

from ..figures import COMMUNITY, INSTRUCTOR, PARTY_WORKER, TOWNSHIP, UNIT, Column, Figure, percent, ratio
from .common import Folded, Scope, fold, group_rows, kind_note, memo, snapshot_cube, sum_rows, township_note

GAP_MEASURES = ("units", "without_party_org", "without_member", "without_dossier", "no_new_2y", "no_new_3y")


def units(scope: Scope):
    """The units coverage counts (organizations.selectors.coverage_units) of the
    townships in scope and of the chosen kind."""
    queryset = coverage_units(user=scope.user).filter(township_id__in=scope.township_ids)
    return queryset.filter(kind=scope.kind) if scope.kind else queryset


# ---- coverage -----------------------------------------------------------------------------

def coverage_cube(scope: Scope) -> list[dict]:
    if scope.snapshot is not None:
        return snapshot_cube(scope, "coverage")
    by = {"township": "township_id", "kind": "kind"}
    if scope.drilled:
        by["group"] = "community_id"
    return memo(scope, "coverage", lambda: coverage_counts(units(scope), by=by))


def _with_rates(row: dict) -> dict:
    row.update(coverage_rates(row))
    return row


def coverage(scope: Scope) -> Figure:
    """组织覆盖: share of units with a party organization and members per 100 employees,
    per township (per village/community inside a township), split by kind of unit."""
    cube = coverage_cube(scope)
    key = ("group",) if scope.drilled else ("township",)
    grain = COMMUNITY if scope.drilled else TOWNSHIP
    rows = group_rows(scope, fold(cube, key, COVERAGE_MEASURES), grain=grain, all_townships=True)
    by_kind = fold(cube, key + ("kind",), ("units", "covered"))
    kinds = list(OrganizationKind.choices)
    for row in rows:
        _with_rates(row)
        for kind, _ in kinds:
            counts = by_kind.get((row["id"], kind), {"units": 0, "covered": 0})
            row[f"{kind}_units"], row[f"{kind}_rate"] = counts["units"], percent(counts["covered"], counts["units"])
    totals = _with_rates(sum_rows(rows, COVERAGE_MEASURES))
    for kind, _ in kinds:
        counts = sum_rows((v for k, v in by_kind.items() if k[-1] == kind), ("units", "covered"))
        totals[f"{kind}_units"], totals[f"{kind}_rate"] = counts["units"], percent(counts["covered"], counts["units"])
    columns = [Column("name", "村（社区）" if scope.drilled else "乡镇（街道）", "text"), Column("units", "单位数"),
               Column("covered", "已建党组织"), Column("coverage_rate", "覆盖率（%）", "percent")]
    for kind, label in kinds:
        columns += [Column(f"{kind}_units", f"{label}数"), Column(f"{kind}_rate", f"{label}覆盖率（%）", "percent")]
    columns += [Column("without_member", "无党员单位"), Column("employees", "从业人员"), Column("members", "党员"),
                Column("members_per_100", "每百名从业人员党员数", "decimal")]
    return Figure(key="coverage", title="组织覆盖（按单位类别和乡镇）", columns=columns, rows=rows, totals=totals,
                  grain=grain,
                  charts=[{"type": "bar", "category": "name", "series": [f"{k}_rate" for k, _ in kinds],
                           "percent": True},
                          {"type": "bar", "category": "name", "series": ["members_per_100"]}],
                  notes=["存续（未注销）的两新组织；党员人数为单位登记数。"] + township_note(scope))


# ---- units without party organization, member or new member ------------------------------

def unit_gaps_cube(scope: Scope) -> list[dict]:
    if scope.snapshot is not None:
        return snapshot_cube(scope, "unit_gaps")
    return memo(scope, "unit_gaps", lambda: _count_unit_gaps(scope))


def _count_unit_gaps(scope: Scope) -> list[dict]:
    """One query.  Each unit's facts — anyone in cultivation now, a member admitted in the
    two or three calendar years up to the end of the period — are its dossiers, counted
    per ``Dossier.unit`` (the person's unit while a dossier is open, the unit it was
    developed in once it is closed); the units are then counted per township and kind.
    The ORM cannot group over a grouped subquery, so the two querysets (both scoped by
    ``visible_to``) are joined as derived tables in SQL."""
    year = scope.period.year
    admitted = {n: Q(approved_on__gte=date(year - n + 1, 1, 1), approved_on__lte=scope.as_of) for n in (2, 3)}
    facts = Dossier.objects.visible_to(scope.user).filter(unit__isnull=False)
    if not (scope.user.sees_whole_county and scope.township is None):
        # Only the facts of the units the figure lists (the join below would drop the others).
        facts = facts.filter(unit__township_id__in=scope.township_ids)
    facts = (facts.filter(Q(state__in=OPEN_STATES) | admitted[3]).order_by()
             .values(fact_unit=F("unit_id"))
             .annotate(in_cultivation=Count("id", filter=Q(state__in=OPEN_STATES)),
                       admitted_2y=Count("id", filter=admitted[2]), admitted_3y=Count("id", filter=admitted[3])))
    unit_rows = units(scope).order_by().values(unit=F("id"), unit_township=F("township_id"), unit_kind=F("kind"),
                                                 covered=F("has_party_org"), registered_members=F("party_member_count"))
    keys = {"township": "u.unit_township", "kind": "u.unit_kind"}
    if scope.drilled:
        keys["group"] = "u.unit"
    try:
        units_sql, units_params = unit_rows.query.sql_with_params()
    except EmptyResultSet:      # no township in scope
        return []
    try:
        facts_sql, facts_params = facts.query.sql_with_params()
    except EmptyResultSet:      # no dossier in the user's view: the same columns, no rows
        facts_sql, facts_params = facts.model.objects.filter(pk__isnull=True).values(
            fact_unit=F("unit_id")).annotate(
            in_cultivation=Count("id"), admitted_2y=Count("id"), admitted_3y=Count("id")).query.sql_with_params()
    dims = ", ".join(keys.values())
    sql = (f"SELECT {dims}, COUNT(*), "
           "SUM(CASE WHEN u.covered THEN 0 ELSE 1 END), "
           "SUM(CASE WHEN u.registered_members = 0 THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN f.in_cultivation > 0 THEN 0 ELSE 1 END), "
           "SUM(CASE WHEN f.admitted_2y > 0 THEN 0 ELSE 1 END), "
           "SUM(CASE WHEN f.admitted_3y > 0 THEN 0 ELSE 1 END) "
           f"FROM ({units_sql}) u LEFT JOIN ({facts_sql}) f ON f.fact_unit = u.unit GROUP BY {dims}")
    with connections[unit_rows.db].cursor() as cursor:
        cursor.execute(sql, units_params + facts_params)
        rows = cursor.fetchall()
    names = list(keys) + list(GAP_MEASURES)
    return [dict(zip(names, row)) for row in rows]


def unit_gaps(scope: Scope) -> Figure:
    """Units without a party organization, without any member, with nobody in the
    pipeline, and without a new member for 2 and for 3 years (domain.md §1, problem 4)."""
    key = ("group",) if scope.drilled else ("township",)
    grain = UNIT if scope.drilled else TOWNSHIP
    rows = group_rows(scope, fold(unit_gaps_cube(scope), key, GAP_MEASURES), grain=grain)
    if scope.drilled:   # a unit's row: the gaps first, the biggest gaps first
        rows.sort(key=lambda r: (-sum(r[m] for m in GAP_MEASURES[1:]), r["name"]))
    totals = sum_rows(rows, GAP_MEASURES)
    year = scope.period.year
    columns = [Column("name", "单位" if scope.drilled else "乡镇（街道）", "text"), Column("units", "单位数"),
               Column("without_party_org", "未建党组织"), Column("without_member", "无党员"),
               Column("without_dossier", "无在培养对象"), Column("no_new_2y", f"连续2年未发展（{year - 1}–{year}）"),
               Column("no_new_3y", f"连续3年未发展（{year - 2}–{year}）")]
    return Figure(key="unit_gaps", title="党建空白与长期未发展党员的单位", columns=columns, rows=rows, totals=totals,
                  grain=grain,
                  charts=[{"type": "bar", "category": "name",
                           "series": ["without_party_org", "without_member", "no_new_2y", "no_new_3y"]}],
                  notes=[f"“未发展”指截至{scope.as_of:%Y年%m月%d日}该单位职工无人经审批接收为预备党员。"]
                  + township_note(scope))


# ---- instructor load ----------------------------------------------------------------------

def instructor_load(scope: Scope) -> Figure:
    """联系单位数 per party-building instructor: average, overloaded (more than the
    structure rules' limit) and idle instructors per township, or each instructor."""
    limit = THRESHOLDS["instructor_max_units"]
    instructors = list(instructors_with_load(user=scope.user).filter(area_id__in=scope.township_ids)
                       .order_by().values("id", "name", "area_id", "unit_count"))
    if scope.drilled:
        rows = [{"id": i["id"], "name": i["name"], "drill": {"level": INSTRUCTOR, "id": i["id"]},
                 "instructors": 1, "units": i["unit_count"], "overloaded": int(i["unit_count"] > limit),
                 "idle": int(i["unit_count"] == 0)} for i in instructors]
        rows.sort(key=lambda r: (-r["units"], r["name"]))
        grain = INSTRUCTOR
    else:
        folded = fold(({"township": i["area_id"], "instructors": 1, "units": i["unit_count"],
                        "overloaded": int(i["unit_count"] > limit), "idle": int(i["unit_count"] == 0)}
                       for i in instructors), ("township",), ("instructors", "units", "overloaded", "idle"))
        rows, grain = group_rows(scope, folded, grain=TOWNSHIP), TOWNSHIP
    totals = sum_rows(rows, ("instructors", "units", "overloaded", "idle"))
    for row in rows + [totals]:
        row["average"] = ratio(row["units"], row["instructors"], 1)
    columns = [Column("name", "党建指导员" if scope.drilled else "乡镇（街道）", "text"),
               Column("instructors", "指导员人数"), Column("units", "联系单位数"),
               Column("average", "人均联系单位", "decimal"), Column("overloaded", f"联系超过{limit}个单位"),
               Column("idle", "未联系单位")]
    return Figure(key="instructor_load", title="党建指导员工作量", columns=columns, rows=rows, totals=totals,
                  grain=grain, charts=[{"type": "bar", "category": "name", "series": ["average"], "mark_line": limit}
                                       if not scope.drilled else
                                       {"type": "bar", "category": "name", "series": ["units"], "mark_line": limit}],
                  notes=["联系单位数不含已注销单位。"] + kind_note(scope, applies=False))


# ---- training hours -----------------------------------------------------------------------

TRAINEES = (("party_worker", "党务工作者"), ("instructor", "党建指导员"))


def training_hours(scope: Scope) -> Figure:
    """Party workers' and instructors' class hours in the year against the county's
    yearly targets (members.training.TRAINING_HOURS_TARGETS)."""
    year = scope.period.year
    if scope.drilled:
        entries = [(kind, row) for kind, _ in TRAINEES
                   for row in yearly_hours(user=scope.user, year=year, kind=kind, township=scope.township)]
        rows = [{"id": row.trainee.pk, "name": row.trainee.name, "drill": {"level": PARTY_WORKER if kind ==
                 "party_worker" else INSTRUCTOR, "id": row.trainee.pk}, "trainee_kind": row.kind_display,
                 "hours": float(row.hours), "target": float(row.target), "met": int(not row.below_target)}
                for kind, row in entries]
        rows.sort(key=lambda r: (r["met"], r["hours"], r["name"]))
        totals = {"hours": round(sum(r["hours"] for r in rows), 1), "met": sum(r["met"] for r in rows)}
        columns = [Column("name", "姓名", "text"), Column("trainee_kind", "类别", "text"),
                   Column("hours", "本年学时", "decimal"), Column("target", "目标学时", "decimal"),
                   Column("met", "达标（1=是）")]
        charts = [{"type": "bar", "category": "name", "series": ["hours"]}]
        grain = PARTY_WORKER
    else:
        # The county: members' own yearly hours, summed per township in the database.
        measures = [f"{k}_{m}" for k, _ in TRAINEES for m in ("count", "met", "zero", "hours")]
        folded = Folded(measures)
        for kind, _ in TRAINEES:
            by_area = hours_by_area(user=scope.user, year=year, kind=kind, area_ids=scope.township_ids)
            for area_id, sums in by_area.items():
                row = folded.setdefault((area_id,), dict.fromkeys(measures, 0))
                row.update({f"{kind}_count": sums["trainees"], f"{kind}_met": sums["met"],
                            f"{kind}_zero": sums["without_hours"], f"{kind}_hours": float(sums["hours"])})
        rows = group_rows(scope, folded, grain=TOWNSHIP)
        totals = sum_rows(rows, measures)
        for row in rows + [totals]:
            for kind, _ in TRAINEES:
                row[f"{kind}_hours"] = round(row[f"{kind}_hours"], 1)
                row[f"{kind}_rate"] = percent(row[f"{kind}_met"], row[f"{kind}_count"])
                row[f"{kind}_average"] = ratio(row[f"{kind}_hours"], row[f"{kind}_count"], 1)
        columns = [Column("name", "乡镇（街道）", "text")]
        for kind, label in TRAINEES:
            target = TRAINING_HOURS_TARGETS[kind]
            columns += [Column(f"{kind}_count", f"{label}人数"), Column(f"{kind}_met", f"达到{target:g}学时"),
                        Column(f"{kind}_rate", f"{label}达标率（%）", "percent"),
                        Column(f"{kind}_zero", f"{label}未参训"),
                        Column(f"{kind}_average", f"{label}人均学时", "decimal")]
        charts = [{"type": "bar", "category": "name", "series": [f"{k}_rate" for k, _ in TRAINEES], "percent": True}]
        grain = TOWNSHIP
    targets = "，".join(f"{label}{TRAINING_HOURS_TARGETS[kind]:g}学时" for kind, label in TRAINEES)
    return Figure(key="training_hours", title="党务工作者、党建指导员培训学时", columns=columns, rows=rows,
                  totals=totals, grain=grain, charts=charts,
                  notes=[f"{year}年结业的培训班学时；年度目标：{targets}。"] + kind_note(scope, applies=False))
