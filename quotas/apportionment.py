"""Quota apportionment engine: share a whole number of seats among units in proportion to weights.

Pure module (NumPy + stdlib, no Django) so that it can be used from services, management
commands and benchmarks alike::

    result = apportion([4_802_982, 721_523, 6_392_017], 10, "webster")
    result.seats            # numpy int64 array, input order
    print(result.explain())  # a planner-readable account of how the seats were decided

Methods
=======
``hamilton`` (largest remainders, Hare quota)
    Standard quota ``q_i = w_i * S / W`` (``W`` = total weight, ``S`` = seats); every unit gets
    ``floor(q_i)``; the seats left over go to the largest fractional remainders.
Divisor (highest-averages) methods
    Find a common divisor ``d`` and give unit ``i`` the *rounded* quotient ``w_i / d``; ``d`` is
    chosen so that the rounded quotients add up to ``S``.  Equivalently, seats are handed out one by
    one to the unit with the highest *priority* ``w_i / D(n_i)`` where ``n_i`` is the number of
    seats the unit already holds:

    ===================  ===============================  ======================
    method               rounding of ``w/d``              ``D(n)``
    ===================  ===============================  ======================
    ``jefferson``        down (D'Hondt)                   ``n + 1``
    ``webster``          to nearest (Sainte-Laguë)        ``n + 1/2``
    ``adams``            up                               ``n``
    ``huntington_hill``  at the geometric mean            ``sqrt(n (n + 1))``
    ===================  ===============================  ======================

    Adams and Huntington–Hill have ``D(0) = 0``: every unit with positive weight gets a first seat
    before anyone gets a second one, so they need at least as many seats as such units.

Aliases accepted by :func:`normalize_method`: ``dhondt``/``d'hondt`` (Jefferson),
``sainte_lague``/``sainte-lague`` (Webster), ``huntington-hill``/``hill``/``equal_proportions``,
``largest_remainder(s)``/``hare`` (Hamilton).

Exactness strategy
==================
Decisions are those of exact rational arithmetic on the weights, including near-ties such as
``10**12 + 1`` vs ``10**12`` or priorities that differ in the 16th significant digit:

* Weights are converted once to exact integers proportional to them (scaling all weights by a
  common factor changes no apportionment): integers are used as they are (int64 arrays are the
  fast path); Fractions, Decimals and floats are scaled by the least common multiple of their
  denominators.  Floats are read through their shortest decimal representation, so ``0.1``
  means 1/10 (vectorised when all floats have few decimals, element by element otherwise).
* Hamilton is computed in exact integer arithmetic throughout: ``floor`` and remainder of
  ``w_i * S`` divided by ``W``, vectorised in int64 -- directly when the products fit, otherwise
  from a float estimate of the quotient corrected by an exact residual computed in wrapping int64
  arithmetic (valid while ``W < 2**62`` and ``S < 2**50``); beyond that on Python ints.
* Divisor methods are computed in float64, vectorised.  A threshold search finds a divisor
  ``t`` such that every seat whose priority is more than a relative ``1e-9`` above ``t`` is
  certainly awarded and every seat more than ``1e-9`` below certainly is not.  Steps start at
  the standard divisor and jump to the k-th largest next-seat (or k-th smallest last-seat)
  priority with a vectorised selection, which is exact in one step when no unit has to move by
  more than one seat; when a unit must move by many seats a secant step on ``1/t`` is used, and
  a bisection of the bracket guards both.  Only the seats inside that narrow band (normally a
  handful; more when many units have *identical* priorities) are ranked exactly: priorities are
  compared as exact fractions of their squares, ``w**2 / D(n)**2`` (for Huntington–Hill
  ``w**2 / (n (n + 1))``), grouped by ``(w, n)`` pairs so that equal pairs are compared once.
  Float rounding error (~1e-15 relative) is far inside the band.
* A final exact check verifies that the lowest awarded priority is not below the highest refused
  one (repairing the allocation seat by seat if it ever were, which the band analysis rules
  out), applies the tie rule, and yields the exact cut-off values reported in the explanation.
* The reported divisor is the roundest decimal strictly between the highest refused and the
  lowest awarded priority (every divisor in that interval gives the same seats; e.g. 33,000 for
  the 1792 House), skipping values on which a bound unit's quotient would be exactly at a rounding
  boundary.  On a true tie it is the tied priority itself.

Performance: one million units with 200,000 (or 2,000,000) seats take about 0.1 s per method on
a small machine; see ``tests/benchmarks/bench_apportionment.py``.

Ties
====
A true tie happens when the last seat(s) must be chosen among units whose priorities (or, for
Hamilton, remainders) are *exactly* equal and there are fewer seats than tied units.  The tie is
reported (:attr:`Apportionment.tie`: the units, the number of seats that went among them, the
winners) and broken by a fixed rule: **the unit with the lower input index wins**.  Callers who
need a different rule (e.g. Portugal's "fewer votes wins") can order their input accordingly, or
inspect :attr:`Apportionment.tie` and decide themselves.

Bounds (``minimum`` / ``maximum``)
==================================
Optional per-unit integer bounds, given as a scalar (same for all) or one value per unit.

* Divisor methods use the *bounded divisor method*: ``seats_i = clamp(round(w_i / d), min_i, max_i)``
  with one common divisor ``d``.  Equivalently every unit starts at its minimum and the remaining
  seats go by priority to units below their maximum.
* Hamilton uses the bounded largest-remainder method: a common scale ``lam`` is found so that the
  *bounded quotas* ``clamp(lam * w_i, min_i, max_i)`` add up to ``S``; units whose bounded quota sits
  on a bound get exactly that bound, and the others are apportioned by Hamilton (floor + largest
  remainders) on the remaining seats, with quota ``lam * w_i``.  This is the fixed point of the
  classic "fix the units that violate a bound and re-run Hamilton on the rest" procedure, computed
  directly so that it cannot oscillate between lower and upper violations.
* A bound is reported as *binding* when it changed the unit's result: the unit would have received
  fewer seats than its minimum (more than its maximum) at the common divisor (Hamilton: its
  unbounded quota at the common scale is below the minimum / above the maximum).
* Zero-weight units receive their minimum (0 by default) and never more; with all weights zero
  no seat can be given (``zero_weights``).

Errors
======
Invalid or infeasible input raises :class:`ApportionmentError` (a ``ValueError``) with a Chinese
message and a stable ``code``: ``unknown_method``, ``invalid_seats``, ``invalid_weight`` (not a
finite number), ``negative_weight``, ``invalid_bound``, ``min_exceeds_max``,
``infeasible_minimum`` (minimums add up to more than the seats), ``infeasible_maximum``
(maximums add up to fewer than the seats), ``zero_weights`` (seats to give but no positive weight),
``too_few_seats`` (Adams / Huntington–Hill with fewer seats than units owed a first seat).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from numbers import Integral, Rational
from typing import Sequence

import numpy as np

__all__ = [
    "ADAMS",
    "DIVISOR_METHODS",
    "HAMILTON",
    "HUNTINGTON_HILL",
    "JEFFERSON",
    "METHODS",
    "METHOD_LABELS",
    "TIE_RULE",
    "WEBSTER",
    "Apportionment",
    "ApportionmentError",
    "Cutoff",
    "Tie",
    "apportion",
    "normalize_method",
]

HAMILTON = "hamilton"
JEFFERSON = "jefferson"
WEBSTER = "webster"
ADAMS = "adams"
HUNTINGTON_HILL = "huntington_hill"
METHODS = (HAMILTON, JEFFERSON, WEBSTER, ADAMS, HUNTINGTON_HILL)
DIVISOR_METHODS = (JEFFERSON, WEBSTER, ADAMS, HUNTINGTON_HILL)

METHOD_LABELS = {
    HAMILTON: "汉密尔顿法（最大余数法）",
    JEFFERSON: "杰斐逊法（D'Hondt 法）",
    WEBSTER: "韦伯斯特法（Sainte-Laguë 法）",
    ADAMS: "亚当斯法",
    HUNTINGTON_HILL: "亨廷顿–希尔法（等比例法）",
}

_ALIASES = {
    "hamilton": HAMILTON,
    "largest_remainder": HAMILTON,
    "largest_remainders": HAMILTON,
    "hare": HAMILTON,
    "hare_niemeyer": HAMILTON,
    "jefferson": JEFFERSON,
    "dhondt": JEFFERSON,
    "d_hondt": JEFFERSON,
    "webster": WEBSTER,
    "sainte_lague": WEBSTER,
    "saintelague": WEBSTER,
    "adams": ADAMS,
    "huntington_hill": HUNTINGTON_HILL,
    "huntingtonhill": HUNTINGTON_HILL,
    "hill": HUNTINGTON_HILL,
    "equal_proportions": HUNTINGTON_HILL,
}

TIE_RULE = "完全并列时，输入顺序靠前（序号较小）的单位优先获得席位"

# Relative half-width of the band around the float cut-off inside which priorities are compared
# exactly.  Float64 priorities are accurate to a few 1e-16 (relative), so 1e-9 leaves a margin of
# six orders of magnitude while keeping the band tiny.
_BAND = 1e-9
_INT64_MAX = np.iinfo(np.int64).max


class ApportionmentError(ValueError):
    """Invalid or infeasible apportionment input; ``code`` is stable, ``message`` is Chinese."""

    def __init__(self, code: str, message: str, **data):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Cutoff:
    """The priority (divisor methods) or remainder (Hamilton) at the edge of the allocation.

    ``units`` are the input indices (ascending) whose seat was decided exactly at this value and
    ``seat_numbers`` the 1-based number of that seat for each of them (the seat they won last, or
    the seat they would have won next).  ``exact`` is the exact value in the weights' units (None
    for Huntington–Hill priorities, which are irrational); ``exact_square`` is always exact and is
    what the comparisons use.
    """

    value: float
    exact: Fraction | None
    exact_square: Fraction
    units: np.ndarray
    seat_numbers: np.ndarray


@dataclass(frozen=True, eq=False)
class Tie:
    """Units with exactly equal priority competing for fewer seats than there are units."""

    value: float
    exact: Fraction | None
    units: np.ndarray  # all tied units, ascending input index
    winners: np.ndarray  # those that received the contested seats
    seats: int  # how many seats went among the tied units
    rule: str = TIE_RULE


@dataclass(frozen=True, eq=False)
class Apportionment:
    """Result of :func:`apportion`.  Arrays are read-only and in input order."""

    method: str
    total_seats: int
    seats: np.ndarray
    weights: np.ndarray  # float64 view of the weights (display only)
    total_weight: Fraction
    standard_divisor: Fraction | None  # total weight / seats (= Hare quota)
    standard_quotas: np.ndarray  # weight * seats / total weight, float64
    divisor: Fraction | float | None
    divisor_range: tuple[float | None, float | None] | None
    last_awarded: Cutoff | None
    first_refused: Cutoff | None
    tie: Tie | None
    minimum: np.ndarray
    maximum: np.ndarray | None
    lower_binding: np.ndarray
    upper_binding: np.ndarray
    bounded_quotas: np.ndarray | None = None  # Hamilton only: clamp(lam * w, min, max)
    _exact_weights: np.ndarray | None = None  # integers proportional to the weights
    _exact_total: int = 0

    # -- convenience views -------------------------------------------------------------------

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def is_divisor_method(self) -> bool:
        return self.method in DIVISOR_METHODS

    @property
    def binding_lower_units(self) -> tuple[int, ...]:
        return tuple(int(i) for i in np.flatnonzero(self.lower_binding))

    @property
    def binding_upper_units(self) -> tuple[int, ...]:
        return tuple(int(i) for i in np.flatnonzero(self.upper_binding))

    @cached_property
    def _quota_parts(self) -> tuple[np.ndarray, np.ndarray]:
        """Exact floor and remainder numerator of ``w_i * S / W`` (integer arithmetic)."""
        if self._exact_total == 0 or self._exact_weights is None:
            zeros = np.zeros(len(self.seats), dtype=np.int64)
            return zeros, zeros
        return _divmod_scaled(self._exact_weights, self.total_seats, self._exact_total)

    @property
    def lower_quotas(self) -> np.ndarray:
        """``floor(standard quota)``, exact."""
        return self._quota_parts[0]

    @property
    def upper_quotas(self) -> np.ndarray:
        """``ceil(standard quota)``, exact."""
        floor, rem = self._quota_parts
        return floor + (np.asarray(rem) != 0).astype(np.int64)

    def standard_quota(self, i: int) -> Fraction:
        """Exact standard quota of unit ``i``."""
        if self._exact_total == 0:
            return Fraction(0)
        return Fraction(int(self._exact_weights[i]) * self.total_seats, self._exact_total)

    def standard_quotas_exact(self) -> list[Fraction]:
        return [self.standard_quota(i) for i in range(len(self.seats))]

    @property
    def quotients(self) -> np.ndarray | None:
        """``weight / divisor`` per unit (divisor methods), the numbers that get rounded."""
        if not self.is_divisor_method or self.divisor is None:
            return None
        return self.weights / float(self.divisor)

    def rows(self, labels: Sequence[str] | None = None, limit: int | None = None) -> list[dict]:
        """One dict per unit (the first ``limit`` units) with everything a planner table needs."""
        lower, upper = self.lower_quotas, self.upper_quotas
        quotients = self.quotients
        out = []
        for i in range(len(self.seats) if limit is None else min(limit, len(self.seats))):
            row = {
                "index": i,
                "label": labels[i] if labels is not None else str(i + 1),
                "weight": float(self.weights[i]),
                "standard_quota": float(self.standard_quotas[i]),
                "lower_quota": int(lower[i]),
                "upper_quota": int(upper[i]),
                "seats": int(self.seats[i]),
                "minimum": int(self.minimum[i]),
                "maximum": None if self.maximum is None else int(self.maximum[i]),
                "lower_binding": bool(self.lower_binding[i]),
                "upper_binding": bool(self.upper_binding[i]),
            }
            if quotients is not None:
                row["quotient"] = float(quotients[i])
            if self.bounded_quotas is not None:
                row["bounded_quota"] = float(self.bounded_quotas[i])
            out.append(row)
        return out

    def explain(self, labels: Sequence[str] | None = None, *, max_rows: int = 200) -> str:
        """A Chinese, planner-readable account: quota/divisor, per-unit quotas, the deciding seats."""
        return _explain(self, labels, max_rows)


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def normalize_method(method: str) -> str:
    """Canonical method name for ``method`` or its aliases; raises ``unknown_method``."""
    if isinstance(method, str):
        key = method.strip().lower().replace("’", "").replace("'", "")
        key = key.replace("-", "_").replace(" ", "_").replace("ë", "e")
        if key in _ALIASES:
            return _ALIASES[key]
    raise ApportionmentError(
        "unknown_method",
        f"未知的分配方法：{method!r}；可选 {', '.join(METHODS)}（或别名 dhondt、sainte-lague、huntington-hill）",
        method=str(method),
    )


def apportion(weights, seats, method, *, minimum=None, maximum=None) -> Apportionment:
    """Apportion ``seats`` among units in proportion to ``weights`` with ``method``.

    ``minimum`` / ``maximum``: optional integer bounds, scalar or one per unit (``None`` = no
    bound).  See the module docstring for methods, exactness, the tie rule and bounds.
    """
    method = normalize_method(method)
    seats = _check_seats(seats)
    units = _Weights.build(weights)
    n = units.n
    lo = _bound_array(minimum, n, "minimum", default=0)
    hi_user = _bound_array(maximum, n, "maximum", default=None)
    _check_bounds(lo, hi_user, seats, units)

    # Effective bounds.  Nobody can hold more than all seats; zero-weight units never get more
    # than their minimum; Adams/HH give every positive unit a first seat (if its maximum allows).
    hi = np.full(n, seats, dtype=np.int64) if hi_user is None else np.minimum(hi_user, seats)
    positive = units.positive
    hi = np.where(positive, hi, lo)
    lo_eff = lo
    if method in (ADAMS, HUNTINGTON_HILL):
        # Only a user maximum of 0 waives the first seat (not the seat total: with too few
        # seats the method is simply not applicable).
        first = np.ones(n, dtype=np.int64) if hi_user is None else np.minimum(1, hi_user)
        lo_eff = np.where(positive, np.maximum(lo, first), lo)
        if int(lo_eff.sum()) > seats:
            raise ApportionmentError(
                "too_few_seats",
                f"{METHOD_LABELS[method]}先给每个权重为正的单位各一席，需要至少 {int(lo_eff.sum())} 席，"
                f"但只有 {seats} 席",
                seats=seats,
                needed=int(lo_eff.sum()),
            )

    if method == HAMILTON:
        core = _hamilton(units, seats, lo, hi, hi_user)
    else:
        core = _divisor_method(method, units, seats, lo_eff, hi, lo, hi_user)
    return _assemble(method, units, seats, lo, hi_user, core)


# --------------------------------------------------------------------------------------------
# Input normalisation and validation
# --------------------------------------------------------------------------------------------


@dataclass
class _Weights:
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
    def build(cls, weights) -> "_Weights":
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
        if arr.dtype.kind == "u" and arr.size and int(arr.max()) > _INT64_MAX:
            arr = arr.astype(object)
        if arr.dtype.kind in "iu":  # the fast path: integer weights in int64
            exact = arr.astype(np.int64)
            if exact.size and int(exact.min()) < 0:
                i = int(np.flatnonzero(exact < 0)[0])
                raise _negative(i, int(exact[i]))
            return cls(exact, exact.astype(np.float64), 1, _exact_sum(exact))
        if arr.dtype.kind == "f":
            fast = cls._from_floats(arr.astype(np.float64))
            if fast is not None:
                return fast
        # Anything else element by element, from the original objects (NumPy may have turned a
        # mix of big ints and floats into lossy float64).
        return cls._build_general(values if values is not None else arr.tolist())

    @classmethod
    def _from_floats(cls, arr: np.ndarray) -> "_Weights | None":
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
                return cls(exact, arr.copy(), 10**k, _exact_sum(exact))
        return None

    @classmethod
    def _build_general(cls, values: list) -> "_Weights":
        fractions = [_to_fraction(i, v) for i, v in enumerate(values)]
        scale = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
        ints = [f.numerator * (scale // f.denominator) for f in fractions]
        try:
            approx = np.array([float(f) for f in fractions], dtype=np.float64)
        except OverflowError:
            raise ApportionmentError("invalid_weight", "权重数值过大，无法处理") from None
        if np.any((approx == 0) & np.array([f > 0 for f in fractions], dtype=bool)):
            raise ApportionmentError("invalid_weight", "权重数值过小（低于浮点数范围），请先统一放大")
        if ints and max(ints) <= _INT64_MAX // max(len(ints), 1):
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


def _exact_sum(exact: np.ndarray) -> int:
    """Exact sum; for int64 vectorised by summing the high and low 32-bit halves separately."""
    if exact.dtype != np.int64:
        return sum(int(x) for x in exact)
    if exact.size == 0:
        return 0
    if int(exact.max()) <= _INT64_MAX // exact.size:
        return int(exact.sum())
    high, low = exact >> 32, exact & 0xFFFFFFFF  # non-negative: both sums fit in int64
    return (int(high.sum()) << 32) + int(low.sum())


def _check_seats(seats) -> int:
    if isinstance(seats, bool) or not isinstance(seats, Integral):
        if isinstance(seats, float) and seats.is_integer():
            seats = int(seats)
        else:
            raise ApportionmentError("invalid_seats", f"席位数必须是非负整数，而不是 {seats!r}")
    seats = int(seats)
    if seats < 0:
        raise ApportionmentError("invalid_seats", f"席位数必须是非负整数，而不是 {seats}")
    return seats


def _bound_array(value, n: int, name: str, default):
    """Bounds as an int64 array (None stays None when there is no default)."""
    label = "下限" if name == "minimum" else "上限"
    if value is None:
        return None if default is None else np.full(n, default, dtype=np.int64)
    if np.ndim(value) == 0:  # one bound for every unit: validate once
        return np.full(n, _bound_value(value, label, None), dtype=np.int64)
    arr = np.asarray(value)
    if arr.ndim != 1 or len(arr) != n:
        raise ApportionmentError("invalid_bound", f"{label}必须是一个整数或每个单位一个整数（共 {n} 个）")
    if arr.dtype.kind in "iu" and (arr.size == 0 or (int(arr.min()) >= 0 and int(arr.max()) <= _INT64_MAX)):
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
    return min(int(v), _INT64_MAX)


def _check_bounds(lo, hi_user, seats: int, units: _Weights) -> None:
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


# --------------------------------------------------------------------------------------------
# Exact helpers
# --------------------------------------------------------------------------------------------


def _divmod_scaled(exact: np.ndarray, seats: int, total: int):
    """``divmod(exact * seats, total)`` elementwise, exactly.

    In int64 when possible: directly if the products fit, otherwise by estimating the quotient
    in float64 (off by at most one while seats < 2**50) and computing the residual
    ``exact * seats - q * total`` in wrapping int64 arithmetic, which is exact because the true
    residual lies in [-total, 2 total) and total < 2**62; one correction step then fixes q.
    Falls back to Python ints otherwise.
    """
    if exact.dtype == np.int64 and total <= _INT64_MAX:
        s64, t64 = np.int64(seats), np.int64(total)
        if exact.size == 0 or int(exact.max()) * max(seats, 1) <= _INT64_MAX:
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


def _d_squared(method: str, k: int) -> Fraction:
    """``D(k)**2`` as an exact fraction (the square of the divisor of the (k+1)-th seat)."""
    if method == JEFFERSON:
        return Fraction((k + 1) ** 2)
    if method == WEBSTER:
        return Fraction((2 * k + 1) ** 2, 4)
    if method == ADAMS:
        return Fraction(k * k)
    return Fraction(k * (k + 1))


def _priority_square(method: str, w: int, k: int) -> Fraction:
    """Exact square of the priority ``w / D(k)`` for the (k+1)-th seat (k >= 1 for Adams/HH)."""
    return Fraction(w * w) / _d_squared(method, k)


def _priority_exact(method: str, w: int, k: int) -> Fraction | None:
    if method == JEFFERSON:
        return Fraction(w, k + 1)
    if method == WEBSTER:
        return Fraction(2 * w, 2 * k + 1)
    if method == ADAMS:
        return Fraction(w, k)
    return None  # Huntington–Hill: irrational in general


def _group_pairs(a: np.ndarray, b: np.ndarray):
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


def _exact_ranks(method: str, w: np.ndarray, k: np.ndarray):
    """Dense exact ranks (higher = higher priority) of the seats ``(w[j], k[j])``.

    Returns ``(ranks, squares)`` where ``squares[r]`` is the exact squared priority of rank ``r``.
    Identical (weight, seat) pairs are evaluated once, so large groups of equal units are cheap.
    """
    pairs, inverse = _group_pairs(w, k)
    keys = [_priority_square(method, wi, ki) for wi, ki in pairs]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    pair_rank = np.empty(len(keys), dtype=np.int64)
    squares: list[Fraction] = []
    for j in order:
        if not squares or keys[j] != squares[-1]:
            squares.append(keys[j])
        pair_rank[j] = len(squares) - 1
    return pair_rank[inverse], squares


# --------------------------------------------------------------------------------------------
# Divisor methods
# --------------------------------------------------------------------------------------------


def _float_d(method: str, k: np.ndarray) -> np.ndarray:
    k = k.astype(np.float64)
    if method == JEFFERSON:
        return k + 1.0
    if method == WEBSTER:
        return k + 0.5
    if method == ADAMS:
        return k
    return np.sqrt(k * (k + 1.0))


def _float_priority(method: str, w: np.ndarray, k: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return w / _float_d(method, k)


def _float_counts(method: str, w: np.ndarray, t: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Seats per unit whose priority exceeds ``t`` (float approximation), clamped to the bounds."""
    x = w / t
    if method == JEFFERSON:  # k + 1 < x
        c = np.ceil(x) - 1.0
    elif method == WEBSTER:  # k + 1/2 < x
        c = np.ceil(x - 0.5)
    elif method == ADAMS:  # k < x
        c = np.ceil(x)
    else:  # k (k + 1) < x**2
        f = np.floor(x)
        c = f + (f * (f + 1.0) < x * x)
    np.clip(c, lo, hi, out=c)
    return c.astype(np.int64)


