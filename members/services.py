"""State changes of the development procedure: one function per business action.

Pages, the API, imports and jobs all come here.  Every step goes through
:func:`take_step`, which asks the procedure engine first and refuses with every broken
rule; a step that passes is recorded in the same transaction as its effects (stage,
key dates, the member's standing) and its audit rows.
"""
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.scoping import require_editable, require_may_register
from organizations.models import PartyOrganization

from . import procedure
from .choices import DossierState, EndKind, Membership, Stage, end_kinds_for
from .errors import DossierError, StepRefused
from .facts import Verdict
from .facts_loader import dossier_facts, people_facts, working_calendar
from .materials import services as materials
from .models import ContactRecord, Dossier, Person, RuleSetVersion, StepRecord
from .periods import add_months
from .signals import dossier_ended


def _saved(instance, *, by, reason: str = ""):
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.save()
    return instance


# ---- people -----------------------------------------------------------------------------

@transaction.atomic
def register_person(*, by, data: dict) -> Person:
    require_may_register(by)
    person = Person(**data)
    person.full_clean()
    return _saved(person, by=by)


@transaction.atomic
def update_person(*, person: Person, by, data: dict) -> Person:
    require_editable(by, person)
    for name, value in data.items():
        setattr(person, name, value)
    person.full_clean()
    return _saved(person, by=by)


# ---- dossiers and steps -------------------------------------------------------------------

@transaction.atomic
def start_dossier(*, person: Person, party_org: PartyOrganization, applied_on: date, by, note: str = "",
                  rule_set: RuleSetVersion | None = None, uploads=(), backfill_reason: str = "") -> Dossier:
    """Open a development track: the application (step 1) received by ``party_org``,
    with its documents (``uploads``) or a 补录 reason, as :func:`take_step` takes them."""
    if not PartyOrganization.objects.editable_by(by).filter(pk=party_org.pk).exists():
        raise PermissionDenied("所选党组织不在您的管理范围内。")
    if Dossier.objects.filter(person=person).open().exists():
        raise DossierError(f"{person.name}已有一份正在进行的发展档案，不能重复建档。", code="dossier_exists")
    rule_set = rule_set or RuleSetVersion.objects.current()
    dossier = _saved(Dossier(person=person, party_org=party_org, rule_set=rule_set), by=by)
    take_step(dossier=dossier, step="apply", on=applied_on, data={}, by=by, note=note, uploads=uploads,
              backfill_reason=backfill_reason)
    dossier.refresh_from_db()
    return dossier


def check_step(*, dossier: Dossier, step: str, on: date, data: dict | None = None, with_materials: bool = False,
               backfill_reason: str = "") -> Verdict:
    """What the engine says about ``step`` on ``on`` — without saving anything.

    ``with_materials`` adds what the step's required documents say (as taking the step
    would); the timeline leaves it out, since documents can still be uploaded."""
    data = dict(data or {})
    rules = dossier.rule_set.rules
    step_spec = rules.step(step)
    person_ids = [i for f in (step_spec.fields if step_spec else ()) if f["type"] == "persons"
                  for i in _ids(data.get(f["name"]))]
    approved_by = _int_or_none(data.get("approved_by"))
    # The calendar must cover the whole publicity span, which may end after ``on``.
    dates = [on] + [d for d in (_date_or_none(data.get(k)) for k in ("publicity_start", "publicity_end")) if d]
    facts = dossier_facts(dossier, approved_by=approved_by, on=on)
    verdict = procedure.check(rules, facts, step, on, data, people=people_facts(person_ids),
                              calendar=working_calendar(min(dates), max(dates)))
    if with_materials and step_spec is not None:
        extra = materials.step_problems(dossier=dossier, step=step, backfill_reason=backfill_reason)
        if extra:
            verdict = Verdict(verdict.step, verdict.on, verdict.problems + tuple(extra), verdict.data)
    return verdict


@transaction.atomic
def take_step(*, dossier: Dossier, step: str, on: date, data: dict | None = None, by, note: str = "",
              uploads=(), backfill_reason: str = "") -> StepRecord:
    """Record ``step``: the engine's rules, the step's required documents (uploaded ahead,
    given in ``uploads`` as (catalogue item or None, file) pairs, or a 补录 reason), the
    other apps' gates; then the record, with its documents attached.  A refused step
    keeps none of the files given with it."""
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("person", "party_org", "rule_set").get(pk=dossier.pk)
    require_editable(by, dossier)
    backfill_reason = (backfill_reason or "").strip()
    stored = []
    try:
        for requirement, upload in uploads:
            stored.append(materials.upload_material(dossier=dossier, step=step, upload=upload,
                                                    requirement=requirement, by=by))
        verdict = check_step(dossier=dossier, step=step, on=on, data=data, with_materials=True,
                             backfill_reason=backfill_reason)
        if not verdict.ok:
            raise StepRefused(verdict)
        for gate in procedure.gates_for(step):
            gate(dossier=dossier, on=on, by=by)
        record = StepRecord(dossier=dossier, step=step, taken_on=on, data=_jsonable(verdict.data), note=note,
                            recorded_by=by, party_org=dossier.party_org, backfill_reason=backfill_reason[:200])
        _saved(record, by=by)
        materials.attach_pending(record)
        refresh_derived(dossier, by=by)
    except BaseException:
        materials.discard_files(stored)
        raise
    return record


