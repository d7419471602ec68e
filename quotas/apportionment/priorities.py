"""Seat priorities ``w / D(k)`` of the divisor methods, exactly and in float64.

Exact comparisons use the *square* of a priority, ``w**2 / D(k)**2``, which is rational for
every method (Huntington–Hill's ``D(k) = sqrt(k (k + 1))`` is not).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .exact import group_pairs
from .methods import ADAMS, JEFFERSON, WEBSTER


def _d_squared(method: str, k: int) -> Fraction:
    """``D(k)**2`` as an exact fraction (the square of the divisor of the (k+1)-th seat)."""
    if method == JEFFERSON:
        return Fraction((k + 1) ** 2)
    if method == WEBSTER:
        return Fraction((2 * k + 1) ** 2, 4)
    if method == ADAMS:
        return Fraction(k * k)
    return Fraction(k * (k + 1))


def priority_square(method: str, w: int, k: int) -> Fraction:
    """Exact square of the priority ``w / D(k)`` for the (k+1)-th seat (k >= 1 for Adams/HH)."""
    return Fraction(w * w) / _d_squared(method, k)


def priority_exact(method: str, w: int, k: int) -> Fraction | None:
    if method == JEFFERSON:
        return Fraction(w, k + 1)
    if method == WEBSTER:
        return Fraction(2 * w, 2 * k + 1)
    if method == ADAMS:
        return Fraction(w, k)
    return None  # Huntington–Hill: irrational in general


def exact_ranks(method: str, w: np.ndarray, k: np.ndarray):
    """Dense exact ranks (higher = higher priority) of the seats ``(w[j], k[j])``.

    Returns ``(ranks, squares)`` where ``squares[r]`` is the exact squared priority of rank ``r``.
    Identical (weight, seat) pairs are evaluated once, so large groups of equal units are cheap.
    """
    pairs, inverse = group_pairs(w, k)
    keys = [priority_square(method, wi, ki) for wi, ki in pairs]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    pair_rank = np.empty(len(keys), dtype=np.int64)
    squares: list[Fraction] = []
    for j in order:
        if not squares or keys[j] != squares[-1]:
            squares.append(keys[j])
        pair_rank[j] = len(squares) - 1
    return pair_rank[inverse], squares


def _float_d(method: str, k: np.ndarray) -> np.ndarray:
    k = k.astype(np.float64)
    if method == JEFFERSON:
        return k + 1.0
    if method == WEBSTER:
        return k + 0.5
    if method == ADAMS:
        return k
    return np.sqrt(k * (k + 1.0))


def float_priority(method: str, w: np.ndarray, k: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return w / _float_d(method, k)


def float_counts(method: str, w: np.ndarray, t: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
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
