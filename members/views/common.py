"""What the procedure's pages share: the scoped dossier lookup and list page sizes."""
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.scoping import require_editable

from ..models import Dossier

MAX_PAGE_SIZE = 200


class PageSizeMixin:
    """``?page_size=`` on a list page (1–200); the pagination links keep it."""

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get("page_size", ""))
        except ValueError:
            return self.paginate_by
        return min(max(size, 1), MAX_PAGE_SIZE)


def dossier_from_query(request) -> Dossier | None:
    """The dossier a form was opened for (``?dossier=<pk>``, or the posted field), looked
    up among those the user sees: foreign or malformed → 404, none given → None."""
    pk = request.GET.get("dossier") or request.POST.get("dossier")
    if not pk:
        return None
    if not str(pk).isdigit():
        raise Http404("档案编号有误。")
    return get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)


def visible_dossier(user, pk) -> Dossier:
    """A dossier the user may see (foreign → 404), with what every page of it shows."""
    queryset = Dossier.objects.visible_to(user).select_related(
        "person", "person__current_unit", "party_org", "party_org__area", "rule_set")
    return get_object_or_404(queryset, pk=pk)


def editable_dossier(user, pk) -> Dossier:
    """A dossier the user may change: foreign → 404, visible but read-only → 403."""
    dossier = visible_dossier(user, pk)
    require_editable(user, dossier)
    return dossier
