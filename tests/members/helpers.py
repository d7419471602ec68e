"""Bring a dossier to any point of the procedure quickly, through the services.

``advance(world, until="full_vote")`` starts a dossier on township A's party
organization and takes every step of ``test_journey.JOURNEY`` before the first
``until``, so a boundary test only has to take the step it is about.  The assertions
``refused`` / ``allowed`` / ``taken`` go through ``members.services`` and check what
every refusal must hold: stable codes, Chinese messages, nothing saved.
"""
import re
from dataclasses import dataclass
from datetime import date

import pytest

from accounts.models import Role
from members import services
from members.errors import StepRefused
from members.models import Dossier, Person, PoliticalReview, StepRecord
from tests.factories import MemberFactory, PersonFactory
from tests.members.test_journey import JOURNEY, resolve

APPLIED_ON = date(2023, 1, 10)
DEFAULT_REVIEW = {"side": "residence", "requested_on": date(2024, 3, 12), "replied_on": date(2024, 4, 1),
                  "passed": True, "conclusion": "合格"}
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def journey_data(code: str) -> dict:
    """The input JOURNEY gives ``code`` (its first occurrence), still with mentor keys."""
    return dict(next(data for step, _, data in JOURNEY if step == code))


def journey_date(code: str) -> date:
    return next(on for step, on, _ in JOURNEY if step == code)


def journey_before(until: str | None) -> list[tuple[str, date, dict]]:
    """The JOURNEY entries before the first ``until`` (all of them for ``None``)."""
    steps = []
    for entry in JOURNEY:
        if entry[0] == until:
            break
        steps.append(entry)
    return steps


def assert_chinese(message: str) -> None:
    assert CJK.search(message) and not LATIN.search(message), f"not a Chinese message: {message!r}"


@dataclass
class Track:
    """A dossier being driven through the procedure by township A's worker."""

    dossier: Dossier
    worker: object
    person: Person
    people: dict          # key used in step data ("m1", …) -> person id

    def data(self, raw: dict | None) -> dict:
        return resolve(dict(raw or {}), self.people)

    def reload(self) -> Dossier:
        self.dossier.refresh_from_db()
        self.person.refresh_from_db()
        return self.dossier

    def add_person(self, key: str, **kwargs) -> int:
        """A member of the dossier's party organization (so township A's accounts see them)."""
        kwargs.setdefault("member_party_org", self.dossier.party_org)
        self.people[key] = MemberFactory(**kwargs).pk
        return self.people[key]

    # -- through the service -------------------------------------------------------------

    def check(self, step: str, on: date, data: dict | None = None):
        return services.check_step(dossier=self.reload(), step=step, on=on, data=self.data(data))

    def take(self, step: str, on: date, data: dict | None = None, *, by=None) -> StepRecord:
        record = services.take_step(dossier=self.dossier, step=step, on=on, data=self.data(data), by=by or self.worker)
        self.reload()
        return record

    def allowed(self, step: str, on: date, data: dict | None = None) -> None:
        """The engine allows it (checked without saving)."""
        verdict = self.check(step, on, data)
        assert verdict.ok, [p.code for p in verdict.problems]

    def taken(self, step: str, on: date, data: dict | None = None) -> StepRecord:
        """Allowed, and saved: one more record, dated ``on``."""
        count = self.dossier.records.count()
        record = self.take(step, on, data)
        assert self.dossier.records.count() == count + 1
        assert record.step == step and record.taken_on == on
        return record

    def refused(self, step: str, on: date, data: dict | None = None, *, by=None) -> set[str]:
        """``take_step`` refuses: returns the problem codes, after checking that every
        message is Chinese and that nothing was saved."""
        before = saved_state(self.dossier)
        with pytest.raises(StepRefused) as refusal:
            services.take_step(dossier=self.dossier, step=step, on=on, data=self.data(data), by=by or self.worker)
        assert saved_state(self.dossier) == before
        error = refusal.value
        assert error.code == "step_refused" and error.data["step"] == step
        assert_chinese(error.message)
        for problem in error.data["problems"]:
            assert set(problem) == {"code", "message", "article", "available_from"}
            assert_chinese(problem["message"])
        return {p["code"] for p in error.data["problems"]}

    def problems(self, step: str, on: date, data: dict | None = None) -> dict:
        """check_step's problems by code (for available_from and articles)."""
        return {p.code: p for p in self.check(step, on, data).problems}


def saved_state(dossier: Dossier) -> tuple:
    """Everything a step could change, read fresh from the database."""
    fresh = Dossier.objects.select_related("person").get(pk=dossier.pk)
    person = fresh.person
    return (StepRecord.objects.count(), StepRecord.history.count(), Dossier.objects.count(), fresh.history.count(),
            fresh.stage, fresh.state, fresh.current_step, fresh.last_step_on, fresh.probation_ends_on, fresh.full_on,
            person.membership, person.party_age_from, person.history.count())


def make_track(world, *, birth_date: date = date(1995, 6, 15), migrant: bool = False,
               party_org=None, applied_on: date | None = APPLIED_ON) -> Track:
    """A person with mentors m1, m2 and (unless ``applied_on`` is None) a started dossier."""
    worker = world.users[Role.TOWNSHIP_WORKER]
    party_org = party_org or world.obj("party_organization", "own")
    person = PersonFactory(birth_date=birth_date, is_migrant=migrant, current_unit=world.obj("organization", "own"))
    people = {key: MemberFactory(member_party_org=party_org).pk for key in ("m1", "m2")}
    if applied_on is None:
        return Track(dossier=None, worker=worker, person=person, people=people)
    dossier = services.start_dossier(person=person, party_org=party_org, applied_on=applied_on, by=worker)
    return Track(dossier=dossier, worker=worker, person=person, people=people)


def advance(world, until: str | None = None, *, dates: dict | None = None, data: dict | None = None,
            steps: list | None = None, reviews: list | None = None, **track_options) -> Track:
    """A dossier with every JOURNEY step before the first ``until`` taken.

    ``dates`` / ``data`` replace the date / update the input of a step (every
    occurrence of it); ``steps`` replaces the whole list.  ``reviews`` are the political
    review sides to record (default: the JOURNEY's passed residence side, when the
    political review is among the steps taken, else none).
    """
    track = make_track(world, **track_options)
    steps = list(steps if steps is not None else journey_before(until))
    if reviews is None:
        reviews = [DEFAULT_REVIEW] if any(code == "political_review" for code, _, _ in steps) else []
    for side in reviews:
        PoliticalReview.objects.create(dossier=track.dossier, **side)
    dates, data = dates or {}, data or {}
    for code, on, step_data in steps:
        track.take(code, dates.get(code, on), {**step_data, **data.get(code, {})})
    return track
