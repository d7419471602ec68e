"""The procedure engine on its own (members.procedure + members.rules): facts in,
problems out, no database.  Each rule on both sides of its boundary."""
import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest

from members import procedure, rulesets
from members.facts import ApproverFact, DossierFacts, PersonFact, ReviewSideFact, StepFact
from members.periods import WorkingCalendar
from tests.members.helpers import assert_chinese

DATA = rulesets.load("national-2014")
RULES = procedure.RuleSet(DATA)
TODAY = date(2026, 1, 15)
TOWNSHIP_COMMITTEE = ApproverFact("甲镇党委", is_committee=True, has_authority=True)
PEOPLE = {
    1: PersonFact(1, "张一", "full"), 2: PersonFact(2, "李二", "full"), 3: PersonFact(3, "王三", "full"),
    4: PersonFact(4, "赵四", "probationary"), 5: PersonFact(5, "钱五", "suspended"), 6: PersonFact(6, "孙六", "none"),
}
OFFICIAL = list(rulesets.official_days())
CALENDAR = WorkingCalendar(holidays=[d for d, workday, _ in OFFICIAL if not workday],
                           extra_workdays=[d for d, workday, _ in OFFICIAL if workday])
VOTES = {"voting_members": 9, "present": 7, "in_favor": 6}

# A dossier's history up to the full-membership vote (dates as in test_journey).
HISTORY = [
    ("apply", date(2023, 1, 10), {}), ("first_talk", date(2023, 1, 20), {}),
    ("designate_activist", date(2023, 3, 1), {}), ("file_activist", date(2023, 3, 5), {}),
    ("assign_mentors", date(2023, 3, 5), {}), ("activist_review", date(2023, 8, 20), {}),
    ("activist_review", date(2024, 2, 1), {}), ("designate_candidate", date(2024, 3, 4), {}),
    ("file_candidate", date(2024, 3, 8), {}), ("assign_introducers", date(2024, 3, 10), {}),
    ("political_review", date(2024, 4, 2), {}), ("concentrated_training", date(2024, 4, 10), {}),
    ("committee_review", date(2024, 4, 29), {}), ("pre_review", date(2024, 5, 20), {}),
    ("application_form", date(2024, 5, 25), {}), ("admission_vote", date(2024, 6, 3), {}),
    ("approval_talk", date(2024, 6, 10), {}), ("admission_approval", date(2024, 7, 1), {}),
    ("admission_filing", date(2024, 7, 5), {}), ("assign_branch", date(2024, 7, 5), {}),
    ("oath", date(2024, 7, 6), {}), ("probation_review", date(2024, 12, 1), {}),
    ("full_application", date(2025, 5, 20), {}), ("full_vote", date(2025, 6, 3), {"outcome": "full"}),
    ("full_approval", date(2025, 6, 20), {}), ("archive", date(2025, 6, 25), {}),
]


def history_before(step: str, **dates) -> list:
    records = []
    for code, on, data in HISTORY:
        if code == step:
            break
        records.append((code, dates.get(code, on), data))
    return records


def make_facts(records=(), *, birth=date(1995, 6, 15), migrant=False, state="active", sides=(),
               training=(0, 0), approver=TOWNSHIP_COMMITTEE, today=TODAY, cultivation_start="auto") -> DossierFacts:
    steps = tuple(StepFact(code, on, data) for code, on, data in records)
    if cultivation_start == "auto":
        cultivation_start = next((r.on for r in steps if r.code == "designate_activist"), None)
    return DossierFacts(birth_date=birth, is_migrant=migrant, state=state, records=steps,
                        cultivation_start=cultivation_start,
                        review_sides=tuple(ReviewSideFact(*side) for side in sides),
                        training_days=Decimal(str(training[0])), training_hours=Decimal(str(training[1])),
                        approver=approver, today=today)


