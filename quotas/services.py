"""State changes of the development plans: one function per business action.

Only county administrators change plans; townships and secretaries file requests.
Recomputes run as Celery jobs (quotas.tasks) that call :func:`run_recompute`.  Every
action keeps ``total_seats = Σ seats + Σ extra seats + unallocated_seats``
(quotas.county_seats).
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.scoping import require_editable
from organizations.models import PartyOrganization

from . import tasks  # a module import: tasks imports this module too
from .apportionment import ApportionmentError, normalize_method
from .county_seats import allocated_seats, approved_extra_seats
from .errors import QuotaError, RecomputeRunning
from .models import JobStatus, PlanStatus, QuotaAllocation, QuotaPlan, QuotaRequest, RecomputeJob, RequestStatus
from .recompute import recompute_allocation, recompute_refusal


GRANT_REASON = "批准追加名额申请"


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
    plan.unallocated_seats = plan.total_seats     # nothing allocated yet: the county holds every seat
    return _saved(plan, by=by)


@transaction.atomic
def update_plan(*, plan: QuotaPlan, by, data: dict) -> QuotaPlan:
    _require_county(by)
    if plan.status == PlanStatus.CLOSED:
        raise QuotaError("已结束的计划不能修改。", code="plan_closed")
    for name, value in data.items():
        setattr(plan, name, value)
    _check_plan(plan)
    _check_total_covers_allocation(plan)
    return _saved(plan, by=by)


def _check_total_covers_allocation(plan: QuotaPlan) -> None:
    """A new total keeps what units were granted; the county holds the rest.  A draft's
    allocation is provisional (the next recompute shares the new total), an issued one is
    not: units plan on their seats, and only a rebalance takes seats back."""
    granted = sum(approved_extra_seats(plan=plan).values())
    if plan.total_seats < granted:
        raise ValidationError({"total_seats": f"上级下达名额不能少于已批准追加的名额（{granted}个）。"})
    allocated = allocated_seats(plan=plan)
    if plan.status == PlanStatus.ISSUED and plan.total_seats < allocated:
        raise ValidationError({"total_seats": f"计划已下达，上级下达名额不能少于已分配到各党组织的名额（{allocated}个）；"
                                              f"如需减少，请先通过年中调剂收回用不上的名额。"})
    plan.unallocated_seats = max(0, plan.total_seats - allocated)


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
    """Queue a recompute; refused while another one of the same plan is queued or running,
    for a closed plan and after a mid-year rebalance (quotas.recompute.recompute_refusal)."""
    if by is not None:
        _require_county(by)
    refusal = recompute_refusal(plan)
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            job = RecomputeJob.objects.create(plan=plan, requested_by=by)
    except IntegrityError:
        raise RecomputeRunning("该计划正在计算中，请等待当前计算完成。", plan=plan.pk)
    transaction.on_commit(lambda: tasks.recompute_plan.delay(job_id=job.pk))
    return job


def run_recompute(*, job: RecomputeJob) -> RecomputeJob:
    """Body of the Celery task: status, progress and timings on the job row.

    Deliberately not one transaction: every status and progress update commits at once,
    so the plan page and the API follow a worker's job while it runs; the recompute
    writes the allocation in its own short transaction (quotas.recompute)."""
    RecomputeJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(), progress=1)

    def progress(percent: int, stage: str) -> None:
        RecomputeJob.objects.filter(pk=job.pk).update(progress=percent, stage=stage)

    try:
        summary = recompute_allocation(plan=job.plan, by=job.requested_by, progress=progress)
    except (ApportionmentError, QuotaError) as error:
        _finish(job, JobStatus.FAILED, error=error.message)
    except Exception as error:  # recorded for the user, then re-raised for the worker's log
        _finish(job, JobStatus.FAILED, error=f"计算出错：{error}")
        raise
    else:
        _finish(job, JobStatus.DONE, result=summary, timings=summary["timings"])
    job.refresh_from_db()
    return job


def _finish(job, status, **fields) -> None:
    """A failed job keeps the progress it reached, which says where it stopped."""
    if status == JobStatus.DONE:
        fields["progress"] = 100
    RecomputeJob.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now(), **fields)


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
    """Approved seats reach the unit at once, as extra seats on its allocation, out of the
    seats the county still holds (``unallocated_seats``, the reserve included); a grant
    larger than that is refused.  Later recomputes keep them."""
    _require_county(by)
    request = QuotaRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise QuotaError("该申请已处理。", code="request_decided")
    if approve:
        granted = request.seats if approved_seats is None else approved_seats
        if not 1 <= granted <= request.seats:
            raise ValidationError({"approved_seats": f"批准名额应在1到{request.seats}之间。"})
        _grant_extra_seats(request, granted, by=by)
        request.status, request.approved_seats = RequestStatus.APPROVED, granted
    else:
        if not note.strip():
            raise ValidationError({"decision_note": "不批准时请填写意见。"})
        request.status = RequestStatus.REJECTED
    request.decision_note, request.decided_by, request.decided_at = note, by, timezone.now()
    return _saved(request, by=by)


def _grant_extra_seats(request: QuotaRequest, granted: int, *, by) -> None:
    # The plan's lock orders this grant with recomputes and rebalances of the same plan.
    plan = QuotaPlan.objects.select_for_update().get(pk=request.plan_id)
    if plan.status == PlanStatus.CLOSED:
        raise QuotaError("该年度计划已结束，不能再批准追加名额。", code="plan_closed")
    if granted > plan.unallocated_seats:
        raise QuotaError(f"县级未分配名额只剩{plan.unallocated_seats}个，不能批准{granted}个。"
                         f"可以少批准一些，或先通过年中调剂收回用不上的名额。",
                         code="not_enough_unallocated", unallocated=plan.unallocated_seats, asked=granted)
    party_org = request.party_org
    allocation = (QuotaAllocation.objects.select_for_update(of=("self",)).filter(plan=plan, party_org=party_org)
                  .first() or QuotaAllocation(plan=plan, party_org=party_org, area_id=party_org.area_id))
    allocation.extra_seats += granted
    _saved(allocation, by=by, reason=GRANT_REASON)
    plan.unallocated_seats -= granted
    _saved(plan, by=by, reason=GRANT_REASON)


@transaction.atomic
def withdraw_request(*, request: QuotaRequest, by) -> QuotaRequest:
    require_editable(by, request)
    if request.status != RequestStatus.PENDING:
        raise QuotaError("只能撤回待审批的申请。", code="request_decided")
    request.status = RequestStatus.WITHDRAWN
    return _saved(request, by=by)
