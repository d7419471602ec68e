"""Quota apportionment engine: share a whole number of seats among units in proportion to weights.

Pure package (NumPy + stdlib, no Django) so that it can be used from services, management
commands and benchmarks alike::

    result = apportion([4_802_982, 721_523, 6_392_017], 10, "webster")
    result.seats            # numpy int64 array, input order
    print(result.explain())  # a planner-readable account of how the seats were decided

Methods: ``hamilton`` (largest remainders), ``jefferson`` (= D'Hondt), ``webster``
(= Sainte-Laguë), ``adams``, ``huntington_hill`` — see :mod:`.methods` for their rules and the
aliases :func:`normalize_method` accepts.

Exactness
=========
Decisions are those of exact rational arithmetic on the weights, including near-ties such as
``10**12 + 1`` vs ``10**12`` or priorities that differ in the 16th significant digit.  Weights
become exact integers (:mod:`.inputs`); Hamilton is exact integer arithmetic throughout
(:mod:`.hamilton`); divisor methods run in float64 and decide exactly only the seats inside a
tiny band around the cut-off (:mod:`.divisor`).  One million units with 200,000 (or 2,000,000)
seats take about 0.1 s per method on a small machine (``tests/benchmarks/bench_apportionment.py``).

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
* Hamilton uses the bounded largest-remainder method (:mod:`.hamilton`): units whose *bounded
  quota* ``clamp(lam * w_i, min_i, max_i)`` sits on a bound get that bound, the others share the
  remaining seats by largest remainders.
* A bound is reported as *binding* when it changed the unit's result: the unit would have received
  fewer seats than its minimum (more than its maximum) at the common divisor (Hamilton: its
  unbounded quota at the common scale is below the minimum / above the maximum).
* Zero-weight units receive their minimum (0 by default) and never more; with all weights zero
  no seat can be given (``zero_weights``).

Errors
======
Invalid or infeasible input raises :class:`ApportionmentError` (a ``ValueError``) with a Chinese
message and a stable ``code`` (listed in :mod:`.errors`).

Modules
=======
``engine`` (:func:`apportion`), ``methods``, ``errors``, ``inputs``, ``exact``, ``priorities``,
``divisor``, ``reported_divisor``, ``hamilton``, ``result``, ``explanation``.
"""
from .engine import apportion
from .errors import ApportionmentError
from .methods import (
    ADAMS, DIVISOR_METHODS, HAMILTON, HUNTINGTON_HILL, JEFFERSON, METHOD_LABELS, METHODS, TIE_RULE, WEBSTER,
    normalize_method,
)
from .result import Apportionment, Cutoff, Tie

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
