"""Scoping of the organization registry, one queryset per model family.

Per role (county administrators and auditors see everything, see accounts.scoping):
- township worker, API client: what lies in their areas; they may change it;
- secretary: their party organizations' subtrees and the units those cover;
  they may change those records but not register new ones;
- instructor: the units assigned to them and what touches those units; read-only.
"""
from django.db.models import Exists, OuterRef, Q

from accounts.models import Role
from accounts.scoping import ScopedQuerySet

from .choices import TOWNSHIP_LEVELS
from .scope import scope_of

AREA_ROLES = (Role.TOWNSHIP_WORKER, Role.API_CLIENT)


class AreaQuerySet(ScopedQuerySet):
    """The area tree is shared structure: every account reads all of it;
    only county administrators change it."""

    def visible_condition(self, user):
        return Q()

    def editable_condition(self, user):
        return None

    def townships(self):
        return self.filter(level__in=TOWNSHIP_LEVELS)

    def assignable_by(self, user):
        """Townships in which ``user`` may register units and party organizations."""
        if not (user.is_authenticated and user.may_register):
            return self.none()
        if user.is_county_admin:
            return self.townships()
        return self.townships()._restrict(scope_of(user).under_areas())


class OrganizationQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        scope = scope_of(user)
        if user.role in AREA_ROLES:
            return scope.under_areas("township")
        if user.role == Role.SECRETARY:
            return scope.under_party_orgs("party_organizations")
        if user.role == Role.INSTRUCTOR and scope.instructor_id:
            return Q(instructors__id=scope.instructor_id)
        return None

    def editable_condition(self, user):
        if user.role == Role.INSTRUCTOR:
            return None
        return self.visible_condition(user)

    def with_coverage(self):
        """Annotate ``has_party_org`` — whether any party organization covers the unit."""
        covering = self.model.party_organizations.through.objects.filter(organization_id=OuterRef("pk"))
        return self.annotate(has_party_org=Exists(covering))

    def active(self):
        return self.exclude(status="dissolved")


def party_org_condition(user, field: str = "") -> Q | None:
    """Rows whose ``field`` (a PartyOrganization; "" for the party organization itself)
    lies in ``user``'s scope — the one definition the procedure and the plans build on."""
    prefix = f"{field}__" if field else ""
    scope = scope_of(user)
    if user.role in AREA_ROLES:
        return scope.under_areas(f"{prefix}area")
    if user.role == Role.SECRETARY:
        return scope.under_party_orgs(field)
    if user.role == Role.INSTRUCTOR and scope.instructor_id:
        return Q(**{f"{prefix}covered_organizations__instructors__id": scope.instructor_id})
    return None


class PartyOrganizationQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        return party_org_condition(user)

    def editable_condition(self, user):
        if user.role == Role.INSTRUCTOR:
            return None
        return self.visible_condition(user)


class InstructorQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        scope = scope_of(user)
        if user.role in AREA_ROLES:
            return scope.under_areas("area")
        if user.role == Role.SECRETARY:
            return scope.under_party_orgs("organizations__party_organizations")
        if user.role == Role.INSTRUCTOR and scope.instructor_id:
            return Q(pk=scope.instructor_id)
        return None

    def editable_condition(self, user):
        if user.role in AREA_ROLES:
            return scope_of(user).under_areas("area")
        return None


class PartyWorkerQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        scope = scope_of(user)
        if user.role in AREA_ROLES:
            return scope.under_areas("area")
        if user.role == Role.SECRETARY:
            return scope.under_party_orgs("party_organization")
        if user.role == Role.INSTRUCTOR and scope.instructor_id:
            return Q(party_organization__covered_organizations__instructors__id=scope.instructor_id)
        return None

    def editable_condition(self, user):
        if user.role == Role.INSTRUCTOR:
            return None
        return self.visible_condition(user)


def townships_for(user, queryset):
    """Townships worth offering ``user`` in a filter: their own areas' townships for
    township workers and API clients, all townships otherwise."""
    queryset = queryset.townships()
    if user.is_authenticated and not user.sees_whole_county and user.role in AREA_ROLES:
        return queryset._restrict(scope_of(user).under_areas())
    return queryset
