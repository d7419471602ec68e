"""Thin Celery tasks: ids in, one service call, progress on the job row."""
from celery import shared_task

from . import services  # a module import: services enqueues these tasks
from .errors import QuotaError, RecomputeRunning
from .models import PlanStatus, QuotaPlan, RecomputeJob


@shared_task(acks_late=True)
def recompute_plan(*, job_id: int) -> None:
    services.run_recompute(job=RecomputeJob.objects.select_related("plan", "requested_by").get(pk=job_id))


@shared_task
def recompute_draft_plans() -> None:
    """Nightly: keep draft plans in step with today's demand."""
    for plan in QuotaPlan.objects.filter(status=PlanStatus.DRAFT):
        try:
            services.start_recompute(plan=plan, by=None)
        except (RecomputeRunning, QuotaError):   # running already, or refused (quotas.recompute)
            continue
