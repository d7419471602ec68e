"""State changes of the organization registry: one function per business action.

Pages, the API, the XLSX import and the demo builder all come through here.  Each
function checks the actor's scope (pages and API have already hidden foreign objects;
this is the last line), validates the model, saves in one transaction and leaves an
audit row naming the actor.
"""
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.scoping import require_editable, require_may_register

from .models import Area, Instructor, Organization, PartyOrganization, PartyWorker

OUT_OF_SCOPE = "所选乡镇（街道）不在您的管理范围内。"


def _require_area(by, area: Area) -> None:
    if not Area.objects.assignable_by(by).filter(pk=area.pk).exists():
        raise PermissionDenied(OUT_OF_SCOPE)


def _require_visible(by, model, objects) -> None:
    ids = {obj.pk for obj in objects}
    if ids and model.objects.visible_to(by).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied("所选记录不在您的管理范围内。")


def _save(instance, *, by, fields: dict, many: dict | None = None, reason: str = ""):
    """Apply ``fields``, validate, save with the actor on the audit row, then set
    many-to-many relations (each change of which is audited too)."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.save()
    for name, values in (many or {}).items():
        getattr(instance, name).set(values)
    return instance


def _split(data: dict, many_names: tuple[str, ...]) -> tuple[dict, dict]:
    fields = {k: v for k, v in data.items() if k not in many_names}
    many = {k: v for k, v in data.items() if k in many_names}
    return fields, many


# What each registry record is placed by (its township field) and which of its
# many-to-many fields name units the actor must be able to see.
PLACEMENT = {Organization: "township", PartyOrganization: "area", Instructor: "area", PartyWorker: "area"}
UNIT_LISTS = {PartyOrganization: ("covered_organizations",), Instructor: ("organizations",)}
MANY = {PartyOrganization: ("covered_organizations", "secretary_accounts"), Instructor: ("organizations",)}


def _register(model, *, by, data: dict, reason: str = ""):
    require_may_register(by)
    _require_area(by, data[PLACEMENT[model]])
    fields, many = _split(data, MANY.get(model, ()))
    for name in UNIT_LISTS.get(model, ()):
        _require_visible(by, Organization, many.get(name, ()))
    return _save(model(), by=by, fields=fields, many=many, reason=reason)


def _update(instance, *, by, data: dict, reason: str = ""):
    require_editable(by, instance)
    model, area_field = type(instance), PLACEMENT[type(instance)]
    if area_field in data and data[area_field].pk != getattr(instance, f"{area_field}_id"):
        _require_area(by, data[area_field])
    fields, many = _split(data, MANY.get(model, ()))
    if "secretary_accounts" in many and not by.is_county_admin:
        many.pop("secretary_accounts")  # accounts are granted by the county only
    for name in UNIT_LISTS.get(model, ()):
        _require_visible(by, Organization, many.get(name, ()))
    return _save(instance, by=by, fields=fields, many=many, reason=reason)


@transaction.atomic
def register_organization(*, by, data: dict, reason: str = "") -> Organization:
    return _register(Organization, by=by, data=data, reason=reason)


@transaction.atomic
def update_organization(*, organization: Organization, by, data: dict, reason: str = "") -> Organization:
    return _update(organization, by=by, data=data, reason=reason)


@transaction.atomic
def register_party_organization(*, by, data: dict) -> PartyOrganization:
    return _register(PartyOrganization, by=by, data=data)


@transaction.atomic
def update_party_organization(*, party_organization: PartyOrganization, by, data: dict) -> PartyOrganization:
    return _update(party_organization, by=by, data=data)


@transaction.atomic
def register_instructor(*, by, data: dict) -> Instructor:
    return _register(Instructor, by=by, data=data)


@transaction.atomic
def update_instructor(*, instructor: Instructor, by, data: dict) -> Instructor:
    return _update(instructor, by=by, data=data)


@transaction.atomic
def register_party_worker(*, by, data: dict) -> PartyWorker:
    return _register(PartyWorker, by=by, data=data)


@transaction.atomic
def update_party_worker(*, party_worker: PartyWorker, by, data: dict) -> PartyWorker:
    return _update(party_worker, by=by, data=data)


# ---- areas (county administrators only) --------------------------------------------

@transaction.atomic
def save_area(*, by, data: dict, area: Area | None = None) -> Area:
    if not by.is_county_admin:
        raise PermissionDenied("只有县委组织部管理员可以维护行政区划。")
    return _save(area or Area(), by=by, fields=data)
