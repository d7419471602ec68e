"""A small hand-built county whose every statistics figure is known (see EXPECTED
comments in the tests).  Built on the two-township ``world``: township A (甲镇) and
township B (乙镇).  The period under test is 2024; "today" is 30 June 2025.

Units (存续 unless said):
  A1 enterprise, 50 employees, 2 members, covered by PA (world's own unit)
  A2 enterprise, 20 employees, 0 members, no party organization
  A3 social org, 10 employees, 1 member, no party organization
  A4 enterprise, dissolved (never counted)
  B1 enterprise, 50 employees, 2 members, covered by PB (world's foreign unit)
  B2 social org, 30 employees, 0 members, covered by PB

Dossiers (party organization, unit of the person, key dates):
  d1  PA A1 applied 2023-03-01 activist 2023-09-01 candidate 2024-03-01 approved 2024-08-01
      (female, born 1995-06-15, bachelor, front-line)
  d2  PA A1 applied 2024-02-01 activist 2024-08-01 (league)
  d3  PA A1 applied 2024-05-01
  d4  PA A1 applied 2022-01-01 … approved 2023-03-01 full 2024-03-01
  d5  PA A1 applied 2023-01-01 activist 2023-06-01 (members) ended 2024-06-01, resigned
  d6  PA A1 applied 2023-05-01 activist 2024-01-10 (self) lost contact since 2024-10-01
  d7  PB B1 applied 2024-01-05 activist 2024-07-05 (league)
  d8  PB B1 applied 2023-01-01 activist 2023-04-01 candidate 2023-12-01 approved 2024-11-20
      (male, born 1988-11-21 — 35 on the approval day, 回族, college, technical backbone)
  d9  PB B2 applied 2024-12-31
  d10 PB B1 applied 2025-01-02
  d11 PA A1 applied 2022-06-01 ended 2023-05-01, moved away
"""
import copy
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest

from members import rulesets
from members.choices import DossierState, Education, EndKind, EndReason, Occupation, Stage
from members.models import Alert, Attendance, Dossier, RuleSetVersion, TrainingCourse, Transfer
from organizations.choices import OrganizationKind, SubKind
from quotas.models import PlanStatus, QuotaAllocation, QuotaPlan
from tests.factories import InstructorFactory, OrganizationFactory, PersonFactory

YEAR = 2024
TODAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def empty_figure_cache(settings):
    """Figures are cached for minutes (reports.figure_cache); every test starts empty —
    in a cache namespace of its own, not by clearing the cache: with Redis (CI) the test
    workers share one database, and a clear would wipe another worker's entries mid-test."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@dataclass
class StatsWorld:
    world: object
    units: dict = field(default_factory=dict)
    dossiers: dict = field(default_factory=dict)
    instructors: dict = field(default_factory=dict)

    def __getattr__(self, name):
        return getattr(self.world, name)


def current_rule_set() -> RuleSetVersion:
    """The rule set members' data migration seeds — seeded again after a transactional
    test's flush has emptied the table (browser tests)."""
    current = RuleSetVersion.objects.current()
    if current is None:
        data = rulesets.load("national-2014")
        current, _ = RuleSetVersion.objects.get_or_create(
            code=data["code"], version=data["version"], defaults={"name": data["name"], "data": data,
                                                                  "is_current": True})
    return current


def make_dossier(party_org, unit, *, stage=Stage.APPLICANT, state=DossierState.ACTIVE, person=None, **dates):
    person = person or PersonFactory(current_unit=unit)
    return Dossier.objects.create(person=person, party_org=party_org, rule_set=current_rule_set(),
                                  stage=stage, state=state, **dates)


