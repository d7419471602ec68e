"""Lost contact (失联): an active dossier with no step, contact record, political-review
letter or transfer for the rule set's ``lost_contact_months`` (6), or whose person's unit
dissolved, is marked by the nightly job — on both sides of the boundary date — and
stays listed until contact is recorded or a step is taken."""
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from members import alerts, services
from members.alerts import lost_contact_due
from members.choices import DossierState
from members.models import Alert, Dossier, PoliticalReview, RuleSetVersion
from members.rulesets import load
from members.tasks import compute_alerts as compute_alerts_task
from tests.factories import PersonFactory

APPLIED = date(2025, 1, 15)          # the last activity: six months later is 2025-07-15


def start(world, applied_on=APPLIED, which="own"):
    return services.start_dossier(person=PersonFactory(current_unit=world.obj("organization", which)),
                                  party_org=world.obj("party_organization", which), applied_on=applied_on,
                                  by=world.users[Role.TOWNSHIP_WORKER if which == "own" else Role.COUNTY_ADMIN])


def fresh(dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


# ---- the pure rule ---------------------------------------------------------------------------

@pytest.mark.parametrize("today,expected", [
    (date(2025, 7, 14), None),                   # the day before six months
    (date(2025, 7, 15), date(2025, 7, 15)),      # the day it becomes due
    (date(2025, 7, 16), date(2025, 7, 15)),      # the day after: since the due date
])
def test_six_months_without_activity(today, expected):
    found = lost_contact_due(last_activity=APPLIED, months=6, unit_dissolved_on=None, today=today)
    assert (found[0] if found else None) == expected


def test_month_end_convention():
    found = lost_contact_due(last_activity=date(2025, 8, 31), months=6, unit_dissolved_on=None, today=date(2026, 3, 1))
    assert found[0] == date(2026, 2, 28)


def test_dissolved_unit_after_the_last_activity():
    found = lost_contact_due(last_activity=APPLIED, months=6, unit_dissolved_on=date(2025, 3, 1),
                             today=date(2025, 3, 2))
    assert found[0] == date(2025, 3, 1) and "注销" in found[1]
    # Contact made after the unit dissolved: the person was found again.
    assert lost_contact_due(last_activity=date(2025, 3, 5), months=6, unit_dissolved_on=date(2025, 3, 1),
                            today=date(2025, 3, 6)) is None


# ---- the service ----------------------------------------------------------------------------

@pytest.mark.parametrize("today,marked,since", [
    (date(2025, 7, 14), False, None),
    (date(2025, 7, 15), True, date(2025, 7, 15)),
    (date(2025, 7, 16), True, date(2025, 7, 15)),
])
def test_marking_on_both_sides_of_the_boundary(world, today, marked, since):
    dossier = start(world)
    summary = alerts.mark_lost_contacts(today=today)
    dossier = fresh(dossier)
    assert (dossier.state == DossierState.LOST_CONTACT) is marked
    assert dossier.lost_contact_since == since
    assert summary["marked"] == int(marked)


def test_marking_is_audited_and_idempotent(world):
    dossier = start(world)
    alerts.mark_lost_contacts(today=date(2025, 7, 20))
    history = fresh(dossier).history.all()
    latest = history.first()
    assert latest.state == DossierState.LOST_CONTACT and latest.history_user is None
    assert "超过6个月" in latest.history_change_reason
    count = history.count()
    assert alerts.mark_lost_contacts(today=date(2025, 7, 21))["marked"] == 0
    assert fresh(dossier).history.count() == count
    assert fresh(dossier).lost_contact_since == date(2025, 7, 15)


@pytest.mark.parametrize("activity,today,marked", [
    ("step", date(2025, 8, 9), False),          # first talk 2025-02-10 → due 2025-08-10
    ("step", date(2025, 8, 10), True),
    ("contact", date(2025, 9, 30), False),      # contact 2025-04-01 → due 2025-10-01
    ("contact", date(2025, 10, 1), True),
    ("review", date(2025, 10, 31), False),      # letter sent 2025-05-01 → due 2025-11-01
    ("review", date(2025, 11, 1), True),
    ("reply", date(2025, 11, 30), False),       # reply 2025-06-01 → due 2025-12-01
    ("reply", date(2025, 12, 1), True),
])
def test_every_kind_of_activity_counts(world, activity, today, marked):
    dossier = start(world)
    worker = world.users[Role.TOWNSHIP_WORKER]
    if activity == "step":
        services.take_step(dossier=dossier, step="first_talk", on=date(2025, 2, 10), data={"talker": "李书记"},
                           by=worker)
    elif activity == "contact":
        services.record_contact(dossier=dossier, on=date(2025, 4, 1), note="电话联系", by=worker)
    else:
        PoliticalReview.objects.create(dossier=dossier, side="residence", requested_on=date(2025, 5, 1),
                                       replied_on=date(2025, 6, 1) if activity == "reply" else None)
    alerts.mark_lost_contacts(today=today)
    assert (fresh(dossier).state == DossierState.LOST_CONTACT) is marked


def test_dissolved_unit_marks_the_dossier(world):
    dossier = start(world)
    unit = world.obj("organization", "own")
    unit.status, unit.dissolved_on = "dissolved", date(2025, 3, 1)
    unit.save()
    assert alerts.mark_lost_contacts(today=date(2025, 2, 28))["marked"] == 0     # not yet dissolved that day
    alerts.mark_lost_contacts(today=date(2025, 3, 2))
    dossier = fresh(dossier)
    assert dossier.state == DossierState.LOST_CONTACT and dossier.lost_contact_since == date(2025, 3, 1)
    assert "注销" in dossier.history.first().history_change_reason


def test_contact_reactivates_until_the_next_period(world):
    dossier = start(world)
    worker = world.users[Role.TOWNSHIP_WORKER]
    alerts.run_daily_job(today=date(2025, 7, 20))
    assert Alert.objects.filter(dossier=dossier, kind="lost_contact", due_on=date(2025, 7, 15)).exists()
    services.record_contact(dossier=dossier, on=date(2025, 7, 22), note="本人已回乡工作", by=worker)
    summary = alerts.run_daily_job(today=date(2025, 7, 23))
    dossier = fresh(dossier)
    assert dossier.state == DossierState.ACTIVE and summary["lost_contact_marked"] == 0
    assert not Alert.objects.filter(dossier=dossier, kind="lost_contact").exists()
    alerts.run_daily_job(today=date(2026, 1, 22))                # six months after the contact
    assert fresh(dossier).lost_contact_since == date(2026, 1, 22)


def test_taking_a_step_reactivates(world):
    dossier = start(world)
    alerts.mark_lost_contacts(today=date(2025, 7, 20))
    services.take_step(dossier=dossier, step="first_talk", on=date(2025, 7, 21), data={"talker": "李书记"},
                       by=world.users[Role.TOWNSHIP_WORKER])
    dossier = fresh(dossier)
    assert dossier.state == DossierState.ACTIVE and dossier.lost_contact_since is None


@pytest.mark.parametrize("state", [DossierState.IN_TRANSIT, DossierState.ENDED, DossierState.COMPLETED])
def test_only_active_dossiers_are_marked(world, state):
    dossier = start(world)
    Dossier.objects.filter(pk=dossier.pk).update(state=state)
    assert alerts.mark_lost_contacts(today=date(2026, 1, 1))["marked"] == 0
    assert fresh(dossier).state == state


def test_period_is_rule_set_data(world):
    data = load("national-2014")
    data["version"], data["numbers"]["lost_contact_months"] = 2, 3
    version = RuleSetVersion.objects.create(code=data["code"], version=2, name="三个月", data=data)
    short, normal = start(world), start(world)
    Dossier.objects.filter(pk=short.pk).update(rule_set=version)
    summary = alerts.mark_lost_contacts(today=date(2025, 4, 15))
    assert summary["dossiers"] == [short.pk]
    assert fresh(normal).state == DossierState.ACTIVE


def test_lost_dossiers_are_listed_in_scope(world):
    own, foreign = start(world), start(world, which="foreign")
    compute_alerts_task.apply(kwargs={"today": "2025-07-15"})
    assert set(Alert.objects.filter(kind="lost_contact").values_list("dossier_id", flat=True)) == {own.pk, foreign.pk}
    client = world.api_client_for(Role.API_CLIENT)
    rows = client.get(reverse("api:alert-list"), {"kind": "lost_contact"}).json()["results"]
    assert [r["dossier"] for r in rows] == [own.pk]
    assert "2025年7月15日起失联" in rows[0]["message"]
