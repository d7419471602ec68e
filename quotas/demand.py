"""Ready demand and record of every party organization for a plan year: the columns the
weight is made of (:mod:`quotas.weights` turns them into the weight).

Ready demand is the candidates who can be admitted before the year ends plus the
activists who reach one year of cultivation during it; the record is last year's plan
completion, the share of open dossiers with overdue steps and the party-building grade
the county entered.  All of it is read with a handful of aggregate queries, whatever the
number of organizations.
"""
from datetime import date

import numpy as np
from django.db import connection
from django.db.models import Count, Max

from members.models import Alert, Dossier, StepRecord, overdue_condition
from organizations.models import PartyOrganization

from .models import EvaluationGrade, QuotaAllocation
from .weights import demand_weights

NEUTRAL_GRADE = "B"   # no grade entered for last year: weighed as 较好, in good standing


def _counts(queryset, key="party_org") -> dict[int, int]:
    """Rows per ``key``, fetched as the database returns them: the ORM's per-row
    conversion of the counts costs more than the query itself at 200,000 organizations."""
    sql, params = queryset.values_list(key).annotate(n=Count("id")).values_list(key, "n").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def as_column(ids: np.ndarray, mapping: dict, dtype=np.int64, default=0) -> np.ndarray:
    """party organization id → value as a column aligned with ``ids`` (ascending); ids
    missing from ``ids`` (or None) are skipped, ids missing from ``mapping`` get ``default``."""
    out = np.full(len(ids), default, dtype=dtype)
    if not mapping or not len(ids):
        return out
    keys = np.fromiter((-1 if pk is None else pk for pk in mapping), dtype=np.int64, count=len(mapping))
    values = np.fromiter(mapping.values(), dtype=dtype, count=len(mapping))
    at = np.minimum(np.searchsorted(ids, keys), len(ids) - 1)
    found = ids[at] == keys
    out[at[found]] = values[found]
    return out


def demand_columns(*, year: int, today: date) -> dict:
    """The query part: one entry per party organization (ascending id) — demand, record and
    the "years without a new member" flag; no plan parameter is involved."""
    orgs = list(PartyOrganization.objects.order_by("id").values_list("id", "area_id", "name"))
    ids = np.fromiter((o[0] for o in orgs), dtype=np.int64, count=len(orgs))

    def column(mapping, dtype=np.int64, default=0):
        return as_column(ids, mapping, dtype, default)

    active = Dossier.objects.filter(state="active")
    candidates = column(_counts(active.filter(stage="candidate").exclude(political_reviews__passed=False)))
    # An activist reaching one year of cultivation by 31 December of the plan year.
    activists = column(_counts(active.filter(stage="activist", cultivation_start__lte=date(year - 1, 12, 31))))
    open_dossiers = column(_counts(Dossier.objects.filter(state__in=("active", "lost_contact"))))
    overdue = column(dict(Alert.objects.filter(overdue_condition(today), dossier__state__in=("active", "lost_contact"))
                          .values_list("dossier__party_org").annotate(n=Count("dossier", distinct=True))
                          .values_list("dossier__party_org", "n")))
    # order_by(): the allocations' default ordering would join areas and organizations and sort.
    last_year = {pk: (seats + extra, used) for pk, seats, extra, used in QuotaAllocation.objects
                 .filter(plan__year=year - 1).order_by().values_list("party_org", "seats", "extra_seats", "used")}
    completion = column({pk: used / seats for pk, (seats, used) in last_year.items() if seats}, np.float64, np.nan)
    grades = dict(EvaluationGrade.objects.filter(year=year - 1).values_list("party_org", "grade"))
    last_admission = dict(StepRecord.objects.filter(step="admission_approval").values_list("party_org")
                          .annotate(last=Max("taken_on")).values_list("party_org", "last"))
    return {
        "ids": ids, "area": column({o[0]: o[1] for o in orgs}), "names": [o[2] for o in orgs],
        "candidates": candidates, "activists": activists, "ready": candidates + activists,
        "grade": [grades.get(pk, NEUTRAL_GRADE) for pk in ids.tolist()],
        "overdue_share": np.divide(overdue, open_dossiers, out=np.zeros(len(ids)), where=open_dossiers > 0),
        "completion": completion,
        "years_without": column({pk: _years_without(last, year) for pk, last in last_admission.items()}, default=3),
    }


def seat_columns(ids: np.ndarray, current: dict | None) -> dict:
    """Pure: what the plan being recomputed already holds per organization.  ``current``
    maps party organization id → (used, reserved, extra seats); seats used or reserved
    beyond the extra seats are a hard minimum, never taken back."""
    current = current or {}
    used = as_column(ids, {pk: v[0] for pk, v in current.items()})
    reserved = as_column(ids, {pk: v[1] for pk, v in current.items()})
    extra = as_column(ids, {pk: v[2] for pk, v in current.items()})
    return {"used": used, "reserved": reserved, "extra": extra,
            "hard_minimum": np.maximum(used + reserved - extra, 0)}


def demand_table(*, year: int, parameters: dict, today: date, current: dict | None = None) -> dict:
    """Columns (NumPy arrays, one entry per party organization) for the allocation: the
    demand columns, their weights under ``parameters`` and the seats already held."""
    columns = demand_columns(year=year, today=today)
    return {**columns, **demand_weights(columns, parameters), **seat_columns(columns["ids"], current)}


def _years_without(last: date | None, year: int) -> int:
    """Whole years before the plan year with no admission (0–3; 3 means three or more)."""
    if last is None:
        return 3
    return max(0, min(3, year - 1 - last.year))