def verdict(step, on, data=None, facts=None, *, rules=RULES, people=PEOPLE):
    facts = facts if facts is not None else make_facts(history_before(step))
    result = procedure.check(rules, facts, step, on, data or {}, people=people, calendar=CALENDAR)
    for problem in result.problems:
        assert_chinese(problem.message)
    return result


def codes(*args, **kwargs) -> set[str]:
    return {p.code for p in verdict(*args, **kwargs).problems}


def problem(code, *args, **kwargs):
    return next(p for p in verdict(*args, **kwargs).problems if p.code == code)


# ---- age ≥ 18 on the application date ------------------------------------------------------

@pytest.mark.parametrize("birth,on,expected", [
    (date(2005, 6, 15), date(2023, 6, 14), {"under_age"}),
    (date(2005, 6, 15), date(2023, 6, 15), set()),
    (date(2005, 6, 15), date(2023, 6, 16), set()),
    (date(2004, 2, 29), date(2022, 2, 27), {"under_age"}),
    (date(2004, 2, 29), date(2022, 2, 28), set()),        # month_end: 28 Feb in a common year
    (date(2004, 2, 29), date(2022, 3, 1), set()),
])
def test_applicant_is_eighteen_on_the_application_date(birth, on, expected):
    assert codes("apply", on, facts=make_facts(birth=birth)) == expected


def test_under_age_says_when_the_applicant_may_apply():
    found = problem("under_age", "apply", date(2022, 2, 27), facts=make_facts(birth=date(2004, 2, 29)))
    assert found.available_from == date(2022, 2, 28)
    assert found.article == "《中国共产党发展党员工作细则》第六条"


# ---- first talk: the one-month limit is an alert, never a block ----------------------------

@pytest.mark.parametrize("on", [date(2023, 1, 10), date(2023, 2, 10), date(2023, 2, 11), date(2023, 3, 10)])
def test_first_talk_late_is_still_allowed(on):
    assert codes("first_talk", on, {"talker": "李书记"}) == set()


def test_talk_limit_lives_in_the_deadlines_not_the_rules():
    assert RULES.step("first_talk").rules == ()
    assert any(d["step"] == "first_talk" and d["months"] == 1 for d in RULES.deadlines)


# ---- mentors (1–2) and introducers (exactly 2): full members only -----------------------------

@pytest.mark.parametrize("mentors,expected", [
    ([], {"field_required", "mentors_count"}),
    ([1], set()),
    ([1, 2], set()),
    ([1, 2, 3], {"mentors_count"}),
    ([1, 4], {"not_full_member"}),                 # probationary member
    ([1, 5], {"not_full_member"}),                 # under 留党察看
    ([6], {"not_full_member"}),                    # not a member at all
    ([1, 1], {"person_repeated"}),
    ([1, 99], {"person_unknown"}),
])
def test_mentors(mentors, expected):
    assert codes("assign_mentors", date(2023, 3, 5), {"mentors": mentors}) == expected


@pytest.mark.parametrize("introducers,expected", [
    ([1], {"introducers_count"}),
    ([1, 2], set()),
    ([1, 2, 3], {"introducers_count"}),
    ([1, 4], {"not_full_member"}),
    ([1, 5], {"not_full_member"}),
    ([1, 1], {"person_repeated", "introducers_count"}),
])
def test_introducers(introducers, expected):
    assert codes("assign_introducers", date(2024, 3, 10), {"introducers": introducers}) == expected


def test_a_probationary_mentor_is_named_in_the_message():
    found = problem("not_full_member", "assign_mentors", date(2023, 3, 5), {"mentors": [4]})
    assert "赵四" in found.message and "预备党员" in found.message


# ---- cultivation ≥ 1 year, examined at least every half year ---------------------------------

def candidate_facts(start=date(2023, 3, 1), reviews=(date(2023, 8, 20), date(2024, 2, 1))):
    records = [("apply", date(2023, 1, 10), {}), ("first_talk", date(2023, 1, 20), {}),
               ("designate_activist", start, {}), ("file_activist", start, {}), ("assign_mentors", start, {})]
    records += [("activist_review", on, {}) for on in reviews]
    return make_facts(records)


