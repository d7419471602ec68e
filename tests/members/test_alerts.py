"""Alerts: what is due and overdue per kind (both sides of every boundary), the nightly
job writing them idempotently, the Celery task and its beat schedule, scoping, the
alerts page and API, and the home page panel."""
from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from accounts.models import Role
from config.celery import app as celery_app
from members import alerts, services
from members.alerts import DossierSnapshot, due_items
from members.choices import DossierState, Stage
from members.facts import StepFact
from members.models import Alert, AlertKind, PoliticalReview, RuleSetVersion, Transfer
from members.procedure import RuleSet
from members.rulesets import load
from members.tasks import compute_alerts as compute_alerts_task
from tests.factories import PersonFactory

RULES = RuleSet(load("national-2014"))
WORKER = Role.TOWNSHIP_WORKER


def snapshot(*records, stage=Stage.APPLICANT, state=DossierState.ACTIVE, **fields) -> DossierSnapshot:
    return DossierSnapshot(id=1, name="张三", stage=stage, state=state,
                           records=tuple(StepFact(code, on, data) for code, on, data in
                                         ((r + ({},))[:3] for r in records)), **fields)


def kinds(snap, today, rules=RULES) -> dict[str, date]:
    return {item.kind: item.due_on for item in due_items(snap, rules, today)}


# ---- procedure deadlines from the rule set --------------------------------------------------

APPLIED = ("apply", date(2025, 1, 10))


@pytest.mark.parametrize("today,expected", [
    (date(2025, 1, 25), None),                    # 16 days before: not yet shown
    (date(2025, 1, 26), date(2025, 2, 10)),       # 15 days before (approval_warning_days)
    (date(2025, 2, 10), date(2025, 2, 10)),       # the day it is due
    (date(2025, 3, 1), date(2025, 2, 10)),        # overdue
])
def test_talk_due_one_month_after_the_application(today, expected):
    assert kinds(snapshot(APPLIED), today).get(AlertKind.TALK_DUE) == expected


def test_talk_due_ends_with_the_talk_and_message_names_both_steps():
    [item] = due_items(snapshot(APPLIED), RULES, date(2025, 2, 11))
    assert "递交入党申请书" in item.message and "党组织派人谈话" in item.message and "2025年2月10日" in item.message
    assert AlertKind.TALK_DUE not in kinds(snapshot(APPLIED, ("first_talk", date(2025, 2, 20))), date(2025, 3, 1))


def test_month_end_convention_for_due_dates():
    snap = snapshot(("apply", date(2025, 1, 31)))
    assert kinds(snap, date(2025, 3, 1))[AlertKind.TALK_DUE] == date(2025, 2, 28)


ACTIVIST = [APPLIED, ("first_talk", date(2025, 1, 20)), ("designate_activist", date(2025, 3, 1))]


@pytest.mark.parametrize("reviews,today,expected", [
    ([], date(2025, 8, 16), None),
    ([], date(2025, 8, 17), date(2025, 9, 1)),                                   # 6 months after designation
    ([("activist_review", date(2025, 8, 20))], date(2025, 9, 2), None),          # reviewed: next due 2026-02-20
    ([("activist_review", date(2025, 8, 20))], date(2026, 2, 5), date(2026, 2, 20)),
])
def test_half_year_activist_review(reviews, today, expected):
    snap = snapshot(*ACTIVIST, *reviews, stage=Stage.ACTIVIST)
    assert kinds(snap, today).get(AlertKind.ACTIVIST_REVIEW_DUE) == expected


def test_activist_review_stops_at_candidate_designation():
    snap = snapshot(*ACTIVIST, ("designate_candidate", date(2026, 3, 2)), stage=Stage.CANDIDATE)
    assert AlertKind.ACTIVIST_REVIEW_DUE not in kinds(snap, date(2026, 9, 10))


VOTED = ("admission_vote", date(2024, 6, 3))


@pytest.mark.parametrize("steps,today,expected", [
    ([VOTED], date(2024, 8, 18), None),
    ([VOTED], date(2024, 8, 19), date(2024, 9, 3)),                 # approval within 3 months of the vote
    ([VOTED, ("admission_approval", date(2024, 7, 1))], date(2024, 9, 10), None),
])
def test_admission_approval_deadline(steps, today, expected):
    assert kinds(snapshot(*steps, stage=Stage.CANDIDATE), today).get(AlertKind.APPROVAL_DEADLINE) == expected


