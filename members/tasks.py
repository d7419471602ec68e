"""Celery tasks of the development procedure: thin, ids and dates in, one service call.

``compute_alerts`` runs daily at 02:00 Asia/Shanghai (django-celery-beat row created by
migration 0003_beat_schedule).  With REDIS_URL empty Celery runs tasks eagerly in the
calling process.
"""
from datetime import date

from celery import shared_task

from . import alerts


@shared_task(acks_late=True)
def compute_alerts(*, today: str | None = None) -> dict:
    """Mark lost contacts, then recompute every open dossier's alerts.  ``today`` is an
    ISO date (for re-running a missed day); the summary is JSON for the result backend."""
    return alerts.run_daily_job(today=date.fromisoformat(today) if today else None)


@shared_task(acks_late=True)
def recount_materials(*, rule_set_id: int, step: str) -> int:
    """After the county changed the catalogue of a step: recount that step's records."""
    from .materials.services import recount_step
    return recount_step(rule_set_id=rule_set_id, step=step)
