"""Tests of the pure apportionment engine (no database).

The core check is agreement with ``reference_apportion`` below: a slow, deliberately naive
implementation in exact ``Fraction`` arithmetic that hands out seats one at a time by priority
(divisor methods) or computes floors and remainders exactly (Hamilton).
"""
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from quotas.apportionment import (
    ADAMS, DIVISOR_METHODS, HAMILTON, HUNTINGTON_HILL, JEFFERSON, METHODS, WEBSTER, ApportionmentError,
    apportion, normalize_method,
)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------------------------
# Reference implementation: exact, seat by seat, obviously correct (and slow).
# ----------------------------------------------------------------------------------------------

class ReferenceInfeasible(Exception):
    pass


def _exact(x):
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)


def _priority_squared(method, w, n):
    """Square of w / D(n) for a unit holding n seats; None means infinite (D(n) == 0)."""
    d_squared = {
        JEFFERSON: Fraction((n + 1) ** 2),
        WEBSTER: Fraction(2 * n + 1, 2) ** 2,
        ADAMS: Fraction(n * n),
        HUNTINGTON_HILL: Fraction(n * (n + 1)),
    }[method]
    return None if d_squared == 0 else w * w / d_squared


def reference_divisor(weights, seats, method, lo, hi):
    alloc = list(lo)
    for _ in range(seats - sum(lo)):
        best, best_p = None, None
        for i, w in enumerate(weights):
            if w == 0 or alloc[i] >= hi[i]:
                continue
            p = _priority_squared(method, w, alloc[i])
            if best is None or (best_p is not None and (p is None or p > best_p)):  # ties: lower index
                best, best_p = i, p
        if best is None:
            raise ReferenceInfeasible
        alloc[best] += 1
    return alloc


def reference_hamilton(weights, seats, lo, hi):
    """Bounded largest remainders: scale lam with sum(clamp(lam*w, lo, hi)) == seats, then Hamilton."""
    n = len(weights)

    def g(lam):
        return sum(min(max(lam * w, lo[i]), hi[i]) for i, w in enumerate(weights))

    points = sorted({Fraction(0)} | {Fraction(b) / w for i, w in enumerate(weights) if w for b in (lo[i], hi[i])})
    lam = None
    for a, b in zip(points, points[1:]):
        ga, gb = g(a), g(b)
        if ga <= seats <= gb and gb > ga:
            lam = a + (seats - ga) * (b - a) / (gb - ga)
            break
    if lam is None:  # g is flat at `seats`: every unit is on a bound
        lam = max((p for p in points if g(p) == seats), default=Fraction(0))
    quota = [lam * w for w in weights]
    free = [i for i in range(n) if lo[i] < quota[i] < hi[i]]
    alloc = [lo[i] if quota[i] <= lo[i] else hi[i] for i in range(n)]
    for i in free:
        alloc[i] = int(quota[i])  # floor (positive)
    left = seats - sum(alloc)
    order = sorted(free, key=lambda i: (-(quota[i] - int(quota[i])), i))
    for i in order[:left]:
        alloc[i] += 1
    return alloc


def reference_apportion(weights, seats, method, minimum=None, maximum=None):
    weights = [_exact(w) for w in weights]
    n = len(weights)
    lo = [minimum] * n if isinstance(minimum, int) else list(minimum or [0] * n)
    hi = [maximum] * n if isinstance(maximum, int) else list(maximum or [seats] * n)
    hi = [min(h, seats) for h in hi]
    if method == HAMILTON:
        return reference_hamilton(weights, seats, lo, hi)
    return reference_divisor(weights, seats, method, lo, hi)


# ----------------------------------------------------------------------------------------------
# Strategies
# ----------------------------------------------------------------------------------------------

methods = st.sampled_from(METHODS)
small_weights = st.lists(st.integers(0, 60), min_size=1, max_size=8)


@st.composite
def near_tie_weights(draw):
    """Huge weights that are almost (or exactly) in simple ratios: priorities agree to ~16 digits."""
    base = draw(st.sampled_from([10**12, 10**15, 2**53 - 1, 2**53 + 1, 10**17, 10**18]))
    n = draw(st.integers(1, 7))
    return [base * draw(st.integers(1, 6)) + draw(st.integers(-3, 3)) for _ in range(n)]


