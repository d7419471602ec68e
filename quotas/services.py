"""State changes of the development plans: one function per business action.

Only county administrators change plans; townships and secretaries file requests.
Recomputes run as Celery jobs (quotas.tasks) that call :func:`run_recompute`.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.scoping import require_editable
from organizations.models import PartyOrganization

from . import tasks  # a module import: tasks imports this module too
from .apportionment import ApportionmentError, normalize_method
from .errors import QuotaError, RecomputeRunning
from .models import JobStatus, PlanStatus, QuotaPlan, QuotaRequest, RecomputeJob, RequestStatus
from .recompute import recompute_allocation


def _require_county(by) -> None:
    if not (by.is_authenticated and by.is_county_admin):
        raise PermissionDenied("只有县委组织部管理员可以制定和调整发展计划。")


def _saved(instance, *, by, reason: str = ""):
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    # A nullable column left empty (a request not yet decided has no decider) is valid
    # for the database; ``blank`` only speaks to forms.
    instance.full_clean(exclude=[field.name for field in instance._meta.concrete_fields
                                 if field.null and getattr(instance, field.attname) is None])
    instance.save()
    return instance


@transaction.atomic
def create_plan(*, by, data: dict) -> QuotaPlan:
    _require_county(by)
    plan = QuotaPlan(created_by=by, **data)
    _check_plan(plan)
    return _saved(plan, by=by)


@transaction.atomic
def update_plan(*, plan: QuotaPlan, by, data: dict) -> QuotaPlan:
    _require_county(by)
    if plan.status == PlanStatus.CLOSED:
        raise QuotaError("已结束的计划不能修改。", code="plan_closed")
    for name, value in data.items():
        setattr(plan, name, value)
    _check_plan(plan)
    return _saved(plan, by=by)


def _check_plan(plan: QuotaPlan) -> None:
    if plan.reserve_seats > plan.total_seats:
        raise ValidationError({"reserve_seats": "县级预留名额不能超过上级下达名额。"})
    for field in ("township_method", "org_method"):
        try:
            setattr(plan, field, normalize_method(getattr(plan, field)))
        except ApportionmentError as error:
            raise ValidationError({field: error.message})


@transaction.atomic
def issue_plan(*, plan: QuotaPlan, by) -> QuotaPlan:
    """下达: from now on approvals consume its seats."""
    _require_county(by)
    if plan.computed_at is None:
        raise QuotaError("请先计算名额分配，再下达计划。", code="plan_not_computed")
    plan.status = PlanStatus.ISSUED
    return _saved(plan, by=by, reason="下达计划")


# ---- recompute jobs ------------------------------------------------------------------------

def start_recompute(*, plan: QuotaPlan, by) -> RecomputeJob:
    """Queue a recompute; refused while another one of the same plan is queued or running."""
    if by is not None:
        _require_county(by)
    try:
        with transaction.atomic():
            job = RecomputeJob.objects.create(plan=plan, requested_by=by)
    except IntegrityError:
        raise RecomputeRunning("该计划正在计算中，请等待当前计算完成。", plan=plan.pk)
    transaction.on_commit(lambda: tasks.recompute_plan.delay(job_id=job.pk))
    return job


def run_recompute(*, job: RecomputeJob) -> RecomputeJob:
    """Body of the Celery task: status, progress and timings on the job row."""
    RecomputeJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(), progress=1)

    def progress(percent: int, stage: str) -> None:
        RecomputeJob.objects.filter(pk=job.pk).update(progress=percent, stage=stage)

    try:
        summary = recompute_allocation(plan=job.plan, by=job.requested_by, progress=progress)
    except ApportionmentError as error:
        _finish(job, JobStatus.FAILED, error=error.message)
    except Exception as error:  # recorded for the user, then re-raised for the worker's log
        _finish(job, JobStatus.FAILED, error=f"计算出错：{error}")
        raise
    else:
        _finish(job, JobStatus.DONE, result=summary, timings=summary["timings"])
    job.refresh_from_db()
    return job


def _finish(job, status, **fields) -> None:
    RecomputeJob.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now(),
                                                  progress=100 if status == JobStatus.DONE else job.progress,
                                                  **fields)


# ---- requests for more seats ------------------------------------------------------------------

@transaction.atomic
def request_seats(*, plan: QuotaPlan, party_org: PartyOrganization, seats: int, reason: str, by) -> QuotaRequest:
    require_editable(by, party_org)
    if plan.status == PlanStatus.CLOSED:
        raise QuotaError("该年度计划已结束，不能再申请。", code="plan_closed")
    if seats < 1:
        raise ValidationError({"seats": "申请名额至少为1个。"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写申请理由。"})
    return _saved(QuotaRequest(plan=plan, party_org=party_org, seats=seats, reason=reason, requested_by=by), by=by)


@transaction.atomic
def decide_request(*, request: QuotaRequest, approve: bool, by, approved_seats: int | None = None,
                   note: str = "") -> QuotaRequest:
    _require_county(by)
    request = QuotaRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise QuotaError("该申请已处理。", code="request_decided")
    if approve:
        granted = request.seats if approved_seats is None else approved_seats
        if not 1 <= granted <= request.seats:
            raise ValidationError({"approved_seats": f"批准名额应在1到{request.seats}之间。"})
        request.status, request.approved_seats = RequestStatus.APPROVED, granted
    else:
        if not note.strip():
            raise ValidationError({"decision_note": "不批准时请填写意见。"})
        request.status = RequestStatus.REJECTED
    request.decision_note, request.decided_by, request.decided_at = note, by, timezone.now()
    return _saved(request, by=by)


@transaction.atomic
def withdraw_request(*, request: QuotaRequest, by) -> QuotaRequest:
    require_editable(by, request)
    if request.status != RequestStatus.PENDING:
        raise QuotaError("只能撤回待审批的申请。", code="request_decided")
    request.status = RequestStatus.WITHDRAWN
    return _saved(request, by=by)
