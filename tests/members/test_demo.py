"""The demo county's people, dossiers and plans (seed_demo's members and quotas parts).

One small county (``--units 60``) is built once for the module, with the quota gates
registered as in production; every test reads it inside its own rolled-back
transaction."""
from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from stdnum.cn import ric

from members import procedure, services
from members.choices import DossierState, Membership, Sex, Stage
from members.demo import DEMO_TODAY
from members.facts import DossierFacts, PersonFact, ReviewSideFact, StepFact
from members.facts_loader import approver_fact, working_calendar
from members.models import (Alert, Attendance, ContactRecord, Dossier, Person, PoliticalReview, RuleSetVersion,
                            StepRecord, Transfer)
from quotas.county_seats import allocated_seats
from quotas.models import (JobStatus, PlanStatus, QuotaAllocation, QuotaPlan, QuotaRequest, RecomputeJob, Seat,
                           TownshipAllocation)

UNITS = 60


@pytest.fixture(autouse=True)
def without_quota_gates():
    """Overrides tests/members/conftest.py: the demo is built and read with the real gates."""


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            output = StringIO()
            call_command("seed_demo", "--units", str(UNITS), stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)


@pytest.fixture
def built(demo, db):
    return demo


def snapshot() -> list:
    """Everything a second build must repeat (ids differ after a reset, so none are kept)."""
    rows = []
    for dossier in Dossier.objects.select_related("person", "party_org").order_by("person__id_number", "applied_on"):
        steps = [(r.step, r.taken_on, r.data.get("source"), r.data.get("outcome"))
                 for r in dossier.records.order_by("taken_on", "id")]
        rows.append((dossier.person.id_number, dossier.person.name, dossier.party_org.name, dossier.stage,
                     dossier.state, dossier.end_reason, dossier.lost_contact_since, tuple(steps)))
    rows.append(sorted(Person.objects.values_list("id_number", "membership", "party_age_from")))
    rows.append(sorted(QuotaAllocation.objects.values_list("plan__year", "party_org__name", "seats", "used",
                                                           "reserved")))
    rows.append(sorted(QuotaRequest.objects.values_list("party_org__name", "seats", "status")))
    rows.append(sorted(Alert.objects.values_list("dossier__person__id_number", "kind", "due_on")))
    return rows


# ---- what is there ---------------------------------------------------------------------------

def test_summary_lines(built):
    assert "发展党员：人员" in built and "发展档案" in built
    assert f"{DEMO_TODAY.year}年度计划" in built and "追加名额申请待审批" in built


def test_people_per_unit_and_valid_id_numbers(built):
    people = list(Person.objects.all())
    assert len(people) == round(UNITS * 7.5)
    for person in people:
        ric.validate(person.id_number)
        assert person.birth_date == ric.get_birth_date(person.id_number)
        assert person.sex == (Sex.MALE if int(person.id_number[16]) % 2 else Sex.FEMALE)
        assert 2 <= len(person.name) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in person.name)
    assert len({p.id_number for p in people}) == len(people)
    assert len({p.education for p in people}) >= 4 and len({p.occupation for p in people}) >= 5
    migrants = [p for p in people if p.is_migrant]
    assert migrants and all(not p.household_registration.startswith("浙江省清溪县") for p in migrants)
    assert Counter(p.membership for p in people)[Membership.FULL] > 50


def test_every_stage_and_state_is_present(built):
    stages = Counter(Dossier.objects.exclude(state=DossierState.ENDED).values_list("stage", flat=True))
    assert all(stages[stage] for stage in Stage.values), stages
    states = Counter(Dossier.objects.values_list("state", flat=True))
    assert all(states[state] for state in DossierState.values), states
    sources = set(Dossier.objects.values_list("source", flat=True))
    assert {"league", "trade_union", "members", "self"} <= sources
    reasons = Counter(Dossier.objects.filter(state=DossierState.ENDED).exclude(end_reason="")
                      .values_list("end_reason", flat=True))
    assert reasons.most_common(1)[0][0] == "resigned"


def test_mentors_and_introducers_are_registered_full_members(built):
    for record in StepRecord.objects.filter(step__in=("assign_mentors", "assign_introducers")):
        ids = record.data.get("mentors") or record.data.get("introducers")
        members = Person.objects.filter(pk__in=ids)
        assert len(members) == len(ids)
        assert all(m.membership == Membership.FULL and m.member_party_org_id for m in members)


