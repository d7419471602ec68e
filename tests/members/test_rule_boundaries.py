"""Every procedure rule at its boundary, through members.services (take_step / check_step).

Each dossier is brought to just before the step under test with the JOURNEY of
test_journey (helpers.advance); then the step is tried the day before, the day of and
the day after its boundary, or on both sides of its threshold.  A refusal must carry
the stable problem codes, Chinese messages, and save nothing (helpers.Track.refused).
"""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from members import services
from members.choices import DossierState, EndKind, EndReason, Membership, Stage
from members.errors import DossierError, StepRefused
from members.models import Attendance, CourseKind, Dossier, PoliticalReview, StepRecord, TrainingCourse
from organizations.choices import PartyOrgType
from tests.factories import PartyOrganizationFactory
from tests.members.helpers import (
    JOURNEY, advance, assert_chinese, journey_before, journey_data, make_track, saved_state,
)

pytestmark = pytest.mark.django_db

VOTES = {"voting_members": 9, "present": 7, "in_favor": 6}
FULL_VOTE = journey_data("full_vote")


# ---- age ≥ 18 on the application date ------------------------------------------------------

@pytest.mark.parametrize("birth,applied_on,expected", [
    (date(2005, 6, 15), date(2023, 6, 14), {"under_age"}),        # the day before the 18th birthday
    (date(2005, 6, 15), date(2023, 6, 15), set()),                # the birthday
    (date(2005, 6, 15), date(2023, 6, 16), set()),
    (date(2004, 2, 29), date(2022, 2, 27), {"under_age"}),
    (date(2004, 2, 29), date(2022, 2, 28), set()),                # 29 Feb: 18 on 28 Feb of a common year
    (date(2004, 2, 29), date(2022, 3, 1), set()),
])
def test_applicant_is_eighteen_on_the_application_date(world, birth, applied_on, expected):
    eighteenth = {date(2005, 6, 15): "2023-06-15", date(2004, 2, 29): "2022-02-28"}[birth]
    track = make_track(world, birth_date=birth, applied_on=None)
    party_org = world.obj("party_organization", "own")
    if expected:
        before = (Dossier.objects.count(), StepRecord.objects.count())
        with pytest.raises(StepRefused) as refusal:
            services.start_dossier(person=track.person, party_org=party_org, applied_on=applied_on, by=track.worker)
        assert {p["code"] for p in refusal.value.data["problems"]} == expected
        assert refusal.value.data["problems"][0]["available_from"] == eighteenth
        assert_chinese(refusal.value.message)
        assert (Dossier.objects.count(), StepRecord.objects.count()) == before
    else:
        dossier = services.start_dossier(person=track.person, party_org=party_org, applied_on=applied_on,
                                         by=track.worker)
        assert dossier.applied_on == applied_on and dossier.records.get().step == "apply"


# ---- first talk: the one-month limit is an alert, not a block ---------------------------------

def test_first_talk_two_months_after_the_application_is_allowed(world):
    track = advance(world, "first_talk")
    track.taken("first_talk", date(2023, 3, 10), {"talker": "李书记"})


# ---- mentors: 1–2 full members ---------------------------------------------------------------

@pytest.mark.parametrize("mentors,expected", [
    ([], {"field_required", "mentors_count"}),
    (["m1"], set()),
    (["m1", "m2"], set()),
    (["m1", "m2", "m3"], {"mentors_count"}),
    (["m1", "probationary"], {"not_full_member"}),
    (["m1", "suspended"], {"not_full_member"}),
    (["m1", "m1"], {"person_repeated"}),
])
def test_mentors(world, mentors, expected):
    track = advance(world, "assign_mentors")
    track.add_person("m3")
    track.add_person("probationary", membership=Membership.PROBATIONARY)
    track.add_person("suspended", membership=Membership.SUSPENDED)
    if expected:
        assert track.refused("assign_mentors", date(2023, 3, 5), {"mentors": mentors}) == expected
    else:
        record = track.taken("assign_mentors", date(2023, 3, 5), {"mentors": mentors})
        assert record.data["mentors"] == [track.people[m] for m in mentors]


# ---- activist examined at least every half year -----------------------------------------------

