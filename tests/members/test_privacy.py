"""身份证号 privacy: full only on a person's page and the API detail for county
administrators and township workers; masked in lists, exports, API lists and every
other page; never in URLs, history rows or logs."""
import logging
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from members.models import Person
from members.privacy import may_see_id_number

from .test_access import member_world, valid_id_number  # noqa: F401 - fixture

FULL_ROLES = {Role.COUNTY_ADMIN, Role.TOWNSHIP_WORKER}
PAGE_ROLES = [r for r in Role.values if r != Role.API_CLIENT]


@pytest.fixture
def person(member_world):
    return member_world.obj("person", "own")


def test_the_rule_itself(member_world):
    assert {role for role in Role.values if may_see_id_number(member_world.users[role])} == FULL_ROLES


@pytest.mark.parametrize("role", PAGE_ROLES)
def test_person_page_shows_the_full_number_only_to_those_who_need_it(member_world, person, role):
    page = member_world.client_for(role).get(person.get_absolute_url()).content.decode()
    shown = page.split('id="id-number">', 1)[1].split("<", 1)[0]
    if role in FULL_ROLES:
        assert shown == person.id_number
    else:
        assert shown == person.masked_id_number == f"{person.id_number[:6]}********{person.id_number[-4:]}"
        assert person.id_number not in page


@pytest.mark.parametrize("role", Role.values)
def test_api_detail_carries_the_full_number_only_for_those_roles(member_world, person, role):
    response = member_world.api_client_for(role).get(reverse("api:person-detail", args=[person.pk]))
    body = response.json()
    assert body["masked_id_number"] == person.masked_id_number
    if role in FULL_ROLES:
        assert body["id_number"] == person.id_number
    else:
        assert "id_number" not in body and person.id_number not in response.content.decode()


@pytest.mark.parametrize("role", Role.values)
def test_api_lists_never_carry_it(member_world, person, role):
    client = member_world.api_client_for(role)
    for name in ("api:person-list", "api:dossier-list"):
        response = client.get(reverse(name))
        rows = response.json()["results"]
        assert rows and all("id_number" not in row for row in rows)
        assert person.id_number not in response.content.decode()
        assert person.masked_id_number in response.content.decode()


def test_write_responses_are_masked_too(member_world):
    client = member_world.api_client_for(Role.TOWNSHIP_WORKER)
    number = valid_id_number(321)
    response = client.post(reverse("api:person-list"), {
        "name": "新人", "id_number": number, "sex": "male", "birth_date": "1995-06-15", "education": "bachelor",
        "current_unit": member_world.obj("organization", "own").pk}, format="json")
    assert response.status_code == 201 and number not in response.content.decode()


@pytest.mark.parametrize("name", ["members:person-list", "members:dossier-list"])
def test_list_pages_and_exports_are_masked_even_for_the_county(member_world, person, name):
    client = member_world.client_for(Role.COUNTY_ADMIN)
    page = client.get(reverse(name)).content.decode()
    assert person.masked_id_number in page and person.id_number not in page
    export = client.get(reverse(name), {"export": "xlsx"})
    cells = [str(c) for row in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True) for c in row]
    assert person.masked_id_number in cells
    assert not any(person.id_number in cell for cell in cells)


def test_dossier_page_is_masked_even_for_the_county(member_world, person):
    page = member_world.client_for(Role.COUNTY_ADMIN).get(member_world.obj("dossier", "own").get_absolute_url())
    assert person.id_number not in page.content.decode() and person.masked_id_number in page.content.decode()


def test_edit_form_offers_the_number_only_to_those_who_may_read_it(member_world, person):
    worker_form = member_world.client_for(Role.TOWNSHIP_WORKER).get(reverse("members:person-edit", args=[person.pk]))
    assert "id_number" in worker_form.context["form"].fields
    secretary_form = member_world.client_for(Role.SECRETARY).get(reverse("members:person-edit", args=[person.pk]))
    assert secretary_form.status_code == 200 and "id_number" not in secretary_form.context["form"].fields
    assert person.id_number not in secretary_form.content.decode()


def test_search_takes_the_last_four_digits_not_the_number(member_world, person):
    client = member_world.client_for(Role.TOWNSHIP_WORKER)
    url = reverse("members:person-list")
    assert [p.pk for p in client.get(url, {"q": person.id_number[-4:]}).context["object_list"]] == [person.pk]
    assert list(client.get(url, {"q": person.id_number}).context["object_list"]) == []


def test_history_keeps_no_number(member_world, person):
    """Correcting a number leaves no trace of either number in the change history."""
    old = person.id_number
    new = valid_id_number(331)
    client = member_world.client_for(Role.TOWNSHIP_WORKER)
    response = client.post(reverse("members:person-edit", args=[person.pk]), {
        "name": person.name, "id_number": new, "sex": "male", "birth_date": "1995-06-15", "ethnicity": "汉族",
        "education": "bachelor", "occupation": "front_line", "membership": "none",
        "current_unit": person.current_unit_id})
    assert response.status_code == 302 and Person.objects.get(pk=person.pk).id_number == new
    assert not any(f.name == "id_number" for f in Person.history.model._meta.fields)
    page = member_world.client_for(Role.AUDITOR).get(person.get_absolute_url()).content.decode()
    history = page.split('id="history"', 1)[1]
    assert old not in history and new not in history and old[-4:] not in history


def test_numbers_never_reach_the_logs(member_world, caplog):
    caplog.set_level(logging.DEBUG)
    good, bad = valid_id_number(341), valid_id_number(342)[:-1] + "Z"
    form = {"name": "日志", "sex": "male", "birth_date": "1995-06-15", "ethnicity": "汉族", "education": "bachelor",
            "occupation": "front_line", "membership": "none",
            "current_unit": member_world.obj("organization", "own").pk}
    page_client = member_world.client_for(Role.TOWNSHIP_WORKER)
    api_client = member_world.api_client_for(Role.TOWNSHIP_WORKER)
    page_client.post(reverse("members:person-create"), {**form, "id_number": bad})
    api_client.post(reverse("api:person-list"), {**form, "id_number": bad}, format="json")
    assert page_client.post(reverse("members:person-create"), {**form, "id_number": good}).status_code == 302
    person = Person.objects.get(id_number=good)
    api_client.get(reverse("api:person-detail", args=[person.pk]))
    page_client.get(reverse("members:person-list"), {"q": good})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records                         # the refused API call was logged, without the number
    assert good not in logged and bad not in logged and bad[:17] not in logged
