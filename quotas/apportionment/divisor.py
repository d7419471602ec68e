"""Divisor methods (Jefferson, Webster, Adams, Huntington–Hill), exact and vectorised.

Seats are computed in float64.  A threshold search finds a divisor ``t`` such that every seat
whose priority is more than a relative ``BAND`` (1e-9) above ``t`` is certainly awarded and
every seat more than ``BAND`` below certainly is not.  Steps start at the standard divisor and
jump to the k-th largest next-seat (or k-th smallest last-seat) priority with a vectorised
selection, which is exact in one step when no unit has to move by more than one seat; when a
unit must move by many seats a secant step on ``1/t`` is used, and a bisection of the bracket
guards both.  Only the seats inside that narrow band (normally a handful; more when many units
have *identical* priorities) are ranked exactly: priorities are compared as exact fractions of
their squares, grouped by ``(w, n)`` pairs so that equal pairs are compared once.  Float
rounding error (~1e-15 relative) is far inside the band.

A final exact check verifies that the lowest awarded priority is not below the highest
refused one (repairing the allocation seat by seat if it ever were, which the band analysis
rules out), applies the tie rule (the lower input index wins), and yields the exact cut-off
values reported in the explanation.  Which divisor is reported, and which bounds bind at
it, is :mod:`.reported_divisor`'s business.
"""
from __future__ import annotations

import math

import numpy as np

from .exact import BAND, INT64_MAX, kth_smallest, merge_disjoint, sqrt_float
from .inputs import Weights
from .priorities import exact_ranks, float_counts, float_priority, priority_exact
from .reported_divisor import divisor_binding, round_numbers_between
from .result import Cutoff, Tie


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
        n_plus = float_counts(method, w, t * (1 + BAND), lo, hi)
        c_plus = int(n_plus.sum())
        if c_plus > seats:  # too many seats even above the band: raise the threshold
            lo_t = max(lo_t, t)
            error = c_plus - seats
            cand = n_plus > lo
            if error <= previous_error / 2:
                last = float_priority(method, w[cand], n_plus[cand] - 1)
                t_new = float(kth_smallest(last, min(error, len(last)) - 1))
            else:
                inv = 1 / t - error / float(w[cand].sum())
                t_new = 1 / inv if inv > 0 else math.inf
        else:
            n_minus = float_counts(method, w, t * (1 - BAND), lo, hi)
            c_minus = int(n_minus.sum())
            if c_minus >= seats:
                return n_plus, n_minus
            hi_t = min(hi_t, t)
            error = seats - c_minus
            cand = n_minus < hi
            if error <= previous_error / 2:
                nxt = float_priority(method, w[cand], n_minus[cand])
                k = min(error, len(nxt))
                t_new = float(kth_smallest(nxt, len(nxt) - k))
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


def _resolve_band(method, units: Weights, n_plus, n_minus, seats):
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
    ranks, _ = exact_ranks(method, units.exact[band_units], band_k)
    order = np.lexsort((band_units, -ranks))
    chosen = band_units[order[:need]]
    return n_plus + np.bincount(chosen, minlength=units.n).astype(np.int64)


def _near_extreme(values: np.ndarray, take_min: bool) -> np.ndarray:
    """Indices (into ``values``) within the relative band of the min (or max) value."""
    if take_min:
        m = values.min()
        return np.flatnonzero(values <= m * (1 + BAND))
    m = values.max()
    return np.flatnonzero(values >= m * (1 - BAND))


def _divisor_cutoffs(method, units: Weights, alloc, lo, can_grow):
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
        last = float_priority(method, units.approx[won], alloc[won] - 1)
        sel = won[_near_extreme(last, take_min=True)]
        sides.append((sel, alloc[sel] - 1, False))
    if len(refused):
        nxt = float_priority(method, units.approx[refused], alloc[refused])
        sel = refused[_near_extreme(nxt, take_min=False)]
        sides.append((sel, alloc[sel], True))
    if not sides:
        return None, None
    cu = np.concatenate([s[0] for s in sides])
    ck = np.concatenate([s[1] for s in sides])
    is_refused = np.concatenate([np.full(len(s[0]), s[2]) for s in sides])
    ranks, squares = exact_ranks(method, units.exact[cu], ck)
    awarded = refused_cut = None
    if (~is_refused).any():
        r = ranks[~is_refused].min()
        awarded = (squares[r], np.sort(cu[~is_refused & (ranks == r)]))
    if is_refused.any():
        r = ranks[is_refused].max()
        refused_cut = (squares[r], np.sort(cu[is_refused & (ranks == r)]))
    return awarded, refused_cut


def apportion_divisor(method, units: Weights, seats: int, lo, hi, lo_user, hi_user):
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
    grow_limit = np.where(units.positive, INT64_MAX if hi_user is None else hi_user, lo)
    for _ in range(10_000):
        awarded, refused = _divisor_cutoffs(method, units, alloc, lo, alloc < grow_limit)
        if awarded is None or refused is None or awarded[0] > refused[0]:
            break
        if awarded[0] == refused[0]:  # true tie at the cut: the lower input indices win
            tied = merge_disjoint(awarded[1], refused[1])
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
            units=merge_disjoint(awarded[1], refused[1]),
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
        lower_binding, upper_binding, _ = divisor_binding(method, units, alloc, lo_user, hi_user, hi_sq)
    else:
        divisor = None
        lower_binding, upper_binding, _ = divisor_binding(method, units, alloc, lo_user, hi_user, None)
        for candidate in round_numbers_between(lo_sq, hi_sq):
            binding = divisor_binding(method, units, alloc, lo_user, hi_user, candidate * candidate)
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


def _make_cutoff(method, units: Weights, alloc, cut, offset: int) -> Cutoff:
    """``offset`` 0: the members' last awarded seat; 1: their next (refused) seat."""
    square, members = cut
    scale = units.scale
    k = int(alloc[members[0]]) - 1 + offset
    exact = priority_exact(method, int(units.exact[members[0]]), k)
    if exact is not None:
        exact = exact / scale
        value = float(exact)
    else:
        value = sqrt_float(square / scale**2)
    seat_numbers = alloc[members] + offset
    return Cutoff(value, exact, square / scale**2, members, seat_numbers)
