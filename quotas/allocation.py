"""Two-level allocation of a plan's seats: townships first, then party organizations.

Pure (NumPy + the apportionment engine, no Django), so the recompute job, the what-if
page and the benchmark all run the same code.  Inputs are arrays, one entry per party
organization; weights are integers (the demand weight in thousandths) so the engine's
exact integer path is used.
"""
from dataclasses import dataclass

import numpy as np

from .apportionment import ApportionmentError, apportion


@dataclass(frozen=True)
class AllocationInput:
    township: np.ndarray      # township id per party organization
    weight: np.ndarray        # int64, >= 0
    minimum: np.ndarray       # int64
    maximum: np.ndarray       # int64 (ready demand, at least the minimum)
    hard_minimum: np.ndarray  # int64: seats already used or reserved — never taken back


@dataclass(frozen=True)
class AllocationResult:
    seats: np.ndarray                 # per party organization
    townships: np.ndarray             # township ids, ascending
    township_seats: np.ndarray
    township_weight: np.ndarray
    township_maximum: np.ndarray
    distributed: int
    unallocated: int
    dropped_minimums: int             # units whose guaranteed seat did not fit
    standard_quotas: np.ndarray       # within the township, per party organization


def feasible_minimums(data: AllocationInput, seats: int) -> tuple[np.ndarray, int]:
    """Guarantees hold "while seats allow": drop the soft ones of the lightest units
    until the minimums fit.  Seats already used or reserved always stay."""
    minimum = np.maximum(data.minimum, data.hard_minimum)
    excess = int(minimum.sum()) - seats
    if excess <= 0:
        return minimum, 0
    soft = np.flatnonzero(minimum > data.hard_minimum)
    order = soft[np.lexsort((soft, data.weight[soft]))]   # lightest first, stable by index
    drop = order[:excess]
    if len(drop) < excess:
        raise ApportionmentError("infeasible_minimum", "已使用和已预留的名额超过了可分配名额。")
    minimum = minimum.copy()
    minimum[drop] -= 1
    return minimum, len(drop)


def allocate(data: AllocationInput, seats: int, *, township_method: str, org_method: str) -> AllocationResult:
    n = len(data.weight)
    maximum = np.maximum(data.maximum, np.maximum(data.minimum, data.hard_minimum))
    distributable = min(seats, int(maximum.sum()))
    minimum, dropped = feasible_minimums(data, distributable)
    townships, index = np.unique(data.township, return_inverse=True)
    t_weight = np.bincount(index, weights=data.weight, minlength=len(townships)).astype(np.int64)
    t_min = np.bincount(index, weights=minimum, minlength=len(townships)).astype(np.int64)
    t_max = np.bincount(index, weights=maximum, minlength=len(townships)).astype(np.int64)
    t_seats = _apportion_or_zero(t_weight, distributable, township_method, t_min, t_max)
    result = np.zeros(n, dtype=np.int64)
    quotas = np.zeros(n, dtype=np.float64)
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(len(townships) + 1))
    for t in range(len(townships)):
        members = order[bounds[t]:bounds[t + 1]]
        if t_weight[t] == 0:
            # No demand left here: a zero-weight township only ever receives its
            # minimums (seats already used or reserved), which stay where they are.
            result[members] = minimum[members]
            continue
        outcome = apportion(data.weight[members], int(t_seats[t]), org_method,
                            minimum=minimum[members], maximum=maximum[members])
        result[members] = outcome.seats
        quotas[members] = outcome.standard_quotas
    return AllocationResult(seats=result, townships=townships, township_seats=t_seats, township_weight=t_weight,
                            township_maximum=t_max, distributed=distributable, unallocated=seats - distributable,
                            dropped_minimums=dropped, standard_quotas=quotas)


def _apportion_or_zero(weight, seats, method, minimum, maximum):
    if seats == 0:
        return np.zeros(len(weight), dtype=np.int64)
    return np.asarray(apportion(weight, seats, method, minimum=minimum, maximum=maximum).seats, dtype=np.int64)
