"""The demo county's people and their development dossiers (``seed_demo``'s members part).

About 7.5 people per unit (6,000 for the default 800 units): a few full members per
developing party organization, who mentor and introduce, and the people in the
procedure — applicants, activists, candidates, probationary and full members who came
through it since 2018, and dossiers that ended (mostly: resigned from the unit).  Every
history is planned step by step by a simulation and **every step is judged by the
procedure engine** (:func:`members.procedure.check`) on the facts the services would
give it — a step the engine refuses is a bug here and stops the build.  Realistic on
purpose: late talks, a missed half-year review, slow registration-place replies to the
political review of migrants (one side outstanding), transfers between townships
(some still pending), people who stopped answering (lost contact, marked by the alert
job), concentrated-training courses per township.

Dates are relative to a fixed demo today, :data:`DEMO_TODAY` (2026-11-20), never the
real today, so the demo is the same every run; the engine refuses dates after the real
today, so the demo's today must not lie in the future.  ``context.rng`` and
``context.fake`` draw every choice, in a fixed order.

How it is written — speed
-------------------------
``take_step`` costs about 20 ms on SQLite; 50,000 steps through it would take many
minutes.  So most histories, already validated by the engine while they were planned,
are written in bulk (one audit row per record, by the ``admin`` account), with the
dossier's derived fields computed by the same function the service uses
(``services._apply_stage_effects``).  A representative share goes through the services
end to end, exactly as a township worker would enter it (register_person, start_dossier,
take_step, the review, training, transfer and contact services): every
:data:`SERVICE_SHARE`-th dossier.  And every county pre-review and admission approval of
this year is taken by ``take_step`` itself, so the quota gates hand out this year's
seats (the other steps of those dossiers are written in bulk between the gated ones).

Quota gates
-----------
``pre_review`` and ``admission_approval`` need a seat in an issued plan of their year,
and members does not know plans.  When such gates are registered (``quotas`` is
installed), this builder stops the dossiers with a gated step this year (and the
services share) before their first gated step and leaves the rest to the gate's owner: ``context.members_demo`` (a :class:`MembersDemo`) tells it
which seats were taken in earlier years by the bulk-written histories
(:meth:`MembersDemo.seat_histories`) and finishes the rest through the services once
the plans exist (:meth:`MembersDemo.finish`).  Without gates this builder finishes
everything itself.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count
from django.utils import timezone
from stdnum.cn import ric

from organizations.choices import OrganizationStatus, PartyOrgType
from organizations.models import Area
from organizations.search import pinyin_initials

from . import alerts, procedure, reviews, services, training, transfers
from .choices import ActivistSource, DossierState, EndKind, EndReason, Membership, Occupation, Sex, Stage
from .errors import StepRefused
from .facts import DossierFacts, PersonFact, ReviewSideFact, StepFact
from .facts_loader import approver_fact, working_calendar
from .materials.demo import DemoMaterials
from .models import (Alert, Attendance, ContactRecord, CourseKind, Dossier, Material, Person, PoliticalReview,
                     RuleSetVersion, StepRecord, TrainingCourse, Transfer, TransferState, overdue_condition)
from .periods import add_months, add_years

DEMO_TODAY = date(2026, 11, 20)
FIRST_YEAR = 2018                 # the county started keeping dossiers in the system
PEOPLE_PER_UNIT = 7.5
SERVICE_SHARE = 100               # every 100th dossier goes through the services end to end
GATED = ("pre_review", "admission_approval")
CHANGE_REASON = "演示数据"
BATCH = 2000

# 身份证号 place codes valid in python-stdnum's table (checked per birth year); locals were
# born in Zhejiang, migrants come from the provinces that send most workers.
LOCAL_PLACES = ["330122", "330127", "330324", "330326", "330328", "330329", "330225", "330226", "330421",
                "330424", "330822", "330824", "330825", "331121", "331122", "331123", "331124", "331127"]
MIGRANT_PLACES = ["340121", "340421", "340621", "360121", "430121", "430321", "433122", "433123", "510121",
                  "510321", "510421", "522323", "522324", "522622", "522625", "422822", "422823", "350121"]
MINORITIES = {"52": ["苗族", "布依族", "侗族"], "433": ["土家族", "苗族"], "4228": ["土家族"], "51": ["彝族"]}
OCCUPATIONS = [(Occupation.FRONT_LINE, 38), (Occupation.TECHNICAL_BACKBONE, 22), (Occupation.PROFESSIONAL, 14),
               (Occupation.MANAGER, 16), (Occupation.OWNER, 3), (Occupation.OTHER, 7)]
EDUCATION = {   # occupation → (education, weight)
    Occupation.FRONT_LINE: [("junior", 20), ("secondary", 45), ("college", 28), ("bachelor", 7)],
    Occupation.TECHNICAL_BACKBONE: [("secondary", 15), ("college", 45), ("bachelor", 37), ("postgraduate", 3)],
    Occupation.PROFESSIONAL: [("college", 25), ("bachelor", 60), ("postgraduate", 15)],
    Occupation.MANAGER: [("secondary", 8), ("college", 32), ("bachelor", 52), ("postgraduate", 8)],
    Occupation.OWNER: [("junior", 10), ("secondary", 30), ("college", 30), ("bachelor", 27), ("postgraduate", 3)],
    Occupation.OTHER: [("secondary", 40), ("college", 35), ("bachelor", 25)],
}
AGES = [((18, 22), 12), ((23, 27), 30), ((28, 32), 25), ((33, 38), 18), ((39, 45), 12), ((46, 52), 3)]
APPLICATION_YEARS = {2018: 9, 2019: 9, 2020: 9, 2021: 10, 2022: 11, 2023: 12, 2024: 13, 2025: 14, 2026: 13}
ENDINGS = [((EndKind.WITHDRAWN, EndReason.RESIGNED), 64), ((EndKind.WITHDRAWN, EndReason.MOVED_AWAY), 12),
           ((EndKind.WITHDRAWN, EndReason.WITHDREW), 14), ((EndKind.NOT_ADMITTED, EndReason.DISQUALIFIED), 5),
           ((EndKind.WITHDRAWN, EndReason.OTHER), 5)]
END_NOTES = {EndReason.RESIGNED: "本人已从本单位离职，去向不明，未办理转接", EndReason.MOVED_AWAY: "随家人迁居外地",
             EndReason.WITHDREW: "本人书面提出暂不要求入党", EndReason.DISQUALIFIED: "经支委会研究，暂不具备发展条件",
             EndReason.OTHER: "因个人原因中止培养", EndReason.FAILED_REVIEW: "政治审查不合格，不再列为发展对象"}
REVIEW_WORDS = ["表现良好，能主动向党组织汇报思想", "工作积极，按期参加理论学习", "思想上进，群众评价较好",
                "业务骨干作用明显，培养效果较好", "能够完成培养联系人布置的学习任务"]
PROBATION_WORDS = ["预备期表现良好，按期参加组织生活", "能发挥先锋模范作用", "按要求完成思想汇报，表现较好"]
OUTSIDE = ["杭州市余杭区两新工委", "宁波市鄞州区非公企业党委", "温州市鹿城区两新组织党委", "上海市闵行区两新组织党工委"]


class DemoPlanError(AssertionError):
    """The simulation planned a step the engine refuses: a bug in this module."""


@dataclass
class Event:
    on: date
    kind: str          # step, review_sent, review_replied, attend, transfer, transfer_accepted,
    #                    transfer_returned, transfer_confirmed, contact, end
    code: str = ""     # step code
    data: dict = field(default_factory=dict)


@dataclass
class DossierPlan:
    index: int
    person: dict                      # Person fields as first registered
    party_org: object                 # the developing party organization at application
    events: list = field(default_factory=list)
    via_services: bool = False
    split: int | None = None          # events[split:] wait for the gate's owner
    person_obj: object = None
    dossier: object = None
    refused: str = ""

    @property
    def pending(self) -> list:
        return self.events[self.split:] if self.split is not None else []

    @property
    def archived(self) -> bool:
        """Reaches the archive step, so every required document must be there."""
        return any(event.kind == "step" and event.code == "archive" for event in self.events)


# ---- reference data ---------------------------------------------------------------------

class _Places:
    """ID-number place codes valid for a birth year (python-stdnum knows when each existed)."""

    def __init__(self):
        self.cache = {}

    def valid(self, code: str, year: int) -> bool:
        key = (code, year)
        if key not in self.cache:
            body = f"{code}{year}0615001"
            try:
                ric.get_birth_place(body + ric.calc_check_digit(body + "0"))
                self.cache[key] = True
            except Exception:   # InvalidComponent, or KeyError for a few codes
                self.cache[key] = False
        return self.cache[key]

    def pick(self, rng, codes, year) -> str:
        usable = [c for c in codes if self.valid(c, year)] or ["330122"]
        return rng.choice(usable)


# ---- one dossier's history, judged as it is planned ------------------------------------------

class _Track:
    def __init__(self, builder, plan: DossierPlan):
        self.b, self.plan = builder, plan
        self.records, self.sides, self.training = [], {}, []
        self.cultivation_start = None
        self.state = DossierState.ACTIVE
        self.stage = Stage.APPLICANT
        self.party_org = plan.party_org
        self.unit = plan.person["current_unit"]
        self.last_activity = None
        self.last_on = None
        self.mentors = []

    def _add(self, event: Event, *, activity: bool = True) -> None:
        if self.last_on and event.on < self.last_on:
            raise DemoPlanError(f"{event.kind} {event.on} before {self.last_on}")
        if event.on > DEMO_TODAY:
            raise DemoPlanError(f"{event.kind} {event.on} after the demo's today")
        self.last_on = event.on
        if activity:
            self.last_activity = max(filter(None, [self.last_activity, event.on]))
        self.plan.events.append(event)

    def facts(self, on: date) -> DossierFacts:
        return DossierFacts(
            birth_date=self.plan.person["birth_date"], is_migrant=self.plan.person["is_migrant"], state=self.state,
            records=tuple(self.records), cultivation_start=self.cultivation_start,
            review_sides=tuple(ReviewSideFact(s, v[1], v[2]) for s, v in self.sides.items()),
            training_days=sum((d for end, d, _ in self.training if end <= on), Decimal(0)),
            training_hours=sum((h for end, _, h in self.training if end <= on), Decimal(0)),
            approver=self.b.approver(self.party_org), today=DEMO_TODAY)

    def step(self, code: str, on: date, data: dict | None = None) -> None:
        verdict = procedure.check(self.b.rules, self.facts(on), code, on, data or {}, people=self.b.people_facts,
                                  calendar=self.b.calendar)
        if not verdict.ok:
            raise DemoPlanError(f"{code} {on}: {verdict.message}")
        clean = services._jsonable(dict(verdict.data))
        self.records.append(StepFact(code, on, clean))
        step = self.b.rules.step(code)
        self.stage = step.sets_stage or self.stage
        if code == "designate_activist" and self.cultivation_start is None:
            self.cultivation_start = on
        if code == "full_vote" and clean.get("outcome") == "cancel":
            self.state = DossierState.ENDED
        if code == "archive":
            self.state = DossierState.COMPLETED
        self._add(Event(on, "step", code, clean))

    def taken(self, code: str):
        return [r.on for r in self.records if r.code == code]

    def review_sent(self, side: str, on: date, addressee: str) -> None:
        self.sides[side] = [on, None, None]
        self._add(Event(on, "review_sent", data={"side": side, "addressee": addressee}))

    def review_replied(self, side: str, on: date, passed: bool, conclusion: str) -> None:
        self.sides[side][1:] = [on, passed]
        self._add(Event(on, "review_replied", data={"side": side, "passed": passed, "conclusion": conclusion}))

    def attend(self, course) -> None:
        self.training.append((course.ends_on, course.days, course.hours))
        self._add(Event(course.ends_on, "attend", data={"course": course}), activity=False)

    def transfer(self, on: date, *, to=None, outside: str = "", unit=None, reason: str) -> None:
        self.state = DossierState.IN_TRANSIT
        self._add(Event(on, "transfer", data={"to": to, "outside": outside, "unit": unit, "reason": reason}))

    def accepted(self, on: date, carry: bool, to, unit) -> None:
        if self.stage == Stage.ACTIVIST and not carry:
            self.cultivation_start = on
        self.party_org, self.unit, self.state = to, unit or self.unit, DossierState.ACTIVE
        self._add(Event(on, "transfer_accepted", data={"carry": carry}))

    def returned(self, on: date, note: str) -> None:
        self.state = DossierState.ACTIVE
        self._add(Event(on, "transfer_returned", data={"note": note}))

    def confirmed(self, on: date, outside: str) -> None:
        self.state = DossierState.ENDED
        self._add(Event(on, "transfer_confirmed", data={"note": f"{outside}已接收"}))

    def contact(self, on: date, note: str) -> None:
        self._add(Event(on, "contact", data={"note": note}))

    def end(self, on: date, kind: str, reason: str) -> None:
        self.state = DossierState.ENDED
        self._add(Event(on, "end", data={"kind": kind, "reason": reason, "note": END_NOTES.get(reason, "")}))


# ---- the builder ---------------------------------------------------------------------------

class _Builder:
    def __init__(self, context):
        self.context, self.rng, self.fake = context, context.rng, context.fake
        self.admin = context.admin
        self.rule_set = RuleSetVersion.objects.current()
        self.rules = self.rule_set.rules
        self.calendar = working_calendar(date(FIRST_YEAR - 1, 1, 1), DEMO_TODAY + timedelta(days=60))
        self.places = _Places()
        self.id_numbers = set(Person.objects.values_list("id_number", flat=True))
        self.approvers = {}
        self.gated = any(procedure.gates_for(code) for code in GATED)
        self.form_numbers = {}
        self.townships = {t.pk: t for t in context.townships}
        self.context_units = len(context.units)

    def approver(self, party_org):
        if party_org.pk not in self.approvers:
            self.approvers[party_org.pk] = approver_fact(party_org, None)
        return self.approvers[party_org.pk]

    # -- small helpers --

    def days(self, start: date, lo: int, hi: int) -> date:
        return start + timedelta(days=self.rng.randint(lo, hi))

    def pick(self, weighted):
        items, weights = zip(*weighted)
        return self.rng.choices(items, weights)[0]

    def publicity(self, start: date) -> tuple[date, date]:
        """A publicity of at least 5 working days (a weekend or holiday adds days)."""
        end = start + timedelta(days=4)
        while self.calendar.working_days(start, end) < 5:
            end += timedelta(days=1)
        return start, end + timedelta(days=self.rng.choice((0, 0, 1, 2)))

    def votes(self, party_org) -> dict:
        voting = max(3, party_org.full_member_count)
        half = voting // 2 + 1
        present = max(half, min(voting, round(voting * self.rng.uniform(0.68, 1.0))))
        in_favor = self.rng.randint(half, present) if self.rng.random() < 0.2 else present
        return {"voting_members": voting, "present": present, "in_favor": in_favor}

    # -- the organizations that develop members ------------------------------------------

    def developing_orgs(self):
        orgs = [po for po in self.context.party_organizations
                if po.org_type in (PartyOrgType.BRANCH, PartyOrgType.JOINT_BRANCH)]
        units = {}
        for po in orgs:
            units[po.pk] = [u for u in po.covered_organizations.order_by("pk")
                            if u.status != OrganizationStatus.DISSOLVED]
        self.units_of = units
        self.orgs = [po for po in orgs if units[po.pk]
                     and (po.established_on or date(2000, 1, 1)) < DEMO_TODAY - timedelta(days=150)]
        self.communities_of = {}
        for area in Area.objects.filter(level="community").order_by("code"):
            self.communities_of.setdefault(area.parent_id, []).append(area)
        return self.orgs

    # -- people ------------------------------------------------------------------------------

    def id_number(self, birth: date, sex: str, migrant: bool) -> str:
        place = self.places.pick(self.rng, MIGRANT_PLACES if migrant else LOCAL_PLACES, birth.year)
        while True:
            serial = self.rng.randint(0, 499) * 2 + (1 if sex == Sex.MALE else 0)
            body = f"{place}{birth:%Y%m%d}{serial:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def person(self, *, unit, birth: date, occupation=None, migrant=False) -> dict:
        rng = self.rng
        sex = Sex.MALE if rng.random() < 0.57 else Sex.FEMALE
        number = self.id_number(birth, sex, migrant)
        occupation = occupation or self.pick(OCCUPATIONS)
        ethnicity = "汉族"
        if migrant:
            place = ric.get_birth_place(number)
            registration = f"{place['province']}{place['county']}"
            for prefix, groups in MINORITIES.items():
                if number.startswith(prefix) and rng.random() < 0.45:
                    ethnicity = rng.choice(groups)
        else:
            village = rng.choice(self.communities_of.get(unit.township_id) or [None])
            township = self.townships[unit.township_id]
            registration = f"浙江省{self.context.county.name}{township.name}{village.name if village else ''}"
            ethnicity = "畲族" if rng.random() < 0.03 else "汉族"
        return {
            "name": self.fake.name_male() if sex == Sex.MALE else self.fake.name_female(), "sex": sex,
            "ethnicity": ethnicity, "id_number": number, "birth_date": birth, "phone": self.fake.phone_number(),
            "education": self.pick(EDUCATION[occupation]), "occupation": occupation,
            "household_registration": registration, "is_migrant": migrant, "current_unit": unit,
        }

    def create_members(self, orgs) -> None:
        """The full members who mentor and introduce: 2–5 per developing organization."""
        rng, rows = self.rng, []
        self.pool = {}
        for po in orgs:
            count = min(max(2, po.full_member_count), rng.randint(2, 5))
            for _ in range(count):
                birth = date(rng.randint(1962, 1994), rng.randint(1, 12), rng.randint(1, 28))
                data = self.person(unit=rng.choice(self.units_of[po.pk]), birth=birth,
                                   occupation=self.pick([(Occupation.MANAGER, 4), (Occupation.TECHNICAL_BACKBONE, 3),
                                                         (Occupation.PROFESSIONAL, 2), (Occupation.OWNER, 1)]))
                joined = add_years(birth, rng.randint(23, 32))
                rows.append((po, Person(**data, membership=Membership.FULL, member_party_org=po,
                                        party_age_from=min(joined, date(2023, 6, 30)))))
        people = _bulk(Person, [p for _, p in rows], self.admin, prepare=_person_row)
        for (po, _), person in zip(rows, people):
            self.pool.setdefault(po.pk, []).append(person.pk)
        self.people_facts = {p.pk: PersonFact(p.pk, p.name, p.membership) for p in people}
        self.member_count = len(people)

    # -- courses -----------------------------------------------------------------------------

    def create_courses(self) -> None:
        """Candidate concentrated training: four sessions a year per township, Monday to Wednesday."""
        rows = []
        for township in self.context.townships:
            for year in range(FIRST_YEAR, DEMO_TODAY.year + 1):
                for n, month in enumerate((3, 6, 9, 11), start=1):
                    start = date(year, month, 8)
                    start += timedelta(days=(7 - start.weekday()) % 7 + 7 * self.rng.randint(0, 1))
                    end = start + timedelta(days=2)
                    if end > DEMO_TODAY:
                        continue
                    rows.append(TrainingCourse(
                        name=f"{year}年{township.name}第{n}期发展对象集中培训班", kind=CourseKind.CANDIDATE,
                        organizer=f"{township.name}党（工）委", area=township, starts_on=start, ends_on=end,
                        days=Decimal(3), hours=Decimal(24)))
        self.courses = {}
        for course in _bulk(TrainingCourse, rows, self.admin):
            self.courses.setdefault(course.area_id, []).append(course)

    def next_course(self, party_org, after: date):
        return next((c for c in self.courses[party_org.area_id] if c.starts_on >= after), None)

    # -- planning -------------------------------------------------------------------------------

    def plan_all(self, orgs) -> list[DossierPlan]:
        target = round(self.context_units * PEOPLE_PER_UNIT) - self.member_count
        weights = [sum(min(u.employee_count, 2000) ** 0.6 + 2 for u in self.units_of[po.pk]) for po in orgs]
        total = sum(weights)
        counts = [int(target * w / total) for w in weights]
        for i in sorted(range(len(orgs)), key=lambda i: -weights[i])[: target - sum(counts)]:
            counts[i] += 1
        plans = []
        for po, count in zip(orgs, counts):
            for _ in range(count):
                plan = self.plan_one(po, len(plans))
                plans.append(plan)
        return plans

    def plan_one(self, po, index: int) -> DossierPlan:
        rng = self.rng
        year = self.pick(list(APPLICATION_YEARS.items()))
        earliest = max(date(year, 1, 1), (po.established_on or date(2000, 1, 1)) + timedelta(days=30))
        latest = min(date(year, 12, 31), DEMO_TODAY - timedelta(days=2))
        applied = earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
        lo, hi = self.pick(AGES)
        age = rng.randint(lo, hi)
        birth = add_years(applied, -age) - timedelta(days=rng.randint(1, 360))
        unit_weights = [min(u.employee_count, 3000) + 5 for u in self.units_of[po.pk]]
        unit = rng.choices(self.units_of[po.pk], unit_weights)[0]
        migrant = rng.random() < 0.18
        plan = DossierPlan(index, self.person(unit=unit, birth=birth, migrant=migrant), po,
                           via_services=index % SERVICE_SHARE == SERVICE_SHARE // 2)
        track = _Track(self, plan)
        lost = rng.random() < 0.045
        horizon = DEMO_TODAY - timedelta(days=rng.randint(190, 560)) if lost else DEMO_TODAY
        if applied > horizon:
            lost, horizon = False, DEMO_TODAY
        track.horizon = horizon
        track.step("apply", applied)
        self.simulate(track)
        lost = lost and add_months(track.last_activity, 6) <= DEMO_TODAY
        if track.state == DossierState.ACTIVE and track.stage != Stage.FULL_MEMBER and not lost:
            self.keep_alive(track)
            self.maybe_pending_transfer(track)
        if self.gated:
            gated = [i for i, e in enumerate(plan.events) if e.kind == "step" and e.code in GATED]
            if gated and (plan.via_services or any(plan.events[i].on.year == DEMO_TODAY.year for i in gated)):
                plan.split = gated[0]
        return plan

    def fits(self, track, on: date) -> bool:
        return on <= track.horizon

    def ends(self, track, after: date, reasons=None) -> bool:
        """End the dossier some time after ``after`` (if that is before the horizon)."""
        on = self.days(max(after, track.last_on), 20, 320)
        if not self.fits(track, on):
            return True      # it would have ended later: for now it simply waits
        kind, reason = self.pick(reasons or ENDINGS)
        track.end(on, kind, reason)
        return True

    def simulate(self, t: _Track) -> None:
        rng = self.rng
        applied = t.records[0].on
        # talks are late now and then; of the latest applications a good share still waits
        recent = applied > DEMO_TODAY - timedelta(days=80)
        late = rng.random() < (0.5 if recent else 0.07)
        talk = self.days(applied, 32, 110 if recent else 75) if late else self.days(applied, 4, 26)
        if not self.fits(t, talk):
            return
        t.step("first_talk", talk, {"talker": t.party_org.secretary_name or "支部书记"})
        fate = rng.random()
        if fate < 0.09:
            self.ends(t, talk)
            return
        if fate < 0.22:
            return           # stays an applicant for now
        designated = self.days(talk, 50, 300)
        if not self.fits(t, designated):
            return
        age = (designated - t.plan.person["birth_date"]).days // 365
        source = self.pick([(ActivistSource.LEAGUE, 38 if age <= 28 else 0), (ActivistSource.TRADE_UNION, 22),
                            (ActivistSource.MEMBERS, 26), (ActivistSource.SELF, 20)])
        t.step("designate_activist", designated, {"source": source})
        filed, mentored = self.days(designated, 3, 20), self.days(designated, 0, 20)
        for code, on in sorted((("file_activist", filed), ("assign_mentors", mentored)), key=lambda x: x[1]):
            if not self.fits(t, on):
                return
            if code == "assign_mentors":
                pool = self.pool[t.party_org.pk]
                t.mentors = rng.sample(pool, min(len(pool), rng.choice((1, 2, 2))))
                t.step(code, on, {"mentors": t.mentors})
            else:
                t.step(code, on)
        self.activist(t)

    def activist(self, t: _Track) -> None:
        rng = self.rng
        fate = rng.random()
        wants = fate < 0.7
        extra = self.pick([((0, 60), 45), ((60, 240), 35), ((240, 500), 17), ((500, 800), 3)])
        target = self.days(add_months(t.cultivation_start, 12), *extra) if wants else None
        missed = not wants and rng.random() < 0.12
        moves = rng.random() < 0.07
        leaves = not wants and fate > 0.8
        previous = t.cultivation_start      # the half-year is counted from the designation
        moved_on = None
        while True:
            # at most every half year (六个月), and soon after arriving at a new organization
            nxt = self.days(moved_on, 20, 60) if moved_on else self.days(previous, 110, 175)
            moved_on = None
            if target and nxt >= target:
                break
            if missed and nxt > add_months(DEMO_TODAY, -6):
                return     # the half-year review was not held: overdue
            if not self.fits(t, nxt):
                return
            if leaves and nxt > add_months(t.cultivation_start, 8):
                self.ends(t, previous)
                return
            t.step("activist_review", nxt, {"conclusion": rng.choice(REVIEW_WORDS)})
            previous = nxt
            if moves and t.taken("activist_review")[1:]:
                moves = False
                if not self.move(t, previous):
                    return
                moved_on = t.last_on
                if target:   # not before arriving, and a year after a restart of the cultivation
                    target = max(target, self.days(add_months(t.cultivation_start, 12), 0, 40),
                                 self.days(t.last_on, 5, 30))
        if not self.fits(t, target):
            return
        t.step("designate_candidate", target)
        self.candidate(t)

    def move(self, t: _Track, after: date) -> bool:
        """The activist changes employer: transferred with the file, mostly to another township."""
        rng = self.rng
        requested = self.days(after, 10, 40)
        if not self.fits(t, requested):
            return False
        if rng.random() < 0.08:
            outside = rng.choice(OUTSIDE)
            t.transfer(requested, outside=outside, reason="到县外单位工作")
            confirmed = self.days(requested, 10, 40)
            if self.fits(t, confirmed):
                t.confirmed(confirmed, outside)
            return False
        to = self.other_org(t.party_org, other_township=rng.random() < 0.6)
        unit = rng.choice(self.units_of[to.pk])
        t.transfer(requested, to=to, unit=unit, reason=f"本人到{unit.name}工作")
        decided = self.days(requested, 7, 35)
        if not self.fits(t, decided):
            return False
        if rng.random() < 0.06:
            t.returned(decided, "本人未到新单位报到，退回原党组织")
            return True
        t.accepted(decided, rng.random() < 0.85, to, unit)
        return True

    def other_org(self, party_org, *, other_township: bool):
        candidates = [po for po in self.orgs if po.pk != party_org.pk
                      and (po.area_id != party_org.area_id) == other_township]
        return self.rng.choice(candidates or [po for po in self.orgs if po.pk != party_org.pk])

    def candidate(self, t: _Track) -> None:
        """Development target: filing, introducers, the political review letters and
        replies, concentrated training — each on its own date, taken in date order."""
        rng = self.rng
        chosen = t.taken("designate_candidate")[0]
        person = t.plan.person
        introducers = list(dict.fromkeys(t.mentors + self.pool[t.party_org.pk]))[:2]
        sent = self.days(chosen, 3, 30)
        sides = [("residence", person["household_registration"])]
        if person["is_migrant"] or rng.random() < 0.4:
            sides.append(("employer", t.unit.name))
        failed = sides[-1][0] if rng.random() < 0.025 else None
        replies = {side: self.days(sent, 20, 170) if person["is_migrant"] and side == "residence"
                   else self.days(sent, 8, 45) for side, _ in sides}
        reviewed = self.days(max(replies.values()), 1, 12)
        course = self.next_course(t.party_org, self.days(chosen, 5, 20))
        actions = [(self.days(chosen, 2, 15), 1, lambda on: t.step("file_candidate", on)),
                   (self.days(chosen, 3, 25), 2, lambda on: t.step("assign_introducers", on,
                                                                   {"introducers": introducers}))]
        for side, addressee in sides:
            actions.append((sent, 3, lambda on, side=side, addressee=addressee: t.review_sent(side, on, addressee)))
            actions.append((replies[side], 4, lambda on, side=side: t.review_replied(
                side, on, side != failed, "经函调，本人及主要社会关系政治历史清楚，无违法违纪记录，政审合格"
                if side != failed else "经函调，本人有违法记录，政审不合格")))
        if not failed:
            actions.append((reviewed, 5, lambda on: t.step("political_review", on, {"conclusion": "政治审查合格"})))
        if course is not None:
            actions.append((course.ends_on, 6, lambda on: t.attend(course)))
            actions.append((self.days(course.ends_on, 1, 12), 7, lambda on: t.step("concentrated_training", on)))
        for on, _, action in sorted(actions, key=lambda a: (a[0], a[1])):
            if not self.fits(t, on):
                return
            action(on)
        if failed:
            self.ends(t, replies[failed], [((EndKind.NOT_ADMITTED, EndReason.FAILED_REVIEW), 1)])
            return
        if course is None:
            return      # waiting for next year's first course
        committee = self.days(t.last_on, 3, 25)
        if not self.fits(t, committee):
            return
        t.step("committee_review", committee)
        if rng.random() < 0.1:
            self.ends(t, committee, [((EndKind.WITHDRAWN, EndReason.RESIGNED), 3),
                                     ((EndKind.NOT_ADMITTED, EndReason.DISQUALIFIED), 1)])
            return
        self.admission(t, committee)

    def admission(self, t: _Track, committee: date) -> None:
        rng = self.rng
        start, end = self.publicity(self.days(committee, 1, 8))
        wait = self.pick([((1, 20), 50), ((20, 90), 35), ((90, 160), 15)])
        pre = self.days(end, *wait)
        if pre.month >= 11:
            # listed in next year's plan: the county issues the seats in February (domain.md §3)
            pre = max(pre, self.days(date(pre.year + 1, 2, 20), 0, 30))
        if not self.fits(t, pre):
            return
        t.step("pre_review", pre, {"publicity_start": start.isoformat(), "publicity_end": end.isoformat()})
        form_on = self.days(pre, 3, 15)
        if not self.fits(t, form_on):
            return
        number = self.form_numbers[form_on.year] = self.form_numbers.get(form_on.year, 0) + 1
        t.step("application_form", form_on, {"form_number": f"清{form_on.year}{number:04d}"})
        vote = self.days(form_on, 5, 30)
        if not self.fits(t, vote):
            return
        t.step("admission_vote", vote, self.votes(t.party_org))
        talk = self.days(vote, 3, 20)
        if not self.fits(t, talk):
            return
        t.step("approval_talk", talk, {"talker": f"{t.party_org.area.name}党（工）委组织委员"})
        if rng.random() < 0.03:
            approved = self.days(add_months(vote, 3), 1, 60)
            data = {"late_reason": "上级党委换届，审批会议顺延"}
        else:
            approved = min(self.days(talk, 5, 45), add_months(vote, 3))
            data = {}
        if not self.fits(t, approved):
            return
        t.step("admission_approval", approved, data)
        self.probation(t, vote, approved)

    def probation(self, t: _Track, vote: date, approved: date) -> None:
        rng = self.rng
        for code, on, data in sorted([("admission_filing", self.days(approved, 5, 30), {}),
                                      ("assign_branch", self.days(approved, 0, 15), {"party_group": "第一党小组"}),
                                      ("oath", self.days(approved, 0, 30), {})], key=lambda s: s[1]):
            if not self.fits(t, on):
                return
            t.step(code, on, data)
        ends = add_months(vote, 12)
        moves = rng.random() < 0.04
        outcome = self.pick([("full", 96), ("extend", 3), ("cancel", 1)])
        applied = ends - timedelta(days=rng.randint(3, 25))
        previous = approved
        while True:
            review = self.days(previous, 150, 175)
            if review >= applied:
                break
            if not self.fits(t, review):
                return
            t.step("probation_review", review, {"conclusion": rng.choice(PROBATION_WORDS)})
            previous = review
            if moves:
                moves = False
                requested = self.days(review, 5, 30)
                to = self.other_org(t.party_org, other_township=rng.random() < 0.5)
                unit = rng.choice(self.units_of[to.pk])
                if requested >= applied or not self.fits(t, requested):
                    return
                t.transfer(requested, to=to, unit=unit, reason=f"本人到{unit.name}工作")
                decided = self.days(requested, 5, 20)
                if decided >= applied or not self.fits(t, decided):
                    return
                t.accepted(decided, True, to, unit)
                previous = decided
        applied = max(applied, t.last_on)
        if not self.fits(t, applied):
            return
        t.step("full_application", applied)
        for attempt in range(2):
            start, end = self.publicity(self.days(max(applied, t.last_on), 1, 5))
            voted = self.days(max(ends, end + timedelta(days=1)), 0, 20)
            if not self.fits(t, voted):
                return
            data = {"outcome": outcome, "publicity_start": start.isoformat(), "publicity_end": end.isoformat(),
                    **self.votes(t.party_org)}
            if outcome == "extend":
                data["extension_months"] = rng.choice((6, 12))
                ends = add_months(ends, data["extension_months"])
            t.step("full_vote", voted, data)
            if outcome != "extend":
                break
            outcome = "full"
        if outcome == "cancel":
            return
        approved = min(self.days(voted, 10, 80), add_months(voted, 3))
        if not self.fits(t, approved):
            return
        t.step("full_approval", approved)
        archived = self.days(approved, 5, 40)
        if self.fits(t, archived):
            t.step("archive", archived)

    def keep_alive(self, t: _Track) -> None:
        """Someone talked to the person lately, so only those meant to be lost are lost."""
        if add_months(t.last_activity, 6) <= DEMO_TODAY + timedelta(days=45):
            on = max(t.last_on, DEMO_TODAY - timedelta(days=self.rng.randint(7, 120)))
            t.contact(on, self.rng.choice(["电话联系，本人仍在本单位工作", "上门走访，了解近期思想和工作情况",
                                           "培养联系人谈心谈话"]))

    def maybe_pending_transfer(self, t: _Track) -> None:
        if t.stage not in (Stage.ACTIVIST, Stage.CANDIDATE, Stage.APPLICANT) or self.rng.random() >= 0.014:
            return
        requested = max(t.last_on, DEMO_TODAY - timedelta(days=self.rng.randint(3, 70)))
        to = self.other_org(t.party_org, other_township=True)
        unit = self.rng.choice(self.units_of[to.pk])
        t.transfer(requested, to=to, unit=unit, reason=f"本人到{unit.name}工作")


def _person_row(person: Person) -> None:
    person.name_initials = pinyin_initials(person.name)[:50]   # what Person.save() would fill
    person.id_last4 = person.id_number[-4:]


def _bulk(model, rows, by, prepare=None):
    """``bulk_create`` plus one history row per object ("+", by ``by``), the history
    copied with INSERT … SELECT: simple-history's own bulk helper builds a model instance
    per history row, a third of the whole demo's time for 50,000 step records."""
    if prepare:
        for row in rows:
            prepare(row)
    saved = model.objects.bulk_create(rows, batch_size=BATCH)
    history = model.history.model
    stamps = {"history_date": connection.ops.adapt_datetimefield_value(timezone.now()), "history_type": "+", "history_user_id": by.pk,
              "history_change_reason": CHANGE_REASON}
    copied = [f.column for f in history._meta.concrete_fields if f.attname not in stamps and f.attname != "history_id"]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in copied + list(stamps))
    selected = ", ".join([quote(c) for c in copied] + ["%s"] * len(stamps))
    ids = [row.pk for row in saved]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}) SELECT {selected} "
                f"FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN "
                f"({', '.join(['%s'] * len(chunk))})", [*stamps.values(), *chunk])
    return saved