@pytest.mark.parametrize("on,expected", [
    (date(2024, 2, 29), {"cultivation_too_short"}),
    (date(2024, 3, 1), set()),                      # the anniversary of designate_activist
    (date(2024, 3, 2), set()),
])
def test_cultivation_of_one_year(on, expected):
    assert codes("designate_candidate", on, facts=candidate_facts()) == expected


def test_cultivation_from_29_february_ends_on_28_february():
    facts = candidate_facts(start=date(2024, 2, 29), reviews=(date(2024, 8, 1), date(2025, 2, 1)))
    assert codes("designate_candidate", date(2025, 2, 27), facts=facts) == {"cultivation_too_short"}
    assert problem("cultivation_too_short", "designate_candidate", date(2025, 2, 27),
                   facts=facts).available_from == date(2025, 2, 28)
    assert codes("designate_candidate", date(2025, 2, 28), facts=facts) == set()


def test_cultivation_needs_a_start():
    facts = make_facts(history_before("designate_candidate"), cultivation_start=None)
    assert "cultivation_not_started" in codes("designate_candidate", date(2024, 3, 4), facts=facts)


@pytest.mark.parametrize("reviews,on,expected", [
    ((date(2023, 9, 1), date(2024, 3, 1)), date(2024, 3, 1), set()),          # gaps of exactly 6 months
    ((date(2023, 9, 2), date(2024, 3, 1)), date(2024, 3, 1), {"review_gap"}),  # 6 months + 1 day after the start
    ((date(2023, 9, 1), date(2024, 3, 2)), date(2024, 3, 2), {"review_gap"}),  # 6 months + 1 day between reviews
    ((date(2023, 8, 20), date(2024, 2, 1)), date(2024, 8, 1), set()),          # up to the step date: 6 months
    ((date(2023, 8, 20), date(2024, 2, 1)), date(2024, 8, 2), {"review_gap"}),  # … + 1 day
])
def test_activist_examined_at_least_every_half_year(reviews, on, expected):
    assert codes("designate_candidate", on, facts=candidate_facts(reviews=reviews)) == expected


def test_half_year_from_31_august_ends_on_29_february():
    facts = candidate_facts(start=date(2023, 8, 31), reviews=(date(2024, 2, 29), date(2024, 8, 29)))
    assert codes("designate_candidate", date(2024, 8, 31), facts=facts) == set()
    facts = candidate_facts(start=date(2023, 8, 31), reviews=(date(2024, 3, 1), date(2024, 8, 29)))
    assert codes("designate_candidate", date(2024, 8, 31), facts=facts) == {"review_gap"}


# ---- political review (双政审 for migrants) -------------------------------------------------

REVIEWED = date(2024, 4, 1)


@pytest.mark.parametrize("migrant,sides,on,expected", [
    (False, [("residence", REVIEWED, True)], date(2024, 3, 31), {"political_review_missing"}),
    (False, [("residence", REVIEWED, True)], REVIEWED, set()),
    (False, [("residence", REVIEWED, True)], date(2024, 4, 2), set()),
    (False, [("employer", REVIEWED, True)], REVIEWED, set()),                # one side is enough
    (False, [("residence", None, None)], date(2024, 4, 2), {"political_review_missing"}),
    (False, [], date(2024, 4, 2), {"political_review_missing"}),
    (False, [("residence", REVIEWED, False)], date(2024, 4, 2), {"political_review_failed"}),
    (False, [("residence", date(2024, 4, 3), False)], date(2024, 4, 2), {"political_review_missing"}),
    (True, [("residence", REVIEWED, True)], date(2024, 4, 2), {"dual_review_outstanding"}),
    (True, [("residence", REVIEWED, True), ("employer", date(2024, 4, 5), True)], date(2024, 4, 4),
     {"dual_review_outstanding"}),
    (True, [("residence", REVIEWED, True), ("employer", date(2024, 4, 5), True)], date(2024, 4, 5), set()),
    (True, [("residence", REVIEWED, True), ("employer", date(2024, 4, 5), True)], date(2024, 4, 6), set()),
    (True, [("residence", REVIEWED, True), ("employer", REVIEWED, False)], date(2024, 4, 2),
     {"political_review_failed"}),
])
def test_political_review(migrant, sides, on, expected):
    facts = make_facts(history_before("political_review"), migrant=migrant, sides=sides)
    assert codes("political_review", on, {"conclusion": "合格"}, facts=facts) == expected


