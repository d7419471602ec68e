"""Plans: demand-driven recompute, idempotency, and seats consumed exactly once."""
from datetime import date

import pytest

from accounts.models import Role
from members import services as member_services
from members.choices import Stage
from members.models import Dossier, StepRecord
from quotas import services
from quotas.errors import QuotaExhausted, RecomputeRunning
from quotas.models import JobStatus, QuotaAllocation, QuotaPlan, RecomputeJob, Seat, SeatState
from tests.factories import PartyOrganizationFactory, PersonFactory
from tests.members.helpers import advance


def dossier_at(party_org, stage, *, cultivation_start=date(2025, 3, 1), rule_set=None):
    from members.models import RuleSetVersion

    person = PersonFactory()
    return Dossier.objects.create(person=person, party_org=party_org, stage=stage, state="active",
                                  cultivation_start=cultivation_start,
                                  rule_set=rule_set or RuleSetVersion.objects.current())


@pytest.fixture
def county_admin(world):
    return world.users[Role.COUNTY_ADMIN]


def make_plan(admin, year=2026, seats=3, **extra):
    return services.create_plan(by=admin, data={"year": year, "name": f"{year}年发展党员计划", "total_seats": seats,
                                                **extra})


def recompute(plan, admin, capture):
    with capture(execute=True):
        job = services.start_recompute(plan=plan, by=admin)
    job.refresh_from_db()
    return job


def test_recompute_follows_ready_demand_and_is_idempotent(world, county_admin, django_capture_on_commit_callbacks):
    strong, weak = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    for _ in range(3):
        dossier_at(strong, Stage.CANDIDATE)
    dossier_at(weak, Stage.CANDIDATE)
    dossier_at(weak, Stage.ACTIVIST, cultivation_start=date(2026, 6, 1))   # not one year by 31 Dec 2026
    plan = make_plan(county_admin, seats=10)
    job = recompute(plan, county_admin, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE and job.progress == 100 and "total" in job.timings
    seats = dict(QuotaAllocation.objects.filter(plan=plan).values_list("party_org", "seats"))
    assert seats == {strong.pk: 3, weak.pk: 1}            # never more than ready demand
    plan.refresh_from_db()
    assert plan.unallocated_seats == 6
    rows = QuotaAllocation.objects.get(plan=plan, party_org=strong)
    assert rows.breakdown["candidates"] == 3 and rows.ready_demand == 3
    assert recompute(plan, county_admin, django_capture_on_commit_callbacks).status == JobStatus.DONE
    assert QuotaAllocation.objects.filter(plan=plan).count() == 2
    assert dict(QuotaAllocation.objects.filter(plan=plan).values_list("party_org", "seats")) == seats


def test_good_standing_unit_with_a_candidate_gets_a_seat_while_seats_allow(world, county_admin,
                                                                          django_capture_on_commit_callbacks):
    strong, small = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    for _ in range(20):
        dossier_at(strong, Stage.CANDIDATE)
    dossier_at(small, Stage.CANDIDATE)
    plan = make_plan(county_admin, seats=5, org_method="jefferson", township_method="jefferson")
    assert recompute(plan, county_admin, django_capture_on_commit_callbacks).status == JobStatus.DONE
    seats = dict(QuotaAllocation.objects.filter(plan=plan).values_list("party_org", "seats"))
    assert seats[small.pk] == 1 and seats[strong.pk] == 4


def test_second_recompute_refused_while_one_is_active(world, county_admin):
    plan = make_plan(county_admin)
    RecomputeJob.objects.create(plan=plan, status=JobStatus.RUNNING)
    with pytest.raises(RecomputeRunning):
        services.start_recompute(plan=plan, by=county_admin)


def test_only_the_county_makes_plans(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        make_plan(world.users[Role.TOWNSHIP_WORKER])


def issued_plan(admin, party_org, *, year, seats):
    plan = make_plan(admin, year=year, seats=seats)
    QuotaAllocation.objects.create(plan=plan, party_org=party_org, area=party_org.area, seats=seats)
    plan.computed_at = plan.created_at
    plan.save()
    services.issue_plan(plan=plan, by=admin)
    return plan


@pytest.fixture
def gated_world(world, county_admin):
    party_org = world.obj("party_organization", "own")
    issued_plan(county_admin, party_org, year=2024, seats=1)
    return world


def test_pre_review_reserves_and_approval_uses_the_seat(gated_world):
    track = advance(gated_world, "admission_filing")      # through admission_approval in 2024
    seat = Seat.objects.get(dossier=track.dossier)
    assert seat.state == SeatState.USED and seat.used_on.year == 2024
    allocation = seat.allocation
    assert (allocation.used, allocation.reserved) == (1, 0)


def test_no_seat_left_refuses_and_saves_nothing(gated_world):
    advance(gated_world, "application_form")               # first candidate reserves the only seat
    with pytest.raises(QuotaExhausted) as refused:
        advance(gated_world, "application_form")            # second one: pre_review refused
    assert "名额已用完" in refused.value.message
    assert StepRecord.objects.filter(step="pre_review").count() == 1


def test_ending_a_dossier_before_approval_releases_its_reservation(gated_world):
    track = advance(gated_world, "application_form")
    member_services.end_dossier(dossier=track.dossier, kind="withdrawn", reason="resigned", on=date(2024, 6, 1),
                                by=gated_world.users[Role.TOWNSHIP_WORKER])
    allocation = QuotaAllocation.objects.get()
    assert allocation.reserved == 0
    assert Seat.objects.get(dossier=track.dossier).state == SeatState.RELEASED
    advance(gated_world, "application_form")               # the seat is free again
