"""新发展党员 by the categories of the annual statistics' development table: sex,
ethnicity, age 35 and under, education, occupation (front-line workers first).

A new member is a dossier approved as probationary member (上级党委审批) in the period.
Age is counted at the approval date with the rule set's calendar convention
(members.periods): 35 and under means the 36th birthday had not come.
"""
from collections import defaultdict

from members.choices import Education, Occupation, Sex
from members.periods import add_years

from ..figures import PARTY_ORG, TOWNSHIP, Column, Figure, percent
from .common import Scope, fold, group_rows, memo, snapshot_cube, sum_rows, township_note
from .development import _between, dossiers

YOUTH_AGE = 35
EDUCATION_KEYS = {value: f"edu_{value}" for value in Education.values}
OCCUPATION_KEYS = {value: f"occ_{value}" for value in Occupation.values}
MEASURES = (["total", "female", "minority", "age35"] + list(EDUCATION_KEYS.values()) + list(OCCUPATION_KEYS.values()))
COLLEGE_AND_ABOVE = (Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE)


def new_member_cube(scope: Scope) -> list[dict]:
    """One query for the approved dossiers' people, categorised here (age needs the
    calendar convention, which SQL does not share)."""
    if scope.snapshot is not None:
        return snapshot_cube(scope, "new_members")
    return memo(scope, "new_members", lambda: _count_new_members(scope))


def _count_new_members(scope: Scope) -> list[dict]:
    fields = ["party_org__area_id", "person__sex", "person__ethnicity", "person__birth_date", "person__education",
              "person__occupation", "approved_on"]
    if scope.kind_dimension:
        fields.append("person__current_unit__kind")
    if scope.drilled:
        fields.append("party_org_id")
    cube: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for row in dossiers(scope).filter(_between("approved_on", scope)).order_by().values(*fields):
        key = (row["party_org__area_id"], row.get("person__current_unit__kind"), row.get("party_org_id"))
        counts = cube[key]
        counts["total"] += 1
        counts["female"] += row["person__sex"] == Sex.FEMALE
        counts["minority"] += (row["person__ethnicity"] or "汉族") != "汉族"
        birth = row["person__birth_date"]
        counts["age35"] += bool(birth and add_years(birth, YOUTH_AGE + 1) > row["approved_on"])
        if row["person__education"] in EDUCATION_KEYS:
            counts[EDUCATION_KEYS[row["person__education"]]] += 1
        counts[OCCUPATION_KEYS.get(row["person__occupation"], "occ_other")] += 1
    rows = []
    for (township, kind, party_org), counts in cube.items():
        row = {"township": township, **counts}
        if scope.kind_dimension:
            row["kind"] = kind
        if scope.drilled:
            row["group"] = party_org
        rows.append(row)
    return rows


def new_members(scope: Scope) -> Figure:
    key = ("group",) if scope.drilled else ("township",)
    grain = PARTY_ORG if scope.drilled else TOWNSHIP
    rows = group_rows(scope, fold(new_member_cube(scope), key, MEASURES), grain=grain)
    totals = sum_rows(rows, MEASURES)
    for row in rows + [totals]:
        row["college"] = sum(row[EDUCATION_KEYS[e]] for e in COLLEGE_AND_ABOVE)
        for share, part in (("female_share", "female"), ("age35_share", "age35"), ("college_share", "college"),
                            ("front_line_share", "occ_front_line")):
            row[share] = percent(row[part], row["total"])
    columns = [Column("name", "党组织" if scope.drilled else "乡镇（街道）", "text"), Column("total", "发展党员"),
               Column("female", "女"), Column("female_share", "女性占比（%）", "percent"),
               Column("minority", "少数民族"), Column("age35", "35岁及以下"),
               Column("age35_share", "35岁及以下占比（%）", "percent")]
    columns += [Column(EDUCATION_KEYS[value], label) for value, label in Education.choices]
    columns += [Column("college", "大专及以上"), Column("college_share", "大专及以上占比（%）", "percent")]
    columns += [Column(OCCUPATION_KEYS[value], label) for value, label in Occupation.choices]
    columns += [Column("front_line_share", "一线职工占比（%）", "percent")]
    return Figure(
        key="new_members", title="新发展党员构成", columns=columns, rows=rows, totals=totals, grain=grain,
        charts=[{"type": "totals_bar", "series": ["female", "minority", "age35", "college", "occ_front_line",
                                                   "occ_technical_backbone", "occ_manager"]},
                {"type": "totals_pie", "series": list(OCCUPATION_KEYS.values())}],
        notes=[f"{scope.period.label}内经上级党委审批接收的预备党员；年龄按审批之日计算。"] + township_note(scope))