def test_migrant_message_names_the_missing_side():
    facts = make_facts(history_before("political_review"), migrant=True, sides=[("residence", REVIEWED, True)])
    assert "工作单位" in problem("dual_review_outstanding", "political_review", date(2024, 4, 2),
                             {"conclusion": "合格"}, facts=facts).message


def test_political_review_checked_again_at_the_admission_vote():
    records = history_before("admission_vote")
    failed = make_facts(records, sides=[("residence", REVIEWED, False)])
    assert codes("admission_vote", date(2024, 6, 3), VOTES, facts=failed) == {"political_review_failed"}
    none = make_facts(records, sides=[])
    assert codes("admission_vote", date(2024, 6, 3), VOTES, facts=none) == {"political_review_missing"}
    passed = make_facts(records, sides=[("residence", REVIEWED, True)])
    assert codes("admission_vote", date(2024, 6, 3), VOTES, facts=passed) == set()


# ---- concentrated training ≥ 3 days or ≥ 24 hours ----------------------------------------------

@pytest.mark.parametrize("data,attended,expected", [
    ({"days": "2.5"}, (0, 0), {"training_insufficient"}),
    ({"days": "3"}, (0, 0), set()),
    ({"days": "3.5"}, (0, 0), set()),
    ({"hours": "23.5"}, (0, 0), {"training_insufficient"}),
    ({"hours": "24"}, (0, 0), set()),
    ({"days": "2.5", "hours": "23.5"}, (0, 0), {"training_insufficient"}),   # neither threshold
    ({}, (0, 0), {"training_insufficient"}),
    ({"days": 1}, (2, 0), set()),                                           # courses attended + step data
    ({"hours": "3.5"}, (0, 20), {"training_insufficient"}),
    ({"hours": 4}, (0, 20), set()),
    ({}, (3, 0), set()),
    ({"days": "-1"}, (0, 0), {"field_invalid"}),
    ({"days": "三天"}, (0, 0), {"field_invalid"}),
])
def test_concentrated_training(data, attended, expected):
    facts = make_facts(history_before("concentrated_training"), training=attended)
    assert codes("concentrated_training", date(2024, 4, 10), data, facts=facts) == expected


# ---- publicity ≥ 5 working days, ended before the step --------------------------------------

def publicity(start, end):
    return {"publicity_start": start, "publicity_end": end}


@pytest.mark.parametrize("start,end,on,expected", [
    # committee review on 29 April 2024; May Day 1–5 May off.
    (date(2024, 4, 29), date(2024, 5, 7), date(2024, 5, 8), {"publicity_too_short"}),   # 4 working days
    (date(2024, 4, 29), date(2024, 5, 8), date(2024, 5, 8), set()),                      # 5
    (date(2024, 4, 29), date(2024, 5, 8), date(2024, 5, 7), {"publicity_not_ended"}),    # the day before the end
    (date(2024, 4, 29), date(2024, 5, 8), date(2024, 5, 9), set()),
    (date(2024, 4, 29), date(2024, 5, 7), date(2024, 4, 30), {"publicity_not_ended", "publicity_too_short"}),
    (date(2024, 5, 7), date(2024, 5, 10), date(2024, 5, 20), {"publicity_too_short"}),
    (date(2024, 5, 7), date(2024, 5, 11), date(2024, 5, 20), set()),                     # adjusted Saturday
    (date(2024, 4, 28), date(2024, 5, 7), date(2024, 5, 20), {"publicity_dates"}),       # before committee review
    (date(2024, 5, 8), date(2024, 5, 7), date(2024, 5, 20), {"publicity_dates", "publicity_too_short"}),
])
def test_publicity_before_pre_review(start, end, on, expected):
    assert codes("pre_review", on, publicity(start, end)) == expected


