"""The whole 25-step procedure through the service layer, ending in a full member."""
from datetime import date

import pytest

from accounts.models import Role
from members import services
from members.choices import DossierState, Membership, Stage
from members.errors import StepRefused
from members.models import PoliticalReview
from tests.factories import MemberFactory, PersonFactory

VOTES = {"voting_members": 9, "present": 7, "in_favor": 6}
JOURNEY = [
    ("first_talk", date(2023, 1, 20), {"talker": "李书记"}),
    ("designate_activist", date(2023, 3, 1), {"source": "league"}),
    ("file_activist", date(2023, 3, 5), {}),
    ("assign_mentors", date(2023, 3, 5), {"mentors": ["m1"]}),
    ("activist_review", date(2023, 8, 20), {"conclusion": "表现良好"}),
    ("activist_review", date(2024, 2, 1), {"conclusion": "表现良好"}),
    ("designate_candidate", date(2024, 3, 4), {}),
    ("file_candidate", date(2024, 3, 8), {}),
    ("assign_introducers", date(2024, 3, 10), {"introducers": ["m1", "m2"]}),
    ("political_review", date(2024, 4, 2), {"conclusion": "政治审查合格"}),
    ("concentrated_training", date(2024, 4, 10), {"days": "3"}),
    ("committee_review", date(2024, 5, 6), {}),
    ("pre_review", date(2024, 5, 20), {"publicity_start": "2024-05-07", "publicity_end": "2024-05-13"}),
    ("application_form", date(2024, 5, 25), {"form_number": "2024-0001"}),
    ("admission_vote", date(2024, 6, 3), VOTES),
    ("approval_talk", date(2024, 6, 10), {"talker": "王委员"}),
    ("admission_approval", date(2024, 7, 1), {}),
    ("admission_filing", date(2024, 7, 5), {}),
    ("assign_branch", date(2024, 7, 5), {"party_group": "第一党小组"}),
    ("oath", date(2024, 7, 6), {}),
    ("probation_review", date(2024, 12, 1), {"conclusion": "合格"}),
    ("full_application", date(2025, 5, 20), {}),
    ("full_vote", date(2025, 6, 3), {"outcome": "full", "publicity_start": "2025-05-21",
                                     "publicity_end": "2025-05-27", **VOTES}),
    ("full_approval", date(2025, 6, 20), {}),
    ("archive", date(2025, 6, 25), {}),
]


def resolve(data, mentors):
    return {k: [mentors[i] for i in v] if k in ("mentors", "introducers") else v for k, v in data.items()}


@pytest.fixture
def journey_world(world):
    worker = world.users[Role.TOWNSHIP_WORKER]
    party_org = world.obj("party_organization", "own")
    person = PersonFactory(birth_date=date(1995, 6, 15), current_unit=world.obj("organization", "own"))
    mentors = {"m1": MemberFactory().pk, "m2": MemberFactory().pk}
    return worker, party_org, person, mentors


def test_whole_procedure_ends_in_full_member_with_party_age(journey_world):
    worker, party_org, person, mentors = journey_world
    dossier = services.start_dossier(person=person, party_org=party_org, applied_on=date(2023, 1, 10), by=worker)
    assert dossier.stage == Stage.APPLICANT and dossier.rule_set.code == "national-2014"
    for step, on, data in JOURNEY:
        if step == "political_review":
            PoliticalReview.objects.create(dossier=dossier, side="residence", requested_on=date(2024, 3, 12),
                                           replied_on=date(2024, 4, 1), passed=True, conclusion="合格")
        services.take_step(dossier=dossier, step=step, on=on, data=resolve(data, mentors), by=worker)
    dossier.refresh_from_db()
    person.refresh_from_db()
    assert dossier.records.count() == 26
    assert dossier.stage == Stage.FULL_MEMBER and dossier.state == DossierState.COMPLETED
    assert dossier.probation_ends_on == date(2025, 6, 3)
    assert dossier.full_on == date(2025, 6, 3)            # party age from the end of probation
    assert person.membership == Membership.FULL and person.party_age_from == date(2025, 6, 3)
    assert dossier.history.first().history_user == worker


def test_refusal_lists_every_rule_and_saves_nothing(journey_world):
    worker, party_org, person, mentors = journey_world
    dossier = services.start_dossier(person=person, party_org=party_org, applied_on=date(2023, 1, 10), by=worker)
    with pytest.raises(StepRefused) as refused:
        services.take_step(dossier=dossier, step="designate_activist", on=date(2023, 1, 5), data={}, by=worker)
    codes = {p["code"] for p in refused.value.data["problems"]}
    assert codes == {"field_required", "prerequisite_missing"}
    assert dossier.records.count() == 1
