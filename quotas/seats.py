"""Seats consumed exactly once ("无计划不发展", domain.md §3).

A seat is reserved when the county pre-review lists the candidate in the plan
(``pre_review``), becomes used at admission approval — in the year of approval, by the
developing organization — or is released if the person is not admitted.  Counters
change by guarded UPDATEs under the allocation's row lock, and a database constraint
(used + reserved <= seats + extra seats) backs them, so concurrent approvals can never
exceed an allocation.

Row locks take only the row itself (``of=("self",)``): locking the joined plan or party
organization too would serialize unrelated approvals and deadlock with a recompute,
which locks the plan before it writes allocations.

A probationary member whose status is later cancelled keeps the seat used, even in
the same year: the admission happened and is counted in the year's statistics, so the
seat does not return to the plan (README, "Seats").

These functions are the gates ``quotas`` registers with the procedure engine; they run
inside ``members.services.take_step``'s transaction, so a refusal saves nothing.
"""
from datetime import date

from django.db.models import F

from .errors import QuotaExhausted
from .models import PlanStatus, QuotaAllocation, Seat, SeatState


def _allocation(dossier, year: int):
    allocation = (QuotaAllocation.objects.select_for_update(of=("self",)).select_related("plan", "party_org")
                  .filter(plan__year=year, plan__status__in=(PlanStatus.ISSUED, PlanStatus.CLOSED),
                          party_org_id=dossier.party_org_id).first())
    if allocation is None:
        raise QuotaExhausted(f"{dossier.party_org}没有{year}年度的发展计划名额（无计划不发展）。",
                             party_org=dossier.party_org_id, year=year)
    return allocation


def _take(allocation, field: str) -> None:
    """+1 on ``field`` only while a seat is free; 0 rows updated means none was."""
    free = F("seats") + F("extra_seats") - F("used") - F("reserved")
    taken = (QuotaAllocation.objects.filter(pk=allocation.pk).annotate(free=free).filter(free__gt=0)
             .update(**{field: F(field) + 1}))
    if not taken:
        raise QuotaExhausted(f"{allocation.party_org}{allocation.plan.year}年度发展名额已用完，"
                             f"请向县委组织部申请追加名额或等待年中调剂。",
                             party_org=allocation.party_org_id, year=allocation.plan.year)


def _live_seat(dossier):
    return Seat.objects.select_for_update(of=("self",)).select_related("allocation__plan").filter(dossier=dossier) \
        .exclude(state=SeatState.RELEASED).first()


def reserve_seat(*, dossier, on: date, by=None) -> Seat:
    """Gate of ``pre_review``: list the candidate in this year's plan."""
    if _live_seat(dossier) is not None:
        return _live_seat(dossier)
    allocation = _allocation(dossier, on.year)
    _take(allocation, "reserved")
    return Seat.objects.create(allocation=allocation, dossier=dossier, state=SeatState.RESERVED, reserved_on=on)


def use_seat(*, dossier, on: date, by=None) -> Seat:
    """Gate of ``admission_approval``: the seat becomes final in the year of approval."""
    seat = _live_seat(dossier)
    if seat is not None and seat.state == SeatState.RESERVED and seat.allocation.plan.year == on.year:
        QuotaAllocation.objects.filter(pk=seat.allocation_id).update(reserved=F("reserved") - 1, used=F("used") + 1)
        seat.state, seat.used_on = SeatState.USED, on
        seat.save(update_fields=["state", "used_on"])
        return seat
    if seat is not None:
        _release(seat, on)   # reserved in another year: that year's seat goes back
    allocation = _allocation(dossier, on.year)
    _take(allocation, "used")
    return Seat.objects.create(allocation=allocation, dossier=dossier, state=SeatState.USED, used_on=on)


def release_seat(*, dossier, on: date, **kwargs) -> None:
    """The person is not admitted (dossier ended before approval): the reservation returns."""
    seat = _live_seat(dossier)
    if seat is not None and seat.state == SeatState.RESERVED:
        _release(seat, on)


def _release(seat: Seat, on: date) -> None:
    QuotaAllocation.objects.filter(pk=seat.allocation_id).update(reserved=F("reserved") - 1)
    seat.state, seat.released_on = SeatState.RELEASED, on
    seat.save(update_fields=["state", "released_on"])