@pytest.fixture
def stats_world(world) -> StatsWorld:
    s = StatsWorld(world=world)
    a, b = world.township_a, world.township_b
    pa, pb = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    a1, b1 = world.obj("organization", "own"), world.obj("organization", "foreign")
    a2 = OrganizationFactory(township=a, employee_count=20, party_member_count=0)
    a3 = OrganizationFactory(township=a, kind=OrganizationKind.SOCIAL_ORG, sub_kind=SubKind.ASSOCIATION,
                             employee_count=10, party_member_count=1)
    a4 = OrganizationFactory(township=a, status="dissolved", dissolved_on=date(2023, 1, 1))
    b2 = OrganizationFactory(township=b, kind=OrganizationKind.SOCIAL_ORG, sub_kind=SubKind.ASSOCIATION,
                             employee_count=30, party_member_count=0)
    pb.covered_organizations.add(b2)
    s.units = {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "b1": b1, "b2": b2}

    d = s.dossiers
    d["d1"] = make_dossier(pa, a1, stage=Stage.PROBATIONARY, applied_on=date(2023, 3, 1),
                           activist_on=date(2023, 9, 1), candidate_on=date(2024, 3, 1), approved_on=date(2024, 8, 1),
                           person=PersonFactory(current_unit=a1, male=False, birth_date=date(1995, 6, 15),
                                                education=Education.BACHELOR, occupation=Occupation.FRONT_LINE))
    d["d2"] = make_dossier(pa, a1, stage=Stage.ACTIVIST, applied_on=date(2024, 2, 1), activist_on=date(2024, 8, 1),
                           source="league", person=PersonFactory(current_unit=a1, birth_date=date(1985, 1, 1)))
    d["d3"] = make_dossier(pa, a1, applied_on=date(2024, 5, 1))
    d["d4"] = make_dossier(pa, a1, stage=Stage.FULL_MEMBER, state=DossierState.COMPLETED,
                           applied_on=date(2022, 1, 1), activist_on=date(2022, 7, 1), candidate_on=date(2023, 1, 1),
                           approved_on=date(2023, 3, 1), full_on=date(2024, 3, 1))
    d["d5"] = make_dossier(pa, a1, stage=Stage.ACTIVIST, state=DossierState.ENDED, applied_on=date(2023, 1, 1),
                           activist_on=date(2023, 6, 1), source="members", ended_on=date(2024, 6, 1),
                           end_kind=EndKind.WITHDRAWN, end_reason=EndReason.RESIGNED)
    d["d6"] = make_dossier(pa, a1, stage=Stage.ACTIVIST, state=DossierState.LOST_CONTACT,
                           applied_on=date(2023, 5, 1), activist_on=date(2024, 1, 10), source="self",
                           lost_contact_since=date(2024, 10, 1))
    d["d7"] = make_dossier(pb, b1, stage=Stage.ACTIVIST, applied_on=date(2024, 1, 5), activist_on=date(2024, 7, 5),
                           source="league")
    d["d8"] = make_dossier(pb, b1, stage=Stage.PROBATIONARY, applied_on=date(2023, 1, 1),
                           activist_on=date(2023, 4, 1), candidate_on=date(2023, 12, 1), approved_on=date(2024, 11, 20),
                           person=PersonFactory(current_unit=b1, birth_date=date(1988, 11, 21), ethnicity="回族",
                                                education=Education.COLLEGE,
                                                occupation=Occupation.TECHNICAL_BACKBONE))
    d["d9"] = make_dossier(pb, b2, applied_on=date(2024, 12, 31))
    d["d10"] = make_dossier(pb, b1, applied_on=date(2025, 1, 2))
    d["d11"] = make_dossier(pa, a1, state=DossierState.ENDED, applied_on=date(2022, 6, 1), ended_on=date(2023, 5, 1),
                            end_kind=EndKind.WITHDRAWN, end_reason=EndReason.MOVED_AWAY)

    plan = QuotaPlan.objects.create(year=YEAR, name="2024年发展党员计划", total_seats=5, status=PlanStatus.ISSUED)
    QuotaAllocation.objects.create(plan=plan, party_org=pa, area=a, seats=2, extra_seats=1, used=1, reserved=1,
                                   ready_demand=4)
    QuotaAllocation.objects.create(plan=plan, party_org=pb, area=b, seats=2, used=1, ready_demand=1)

    Alert.objects.create(dossier=d["d2"], kind="activist_review_due", due_on=date(2025, 1, 1), message="半年考察",
                         computed_on=TODAY)
    Alert.objects.create(dossier=d["d6"], kind="lost_contact", due_on=date(2024, 10, 1), message="失联",
                         computed_on=TODAY)
    Alert.objects.create(dossier=d["d7"], kind="talk_due", due_on=date(2025, 7, 10), message="谈话", computed_on=TODAY)
    Alert.objects.create(dossier=d["d5"], kind="talk_due", due_on=date(2024, 1, 1), message="已终止", computed_on=TODAY)

    Transfer.objects.create(dossier=d["d3"], from_party_org=pa, to_party_org=pb, state="accepted",
                            requested_on=date(2024, 5, 1), decided_on=date(2024, 5, 11))
    Transfer.objects.create(dossier=d["d7"], from_party_org=pb, to_outside="外县某党支部", state="requested",
                            requested_on=date(2024, 9, 1))
    Transfer.objects.create(dossier=d["d2"], from_party_org=pa, to_party_org=pb, state="rejected",
                            requested_on=date(2023, 5, 1), decided_on=date(2023, 6, 1))

    own_instructor = world.obj("instructor", "own")
    s.instructors = {"own": own_instructor, "a2": InstructorFactory(area=a, organizations=[a2, a3, a4]),
                     "foreign": world.obj("instructor", "foreign"), "b_idle": InstructorFactory(area=b)}
    worker_course = TrainingCourse.objects.create(name="2024年党务工作者培训班", kind="party_worker", organizer="县委组织部",
                                                  starts_on=date(2024, 6, 1), ends_on=date(2024, 6, 30),
                                                  days=Decimal(5), hours=Decimal(40))
    Attendance.objects.create(course=worker_course, party_worker=world.obj("party_worker", "own"), days=Decimal(5),
                              hours=Decimal(40))
    Attendance.objects.create(course=worker_course, instructor=own_instructor, days=Decimal(4), hours=Decimal(30))
    old_course = TrainingCourse.objects.create(name="2023年培训班", kind="party_worker", organizer="县委组织部",
                                               starts_on=date(2023, 6, 1), ends_on=date(2023, 6, 30),
                                               days=Decimal(5), hours=Decimal(40))
    Attendance.objects.create(course=old_course, party_worker=world.obj("party_worker", "foreign"), days=Decimal(5),
                              hours=Decimal(40))
    return s