any_weights = st.one_of(small_weights, near_tie_weights())


@st.composite
def bounded_problem(draw):
    weights = draw(any_weights)
    n = len(weights)
    lo = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    hi = [lo[i] + draw(st.integers(0, 6)) for i in range(n)]
    return weights, lo, hi


def _run_or_none(weights, seats, method, **bounds):
    try:
        return apportion(weights, seats, method, **bounds)
    except ApportionmentError as exc:
        assert exc.code in {"infeasible_minimum", "infeasible_maximum", "too_few_seats", "zero_weights"}
        return None


# ----------------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------------

@PROPERTY
@given(any_weights, st.integers(0, 40), methods)
def test_matches_exact_reference(weights, seats, method):
    positive = sum(1 for w in weights if w)
    if seats > 0 and positive == 0:
        assert _code(weights=weights, seats=seats, method=method) == "zero_weights"
    elif method in (ADAMS, HUNTINGTON_HILL) and positive > seats:
        assert _code(weights=weights, seats=seats, method=method) == "too_few_seats"
    else:
        result = apportion(weights, seats, method)
        assert result.seats.tolist() == reference_apportion(weights, seats, method)


@PROPERTY
@given(bounded_problem(), st.integers(0, 40), methods)
def test_matches_exact_reference_with_bounds(problem, seats, method):
    weights, lo, hi = problem
    result = _run_or_none(weights, seats, method, minimum=lo, maximum=hi)
    assume(result is not None)
    assert result.seats.tolist() == reference_apportion(weights, seats, method, lo, hi)


@PROPERTY
@given(any_weights, st.integers(0, 40), methods)
def test_seats_add_up(weights, seats, method):
    result = _run_or_none(weights, seats, method)
    assume(result is not None)
    assert int(result.seats.sum()) == seats
    assert result.seats.dtype == np.int64
    assert (result.seats >= 0).all()
    assert all(result.seats[i] == 0 for i, w in enumerate(weights) if w == 0)


@PROPERTY
@given(bounded_problem(), st.integers(0, 40), methods)
def test_bounds_respected(problem, seats, method):
    weights, lo, hi = problem
    result = _run_or_none(weights, seats, method, minimum=lo, maximum=hi)
    assume(result is not None)
    assert int(result.seats.sum()) == seats
    assert (result.seats >= np.array(lo)).all() and (result.seats <= np.array(hi)).all()
    # A bound reported binding is one the unit actually sits on.
    assert all(result.seats[i] == lo[i] for i in result.binding_lower_units)
    assert all(result.seats[i] == hi[i] for i in result.binding_upper_units)


def _quota_bounds(weights, seats):
    total = sum(weights)
    quotas = [Fraction(w * seats, total) for w in weights]
    return [q.__floor__() for q in quotas], [q.__ceil__() for q in quotas]


@PROPERTY
@given(any_weights, st.integers(0, 40))
def test_hamilton_satisfies_quota(weights, seats):
    assume(sum(weights) > 0)
    result = apportion(weights, seats, HAMILTON)
    lower, upper = _quota_bounds(weights, seats)
    assert all(lower[i] <= s <= upper[i] for i, s in enumerate(result.seats.tolist()))
    assert result.lower_quotas.tolist() == lower and result.upper_quotas.tolist() == upper


@PROPERTY
@given(any_weights, st.integers(0, 40))
def test_jefferson_satisfies_lower_quota(weights, seats):
    assume(sum(weights) > 0)
    lower, _ = _quota_bounds(weights, seats)
    seats_given = apportion(weights, seats, JEFFERSON).seats.tolist()
    assert all(s >= lower[i] for i, s in enumerate(seats_given))


@PROPERTY
@given(any_weights, st.integers(0, 40))
def test_adams_satisfies_upper_quota(weights, seats):
    result = _run_or_none(weights, seats, ADAMS)
    assume(result is not None and sum(weights) > 0)
    _, upper = _quota_bounds(weights, seats)
    assert all(s <= upper[i] for i, s in enumerate(result.seats.tolist()))