# ---- writing ------------------------------------------------------------------------------------

@dataclass
class SeatHistory:
    """The seat a dossier took (quotas turns these into Seat rows for bulk-written histories)."""

    dossier_id: int
    party_org_id: int
    reserved_on: date | None
    used_on: date | None
    released_on: date | None
    written: bool       # False: the gate's owner replays it through the services (MembersDemo.finish)


def _write_bulk(b: _Builder, plans: list[DossierPlan]) -> None:
    """Persons, dossiers and everything hanging off them, in a few bulk inserts each.
    The derived fields and the member's standing follow the services' own rules."""
    admin, rows = b.admin, []
    for plan in plans:
        person = Person(**plan.person)
        dossier = Dossier(party_org=plan.party_org, rule_set=b.rule_set)
        children = _replay(b, plan, plan.events[:plan.split], person, dossier)
        rows.append((plan, person, dossier, children))
    persons = _bulk(Person, [r[1] for r in rows], admin, prepare=_person_row)
    for (plan, person, dossier, _), saved in zip(rows, persons):
        dossier.person, dossier.unit_id = saved, saved.current_unit_id     # bulk: Dossier.save does not run
        plan.person_obj = saved
    dossiers = _bulk(Dossier, [r[2] for r in rows], admin)
    by_model = {}
    for (plan, person, _, children), dossier in zip(rows, dossiers):
        plan.dossier = dossier
        for child in children:
            if isinstance(child, Attendance):
                child.person = person
            else:
                child.dossier = dossier
            by_model.setdefault(type(child), []).append(child)
        b.materials.mark([child for child in children if isinstance(child, StepRecord)], complete=plan.archived)
    for model in (StepRecord, PoliticalReview, Attendance, Transfer):
        _bulk(model, by_model.get(model, []), admin)
    _bulk(Material, b.materials.rows(by_model.get(StepRecord, [])), admin)
    ContactRecord.objects.bulk_create(by_model.get(ContactRecord, []), batch_size=BATCH)


