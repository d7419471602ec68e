"""Read side of the development procedure for pages, exports and the API.

The list helpers add the joins and annotations a list needs to an already scoped
queryset (the generic list views and viewsets scope with ``visible_to`` first), so a
list costs the same number of queries whatever its page size.  The timeline asks the
pure procedure engine about every step with one set of facts.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from organizations.models import PartyOrganization

from . import procedure
from .facts import Problem
from .facts_loader import dossier_facts
from .models import Dossier, Person, RuleSetVersion, StepRecord, has_overdue_alert
from .rules import CHOICES

# ---- lists ---------------------------------------------------------------------------


def dossier_rows(queryset: QuerySet[Dossier], *, on: date | None = None) -> QuerySet[Dossier]:
    """A scoped dossier queryset with what a list row shows: person, unit, party
    organization, township and whether an alert is overdue — in the one list query."""
    on = on or timezone.localdate()
    return (queryset.select_related("person", "person__current_unit", "unit", "party_org", "party_org__area")
            .annotate(is_overdue=has_overdue_alert(on)))


def person_rows(queryset: QuerySet[Person]) -> QuerySet[Person]:
    return queryset.select_related("current_unit", "current_unit__township", "member_party_org")


def step_labels() -> dict[int, dict[str, str]]:
    """Step labels of every rule-set version, by version id (one small query), so a
    list can name each dossier's latest step without loading the rules per row."""
    return {version.pk: {step.code: step.label for step in version.rules.steps}
            for version in RuleSetVersion.objects.only("id", "code", "version", "data")}


# ---- the timeline of one dossier -------------------------------------------------------

# Problems the step's form would settle (a field left empty, the number of mentors, the
# vote counts, the publicity dates, …).  The timeline asks "may this step be taken on
# this date, given a proper form?", so it leaves them to the step form and the API
# call; what remains are the dossier's own obstacles: order, dates, reviews, state.
INPUT_PROBLEMS = frozenset({
    "field_required", "field_invalid", "person_repeated", "person_unknown", "not_full_member",
    "training_insufficient", "publicity_dates", "publicity_not_ended", "publicity_too_short",
    "vote_numbers", "vote_no_quorum", "vote_no_majority", "late_reason_required", "extension_months",
    "extension_repeated",
})


def _about_input(problem: Problem) -> bool:
    # full_members reports the count as "<field>_count" (mentors_count, introducers_count).
    return problem.code in INPUT_PROBLEMS or problem.code.endswith("_count")


DONE, ALLOWED, BLOCKED = "done", "allowed", "blocked"
STATUS_LABELS = {DONE: "已办理", ALLOWED: "可办理", BLOCKED: "暂不能办理"}


@dataclass
class TimelineEntry:
    step: procedure.Step
    status: str
    records: list = field(default_factory=list)
    problems: tuple[Problem, ...] = ()
    available_from: date | None = None
    may_take: bool = False        # allowed now (for a repeatable step: again)
    checklists: list = field(default_factory=list)   # materials, per record and for the next one
    forms: list = field(default_factory=list)        # standard forms this step's documents come from

    @property
    def materials_incomplete(self) -> bool:
        """A record of this step lacks a required document (recorded as 补录)."""
        return any(c.record is not None and not c.complete for c in self.checklists)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def dossier_timeline(*, dossier: Dossier, on: date, records: Iterable[StepRecord] | None = None) -> list[TimelineEntry]:
    """Every step of the dossier's rule set, in order: done (with its records), allowed,
    or blocked with the Chinese reasons and, when only dates stand in the way, the date
    it becomes possible.  Facts are gathered once; the engine itself reads nothing."""
    rules = dossier.rule_set.rules
    # Judge "as of ``on``": a planning date after today must not be refused as a future date.
    facts = dossier_facts(dossier, on=on, today=max(on, timezone.localdate()))
    if records is None:
        records = dossier_records(dossier)
    by_step: dict[str, list] = {}
    for record in records:
        by_step.setdefault(record.step, []).append(record)
    entries = []
    for step in rules.steps:
        verdict = procedure.check(rules, facts, step.code, on, {})
        problems = tuple(p for p in verdict.problems if not _about_input(p))
        dates = [p.available_from for p in problems]
        available_from = max(dates) if dates and all(dates) else None
        taken = by_step.get(step.code, [])
        status = DONE if taken else (BLOCKED if problems else ALLOWED)
        entries.append(TimelineEntry(step=step, status=status, records=taken, problems=problems,
                                     available_from=available_from, may_take=not problems))
    return entries


