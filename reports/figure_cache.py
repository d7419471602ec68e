"""Figures kept for a few minutes, so a dashboard is drawn from memory between changes.

A dashboard reads seventeen figures; computing them all takes about 160 ms on a county
of 150,000 people (bench-results/reports.json, the README's benchmark table), reading
them back from the cache a few.  Entries are keyed by everything a figure depends on —
who reads (the county, or a set of townships: a figure of a township worker depends only
on their townships), the period, today's date, the township, the kind, the snapshot —
and live for :data:`CACHE_SECONDS`; the page says when its figures were computed and offers
"刷新" to recompute at once.  The dashboard, the figure downloads and the API all come
through here, so they always agree.  Report runs do not: a report is computed afresh.
"""
import hashlib
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from .figures import Figure
from .selectors import build_figure
from .selectors.common import Scope

CACHE_SECONDS = 300
VERSION = 1          # bump when a figure's shape changes


def _key(scope: Scope, figure: str) -> str:
    reader = "county" if scope.user.sees_whole_county else "townships:" + ",".join(map(str, sorted(scope.townships)))
    parts = [reader, scope.period.start, scope.period.end, scope.today,
             scope.township.pk if scope.township is not None else "", scope.kind or "",
             scope.snapshot.as_of if scope.snapshot is not None else "", figure]
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    return f"reports:figure:v{VERSION}:{digest}"


def cached_figures(scope: Scope, keys, *, refresh: bool = False) -> tuple[list[Figure], datetime]:
    """The figures ``keys`` for ``scope``, from the cache when fresh; returns them and
    when the oldest of them was computed."""
    keys = list(keys)
    cache_keys = {key: _key(scope, key) for key in keys}
    found = {} if refresh else cache.get_many(list(cache_keys.values()))
    now = timezone.now()
    figures, fresh, computed = [], {}, []
    for key in keys:
        entry = found.get(cache_keys[key])
        if entry is None:
            figure = build_figure(key, scope)
            entry = {"figure": figure.as_dict(), "computed_at": now}
            fresh[cache_keys[key]] = entry
        figures.append(Figure.from_dict(entry["figure"]))
        computed.append(entry["computed_at"])
    if fresh:
        cache.set_many(fresh, CACHE_SECONDS)
    return figures, min(computed) if computed else now


def cached_figure(scope: Scope, key: str, *, refresh: bool = False) -> Figure:
    figures, _ = cached_figures(scope, [key], refresh=refresh)
    return figures[0]