def _replay(b: _Builder, plan: DossierPlan, events: list[Event], person: Person, dossier: Dossier) -> list:
    """What the services would have written for ``events``, as unsaved rows."""
    admin, records, children, letters, transfer = b.admin, [], [], {}, None
    contacts = []
    for event in events:
        data = event.data
        if event.kind == "step":
            record = StepRecord(step=event.code, taken_on=event.on, data=data, recorded_by=admin,
                                party_org=dossier.party_org)
            records.append(record)
            if event.code == "full_vote" and data.get("outcome") == "cancel":
                dossier.state, dossier.end_kind, dossier.ended_on = DossierState.ENDED, EndKind.CANCELLED, event.on
            elif event.code == "archive":
                dossier.state = DossierState.COMPLETED
        elif event.kind == "review_sent":
            letters[data["side"]] = PoliticalReview(side=data["side"], addressee=data["addressee"][:100],
                                                    requested_on=event.on, recorded_by=admin)
        elif event.kind == "review_replied":
            letter = letters[data["side"]]
            letter.replied_on, letter.passed, letter.conclusion = event.on, data["passed"], data["conclusion"]
        elif event.kind == "attend":
            course = data["course"]
            children.append(Attendance(course=course, days=course.days, hours=course.hours, passed=True))
        elif event.kind == "transfer":
            transfer = Transfer(from_party_org=dossier.party_org, to_party_org=data["to"], to_outside=data["outside"],
                                new_unit=data["unit"], reason=data["reason"], requested_on=event.on,
                                requested_by=admin)
            children.append(transfer)
            dossier.state = DossierState.IN_TRANSIT
        elif event.kind == "transfer_accepted":
            stage = _stage(b, records)
            transfer.state, transfer.decided_on, transfer.decided_by = TransferState.ACCEPTED, event.on, admin
            transfer.carry_cultivation = data["carry"] if stage == Stage.ACTIVIST else None
            transfer.decision_note = "同意接收"
            if stage == Stage.ACTIVIST and not data["carry"]:
                dossier.cultivation_start = event.on
            dossier.party_org, dossier.state = transfer.to_party_org, DossierState.ACTIVE
            person.current_unit = transfer.new_unit or person.current_unit
        elif event.kind == "transfer_returned":
            transfer.state, transfer.decided_on, transfer.decided_by = TransferState.RETURNED, event.on, admin
            transfer.decision_note = data["note"]
            dossier.state = DossierState.ACTIVE
        elif event.kind == "transfer_confirmed":
            transfer.state, transfer.decided_on, transfer.decided_by = TransferState.ACCEPTED, event.on, admin
            transfer.decision_note = data["note"]
            dossier.state, dossier.end_kind, dossier.ended_on = DossierState.ENDED, EndKind.TRANSFERRED_OUT, event.on
            dossier.end_note = f"转往{transfer.to_outside}"[:200]
        elif event.kind == "contact":
            contacts.append(event.on)
            children.append(ContactRecord(contacted_on=event.on, note=data["note"], recorded_by=admin))
        elif event.kind == "end":
            dossier.state, dossier.end_kind, dossier.end_reason = DossierState.ENDED, data["kind"], data["reason"]
            dossier.ended_on, dossier.end_note = event.on, data["note"]
    services._apply_stage_effects(dossier, b.rules, records)
    dossier.last_contact_on = max([r.taken_on for r in records] + contacts, default=None)
    # members.services._update_membership, on the final state
    if dossier.stage == Stage.FULL_MEMBER:
        person.membership, person.party_age_from, person.member_party_org = (
            Membership.FULL, dossier.full_on, dossier.party_org)
    elif dossier.stage == Stage.PROBATIONARY and dossier.state != DossierState.ENDED:
        person.membership, person.member_party_org = Membership.PROBATIONARY, dossier.party_org
    return records + list(letters.values()) + children