def test_transfers_lost_contact_overdue_and_outstanding_reviews(built):
    pending = Transfer.objects.filter(state="requested").select_related("from_party_org", "to_party_org", "dossier")
    assert pending and all(t.dossier.state == DossierState.IN_TRANSIT for t in pending)
    assert any(t.from_party_org.area_id != t.to_party_org.area_id for t in pending)
    assert Transfer.objects.filter(state="accepted").exists()
    lost = Dossier.objects.filter(state=DossierState.LOST_CONTACT)
    assert lost and all(d.lost_contact_since and d.lost_contact_since <= DEMO_TODAY for d in lost)
    overdue = set(Alert.objects.filter(due_on__lt=DEMO_TODAY).values_list("kind", flat=True))
    assert {"talk_due", "activist_review_due", "lost_contact", "transfer_waiting"} <= overdue
    outstanding = PoliticalReview.objects.filter(replied_on__isnull=True).exclude(dossier__state=DossierState.ENDED)
    assert outstanding.exists()
    assert any(r.dossier.political_reviews.filter(replied_on__isnull=False).exists() for r in outstanding)
    assert Attendance.objects.filter(person__isnull=False).exists() and ContactRecord.objects.exists()


def test_no_active_dossier_is_left_to_be_marked_lost(built):
    """The alert job already ran for the demo's today: running it again marks nobody."""
    from members import alerts
    assert alerts.mark_lost_contacts(today=DEMO_TODAY)["marked"] == 0


# ---- every record passes the engine ---------------------------------------------------------

def test_every_dossier_replays_through_the_engine(built):
    rules = RuleSetVersion.objects.current().rules
    calendar = working_calendar(date(2017, 1, 1), DEMO_TODAY)
    people = {p.pk: PersonFact(p.pk, p.name, p.membership) for p in Person.objects.all()}
    approvers, problems, checked = {}, [], 0
    dossiers = Dossier.objects.select_related("person", "party_org").prefetch_related(
        "records__party_org", "political_reviews", "transfers")
    for dossier in dossiers:
        person = dossier.person
        sides = [ReviewSideFact(r.side, r.replied_on, r.passed) for r in dossier.political_reviews.all()]
        courses = [(a.course.ends_on, a.days, a.hours) for a in Attendance.objects.filter(
            person=person, course__kind="candidate", passed=True).select_related("course")]
        restarts = [t.decided_on for t in dossier.transfers.all() if t.state == "accepted" and t.carry_cultivation is False]
        done = []
        for record in sorted(dossier.records.all(), key=lambda r: (r.taken_on, r.pk)):
            # cultivation counts from the designation, or from a transfer that did not carry it over
            designated = [s.on for s in done if s.code == "designate_activist"]
            current = max([d for d in restarts if d <= record.taken_on] + designated[:1], default=None)
            org = record.party_org or dossier.party_org
            key = (org.pk, record.data.get("approved_by"))
            if key not in approvers:
                approvers[key] = approver_fact(org, record.data.get("approved_by"))
            facts = DossierFacts(
                birth_date=person.birth_date, is_migrant=person.is_migrant, state="active", records=tuple(done),
                cultivation_start=current, review_sides=tuple(sides),
                training_days=sum((d for end, d, _ in courses if end <= record.taken_on), Decimal(0)),
                training_hours=sum((h for end, _, h in courses if end <= record.taken_on), Decimal(0)),
                approver=approvers[key], today=DEMO_TODAY)
            verdict = procedure.check(rules, facts, record.step, record.taken_on, record.data, people=people,
                                      calendar=calendar)
            if not verdict.ok:
                problems.append((person.name, record.step, record.taken_on, verdict.message))
            done.append(StepFact(record.step, record.taken_on, record.data))
            checked += 1
            assert record.taken_on <= DEMO_TODAY
    assert checked > 2000
    assert problems == []