def _band_search(method, w, lo, hi, seats):
    """Float counts at a threshold ``t`` with count(t (1 + band)) <= seats <= count(t (1 - band)).

    Two kinds of step, both vectorised:

    * *partition*: jump to the k-th largest next-seat priority (too few seats) or the k-th
      smallest last-seat priority (too many) with a selection: exact in one step when each unit
      moves by at most one seat;
    * *model*: treat each unit that can still move as holding about ``w / t`` seats and solve
      for ``1 / t``: good when some units must move by many seats.

    Partition steps are used while they at least halve the error, model steps otherwise, and a
    geometric bisection of the bracket whenever a step would leave it.  The bracket cannot
    shrink below the band, so this terminates.
    """
    active = hi > lo
    t = float(w[active].sum()) / seats
    lo_t, hi_t = 0.0, math.inf
    previous_error = math.inf
    for _ in range(400):
        n_plus = _float_counts(method, w, t * (1 + _BAND), lo, hi)
        c_plus = int(n_plus.sum())
        if c_plus > seats:  # too many seats even above the band: raise the threshold
            lo_t = max(lo_t, t)
            error = c_plus - seats
            cand = n_plus > lo
            if error <= previous_error / 2:
                last = _float_priority(method, w[cand], n_plus[cand] - 1)
                t_new = float(_kth_smallest(last, min(error, len(last)) - 1))
            else:
                inv = 1 / t - error / float(w[cand].sum())
                t_new = 1 / inv if inv > 0 else math.inf
        else:
            n_minus = _float_counts(method, w, t * (1 - _BAND), lo, hi)
            c_minus = int(n_minus.sum())
            if c_minus >= seats:
                return n_plus, n_minus
            hi_t = min(hi_t, t)
            error = seats - c_minus
            cand = n_minus < hi
            if error <= previous_error / 2:
                nxt = _float_priority(method, w[cand], n_minus[cand])
                k = min(error, len(nxt))
                t_new = float(_kth_smallest(nxt, len(nxt) - k))
            else:
                t_new = 1 / (1 / t + error / float(w[cand].sum()))
        previous_error = error
        if not (lo_t < t_new < hi_t) or not math.isfinite(t_new):
            if math.isfinite(hi_t) and lo_t > 0:
                t_new = math.sqrt(lo_t * hi_t)
            elif math.isfinite(hi_t):
                t_new = hi_t / 2
            else:
                t_new = lo_t * 2
        t = t_new
    raise RuntimeError("apportionment divisor search did not converge")  # pragma: no cover


