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


# ---- units (两新组织) -------------------------------------------------------------

@transaction.atomic
def register_organization(*, by, data: dict, reason: str = "") -> Organization:
    require_may_register(by)
    _require_area(by, data["township"])
    return _save(Organization(), by=by, fields=data, reason=reason)


@transaction.atomic
def update_organization(*, organization: Organization, by, data: dict, reason: str = "") -> Organization:
    require_editable(by, organization)
    if "township" in data and data["township"].pk != organization.township_id:
        _require_area(by, data["township"])
    return _save(organization, by=by, fields=data, reason=reason)


# ---- party organizations ---------------------------------------------------------

PARTY_ORG_MANY = ("covered_organizations", "secretary_accounts")


@transaction.atomic
def register_party_organization(*, by, data: dict) -> PartyOrganization:
    require_may_register(by)
    _require_area(by, data["area"])
    fields, many = _split(data, PARTY_ORG_MANY)
    _require_visible(by, Organization, many.get("covered_organizations", ()))
    return _save(PartyOrganization(), by=by, fields=fields, many=many)


@transaction.atomic
def update_party_organization(*, party_organization: PartyOrganization, by, data: dict) -> PartyOrganization:
    require_editable(by, party_organization)
    if "area" in data and data["area"].pk != party_organization.area_id:
        _require_area(by, data["area"])
    fields, many = _split(data, PARTY_ORG_MANY)
    if "secretary_accounts" in many and not by.is_county_admin:
        many.pop("secretary_accounts")  # accounts are granted by the county only
    _require_visible(by, Organization, many.get("covered_organizations", ()))
    return _save(party_organization, by=by, fields=fields, many=many)


# ---- instructors and party workers -------------------------------------------------

@transaction.atomic
def register_instructor(*, by, data: dict) -> Instructor:
    require_may_register(by)
    _require_area(by, data["area"])
    fields, many = _split(data, ("organizations",))
    _require_visible(by, Organization, many.get("organizations", ()))
    return _save(Instructor(), by=by, fields=fields, many=many)


@transaction.atomic
def update_instructor(*, instructor: Instructor, by, data: dict) -> Instructor:
    require_editable(by, instructor)
    if "area" in data and data["area"].pk != instructor.area_id:
        _require_area(by, data["area"])
    fields, many = _split(data, ("organizations",))
    _require_visible(by, Organization, many.get("organizations", ()))
    return _save(instructor, by=by, fields=fields, many=many)


@transaction.atomic
def register_party_worker(*, by, data: dict) -> PartyWorker:
    require_may_register(by)
    _require_area(by, data["area"])
    return _save(PartyWorker(), by=by, fields=data)


@transaction.atomic
def update_party_worker(*, party_worker: PartyWorker, by, data: dict) -> PartyWorker:
    require_editable(by, party_worker)
    if "area" in data and data["area"].pk != party_worker.area_id:
        _require_area(by, data["area"])
    return _save(party_worker, by=by, fields=data)


# ---- areas (county administrators only) --------------------------------------------

@transaction.atomic
def save_area(*, by, data: dict, area: Area | None = None) -> Area:
    if not by.is_county_admin:
        raise PermissionDenied("只有县委组织部管理员可以维护行政区划。")
    return _save(area or Area(), by=by, fields=data)
