"""Scoping of the procedure's records, built on the organization scope.

A dossier belongs to its developing party organization; a dossier in transit is also
visible (read-only) to the receiving side.  Every record hanging off a dossier is
scoped through it, so there is one definition to trust.
"""
from django.db.models import Q

from accounts.models import Role
from accounts.scoping import ScopedQuerySet
from organizations.querysets import AREA_ROLES, party_org_condition
from organizations.scope import scope_of

IN_TRANSIT = "in_transit"


def _either(*conditions: Q | None) -> Q | None:
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    combined = present[0]
    for condition in present[1:]:
        combined |= condition
    return combined


def dossier_condition(user, prefix: str = "", *, for_edit: bool = False) -> Q | None:
    """Dossiers the user may see (or, ``for_edit``, change), as seen from ``prefix``."""
    if for_edit and user.role == Role.INSTRUCTOR:
        return None
    own = party_org_condition(user, f"{prefix}party_org")
    if for_edit:
        return own & ~Q(**{f"{prefix}state": IN_TRANSIT}) if own is not None else None
    receiving = _in_transit_to(user, prefix)
    by_unit = None
    scope = scope_of(user)
    if user.role == Role.INSTRUCTOR and scope.instructor_id:
        by_unit = Q(**{f"{prefix}person__current_unit__instructors__id": scope.instructor_id})
    return _either(own, receiving, by_unit)


def _in_transit_to(user, prefix: str) -> Q | None:
    """Dossiers with a pending transfer to one of the user's party organizations, as a
    sub-select: joined through the transfers, the condition would have to be tested on
    every dossier × transfer row, and the scope of a township costs a pass over all
    dossiers of the county."""
    to_side = party_org_condition(user, "to_party_org")
    if to_side is None:
        return None
    from .models import Transfer

    pending = Transfer._base_manager.filter(to_side, state="requested").values("dossier_id")
    return Q(**{f"{prefix}pk__in": pending})


class DossierQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        return dossier_condition(user)

    def editable_condition(self, user):
        return dossier_condition(user, for_edit=True)

    def open(self):
        return self.filter(state__in=("active", "in_transit", "lost_contact"))


class DossierChildQuerySet(ScopedQuerySet):
    """Records of a dossier (steps, reviews, alerts…): scoped through the dossier."""

    def visible_condition(self, user):
        return dossier_condition(user, "dossier__")

    def editable_condition(self, user):
        return dossier_condition(user, "dossier__", for_edit=True)


class StepRecordQuerySet(DossierChildQuerySet):
    pass


class AlertQuerySet(DossierChildQuerySet):
    pass


class PersonQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        return _either(dossier_condition(user, "dossiers__"),
                       party_org_condition(user, "member_party_org"),
                       _unit_condition(user, "current_unit"))

    def editable_condition(self, user):
        if user.role == Role.INSTRUCTOR:
            return None
        return _either(dossier_condition(user, "dossiers__", for_edit=True),
                       party_org_condition(user, "member_party_org"),
                       _unit_condition(user, "current_unit"))


def _unit_condition(user, field: str) -> Q | None:
    scope = scope_of(user)
    if user.role in AREA_ROLES:
        return scope.under_areas(f"{field}__township")
    if user.role == Role.SECRETARY:
        return scope.under_party_orgs(f"{field}__party_organizations")
    if user.role == Role.INSTRUCTOR and scope.instructor_id:
        return Q(**{f"{field}__instructors__id": scope.instructor_id})
    return None


class TransferQuerySet(ScopedQuerySet):
    """Both sides see a transfer; each side acts on its own part (services decide which)."""

    def visible_condition(self, user):
        return _either(party_org_condition(user, "from_party_org"), party_org_condition(user, "to_party_org"))

    def editable_condition(self, user):
        if user.role == Role.INSTRUCTOR:
            return None
        return self.visible_condition(user)

    def pending(self):
        return self.filter(state="requested")


class TrainingCourseQuerySet(ScopedQuerySet):
    """Courses are public within the county; a township's own courses are changed by it."""

    def visible_condition(self, user):
        return Q()

    def editable_condition(self, user):
        if user.role in AREA_ROLES:
            return scope_of(user).under_areas("area")
        return None


class AttendanceQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        scope = scope_of(user)
        people = _either(dossier_condition(user, "person__dossiers__"),
                         party_org_condition(user, "person__member_party_org"))
        workers = party_org_condition(user, "party_worker__party_organization")
        if user.role in AREA_ROLES:
            workers = _either(workers, scope.under_areas("party_worker__area"), scope.under_areas("instructor__area"))
        if user.role == Role.INSTRUCTOR and scope.instructor_id:
            workers = _either(workers, Q(instructor__id=scope.instructor_id))
        return _either(people, workers)

    def editable_condition(self, user):
        if user.role not in AREA_ROLES:
            return None
        return self.visible_condition(user)
