"""The procedure's boundaries through the REST API.

``POST /api/v1/dossiers/{id}/steps/`` with ``{"step", "on", "data"}`` answers 201 with
the record, or 400 ``{"code": "step_refused", "message", "data": {"problems": [{code,
message, article, available_from}], "step"}}`` — and saves nothing.  Dossiers are
brought to the step under test through the services (helpers.advance) on township A's
party organization; the API is called as township A's worker.
"""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from members import services
from members.choices import DossierState, EndKind, EndReason, Membership
from members.models import Dossier, PoliticalReview, StepRecord
from organizations.choices import PartyOrgType
from tests.factories import PartyOrganizationFactory, PersonFactory
from tests.members.helpers import advance, assert_chinese, journey_before, journey_data, saved_state

pytestmark = pytest.mark.django_db

FULL_VOTE = journey_data("full_vote")
PROBLEM_KEYS = {"code", "message", "article", "available_from"}


@pytest.fixture
def api(world):
    return world.api_client_for(Role.TOWNSHIP_WORKER)


def post_step(api, track, step, on, data=None):
    payload = {"step": step, "on": on.isoformat(), "data": track.data(data)}
    return api.post(f"/api/v1/dossiers/{track.dossier.pk}/steps/", payload, format="json")


def refused(api, track, step, on, data=None) -> dict:
    """400 step_refused, Chinese messages, nothing saved; returns the problems by code."""
    before = saved_state(track.dossier)
    response = post_step(api, track, step, on, data)
    assert response.status_code == 400, response.content.decode()
    body = response.json()
    assert body["code"] == "step_refused" and body["data"]["step"] == step
    assert_chinese(body["message"])
    for problem in body["data"]["problems"]:
        assert set(problem) >= PROBLEM_KEYS
        assert_chinese(problem["message"])
    assert saved_state(track.dossier) == before
    return {p["code"]: p for p in body["data"]["problems"]}


def taken(api, track, step, on, data=None) -> dict:
    count = StepRecord.objects.filter(dossier=track.dossier).count()
    response = post_step(api, track, step, on, data)
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["step"] == step and body["taken_on"] == on.isoformat()
    assert StepRecord.objects.filter(dossier=track.dossier).count() == count + 1
    track.reload()
    return body


def outcome(api, track, step, on, data, expected):
    """``expected``: a set of problem codes (refused) or ``None`` (201)."""
    if expected is None:
        taken(api, track, step, on, data)
    else:
        assert set(refused(api, track, step, on, data)) == expected


def test_refusal_body(world, api):
    track = advance(world, "designate_candidate")
    problems = refused(api, track, "designate_candidate", date(2024, 2, 29))
    assert problems == {"cultivation_too_short": {
        "code": "cultivation_too_short", "message": problems["cultivation_too_short"]["message"],
        "article": "《中国共产党发展党员工作细则》第十三条", "available_from": "2024-03-01"}}
    assert "2024年3月1日期满" in problems["cultivation_too_short"]["message"]


# ---- age (the application is taken when the dossier is created) -----------------------------

@pytest.mark.parametrize("applied_on,expected", [
    (date(2022, 2, 27), {"under_age"}),
    (date(2022, 2, 28), None),                 # born 29 Feb 2004: 18 on 28 Feb 2022
    (date(2022, 3, 1), None),
])
def test_age_on_the_application_date(world, api, applied_on, expected):
    person = PersonFactory(birth_date=date(2004, 2, 29), current_unit=world.obj("organization", "own"))
    payload = {"person": person.pk, "party_org": world.obj("party_organization", "own").pk,
               "applied_on": applied_on.isoformat()}
    before = Dossier.objects.count()
    response = api.post("/api/v1/dossiers/", payload, format="json")
    if expected is None:
        assert response.status_code == 201, response.content.decode()
        assert Dossier.objects.get(person=person).applied_on == applied_on
    else:
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "step_refused"
        assert {p["code"] for p in body["data"]["problems"]} == expected
        assert body["data"]["problems"][0]["available_from"] == "2022-02-28"
        assert_chinese(body["message"])
        assert Dossier.objects.count() == before


def test_first_talk_two_months_late_is_allowed(world, api):
    taken(api, advance(world, "first_talk"), "first_talk", date(2023, 3, 10), {"talker": "李书记"})


# ---- mentors and introducers ------------------------------------------------------------------