@pytest.mark.parametrize("steps,today,expected", [
    ([("admission_approval", date(2024, 7, 1))], date(2024, 12, 16), None),
    ([("admission_approval", date(2024, 7, 1))], date(2024, 12, 17), date(2025, 1, 1)),
    ([("admission_approval", date(2024, 7, 1)), ("probation_review", date(2024, 12, 1))], date(2025, 5, 20),
     date(2025, 6, 1)),
    ([("admission_approval", date(2024, 7, 1)), ("full_vote", date(2025, 6, 3), {"outcome": "full"})],
     date(2025, 6, 20), None),
])
def test_probation_review_every_half_year(steps, today, expected):
    snap = snapshot(*steps, stage=Stage.PROBATIONARY)
    assert kinds(snap, today).get(AlertKind.PROBATION_REVIEW_DUE) == expected


@pytest.mark.parametrize("outcome,today,expected", [
    ("full", date(2025, 8, 18), None),
    ("full", date(2025, 8, 19), date(2025, 9, 3)),
    ("extend", date(2025, 9, 10), None),          # a vote to extend starts no approval
])
def test_full_approval_deadline(outcome, today, expected):
    snap = snapshot(("full_vote", date(2025, 6, 3), {"outcome": outcome}), stage=Stage.PROBATIONARY)
    assert kinds(snap, today).get(AlertKind.FULL_APPROVAL_DEADLINE) == expected


def test_warning_window_is_rule_set_data():
    data = load("national-2014")
    data["numbers"]["alert_warning_days"] = 3
    assert AlertKind.TALK_DUE not in kinds(snapshot(APPLIED), date(2025, 2, 6), RuleSet(data))
    assert AlertKind.TALK_DUE in kinds(snapshot(APPLIED), date(2025, 2, 7), RuleSet(data))


# ---- the other kinds ---------------------------------------------------------------------------

@pytest.mark.parametrize("start,today,expected", [
    (date(2024, 3, 1), date(2025, 1, 29), None),                # 31 days before one year
    (date(2024, 3, 1), date(2025, 1, 30), date(2025, 3, 1)),    # 30 days before
    (date(2024, 3, 1), date(2025, 4, 1), date(2025, 3, 1)),     # reached, not yet designated
    (date(2024, 2, 29), date(2025, 2, 1), date(2025, 2, 28)),   # 29 February + 1 year
])
def test_one_year_of_cultivation(start, today, expected):
    snap = snapshot(("designate_activist", start), stage=Stage.ACTIVIST, cultivation_start=start)
    assert kinds(snap, today).get(AlertKind.ONE_YEAR_REACHED) == expected


def test_one_year_not_for_designated_candidates():
    snap = snapshot(("designate_candidate", date(2025, 3, 2)), stage=Stage.CANDIDATE, cultivation_start=date(2024, 3, 1))
    assert AlertKind.ONE_YEAR_REACHED not in kinds(snap, date(2025, 4, 1))


PRE_REVIEW = ("pre_review", date(2024, 5, 20), {"publicity_start": "2024-05-14", "publicity_end": "2024-05-22"})


@pytest.mark.parametrize("today,expected", [
    (date(2024, 5, 18), None),                    # ends in 4 days
    (date(2024, 5, 19), date(2024, 5, 22)),       # ends in 3 days
    (date(2024, 5, 22), date(2024, 5, 22)),       # ends today
    (date(2024, 5, 23), None),                    # ended
])
def test_publicity_ending(today, expected):
    assert kinds(snapshot(PRE_REVIEW, stage=Stage.CANDIDATE), today).get(AlertKind.PUBLICITY_ENDING) == expected


def test_publicity_ending_gone_once_the_next_step_is_taken():
    snap = snapshot(PRE_REVIEW, ("application_form", date(2024, 5, 21)), stage=Stage.CANDIDATE)
    assert AlertKind.PUBLICITY_ENDING not in kinds(snap, date(2024, 5, 21))


