"""Read side of materials: each step's checklist and the completeness figures.

A checklist belongs to one step record (a periodic step has one per submission) or,
with ``record=None``, to the next time the step is taken (documents uploaded ahead).
Completeness is "required personal documents present / required" over the step
records, added up from the counters members.materials.services keeps on each record.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ..models import Dossier, Material, MaterialRequirement, StepRecord

PRESENT, MISSING, OPTIONAL, ROSTER = "present", "missing", "optional", "roster"
STATUS_LABELS = {PRESENT: "已上传", MISSING: "缺少", OPTIONAL: "可选", ROSTER: "名册（按批次报送）"}


@dataclass
class ChecklistItem:
    requirement: MaterialRequirement | None      # None: documents outside the catalogue
    materials: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.requirement.name if self.requirement else "其他材料"

    @property
    def status(self) -> str:
        if self.materials:
            return PRESENT
        if self.requirement is None or not self.requirement.required:
            return OPTIONAL
        return MISSING if self.requirement.counts else ROSTER

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Checklist:
    step: object                                 # members.procedure.Step
    record: StepRecord | None
    items: list[ChecklistItem]

    @property
    def required(self) -> int:
        return sum(1 for item in self.items if item.requirement is not None and item.requirement.counts)

    @property
    def present(self) -> int:
        return sum(1 for item in self.items
                   if item.requirement is not None and item.requirement.counts and item.materials)

    @property
    def complete(self) -> bool:
        return self.present >= self.required

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.status == MISSING]


def _items(catalogue, materials) -> list[ChecklistItem]:
    by_requirement = defaultdict(list)
    for material in materials:
        by_requirement[material.requirement_id].append(material)
    known = {item.pk for item in catalogue}
    items = [ChecklistItem(item, by_requirement.get(item.pk, [])) for item in catalogue]
    others = [m for m in materials if m.requirement_id not in known]
    if others:
        items.append(ChecklistItem(None, others))
    return items


def step_checklist(*, dossier: Dossier, step, catalogue, record: StepRecord | None, materials=None) -> Checklist:
    """The checklist of one record of ``step`` (``record=None``: the next one)."""
    if materials is None:
        materials = list(Material.objects.filter(dossier=dossier, step=step.code, record=record)
                         .select_related("uploaded_by"))
    return Checklist(step, record, _items(catalogue, materials))


def dossier_checklists(*, dossier: Dossier, records, catalogue_by_step, next_steps=()) -> dict[str, list[Checklist]]:
    """Step code → checklists: one per record, plus the next one for a step that may be
    taken now or already has documents waiting (two queries: catalogue given, materials)."""
    rules = dossier.rule_set.rules
    materials = defaultdict(list)
    for material in Material.objects.filter(dossier=dossier).select_related("uploaded_by").order_by("uploaded_at", "id"):
        materials[(material.step, material.record_id)].append(material)
    result = defaultdict(list)
    for record in records:
        step = rules.step(record.step)
        if step is not None:
            result[step.code].append(Checklist(step, record, _items(catalogue_by_step.get(step.code, []),
                                                                    materials.get((step.code, record.pk), []))))
    waiting = {code for code, record_id in materials if record_id is None}
    for code in set(next_steps) | waiting:
        step = rules.step(code)
        if step is not None and (step.repeatable or not result.get(code)):
            result[code].append(Checklist(step, None, _items(catalogue_by_step.get(code, []),
                                                             materials.get((code, None), []))))
    return dict(result)


def fill_timeline(*, dossier: Dossier, records, timeline) -> dict:
    """Give each timeline entry its checklists and the forms it can produce; the
    dossier's completeness figure comes back (records carry their counters)."""
    from .catalogue import requirements_by_step
    from .documents import forms_for

    records = list(records)
    taken = {record.step for record in records}
    # Documents are gathered before a step may be taken (the review replies come before
    # the political review step): a step whose prerequisites are taken gets its checklist.
    upcoming = [entry.step.code for entry in timeline
                if entry.may_take or (not entry.records and all(code in taken for code in entry.step.requires))]
    checklists = dossier_checklists(dossier=dossier, records=records,
                                    catalogue_by_step=requirements_by_step(dossier.rule_set), next_steps=upcoming)
    available = forms_for(dossier, taken=taken)
    for entry in timeline:
        entry.checklists = checklists.get(entry.step.code, [])
        entry.forms = [spec for spec in available if spec.step == entry.step.code]
    return {**records_completeness(records),
            "incomplete_steps": sum(1 for r in records if r.materials_present < r.materials_required)}


# ---- completeness --------------------------------------------------------------------------

def _record_sum(column: str):
    records = (StepRecord.objects.filter(dossier=OuterRef("pk")).order_by().values("dossier")
               .annotate(total=Sum(column)).values("total"))
    return Coalesce(Subquery(records, output_field=IntegerField()), Value(0))


def with_completeness(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Each dossier with ``materials_present`` and ``materials_required`` (subqueries, so
    other annotations' joins cannot multiply them)."""
    return queryset.annotate(materials_present=_record_sum("materials_present"),
                             materials_required=_record_sum("materials_required"))


def ratio(present: int, required: int) -> float | None:
    return round(present / required, 4) if required else None


def records_completeness(records) -> dict:
    """One dossier's figure from its (already loaded) step records' counters."""
    present = sum(r.materials_present for r in records)
    required = sum(r.materials_required for r in records)
    return {"present": present, "required": required, "ratio": ratio(present, required)}


def completeness(dossiers: QuerySet[Dossier]) -> dict:
    """Required personal documents present / required over a (scoped) set of dossiers."""
    totals = StepRecord.objects.filter(dossier__in=dossiers.order_by().values("pk")).aggregate(
        present=Coalesce(Sum("materials_present"), 0), required=Coalesce(Sum("materials_required"), 0))
    incomplete = (StepRecord.objects.filter(dossier__in=dossiers.order_by().values("pk"),
                                            materials_present__lt=F("materials_required"))
                  .values("dossier").distinct().count())
    return {**totals, "ratio": ratio(totals["present"], totals["required"]), "incomplete_dossiers": incomplete}


def completeness_by_township(dossiers: QuerySet[Dossier]) -> list[dict]:
    """The same figure per township of the developing party organization (one query)."""
    rows = (StepRecord.objects.filter(dossier__in=dossiers.order_by().values("pk"))
            .values("dossier__party_org__area", "dossier__party_org__area__name")
            .annotate(present=Coalesce(Sum("materials_present"), 0), required=Coalesce(Sum("materials_required"), 0))
            .order_by("dossier__party_org__area__name"))
    return [{"township": row["dossier__party_org__area"], "township_name": row["dossier__party_org__area__name"],
             "present": row["present"], "required": row["required"], "ratio": ratio(row["present"], row["required"])}
            for row in rows]
