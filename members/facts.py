"""What the procedure engine reasons about: facts of a dossier in, problems out.

Plain frozen dataclasses, so the engine and its rules stay pure and easy to test.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class StepFact:
    code: str
    on: date
    data: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class PersonFact:
    id: int
    name: str
    membership: str          # members.choices.Membership value


@dataclass(frozen=True)
class ReviewSideFact:
    side: str                # "residence" or "employer"
    concluded_on: date | None
    passed: bool | None


@dataclass(frozen=True)
class ApproverFact:
    name: str
    is_committee: bool
    has_authority: bool


@dataclass(frozen=True)
class DossierFacts:
    birth_date: date
    is_migrant: bool
    state: str
    records: tuple[StepFact, ...] = ()
    cultivation_start: date | None = None
    review_sides: tuple[ReviewSideFact, ...] = ()
    training_days: Decimal = Decimal(0)     # concentrated training attended (courses)
    training_hours: Decimal = Decimal(0)
    approver: ApproverFact | None = None
    today: date | None = None

    def taken(self, code: str) -> list[StepFact]:
        return [r for r in self.records if r.code == code]

    def last(self, code: str) -> StepFact | None:
        taken = self.taken(code)
        return max(taken, key=lambda r: r.on) if taken else None


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    article: str = ""
    available_from: date | None = None   # the step becomes possible on this date, if known

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "article": self.article,
                "available_from": self.available_from.isoformat() if self.available_from else None}


@dataclass(frozen=True)
class Verdict:
    step: str
    on: date
    problems: tuple[Problem, ...]
    data: Mapping = field(default_factory=dict)     # the step's input, typed

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        return "；".join(p.message for p in self.problems)

    @property
    def available_from(self) -> date | None:
        """When every problem is only a date the dossier has not reached yet."""
        dates = [p.available_from for p in self.problems]
        return max(dates) if dates and all(dates) else None
