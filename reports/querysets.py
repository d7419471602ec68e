"""Scoping of report runs: the county sees every run; anyone else the runs they asked
for (a run holds the figures of its requester's scope, so it is theirs alone)."""
from django.db.models import Q

from accounts.scoping import ScopedQuerySet


class ReportRunQuerySet(ScopedQuerySet):
    def visible_condition(self, user):
        return Q(requested_by=user)

    def editable_condition(self, user):
        return Q(requested_by=user)