# ---- what a record says, in Chinese -------------------------------------------------------

def describe_records(*, user, dossier: Dossier, records: Iterable[StepRecord]) -> None:
    """Give each record ``summary``: (field label, value) pairs of its data, with people
    and party organizations named (two queries for all the records together).  Names
    come from the user's scope; anything else shows as its number."""
    rules = dossier.rule_set.rules
    records = list(records)
    person_ids, party_org_ids = set(), set()
    for record in records:
        for spec in _fields(rules, record.step):
            value = record.data.get(spec["name"])
            if spec["type"] == "persons" and value:
                person_ids.update(_ints(value))
            elif spec["type"] == "party_org" and value not in (None, ""):
                party_org_ids.update(_ints([value]))
    names = {
        "persons": dict(Person.objects.visible_to(user).filter(pk__in=person_ids).values_list("pk", "name"))
        if person_ids else {},
        "party_orgs": dict(PartyOrganization.objects.visible_to(user).filter(pk__in=party_org_ids)
                           .values_list("pk", "name")) if party_org_ids else {},
    }
    for record in records:
        record.summary = [(spec["label"], _show(spec, record.data[spec["name"]], names))
                          for spec in _fields(rules, record.step)
                          if record.data.get(spec["name"]) not in (None, "", [])]


def _fields(rules, code: str):
    step = rules.step(code)
    return step.fields if step else ()


def _ints(values) -> list[int]:
    result = []
    for value in values if isinstance(values, (list, tuple)) else [values]:
        try:
            result.append(int(value))
        except (TypeError, ValueError):
            continue
    return result


def _show(spec: Mapping, value, names: Mapping) -> str:
    kind = spec["type"]
    if kind == "choice":
        return CHOICES.get(spec.get("choices"), {}).get(value, str(value))
    if kind == "persons":
        return "、".join(names["persons"].get(i, f"人员编号{i}") for i in _ints(value))
    if kind == "party_org":
        ids = _ints([value])
        return names["party_orgs"].get(ids[0], f"党组织编号{ids[0]}") if ids else str(value)
    if kind == "date":
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{day.year}年{day.month}月{day.day}日"
    if kind == "decimal":
        try:
            return f"{Decimal(str(value)).normalize():f}"
        except InvalidOperation:
            return str(value)
    return str(value)


# ---- references a step's input makes ----------------------------------------------------

def unseen_references(*, user, dossier: Dossier, step_code: str, data: Mapping) -> list[Problem]:
    """People and party organizations named in a step's input that ``user`` cannot see.

    The engine would judge any id in the county (and name the person in its answer);
    an account may only name those in its own scope, so the others are refused as if
    they did not exist."""
    step = dossier.rule_set.rules.step(step_code)
    problems = []
    for spec in step.fields if step else ():
        value = data.get(spec["name"])
        if value in (None, "", []):
            continue
        if spec["type"] == "persons":
            ids = set(_ints(value))
            seen = set(Person.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
            problems += [Problem("person_unknown", f"{spec['label']}中有不存在的人员（编号{i}）。")
                         for i in sorted(ids - seen)]
        elif spec["type"] == "party_org":
            ids = set(_ints([value]))
            if ids and not PartyOrganization.objects.visible_to(user).filter(pk__in=ids).exists():
                problems.append(Problem("party_org_unknown", f"{spec['label']}不存在（编号{min(ids)}）。"))
    return problems


def dossier_records_queryset() -> QuerySet[StepRecord]:
    """Step records with who recorded them and their materials (``document_list``)."""
    return (StepRecord.objects.select_related("recorded_by")
            .prefetch_related(Prefetch("materials", to_attr="document_list")).order_by("taken_on", "id"))


def dossier_records(dossier: Dossier) -> QuerySet[StepRecord]:
    """One dossier's records, in procedure order (two queries)."""
    return dossier_records_queryset().filter(dossier=dossier)
