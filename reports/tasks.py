"""Thin Celery tasks: ids in, one service call (progress and errors on the run row).

``take_monthly_snapshot`` runs on the 1st of every month at 01:30 Asia/Shanghai
(django-celery-beat row created by migration 0002_beat_schedule).
"""
from datetime import date

from celery import shared_task

from . import services, snapshots  # module imports: services enqueues these tasks
from .models import ReportRun


@shared_task(acks_late=True)
def build_report(*, run_id: int) -> None:
    services.run_report(run=ReportRun.objects.get(pk=run_id))


@shared_task(acks_late=True)
def take_monthly_snapshot(*, as_of: str | None = None) -> str:
    """The snapshot of the month just ended (or of ``as_of``, an ISO date, to fill a
    missed month); returns its date."""
    snapshot = snapshots.take_snapshot(as_of=date.fromisoformat(as_of) if as_of else None)
    return snapshot.as_of.isoformat()