@PROPERTY
@given(any_weights, st.integers(0, 40), st.sampled_from(DIVISOR_METHODS), st.booleans())
def test_divisor_methods_are_house_monotone(weights, seats, method, bounded):
    bounds = dict(minimum=1, maximum=8) if bounded else {}
    before = _run_or_none(weights, seats, method, **bounds)
    after = _run_or_none(weights, seats + 1, method, **bounds)
    assume(before is not None and after is not None)
    assert (after.seats >= before.seats).all()
    assert int((after.seats - before.seats).sum()) == 1


@PROPERTY
@given(any_weights, st.integers(1, 40), methods)
def test_tie_report_is_consistent(weights, seats, method):
    result = _run_or_none(weights, seats, method)
    assume(result is not None)
    tie = result.tie
    if tie is None:
        if result.last_awarded and result.first_refused:
            assert result.last_awarded.exact_square > result.first_refused.exact_square
        return
    assert 0 < tie.seats < len(tie.units)
    # Lower input index wins: the winners are the first `seats` tied units.
    assert tie.winners.tolist() == tie.units[: tie.seats].tolist()
    assert result.last_awarded.exact_square == result.first_refused.exact_square


@PROPERTY
@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=8), st.integers(0, 40), methods)
def test_fraction_decimal_and_float_weights_scale_exactly(weights, seats, method):
    """Scaling all weights by 1/1000 (as Fractions, Decimals or floats) changes nothing."""
    expected = _run_or_none(weights, seats, method)
    assume(expected is not None)
    as_fractions = [Fraction(w, 1000) for w in weights]
    as_decimals = [Decimal(w) / 1000 for w in weights]
    as_floats = [float(Decimal(w) / 1000) for w in weights]  # shortest repr is the decimal value
    for variant in (as_fractions, as_decimals, as_floats):
        assert apportion(variant, seats, method).seats.tolist() == expected.seats.tolist()


@PROPERTY
@given(st.lists(st.integers(0, 200), min_size=1, max_size=8), st.integers(1, 40), st.sampled_from(DIVISOR_METHODS),
       st.booleans())
def test_reported_divisor_reproduces_seats(weights, seats, method, bounded):
    """seats == clamp(round(w / d), min, max) with the one reported divisor d (no tie)."""
    lo, hi = ([i % 3 for i in range(len(weights))], [i % 3 + 4 for i in range(len(weights))]) if bounded else (None, None)
    result = _run_or_none(weights, seats, method, minimum=lo, maximum=hi)
    assume(result is not None and result.tie is None and result.divisor is not None)
    d = Fraction(result.divisor)
    rounded = [_round(method, Fraction(w) / d) for w in weights]
    if bounded:
        rounded = [min(max(r, lo[i]), hi[i]) for i, r in enumerate(rounded)]
    assert rounded == result.seats.tolist()
    low, high = result.divisor_range
    assert (low is None or low < float(d)) and (high is None or float(d) < high)
    # Binding bounds are exactly those the clamp changed.
    if bounded:
        raw = [_round(method, Fraction(w) / d) for w in weights]
        assert result.binding_lower_units == tuple(i for i, r in enumerate(raw) if r < lo[i])
        assert result.binding_upper_units == tuple(i for i, r in enumerate(raw) if r > hi[i])


def _round(method, x):
    if x == 0:
        return 0
    f = x.__floor__()
    if method == JEFFERSON:
        return f
    if method == ADAMS:
        return x.__ceil__()
    if method == WEBSTER:
        return f + (x - f > Fraction(1, 2))
    return f + (x * x > f * (f + 1))  # Huntington–Hill: geometric mean of f and f + 1


# ----------------------------------------------------------------------------------------------
# Near ties that float64 alone gets wrong
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_weights_differing_by_one_part_in_a_trillion(method):
    # Adams/Huntington–Hill give both a first seat, so the contested seat is the third one.
    seats = 3 if method in (ADAMS, HUNTINGTON_HILL) else 1
    for weights in ([10**12, 10**12 + 1], [10**12 + 1, 10**12], [10**15 + 1, 10**15], [2**53 + 2, 2**53]):
        result = apportion(weights, seats, method)
        favoured = weights.index(max(weights))
        assert result.seats[favoured] == result.seats.max() > result.seats[1 - favoured]
        assert result.tie is None
        assert result.seats.tolist() == reference_apportion(weights, seats, method)