def cultivation_steps(*reviews):
    """JOURNEY up to the mentors, then the given activist reviews."""
    steps = journey_before("activist_review")
    return steps + [("activist_review", on, {"conclusion": "表现良好"}) for on in reviews]


@pytest.mark.parametrize("reviews,on,expected", [
    # designate_activist on 1 March 2023.
    ((date(2023, 9, 1), date(2024, 3, 1)), date(2024, 3, 1), set()),                # gaps of exactly 6 months
    ((date(2023, 9, 2), date(2024, 3, 1)), date(2024, 3, 1), {"review_gap"}),       # 6 months + 1 day
    ((date(2023, 8, 20), date(2024, 2, 1)), date(2024, 8, 1), set()),               # last review → step: 6 months
    ((date(2023, 8, 20), date(2024, 2, 1)), date(2024, 8, 2), {"review_gap"}),      # … + 1 day
])
def test_activist_review_at_least_every_half_year(world, reviews, on, expected):
    track = advance(world, steps=cultivation_steps(*reviews))
    if expected:
        assert track.refused("designate_candidate", on) == expected
    else:
        track.taken("designate_candidate", on)


# ---- cultivation ≥ 1 year ----------------------------------------------------------------------

@pytest.mark.parametrize("on,expected", [
    (date(2024, 2, 29), {"cultivation_too_short"}),      # designate_activist was 1 March 2023
    (date(2024, 3, 1), set()),
    (date(2024, 3, 2), set()),
])
def test_cultivation_of_one_year_before_designate_candidate(world, on, expected):
    track = advance(world, "designate_candidate")
    if expected:
        assert track.refused("designate_candidate", on) == expected
        assert track.problems("designate_candidate", on)["cultivation_too_short"].available_from == date(2024, 3, 1)
    else:
        track.taken("designate_candidate", on)
        assert track.dossier.stage == Stage.CANDIDATE and track.dossier.candidate_on == on


# ---- introducers: exactly two full members ----------------------------------------------------

@pytest.mark.parametrize("introducers,expected", [
    (["m1"], {"introducers_count"}),
    (["m1", "m2"], set()),
    (["m1", "m2", "m3"], {"introducers_count"}),
    (["m1", "probationary"], {"not_full_member"}),
    (["m1", "m1"], {"person_repeated", "introducers_count"}),
])
def test_introducers(world, introducers, expected):
    track = advance(world, "assign_introducers")
    track.add_person("m3")
    track.add_person("probationary", membership=Membership.PROBATIONARY)
    if expected:
        assert track.refused("assign_introducers", date(2024, 3, 10), {"introducers": introducers}) == expected
    else:
        track.taken("assign_introducers", date(2024, 3, 10), {"introducers": introducers})


# ---- political review -------------------------------------------------------------------------

REVIEW = {"conclusion": "政治审查合格"}


def review(side, replied_on, passed=True):
    return {"side": side, "requested_on": date(2024, 3, 12), "replied_on": replied_on, "passed": passed,
            "conclusion": "合格" if passed else "不合格"}


@pytest.mark.parametrize("on,expected", [
    (date(2024, 3, 31), {"political_review_missing"}),     # the reply came on 1 April
    (date(2024, 4, 1), set()),
    (date(2024, 4, 2), set()),
])
def test_political_review_of_a_non_migrant_needs_one_concluded_side(world, on, expected):
    track = advance(world, "political_review", reviews=[review("residence", date(2024, 4, 1))])
    if expected:
        assert track.refused("political_review", on, REVIEW) == expected
    else:
        track.taken("political_review", on, REVIEW)


@pytest.mark.parametrize("on,expected", [
    (date(2024, 4, 4), {"dual_review_outstanding"}),       # the employer replied on 5 April
    (date(2024, 4, 5), set()),
    (date(2024, 4, 6), set()),
])
def test_political_review_of_a_migrant_needs_both_sides(world, on, expected):
    track = advance(world, "political_review", migrant=True,
                    reviews=[review("residence", date(2024, 3, 20)), review("employer", date(2024, 4, 5))])
    if expected:
        assert track.refused("political_review", on, REVIEW) == expected
    else:
        track.taken("political_review", on, REVIEW)


