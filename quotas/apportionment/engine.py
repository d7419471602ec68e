"""The entry point: validate the input, apply the effective bounds, run the method."""
from __future__ import annotations

import numpy as np

from .divisor import apportion_divisor
from .errors import ApportionmentError
from .hamilton import apportion_hamilton
from .inputs import Weights, bound_array, check_bounds, check_seats
from .methods import ADAMS, HAMILTON, HUNTINGTON_HILL, METHOD_LABELS, normalize_method
from .result import Apportionment, assemble


def apportion(weights, seats, method, *, minimum=None, maximum=None) -> Apportionment:
    """Apportion ``seats`` among units in proportion to ``weights`` with ``method``.

    ``minimum`` / ``maximum``: optional integer bounds, scalar or one per unit (``None`` = no
    bound).  See the module docstring for methods, exactness, the tie rule and bounds.
    """
    method = normalize_method(method)
    seats = check_seats(seats)
    units = Weights.build(weights)
    n = units.n
    lo = bound_array(minimum, n, "minimum", default=0)
    hi_user = bound_array(maximum, n, "maximum", default=None)
    check_bounds(lo, hi_user, seats, units)

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
        core = apportion_hamilton(units, seats, lo, hi, hi_user)
    else:
        core = apportion_divisor(method, units, seats, lo_eff, hi, lo, hi_user)
    return assemble(method, units, seats, lo, hi_user, core)
