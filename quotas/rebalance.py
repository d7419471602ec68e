"""Mid-year rebalancing (调剂, domain.md §3: "a plan is adjusted once mid-year, around
June, taking unused quota from organizations that cannot use it").

On the chosen date every party organization keeps what it can still use this year:

    need     = used + reserved + candidates ready now without a seat
    unusable = max(0, seats + extra − need)

so seats already used or reserved at the pre-review are never taken back.  The
unusable seats form the pool, which the engine re-apportions (with the chosen method)
among the organizations whose need exceeds what they hold, in proportion to that
excess times their quality factor — units strong at development get more — and never
more than the excess.  Whatever the excess cannot absorb goes back to the county
(``plan.unallocated_seats``).

"Candidates ready now" are the open dossiers at the candidate stage (not failed at the
political review) that do not yet hold a seat: a candidate listed at the pre-review
already holds a reserved one.  None of the remaining steps has a minimum period that
would push the approval past 31 December, so every such candidate can still be
approved this year; counts are as recorded today, whatever date is chosen.
"""
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from simple_history.utils import bulk_update_with_history

from members.models import Dossier

from .apportionment import METHOD_LABELS, ApportionmentError, apportion, normalize_method
from .errors import QuotaError
from .models import JobStatus, PlanStatus, QuotaAllocation, QuotaPlan, Reallocation, RecomputeJob, SeatState

CHANGE_REASON = "年中调剂"


@dataclass(frozen=True)
class RebalanceLine:
    allocation_id: int
    party_org_id: int
    name: str
    area: str
    seats: int
    extra: int
    used: int
    reserved: int
    ready: int          # candidates ready now without a seat
    quality: float
    taken: int = 0
    given: int = 0

    @property
    def before(self) -> int:
        return self.seats + self.extra

    @property
    def after(self) -> int:
        return self.before - self.taken + self.given

    @property
    def need(self) -> int:
        return self.used + self.reserved + self.ready

    @property
    def change(self) -> int:
        return self.given - self.taken


@dataclass
class RebalancePreview:
    plan: QuotaPlan
    on: date
    method: str
    lines: list[RebalanceLine] = field(default_factory=list)
    pool: int = 0
    placed: int = 0
    error: str = ""          # the engine refused the method (e.g. Adams with too few seats)
    explanation: str = ""    # the engine's account of how the pool was shared

    @property
    def leftover(self) -> int:
        return self.pool - self.placed

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def changed(self) -> list[RebalanceLine]:
        return [line for line in self.lines if line.taken or line.given]

    @property
    def gainers(self) -> list[RebalanceLine]:
        return [line for line in self.lines if line.change > 0]

    @property
    def losers(self) -> list[RebalanceLine]:
        return [line for line in self.lines if line.change < 0]


def _check(plan: QuotaPlan, on: date) -> None:
    if plan.status != PlanStatus.ISSUED:
        raise QuotaError("只能对已下达的计划进行年中调剂。", code="plan_not_issued")
    if on.year != plan.year:
        raise QuotaError(f"调剂日期应在{plan.year}年内（{plan.year}年1月1日至12月31日）。",
                         code="date_outside_plan_year", on=on.isoformat())


def _method(plan: QuotaPlan, method: str | None) -> str:
    try:
        return normalize_method(method or plan.org_method)
    except ApportionmentError as error:
        raise QuotaError(error.message, code=error.code)


def ready_candidates(*, party_org_ids) -> dict[int, int]:
    """Open candidates without a live seat, per party organization."""
    rows = (Dossier.objects.filter(party_org__in=party_org_ids, state="active", stage="candidate")
            .exclude(political_reviews__passed=False)
            .exclude(seats__state__in=(SeatState.RESERVED, SeatState.USED))
            .values_list("party_org").annotate(n=Count("id", distinct=True)).values_list("party_org", "n"))
    return dict(rows)


def _lines(allocations) -> list[RebalanceLine]:
    ready = ready_candidates(party_org_ids=[a.party_org_id for a in allocations])
    return [RebalanceLine(allocation_id=a.pk, party_org_id=a.party_org_id, name=a.party_org.name, area=a.area.name,
                          seats=a.seats, extra=a.extra_seats, used=a.used, reserved=a.reserved,
                          ready=ready.get(a.party_org_id, 0), quality=a.quality_factor)
            for a in allocations]