def test_priorities_equal_to_sixteen_digits_are_decided_exactly():
    # Jefferson: 3rd seat of A has priority (3e15 + 1) / 3 = 1e15 + 1/3, B's first is 1e15 + 0,
    # C's first is 1e15 + 1: order C > A > B, differences in the 16th significant digit.
    a, b, c = 3 * 10**15 + 1, 10**15, 10**15 + 1
    result = apportion([a, b, c], 4, JEFFERSON)  # A, A, C(1e15+1), A(1e15+1/3)
    assert result.seats.tolist() == [3, 0, 1]
    assert result.last_awarded.units.tolist() == [0]
    assert result.first_refused.units.tolist() == [1]
    assert result.last_awarded.exact == Fraction(a, 3)
    # Huntington–Hill compares squares exactly: w^2/(n(n+1)).  A's 2nd seat: a/sqrt(2);
    # B chosen with b^2 = a^2/2 - 1 (just below): A must win the contested seat.
    a = 2 * 10**15
    b = int((a * a // 2) ** 0.5)
    while b * b * 2 >= a * a:
        b -= 1
    result = apportion([a, b], 3, HUNTINGTON_HILL)
    assert result.seats.tolist() == [2, 1]
    assert result.seats.tolist() == reference_apportion([a, b], 3, HUNTINGTON_HILL)


def test_exact_tie_between_identical_units_is_reported_and_broken_by_index():
    result = apportion([5, 7, 5, 5], 2, WEBSTER)
    assert result.seats.tolist() == [1, 1, 0, 0]
    assert result.tie is not None
    assert result.tie.units.tolist() == [0, 2, 3]
    assert result.tie.winners.tolist() == [0]
    assert result.tie.seats == 1
    assert "并列" in result.explain()


def test_hamilton_tie_on_remainders():
    result = apportion([1, 1, 1], 2, HAMILTON)
    assert result.seats.tolist() == [1, 1, 0]
    assert result.tie.units.tolist() == [0, 1, 2] and result.tie.seats == 2
    assert result.tie.exact == Fraction(2, 3)


def test_large_tie_group_is_cheap_and_correct():
    weights = np.ones(100_000, dtype=np.int64)
    for method in METHODS:
        first_seat_free = method in (ADAMS, HUNTINGTON_HILL)
        seats = 130_000 if first_seat_free else 30_000
        result = apportion(weights, seats, method)
        base = 1 if first_seat_free else 0
        assert (result.seats[:30_000] == base + 1).all() and (result.seats[30_000:] == base).all()
        assert result.tie is not None and len(result.tie.units) == 100_000 and result.tie.seats == 30_000


# ----------------------------------------------------------------------------------------------
# Explanation content
# ----------------------------------------------------------------------------------------------

def test_explanation_of_a_divisor_method():
    result = apportion([100_000, 80_000, 30_000, 20_000], 8, "dhondt")
    assert result.method == JEFFERSON
    assert result.seats.tolist() == [4, 3, 1, 0]
    assert result.standard_divisor == Fraction(230_000, 8)
    assert result.standard_quotas.tolist() == pytest.approx([3.478, 2.783, 1.043, 0.696], abs=1e-3)
    assert result.lower_quotas.tolist() == [3, 2, 1, 0] and result.upper_quotas.tolist() == [4, 3, 2, 1]
    assert result.standard_quota(0) == Fraction(100_000 * 8, 230_000)
    # Last seat: A's 4th at 25,000; first refused: A's 5th and B's 4th at 20,000 and D's 1st at 20,000.
    assert result.last_awarded.exact == 25_000 and result.last_awarded.units.tolist() == [0]
    assert result.first_refused.exact == 20_000
    assert result.first_refused.units.tolist() == [0, 1, 3]
    assert result.first_refused.seat_numbers.tolist() == [5, 4, 1]
    assert 20_000 < result.divisor <= 25_000
    assert result.quotients.tolist() == [w / float(result.divisor) for w in (100_000, 80_000, 30_000, 20_000)]
    text = result.explain(["A", "B", "C", "D"])
    assert "杰斐逊法" in text and "采用除数" in text and "A（第 4 席）" in text


def test_explanation_of_hamilton():
    result = apportion([6100, 5000, 900], 10, "largest_remainder")
    assert result.seats.tolist() == [5, 4, 1]
    assert result.divisor == Fraction(12000, 10)
    assert result.last_awarded.units.tolist() == [2] and result.last_awarded.exact == Fraction(3, 4)
    assert result.first_refused.units.tolist() == [1] and result.first_refused.exact == Fraction(1, 6)
    assert "余数" in result.explain()
    rows = result.rows(["A", "B", "C"])
    assert rows[2] == {**rows[2], "label": "C", "seats": 1, "lower_quota": 0, "upper_quota": 1}


def test_result_is_read_only():
    result = apportion([3, 2], 3, WEBSTER)
    with pytest.raises(ValueError):
        result.seats[0] = 9
    with pytest.raises(AttributeError):
        result.method = "adams"


# ----------------------------------------------------------------------------------------------
# Bounds
# ----------------------------------------------------------------------------------------------

def test_bounded_divisor_method_reports_binding_bounds():
    # Webster, 10 seats, no bounds: [7, 2, 1, 0].  With min 1 and max 5 the big unit is capped
    # and the small one lifted; the common divisor shares the rest.
    weights = [700, 200, 100, 10]
    assert apportion(weights, 10, WEBSTER).seats.tolist() == [7, 2, 1, 0]
    result = apportion(weights, 10, WEBSTER, minimum=1, maximum=5)
    assert result.seats.tolist() == reference_apportion(weights, 10, WEBSTER, 1, 5) == [5, 3, 1, 1]
    assert result.binding_upper_units == (0,)
    assert result.binding_lower_units == (3,)
    assert "上限约束生效" in result.explain() and "下限约束生效" in result.explain()


def test_bounded_hamilton_fixes_bounded_units_and_reruns():
    weights = [700, 200, 100, 10]
    result = apportion(weights, 10, HAMILTON, minimum=[0, 0, 0, 2], maximum=[5, 10, 10, 10])
    # Fix unit 0 at 5 and unit 3 at 2; the remaining 3 seats go 2:1 by Hamilton on [200, 100].
    assert result.seats.tolist() == [5, 2, 1, 2]
    assert result.binding_upper_units == (0,) and result.binding_lower_units == (3,)
    assert result.divisor == Fraction(300, 3)
    assert result.bounded_quotas.tolist() == [5, 2, 1, 2]


def test_minimum_that_would_be_met_anyway_is_not_binding():
    result = apportion([10, 10], 4, HAMILTON, minimum=2)
    assert result.seats.tolist() == [2, 2] and not result.lower_binding.any()
    result = apportion([10, 10], 4, WEBSTER, minimum=2)
    assert result.seats.tolist() == [2, 2] and not result.lower_binding.any()


def test_zero_weight_units_get_their_minimum_only():
    for method in METHODS:
        result = apportion([0, 5, 0, 3], 4, method, minimum=[1, 0, 0, 0])
        assert result.seats[0] == 1 and result.seats[2] == 0
        assert result.binding_lower_units == (0,)


def test_adams_and_hill_first_seat_respects_a_zero_maximum():
    for method in (ADAMS, HUNTINGTON_HILL):
        result = apportion([10, 1, 1], 2, method, maximum=[10, 0, 10])
        assert result.seats.tolist() == [1, 0, 1]
        assert result.binding_upper_units == (1,)


# ----------------------------------------------------------------------------------------------
# Input handling and errors
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("alias,canonical", [
    ("hamilton", HAMILTON), ("Largest-Remainder", HAMILTON), ("jefferson", JEFFERSON), ("dhondt", JEFFERSON),
    ("D'Hondt", JEFFERSON), ("webster", WEBSTER), ("sainte_lague", WEBSTER), ("sainte-lague", WEBSTER),
    ("Sainte-Laguë", WEBSTER), ("adams", ADAMS), ("huntington_hill", HUNTINGTON_HILL),
    ("huntington-hill", HUNTINGTON_HILL), (" Huntington Hill ", HUNTINGTON_HILL),
])
def test_method_aliases(alias, canonical):
    assert normalize_method(alias) == canonical


def test_accepts_numpy_arrays_and_generators():
    expected = apportion([5, 3, 2], 5, WEBSTER).seats.tolist()
    assert apportion(np.array([5, 3, 2], dtype=np.uint16), 5, WEBSTER).seats.tolist() == expected
    assert apportion(np.array([5.0, 3.0, 2.0]), 5, WEBSTER).seats.tolist() == expected
    assert apportion((w for w in [5, 3, 2]), 5, WEBSTER).seats.tolist() == expected
    bounded = apportion([5, 3, 2], 5, WEBSTER, minimum=np.array([0, 0, 2]), maximum=np.int64(3))
    assert bounded.seats.tolist() == reference_apportion([5, 3, 2], 5, WEBSTER, [0, 0, 2], 3) == [2, 1, 2]


def test_mixed_big_ints_and_floats_stay_exact():
    # NumPy would turn this list into lossy float64; the engine must not.
    weights = [2**63 + 2, 0.5, 2**63]
    assert apportion(weights, 1, JEFFERSON).seats.tolist() == [1, 0, 0]
    assert apportion([2**63, 0.5, 2**63 + 2], 1, JEFFERSON).seats.tolist() == [0, 0, 1]
    assert apportion([2**70 + 1, 2**70], 1, WEBSTER).seats.tolist() == [1, 0]


def test_empty_input_and_zero_seats():
    assert apportion([], 0, WEBSTER).seats.tolist() == []
    result = apportion([3, 4], 0, JEFFERSON)
    assert result.seats.tolist() == [0, 0] and result.standard_divisor is None
    assert apportion([0, 0], 0, HAMILTON).seats.tolist() == [0, 0]


def _code(**kwargs):
    with pytest.raises(ApportionmentError) as info:
        apportion(**kwargs)
    assert isinstance(info.value, ValueError)
    assert info.value.message and any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)  # Chinese
    return info.value.code


@pytest.mark.parametrize("kwargs,code", [
    (dict(weights=[1, 2], seats=3, method="plurality"), "unknown_method"),
    (dict(weights=[1, 2], seats=3, method=None), "unknown_method"),
    (dict(weights=[1, 2], seats=-1, method="webster"), "invalid_seats"),
    (dict(weights=[1, 2], seats=2.5, method="webster"), "invalid_seats"),
    (dict(weights=[1, -2], seats=3, method="webster"), "negative_weight"),
    (dict(weights=[1.5, -0.5], seats=3, method="webster"), "negative_weight"),
    (dict(weights=[1, float("nan")], seats=3, method="webster"), "invalid_weight"),
    (dict(weights=[1, float("inf")], seats=3, method="hamilton"), "invalid_weight"),
    (dict(weights=[1, Decimal("NaN")], seats=3, method="hamilton"), "invalid_weight"),
    (dict(weights=[1, "x"], seats=3, method="hamilton"), "invalid_weight"),
    (dict(weights=[1, None], seats=3, method="hamilton"), "invalid_weight"),
    (dict(weights=[1, 2], seats=3, method="webster", minimum=-1), "invalid_bound"),
    (dict(weights=[1, 2], seats=3, method="webster", minimum=[1, 1, 1]), "invalid_bound"),
    (dict(weights=[1, 2], seats=3, method="webster", maximum=1.5), "invalid_bound"),
    (dict(weights=[1, 2], seats=3, method="webster", minimum=[2, 0], maximum=[1, 5]), "min_exceeds_max"),
    (dict(weights=[1, 2], seats=3, method="hamilton", minimum=2), "infeasible_minimum"),
    (dict(weights=[1, 2], seats=5, method="jefferson", maximum=2), "infeasible_maximum"),
    (dict(weights=[0, 2], seats=3, method="webster", maximum=[5, 2]), "infeasible_maximum"),
    (dict(weights=[0, 0], seats=1, method="webster"), "zero_weights"),
    (dict(weights=[], seats=1, method="hamilton"), "zero_weights"),
    (dict(weights=[1, 2, 3], seats=2, method="adams"), "too_few_seats"),
    (dict(weights=[1, 2, 3], seats=2, method="huntington-hill"), "too_few_seats"),
    (dict(weights=[1, 2, 0], seats=2, method="huntington_hill", minimum=[2, 0, 0]), "too_few_seats"),
])
def test_error_codes(kwargs, code):
    assert _code(**kwargs) == code


def test_adams_and_hill_accept_exactly_one_seat_per_positive_unit():
    for method in (ADAMS, HUNTINGTON_HILL):
        assert apportion([1, 2, 0, 3], 3, method).seats.tolist() == [1, 1, 0, 1]