def _apply_stage_effects(dossier: Dossier, rules, records: list[StepRecord]) -> None:
    """Key dates and stage of a dossier follow from its records."""
    by_step = {}
    for record in records:
        by_step.setdefault(record.step, []).append(record)

    def first(code):
        found = by_step.get(code)
        return found[0] if found else None

    dossier.applied_on = first("apply").taken_on if first("apply") else None
    activist = first("designate_activist")
    dossier.activist_on = activist.taken_on if activist else None
    if activist and not dossier.cultivation_start:
        dossier.cultivation_start = activist.taken_on
    if activist:
        dossier.source = activist.data.get("source", dossier.source)
    dossier.candidate_on = first("designate_candidate").taken_on if first("designate_candidate") else None
    votes = by_step.get("admission_vote", [])
    dossier.admission_vote_on = votes[-1].taken_on if votes else None
    approval = first("admission_approval")
    dossier.approved_on = approval.taken_on if approval else None
    stage = Stage.APPLICANT
    for record in records:
        step = rules.step(record.step)
        if step and step.sets_stage:
            stage = step.sets_stage
    dossier.stage = stage
    if dossier.admission_vote_on and approval:
        months = rules.numbers.get("probation_months", 12) + sum(
            int(r.data.get("extension_months") or 0) for r in by_step.get("full_vote", [])
            if r.data.get("outcome") == "extend")
        dossier.probation_ends_on = add_months(dossier.admission_vote_on, months)
    if first("full_approval"):
        # 党龄从预备期满转为正式党员之日算起 (《党章》第七条).
        dossier.full_on = dossier.probation_ends_on
    if records:
        last = max(records, key=lambda r: (r.taken_on, r.pk))
        dossier.current_step, dossier.last_step_on = last.step, last.taken_on


@transaction.atomic
def refresh_derived(dossier: Dossier, *, by) -> Dossier:
    rules = dossier.rule_set.rules
    records = list(dossier.records.order_by("taken_on", "id"))
    _apply_stage_effects(dossier, rules, records)
    last = records[-1] if records else None
    if last is not None:
        dossier.last_contact_on = max(filter(None, [dossier.last_contact_on, last.taken_on]))
        if dossier.state == DossierState.LOST_CONTACT:
            dossier.state, dossier.lost_contact_since = DossierState.ACTIVE, None
        if last.step == "full_vote" and last.data.get("outcome") == "cancel":
            dossier.state, dossier.end_kind, dossier.ended_on = DossierState.ENDED, EndKind.CANCELLED, last.taken_on
        if last.step == "archive":
            dossier.state = DossierState.COMPLETED
    _saved(dossier, by=by)
    _update_membership(dossier, by=by)
    return dossier


def _update_membership(dossier: Dossier, *, by) -> None:
    person = dossier.person
    if dossier.stage == Stage.FULL_MEMBER:
        wanted = (Membership.FULL, dossier.full_on, dossier.party_org_id)
    elif dossier.stage == Stage.PROBATIONARY and dossier.state != DossierState.ENDED:
        wanted = (Membership.PROBATIONARY, None, dossier.party_org_id)
    elif dossier.end_kind == EndKind.CANCELLED:
        wanted = (Membership.NONE, None, None)
    else:
        return
    if (person.membership, person.party_age_from, person.member_party_org_id) != wanted:
        person.membership, person.party_age_from, person.member_party_org_id = wanted
        _saved(person, by=by, reason="发展程序")


@transaction.atomic
def end_dossier(*, dossier: Dossier, kind: str, reason: str, on: date, by, note: str = "") -> Dossier:
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    require_editable(by, dossier)
    if not dossier.is_open:
        raise DossierError("该档案已终止或已归档。", code="dossier_closed")
    if dossier.last_step_on and on < dossier.last_step_on:
        raise DossierError(f"终止日期不能早于最近办理日期（{dossier.last_step_on}）。", code="date_before_last_step")
    allowed = end_kinds_for(dossier.stage)
    if kind not in allowed:
        stage = Stage(dossier.stage).label
        if kind == EndKind.TRANSFERRED_OUT:
            message = "转出县外请通过“转接”办理：转往县外，并登记县外接收回执。"
        elif not allowed:
            message = f"{stage}的档案不能终止，请办理材料归档。"
        else:
            labels = "、".join(f"“{EndKind(k).label}”" for k in allowed)
            message = f"{stage}的档案只能以{labels}终止。"
        raise DossierError(message, code="end_kind_not_allowed", allowed=[k.value for k in allowed])
    dossier.state, dossier.end_kind, dossier.end_reason = DossierState.ENDED, kind, reason
    dossier.ended_on, dossier.end_note = on, note
    _saved(dossier, by=by, reason=note)
    _update_membership(dossier, by=by)
    dossier_ended.send(sender=Dossier, dossier=dossier, on=on, by=by)
    return dossier


@transaction.atomic
def record_contact(*, dossier: Dossier, on: date, note: str, by) -> ContactRecord:
    """Contact made (again): a lost-contact dossier becomes active."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    require_editable(by, dossier)
    if on > timezone.localdate():
        raise DossierError("联系日期不能晚于今天。", code="date_in_future")
    contact = ContactRecord.objects.create(dossier=dossier, contacted_on=on, note=note, recorded_by=by)
    dossier.last_contact_on = max(filter(None, [dossier.last_contact_on, on]))
    if dossier.state == DossierState.LOST_CONTACT:
        dossier.state, dossier.lost_contact_since = DossierState.ACTIVE, None
    _saved(dossier, by=by, reason="恢复联系")
    return contact


# ---- helpers -----------------------------------------------------------------------------

def _ids(value) -> list[int]:
    values = value if isinstance(value, (list, tuple)) else ([value] if value not in (None, "") else [])
    ids = []
    for v in values:
        try:
            ids.append(int(v))
        except (TypeError, ValueError):
            continue
    return ids


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date_or_none(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _jsonable(data: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else str(v) if not isinstance(v, (int, str, list, bool)) else v)
            for k, v in data.items()}