def _stage(b: _Builder, records) -> str:
    stage = Stage.APPLICANT
    for record in records:
        stage = b.rules.step(record.step).sets_stage or stage
    return stage


class _ServiceReplay:
    """Events taken through the services, as a township worker would enter them."""

    def __init__(self, b: _Builder):
        self.b, self.by = b, b.admin

    def run(self, plan: DossierPlan, events: list[Event], *, gated_only: bool = False) -> str:
        """Returns the gate's refusal message ("" when every event went through).
        ``gated_only``: only the gated steps (and the rare transfers, contacts, endings)
        go through the services; the other steps, already judged by the engine when they
        were planned, are written in bulk in between, so each gate sees every record."""
        by = self.by
        if plan.person_obj is None:
            plan.person_obj = services.register_person(by=by, data=plan.person)
        letters, transfer, waiting = {}, None, []
        for event in events:
            data = event.data
            if gated_only and event.kind == "step" and event.code not in GATED:
                waiting.append(event)
                continue
            self._flush(plan, waiting)
            if event.kind == "step" and event.code == "apply":
                uploads, reason = self.b.materials.application_uploads(complete=plan.archived)
                plan.dossier = services.start_dossier(person=plan.person_obj, party_org=plan.party_org,
                                                      applied_on=event.on, by=by, rule_set=self.b.rule_set,
                                                      uploads=uploads, backfill_reason=reason)
            elif event.kind == "step":
                ahead, reason = self.b.materials.ahead_of_step(plan.dossier, event.code, complete=plan.archived)
                _bulk(Material, ahead, by)
                try:
                    services.take_step(dossier=plan.dossier, step=event.code, on=event.on, data=data, by=by,
                                       backfill_reason=reason)
                except StepRefused:
                    raise
                except Exception as error:   # a gate (the quota seat) said no
                    if event.code in GATED and hasattr(error, "message"):
                        return error.message
                    raise
            elif event.kind == "review_sent":
                letters[data["side"]] = reviews.request_review_side(
                    dossier=plan.dossier, side=data["side"], addressee=data["addressee"][:100], on=event.on, by=by)
            elif event.kind == "review_replied":
                reviews.record_review_reply(review=letters[data["side"]], replied_on=event.on, passed=data["passed"],
                                            conclusion=data["conclusion"], by=by)
            elif event.kind == "attend":
                course = data["course"]
                training.record_attendance(course=course, person=plan.person_obj, days=course.days,
                                           hours=course.hours, by=by)
            elif event.kind == "transfer":
                transfer = transfers.request_transfer(dossier=plan.dossier, to_party_org=data["to"],
                                                      to_outside=data["outside"], new_unit=data["unit"],
                                                      on=event.on, reason=data["reason"], by=by)
            elif event.kind == "transfer_accepted":
                transfers.accept_transfer(transfer=transfer, on=event.on, carry_cultivation=data["carry"],
                                          note="同意接收", by=by)
            elif event.kind == "transfer_returned":
                transfers.return_transfer(transfer=transfer, on=event.on, note=data["note"], by=by)
            elif event.kind == "transfer_confirmed":
                transfers.confirm_outside_transfer(transfer=transfer, confirmed_on=event.on, note=data["note"], by=by)
            elif event.kind == "contact":
                services.record_contact(dossier=plan.dossier, on=event.on, note=data["note"], by=by)
            elif event.kind == "end":
                services.end_dossier(dossier=plan.dossier, kind=data["kind"], reason=data["reason"], on=event.on,
                                     by=by, note=data["note"])
        self._flush(plan, waiting)
        return ""

    def _flush(self, plan: DossierPlan, waiting: list[Event]) -> None:
        if not waiting:
            return
        dossier = Dossier.objects.select_related("person", "party_org", "rule_set").get(pk=plan.dossier.pk)
        records = [StepRecord(dossier=dossier, step=e.code, taken_on=e.on, data=e.data, recorded_by=self.by,
                              party_org=dossier.party_org) for e in waiting]
        self.b.materials.mark(records, complete=plan.archived)
        _bulk(StepRecord, records, self.by)
        _bulk(Material, self.b.materials.rows(records), self.by)
        services.refresh_derived(dossier, by=self.by)
        waiting.clear()


