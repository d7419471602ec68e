"""Scoping of the quota records: the county sees all; a township its own allocations;
a secretary the allocations of their party organizations."""
from django.db.models import Q

from accounts.models import Role
from accounts.scoping import ScopedQuerySet
from organizations.querysets import AREA_ROLES
from organizations.scope import scope_of


def _party_org_condition(user, field: str):
    scope = scope_of(user)
    if user.role in AREA_ROLES:
        return scope.under_areas(f"{field}__area")
    if user.role == Role.SECRETARY:
        return scope.under_party_orgs(field)
    if user.role == Role.INSTRUCTOR and scope.instructor_id:
        return Q(**{f"{field}__covered_organizations__instructors__id": scope.instructor_id})
    return None


class QuotaPlanQuerySet(ScopedQuerySet):
    """Plans are county documents everyone may read; only the county changes them."""

    def visible_condition(self, user):
        return Q()

    def editable_condition(self, user):
        return None


class AllocationQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        return _party_org_condition(user, "party_org")

    def editable_condition(self, user):
        return None


class TownshipAllocationQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        if user.role in AREA_ROLES:
            return scope_of(user).under_areas("area")
        return None

    def editable_condition(self, user):
        return None


class QuotaRequestQuerySet(ScopedQuerySet):
    """A request is seen by who filed it (its party organization's scope) and the county;
    township workers and secretaries may file and withdraw their own."""

    def visible_condition(self, user):
        return _party_org_condition(user, "party_org")

    def editable_condition(self, user):
        if user.role == Role.INSTRUCTOR:
            return None
        return _party_org_condition(user, "party_org")