def test_political_review_of_a_migrant_with_one_side_only(world):
    track = advance(world, "political_review", migrant=True, reviews=[review("residence", date(2024, 3, 20))])
    assert track.refused("political_review", date(2024, 4, 10), REVIEW) == {"dual_review_outstanding"}
    assert "工作单位" in track.problems("political_review", date(2024, 4, 10), REVIEW)["dual_review_outstanding"].message


def test_a_failed_political_review_blocks(world):
    track = advance(world, "political_review", reviews=[review("residence", date(2024, 4, 1), passed=False)])
    assert track.refused("political_review", date(2024, 4, 2), REVIEW) == {"political_review_failed"}


def test_political_review_checked_again_before_the_admission_vote(world):
    track = advance(world, "admission_vote")
    PoliticalReview.objects.filter(dossier=track.dossier).update(passed=False, conclusion="补充函调：不合格")
    assert track.refused("admission_vote", date(2024, 6, 3), VOTES) == {"political_review_failed"}
    PoliticalReview.objects.filter(dossier=track.dossier).delete()
    assert track.refused("admission_vote", date(2024, 6, 3), VOTES) == {"political_review_missing"}


# ---- concentrated training ≥ 3 days or ≥ 24 class hours ---------------------------------------

TRAINING_ON = date(2024, 4, 10)


@pytest.mark.parametrize("data,expected", [
    ({"days": "2.5"}, {"training_insufficient"}),
    ({"days": "3"}, set()),
    ({"hours": "23.5"}, {"training_insufficient"}),
    ({"hours": "24"}, set()),
    ({}, {"training_insufficient"}),
])
def test_concentrated_training_from_step_data(world, data, expected):
    track = advance(world, "concentrated_training")
    if expected:
        assert track.refused("concentrated_training", TRAINING_ON, data) == expected
    else:
        record = track.taken("concentrated_training", TRAINING_ON, data)
        assert {k: Decimal(v) for k, v in record.data.items()} == {k: Decimal(v) for k, v in data.items()}


def attend(track, kind=CourseKind.CANDIDATE, *, days="2", hours="16", passed=True, ends_on=date(2024, 4, 3)):
    course = TrainingCourse.objects.create(name="发展对象培训班", kind=kind, organizer="甲镇党委",
                                           starts_on=ends_on - timedelta(days=2), ends_on=ends_on,
                                           days=Decimal(days), hours=Decimal(hours))
    Attendance.objects.create(course=course, person=track.person, days=Decimal(days), hours=Decimal(hours),
                              passed=passed)


@pytest.mark.parametrize("attended,data,expected", [
    (dict(), {"days": "1"}, set()),                                            # 2 course days + 1
    (dict(days="1.5"), {"days": "1"}, {"training_insufficient"}),
    (dict(days="1", hours="20"), {"hours": "4"}, set()),                       # 20 class hours + 4
    (dict(kind=CourseKind.ACTIVIST, days="3"), {}, {"training_insufficient"}),  # not a candidate course
    (dict(days="3", passed=False), {}, {"training_insufficient"}),             # failed the course
    (dict(days="3", ends_on=TRAINING_ON), {}, set()),                          # ends the day of the step
])
def test_concentrated_training_counts_passed_candidate_courses(world, attended, data, expected):
    track = advance(world, "concentrated_training")
    attend(track, **attended)
    if expected:
        assert track.refused("concentrated_training", TRAINING_ON, data) == expected
    else:
        track.taken("concentrated_training", TRAINING_ON, data)


def test_concentrated_training_ignores_a_course_not_yet_finished(world):
    """A course that ends after the step date has not been attended on that date."""
    track = advance(world, "concentrated_training")
    attend(track, days="3", ends_on=TRAINING_ON + timedelta(days=1))
    assert track.refused("concentrated_training", TRAINING_ON) == {"training_insufficient"}


# ---- publicity ≥ 5 working days, ended before the step --------------------------------------

def publicity(start, end, **extra):
    return {"publicity_start": start.isoformat(), "publicity_end": end.isoformat(), **extra}


MAY_DAY = {"committee_review": date(2024, 4, 29)}     # publicity over May Day 2024 (1–5 May off)