def test_publicity_not_ended_says_when():
    data = publicity(date(2024, 4, 29), date(2024, 5, 8))
    found = problem("publicity_not_ended", "pre_review", date(2024, 5, 7), data)
    assert found.available_from == date(2024, 5, 8)


def full_vote_data(start=date(2025, 5, 21), end=date(2025, 5, 27), outcome="full", **extra):
    return {"outcome": outcome, **publicity(start, end), **VOTES, **extra}


@pytest.mark.parametrize("end,expected", [
    (date(2025, 10, 10), {"publicity_too_short"}),          # National Day 2025: 29, 30 Sep, 9, 10 Oct
    (date(2025, 10, 11), set()),                            # + the adjusted Saturday
])
def test_publicity_before_full_vote_over_national_day(end, expected):
    facts = make_facts(history_before("full_vote", full_application=date(2025, 9, 29)))
    assert codes("full_vote", date(2025, 10, 13), full_vote_data(date(2025, 9, 29), end), facts=facts) == expected


# ---- branch meeting votes ---------------------------------------------------------------------

@pytest.mark.parametrize("voting,present,in_favor,expected", [
    (9, 4, 4, {"vote_no_quorum", "vote_no_majority"}),      # 4 of 9 present: no quorum
    (9, 5, 5, set()),                                       # 5 of 9: quorum and majority
    (9, 7, 4, {"vote_no_majority"}),                        # 4 of ALL 9, not of the 7 present
    (9, 7, 5, set()),
    (10, 5, 5, {"vote_no_quorum", "vote_no_majority"}),     # exactly half is not more than half
    (10, 6, 6, set()),
    (10, 8, 5, {"vote_no_majority"}),
    (9, 7, 8, {"vote_numbers"}),                            # more in favour than present
    (9, 10, 6, {"vote_numbers"}),                           # more present than voting members
    (0, 0, 0, {"vote_numbers"}),
])
def test_admission_vote(voting, present, in_favor, expected):
    data = {"voting_members": voting, "present": present, "in_favor": in_favor}
    facts = make_facts(history_before("admission_vote"), sides=[("residence", REVIEWED, True)])
    assert codes("admission_vote", date(2024, 6, 3), data, facts=facts) == expected


def test_voting_members_are_full_members_only():
    fields = {f["name"]: f["label"] for f in RULES.step("admission_vote").fields}
    assert fields["voting_members"] == "有表决权的正式党员数"
    assert fields == {f["name"]: f["label"] for f in RULES.step("full_vote").fields if f["name"] in fields}


def test_full_vote_needs_the_same_majority():
    facts = make_facts(history_before("full_vote"))
    data = full_vote_data(**{"present": 7, "in_favor": 4})
    assert codes("full_vote", date(2025, 6, 3), data, facts=facts) == {"vote_no_majority"}


# ---- admission approval: within 3 months, at most 6 with a reason; authority ----------------

def approval_facts(vote_on=date(2024, 6, 3), approver=TOWNSHIP_COMMITTEE):
    return make_facts(history_before("admission_approval", admission_vote=vote_on, approval_talk=vote_on),
                      approver=approver)