@pytest.mark.parametrize("votes,today,expected", [
    ([], date(2025, 5, 3), None),                         # 31 days before the end
    ([], date(2025, 5, 4), date(2025, 6, 3)),             # 30 days before
    ([], date(2025, 6, 10), date(2025, 6, 3)),            # ended, no vote yet
    ([("full_vote", date(2025, 6, 5), {"outcome": "full"})], date(2025, 6, 10), None),
    ([("full_vote", date(2025, 6, 5), {"outcome": "extend"})], date(2025, 6, 10), date(2025, 6, 3)),
])
def test_probation_ending(votes, today, expected):
    snap = snapshot(("admission_approval", date(2024, 7, 1)), *votes, stage=Stage.PROBATIONARY,
                    probation_ends_on=date(2025, 6, 3))
    assert kinds(snap, today).get(AlertKind.PROBATION_ENDING) == expected


@pytest.mark.parametrize("today,expected", [(date(2025, 3, 8), None), (date(2025, 3, 9), date(2025, 3, 8))])
def test_transfer_waiting_more_than_seven_days(today, expected):
    snap = snapshot(stage=Stage.ACTIVIST, state=DossierState.IN_TRANSIT, pending_transfer_on=date(2025, 3, 1))
    assert kinds(snap, today).get(AlertKind.TRANSFER_WAITING) == expected


@pytest.mark.parametrize("today,expected", [(date(2025, 3, 31), None), (date(2025, 4, 1), date(2025, 3, 31))])
def test_political_review_outstanding_more_than_thirty_days(today, expected):
    snap = snapshot(stage=Stage.CANDIDATE, outstanding_reviews=(("residence", date(2025, 3, 1)),))
    assert kinds(snap, today).get(AlertKind.REVIEW_OUTSTANDING) == expected


def test_two_review_sides_sent_the_same_day_make_one_alert():
    snap = snapshot(stage=Stage.CANDIDATE, outstanding_reviews=(("residence", date(2025, 3, 1)),
                                                               ("employer", date(2025, 3, 1))))
    [item] = [i for i in due_items(snap, RULES, date(2025, 4, 15)) if i.kind == AlertKind.REVIEW_OUTSTANDING]
    assert "户籍所在地、工作单位" in item.message


def test_lost_contact_is_listed():
    snap = snapshot(state=DossierState.LOST_CONTACT, lost_contact_since=date(2025, 7, 15))
    assert kinds(snap, date(2025, 8, 1)) == {AlertKind.LOST_CONTACT: date(2025, 7, 15)}


# ---- the job against the database -------------------------------------------------------------

def start(world, which="own", applied_on=date(2025, 1, 10), **person):
    worker = world.users[Role.COUNTY_ADMIN]
    unit = world.obj("organization", which)
    return services.start_dossier(person=PersonFactory(current_unit=unit, **person),
                                  party_org=world.obj("party_organization", which), applied_on=applied_on, by=worker)


def rows():
    return sorted(Alert.objects.values_list("id", "dossier_id", "kind", "due_on", "message"))


def test_job_writes_alerts_idempotently(world):
    own, foreign = start(world), start(world, "foreign", applied_on=date(2025, 1, 20))
    PoliticalReview.objects.create(dossier=own, side="residence", requested_on=date(2025, 1, 12))
    first = alerts.compute_alerts(today=date(2025, 2, 15))
    assert (first["created"], first["by_kind"]) == (3, {"review_outstanding": 1, "talk_due": 2})
    before = rows()
    assert {(d, k, due) for _, d, k, due, _ in before} == {
        (own.pk, "talk_due", date(2025, 2, 10)), (own.pk, "review_outstanding", date(2025, 2, 11)),
        (foreign.pk, "talk_due", date(2025, 2, 20))}
    second = alerts.compute_alerts(today=date(2025, 2, 15))
    assert (second["created"], second["updated"], second["deleted"], second["unchanged"]) == (0, 0, 0, 3)
    assert rows() == before                                  # same rows, same ids: nothing duplicated
    assert Alert.objects.get(dossier=own, kind="talk_due").computed_on == date(2025, 2, 15)


