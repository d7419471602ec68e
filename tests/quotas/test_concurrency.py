"""Seats are never over-consumed, with real concurrent transactions (issue 4, part 6).

Each test starts N threads, each with its own PostgreSQL connection; a
``threading.Barrier`` releases them together, and every thread approves one dossier of
the same party organization in its own transaction.  The allocation holds M < N free
seats, so exactly M approvals must succeed and the other N − M must be refused with
``QuotaExhausted`` and save nothing.

How the dossiers are prepared (kept simple on purpose): each is driven through the
JOURNEY up to just before ``admission_approval`` with the services.  In the first test
the ``pre_review`` gate is switched off while they are prepared, so no dossier holds a
reservation and every approval must take a fresh seat — the contended path (guarded
UPDATE under the allocation's row lock).  The second test mixes the two paths: some
dossiers reserved their seat at ``pre_review`` (those approvals must all succeed), the
others compete for the seats left.  The third test calls the ``admission_approval`` gate
itself (``quotas.seats.use_seat``) in bare transactions, so the seat's own locking is
proven whatever locks ``members.services.take_step`` takes before it.

PostgreSQL only: SQLite locks the whole database per write, so it could not show
anything.  CI runs PostgreSQL (``.ci/run`` sets DATABASE_URL).  The tests are
transactional (threads cannot see a test's uncommitted data) with a serialized
rollback, so the rule sets and holidays seeded by migrations are there for them, and
put back when the module ends for the transactional tests after it.
"""
import threading
import time

import pytest
from django.db import connection, transaction

from accounts.models import Role, User
from members import procedure
from members import services as member_services
from members.choices import Stage
from members.models import Dossier, RuleSetVersion, StepRecord
from quotas import seats as seat_gates
from quotas.errors import QuotaExhausted
from quotas.models import QuotaAllocation, Seat, SeatState
from tests.factories import PersonFactory
from tests.members.helpers import advance, journey_date
from tests.quotas.test_plans import issued_plan

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: real concurrent transactions with row locks "
                              "(SQLite locks the whole database; CI sets DATABASE_URL to PostgreSQL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

APPROVED_ON = journey_date("admission_approval")      # 2024-07-01
YEAR = APPROVED_ON.year
THREAD_TIMEOUT = 60                                   # seconds; a hang fails the test instead of CI


class Outcome:
    """What one thread saw: ``error`` is None for an approval; times are perf_counter()."""

    def __init__(self):
        self.error = None
        self.started = self.finished = None


