"""Scoping of the quota records: the county sees all; a township its own allocations;
a secretary the allocations of their party organizations."""
from django.db.models import Q

from accounts.models import Role
from accounts.scoping import ScopedQuerySet
from organizations.querysets import AREA_ROLES, party_org_condition
from organizations.scope import scope_of


class QuotaPlanQuerySet(ScopedQuerySet):
    """Plans are county documents everyone may read; only the county changes them."""

    def visible_condition(self, user):
        return Q()

    def editable_condition(self, user):
        return None


class AllocationQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        return party_org_condition(user, "party_org")

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
        return party_org_condition(user, "party_org")

    def editable_condition(self, user):
        if user.role == Role.INSTRUCTOR:
            return None
        return party_org_condition(user, "party_org")