def _resolve_band(method, units: _Weights, n_plus, n_minus, seats):
    """Award the seats inside the band by exact priority (ties: lower index first)."""
    need = seats - int(n_plus.sum())
    extra = n_minus - n_plus
    if need == 0:
        return n_plus
    if need == int(extra.sum()):
        return n_minus
    idx = np.flatnonzero(extra)
    counts = extra[idx]
    band_units = np.repeat(idx, counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    band_k = n_plus[band_units] + (np.arange(len(band_units)) - starts)
    ranks, _ = _exact_ranks(method, units.exact[band_units], band_k)
    order = np.lexsort((band_units, -ranks))
    chosen = band_units[order[:need]]
    return n_plus + np.bincount(chosen, minlength=units.n).astype(np.int64)


def _kth_smallest(values: np.ndarray, k: int):
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


def _merge_disjoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted union of two disjoint index arrays (cheaper than np.union1d on huge tie groups)."""
    return np.sort(np.concatenate((a, b)))


def _near_extreme(values: np.ndarray, take_min: bool) -> np.ndarray:
    """Indices (into ``values``) within the relative band of the min (or max) value."""
    if take_min:
        m = values.min()
        return np.flatnonzero(values <= m * (1 + _BAND))
    m = values.max()
    return np.flatnonzero(values >= m * (1 - _BAND))


def _divisor_cutoffs(method, units: _Weights, alloc, lo, can_grow):
    """Exact lowest awarded and highest refused seat priorities, with the units at each.

    ``can_grow``: units whose next seat counts as refused (positive weight, below the user's
    maximum).  Only the units whose float priority is within the band of the float extreme are
    compared exactly.  Returns ``(awarded, refused)``, each ``(squared priority, units)`` or None;
    squares are in the scaled (integer) weight units.
    """
    won = np.flatnonzero(alloc > lo)  # units holding at least one seat won by priority
    refused = np.flatnonzero(can_grow)
    sides = []
    if len(won):
        last = _float_priority(method, units.approx[won], alloc[won] - 1)
        sel = won[_near_extreme(last, take_min=True)]
        sides.append((sel, alloc[sel] - 1, False))
    if len(refused):
        nxt = _float_priority(method, units.approx[refused], alloc[refused])
        sel = refused[_near_extreme(nxt, take_min=False)]
        sides.append((sel, alloc[sel], True))
    if not sides:
        return None, None
    cu = np.concatenate([s[0] for s in sides])
    ck = np.concatenate([s[1] for s in sides])
    is_refused = np.concatenate([np.full(len(s[0]), s[2]) for s in sides])
    ranks, squares = _exact_ranks(method, units.exact[cu], ck)
    awarded = refused_cut = None
    if (~is_refused).any():
        r = ranks[~is_refused].min()
        awarded = (squares[r], np.sort(cu[~is_refused & (ranks == r)]))
    if is_refused.any():
        r = ranks[is_refused].max()
        refused_cut = (squares[r], np.sort(cu[is_refused & (ranks == r)]))
    return awarded, refused_cut


def _divisor_method(method, units: _Weights, seats: int, lo, hi, lo_user, hi_user):
    free = seats - int(lo.sum())
    if free == 0:
        alloc = lo.copy()
    elif free == int((hi - lo).sum()):
        alloc = hi.copy()
    else:
        n_plus, n_minus = _band_search(method, units.approx, lo, hi, seats)
        alloc = _resolve_band(method, units, n_plus, n_minus, seats)

    # Exact verification (and repair, should the float analysis ever have been wrong) and the
    # tie rule.  Normally this loop runs once.  The internal cap of ``seats`` per unit is not a
    # real bound: a unit holding every seat still has a refused next seat, which limits the
    # divisor.
    grow_limit = np.where(units.positive, _INT64_MAX if hi_user is None else hi_user, lo)
    for _ in range(10_000):
        awarded, refused = _divisor_cutoffs(method, units, alloc, lo, alloc < grow_limit)
        if awarded is None or refused is None or awarded[0] > refused[0]:
            break
        if awarded[0] == refused[0]:  # true tie at the cut: the lower input indices win
            tied = _merge_disjoint(awarded[1], refused[1])
            winners = tied[: len(awarded[1])]
            if np.array_equal(winners, awarded[1]):
                break
            alloc[awarded[1]] -= 1
            alloc[winners] += 1
            continue
        # A refused seat outranks an awarded one: move that seat.
        alloc[awarded[1][-1]] -= 1
        alloc[refused[1][0]] += 1
    else:  # pragma: no cover
        raise RuntimeError("apportionment verification did not converge")

    scale2 = units.scale**2
    last_awarded = _make_cutoff(method, units, alloc, awarded, 0) if awarded else None
    first_refused = _make_cutoff(method, units, alloc, refused, 1) if refused else None
    tie = None
    if awarded and refused and awarded[0] == refused[0]:
        tie = Tie(
            value=last_awarded.value,
            exact=last_awarded.exact,
            units=_merge_disjoint(awarded[1], refused[1]),
            winners=awarded[1],
            seats=len(awarded[1]),
        )

    # A divisor reproducing the allocation: the roundest number strictly between the cut-offs
    # (every divisor in that open interval gives the same seats); on a tie, the tied priority,
    # where the tied units sit exactly on a rounding boundary.
    hi_sq = awarded[0] / scale2 if awarded else None
    lo_sq = refused[0] / scale2 if refused else None
    if tie is not None:
        divisor = tie.exact if tie.exact is not None else tie.value
        lower_binding, upper_binding, _ = _divisor_binding(method, units, alloc, lo_user, hi_user, hi_sq)
    else:
        divisor = None
        lower_binding, upper_binding, _ = _divisor_binding(method, units, alloc, lo_user, hi_user, None)
        for candidate in _round_numbers_between(lo_sq, hi_sq):
            binding = _divisor_binding(method, units, alloc, lo_user, hi_user, candidate * candidate)
            if not binding[2]:  # not on a bound unit's rounding boundary
                divisor, (lower_binding, upper_binding, _) = candidate, binding
                break
    divisor_range = None
    if awarded or refused:
        divisor_range = (
            first_refused.value if first_refused else None,
            last_awarded.value if last_awarded else None,
        )
    return dict(
        seats=alloc,
        divisor=divisor,
        divisor_range=divisor_range,
        last_awarded=last_awarded,
        first_refused=first_refused,
        tie=tie,
        lower_binding=lower_binding,
        upper_binding=upper_binding,
        bounded_quotas=None,
    )


def _make_cutoff(method, units: _Weights, alloc, cut, offset: int) -> Cutoff:
    """``offset`` 0: the members' last awarded seat; 1: their next (refused) seat."""
    square, members = cut
    scale = units.scale
    k = int(alloc[members[0]]) - 1 + offset
    exact = _priority_exact(method, int(units.exact[members[0]]), k)
    if exact is not None:
        exact = exact / scale
        value = float(exact)
    else:
        value = _sqrt_float(square / scale**2)
    seat_numbers = alloc[members] + offset
    return Cutoff(value, exact, square / scale**2, members, seat_numbers)


def _sqrt_float(x: Fraction) -> float:
    try:
        return math.sqrt(float(x))
    except OverflowError:  # pragma: no cover - astronomically large weights
        return float(math.isqrt(int(x)))


def _floor_log10_sqrt(x_sq: Fraction) -> int:
    """``floor(log10(sqrt(x_sq)))``, possibly off by one for extreme magnitudes (harmless)."""
    v = _sqrt_float(x_sq)
    if v > 0 and math.isfinite(v):
        return math.floor(math.log10(v))
    bits = x_sq.numerator.bit_length() - x_sq.denominator.bit_length()
    return math.floor(bits / 2 * math.log10(2))


def _round_numbers_between(lo_sq: Fraction | None, hi_sq: Fraction | None):
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


def _sign_against(method, units: _Weights, idx: np.ndarray, k: np.ndarray, d_sq: Fraction) -> np.ndarray:
    """Exact sign of ``priority(idx, k) - d`` (positive weights, finite priorities)."""
    d = _sqrt_float(d_sq)
    p = _float_priority(method, units.approx[idx], k)
    sign = np.sign(p - d).astype(np.int64)
    near = np.flatnonzero(np.abs(p - d) <= _BAND * d)
    if len(near):
        pairs, inverse = _group_pairs(units.exact[idx[near]], k[near].astype(np.int64))
        scale2 = units.scale**2
        pair_sign = np.array(
            [(_priority_square(method, int(w), int(kk)) / scale2 > d_sq) - (_priority_square(method, int(w), int(kk)) / scale2 < d_sq)
             for w, kk in pairs],
            dtype=np.int64,
        )
        sign[near] = pair_sign[inverse]
    return sign


def _divisor_binding(method, units: _Weights, alloc, lo_user, hi_user, d_sq):
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


# --------------------------------------------------------------------------------------------
# Hamilton
# --------------------------------------------------------------------------------------------


def _safe_mul(a: np.ndarray, b) -> np.ndarray:
    """``a * b`` elementwise (``b`` an int or int64 array), in int64 only if it cannot overflow."""
    b_is_array = isinstance(b, np.ndarray)
    b_max = (int(np.abs(b).max()) if len(b) else 0) if b_is_array else abs(int(b))
    if a.dtype == np.int64 and (not b_is_array or b.dtype == np.int64) and b_max <= _INT64_MAX:
        a_max = int(np.abs(a).max()) if len(a) else 0
        if a_max * b_max <= _INT64_MAX:
            return a * (b if b_is_array else np.int64(b))
    return a.astype(object) * (b.astype(object) if b_is_array else int(b))


def _statuses(lam: float, w: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    q = lam * w
    below = q <= lo
    above = (q >= hi) & ~below
    return below, above


def _bounded_scale(units: _Weights, seats: int, lo, hi):
    """Float scale ``lam`` and statuses with sum(clamp(lam w, lo, hi)) == seats.

    ``below``: bounded quota at the minimum (fixed there); ``above``: at the maximum.  Newton steps
    on the piecewise-linear, non-decreasing sum (each step solves the current linear piece
    exactly), guarded by a bracket with bisection.
    """
    w = units.approx
    if units.total == 0:
        return 0.0, np.ones(units.n, bool), np.zeros(units.n, bool)
    tolerance = 1e-9 * max(seats, 1)
    lam = seats / float(w.sum())
    lo_l, hi_l = 0.0, math.inf
    for _ in range(300):
        below, above = _statuses(lam, w, lo, hi)
        free = ~(below | above)
        fixed = int(lo[below].sum()) + int(hi[above].sum())
        w_free = float(w[free].sum())
        g = fixed + lam * w_free
        if abs(g - seats) <= tolerance:
            return lam, below, above
        if g < seats:
            lo_l = lam
        else:
            hi_l = lam
        lam_new = (seats - fixed) / w_free if w_free > 0 else math.nan
        # Accept the Newton step only strictly inside the bracket (a step back onto an evaluated
        # end would cycle around a kink); lam = 0 itself is a legitimate, unevaluated end.
        if not (lo_l < lam_new < hi_l or lam_new == lo_l == 0.0):
            if lo_l > 0 and math.isfinite(hi_l):
                lam_new = math.sqrt(lo_l * hi_l)
            else:
                lam_new = hi_l / 2 if math.isfinite(hi_l) else max(lo_l, 1e-300) * 2
        lam = lam_new
    raise RuntimeError("bounded Hamilton scale search did not converge")  # pragma: no cover


def _exact_statuses(units: _Weights, seats: int, lo, hi, lam_f, below, above):
    """Re-decide exactly the statuses of units whose float bounded quota is within the band."""
    for _ in range(1000):
        free = ~(below | above)
        seats_free = seats - int(lo[below].sum()) - int(hi[above].sum())
        total_free = _exact_sum(units.exact[free])
        if total_free == 0:
            break
        # Zero weights sit at their minimum and a positive quota is never <= a zero bound, so
        # only positive bounds of positive units can be in doubt.
        q = lam_f * units.approx
        near = np.flatnonzero(units.positive & (
            ((lo > 0) & (np.abs(q - lo) <= _BAND * lo)) | ((hi > 0) & (np.abs(q - hi) <= _BAND * hi))
        ))
        if not len(near):
            break
        num = _safe_mul(units.exact[near], seats_free)  # exact quota = num / total_free
        b = np.asarray(num <= _safe_mul(lo[near], total_free), dtype=bool)
        a = ~b & np.asarray(num >= _safe_mul(hi[near], total_free), dtype=bool)
        if np.array_equal(b, below[near]) and np.array_equal(a, above[near]):
            break
        below[near], above[near] = b, a
        free = ~(below | above)
        if free.any():
            seats_free = seats - int(lo[below].sum()) - int(hi[above].sum())
            lam_f = seats_free / float(units.approx[free].sum())
    return below, above


def _hamilton(units: _Weights, seats: int, lo, hi, hi_user):
    lam_f, below, above = _bounded_scale(units, seats, lo, hi)
    below, above = _exact_statuses(units, seats, lo, hi, lam_f, below, above)
    free_idx = np.flatnonzero(~(below | above))
    seats_free = seats - int(lo[below].sum()) - int(hi[above].sum())

    alloc = np.where(below, lo, hi).astype(np.int64)
    bounded_quotas = np.where(below, lo, hi).astype(np.float64)
    last_awarded = first_refused = tie = divisor = None
    if len(free_idx):
        total_free = _exact_sum(units.exact[free_idx])
        floor, rem = _divmod_scaled(units.exact[free_idx], seats_free, total_free)
        floor = np.asarray(floor, dtype=np.int64)  # floors are at most the seats
        alloc[free_idx] = floor
        winners = _largest_remainders(rem, seats_free - int(floor.sum()))
        alloc[free_idx[winners]] += 1
        last_awarded, first_refused, tie = _hamilton_cutoffs(free_idx, rem, winners, total_free, alloc)
        divisor = Fraction(total_free, units.scale * seats_free)  # effective Hare quota
        bounded_quotas[free_idx] = units.approx[free_idx] * (seats_free / float(units.approx[free_idx].sum()))
        lam = (seats_free, total_free)  # exact common scale, as numerator/denominator
    else:
        lam = _largest_flat_scale(units, below, lo)
    lower_binding, upper_binding = _hamilton_binding(units, alloc, lo, hi, hi_user, below, above, lam)
    return dict(
        seats=alloc,
        divisor=divisor,
        divisor_range=None,
        last_awarded=last_awarded,
        first_refused=first_refused,
        tie=tie,
        lower_binding=lower_binding,
        upper_binding=upper_binding,
        bounded_quotas=bounded_quotas,
    )


def _largest_flat_scale(units: _Weights, below, lo):
    """Every unit sits on a bound: the largest common scale keeping it so, min(lo_i / w_i).

    Returned as ``(numerator, denominator)`` of ``lam`` in scaled weight units, or None (infinite).
    """
    cand = np.flatnonzero(below & units.positive)
    if not len(cand):
        return None
    ratio = lo[cand] / units.approx[cand]
    near = cand[ratio <= ratio.min() * (1 + _BAND)]
    best = min(Fraction(int(lo[i]), int(units.exact[i])) for i in near)
    return best.numerator, best.denominator


def _hamilton_binding(units: _Weights, alloc, lo, hi, hi_user, below, above, lam):
    """A bound binds when the unit's unbounded quota at the common scale lies strictly beyond it."""
    n = units.n
    lower = np.zeros(n, dtype=bool)
    upper = np.zeros(n, dtype=bool)
    cand = np.flatnonzero(below & (lo > 0))
    if len(cand):
        if lam is None:
            lower[cand] = ~units.positive[cand]
        else:
            q_num = _safe_mul(units.exact[cand], lam[0])
            lower[cand] = np.asarray(q_num < _safe_mul(lo[cand], lam[1]), dtype=bool)
    if hi_user is not None:
        cand = np.flatnonzero(above & (alloc == hi_user) & units.positive)
        if len(cand):
            if lam is None:
                upper[cand] = True
            else:
                q_num = _safe_mul(units.exact[cand], lam[0])
                upper[cand] = np.asarray(q_num > _safe_mul(hi[cand], lam[1]), dtype=bool)
    return lower, upper


def _largest_remainders(rem, k: int) -> np.ndarray:
    """Mask of the ``k`` largest remainders (exact integers); equal remainders: lower index first."""
    m = len(rem)
    mask = np.zeros(m, dtype=bool)
    if k <= 0:
        return mask
    if rem.dtype == object:
        cut = sorted(rem.tolist(), reverse=True)[k - 1]
    else:
        cut = _kth_smallest(rem, m - k)
    above = np.asarray(rem > cut, dtype=bool)
    mask |= above
    at = np.flatnonzero(np.asarray(rem == cut, dtype=bool))
    mask[at[: k - int(above.sum())]] = True
    return mask


def _hamilton_cutoffs(free_idx, rem, winners, total_free, alloc):
    def cut(mask, take_min, offset):
        if not mask.any():
            return None
        vals = rem[mask]
        v = int(vals.min() if take_min else vals.max())
        members = free_idx[np.flatnonzero(mask & np.asarray(rem == v, dtype=bool))]
        exact = Fraction(v, total_free)
        return Cutoff(float(exact), exact, exact * exact, members, alloc[members] + offset)

    last_awarded = cut(winners, True, 0)
    first_refused = cut(~winners, False, 1)
    tie = None
    if last_awarded and first_refused and last_awarded.exact == first_refused.exact:
        tie = Tie(
            value=last_awarded.value,
            exact=last_awarded.exact,
            units=_merge_disjoint(last_awarded.units, first_refused.units),
            winners=last_awarded.units,
            seats=len(last_awarded.units),
        )
    return last_awarded, first_refused, tie


# --------------------------------------------------------------------------------------------
# Assembly and presentation
# --------------------------------------------------------------------------------------------


def _readonly(a):
    if a is not None:
        a.setflags(write=False)
    return a


def _assemble(method, units: _Weights, seats: int, lo, hi_user, core) -> Apportionment:
    total = Fraction(units.total, units.scale)
    if seats > 0 and units.total > 0:
        standard_quotas = units.approx * (seats / float(units.approx.sum()))
        standard_divisor = total / seats
    else:
        standard_quotas = np.zeros(units.n)
        standard_divisor = None
    for cut in (core["last_awarded"], core["first_refused"]):
        if cut is not None:
            _readonly(cut.units), _readonly(cut.seat_numbers)
    if core["tie"] is not None:
        _readonly(core["tie"].units), _readonly(core["tie"].winners)
    return Apportionment(
        method=method,
        total_seats=seats,
        seats=_readonly(np.asarray(core["seats"], dtype=np.int64)),
        weights=_readonly(units.approx),
        total_weight=total,
        standard_divisor=standard_divisor,
        standard_quotas=_readonly(standard_quotas),
        divisor=core["divisor"],
        divisor_range=core["divisor_range"],
        last_awarded=core["last_awarded"],
        first_refused=core["first_refused"],
        tie=core["tie"],
        minimum=_readonly(lo),
        maximum=_readonly(hi_user),
        lower_binding=_readonly(core["lower_binding"]),
        upper_binding=_readonly(core["upper_binding"]),
        bounded_quotas=_readonly(core["bounded_quotas"]),
        _exact_weights=_readonly(units.exact),
        _exact_total=units.total,
    )


def _fmt(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, Fraction) and x.denominator == 1:
        return f"{x.numerator:,}"
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}" if abs(x) >= 1e6 else f"{x:,.4f}".rstrip("0").rstrip(".")


def _names(cut: Cutoff | None, labels, limit: int = 10) -> str:
    if cut is None:
        return "—"
    parts = [f"{_label(labels, int(u))}（第 {int(s)} 席）" for u, s in zip(cut.units[:limit], cut.seat_numbers[:limit])]
    more = f" 等 {len(cut.units)} 个单位" if len(cut.units) > limit else ""
    return "、".join(parts) + more


def _label(labels, i: int) -> str:
    return str(labels[i]) if labels is not None else f"#{i + 1}"


def _explain(r: Apportionment, labels, max_rows: int) -> str:
    lines = [
        f"方法：{r.method_label}；总席位 {r.total_seats}；单位数 {len(r.seats)}；总权重 {_fmt(r.total_weight)}",
        f"标准除数（总权重 ÷ 总席位，即黑尔份额）：{_fmt(r.standard_divisor)}",
    ]
    if r.method == HAMILTON:
        if r.divisor is not None and r.divisor != r.standard_divisor:
            lines.append(f"受上下限约束后，自由单位的有效份额：{_fmt(r.divisor)}")
        lines.append("每个单位先得标准份额的整数部分，剩余席位按小数部分（余数）从大到小分配。")
        if r.last_awarded is None:
            lines.append("整数部分已分完全部席位，没有按余数分配的席位。")
        else:
            lines.append(f"获得余数席位的最小余数：{_fmt(r.last_awarded.value)}，单位：{_names(r.last_awarded, labels)}")
            if r.first_refused is not None:
                lines.append(f"未获余数席位的最大余数：{_fmt(r.first_refused.value)}，"
                             f"单位：{_names(r.first_refused, labels)}")
    else:
        lines.append(f"采用除数：{_fmt(r.divisor)}（各单位权重 ÷ 除数后按本方法取整）")
        if r.divisor_range is not None and r.tie is None:
            lo, hi = r.divisor_range
            lines.append(f"除数在 ({_fmt(lo)}, {_fmt(hi)}) 之间均得到相同结果。")
        lines.append(f"最后获得的席位（优先值最低）：{_fmt(r.last_awarded.value if r.last_awarded else None)}，"
                     f"单位：{_names(r.last_awarded, labels)}")
        lines.append(f"未获得的最高优先值：{_fmt(r.first_refused.value if r.first_refused else None)}，"
                     f"单位：{_names(r.first_refused, labels)}")
    if r.tie is not None:
        tied = "、".join(_label(labels, int(i)) for i in r.tie.units[:20])
        more = f" 等 {len(r.tie.units)} 个" if len(r.tie.units) > 20 else ""
        lines.append(
            f"注意：最后 {r.tie.seats} 席在完全相同的数值 {_fmt(r.tie.value)} 上并列（{tied}{more}），"
            f"按规则处理：{r.tie.rule}。"
        )
    if r.lower_binding.any():
        lines.append("下限约束生效：" + "、".join(_label(labels, i) for i in r.binding_lower_units[:50]))
    if r.upper_binding.any():
        lines.append("上限约束生效：" + "、".join(_label(labels, i) for i in r.binding_upper_units[:50]))
    bounded = r.bounded_quotas is not None and bool(r.lower_binding.any() or r.upper_binding.any())
    header = ["单位", "权重", "标准份额", "下份额", "上份额"]
    if r.is_divisor_method:
        header.append("商（权重÷除数）")
    if bounded:
        header.append("约束后份额")
    header.append("席位")
    lines.append("\t".join(header))
    for row in r.rows(labels, limit=max_rows):
        cells = [row["label"], _fmt(row["weight"]), _fmt(row["standard_quota"]), str(row["lower_quota"]),
                 str(row["upper_quota"])]
        if r.is_divisor_method:
            cells.append(_fmt(row.get("quotient")))
        if bounded:
            cells.append(_fmt(row["bounded_quota"]))
        cells.append(str(row["seats"]))
        lines.append("\t".join(cells))
    if len(r.seats) > max_rows:
        lines.append(f"……（其余 {len(r.seats) - max_rows} 个单位未列出）")
    return "\n".join(lines)