@pytest.mark.parametrize("end,on,expected", [
    (date(2024, 5, 7), date(2024, 5, 8), {"publicity_too_short"}),     # 29, 30 Apr, 6, 7 May: 4 working days
    (date(2024, 5, 8), date(2024, 5, 7), {"publicity_not_ended"}),     # the day before the end
    (date(2024, 5, 8), date(2024, 5, 8), set()),                       # 5 working days, ended that day
    (date(2024, 5, 8), date(2024, 5, 9), set()),
])
def test_publicity_before_pre_review_over_may_day(world, end, on, expected):
    track = advance(world, "pre_review", dates=MAY_DAY)
    data = publicity(date(2024, 4, 29), end)
    if expected:
        assert track.refused("pre_review", on, data) == expected
    else:
        track.taken("pre_review", on, data)


def test_publicity_not_ended_says_when(world):
    track = advance(world, "pre_review", dates=MAY_DAY)
    found = track.problems("pre_review", date(2024, 5, 7), publicity(date(2024, 4, 29), date(2024, 5, 8)))
    assert found["publicity_not_ended"].available_from == date(2024, 5, 8)


def test_publicity_counts_the_holidays_after_the_step_date(world):
    """Refused the day after the committee review, the span 29 April–7 May is both not
    ended and too short (May Day falls between the step date and the end)."""
    track = advance(world, "pre_review", dates=MAY_DAY)
    data = publicity(date(2024, 4, 29), date(2024, 5, 7))
    assert track.refused("pre_review", date(2024, 4, 30), data) == {"publicity_not_ended", "publicity_too_short"}
    assert track.check("pre_review", date(2024, 4, 30), data).available_from is None


@pytest.mark.parametrize("end,expected", [
    (date(2024, 5, 10), {"publicity_too_short"}),        # 7–10 May: 4 working days
    (date(2024, 5, 11), set()),                          # + Saturday 11 May, an adjusted working day
])
def test_publicity_counts_the_adjusted_saturday(world, end, expected):
    track = advance(world, "pre_review")
    data = publicity(date(2024, 5, 7), end)
    if expected:
        assert track.refused("pre_review", date(2024, 5, 20), data) == expected
    else:
        track.taken("pre_review", date(2024, 5, 20), data)


def test_publicity_starts_after_the_committee_review(world):
    track = advance(world, "pre_review")
    assert track.refused("pre_review", date(2024, 5, 20), publicity(date(2024, 5, 5), date(2024, 5, 13))) == {
        "publicity_dates"}


@pytest.mark.parametrize("end,expected", [
    (date(2025, 10, 10), {"publicity_too_short"}),       # National Day 2025: 29, 30 Sep, 9, 10 Oct
    (date(2025, 10, 11), set()),                         # + Saturday 11 October, worked
])
def test_publicity_before_full_vote_over_national_day(world, end, expected):
    track = advance(world, "full_vote", dates={"full_application": date(2025, 9, 29)})
    data = {**FULL_VOTE, **publicity(date(2025, 9, 29), end)}
    if expected:
        assert track.refused("full_vote", date(2025, 10, 13), data) == expected
    else:
        track.taken("full_vote", date(2025, 10, 13), data)


# ---- the branch meeting's vote ----------------------------------------------------------------

@pytest.mark.parametrize("present,in_favor,expected", [
    (4, 4, {"vote_no_quorum", "vote_no_majority"}),       # 4 of 9 voting members present
    (5, 5, set()),                                        # 5 of 9
    (7, 4, {"vote_no_majority"}),                         # 4 in favour: not more than half of all 9
    (7, 5, set()),
    (7, 8, {"vote_numbers"}),                             # more in favour than present
    (10, 6, {"vote_numbers"}),                            # more present than voting members
])
def test_admission_vote(world, present, in_favor, expected):
    track = advance(world, "admission_vote")
    data = {"voting_members": 9, "present": present, "in_favor": in_favor}
    if expected:
        assert track.refused("admission_vote", date(2024, 6, 3), data) == expected
    else:
        track.taken("admission_vote", date(2024, 6, 3), data)
        assert track.dossier.admission_vote_on == date(2024, 6, 3)


