"""Dossier.unit: an open dossier is in its person's current unit, whichever way that unit
changes (the API, a transfer, any save of the person); a closed dossier keeps the unit
it was developed in — and the unit-gaps figure counts a unit's new members there."""
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from members import services, transfers
from members.choices import DossierState, Stage
from members.models import Dossier
from organizations.models import Organization
from reports import selectors
from tests.factories import OrganizationFactory, PersonFactory
from tests.members.test_transfers import advance, make_sides, send


@pytest.fixture
def moved(world):
    """Township A: a person with a closed (archived) dossier developed in unit ``old``
    and an open one, and a second unit ``new`` to move to."""
    old, new = world.obj("organization", "own"), OrganizationFactory(township=world.township_a, name="新单位")
    worker = world.users[Role.TOWNSHIP_WORKER]
    person = PersonFactory(current_unit=old)
    party_org = world.obj("party_organization", "own")
    closed = services.start_dossier(person=person, party_org=party_org, applied_on=date(2022, 3, 1), by=worker)
    Dossier.objects.filter(pk=closed.pk).update(state=DossierState.COMPLETED, stage=Stage.PROBATIONARY,
                                                approved_on=date(2025, 6, 1))
    other = PersonFactory(current_unit=old)
    open_dossier = services.start_dossier(person=other, party_org=party_org, applied_on=date(2025, 3, 1), by=worker)
    return world, person, other, closed, open_dossier, old, new


def units_of(*dossiers) -> list[int | None]:
    return list(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).order_by("pk").values_list("unit", flat=True))


def test_a_new_dossier_is_in_the_persons_unit(moved):
    _, _, _, closed, open_dossier, old, _ = moved
    assert units_of(closed, open_dossier) == [old.pk, old.pk]


def test_an_open_dossier_follows_its_person_and_a_closed_one_stays(moved):
    world, person, other, closed, open_dossier, old, new = moved
    api = world.api_client_for(Role.API_CLIENT)
    for who in (person, other):
        response = api.patch(reverse("api:person-detail", args=[who.pk]), {"current_unit": new.pk}, format="json")
        assert response.status_code == 200, response.content
    assert units_of(closed, open_dossier) == [old.pk, new.pk]
    shown = {d: api.get(reverse("api:dossier-detail", args=[d.pk])).json() for d in (closed, open_dossier)}
    assert [(shown[d]["unit"], shown[d]["unit_name"]) for d in (closed, open_dossier)] == [
        (old.pk, old.name), (new.pk, "新单位")]
    other.refresh_from_db()
    other.current_unit = None
    other.save(update_fields=["current_unit"])
    assert units_of(open_dossier) == [None]


def test_a_dossier_held_in_memory_does_not_undo_a_move(moved):
    _, _, other, _, open_dossier, _, new = moved
    held = Dossier.objects.get(pk=open_dossier.pk)
    other.current_unit = new
    other.save()
    held.last_contact_on = date(2025, 4, 1)      # any later save of the stale instance
    held.save()
    assert units_of(open_dossier) == [new.pk]


def test_accepting_a_transfer_moves_the_dossier_to_the_new_unit(world):
    sides = make_sides(world)
    activist = advance(sides, "designate_candidate")
    transfer = send(sides, activist, new_unit=sides.unit_b)
    transfers.accept_transfer(transfer=transfer, on=date(2024, 2, 10), carry_cultivation=True, by=sides.b)
    activist.refresh_from_db()
    assert activist.unit == sides.unit_b == activist.person.current_unit


def test_unit_gaps_count_a_new_member_in_the_unit_that_developed_them(moved):
    world, person, _, _, _, old, new = moved
    person.current_unit = new
    person.save()
    figure = selectors.unit_gaps(user=world.users[Role.COUNTY_ADMIN], year=2026, township=world.township_a,
                                 today=date(2026, 3, 1))
    no_new = {row["id"]: row["no_new_2y"] for row in figure.rows}
    assert no_new == {old.pk: 0, new.pk: 1}
    assert Organization.objects.get(pk=old.pk).dossiers.count() == 2