@pytest.mark.parametrize("mentors,expected", [
    ([], {"field_required", "mentors_count"}),
    (["m1"], None),
    (["m1", "m2"], None),
    (["m1", "m2", "m3"], {"mentors_count"}),
    (["m1", "probationary"], {"not_full_member"}),
    (["m1", "suspended"], {"not_full_member"}),
    (["m1", "m1"], {"person_repeated"}),
])
def test_mentors(world, api, mentors, expected):
    track = advance(world, "assign_mentors")
    track.add_person("m3")
    track.add_person("probationary", membership=Membership.PROBATIONARY)
    track.add_person("suspended", membership=Membership.SUSPENDED)
    outcome(api, track, "assign_mentors", date(2023, 3, 5), {"mentors": mentors}, expected)


@pytest.mark.parametrize("introducers,expected", [
    (["m1"], {"introducers_count"}),
    (["m1", "m2"], None),
    (["m1", "m2", "m3"], {"introducers_count"}),
    (["m1", "probationary"], {"not_full_member"}),
])
def test_introducers(world, api, introducers, expected):
    track = advance(world, "assign_introducers")
    track.add_person("m3")
    track.add_person("probationary", membership=Membership.PROBATIONARY)
    outcome(api, track, "assign_introducers", date(2024, 3, 10), {"introducers": introducers}, expected)


def test_a_mentor_outside_the_accounts_scope_is_unknown(world, api):
    track = advance(world, "assign_mentors")
    track.add_person("foreign", member_party_org=world.obj("party_organization", "foreign"))
    assert set(refused(api, track, "assign_mentors", date(2023, 3, 5), {"mentors": ["foreign"]})) == {
        "person_unknown"}


# ---- cultivation: one year, reviewed every half year --------------------------------------------

@pytest.mark.parametrize("on,expected", [
    (date(2024, 2, 29), {"cultivation_too_short"}), (date(2024, 3, 1), None), (date(2024, 3, 2), None),
])
def test_cultivation_of_one_year(world, api, on, expected):
    outcome(api, advance(world, "designate_candidate"), "designate_candidate", on, {}, expected)


@pytest.mark.parametrize("first_review,expected", [
    (date(2023, 9, 1), None),                  # exactly 6 months after designate_activist (1 March 2023)
    (date(2023, 9, 2), {"review_gap"}),        # 6 months + 1 day
])
def test_activist_review_every_half_year(world, api, first_review, expected):
    steps = journey_before("activist_review") + [("activist_review", first_review, {"conclusion": "良好"}),
                                                 ("activist_review", date(2024, 3, 1), {"conclusion": "良好"})]
    track = advance(world, steps=steps)
    outcome(api, track, "designate_candidate", date(2024, 3, 1), {}, expected)


# ---- political review -------------------------------------------------------------------------

def side(name, replied_on, passed=True):
    return {"side": name, "requested_on": date(2024, 3, 12), "replied_on": replied_on, "passed": passed}


@pytest.mark.parametrize("on,expected", [
    (date(2024, 3, 31), {"political_review_missing"}), (date(2024, 4, 1), None), (date(2024, 4, 2), None),
])
def test_political_review_reply_date(world, api, on, expected):
    track = advance(world, "political_review", reviews=[side("residence", date(2024, 4, 1))])
    outcome(api, track, "political_review", on, {"conclusion": "合格"}, expected)


@pytest.mark.parametrize("on,expected", [
    (date(2024, 4, 4), {"dual_review_outstanding"}), (date(2024, 4, 5), None), (date(2024, 4, 6), None),
])
def test_dual_political_review_of_a_migrant(world, api, on, expected):
    track = advance(world, "political_review", migrant=True,
                    reviews=[side("residence", date(2024, 3, 20)), side("employer", date(2024, 4, 5))])
    outcome(api, track, "political_review", on, {"conclusion": "合格"}, expected)


def test_failed_political_review_blocks_the_admission_vote(world, api):
    track = advance(world, "admission_vote")
    PoliticalReview.objects.filter(dossier=track.dossier).update(passed=False)
    assert set(refused(api, track, "admission_vote", date(2024, 6, 3), journey_data("admission_vote"))) == {
        "political_review_failed"}


# ---- concentrated training ----------------------------------------------------------------------