def test_only_full_members_vote(world):
    """Probationary members have no vote: the count asked for is of full members, and
    the majority is of all of them."""
    track = advance(world, "admission_vote")
    labels = {f["name"]: f["label"] for f in track.dossier.rule_set.rules.step("admission_vote").fields}
    assert labels["voting_members"] == "有表决权的正式党员数"
    message = track.problems("admission_vote", date(2024, 6, 3),
                             {"voting_members": 9, "present": 7, "in_favor": 4})["vote_no_majority"].message
    assert "有表决权的正式党员9人" in message


def test_full_vote_majority_of_all_voting_members(world):
    track = advance(world, "full_vote")
    assert track.refused("full_vote", date(2025, 6, 3), {**FULL_VOTE, "present": 7, "in_favor": 4}) == {
        "vote_no_majority"}


# ---- admission approval: 3 months (6 with a reason), by an organization with authority -----

LATE = {"late_reason": "上级党委集中审批"}


@pytest.mark.parametrize("on,data,expected", [
    # admission vote on 3 June 2024
    (date(2024, 9, 2), {}, set()),
    (date(2024, 9, 3), {}, set()),                          # the day of the 3-month limit
    (date(2024, 9, 4), {}, {"late_reason_required"}),       # the day after, no reason
    (date(2024, 9, 4), LATE, set()),                        # … with a reason
    (date(2024, 12, 3), LATE, set()),                       # 6 months, with a reason
    (date(2024, 12, 4), LATE, {"deadline_passed"}),         # after 6 months even with a reason
    (date(2024, 12, 4), {}, {"deadline_passed"}),
])
def test_admission_approval_deadline(world, on, data, expected):
    track = advance(world, "admission_approval")
    if expected:
        assert track.refused("admission_approval", on, data) == expected
    else:
        track.taken("admission_approval", on, data)
        assert track.dossier.stage == Stage.PROBATIONARY and track.dossier.approved_on == on
        assert track.dossier.probation_ends_on == date(2025, 6, 3)
        assert track.person.membership == Membership.PROBATIONARY


def township_a_org(world, org_type, authority=False, parent=None):
    return PartyOrganizationFactory(area=world.township_a, org_type=org_type, has_approval_authority=authority,
                                    parent=parent)


@pytest.mark.parametrize("approver,expected", [
    ((PartyOrgType.GENERAL_BRANCH, False), {"no_approval_authority"}),
    ((PartyOrgType.BRANCH, False), {"no_approval_authority"}),
    ((PartyOrgType.COMMITTEE, False), {"no_approval_authority"}),
    ((PartyOrgType.COMMITTEE, True), set()),
])
def test_admission_approval_named_approver(world, approver, expected):
    track = advance(world, "admission_approval")
    data = {"approved_by": township_a_org(world, *approver).pk}
    if expected:
        assert track.refused("admission_approval", date(2024, 7, 1), data) == expected
    else:
        track.taken("admission_approval", date(2024, 7, 1), data)


def test_admission_approval_by_an_unknown_organization(world):
    track = advance(world, "admission_approval")
    assert track.refused("admission_approval", date(2024, 7, 1), {"approved_by": 987654}) == {"no_approval_authority"}


@pytest.mark.parametrize("chain", [
    "township",                     # no committee above: the township's party committee approves
    "committee_with_authority",     # the nearest committee with authority
    "committee_without_authority",  # skipped; nobody above it: the township committee
])
def test_admission_approval_default_approver(world, chain):
    parent = None
    if chain == "committee_with_authority":
        parent = township_a_org(world, PartyOrgType.COMMITTEE, True)
    if chain == "committee_without_authority":
        parent = township_a_org(world, PartyOrgType.COMMITTEE, False)
    track = advance(world, "admission_approval", party_org=township_a_org(world, PartyOrgType.BRANCH, parent=parent))
    track.taken("admission_approval", date(2024, 7, 1))


# ---- probation, extension, full membership, party age --------------------------------------

@pytest.mark.parametrize("on,expected", [
    (date(2025, 6, 2), {"probation_not_over"}),     # admission vote on 3 June 2024
    (date(2025, 6, 3), set()),
    (date(2025, 6, 4), set()),
])
def test_full_vote_when_the_probation_ends(world, on, expected):
    track = advance(world, "full_vote")
    if expected:
        assert track.refused("full_vote", on, FULL_VOTE) == expected
        assert track.problems("full_vote", on, FULL_VOTE)["probation_not_over"].available_from == date(2025, 6, 3)
    else:
        track.taken("full_vote", on, FULL_VOTE)


