"""Monthly statistics snapshots: the county's figures frozen at the end of each month.

The beat job on the 1st (reports.tasks.take_monthly_snapshot) stores, for the month
just ended, the township-grain cube of every figure that has one — year-to-date flows
and the stocks at the month's end, by township, kind of unit and category.  A figure
read from a snapshot is cut to the reader's townships and kind and presented by the
same code as a live one.  A snapshot, once taken, is not rewritten: "last year" stays
what it was when the year closed.
"""
import time
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import StatisticsSnapshot
from .selectors import SNAPSHOT_CUBES, make_scope

SNAPSHOT_VERSION = 1


class CountyReader:
    """The county as a whole, reading: what a county-wide job sees through
    ``visible_to`` (everything), with no right to change anything."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    sees_whole_county = True
    is_county_admin = False
    is_read_only = True
    role = "auditor"
    pk = None

    def __str__(self):
        return "县级统计任务"


def month_end_before(day: date) -> date:
    """The last day of the month before ``day``'s month."""
    return day.replace(day=1) - timedelta(days=1)


def snapshot_data(*, as_of: date) -> dict:
    """Every township-grain cube, year to date, as of the end of ``as_of``."""
    scope = make_scope(user=CountyReader(), start=date(as_of.year, 1, 1), end=as_of, today=as_of + timedelta(days=1),
                       by_kind=True)
    return {"version": SNAPSHOT_VERSION, "as_of": as_of.isoformat(),
            "figures": {key: cube(scope) for key, cube in SNAPSHOT_CUBES.items()}}


def take_snapshot(*, as_of: date | None = None, today: date | None = None) -> StatisticsSnapshot:
    """The snapshot at ``as_of`` (default: the end of last month).  Idempotent: an
    existing snapshot is returned unchanged, so re-running the job moves nothing."""
    as_of = as_of or month_end_before(today or timezone.localdate())
    existing = StatisticsSnapshot.objects.filter(as_of=as_of).first()
    if existing is not None:
        return existing
    started = time.perf_counter()
    data = snapshot_data(as_of=as_of)
    try:
        with transaction.atomic():
            return StatisticsSnapshot.objects.create(as_of=as_of, data=data,
                                                     seconds=round(time.perf_counter() - started, 3))
    except IntegrityError:      # taken meanwhile by another worker
        return StatisticsSnapshot.objects.get(as_of=as_of)
