"""Exact integer arithmetic on NumPy arrays, and the float tolerance the engine trusts.

The engine decides in float64 where that is certainly right and in exact integers (int64 when
it cannot overflow, Python ints otherwise) where it might not be; these are the shared tools.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

# Relative half-width of the band around the float cut-off inside which priorities are compared
# exactly.  Float64 priorities are accurate to a few 1e-16 (relative), so 1e-9 leaves a margin of
# six orders of magnitude while keeping the band tiny.
BAND = 1e-9
INT64_MAX = np.iinfo(np.int64).max


def exact_sum(exact: np.ndarray) -> int:
    """Exact sum; for int64 vectorised by summing the high and low 32-bit halves separately."""
    if exact.dtype != np.int64:
        return sum(int(x) for x in exact)
    if exact.size == 0:
        return 0
    if int(exact.max()) <= INT64_MAX // exact.size:
        return int(exact.sum())
    high, low = exact >> 32, exact & 0xFFFFFFFF  # non-negative: both sums fit in int64
    return (int(high.sum()) << 32) + int(low.sum())

def divmod_scaled(exact: np.ndarray, seats: int, total: int):
    """``divmod(exact * seats, total)`` elementwise, exactly.

    In int64 when possible: directly if the products fit, otherwise by estimating the quotient
    in float64 (off by at most one while seats < 2**50) and computing the residual
    ``exact * seats - q * total`` in wrapping int64 arithmetic, which is exact because the true
    residual lies in [-total, 2 total) and total < 2**62; one correction step then fixes q.
    Falls back to Python ints otherwise.
    """
    if exact.dtype == np.int64 and total <= INT64_MAX:
        s64, t64 = np.int64(seats), np.int64(total)
        if exact.size == 0 or int(exact.max()) * max(seats, 1) <= INT64_MAX:
            num = exact * s64
            return num // t64, num % t64
        if total < 2**62 and seats < 2**50:
            q = np.floor(exact.astype(np.float64) * (seats / total)).astype(np.int64)
            r = exact * s64 - q * t64  # wraps around on overflow; the true value fits int64
            low = r < 0
            q[low] -= 1
            r[low] += t64
            high = r >= t64
            q[high] += 1
            r[high] -= t64
            return q, r
    num = exact.astype(object) * seats
    return (num // total).astype(object), (num % total).astype(object)

def group_pairs(a: np.ndarray, b: np.ndarray):
    """Distinct ``(a, b)`` pairs: (list of pairs, inverse index per element)."""
    if a.dtype == np.int64 and b.dtype == np.int64:
        order = np.lexsort((b, a))
        sa, sb = a[order], b[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (sa[1:] != sa[:-1]) | (sb[1:] != sb[:-1])
        group = np.cumsum(new) - 1
        inverse = np.empty(len(order), dtype=np.int64)
        inverse[order] = group
        firsts = order[new]
        return list(zip(a[firsts].tolist(), b[firsts].tolist())), inverse
    index: dict = {}
    inverse = np.empty(len(a), dtype=np.int64)
    for j, pair in enumerate(zip((int(x) for x in a), (int(x) for x in b))):
        inverse[j] = index.setdefault(pair, len(index))
    return list(index), inverse


def kth_smallest(values: np.ndarray, k: int):
    """``np.partition(values, k)[k]``, avoiding NumPy's introselect slowdown on arrays dominated
    by a few repeated values (e.g. a million equal weights): those are sorted instead, which is
    fast for them."""
    n = len(values)
    if n > 50_000:
        sample = np.sort(values[:: n // 2000])
        distinct = 1 + int(np.count_nonzero(sample[1:] != sample[:-1]))
        if distinct * 4 < len(sample):
            return np.sort(values)[k]
    return np.partition(values, k)[k]


def merge_disjoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted union of two disjoint index arrays (cheaper than np.union1d on huge tie groups)."""
    return np.sort(np.concatenate((a, b)))


def sqrt_float(x: Fraction) -> float:
    try:
        return math.sqrt(float(x))
    except OverflowError:  # pragma: no cover - astronomically large weights
        return float(math.isqrt(int(x)))


def safe_mul(a: np.ndarray, b) -> np.ndarray:
    """``a * b`` elementwise (``b`` an int or int64 array), in int64 only if it cannot overflow."""
    b_is_array = isinstance(b, np.ndarray)
    b_max = (int(np.abs(b).max()) if len(b) else 0) if b_is_array else abs(int(b))
    if a.dtype == np.int64 and (not b_is_array or b.dtype == np.int64) and b_max <= INT64_MAX:
        a_max = int(np.abs(a).max()) if len(a) else 0
        if a_max * b_max <= INT64_MAX:
            return a * (b if b_is_array else np.int64(b))
    return a.astype(object) * (b.astype(object) if b_is_array else int(b))