@pytest.mark.parametrize("months,expected", [(5, {"extension_months"}), (6, date(2025, 12, 3)),
                                             (12, date(2026, 6, 3)), (13, {"extension_months"}),
                                             (None, {"extension_months"})])
def test_extension_of_six_to_twelve_months(world, months, expected):
    track = advance(world, "full_vote")
    data = {**FULL_VOTE, "outcome": "extend", "extension_months": months}
    if isinstance(expected, set):
        assert track.refused("full_vote", date(2025, 6, 3), data) == expected
    else:
        track.taken("full_vote", date(2025, 6, 3), data)
        assert track.dossier.probation_ends_on == expected          # counted from the admission vote
        assert track.dossier.stage == Stage.PROBATIONARY and track.person.membership == Membership.PROBATIONARY


SECOND_PUBLICITY = publicity(date(2025, 11, 24), date(2025, 11, 28))


def test_extended_probation_then_full_membership(world):
    track = advance(world, "full_vote")
    track.taken("full_vote", date(2025, 6, 3), {**FULL_VOTE, "outcome": "extend", "extension_months": 6})
    assert track.dossier.probation_ends_on == date(2025, 12, 3)
    # Full approval cannot follow a vote to extend.
    assert track.refused("full_approval", date(2025, 6, 20)) == {"vote_not_full"}
    # The next vote not before the new end …
    second = {**FULL_VOTE, **SECOND_PUBLICITY}
    assert track.refused("full_vote", date(2025, 12, 2), second) == {"probation_not_over"}
    not_over = track.problems("full_vote", date(2025, 12, 2), second)["probation_not_over"]
    assert not_over.available_from == date(2025, 12, 3)
    # … and no second extension.
    assert track.refused("full_vote", date(2025, 12, 3), {**second, "outcome": "extend", "extension_months": 6}) == {
        "extension_repeated"}
    track.taken("full_vote", date(2025, 12, 3), second)
    track.taken("full_approval", date(2025, 12, 10))
    # Party age counts from the end of the (extended) probation.
    assert track.dossier.full_on == date(2025, 12, 3) and track.dossier.stage == Stage.FULL_MEMBER
    assert track.person.membership == Membership.FULL and track.person.party_age_from == date(2025, 12, 3)


def test_party_age_from_the_end_of_probation_not_the_vote_or_approval(world):
    track = advance(world, "full_vote")
    track.taken("full_vote", date(2025, 6, 10), FULL_VOTE)
    track.taken("full_approval", date(2025, 6, 20))
    assert track.dossier.full_on == date(2025, 6, 3)
    assert track.person.party_age_from == date(2025, 6, 3) and track.person.membership == Membership.FULL


def test_cancelled_probation_ends_the_dossier(world):
    track = advance(world, "full_vote")
    track.taken("full_vote", date(2025, 6, 3), {**FULL_VOTE, "outcome": "cancel"})
    assert track.dossier.state == DossierState.ENDED and track.dossier.end_kind == EndKind.CANCELLED
    assert track.person.membership == Membership.NONE
    assert track.refused("full_approval", date(2025, 6, 20)) == {"dossier_not_active"}


@pytest.mark.parametrize("on,expected", [
    (date(2025, 9, 2), set()),
    (date(2025, 9, 3), set()),                       # full vote on 3 June 2025 + 3 months
    (date(2025, 9, 4), {"deadline_passed"}),
])
def test_full_approval_within_three_months(world, on, expected):
    track = advance(world, "full_approval")
    if expected:
        assert track.refused("full_approval", on) == expected
        assert track.refused("full_approval", on, {"late_reason": "迟报"}) == expected   # no reason extends it
    else:
        track.taken("full_approval", on)


def test_full_approval_by_a_general_branch_refused(world):
    track = advance(world, "full_approval")
    general_branch = township_a_org(world, PartyOrgType.GENERAL_BRANCH)
    assert track.refused("full_approval", date(2025, 6, 20), {"approved_by": general_branch.pk}) == {
        "no_approval_authority"}


