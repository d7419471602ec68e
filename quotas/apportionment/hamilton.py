"""Hamilton (largest remainders) with bounds, in exact integer arithmetic throughout.

``floor`` and remainder of ``w_i * S`` divided by ``W`` are computed vectorised in int64 —
directly when the products fit, otherwise from a float estimate of the quotient corrected by an
exact residual (see :func:`.exact.divmod_scaled`); beyond that on Python ints.

Bounds use the bounded largest-remainder method: a common scale ``lam`` is found so that the
*bounded quotas* ``clamp(lam * w_i, min_i, max_i)`` add up to ``S``; units whose bounded quota
sits on a bound get exactly that bound, and the others are apportioned by Hamilton (floor +
largest remainders) on the remaining seats, with quota ``lam * w_i``.  This is the fixed point
of the classic "fix the units that violate a bound and re-run Hamilton on the rest" procedure,
computed directly so that it cannot oscillate between lower and upper violations.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .exact import BAND, divmod_scaled, exact_sum, group_pairs, kth_smallest, merge_disjoint, safe_mul
from .inputs import Weights
from .result import Cutoff, Tie


def _statuses(lam: float, w: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    q = lam * w
    below = q <= lo
    above = (q >= hi) & ~below
    return below, above


def _bounded_scale(units: Weights, seats: int, lo, hi):
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


def _exact_statuses(units: Weights, seats: int, lo, hi, lam_f, below, above):
    """Re-decide exactly the statuses of units whose float bounded quota is within the band."""
    for _ in range(1000):
        free = ~(below | above)
        seats_free = seats - int(lo[below].sum()) - int(hi[above].sum())
        total_free = exact_sum(units.exact[free])
        if total_free == 0:
            break
        # Zero weights sit at their minimum and a positive quota is never <= a zero bound, so
        # only positive bounds of positive units can be in doubt.
        q = lam_f * units.approx
        near = np.flatnonzero(units.positive & (
            ((lo > 0) & (np.abs(q - lo) <= BAND * lo)) | ((hi > 0) & (np.abs(q - hi) <= BAND * hi))
        ))
        if not len(near):
            break
        num = safe_mul(units.exact[near], seats_free)  # exact quota = num / total_free
        b = np.asarray(num <= safe_mul(lo[near], total_free), dtype=bool)
        a = ~b & np.asarray(num >= safe_mul(hi[near], total_free), dtype=bool)
        if np.array_equal(b, below[near]) and np.array_equal(a, above[near]):
            break
        below[near], above[near] = b, a
        free = ~(below | above)
        if free.any():
            seats_free = seats - int(lo[below].sum()) - int(hi[above].sum())
            lam_f = seats_free / float(units.approx[free].sum())
    return below, above


def apportion_hamilton(units: Weights, seats: int, lo, hi, hi_user):
    lam_f, below, above = _bounded_scale(units, seats, lo, hi)
    below, above = _exact_statuses(units, seats, lo, hi, lam_f, below, above)
    free_idx = np.flatnonzero(~(below | above))
    seats_free = seats - int(lo[below].sum()) - int(hi[above].sum())

    alloc = np.where(below, lo, hi).astype(np.int64)
    bounded_quotas = np.where(below, lo, hi).astype(np.float64)
    last_awarded = first_refused = tie = divisor = None
    if len(free_idx):
        total_free = exact_sum(units.exact[free_idx])
        floor, rem = divmod_scaled(units.exact[free_idx], seats_free, total_free)
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


def _largest_flat_scale(units: Weights, below, lo):
    """Every unit sits on a bound: the largest common scale keeping it so, min(lo_i / w_i).

    Returned as ``(numerator, denominator)`` of ``lam`` in scaled weight units, or None (infinite).
    """
    cand = np.flatnonzero(below & units.positive)
    if not len(cand):
        return None
    ratio = lo[cand] / units.approx[cand]
    near = cand[ratio <= ratio.min() * (1 + BAND)]
    # Many units often share one (minimum, weight) pair: compare each pair exactly once.
    pairs, _ = group_pairs(lo[near], units.exact[near])
    best = min(Fraction(int(low), int(weight)) for low, weight in pairs)
    return best.numerator, best.denominator


def _hamilton_binding(units: Weights, alloc, lo, hi, hi_user, below, above, lam):
    """A bound binds when the unit's unbounded quota at the common scale lies strictly beyond it."""
    n = units.n
    lower = np.zeros(n, dtype=bool)
    upper = np.zeros(n, dtype=bool)
    cand = np.flatnonzero(below & (lo > 0))
    if len(cand):
        if lam is None:
            lower[cand] = ~units.positive[cand]
        else:
            q_num = safe_mul(units.exact[cand], lam[0])
            lower[cand] = np.asarray(q_num < safe_mul(lo[cand], lam[1]), dtype=bool)
    if hi_user is not None:
        cand = np.flatnonzero(above & (alloc == hi_user) & units.positive)
        if len(cand):
            if lam is None:
                upper[cand] = True
            else:
                q_num = safe_mul(units.exact[cand], lam[0])
                upper[cand] = np.asarray(q_num > safe_mul(hi[cand], lam[1]), dtype=bool)
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
        cut = kth_smallest(rem, m - k)
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
            units=merge_disjoint(last_awarded.units, first_refused.units),
            winners=last_awarded.units,
            seats=len(last_awarded.units),
        )
    return last_awarded, first_refused, tie
