"""The material catalogue as data.

The national default lives in ``members/rulesets/<code>.materials.json``; the data
migration and new rule-set versions load it through :func:`seed`.  The county edits
the rows afterwards (:func:`save_requirement`, :func:`delete_requirement`), every change
kept in the row's history and followed by a recount of the affected step records.
"""
import json
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..rulesets import DIRECTORY


def default_items(code: str) -> list[dict]:
    path = DIRECTORY / f"{code}.materials.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["materials"]


def seed(rule_set, requirement_model=None) -> int:
    """Give ``rule_set`` a catalogue if it has none: a copy of the latest earlier version
    of the same rule set, else the default file.  ``requirement_model`` lets a data
    migration pass its historical model."""
    if requirement_model is None:
        from ..models import MaterialRequirement as requirement_model
    if requirement_model.objects.filter(rule_set_id=rule_set.pk).exists():
        return 0
    earlier = (requirement_model.objects.filter(rule_set__code=rule_set.code, rule_set__version__lt=rule_set.version)
               .order_by("-rule_set__version").values_list("rule_set_id", flat=True).first())
    if earlier:
        fields = ("step", "code", "name", "issuer", "required", "scope", "form", "order", "note")
        items = list(requirement_model.objects.filter(rule_set_id=earlier).values(*fields))
    else:
        items = default_items(rule_set.code)
    requirement_model.objects.bulk_create([requirement_model(rule_set_id=rule_set.pk, **item) for item in items])
    return len(items)


def requirements_by_step(rule_set) -> dict[str, list]:
    """The rule set's catalogue, step code → items in order (one query)."""
    from ..models import MaterialRequirement
    grouped = defaultdict(list)
    for item in MaterialRequirement.objects.filter(rule_set=rule_set).order_by("step", "order", "id"):
        grouped[item.step].append(item)
    return grouped


def require_catalogue_editor(user) -> None:
    if not (user.is_authenticated and user.is_active and user.is_county_admin):
        raise PermissionDenied("只有县委组织部管理员可以修改材料目录。")


@transaction.atomic
def save_requirement(*, requirement, by):
    """Create or change a catalogue item; step records of its step are recounted."""
    require_catalogue_editor(by)
    if requirement.rule_set.rules.step(requirement.step) is None:
        from .services import MaterialError
        raise MaterialError(f"规则版本中没有“{requirement.step}”这个步骤。", code="unknown_step")
    previous_step = None
    if requirement.pk:
        previous_step = type(requirement).objects.filter(pk=requirement.pk).values_list("step", flat=True).first()
    requirement.full_clean()
    requirement._history_user = by
    requirement.save()
    _recount_later(requirement.rule_set_id, {requirement.step, previous_step} - {None})
    return requirement


@transaction.atomic
def delete_requirement(*, requirement, by) -> None:
    """Remove an item; materials uploaded for it stay, as "其他材料" of their step."""
    require_catalogue_editor(by)
    rule_set_id, step = requirement.rule_set_id, requirement.step
    requirement._history_user = by
    requirement.delete()
    _recount_later(rule_set_id, {step})


def _recount_later(rule_set_id: int, steps: set[str]) -> None:
    from ..tasks import recount_materials
    for step in steps:
        transaction.on_commit(lambda step=step: recount_materials.delay(rule_set_id=rule_set_id, step=step))