# ---- order, dates and state --------------------------------------------------------------

STEPS = list(dict.fromkeys(code for code, _, _ in JOURNEY))   # each step once, in order (without apply)
# Rules other than the date order that still stand on the day of the prerequisite.
SAME_DAY_PROBLEMS = {
    "designate_candidate": {"cultivation_too_short"},                  # 1 Feb 2024: under a year of cultivation
    "political_review": {"political_review_missing"},                 # 4 Mar 2024: the reply came on 1 April
    "pre_review": {"publicity_not_ended"},                             # publicity ends 13 May
    "full_vote": {"probation_not_over", "publicity_not_ended"},        # 20 May 2025: probation ends 3 June
}


@pytest.mark.parametrize("step", STEPS)
def test_every_step_not_before_its_prerequisite(world, step):
    track = advance(world, step)
    data = journey_data(step)
    rules = track.dossier.rule_set.rules
    latest = max(track.dossier.records.filter(step__in=rules.step(step).requires).values_list("taken_on", flat=True))
    assert "date_before_prerequisite" in track.refused(step, latest - timedelta(days=1), data)
    problems = track.problems(step, latest - timedelta(days=1), data)
    assert problems["date_before_prerequisite"].available_from == latest
    same_day = track.check(step, latest, data)
    assert {p.code for p in same_day.problems} == SAME_DAY_PROBLEMS.get(step, set())


def test_a_step_dated_after_today_is_refused(world):
    track = advance(world, "first_talk")
    today = timezone.localdate()
    assert track.refused("first_talk", today + timedelta(days=1), {"talker": "李书记"}) == {"date_in_future"}
    track.taken("first_talk", today, {"talker": "李书记"})


def test_an_application_dated_after_today_is_refused(world):
    track = make_track(world, applied_on=None)
    with pytest.raises(StepRefused) as refusal:
        services.start_dossier(person=track.person, party_org=world.obj("party_organization", "own"),
                               applied_on=timezone.localdate() + timedelta(days=1), by=track.worker)
    assert {p["code"] for p in refusal.value.data["problems"]} == {"date_in_future"}
    assert not Dossier.objects.filter(person=track.person).exists()


@pytest.mark.parametrize("step,on", [("first_talk", date(2023, 1, 25)), ("designate_activist", date(2023, 3, 2))])
def test_a_step_taken_twice_is_refused(world, step, on):
    track = advance(world, STEPS[STEPS.index(step) + 1])
    assert track.refused(step, on, journey_data(step)) == {"already_taken"}


def test_repeatable_steps_may_be_taken_again(world):
    track = advance(world, "designate_candidate")
    track.taken("activist_review", date(2024, 2, 20), {"conclusion": "表现良好"})
    assert track.dossier.records.filter(step="activist_review").count() == 3


def test_a_missing_prerequisite_is_refused(world):
    track = advance(world, "first_talk")
    assert track.refused("designate_activist", date(2023, 3, 1), {"source": "league"}) == {"prerequisite_missing"}


def test_every_missing_prerequisite_is_named(world):
    track = advance(world, "file_candidate")
    with pytest.raises(StepRefused) as refusal:
        services.take_step(dossier=track.dossier, step="committee_review", on=date(2024, 5, 6), data={},
                           by=track.worker)
    problems = refusal.value.data["problems"]
    assert [p["code"] for p in problems] == ["prerequisite_missing"] * 4
    assert all(p["message"].startswith("须先完成") for p in problems)


ALL_STEPS = ["apply"] + STEPS


def test_an_ended_dossier_refuses_every_step(world):
    track = advance(world, "designate_candidate")
    services.end_dossier(dossier=track.dossier, kind=EndKind.WITHDRAWN, reason=EndReason.RESIGNED,
                         on=date(2024, 3, 2), by=track.worker)
    for step in ALL_STEPS:
        assert "dossier_not_active" in track.refused(step, date(2024, 3, 4), journey_data_or_empty(step)), step


def journey_data_or_empty(step):
    return journey_data(step) if step != "apply" else {}


