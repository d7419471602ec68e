"""Read side of the development plans: what the pages, exports and API show.

Every function takes the user and starts from ``visible_to(user)``: a township worker's
totals are their townships' totals, a secretary's their party organizations'.
"""
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from organizations.models import PartyOrganization

from .models import (
    EvaluationGrade, QuotaAllocation, QuotaPlan, QuotaRequest, Reallocation, RecomputeJob, RequestStatus,
)

WATCHED_YEARS = (2, 3)   # domain.md §3: units with no new member for 2 (or 3) years are watched


def _zero(expression):
    return Coalesce(expression, Value(0))


def allocation_rows(*, user, plan: QuotaPlan | None = None) -> QuerySet[QuotaAllocation]:
    queryset = QuotaAllocation.objects.visible_to(user).select_related("party_org", "area", "plan")
    if plan is not None:
        queryset = queryset.filter(plan=plan)
    return queryset.order_by("area__code", "party_org__name", "id")


def plan_totals(*, plan: QuotaPlan, user) -> dict:
    """Received and reserved by the county are plan figures; the rest add up the
    allocations the user sees (the whole county for county staff)."""
    # Aliases differ from the field names: an aggregate may not shadow a field it filters on.
    sums = QuotaAllocation.objects.visible_to(user).filter(plan=plan).aggregate(
        total_seats=_zero(Sum("seats")), total_extra=_zero(Sum("extra_seats")), total_used=_zero(Sum("used")),
        total_reserved=_zero(Sum("reserved")), total_ready=_zero(Sum("ready_demand")), units=Count("id"),
        with_seats=Count("id", filter=Q(seats__gt=0) | Q(extra_seats__gt=0)))
    allocated = sums["total_seats"] + sums["total_extra"]
    used, reserved = sums["total_used"], sums["total_reserved"]
    return {
        "whole_county": user.sees_whole_county,
        "received": plan.total_seats, "reserve": plan.reserve_seats, "unallocated": plan.unallocated_seats,
        "allocated": allocated, "extra": sums["total_extra"], "used": used, "reserved": reserved,
        "available": allocated - used - reserved, "ready": sums["total_ready"],
        "units": sums["units"], "with_seats": sums["with_seats"],
        "used_share": round(100 * used / allocated, 1) if allocated else None,
    }


def township_rows(*, plan: QuotaPlan, user) -> list[dict]:
    """Level one as it stands now (after rebalancing and approved requests), aggregated
    from the party organizations' rows in one query."""
    return list(QuotaAllocation.objects.visible_to(user).filter(plan=plan)
                .values("area", name=F("area__name"), code=F("area__code"))
                .annotate(units=Count("id"), seats=Sum("seats"), extra=Sum("extra_seats"), weight=Sum("weight"),
                          ready=Sum("ready_demand"), used=Sum("used"), reserved=Sum("reserved"))
                .order_by("code"))


def recent_jobs(*, plan: QuotaPlan, limit: int = 5) -> list[RecomputeJob]:
    return list(plan.jobs.select_related("requested_by").order_by("-requested_at", "-id")[:limit])


def jobs_visible_to(user) -> QuerySet[RecomputeJob]:
    """Jobs belong to their plan: whoever reads the plan reads its jobs."""
    return RecomputeJob.objects.filter(plan__in=QuotaPlan.objects.visible_to(user)).select_related(
        "plan", "requested_by")


def reallocations_visible_to(user) -> QuerySet[Reallocation]:
    return Reallocation.objects.filter(plan__in=QuotaPlan.objects.visible_to(user)).select_related(
        "plan", "performed_by")


def visible_changes(*, reallocation: Reallocation, user) -> list[dict]:
    """The changes of one rebalance the user may see (their party organizations')."""
    visible = set(PartyOrganization.objects.visible_to(user).filter(
        pk__in=[c["party_org"] for c in reallocation.changes]).values_list("pk", flat=True))
    return [dict(change, change=change["after"] - change["before"])
            for change in reallocation.changes if change["party_org"] in visible]


def grades_visible_to(user) -> QuerySet[EvaluationGrade]:
    """Grades belong to their party organization's scope."""
    return EvaluationGrade.objects.filter(party_org__in=PartyOrganization.objects.visible_to(user)).select_related(
        "party_org", "party_org__area")


def party_orgs_with_grade(*, year: int) -> QuerySet[PartyOrganization]:
    """Party organizations annotated with their grade and note for ``year`` (unscoped:
    the list view scopes it through ``visible_to``)."""
    grade = EvaluationGrade.objects.filter(party_org=OuterRef("pk"), year=year)
    return (PartyOrganization.objects.select_related("area")
            .annotate(grade=Subquery(grade.values("grade")[:1]), grade_note=Subquery(grade.values("note")[:1]))
            .order_by("area__code", "name"))


def request_rows() -> QuerySet[QuotaRequest]:
    """Pending requests first, the longest waiting first; then the decided ones, newest first."""
    return (QuotaRequest.objects.select_related("plan", "party_org", "party_org__area", "requested_by",
                                                "decided_by")
            .annotate(pending_rank=Case(When(status=RequestStatus.PENDING, then=Value(0)), default=Value(1),
                                        output_field=IntegerField()))
            .order_by("pending_rank", Case(When(status=RequestStatus.PENDING, then=F("requested_at"))),
                      F("requested_at").desc(), "-id"))


def pending_requests_count(*, user, plan: QuotaPlan | None = None) -> int:
    queryset = QuotaRequest.objects.visible_to(user).filter(status=RequestStatus.PENDING)
    if plan is not None:
        queryset = queryset.filter(plan=plan)
    return queryset.count()


def may_file_requests(user) -> bool:
    """Filing a request is acting for a party organization the user may change;
    read-only roles (auditors, instructors) never may."""
    return (bool(user and user.is_authenticated and user.is_active) and not user.is_read_only
            and PartyOrganization.objects.editable_by(user).exists())
