"""What :func:`apportion` returns: the seats and everything that explains them."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Sequence

import numpy as np

from .exact import divmod_scaled
from .explanation import explanation_text
from .inputs import Weights
from .methods import DIVISOR_METHODS, METHOD_LABELS, TIE_RULE


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
        return divmod_scaled(self._exact_weights, self.total_seats, self._exact_total)

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
        return explanation_text(self, labels, max_rows)


def _readonly(a):
    if a is not None:
        a.setflags(write=False)
    return a


def assemble(method, units: Weights, seats: int, lo, hi_user, core) -> Apportionment:
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