def test_bulk_written_dossiers_match_what_the_services_derive(built):
    """The bulk-written derived fields are those ``refresh_derived`` computes from the records."""
    admin = get_user_model().objects.get(username="admin")
    fields = ["stage", "state", "applied_on", "activist_on", "cultivation_start", "candidate_on", "admission_vote_on",
              "approved_on", "probation_ends_on", "full_on", "current_step", "last_step_on", "last_contact_on",
              "source", "unit_id"]
    assert not Dossier.objects.filter(unit__isnull=True).exists()
    dossiers = Dossier.objects.exclude(state=DossierState.LOST_CONTACT).exclude(records__isnull=True)
    for dossier in dossiers.select_related("person", "rule_set").distinct():
        before = [getattr(dossier, f) for f in fields]
        person = (dossier.person.membership, dossier.person.party_age_from, dossier.person.member_party_org_id)
        services.refresh_derived(dossier, by=admin)
        dossier.refresh_from_db()
        dossier.person.refresh_from_db()
        assert [getattr(dossier, f) for f in fields] == before, dossier.pk
        assert (dossier.person.membership, dossier.person.party_age_from,
                dossier.person.member_party_org_id) == person, dossier.pk


# ---- plans and seats -----------------------------------------------------------------------

def test_this_years_plan_is_issued_allocated_and_partly_used(built):
    plan = QuotaPlan.objects.get(year=DEMO_TODAY.year)
    assert plan.status == PlanStatus.ISSUED and plan.computed_at is not None
    assert RecomputeJob.objects.filter(plan=plan, status=JobStatus.DONE, progress=100).count() == 1
    allocations = list(QuotaAllocation.objects.filter(plan=plan))
    seats = sum(a.seats + a.extra_seats for a in allocations)
    used = sum(a.used for a in allocations)
    assert 0 < used < seats and all(a.breakdown for a in allocations)
    assert QuotaRequest.objects.filter(plan=plan, status="pending").exists()
    past = QuotaPlan.objects.exclude(year=DEMO_TODAY.year)
    assert past and all(p.status == PlanStatus.CLOSED for p in past)
    assert StepRecord.objects.filter(step="admission_approval", taken_on__year=DEMO_TODAY.year).count() == used


def test_seats_match_the_approvals(built):
    for allocation in QuotaAllocation.objects.all():
        states = Counter(allocation.seat_records.values_list("state", flat=True))
        assert (allocation.used, allocation.reserved) == (states["used"], states["reserved"])
        assert allocation.used + allocation.reserved <= allocation.seats + allocation.extra_seats
    for record in StepRecord.objects.filter(step="admission_approval"):
        seat = Seat.objects.select_related("allocation__plan").get(dossier=record.dossier, state="used")
        assert seat.used_on == record.taken_on and seat.allocation.plan.year == record.taken_on.year
        assert seat.allocation.party_org_id == record.party_org_id
    assert Seat.objects.filter(state="used").count() == StepRecord.objects.filter(step="admission_approval").count()
    assert_seats_add_up()


# ---- the same every time, and --reset ----------------------------------------------------------

def test_reset_rebuilds_the_same_county(built):
    first = snapshot()
    output = StringIO()
    call_command("seed_demo", "--reset", "--units", str(UNITS), stdout=output)
    assert "正在删除现有登记数据" in output.getvalue()
    assert snapshot() == first
    assert Dossier.objects.count() == len(first) - 4


def test_members_alone_finish_their_dossiers_without_gates(db, monkeypatch):
    """Without quota gates (members without quotas) the members part writes every step
    itself; the quotas part then only records the seats those histories took."""
    monkeypatch.setattr(procedure, "_gates", {})
    call_command("seed_demo", "--reset", "--units", "30", stdout=StringIO())
    approvals = StepRecord.objects.filter(step="admission_approval")
    assert approvals.filter(taken_on__year=DEMO_TODAY.year).exists()
    assert Seat.objects.filter(state="used").count() == approvals.count()
    for allocation in QuotaAllocation.objects.all():
        assert allocation.used + allocation.reserved <= allocation.seats + allocation.extra_seats
    assert_seats_add_up()


def assert_seats_add_up():
    """Every plan: total = Σ seats + Σ extra seats + unallocated, and each township's
    allocation is what its party organizations hold."""
    for plan in QuotaPlan.objects.all():
        assert plan.total_seats == allocated_seats(plan=plan) + plan.unallocated_seats, plan.year
        by_area = Counter()
        for area, seats in QuotaAllocation.objects.filter(plan=plan).values_list("area", "seats"):
            by_area[area] += seats
        townships = dict(TownshipAllocation.objects.filter(plan=plan).values_list("area", "seats"))
        assert {k: v for k, v in townships.items() if v} == {k: v for k, v in by_area.items() if v}, plan.year