@pytest.mark.parametrize("on,reason,expected", [
    (date(2024, 9, 2), "", set()),
    (date(2024, 9, 3), "", set()),                          # the day of the 3-month limit
    (date(2024, 9, 4), "", {"late_reason_required"}),
    (date(2024, 9, 4), "上级党委集中审批", set()),
    (date(2024, 12, 3), "上级党委集中审批", set()),          # the 6-month limit, with a reason
    (date(2024, 12, 4), "上级党委集中审批", {"deadline_passed"}),
    (date(2024, 12, 4), "", {"deadline_passed"}),
])
def test_admission_approval_deadline(on, reason, expected):
    assert codes("admission_approval", on, {"late_reason": reason}, facts=approval_facts()) == expected


@pytest.mark.parametrize("on,reason,expected", [
    (date(2025, 2, 28), "", set()),                         # 30 Nov + 3 months
    (date(2025, 3, 1), "", {"late_reason_required"}),
    (date(2025, 5, 30), "原因", set()),                     # 30 Nov + 6 months
    (date(2025, 5, 31), "原因", {"deadline_passed"}),
])
def test_admission_approval_deadline_from_30_november(on, reason, expected):
    facts = approval_facts(vote_on=date(2024, 11, 30))
    assert codes("admission_approval", on, {"late_reason": reason}, facts=facts) == expected


@pytest.mark.parametrize("approver,expected", [
    (TOWNSHIP_COMMITTEE, set()),
    (ApproverFact("某公司党总支", is_committee=False, has_authority=False), {"no_approval_authority"}),
    (ApproverFact("某公司党委", is_committee=True, has_authority=False), {"no_approval_authority"}),
    (ApproverFact("某公司党总支", is_committee=False, has_authority=True), {"no_approval_authority"}),
    (None, {"no_approval_authority"}),
])
def test_only_a_committee_with_authority_approves(approver, expected):
    assert codes("admission_approval", date(2024, 7, 1), facts=approval_facts(approver=approver)) == expected


# ---- probation: one year from the admission vote, one extension of 6–12 months --------------

def vote_facts(extra=(), vote_on=date(2024, 6, 3), **options):
    return make_facts(history_before("full_vote", admission_vote=vote_on) + list(extra), **options)


@pytest.mark.parametrize("on,expected", [
    (date(2025, 6, 2), {"probation_not_over"}),
    (date(2025, 6, 3), set()),
    (date(2025, 6, 4), set()),
])
def test_full_vote_when_probation_ends(on, expected):
    assert codes("full_vote", on, full_vote_data(), facts=vote_facts()) == expected


def test_probation_from_29_february():
    facts = vote_facts(vote_on=date(2024, 2, 29))
    assert RULES.probation_end(facts) == date(2025, 2, 28)
    data = full_vote_data(date(2025, 2, 10), date(2025, 2, 14))
    facts = make_facts(history_before("full_vote", admission_vote=date(2024, 2, 29), full_application=date(2025, 2, 7)))
    assert codes("full_vote", date(2025, 2, 27), data, facts=facts) == {"probation_not_over"}
    assert codes("full_vote", date(2025, 2, 28), data, facts=facts) == set()


@pytest.mark.parametrize("months,expected", [
    (None, {"extension_months"}), (5, {"extension_months"}), (6, set()), (12, set()), (13, {"extension_months"}),
])
def test_extension_of_six_to_twelve_months(months, expected):
    data = full_vote_data(outcome="extend", extension_months=months)
    assert codes("full_vote", date(2025, 6, 3), data, facts=vote_facts()) == expected


EXTENDED = [("full_vote", date(2025, 6, 3), {"outcome": "extend", "extension_months": 6})]


def test_probation_end_moves_with_the_extension():
    assert RULES.probation_end(vote_facts()) == date(2025, 6, 3)
    assert RULES.probation_end(vote_facts(EXTENDED)) == date(2025, 12, 3)
    found = problem("probation_not_over", "full_vote", date(2025, 12, 2), full_vote_data(), facts=vote_facts(EXTENDED))
    assert found.available_from == date(2025, 12, 3)
    assert codes("full_vote", date(2025, 12, 3), full_vote_data(), facts=vote_facts(EXTENDED)) == set()