def apportion_pool(lines: list[RebalanceLine], method: str) -> tuple[list[RebalanceLine], int, int, str]:
    """Pure: take back what each unit cannot use, share the pool among units with unmet
    need.  Returns the new lines, the pool, the seats placed and the engine's account of
    how they were shared."""
    held = np.array([line.before for line in lines], dtype=np.int64)
    need = np.array([line.need for line in lines], dtype=np.int64)
    taken = np.maximum(held - need, 0)
    excess = np.maximum(need - held, 0)
    pool = int(taken.sum())
    quality = np.array([max(line.quality, 0.0) for line in lines], dtype=np.float64)
    weight = np.rint(excess * quality * 1000).astype(np.int64)   # thousandths: the engine's exact integer path
    maximum = np.where(weight > 0, excess, 0)
    placed = min(pool, int(maximum.sum()))
    given = np.zeros(len(lines), dtype=np.int64)
    explanation = ""
    if placed:
        recipients = np.flatnonzero(weight > 0)
        outcome = apportion(weight[recipients], placed, method, maximum=maximum[recipients])
        given[recipients] = outcome.seats
        explanation = outcome.explain([lines[i].name for i in recipients.tolist()])
    new = [RebalanceLine(**{**line.__dict__, "taken": int(taken[i]), "given": int(given[i])})
           for i, line in enumerate(lines)]
    return new, pool, placed, explanation


def preview_rebalance(*, plan: QuotaPlan, on: date, method: str | None = None) -> RebalancePreview:
    """What a rebalance on ``on`` would do; writes nothing."""
    _check(plan, on)
    method = _method(plan, method)
    allocations = list(QuotaAllocation.objects.filter(plan=plan).select_related("party_org", "area")
                       .order_by("area__code", "party_org__name", "id"))
    return _preview(plan, on, method, allocations)


def _preview(plan, on, method, allocations) -> RebalancePreview:
    preview = RebalancePreview(plan=plan, on=on, method=method)
    lines = _lines(allocations)
    try:
        preview.lines, preview.pool, preview.placed, preview.explanation = apportion_pool(lines, method)
    except ApportionmentError as error:
        preview.lines = lines
        preview.pool = sum(max(0, line.before - line.need) for line in lines)
        preview.error = error.message
    return preview


@transaction.atomic
def rebalance(*, plan: QuotaPlan, on: date, method: str | None = None, by, note: str = "") -> Reallocation:
    """Perform the rebalance: allocations change (each with an audit row naming who and
    why), a Reallocation records the pool and every change, the rest goes to the county."""
    if not (by.is_authenticated and by.is_county_admin):
        raise PermissionDenied("只有县委组织部管理员可以进行年中调剂。")
    plan = QuotaPlan.objects.select_for_update().get(pk=plan.pk)
    _check(plan, on)
    method = _method(plan, method)
    if RecomputeJob.objects.filter(plan=plan, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).exists():
        raise QuotaError("该计划正在重新计算名额，请计算完成后再调剂。", code="recompute_running")
    # Locking the allocations keeps pre-reviews and approvals (quotas.seats) out until
    # the new numbers are written, so nothing is taken back that someone just reserved.
    allocations = list(QuotaAllocation.objects.select_for_update().filter(plan=plan)
                       .select_related("party_org", "area").order_by("area__code", "party_org__name", "id"))
    preview = _preview(plan, on, method, allocations)
    if preview.error:
        raise QuotaError(preview.error, code="rebalance_method_refused")
    if preview.pool == 0:
        raise QuotaError("各党组织的名额在年底前都能用上，没有可收回的名额，无需调剂。", code="nothing_to_rebalance")
    by_id = {a.pk: a for a in allocations}
    changed = []
    for line in preview.changed:
        allocation = by_id[line.allocation_id]
        from_seats = min(allocation.seats, line.taken)   # take from the plan's seats first, then extras
        allocation.seats = allocation.seats - from_seats + line.given
        allocation.extra_seats -= line.taken - from_seats
        changed.append(allocation)
    bulk_update_with_history(changed, QuotaAllocation, ["seats", "extra_seats"], default_user=by,
                             default_change_reason=f"{CHANGE_REASON}（{on.isoformat()}）")
    if preview.leftover:
        plan.unallocated_seats += preview.leftover
        plan._history_user, plan._change_reason = by, CHANGE_REASON
        plan.save(update_fields=["unallocated_seats"])
    return Reallocation.objects.create(
        plan=plan, on=on, method=method, pool=preview.pool, performed_by=by, note=note,
        changes=[{"party_org": line.party_org_id, "name": line.name, "area": line.area, "before": line.before,
                  "after": line.after, "taken": line.taken, "given": line.given, "used": line.used,
                  "reserved": line.reserved, "ready": line.ready} for line in preview.changed])
