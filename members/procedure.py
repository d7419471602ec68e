"""The development procedure engine: may this dossier take this step on this date?

Pure Python, no database: the service (members.services) gathers the dossier's facts
(:class:`DossierFacts`) and the step's input, and the engine answers with a
:class:`Verdict` — every rule that stops the step, each with a stable code, a Chinese
message and the article it comes from.  The steps, their order, prerequisites and all
the numbers live in a versioned rule set (``members/rulesets/*.json``, stored in the
RuleSet table); the kinds of rule are the functions in :mod:`members.rules`.

Gates are decisions other apps own (the quota seat at ``admission_approval``); they
register with :func:`register_gate` in their ``AppConfig.ready`` and the service runs
them inside its transaction, after the engine said yes.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from .facts import DossierFacts, PersonFact, Problem, Verdict
from .periods import WorkingCalendar, add_months
from .rules import RULES, RuleContext, clean_data, common_problems


@dataclass(frozen=True)
class Step:
    code: str
    order: int
    label: str
    stage: str
    requires: tuple[str, ...]
    rules: tuple[Mapping, ...]
    fields: tuple[Mapping, ...]
    repeatable: bool = False
    sets_stage: str | None = None
    starts_cultivation: bool = False


class RuleSet:
    """One version of the procedure, built from its data."""

    def __init__(self, data: Mapping):
        self.code = data["code"]
        self.version = data["version"]
        self.name = data.get("name", self.code)
        self.numbers = dict(data.get("numbers", {}))
        self.deadlines = tuple(data.get("deadlines", ()))
        self.steps = tuple(
            Step(code=s["code"], order=s["order"], label=s["label"], stage=s["stage"],
                 requires=tuple(s.get("requires", ())), rules=tuple(s.get("rules", ())),
                 fields=tuple(s.get("fields", ())), repeatable=s.get("repeatable", False),
                 sets_stage=s.get("sets_stage"), starts_cultivation=s.get("starts_cultivation", False))
            for s in sorted(data["steps"], key=lambda s: s["order"]))
        self.by_code = {s.code: s for s in self.steps}
        if data.get("period_convention", "month_end") != "month_end":
            raise ValueError("unsupported period convention")

    def step(self, code: str) -> Step | None:
        return self.by_code.get(code)

    def probation_end(self, facts: DossierFacts) -> date | None:
        """One year from the branch meeting that admitted the member, plus an extension."""
        vote = facts.last("admission_vote")
        if vote is None:
            return None
        months = self.numbers.get("probation_months", 12)
        for record in facts.taken("full_vote"):
            if record.data.get("outcome") == "extend":
                months += int(record.data.get("extension_months") or 0)
        return add_months(vote.on, months)


GateFunction = Callable[..., None]
_gates: dict[str, list[GateFunction]] = {}


def register_gate(step_code: str, gate: GateFunction) -> None:
    """Let a higher app decide part of a step (called from its AppConfig.ready)."""
    if gate not in _gates.setdefault(step_code, []):
        _gates[step_code].append(gate)


def gates_for(step_code: str) -> list[GateFunction]:
    return list(_gates.get(step_code, ()))


def check(rule_set: RuleSet, facts: DossierFacts, step_code: str, on: date, data: Mapping | None = None,
          *, people: Mapping[int, PersonFact] | None = None, calendar: WorkingCalendar | None = None) -> Verdict:
    """Every reason ``step_code`` cannot be taken on ``on`` with ``data`` (none → allowed)."""
    step = rule_set.step(step_code)
    if step is None:
        return Verdict(step_code, on, (Problem("unknown_step", f"没有“{step_code}”这个步骤。"),))
    cleaned, problems = clean_data(step, dict(data or {}))
    context = RuleContext(rule_set=rule_set, facts=facts, step=step, on=on, data=cleaned,
                          people=dict(people or {}), calendar=calendar or WorkingCalendar())
    problems.extend(common_problems(context))
    if not problems or all(p.code not in BLOCKING_FIRST for p in problems):
        for spec in step.rules:
            problems.extend(RULES[spec["kind"]](spec, context))
    return Verdict(step_code, on, tuple(problems), cleaned)


# When these stand, the step's own rules would only repeat them in other words.
BLOCKING_FIRST = {"dossier_not_active", "prerequisite_missing", "already_taken", "field_invalid"}
