"""新发展党员 by the categories of the annual statistics' development table: sex,
ethnicity, age 35 and under, education, occupation (front-line workers first).

A new member is a dossier approved as probationary member (上级党委审批) in the period.
Age is counted at the approval date with the rule set's calendar convention
(members.periods): 35 and under means the 36th birthday had not come.  Every category
is a filtered count in one aggregate query (no row per person reaches Python).
"""
from django.db.models import Count, Q
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThan

from members.choices import Education, Occupation, Sex

from ..figures import PARTY_ORG, TOWNSHIP, Column, Figure, percent
from .common import Scope, count_cube, fold, group_rows, memo, snapshot_cube, sum_rows, township_note
from .development import _between, dossier_dims, dossiers

YOUTH_AGE = 35
EDUCATION_KEYS = {value: f"edu_{value}" for value in Education.values}
OCCUPATION_KEYS = {value: f"occ_{value}" for value in Occupation.values}
MEASURES = (["total", "female", "minority", "age35"] + list(EDUCATION_KEYS.values()) + list(OCCUPATION_KEYS.values()))
COLLEGE_AND_ABOVE = (Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE)


def new_member_cube(scope: Scope) -> list[dict]:
    """One aggregate query over the approved dossiers and their people."""
    if scope.snapshot is not None:
        return snapshot_cube(scope, "new_members")
    queryset = dossiers(scope).filter(_between("approved_on", scope))
    return memo(scope, "new_members", lambda: count_cube(queryset, dossier_dims(scope), new_member_measures()))


def _day_number(field: str):
    """A date as the number yyyymmdd, so that whole years can be added to it."""
    return ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)


def new_member_measures() -> dict[str, object]:
    """Counts of the categories, each a filtered count.  "35 and under" is the rule set's
    convention (members.periods.add_years): the 36th birthday had not come on the day
    of approval.  Adding 36 years to the yyyymmdd number is that birthday exactly —
    36 is a multiple of 4, so a 29 February birthday falls on a 29 February again (the
    one exception: born on 29 February 2064, 36 in 2100, which has none)."""
    birthday_36 = _day_number("person__birth_date") + (YOUTH_AGE + 1) * 10000
    known_occupations = [value for value in Occupation.values if value != Occupation.OTHER]
    measures = {"total": Count("id"), "female": Q(person__sex=Sex.FEMALE),
                "minority": ~Q(person__ethnicity__in=["", "汉族"]),
                "age35": Q(GreaterThan(birthday_36, _day_number("approved_on")))}
    measures |= {key: Q(person__education=value) for value, key in EDUCATION_KEYS.items()}
    measures |= {key: Q(person__occupation=value) for value, key in OCCUPATION_KEYS.items()
                 if value != Occupation.OTHER}
    measures[OCCUPATION_KEYS[Occupation.OTHER]] = ~Q(person__occupation__in=known_occupations)
    return measures


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
