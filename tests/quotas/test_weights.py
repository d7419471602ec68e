"""The demand weight (quotas.weights.demand_weights), worked out by hand.

Default parameters: candidate 1, activist 0.5, completion weight 0.5, overdue penalty 0.5,
grade factors A 1.2 / B 1 / C 0.8 / D 0.5, good standing A–C, minimum quality 0.6.

    unit  cand  act  grade  overdue  completion  base  quality                  weight  min  max
    U1    3     2    A      0.5      0.8         4     1.2 × 0.75 × 0.9 = 0.81  3.24    1    5
    U2    1     0    D      0        none        1     0.5                      0.5     0    1   (D: not in good standing)
    U3    0     4    B      0        1.5 → 1     2     1                        2       0    4   (no candidate)
    U4    2     0    C      1.0      none        2     0.8 × 0.5 = 0.4          0.8     0    2   (quality below 0.6)
"""
import numpy as np
import pytest

from quotas.models.plans import DEFAULT_PARAMETERS
from quotas.weights import demand_weights
from quotas.whatif import merge_parameters


@pytest.fixture
def columns():
    candidates, activists = np.array([3, 1, 0, 2]), np.array([2, 0, 4, 0])
    return {"candidates": candidates, "activists": activists, "ready": candidates + activists,
            "grade": ["A", "D", "B", "C"], "overdue_share": np.array([0.5, 0.0, 0.0, 1.0]),
            "completion": np.array([0.8, np.nan, 1.5, np.nan])}


def test_weight_is_ready_demand_times_quality(columns):
    weights = demand_weights(columns, DEFAULT_PARAMETERS)
    assert np.allclose(weights["base"], [4, 1, 2, 2])
    assert np.allclose(weights["overdue_term"], [0.75, 1, 1, 0.5])
    assert np.allclose(weights["completion_term"], [0.9, 1, 1, 1])      # no plan last year: neutral; above 100 %: capped
    assert np.allclose(weights["quality"], [0.81, 0.5, 1, 0.4])
    assert np.allclose(weights["weight"], [3.24, 0.5, 2, 0.8])
    assert weights["weight_int"].tolist() == [3240, 500, 2000, 800]       # thousandths, for the exact engine


def test_only_units_in_good_standing_with_a_candidate_are_guaranteed_a_seat(columns):
    weights = demand_weights(columns, DEFAULT_PARAMETERS)
    assert weights["minimum"].tolist() == [1, 0, 0, 0]
    assert weights["maximum"].tolist() == [5, 1, 4, 2]                   # never more than ready demand


def test_every_factor_is_a_parameter(columns):
    changed = merge_parameters(DEFAULT_PARAMETERS, {"candidate_weight": 2, "grade_factors": {"D": 1.0},
                                                    "good_standing_grades": ["A", "B", "C", "D"],
                                                    "minimum_quality": 0.3, "overdue_penalty": 0})
    weights = demand_weights(columns, changed)
    assert np.allclose(weights["quality"], [1.2 * 0.9, 1, 1, 0.8])
    assert np.allclose(weights["weight"], [7 * 1.08, 2, 2, 3.2])
    assert weights["minimum"].tolist() == [1, 1, 0, 1]