def test_an_archived_dossier_refuses_every_step(world):
    track = advance(world)
    assert track.dossier.state == DossierState.COMPLETED
    for step in ("probation_review", "full_vote", "archive"):
        assert "dossier_not_active" in track.refused(step, date(2025, 7, 1), journey_data(step)), step


def test_an_in_transit_dossier_refuses_every_step(world):
    track = advance(world, "designate_candidate")
    Dossier.objects.filter(pk=track.dossier.pk).update(state=DossierState.IN_TRANSIT)
    for step in ALL_STEPS:
        codes = {p.code for p in track.check(step, date(2024, 3, 4), journey_data_or_empty(step)).problems}
        assert "dossier_not_active" in codes, step
    # The sending township can no longer change it …
    before = saved_state(track.dossier)
    with pytest.raises(PermissionDenied):
        services.take_step(dossier=track.dossier, step="designate_candidate", on=date(2024, 3, 4), data={},
                           by=track.worker)
    assert saved_state(track.dossier) == before
    # … and even the county administrator gets the procedure's refusal.
    admin = world.users[Role.COUNTY_ADMIN]
    assert track.refused("designate_candidate", date(2024, 3, 4), by=admin) == {"dossier_not_active"}


# ---- ending a dossier by hand: the kinds that fit the stage ----------------------------------

@pytest.mark.parametrize("until,kind,allowed", [
    ("designate_candidate", EndKind.WITHDRAWN, True),       # an activist withdraws
    ("designate_candidate", EndKind.NOT_ADMITTED, True),
    ("designate_candidate", EndKind.CANCELLED, False),      # only a probationary member's status is cancelled
    ("oath", EndKind.CANCELLED, True),                      # probationary: disqualified during probation
    ("oath", EndKind.WITHDRAWN, False),                     # already in the Party: no withdrawing
    ("oath", EndKind.NOT_ADMITTED, False),
    ("designate_candidate", EndKind.TRANSFERRED_OUT, False),  # only through a transfer
])
def test_end_kinds_fit_the_stage(world, until, kind, allowed):
    track = advance(world, until)
    on = track.dossier.last_step_on + timedelta(days=1)
    if allowed:
        services.end_dossier(dossier=track.dossier, kind=kind, reason=EndReason.DISQUALIFIED, on=on, by=track.worker)
        assert track.reload().end_kind == kind and track.dossier.state == DossierState.ENDED
        if kind == EndKind.CANCELLED:
            assert track.person.membership == Membership.NONE
        return
    with pytest.raises(DossierError) as refused:
        services.end_dossier(dossier=track.dossier, kind=kind, reason=EndReason.OTHER, on=on, by=track.worker)
    assert refused.value.code == "end_kind_not_allowed"
    assert_chinese(refused.value.message)
    assert track.reload().state == DossierState.ACTIVE
    if kind == EndKind.TRANSFERRED_OUT:
        assert "转接" in refused.value.message


def test_a_full_members_dossier_is_archived_not_ended(world):
    track = advance(world, "archive")
    with pytest.raises(DossierError) as refused:
        services.end_dossier(dossier=track.dossier, kind=EndKind.WITHDRAWN, reason=EndReason.OTHER,
                             on=track.dossier.last_step_on, by=track.worker)
    assert refused.value.data["allowed"] == [] and "归档" in refused.value.message


def test_end_form_and_api_offer_and_accept_only_the_fitting_kinds(world):
    track = advance(world, "oath")
    client = world.client_for(Role.TOWNSHIP_WORKER)
    url = reverse("members:dossier-end", args=[track.dossier.pk])
    form = client.get(url).context["form"]
    assert [k for k, _ in form.fields["kind"].choices] == [EndKind.CANCELLED]
    on = (track.dossier.last_step_on + timedelta(days=1)).isoformat()
    page = client.post(url, {"kind": "withdrawn", "reason": "resigned", "ended_on": on})
    assert page.status_code == 200 and track.reload().state == DossierState.ACTIVE
    api = world.api_client_for(Role.API_CLIENT)
    response = api.post(reverse("api:dossier-end", args=[track.dossier.pk]),
                        {"end_kind": "withdrawn", "end_reason": "resigned", "on": on}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "end_kind_not_allowed"
    assert response.json()["data"]["allowed"] == ["cancelled"]