@pytest.mark.parametrize("data,expected", [
    ({"days": 2.5}, {"training_insufficient"}), ({"days": 3}, None),
    ({"hours": "23.5"}, {"training_insufficient"}), ({"hours": "24"}, None),
])
def test_concentrated_training(world, api, data, expected):
    outcome(api, advance(world, "concentrated_training"), "concentrated_training", date(2024, 4, 10), data, expected)


# ---- publicity ----------------------------------------------------------------------------------

def publicity(start, end):
    return {"publicity_start": start.isoformat(), "publicity_end": end.isoformat()}


@pytest.mark.parametrize("end,on,expected", [
    (date(2024, 5, 7), date(2024, 5, 8), {"publicity_too_short"}),    # over May Day: 4 working days
    (date(2024, 5, 8), date(2024, 5, 7), {"publicity_not_ended"}),    # the day before the end
    (date(2024, 5, 8), date(2024, 5, 8), None),
    (date(2024, 5, 8), date(2024, 5, 9), None),
])
def test_publicity_before_pre_review(world, api, end, on, expected):
    track = advance(world, "pre_review", dates={"committee_review": date(2024, 4, 29)})
    outcome(api, track, "pre_review", on, publicity(date(2024, 4, 29), end), expected)


@pytest.mark.parametrize("end,expected", [(date(2025, 10, 10), {"publicity_too_short"}), (date(2025, 10, 11), None)])
def test_publicity_before_full_vote_over_national_day(world, api, end, expected):
    track = advance(world, "full_vote", dates={"full_application": date(2025, 9, 29)})
    outcome(api, track, "full_vote", date(2025, 10, 13), {**FULL_VOTE, **publicity(date(2025, 9, 29), end)}, expected)


# ---- votes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("present,in_favor,expected", [
    (4, 4, {"vote_no_quorum", "vote_no_majority"}), (5, 5, None),
    (7, 4, {"vote_no_majority"}), (7, 5, None),
    (7, 8, {"vote_numbers"}),
])
def test_admission_vote(world, api, present, in_favor, expected):
    data = {"voting_members": 9, "present": present, "in_favor": in_favor}
    outcome(api, advance(world, "admission_vote"), "admission_vote", date(2024, 6, 3), data, expected)


# ---- admission approval -------------------------------------------------------------------------

LATE = {"late_reason": "上级党委集中审批"}


@pytest.mark.parametrize("on,data,expected", [
    (date(2024, 9, 3), {}, None),                           # admission vote 3 June 2024 + 3 months
    (date(2024, 9, 4), {}, {"late_reason_required"}),
    (date(2024, 9, 4), LATE, None),
    (date(2024, 12, 3), LATE, None),
    (date(2024, 12, 4), LATE, {"deadline_passed"}),
])
def test_admission_approval_deadline(world, api, on, data, expected):
    outcome(api, advance(world, "admission_approval"), "admission_approval", on, data, expected)


@pytest.mark.parametrize("org_type,authority,expected", [
    (PartyOrgType.GENERAL_BRANCH, False, {"no_approval_authority"}),
    (PartyOrgType.COMMITTEE, False, {"no_approval_authority"}),
    (PartyOrgType.COMMITTEE, True, None),
    (None, None, None),                                     # default: the township's party committee
])
def test_admission_approval_authority(world, api, org_type, authority, expected):
    track = advance(world, "admission_approval")
    data = {}
    if org_type:
        data["approved_by"] = PartyOrganizationFactory(area=world.township_a, org_type=org_type,
                                                       has_approval_authority=authority).pk
    outcome(api, track, "admission_approval", date(2024, 7, 1), data, expected)


# ---- probation and full membership -------------------------------------------------------------

@pytest.mark.parametrize("on,expected", [
    (date(2025, 6, 2), {"probation_not_over"}), (date(2025, 6, 3), None), (date(2025, 6, 4), None),
])
def test_full_vote_when_the_probation_ends(world, api, on, expected):
    track = advance(world, "full_vote")
    if expected:
        problems = refused(api, track, "full_vote", on, FULL_VOTE)
        assert set(problems) == expected and problems["probation_not_over"]["available_from"] == "2025-06-03"
    else:
        taken(api, track, "full_vote", on, FULL_VOTE)


@pytest.mark.parametrize("months,expected", [(5, {"extension_months"}), (6, None), (12, None),
                                             (13, {"extension_months"})])
