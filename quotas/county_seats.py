"""How a plan's seats stand: what units hold, what approved requests granted, what the
county still holds.

One invariant ties the figures together, on the page, in the API and after every action:

    total_seats = Σ allocation seats + Σ extra seats + plan.unallocated_seats

Seats reach a unit in two ways: the recompute job apportions them by demand, and an
approved request (追加名额) grants extra seats at once, out of the seats the county still
holds — its reserve first.  So the job apportions ``total − max(reserve, approved extra
seats)``: the reserve stays with the county for rebalancing and requests, and extra seats
beyond the reserve come out of what the job may share.
"""
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from .models import QuotaAllocation, QuotaPlan, QuotaRequest, RequestStatus


def approved_extra_seats(*, plan: QuotaPlan) -> dict[int, int]:
    """Party organization id → seats granted by the plan's approved requests."""
    return dict(QuotaRequest.objects.filter(plan=plan, status=RequestStatus.APPROVED)
                .values_list("party_org").annotate(n=Sum("approved_seats")).values_list("party_org", "n"))


def seats_in_use(*, plan: QuotaPlan) -> dict[int, tuple[int, int]]:
    """Party organization id → (used, reserved), for the allocations holding any."""
    # order_by(): the allocations' default ordering would join areas and organizations and sort.
    return {pk: (used, reserved) for pk, used, reserved in QuotaAllocation.objects.filter(plan=plan)
            .filter(Q(used__gt=0) | Q(reserved__gt=0)).order_by().values_list("party_org_id", "used", "reserved")}


def seats_held(*, in_use: dict, approved: dict) -> dict[int, tuple[int, int, int]]:
    """Party organization id → (used, reserved, extra seats): what a recompute keeps."""
    held = {pk: (used, reserved, approved.get(pk, 0)) for pk, (used, reserved) in in_use.items()}
    for pk, extra in approved.items():
        held.setdefault(pk, (0, 0, extra))
    return held


def shareable_seats(*, total_seats: int, reserve_seats: int, approved_total: int) -> int:
    """The seats the recompute job shares by demand: the plan's seats less the county
    reserve, less the extra seats granted beyond the reserve."""
    return max(0, total_seats - max(reserve_seats, approved_total))


def seats_to_apportion(*, plan: QuotaPlan) -> int:
    """:func:`shareable_seats` of ``plan`` as it stands (the what-if page's default total)."""
    return shareable_seats(total_seats=plan.total_seats, reserve_seats=plan.reserve_seats,
                           approved_total=sum(approved_extra_seats(plan=plan).values()))


def allocated_seats(*, plan: QuotaPlan) -> int:
    """Seats and extra seats held by the plan's party organizations."""
    return QuotaAllocation.objects.filter(plan=plan).aggregate(
        n=Coalesce(Sum("seats"), 0) + Coalesce(Sum("extra_seats"), 0))["n"]
