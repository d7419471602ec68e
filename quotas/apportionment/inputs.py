"""Input normalisation and validation: weights as exact integers, seats, bounds.

Weights are converted once to exact integers proportional to them (scaling all weights by a
common factor changes no apportionment): integers are used as they are (int64 arrays are the
fast path); Fractions, Decimals and floats are scaled by the least common multiple of their
denominators.  Floats are read through their shortest decimal representation, so ``0.1``
means 1/10 (vectorised when all floats have few decimals, element by element otherwise).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from numbers import Integral, Rational

import numpy as np

from .errors import ApportionmentError
from .exact import INT64_MAX, exact_sum


@dataclass
class Weights:
    """Weights as exact integers ``exact`` (int64 or Python ints) = weights * ``scale``, plus floats."""

    exact: np.ndarray
    approx: np.ndarray  # float64, the weights themselves (not scaled)
    scale: int
    total: int  # exact sum of ``exact``

    @property
    def n(self) -> int:
        return len(self.approx)

    @cached_property
    def positive(self) -> np.ndarray:
        return np.asarray(self.exact > 0, dtype=bool)

    @classmethod
    def build(cls, weights) -> "Weights":
        if isinstance(weights, np.ndarray):
            arr, values = weights, None
        else:
            values = list(weights)
            try:
                arr = np.asarray(values) if values else np.zeros(0, dtype=np.int64)
            except (TypeError, ValueError, OverflowError):
                arr = np.asarray(values + [None], dtype=object)[:-1]
        if arr.ndim != 1:
            raise ApportionmentError("invalid_weight", "权重必须是一维数列")
        if arr.dtype.kind == "b":
            arr = arr.astype(np.int64)
        if arr.dtype.kind == "u" and arr.size and int(arr.max()) > INT64_MAX:
            arr = arr.astype(object)
        if arr.dtype.kind in "iu":  # the fast path: integer weights in int64
            exact = arr.astype(np.int64)
            if exact.size and int(exact.min()) < 0:
                i = int(np.flatnonzero(exact < 0)[0])
                raise _negative(i, int(exact[i]))
            return cls(exact, exact.astype(np.float64), 1, exact_sum(exact))
        if arr.dtype.kind == "f":
            fast = cls._from_floats(arr.astype(np.float64))
            if fast is not None:
                return fast
        # Anything else element by element, from the original objects (NumPy may have turned a
        # mix of big ints and floats into lossy float64).
        return cls._build_general(values if values is not None else arr.tolist())

    @classmethod
    def _from_floats(cls, arr: np.ndarray) -> "Weights | None":
        """Vectorised exact path for floats with few decimals: weights * 10**k as int64.

        ``k`` is the smallest number of decimals with ``round(x * 10**k) / 10**k == x`` for every
        weight.  With ``|x * 10**k| < 2**50`` the rounding interval of each float is narrower than
        ``10**-k``, so that k-decimal number is unique and equals the shortest repr of ``x``
        (which is how floats are read).  Returns None when no such k exists (slow path).  Also
        catches integral floats, and ints that NumPy turned into floats, as long as they are
        below 2**50 (so they were exact).
        """
        finite = np.isfinite(arr)
        if not finite.all():
            i = int(np.flatnonzero(~finite)[0])
            raise ApportionmentError("invalid_weight", f"第 {i + 1} 个权重不是有限数值：{arr[i]!r}", index=i)
        if arr.size and float(arr.min()) < 0:
            i = int(np.flatnonzero(arr < 0)[0])
            raise _negative(i, arr[i])
        peak = float(arr.max()) if arr.size else 0.0
        for k in range(0, 16):
            if peak * 10.0**k >= 2.0**50:
                return None
            scaled = np.round(arr * 10.0**k)
            if np.array_equal(scaled / 10.0**k, arr):
                exact = scaled.astype(np.int64)
                return cls(exact, arr.copy(), 10**k, exact_sum(exact))
        return None

    @classmethod
    def _build_general(cls, values: list) -> "Weights":
        fractions = [_to_fraction(i, v) for i, v in enumerate(values)]
        scale = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
        ints = [f.numerator * (scale // f.denominator) for f in fractions]
        try:
            approx = np.array([float(f) for f in fractions], dtype=np.float64)
        except OverflowError:
            raise ApportionmentError("invalid_weight", "权重数值过大，无法处理") from None
        if np.any((approx == 0) & np.array([f > 0 for f in fractions], dtype=bool)):
            raise ApportionmentError("invalid_weight", "权重数值过小（低于浮点数范围），请先统一放大")
        if ints and max(ints) <= INT64_MAX // max(len(ints), 1):
            exact = np.array(ints, dtype=np.int64)
        else:
            exact = np.array(ints + [None], dtype=object)[:-1]  # keep Python ints
        return cls(exact, approx, scale, sum(ints))


def _to_fraction(i: int, v) -> Fraction:
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, Integral):
        f = Fraction(int(v))
    elif isinstance(v, float):
        if not math.isfinite(v):
            raise ApportionmentError("invalid_weight", f"第 {i + 1} 个权重不是有限数值：{v!r}", index=i)
        f = Fraction(repr(float(v)))  # shortest decimal: 0.1 means 1/10
    elif isinstance(v, Decimal):
        if not v.is_finite():
            raise ApportionmentError("invalid_weight", f"第 {i + 1} 个权重不是有限数值：{v}", index=i)
        f = Fraction(v)
    elif isinstance(v, Rational):
        f = Fraction(v.numerator, v.denominator)
    else:
        raise ApportionmentError("invalid_weight", f"第 {i + 1} 个权重不是数值：{v!r}", index=i)
    if f < 0:
        raise _negative(i, v)
    return f


def _negative(i: int, v) -> ApportionmentError:
    return ApportionmentError("negative_weight", f"第 {i + 1} 个权重为负数：{v}", index=i)


def check_seats(seats) -> int:
    if isinstance(seats, bool) or not isinstance(seats, Integral):
        if isinstance(seats, float) and seats.is_integer():
            seats = int(seats)
        else:
            raise ApportionmentError("invalid_seats", f"席位数必须是非负整数，而不是 {seats!r}")
    seats = int(seats)
    if seats < 0:
        raise ApportionmentError("invalid_seats", f"席位数必须是非负整数，而不是 {seats}")
    return seats


def bound_array(value, n: int, name: str, default):
    """Bounds as an int64 array (None stays None when there is no default)."""
    label = "下限" if name == "minimum" else "上限"
    if value is None:
        return None if default is None else np.full(n, default, dtype=np.int64)
    if np.ndim(value) == 0:  # one bound for every unit: validate once
        return np.full(n, _bound_value(value, label, None), dtype=np.int64)
    arr = np.asarray(value)
    if arr.ndim != 1 or len(arr) != n:
        raise ApportionmentError("invalid_bound", f"{label}必须是一个整数或每个单位一个整数（共 {n} 个）")
    if arr.dtype.kind in "iu" and (arr.size == 0 or (int(arr.min()) >= 0 and int(arr.max()) <= INT64_MAX)):
        return arr.astype(np.int64)
    return np.array([_bound_value(v, label, i) for i, v in enumerate(arr.tolist())], dtype=np.int64)


def _bound_value(v, label: str, index: int | None) -> int:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, Integral) or v < 0:
        where = "" if index is None else f"第 {index + 1} 个单位的"
        raise ApportionmentError("invalid_bound", f"{where}{label}必须是非负整数：{v!r}", index=index)
    return min(int(v), INT64_MAX)


def check_bounds(lo, hi_user, seats: int, units: Weights) -> None:
    if hi_user is not None and np.any(lo > hi_user):
        i = int(np.flatnonzero(lo > hi_user)[0])
        raise ApportionmentError(
            "min_exceeds_max",
            f"第 {i + 1} 个单位的下限 {int(lo[i])} 大于上限 {int(hi_user[i])}",
            index=i,
        )
    total_min = int(lo.sum())
    if total_min > seats:
        raise ApportionmentError(
            "infeasible_minimum", f"各单位下限之和 {total_min} 超过总席位 {seats}", minimum=total_min, seats=seats
        )
    if seats > 0 and units.total == 0:
        raise ApportionmentError("zero_weights", f"所有权重均为零（或没有单位），无法分配 {seats} 个席位", seats=seats)
    # What can be given at most: the maximum (or everything) for positive units, the minimum
    # for zero-weight units (they never earn a seat by weight).
    cap = np.where(units.positive, seats if hi_user is None else np.minimum(hi_user, seats), lo)
    capacity = int(cap.sum())
    if capacity < seats:
        raise ApportionmentError(
            "infeasible_maximum",
            f"各单位上限之和（权重为零的单位按其下限计）只有 {capacity}，少于总席位 {seats}",
            capacity=capacity,
            seats=seats,
        )