def test_job_removes_what_no_longer_applies(world):
    dossier = start(world)
    alerts.compute_alerts(today=date(2025, 2, 15))
    assert Alert.objects.filter(dossier=dossier, kind="talk_due").exists()
    services.take_step(dossier=dossier, step="first_talk", on=date(2025, 2, 16), data={"talker": "李书记"},
                       by=world.users[Role.COUNTY_ADMIN])
    summary = alerts.compute_alerts(today=date(2025, 2, 17))
    assert summary["deleted"] == 1 and not Alert.objects.filter(dossier=dossier).exists()


def test_job_drops_alerts_of_closed_dossiers(world):
    dossier = start(world)
    alerts.compute_alerts(today=date(2025, 2, 15))
    services.end_dossier(dossier=dossier, kind="withdrawn", reason="withdrew", on=date(2025, 2, 16),
                         by=world.users[Role.COUNTY_ADMIN])
    assert alerts.compute_alerts(today=date(2025, 2, 17))["deleted"] == 1
    assert not Alert.objects.exists()


def test_transfer_waiting_from_the_database(world):
    dossier = start(world)
    Transfer.objects.create(dossier=dossier, from_party_org=dossier.party_org,
                            to_party_org=world.obj("party_organization", "foreign"), requested_on=date(2025, 1, 20))
    alerts.compute_alerts(today=date(2025, 1, 27))          # 7 days old
    assert not Alert.objects.filter(kind="transfer_waiting").exists()
    alerts.compute_alerts(today=date(2025, 1, 28))          # 8 days old
    assert Alert.objects.get(kind="transfer_waiting").due_on == date(2025, 1, 27)


def test_job_reads_in_bulk(world):
    """The same number of queries for 2 dossiers as for 8 (one batch)."""
    counts = []
    for extra in (2, 6):
        for _ in range(extra):
            start(world)
        Alert.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            summary = alerts.compute_alerts(today=date(2025, 2, 15))
        counts.append(len(queries))
    assert summary["created"] == 8
    assert counts[0] == counts[1] <= 14


def test_concurrent_run_is_refused(world):
    start(world)
    with alerts._JobLock() as held:
        assert held
        assert alerts.compute_alerts(today=date(2025, 2, 15)) == {"today": "2025-02-15", "skipped": True}
    assert not Alert.objects.exists()
    assert alerts.compute_alerts(today=date(2025, 2, 15))["created"] == 1


def test_rule_set_version_of_each_dossier_is_used(world):
    data = load("national-2014")
    data["version"] = 2
    data["deadlines"][0]["months"] = 2            # a province gives two months for the talk
    version = RuleSetVersion.objects.create(code=data["code"], version=2, name="试行", data=data)
    dossier = start(world)
    dossier.rule_set = version
    dossier.save()
    alerts.compute_alerts(today=date(2025, 3, 1))
    assert Alert.objects.get(dossier=dossier).due_on == date(2025, 3, 10)


# ---- Celery -----------------------------------------------------------------------------------

def test_task_runs_the_daily_job(world):
    start(world)
    result = compute_alerts_task.apply(kwargs={"today": "2025-02-15"})
    assert result.successful()
    assert result.result["created"] == 1 and result.result["lost_contact_marked"] == 0
    assert compute_alerts_task.run(today="2025-02-15")["unchanged"] == 1


def test_beat_schedule_is_in_the_database(db):
    task = PeriodicTask.objects.get(task="members.tasks.compute_alerts")
    assert task.enabled and task.crontab is not None
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("0", "2", "*")
    assert str(crontab.timezone) == "Asia/Shanghai"
    assert task.task in celery_app.tasks


# ---- scoping, page, API, home ------------------------------------------------------------------

@pytest.fixture
def alert_world(world):
    own, foreign = start(world, name="甲镇申请人"), start(world, "foreign", name="乙镇申请人")
    start(world, applied_on=date(2025, 2, 1), name="甲镇新申请人")
    alerts.compute_alerts(today=date(2025, 2, 15))
    return world, own, foreign