def test_extension_of_six_to_twelve_months(world, api, months, expected):
    data = {**FULL_VOTE, "outcome": "extend", "extension_months": months}
    outcome(api, advance(world, "full_vote"), "full_vote", date(2025, 6, 3), data, expected)


def test_after_an_extension(world, api):
    track = advance(world, "full_vote")
    taken(api, track, "full_vote", date(2025, 6, 3), {**FULL_VOTE, "outcome": "extend", "extension_months": 6})
    assert set(refused(api, track, "full_approval", date(2025, 6, 20))) == {"vote_not_full"}
    second = {**FULL_VOTE, **publicity(date(2025, 11, 24), date(2025, 11, 28))}
    assert set(refused(api, track, "full_vote", date(2025, 12, 2), second)) == {"probation_not_over"}
    assert set(refused(api, track, "full_vote", date(2025, 12, 3),
                       {**second, "outcome": "extend", "extension_months": 6})) == {"extension_repeated"}
    taken(api, track, "full_vote", date(2025, 12, 3), second)
    taken(api, track, "full_approval", date(2025, 12, 10))
    assert track.dossier.full_on == date(2025, 12, 3) and track.person.party_age_from == date(2025, 12, 3)


@pytest.mark.parametrize("on,expected", [
    (date(2025, 9, 2), None), (date(2025, 9, 3), None), (date(2025, 9, 4), {"deadline_passed"}),
])
def test_full_approval_within_three_months(world, api, on, expected):
    outcome(api, advance(world, "full_approval"), "full_approval", on, {}, expected)


# ---- order, dates and state --------------------------------------------------------------------

@pytest.mark.parametrize("step,prerequisite_on", [
    ("first_talk", date(2023, 1, 10)),                      # after apply
    ("admission_approval", date(2024, 6, 10)),              # after approval_talk
])
@pytest.mark.parametrize("shift,expected", [(-1, {"date_before_prerequisite"}), (0, None), (1, None)])
def test_step_not_before_its_prerequisite(world, api, step, prerequisite_on, shift, expected):
    track = advance(world, step)
    on = prerequisite_on + timedelta(days=shift)
    if expected:
        problems = refused(api, track, step, on, journey_data(step))
        assert set(problems) == expected
        assert problems["date_before_prerequisite"]["available_from"] == prerequisite_on.isoformat()
    else:
        taken(api, track, step, on, journey_data(step))


def test_a_step_dated_after_today(world, api):
    track = advance(world, "first_talk")
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert set(refused(api, track, "first_talk", tomorrow, {"talker": "李书记"})) == {"date_in_future"}
    taken(api, track, "first_talk", timezone.localdate(), {"talker": "李书记"})


def test_a_step_taken_twice(world, api):
    track = advance(world, "designate_activist")
    assert set(refused(api, track, "first_talk", date(2023, 2, 1), {"talker": "李书记"})) == {"already_taken"}


def test_a_repeatable_step_taken_again(world, api):
    track = advance(world, "designate_candidate")
    taken(api, track, "activist_review", date(2024, 2, 20), {"conclusion": "表现良好"})


def test_a_missing_prerequisite(world, api):
    track = advance(world, "first_talk")
    assert set(refused(api, track, "designate_activist", date(2023, 3, 1), {"source": "league"})) == {
        "prerequisite_missing"}


def test_an_ended_dossier_refuses_steps(world, api):
    track = advance(world, "designate_candidate")
    services.end_dossier(dossier=track.dossier, kind=EndKind.WITHDRAWN, reason=EndReason.RESIGNED,
                         on=date(2024, 3, 2), by=track.worker)
    for step in ("designate_candidate", "activist_review", "archive"):
        assert "dossier_not_active" in refused(api, track, step, date(2024, 3, 4), journey_data(step)), step


def test_an_in_transit_dossier_is_read_only_for_the_sender(world, api):
    track = advance(world, "designate_candidate")
    Dossier.objects.filter(pk=track.dossier.pk).update(state=DossierState.IN_TRANSIT)
    before = saved_state(track.dossier)
    response = post_step(api, track, "designate_candidate", date(2024, 3, 4))
    assert response.status_code == 403
    assert saved_state(track.dossier) == before
    admin = world.api_client_for(Role.COUNTY_ADMIN)
    assert set(refused(admin, track, "designate_candidate", date(2024, 3, 4))) == {"dossier_not_active"}
