"""The whole 25-step procedure in a real browser: a township worker takes every step
through the step forms, the quota seat is reserved and used, and the dossier ends as a
full member whose party age counts from the end of probation."""
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from members import services
from members.models import Dossier, PoliticalReview
from quotas.models import Seat, SeatState
from tests.factories import MemberFactory, PersonFactory
from tests.members.test_journey import JOURNEY
from tests.quotas.test_plans import issued_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_township_worker_takes_all_25_steps_in_the_browser(world, live_server, page, screenshot):
    worker = world.users[Role.TOWNSHIP_WORKER]
    party_org, unit = world.obj("party_organization", "own"), world.obj("organization", "own")
    issued_plan(world.users[Role.COUNTY_ADMIN], party_org, year=2024, seats=1)
    mentors = {key: MemberFactory(member_party_org=party_org, current_unit=unit).pk for key in ("m1", "m2")}
    person = PersonFactory(current_unit=unit)
    dossier = services.start_dossier(person=person, party_org=party_org, applied_on=date(2023, 1, 10), by=worker)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", Role.TOWNSHIP_WORKER)
    page.fill("#id_password", "pass-12345")
    page.click("main button[type=submit]")
    for step, on, data in JOURNEY:
        if step == "political_review":
            PoliticalReview.objects.create(dossier=dossier, side="residence", requested_on=date(2024, 3, 12),
                                           replied_on=date(2024, 4, 1), passed=True, conclusion="合格")
        page.goto(f"{live_server.url}/members/dossiers/{dossier.pk}/steps/{step}/")
        page.fill("#id_taken_on", on.isoformat())
        for name, value in data.items():
            selector = f"#id_data_{name}"
            if name in ("mentors", "introducers"):
                page.select_option(selector, [str(mentors[key]) for key in value])
            elif name in ("source", "outcome"):
                page.select_option(selector, value)
            else:
                page.fill(selector, str(value))
        page.click("#save")
        expect(page.locator("h1")).to_contain_text(person.name, timeout=10000)
        if step == "admission_vote":
            screenshot("timeline-mid")
    screenshot("timeline-done")
    expect(page.locator("main")).to_contain_text("正式党员")
    dossier.refresh_from_db()
    person.refresh_from_db()
    assert dossier.records.count() == 26 and dossier.state == "completed"
    assert dossier.full_on == date(2025, 6, 3) and person.party_age_from == date(2025, 6, 3)
    assert Seat.objects.get(dossier=dossier).state == SeatState.USED
    assert Dossier.objects.get(pk=dossier.pk).stage == "full_member"
    assert page.errors == []
