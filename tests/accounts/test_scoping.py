"""``visible_to`` keeps one row per object, however the scope reaches it.

A condition along forward foreign keys is filtered in place (the planner can then
combine it with the caller's filters); one that crosses a to-many relation — a
unit covered by several party organizations, a person with several dossiers — goes
through a sub-select.  These tests build the cases where a join would repeat rows
and count them through the public querysets, plain and aggregated.
"""
from datetime import date

import pytest
from django.db.models import Count, Exists, OuterRef, Q

from accounts.models import Role
from accounts.scoping import crosses_many
from members import services, transfers
from members.choices import EndKind, EndReason
from members.models import Dossier, Person
from organizations.models import Organization, PartyOrganization
from tests.factories import OrganizationFactory, PartyOrganizationFactory, PersonFactory, UserFactory
from tests.members.test_transfers import make_sides


@pytest.mark.parametrize("model,condition,expected", [
    (Dossier, Q(party_org__area__path__startswith="/1/"), False),
    (Dossier, Q(pk__in=[1, 2]) | Q(party_org__path__startswith="/1/"), False),
    (Dossier, Q(transfers__state="requested"), True),
    (Dossier, Q(state="active") & (Q(pk=1) | Q(person__current_unit__instructors__id=3)), True),
    (Person, Q(dossiers__party_org__area__path__startswith="/1/"), True),
    (Organization, Q(township__path__startswith="/1/"), False),
    (Organization, Q(party_organizations__path__startswith="/1/"), True),
    (Organization, Q(Exists(Organization.objects.filter(pk=OuterRef("pk")))), True),   # expressions: sub-select
])
def test_crosses_many_tells_to_many_lookups_from_forward_keys(model, condition, expected):
    assert crosses_many(model, condition) is expected


def test_a_unit_covered_by_two_of_a_secretarys_party_organizations_is_listed_once(world):
    parent = world.obj("party_organization", "own")
    unit = world.obj("organization", "own")
    PartyOrganizationFactory(area=world.township_a, parent=parent, covered_organizations=[unit])
    secretary = world.users[Role.SECRETARY]
    visible = Organization.objects.visible_to(secretary)
    assert list(visible.values_list("pk", flat=True)) == [unit.pk]
    assert visible.count() == 1
    assert PartyOrganization.objects.visible_to(secretary).count() == 2


@pytest.fixture
def sent_back_and_forth(world):
    """Township A's dossier, sent to township B twice (rejected once, pending now)."""
    sides = make_sides(world)
    person = PersonFactory(current_unit=world.obj("organization", "own"))
    dossier = services.start_dossier(person=person, party_org=sides.org_a, applied_on=date(2023, 1, 10), by=sides.a)
    first = transfers.request_transfer(dossier=dossier, to_party_org=sides.org_b, reason="调动", on=date(2023, 2, 1),
                                       by=sides.a)
    transfers.reject_transfer(transfer=first, on=date(2023, 2, 3), note="未到岗", by=sides.b)
    dossier.refresh_from_db()
    transfers.request_transfer(dossier=dossier, to_party_org=sides.org_b, reason="再次调动", on=date(2023, 3, 1),
                               by=sides.a)
    return sides, dossier


def test_a_dossier_with_several_transfers_counts_once_on_both_sides(sent_back_and_forth):
    sides, dossier = sent_back_and_forth
    for worker in (sides.a, sides.b):
        visible = Dossier.objects.visible_to(worker)
        assert list(visible.values_list("pk", flat=True)) == [dossier.pk]
        by_party_org = dict(visible.order_by().values_list("party_org").annotate(n=Count("id")))
        assert by_party_org == {sides.org_a.pk: 1}
    assert not Dossier.objects.visible_to(sides.c).exists()
    assert Dossier.objects.editable_by(sides.a).count() == 0      # in transit: read-only on both sides


def test_a_person_with_two_dossiers_is_listed_once(world):
    worker = world.users[Role.TOWNSHIP_WORKER]
    party_org = world.obj("party_organization", "own")
    person = PersonFactory(current_unit=world.obj("organization", "own"))
    first = services.start_dossier(person=person, party_org=party_org, applied_on=date(2022, 3, 1), by=worker)
    services.end_dossier(dossier=first, kind=EndKind.WITHDRAWN, reason=EndReason.WITHDREW, on=date(2022, 6, 1), by=worker)
    services.start_dossier(person=person, party_org=party_org, applied_on=date(2023, 3, 1), by=worker)
    assert Dossier.objects.visible_to(worker).filter(person=person).count() == 2
    assert list(Person.objects.visible_to(worker).filter(pk=person.pk).values_list("pk", flat=True)) == [person.pk]
    assert Person.objects.visible_to(worker).annotate(n=Count("dossiers")).get(pk=person.pk).n == 2


def test_an_instructor_sees_the_dossiers_of_their_units_once(world):
    instructor = world.obj("instructor", "own")
    second_unit = OrganizationFactory(township=world.township_a)
    instructor.organizations.add(second_unit)
    worker = world.users[Role.TOWNSHIP_WORKER]
    for unit in (world.obj("organization", "own"), second_unit):
        person = PersonFactory(current_unit=unit)
        services.start_dossier(person=person, party_org=world.obj("party_organization", "own"),
                               applied_on=date(2023, 3, 1), by=worker)
    account = UserFactory(username="second_instructor", role=Role.INSTRUCTOR)
    assert Dossier.objects.visible_to(world.users[Role.INSTRUCTOR]).count() == 2
    assert not Dossier.objects.visible_to(account).exists()