class MembersDemo:
    """What the members part hands to the owner of the quota gates (``context.members_demo``)."""

    def __init__(self, builder: _Builder, plans: list[DossierPlan]):
        self.builder, self.plans = builder, plans
        self.refusals: list[tuple[DossierPlan, str]] = []
        self.wrapped = False

    def seat_histories(self) -> list[SeatHistory]:
        """Per dossier that reached the county pre-review or admission approval: when its
        seat was reserved, used or released, and whether this builder wrote it already."""
        found = []
        for plan in self.plans:
            party_org, reserved, receiver = plan.party_org, None, None
            for event in plan.events:
                if event.kind == "transfer":
                    receiver = event.data["to"]
                elif event.kind == "transfer_accepted":
                    party_org = receiver
                elif event.kind == "step" and event.code == "pre_review":
                    reserved = (event.on, party_org)
                elif event.kind == "step" and event.code == "admission_approval":
                    found.append(SeatHistory(plan.dossier.pk if plan.dossier else 0, party_org.pk,
                                             reserved[0] if reserved else None, event.on, None, plan.split is None))
                    reserved = None
                elif event.kind == "end" and reserved:
                    found.append(SeatHistory(plan.dossier.pk if plan.dossier else 0, reserved[1].pk, reserved[0],
                                             None, event.on, plan.split is None))
                    reserved = None
            if reserved:
                found.append(SeatHistory(plan.dossier.pk if plan.dossier else 0, reserved[1].pk, reserved[0], None,
                                         None, plan.split is None))
        return found

    def finish(self, *, before: date | None = None) -> list[tuple[DossierPlan, str]]:
        """Take the waiting steps through the services, the earliest gated step first, so
        the gates hand out seats in date order.  A dossier the gate refuses stops there
        (someone keeps in touch with it meanwhile).  ``before``: only the dossiers whose
        gated steps all lie before that date (earlier years' plans), and no wrap-up yet."""
        waiting = sorted((p for p in self.plans if p.split is not None
                          and (before is None or all(e.on < before for e in p.pending
                                                     if e.kind == "step" and e.code in GATED))),
                         key=lambda p: (p.events[p.split].on, p.index))
        replay = _ServiceReplay(self.builder)
        rng = self.builder.rng
        for plan in waiting:
            message = replay.run(plan, plan.pending, gated_only=not plan.via_services)
            if message:
                plan.refused = message
                self.refusals.append((plan, message))
                services.record_contact(dossier=plan.dossier, on=DEMO_TODAY - timedelta(days=rng.randint(3, 40)),
                                        note="名额不足，暂缓接收，已向本人说明", by=self.builder.admin)
            plan.split = None
        if before is None:
            self.wrap_up()
        return self.refusals

    def wrap_up(self) -> None:
        """The alert job for the demo's today (it also marks lost contacts), then the summary."""
        if self.wrapped:
            return
        self.wrapped = True
        summary = alerts.run_daily_job(today=DEMO_TODAY)
        context = self.builder.context
        stages = dict(Dossier.objects.exclude(state__in=(DossierState.ENDED,)).values_list("stage")
                      .annotate(n=Count("id")).values_list("stage", "n"))
        states = dict(Dossier.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
        resigned = Dossier.objects.filter(end_reason=EndReason.RESIGNED).count()
        people = Person.objects.count()
        outstanding = Dossier.objects.filter(political_reviews__isnull=False, political_reviews__replied_on__isnull=True).exclude(
            state=DossierState.ENDED).distinct().count()
        overdue = Alert.objects.filter(overdue_condition(DEMO_TODAY)).values("dossier").distinct().count()
        context.notes.append(
            f"发展党员：人员 {people} 名（其中担任培养联系人、入党介绍人的正式党员 {self.builder.member_count} 名），"
            f"发展档案 {sum(states.values())} 份（演示日期 {DEMO_TODAY:%Y-%m-%d}）")
        context.notes.append(
            "  " + "、".join(f"{label} {stages.get(value, 0)}" for value, label in Stage.choices)
            + f"；已终止 {states.get(DossierState.ENDED, 0)} 份（从本单位离职 {resigned} 份）")
        context.notes.append(
            f"  转接中 {states.get(DossierState.IN_TRANSIT, 0)} 份、失联 {states.get(DossierState.LOST_CONTACT, 0)} 份、"
            f"政审一方未回函 {outstanding} 份、有逾期事项 {overdue} 份；提醒 {summary.get('alerts', 0)} 条")


def build_demo_members(context) -> None:
    """``MembersConfig.demo_builder``: people, courses and dossiers (see the module docstring)."""
    if timezone.localdate() < DEMO_TODAY:
        raise RuntimeError(f"演示数据以 {DEMO_TODAY} 为“今天”，系统日期早于此日，发展步骤会被判定为“晚于今天”。")
    b = _Builder(context)
    b.materials = DemoMaterials(b.rule_set, b.admin)
    orgs = b.developing_orgs()
    b.create_members(orgs)
    b.create_courses()
    plans = b.plan_all(orgs)
    _write_bulk(b, [p for p in plans if not p.via_services])
    replay = _ServiceReplay(b)
    for plan in plans:
        if plan.via_services:
            replay.run(plan, plan.events[:plan.split])
    demo = context.members_demo = MembersDemo(b, plans)
    if not any(p.split is not None for p in plans):
        demo.wrap_up()


def reset_demo_members() -> None:
    """``MembersConfig.demo_reset``: every procedure row, before the registry goes.

    Plain ``DELETE``s, children first: through the ORM each of the 50,000 step records
    would get a deletion row in its history (a minute on SQLite).  The history of how
    the rows were made stays, as the registry's does; a table added later that still
    points at these rows makes the reset fail loudly at commit instead of leaving orphans."""
    with connection.cursor() as cursor:
        for model in (Alert, ContactRecord, Attendance, Material, Transfer, StepRecord, PoliticalReview, Dossier,
                      Person, TrainingCourse):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