def test_township_worker_sees_only_own_alerts(alert_world):
    world, own, foreign = alert_world
    visible = set(Alert.objects.visible_to(world.users[WORKER]).values_list("dossier_id", flat=True))
    assert own.pk in visible and foreign.pk not in visible
    api = world.api_client_for(Role.API_CLIENT).get(reverse("api:alert-list")).json()
    assert {row["person_name"] for row in api["results"]} == {"甲镇申请人", "甲镇新申请人"}
    foreign_alert = Alert.objects.get(dossier=foreign)
    assert world.api_client_for(Role.API_CLIENT).get(reverse("api:alert-detail", args=[foreign_alert.pk])) \
        .status_code == 404
    page = world.client_for(WORKER).get(reverse("members:alert-list")).content.decode()
    assert "甲镇申请人" in page and "乙镇申请人" not in page
    county = world.api_client_for(Role.AUDITOR).get(reverse("api:alert-list")).json()
    assert county["count"] == 3


def test_alert_page_filters_links_and_export(alert_world, freezer_today):
    world, own, _ = alert_world
    client = world.client_for(WORKER)
    url = reverse("members:alert-list")
    page = client.get(url).content.decode()
    assert reverse("members:dossier-detail", args=[own.pk]) in page
    overdue = client.get(url, {"status": "overdue"}).content.decode()
    assert "甲镇申请人" in overdue and "已逾期" in overdue
    assert "甲镇申请人" not in client.get(url, {"status": "due_soon"}).content.decode().split('id="results"')[1]
    assert "甲镇申请人" not in client.get(url, {"kind": "lost_contact"}).content.decode().split('id="results"')[1]
    assert "甲镇新申请人" in client.get(url, {"q": "新"}).content.decode()
    assert client.get(url, {"township": world.township_b.pk}).status_code == 200    # not offered: form error, no rows
    sheet = load_workbook(BytesIO(client.get(url, {"export": "xlsx"}).content)).active
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["甲镇新申请人", "甲镇申请人"]