def test_probation_extended_only_once():
    data = full_vote_data(outcome="extend", extension_months=6)
    assert codes("full_vote", date(2025, 12, 3), data, facts=vote_facts(EXTENDED)) == {"extension_repeated"}


@pytest.mark.parametrize("outcome,expected", [("full", set()), ("extend", {"vote_not_full"}),
                                              ("cancel", {"vote_not_full"})])
def test_full_approval_only_after_a_vote_for_full_membership(outcome, expected):
    facts = vote_facts([("full_vote", date(2025, 6, 3), {"outcome": outcome, "extension_months": 6})])
    assert codes("full_approval", date(2025, 6, 20), facts=facts) == expected


@pytest.mark.parametrize("on,expected", [
    (date(2025, 9, 2), set()), (date(2025, 9, 3), set()), (date(2025, 9, 4), {"deadline_passed"}),
])
def test_full_approval_within_three_months(on, expected):
    facts = vote_facts([("full_vote", date(2025, 6, 3), {"outcome": "full"})])
    assert codes("full_approval", on, facts=facts) == expected


def test_full_approval_deadline_counts_from_the_last_vote():
    facts = vote_facts(EXTENDED + [("full_vote", date(2025, 12, 3), {"outcome": "full"})], today=date(2026, 6, 1))
    assert codes("full_approval", date(2026, 3, 3), facts=facts) == set()
    assert codes("full_approval", date(2026, 3, 4), facts=facts) == {"deadline_passed"}


def test_full_approval_needs_authority():
    facts = vote_facts([("full_vote", date(2025, 6, 3), {"outcome": "full"})],
                       approver=ApproverFact("某公司党总支", is_committee=False, has_authority=False))
    assert codes("full_approval", date(2025, 6, 20), facts=facts) == {"no_approval_authority"}


# ---- checks every step gets ----------------------------------------------------------------

STEP_CODES = [step.code for step in RULES.steps]


def test_the_rule_set_has_the_25_steps_in_order():
    assert STEP_CODES == [
        "apply", "first_talk", "designate_activist", "file_activist", "assign_mentors", "activist_review",
        "designate_candidate", "file_candidate", "assign_introducers", "political_review", "concentrated_training",
        "committee_review", "pre_review", "application_form", "admission_vote", "approval_talk",
        "admission_approval", "admission_filing", "assign_branch", "oath", "probation_review", "full_application",
        "full_vote", "full_approval", "archive"]


@pytest.mark.parametrize("state", ["in_transit", "ended", "completed"])
@pytest.mark.parametrize("step", STEP_CODES)
def test_an_inactive_dossier_refuses_every_step(step, state):
    facts = make_facts(history_before(step), state=state)
    found = codes(step, date(2025, 12, 1), facts=facts)
    assert "dossier_not_active" in found
    assert found <= {"dossier_not_active", "field_required", "date_before_prerequisite"}   # rules not run


@pytest.mark.parametrize("step", [s for s in STEP_CODES if s != "apply"])
def test_a_step_before_its_prerequisite(step):
    records = history_before(step)
    required = RULES.step(step).requires
    latest = max(on for code, on, _ in records if code in required)
    found = problem("date_before_prerequisite", step, latest - timedelta(days=1), facts=make_facts(records))
    assert found.available_from == latest
    same_day = codes(step, latest, facts=make_facts(records))
    assert "date_before_prerequisite" not in same_day


def test_a_step_dated_after_today():
    facts = make_facts(history_before("first_talk"), today=date(2023, 2, 1))
    assert codes("first_talk", date(2023, 2, 2), {"talker": "李"}, facts=facts) == {"date_in_future"}
    assert codes("first_talk", date(2023, 2, 1), {"talker": "李"}, facts=facts) == set()