def run_together(dossier_ids, action) -> dict[int, Outcome]:
    """Run ``action(dossier_id)`` in one thread (one connection, one transaction) per
    dossier, all released at once by a barrier; returns each dossier's outcome."""
    barrier = threading.Barrier(len(dossier_ids))
    outcomes = {pk: Outcome() for pk in dossier_ids}

    def run(pk):
        outcome = outcomes[pk]
        try:
            connection.ensure_connection()        # connect before the barrier, not in the race
            barrier.wait(timeout=THREAD_TIMEOUT)
            outcome.started = time.perf_counter()
            action(pk)
        except Exception as error:  # noqa: BLE001 — recorded and asserted on by the test
            outcome.error = error
        finally:
            outcome.finished = time.perf_counter()
            connection.close()

    threads = [threading.Thread(target=run, args=(pk,), name=f"approve-{pk}") for pk in dossier_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "an approval thread hung (lock never released?)"
    unexpected = {pk: repr(o.error) for pk, o in outcomes.items()
                  if o.error is not None and not isinstance(o.error, QuotaExhausted)}
    assert not unexpected, f"approvals failed for another reason than an exhausted quota: {unexpected}"
    # Evidence that the transactions really overlapped: several were in flight before
    # the first one finished (each approval runs dozens of queries, so this holds).
    first_done = min(o.finished for o in outcomes.values())
    assert sum(o.started < first_done for o in outcomes.values()) >= 2
    return outcomes


def approve_through_the_service(worker_id):
    def approve(pk):
        member_services.take_step(dossier=Dossier.objects.get(pk=pk), step="admission_approval", on=APPROVED_ON,
                                  data={}, by=User.objects.get(pk=worker_id))
    return approve


def prepared_dossiers(world, count: int, *, reserve: bool, monkeypatch) -> list[int]:
    """``count`` dossiers of township A's party organization, every JOURNEY step taken
    before ``admission_approval``; with ``reserve`` False the pre_review gate is off
    while they are prepared, so they hold no seat."""
    ids = []
    with monkeypatch.context() as patch:
        if not reserve:
            patch.setitem(procedure._gates, "pre_review", [])
        for _ in range(count):
            ids.append(advance(world, "admission_approval").dossier.pk)
    return ids


def snapshot(dossier_ids) -> dict[int, tuple]:
    """What an approval changes on a dossier, read fresh."""
    return {d.pk: (d.stage, d.current_step, d.approved_on, d.history.count(), d.person.membership,
                   d.records.count(), d.seats.count())
            for d in Dossier.objects.filter(pk__in=dossier_ids).select_related("person")}


def split(outcomes) -> tuple[set[int], set[int]]:
    approved = {pk for pk, o in outcomes.items() if o.error is None}
    return approved, set(outcomes) - approved


def assert_refusals_saved_nothing(outcomes, refused, before) -> None:
    after = snapshot(refused)
    for pk in refused:
        assert "名额已用完" in outcomes[pk].error.message
        assert after[pk] == before[pk], f"a refused approval changed dossier {pk}"
    assert not StepRecord.objects.filter(dossier__in=refused, step="admission_approval").exists()
    assert not StepRecord.history.filter(dossier_id__in=refused, step="admission_approval").exists()
    assert not Seat.objects.filter(dossier__in=refused).exists()


def assert_approved(approved) -> None:
    for dossier in Dossier.objects.filter(pk__in=approved):
        assert dossier.stage == Stage.PROBATIONARY and dossier.approved_on == APPROVED_ON
        assert dossier.records.filter(step="admission_approval").count() == 1
        assert dossier.seats.get().state == SeatState.USED


@pytest.fixture(scope="module", autouse=True)
def seeded_data_back_afterwards(django_db_blocker):
    """A transactional test empties the database when it ends.  Put the data seeded by
    migrations (rule sets, holidays, schedules) back once this module is done, so the
    transactional tests that come after it on the same worker find it."""
    yield
    serialized = getattr(connection, "_test_serialized_contents", None)
    if serialized:
        with django_db_blocker.unblock():
            connection.creation.deserialize_db_from_string(serialized)


@pytest.fixture
def county_admin(world):
    return world.users[Role.COUNTY_ADMIN]


N, M = 8, 3


def test_simultaneous_approvals_take_exactly_the_free_seats(world, county_admin, monkeypatch):
    party_org = world.obj("party_organization", "own")
    dossiers = prepared_dossiers(world, N, reserve=False, monkeypatch=monkeypatch)
    issued_plan(county_admin, party_org, year=YEAR, seats=M)
    assert not Seat.objects.exists()
    before = snapshot(dossiers)

    outcomes = run_together(dossiers, approve_through_the_service(world.users[Role.TOWNSHIP_WORKER].pk))

    approved, refused = split(outcomes)
    assert (len(approved), len(refused)) == (M, N - M)
    assert StepRecord.objects.filter(step="admission_approval").count() == M
    assert Seat.objects.filter(state=SeatState.USED).count() == Seat.objects.count() == M
    allocation = QuotaAllocation.objects.get(plan__year=YEAR, party_org=party_org)
    assert (allocation.used, allocation.reserved, allocation.seats) == (M, 0, M)
    assert_approved(approved)
    assert_refusals_saved_nothing(outcomes, refused, before)


def test_reserved_seats_are_kept_while_the_others_compete(world, county_admin, monkeypatch):
    """R dossiers reserved their seat at pre_review; U others did not.  The allocation has
    R + F seats: all R approvals succeed and exactly F of the U others do."""
    reserved_count, unreserved_count, free = 3, 5, 2
    party_org = world.obj("party_organization", "own")
    issued_plan(county_admin, party_org, year=YEAR, seats=reserved_count + free)
    holders = prepared_dossiers(world, reserved_count, reserve=True, monkeypatch=monkeypatch)
    others = prepared_dossiers(world, unreserved_count, reserve=False, monkeypatch=monkeypatch)
    reservations = dict(Seat.objects.filter(state=SeatState.RESERVED).values_list("dossier", "pk"))
    assert set(reservations) == set(holders)
    before = snapshot(others)

    outcomes = run_together(holders + others, approve_through_the_service(world.users[Role.TOWNSHIP_WORKER].pk))

    approved, refused = split(outcomes)
    assert set(holders) <= approved, "an approval holding a reserved seat was refused"
    assert len(approved & set(others)) == free and len(refused) == unreserved_count - free
    # The reserved seats became used in place: same rows, no second seat for a holder.
    used = dict(Seat.objects.filter(state=SeatState.USED).values_list("dossier", "pk"))
    assert {pk: used[pk] for pk in holders} == reservations
    assert Seat.objects.count() == reserved_count + free
    allocation = QuotaAllocation.objects.get(plan__year=YEAR, party_org=party_org)
    assert (allocation.used, allocation.reserved) == (reserved_count + free, 0)
    assert_approved(approved)
    assert_refusals_saved_nothing(outcomes, refused, before)


def test_the_seat_gate_alone_never_over_consumes(world, county_admin):
    """The admission_approval gate in bare concurrent transactions, without take_step's
    dossier lock in front of it."""
    count, seats = 12, 5
    party_org = world.obj("party_organization", "own")
    rule_set = RuleSetVersion.objects.current()
    dossiers = [Dossier.objects.create(person=PersonFactory(), party_org=party_org, rule_set=rule_set,
                                       stage=Stage.CANDIDATE, state="active").pk for _ in range(count)]
    issued_plan(county_admin, party_org, year=YEAR, seats=seats)

    def use(pk):
        with transaction.atomic():
            seat_gates.use_seat(dossier=Dossier.objects.get(pk=pk), on=APPROVED_ON)

    approved, refused = split(run_together(dossiers, use))
    assert (len(approved), len(refused)) == (seats, count - seats)
    assert sorted(Seat.objects.values_list("dossier", flat=True)) == sorted(approved)
    allocation = QuotaAllocation.objects.get(plan__year=YEAR, party_org=party_org)
    assert (allocation.used, allocation.reserved) == (seats, 0)

