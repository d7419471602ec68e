"""Business actions on materials: upload, delete, and what a step needs before it is
recorded.  Pages, the API, imports and the demo all come here.

Completeness is kept on each step record (``materials_required`` / ``materials_present``:
the step's required personal documents and how many of them are there), so lists and
reports add them up in one aggregate query.
"""
import hashlib
import os
import uuid

from django.db import transaction
from django.db.models import Count, Q

from accounts.scoping import require_editable
from config.errors import DomainError

from ..facts import Problem
from ..models import Dossier, Material, MaterialRequirement, MaterialScope, StepRecord
from .files import check_upload


class MaterialError(DomainError):
    code = "material_error"
    status = 400


ARCHIVE_STEP = "archive"


def _counted(rule_set_id: int, step: str):
    return MaterialRequirement.objects.filter(rule_set_id=rule_set_id, step=step, required=True,
                                              scope=MaterialScope.PERSONAL)


@transaction.atomic
def upload_material(*, dossier: Dossier, step: str, upload, by, requirement: MaterialRequirement | None = None,
                    record: StepRecord | None = None) -> Material:
    """Store ``upload`` as a material of ``dossier``'s ``step``.

    It belongs to ``record`` when given (a periodic step's earlier submission); to the
    step's only record when a one-off step is already taken; otherwise it waits for the
    step to be taken and is attached to that record then."""
    require_editable(by, dossier)
    rules = dossier.rule_set.rules
    spec = rules.step(step)
    if spec is None:
        raise MaterialError(f"没有“{step}”这个步骤。", code="unknown_step")
    if requirement is not None and (requirement.rule_set_id != dossier.rule_set_id or requirement.step != step):
        raise MaterialError(f"“{requirement.name}”不是“{spec.label}”的材料。", code="wrong_requirement")
    if record is not None and (record.dossier_id != dossier.pk or record.step != step):
        raise MaterialError(f"所选记录不是该档案“{spec.label}”的办理记录。", code="wrong_record")
    if record is None and not spec.repeatable:
        record = dossier.records.filter(step=step).order_by("-taken_on", "-id").first()
    extension = check_upload(upload)
    original = os.path.basename(upload.name)[:200]
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # Stored under a random name: the original may carry personal data; it names the download.
    upload.name = f"{uuid.uuid4().hex}.{extension}"
    material = Material(dossier=dossier, step=step, requirement=requirement, record=record,
                        title=requirement.name if requirement else "其他材料", file=upload, name=original,
                        size=upload.size, sha256=digest.hexdigest(), uploaded_by=by)
    material._history_user = by
    material.save()
    if record is not None:
        recount([record])
    return material


@transaction.atomic
def delete_material(*, material: Material, by) -> None:
    """Remove a wrongly uploaded file (the row's history keeps who, when and which)."""
    require_editable(by, material.dossier)
    record, stored = material.record, material.file.name
    material._history_user = by
    material.delete()
    if record is not None:
        recount([record])
    if not Material.objects.filter(file=stored).exists():   # the demo's rows share one placeholder file
        storage = Material._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(stored))


def discard_files(materials) -> None:
    """Remove the stored files of materials whose rows are being rolled back."""
    storage = Material._meta.get_field("file").storage
    for material in materials:
        storage.delete(material.file.name)


def missing_for_step(*, dossier: Dossier, step: str) -> list[MaterialRequirement]:
    """Required personal documents of ``step`` not yet uploaded for its next record; for
    the archive step, also every step record of the dossier whose documents are short."""
    present = set(Material.objects.filter(dossier=dossier, step=step, record__isnull=True)
                  .exclude(requirement=None).values_list("requirement_id", flat=True))
    if not dossier.rule_set.rules.step(step).repeatable:
        present |= set(Material.objects.filter(dossier=dossier, step=step).exclude(requirement=None)
                       .values_list("requirement_id", flat=True))
    return [item for item in _counted(dossier.rule_set_id, step).order_by("order", "id") if item.pk not in present]


def step_problems(*, dossier: Dossier, step: str, backfill_reason: str = "") -> list[Problem]:
    """What the materials say about taking ``step`` now.  Missing documents stop a step
    unless it is recorded as 补录 with a reason; the archive never goes without them."""
    missing = missing_for_step(dossier=dossier, step=step)
    problems = []
    if step == ARCHIVE_STEP:
        short = [r for r in dossier.records.exclude(step=ARCHIVE_STEP)
                 if r.materials_present < r.materials_required]
        if short or missing:
            labels = dossier.rule_set.rules
            names = [f"{labels.step(r.step).label if labels.step(r.step) else r.step}（{r.taken_on}）" for r in short]
            names += [item.name for item in missing]
            problems.append(Problem("archive_incomplete", "必备材料不全，不能归档：" + "、".join(names) + "。"))
        return problems
    if missing and not backfill_reason.strip():
        problems.append(Problem(
            "materials_missing",
            "缺少必备材料：" + "、".join(item.name for item in missing)
            + "。请先上传；确需先登记的，勾选“补录”并填写原因，该步骤将显示为材料不全。"))
    return problems


def attach_pending(record: StepRecord) -> None:
    """The step was taken: materials uploaded ahead for it now belong to its record."""
    Material.objects.filter(dossier_id=record.dossier_id, step=record.step, record__isnull=True).update(record=record)
    recount([record])


def recount(records) -> None:
    """Refresh ``materials_required`` / ``materials_present`` of ``records`` (one dossier
    or a handful: a query each for the catalogue and the materials)."""
    records = list(records)
    if not records:
        return
    rule_sets = dict(Dossier.objects.filter(pk__in={r.dossier_id for r in records}).values_list("pk", "rule_set_id"))
    counted = {}
    for item in MaterialRequirement.objects.filter(rule_set_id__in=set(rule_sets.values()), required=True,
                                                   scope=MaterialScope.PERSONAL).values("pk", "rule_set_id", "step"):
        counted.setdefault((item["rule_set_id"], item["step"]), set()).add(item["pk"])
    present = {}
    for record_id, requirement_id in Material.objects.filter(record__in=records).exclude(
            requirement=None).values_list("record_id", "requirement_id"):
        present.setdefault(record_id, set()).add(requirement_id)
    changed = []
    for record in records:
        wanted = counted.get((rule_sets[record.dossier_id], record.step), set())
        numbers = (len(wanted), len(wanted & present.get(record.pk, set())))
        if (record.materials_required, record.materials_present) != numbers:
            record.materials_required, record.materials_present = numbers
            changed.append(record)
    StepRecord.objects.bulk_update(changed, ["materials_required", "materials_present"])


def recount_step(*, rule_set_id: int, step: str, batch: int = 2000) -> int:
    """Recount every record of ``step`` under a rule-set version (after a catalogue edit)."""
    wanted = set(_counted(rule_set_id, step).values_list("pk", flat=True))
    records = (StepRecord.objects.filter(dossier__rule_set_id=rule_set_id, step=step)
               .annotate(present=Count("materials__requirement", distinct=True,
                                       filter=Q(materials__requirement__in=wanted)))
               .only("pk", "materials_required", "materials_present"))
    changed, total = [], 0
    for record in records.iterator(chunk_size=batch):
        numbers = (len(wanted), record.present)
        if (record.materials_required, record.materials_present) != numbers:
            record.materials_required, record.materials_present = numbers
            changed.append(record)
        if len(changed) >= batch:
            total += StepRecord.objects.bulk_update(changed, ["materials_required", "materials_present"])
            changed = []
    return total + StepRecord.objects.bulk_update(changed, ["materials_required", "materials_present"])
