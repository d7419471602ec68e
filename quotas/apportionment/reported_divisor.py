"""The divisor reported for a divisor-method result, and the bounds that bind at it.

Every divisor strictly between the highest refused and the lowest awarded priority gives the
same seats; the one reported is the roundest decimal in that interval (e.g. 33,000 for the
1792 House), skipping values on which a bound unit's quotient would be exactly at a rounding
boundary.  On a true tie it is the tied priority itself.  Everything works on squares so that
Huntington–Hill's irrational priorities are handled exactly.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .exact import BAND, group_pairs, sqrt_float
from .inputs import Weights
from .methods import ADAMS, HUNTINGTON_HILL
from .priorities import float_priority, priority_square


def _floor_log10_sqrt(x_sq: Fraction) -> int:
    """``floor(log10(sqrt(x_sq)))``, possibly off by one for extreme magnitudes (harmless)."""
    v = sqrt_float(x_sq)
    if v > 0 and math.isfinite(v):
        return math.floor(math.log10(v))
    bits = x_sq.numerator.bit_length() - x_sq.denominator.bit_length()
    return math.floor(bits / 2 * math.log10(2))


def round_numbers_between(lo_sq: Fraction | None, hi_sq: Fraction | None):
    """Decimals strictly between sqrt(lo_sq) and sqrt(hi_sq) (None = open end), roundest first.

    Works on squares so that Huntington–Hill's irrational priorities are handled exactly.
    """
    if hi_sq is None and lo_sq is None:
        return
    if hi_sq is None:  # above the highest refused priority: the next round numbers up
        for e in range(_floor_log10_sqrt(lo_sq), _floor_log10_sqrt(lo_sq) - 60, -1):
            u = Fraction(10) ** e
            m = math.isqrt(math.floor(lo_sq / (u * u)))  # floor(sqrt(lo) / u)
            for step in range(1, 10):
                yield (m + step) * u
        return
    lo_sq = lo_sq if lo_sq is not None else Fraction(0)
    top = _floor_log10_sqrt(hi_sq)
    for digits in range(1, 80):
        u = Fraction(10) ** (top - digits + 1)
        c = math.isqrt(math.floor(hi_sq / (u * u))) * u  # floor(sqrt(hi) / u) * u, exactly
        if c * c >= hi_sq:
            c -= u
        for _ in range(10):
            if c <= 0 or c * c <= lo_sq:
                break
            yield c
            c -= u


def _sign_against(method, units: Weights, idx: np.ndarray, k: np.ndarray, d_sq: Fraction) -> np.ndarray:
    """Exact sign of ``priority(idx, k) - d`` (positive weights, finite priorities)."""
    d = sqrt_float(d_sq)
    p = float_priority(method, units.approx[idx], k)
    sign = np.sign(p - d).astype(np.int64)
    near = np.flatnonzero(np.abs(p - d) <= BAND * d)
    if len(near):
        pairs, inverse = group_pairs(units.exact[idx[near]], k[near].astype(np.int64))
        scale2 = units.scale**2
        pair_sign = np.array(
            [(priority_square(method, int(w), int(kk)) / scale2 > d_sq) - (priority_square(method, int(w), int(kk)) / scale2 < d_sq)
             for w, kk in pairs],
            dtype=np.int64,
        )
        sign[near] = pair_sign[inverse]
    return sign


def divisor_binding(method, units: Weights, alloc, lo_user, hi_user, d_sq):
    """Bounds that changed the result at the divisor ``d`` (``d_sq`` its square; None = infinite).

    Also returns whether ``d`` sits exactly on the rounding boundary of a bound unit (its raw
    rounding would then be ambiguous), so that the caller can pick another divisor.
    """
    collision = False
    n = units.n
    lower = np.zeros(n, dtype=bool)
    upper = np.zeros(n, dtype=bool)
    positive = units.positive
    first_seat_free = method in (ADAMS, HUNTINGTON_HILL)  # D(0) = 0: infinite priority
    # A minimum binds when the last seat it forced (seat number ``min``) has priority below d.
    cand = np.flatnonzero((alloc == lo_user) & (lo_user > 0))
    if len(cand):
        k = lo_user[cand] - 1
        finite = positive[cand] & ~(first_seat_free & (k == 0))
        lower[cand[~positive[cand]]] = True
        check = cand[finite]
        if d_sq is None:
            lower[check] = True
        elif len(check):
            sign = _sign_against(method, units, check, k[finite], d_sq)
            lower[check] = sign < 0
            collision |= bool((sign == 0).any())
    # A maximum binds when the next seat (number ``max + 1``) has priority above d.
    if hi_user is not None and d_sq is not None:
        cand = np.flatnonzero((alloc == hi_user) & positive)
        if len(cand):
            k = hi_user[cand]
            infinite = first_seat_free & (k == 0)
            upper[cand[infinite]] = True
            check = cand[~infinite]
            if len(check):
                sign = _sign_against(method, units, check, k[~infinite], d_sq)
                upper[check] = sign > 0
                collision |= bool((sign == 0).any())
    return lower, upper, collision
