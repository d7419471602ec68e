"""The demand weight of every party organization — the one formula, pure (NumPy, no Django).

The weight is not membership size.  It is ready demand times quality::

    base    = candidate_weight × candidates + activist_weight × activists
    quality = grade factor × (1 − overdue_penalty × overdue share) × completion term
    weight  = base × quality

where the completion term is ``1 − completion_weight + completion_weight × min(last year's
completion, 1)`` (1 when the unit had no plan last year).  A unit in good standing (its grade
among ``good_standing_grades`` and its quality at least ``minimum_quality``) with a ready
candidate is guaranteed one seat; no unit gets more than its ready demand.

The columns come from :func:`quotas.demand.demand_columns` (the recompute job) or from a
table built by hand (tests); the recompute job and the what-if page both weigh with
:func:`demand_weights`, so a scenario with the plan's own parameters reproduces the job.
"""
import numpy as np

WEIGHT_SCALE = 1000   # weights go to the engine as integers, in thousandths (its exact integer path)


def demand_weights(columns: dict, parameters: dict) -> dict:
    """Every part of the weight under ``parameters``, one entry per party organization.

    ``columns`` needs ``candidates``, ``activists``, ``ready`` (int arrays), ``grade`` (a list
    of grade codes), ``overdue_share`` and ``completion`` (float arrays; NaN: no plan last year).
    """
    p = parameters
    candidates, activists = columns["candidates"], columns["activists"]
    grades = columns["grade"]
    grade_factor = np.array([p["grade_factors"].get(g, 1.0) for g in grades], dtype=np.float64)
    overdue_term = 1 - p["overdue_penalty"] * columns["overdue_share"]
    completion = columns["completion"]
    completion_term = np.where(np.isnan(completion), 1.0,
                               1 - p["completion_weight"] + p["completion_weight"] * np.minimum(completion, 1.0))
    quality = grade_factor * overdue_term * completion_term
    base = p["candidate_weight"] * candidates + p["activist_weight"] * activists
    weight = base * quality
    good_standing = np.array([g in p["good_standing_grades"] for g in grades], dtype=bool) \
        & (quality >= p["minimum_quality"])
    minimum = ((candidates > 0) & good_standing).astype(np.int64)
    return {
        "grade_factor": grade_factor, "overdue_term": overdue_term, "completion_term": completion_term,
        "quality": quality, "base": base, "weight": weight,
        "weight_int": np.rint(weight * WEIGHT_SCALE).astype(np.int64),
        "minimum": minimum, "maximum": np.maximum(columns["ready"], minimum),
    }