@pytest.mark.parametrize("step", [s.code for s in RULES.steps if not s.repeatable])
def test_a_step_taken_twice(step):
    records = history_before(step) + [(step, date(2025, 6, 30), {})]
    assert "already_taken" in codes(step, date(2025, 7, 1), facts=make_facts(records))


@pytest.mark.parametrize("step", ["activist_review", "probation_review", "full_vote"])
def test_repeatable_steps(step):
    records = history_before(step) + [(step, date(2025, 6, 30), {})]
    assert RULES.step(step).repeatable
    assert "already_taken" not in codes(step, date(2025, 7, 1), facts=make_facts(records))


def test_missing_prerequisites_are_all_named():
    facts = make_facts(history_before("file_candidate"))
    found = verdict("committee_review", date(2024, 4, 29), facts=facts).problems
    assert [p.code for p in found] == ["prerequisite_missing"] * 4
    assert "确定入党介绍人" in found[1].message


def test_blocking_problems_hide_the_rules_they_would_repeat():
    facts = make_facts(history_before("designate_activist"))        # no mentors, no reviews
    assert codes("designate_candidate", date(2023, 3, 2), facts=facts) == {"prerequisite_missing"}


def test_unknown_step():
    found = procedure.check(RULES, make_facts(), "promote", date(2024, 1, 1)).problems
    assert [p.code for p in found] == ["unknown_step"]


def test_verdict_available_from_only_when_time_is_the_only_obstacle():
    facts = make_facts(history_before("designate_candidate"))
    only_time = verdict("designate_candidate", date(2024, 2, 1), facts=facts)
    assert only_time.available_from == date(2024, 3, 1)
    not_only_time = verdict("full_vote", date(2025, 6, 2), full_vote_data(present=4, in_favor=4), facts=vote_facts())
    assert not_only_time.available_from is None


def test_every_problem_cites_its_article():
    found = verdict("admission_vote", date(2024, 6, 3), {"voting_members": 9, "present": 4, "in_favor": 4},
                    facts=make_facts(history_before("admission_vote"), sides=[("residence", REVIEWED, True)]))
    assert {p.article for p in found.problems} == {"《中国共产党发展党员工作细则》第二十三条"}


# ---- every number is data -----------------------------------------------------------------

def test_numbers_come_from_the_rule_set():
    data = copy.deepcopy(DATA)
    for step in data["steps"]:
        for rule in step["rules"]:
            if rule["kind"] == "min_age":
                rule["years"] = 16
            if rule["kind"] == "publicity":
                rule["working_days"] = 7
    data["numbers"]["probation_months"] = 6
    local = procedure.RuleSet(data)
    assert codes("apply", date(2021, 6, 15), facts=make_facts(birth=date(2005, 6, 15)), rules=local) == set()
    assert codes("pre_review", date(2024, 5, 20), publicity(date(2024, 5, 7), date(2024, 5, 13)),
                 rules=local) == {"publicity_too_short"}                        # 6 working days < 7
    facts = make_facts(history_before("full_vote", full_application=date(2024, 11, 20)))
    seven_days = full_vote_data(date(2024, 11, 21), date(2024, 11, 29))
    assert codes("full_vote", date(2024, 12, 2), seven_days, facts=facts, rules=local) == {"probation_not_over"}
    assert codes("full_vote", date(2024, 12, 3), seven_days, facts=facts, rules=local) == set()
    five_days = full_vote_data(date(2024, 11, 21), date(2024, 11, 27))
    assert codes("full_vote", date(2024, 12, 3), five_days, facts=facts, rules=local) == {"publicity_too_short"}
    assert codes("full_vote", date(2024, 12, 3), five_days, facts=facts) == {"probation_not_over"}


def test_only_the_month_end_convention_is_accepted():
    data = copy.deepcopy(DATA)
    data["period_convention"] = "next_day"
    with pytest.raises(ValueError):
        procedure.RuleSet(data)