@pytest.fixture
def freezer_today(monkeypatch):
    """Pages judge 'overdue' against today: pin it to the job's date."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2025, 2, 15))


def test_api_filters(alert_world, freezer_today):
    world, own, _ = alert_world
    client = world.api_client_for(Role.AUDITOR)
    url = reverse("api:alert-list")
    assert client.get(url, {"township": world.township_a.pk}).json()["count"] == 2
    overdue = client.get(url, {"status": "overdue"}).json()["results"]
    assert {(r["person_name"], r["overdue"], r["status"]) for r in overdue} == {
        ("甲镇申请人", True, "已逾期5天"), ("乙镇申请人", True, "已逾期5天")}
    assert client.get(url, {"kind": "talk_due", "q": "新"}).json()["results"][0]["due_on"] == "2025-03-01"


def test_home_page_shows_alert_counts(alert_world, freezer_today):
    world, own, _ = alert_world
    response = world.client_for(WORKER).get(reverse("accounts:home"))
    assert response.status_code == 200
    context = response.context
    assert context["member_alert_totals"]["overdue"] == 1 and context["member_alert_totals"]["due_soon"] == 1
    [row] = context["member_alert_counts"]
    assert (row["kind"], row["label"], row["overdue"], row["due_soon"]) == ("talk_due", "谈话到期", 1, 1)
    urgent = context["member_urgent_alerts"]
    assert [a.dossier_id for a in urgent][0] == own.pk and urgent[0].when == "已逾期5天"
    html = render_to_string("members/_home_alerts.html",
                            {key: context[key] for key in ("member_alert_counts", "member_alert_totals",
                                                           "member_urgent_alerts")})
    assert 'id="alerts-overdue">1<' in html and "谈话到期" in html
    assert reverse("members:dossier-detail", args=[own.pk]) in html


def test_home_panel_is_scoped(alert_world, freezer_today):
    world, *_ = alert_world
    context = world.client_for(Role.AUDITOR).get(reverse("accounts:home")).context
    assert context["member_alert_totals"]["overdue"] == 2
    instructor = world.client_for(Role.INSTRUCTOR).get(reverse("accounts:home")).context
    assert instructor["member_alert_totals"]["overdue"] == 1      # the own unit's applicants only


# Role × endpoint rows, for the registry guard (tests/accounts/test_access_matrix.py).
API_ROWS = [(role, "get", "api:alert-list", None, 200) for role in Role.values] + [
    (role, "get", "api:alert-detail", "foreign", 200 if role in (Role.COUNTY_ADMIN, Role.AUDITOR) else 404)
    for role in Role.values] + [(role, "post", "api:alert-list", None, 403 if role == Role.AUDITOR else 405)
                                for role in Role.values]
PAGE_ROWS = [(role, "get", "members:alert-list", None, 200) for role in Role.values if role != Role.API_CLIENT]


@pytest.mark.parametrize("role,method,name,which,status", API_ROWS + PAGE_ROWS)
def test_alert_access(alert_world, role, method, name, which, status):
    world, _, foreign = alert_world
    args = [Alert.objects.get(dossier=foreign).pk] if which else []
    if name.startswith("api:"):
        client = world.api_client_for(role)
        response = client.get(reverse(name, args=args)) if method == "get" else client.post(reverse(name), {})
    else:
        response = world.client_for(role).get(reverse(name))
    assert response.status_code == status


# ---- notices: "one year reached" announces a date, it sets no deadline ------------------------

@pytest.fixture
def notice_world(alert_world):
    """Beside alert_world: a township A dossier whose only alert is a passed 培养满一年."""
    world, own, foreign = alert_world
    ready = start(world, applied_on=date(2025, 2, 10), name="甲镇满一年")
    Alert.objects.filter(dossier=ready).delete()
    Alert.objects.create(dossier=ready, kind=AlertKind.ONE_YEAR_REACHED, due_on=date(2025, 2, 5),
                         message="甲镇满一年：培养满12个月，可按程序确定为发展对象。", computed_on=date(2025, 2, 15))
    return world, ready


def test_a_passed_one_year_notice_is_not_overdue_anywhere(notice_world, freezer_today):
    from quotas.demand import demand_columns
    from reports import selectors

    world, ready = notice_world
    notice = Alert.objects.get(dossier=ready)
    assert not notice.is_overdue(date(2025, 2, 15)) and notice.status_on(date(2025, 2, 15)) == "已于10天前到达（提示）"
    client = world.client_for(WORKER)
    url = reverse("members:alert-list")
    results = lambda params: client.get(url, params).content.decode().split('id="results"')[1]  # noqa: E731
    assert "甲镇满一年" not in results({"status": "overdue"})
    assert "甲镇满一年" in results({"status": "due_soon"}) and "已于10天前到达（提示）" in results({"status": "due_soon"})
    api = world.api_client_for(Role.API_CLIENT).get(reverse("api:alert-list"), {"kind": "one_year_reached"}).json()
    assert [(r["overdue"], r["status"]) for r in api["results"]] == [(False, "已于10天前到达（提示）")]
    dossiers = client.get(reverse("members:dossier-list"), {"overdue": "true"}).content.decode()
    assert "甲镇申请人" in dossiers and "甲镇满一年" not in dossiers
    home = client.get(reverse("accounts:home")).context
    counts = {row["kind"]: (row["overdue"], row["due_soon"]) for row in home["member_alert_counts"]}
    assert counts["one_year_reached"] == (0, 1) and home["member_alert_totals"]["overdue"] == 1
    # The most urgent first: the overdue talk, the talk coming up, then the (older) notice.
    assert [(a.dossier.person.name, a.overdue) for a in home["member_urgent_alerts"]] == [
        ("甲镇申请人", True), ("甲镇新申请人", False), ("甲镇满一年", False)]
    figure = selectors.overdue_steps(user=world.users[Role.COUNTY_ADMIN], year=2025, today=date(2025, 2, 15))
    by_kind = {r["id"]: (r["overdue"], r["due"]) for r in figure.rows}
    assert by_kind["one_year_reached"] == (0, 1) and by_kind["talk_due"] == (2, 1)
    party_orgs = demand_columns(year=2025, today=date(2025, 2, 15))
    share = dict(zip(party_orgs["ids"].tolist(), party_orgs["overdue_share"].tolist()))
    assert share[world.obj("party_organization", "own").pk] == pytest.approx(1 / 3)   # the talk, not the notice
