"""Ready demand and quality of every party organization for a plan year — the weight.

The weight is not membership size.  It is ready demand — candidates who can be
admitted before the year ends, plus activists who reach one year of cultivation
during it, each weighted — times a quality factor from the organization's record:
last year's plan completion, the share of its open dossiers with overdue steps, and
the party-building grade the county entered.  Every factor is a plan parameter.
All of it is read with a handful of aggregate queries, whatever the number of
organizations.
"""
from datetime import date

import numpy as np
from django.db.models import Count, Max

from members.models import Alert, Dossier, StepRecord
from organizations.models import PartyOrganization

from .models import EvaluationGrade, QuotaAllocation

WEIGHT_SCALE = 1000   # weights go to the engine as integers, in thousandths


def _counts(queryset, key="party_org") -> dict[int, int]:
    return dict(queryset.values_list(key).annotate(n=Count("id")).values_list(key, "n"))


def demand_table(*, year: int, parameters: dict, today: date, current: dict | None = None) -> dict:
    """Columns (NumPy arrays, one entry per party organization) for the allocation.

    ``current`` maps party organization id → (used, reserved, extra_seats) of the plan
    being recomputed, so seats already taken are never taken back.
    """
    orgs = list(PartyOrganization.objects.order_by("id").values_list("id", "area_id", "name"))
    ids = np.fromiter((o[0] for o in orgs), dtype=np.int64, count=len(orgs))   # ascending

    def column(mapping, dtype=np.int64, default=0):
        """party organization id → value as a column; ids not in ``ids`` (or None) are skipped."""
        out = np.full(len(ids), default, dtype=dtype)
        if not mapping or not len(ids):
            return out
        keys = np.fromiter((-1 if pk is None else pk for pk in mapping), dtype=np.int64, count=len(mapping))
        values = np.fromiter(mapping.values(), dtype=dtype, count=len(mapping))
        at = np.minimum(np.searchsorted(ids, keys), len(ids) - 1)
        found = ids[at] == keys
        out[at[found]] = values[found]
        return out

    active = Dossier.objects.filter(state="active")
    candidates = column(_counts(active.filter(stage="candidate").exclude(political_reviews__passed=False)))
    # An activist reaching one year of cultivation by 31 December of the plan year.
    activists = column(_counts(active.filter(stage="activist", cultivation_start__lte=date(year - 1, 12, 31))))
    open_dossiers = column(_counts(Dossier.objects.filter(state__in=("active", "lost_contact"))))
    overdue = column(dict(Alert.objects.filter(due_on__lt=today, dossier__state__in=("active", "lost_contact"))
                          .values_list("dossier__party_org").annotate(n=Count("dossier", distinct=True))
                          .values_list("dossier__party_org", "n")))
    # order_by(): the allocations' default ordering would join areas and organizations and sort.
    last_year = {pk: (seats + extra, used) for pk, seats, extra, used in QuotaAllocation.objects
                 .filter(plan__year=year - 1).order_by().values_list("party_org", "seats", "extra_seats", "used")}
    completion = column({pk: used / seats for pk, (seats, used) in last_year.items() if seats}, np.float64, np.nan)
    grades = dict(EvaluationGrade.objects.filter(year=year - 1).values_list("party_org", "grade"))
    last_admission = dict(StepRecord.objects.filter(step="admission_approval").values_list("party_org")
                          .annotate(last=Max("taken_on")).values_list("party_org", "last"))

    p = parameters
    grade_codes = [grades.get(pk, "B") for pk in ids.tolist()]
    grade_factor = np.array([p["grade_factors"].get(g, 1.0) for g in grade_codes], dtype=np.float64)
    overdue_share = np.divide(overdue, open_dossiers, out=np.zeros(len(ids)), where=open_dossiers > 0)
    overdue_term = 1 - p["overdue_penalty"] * overdue_share
    completion_term = np.where(np.isnan(completion), 1.0,
                               1 - p["completion_weight"] + p["completion_weight"] * np.minimum(completion, 1.0))
    quality = grade_factor * overdue_term * completion_term
    base = p["candidate_weight"] * candidates + p["activist_weight"] * activists
    weight = base * quality
    ready = candidates + activists
    good = np.array([g in p["good_standing_grades"] for g in grade_codes]) & (quality >= p["minimum_quality"])
    minimum = ((candidates > 0) & good).astype(np.int64)
    current = current or {}
    used = column({pk: v[0] for pk, v in current.items()})
    reserved = column({pk: v[1] for pk, v in current.items()})
    extra = column({pk: v[2] for pk, v in current.items()})
    hard_minimum = np.maximum(used + reserved - extra, 0)
    years_without = column({pk: _years_without(last, year) for pk, last in last_admission.items()}, default=3)
    return {
        "ids": ids, "area": column({o[0]: o[1] for o in orgs}), "names": [o[2] for o in orgs],
        "candidates": candidates, "activists": activists, "ready": ready, "grade": grade_codes,
        "grade_factor": grade_factor, "overdue_share": overdue_share, "overdue_term": overdue_term,
        "completion": completion, "completion_term": completion_term, "quality": quality, "base": base,
        "weight": weight, "weight_int": np.rint(weight * WEIGHT_SCALE).astype(np.int64),
        "minimum": minimum, "maximum": np.maximum(ready, minimum), "hard_minimum": hard_minimum,
        "used": used, "reserved": reserved, "extra": extra, "years_without": years_without,
    }


def _years_without(last: date | None, year: int) -> int:
    """Whole years before the plan year with no admission (0–3; 3 means three or more)."""
    if last is None:
        return 3
    return max(0, min(3, year - 1 - last.year))
