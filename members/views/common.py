"""What the procedure's pages share: the scoped dossier lookup, forms acting on one
dossier, and list page sizes."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.scoping import require_editable
from organizations.models import PartyOrganization

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


class DossierActionMixin:
    """A form acting on one dossier: opened from the dossier's page (``?dossier=<pk>``;
    foreign → 404, then :meth:`require_may_act` decides), or with a choice among the
    dossiers the user may act on — refused at once to a user who may act on none."""

    refused_message = "您的角色不能办理该事项。"

    def require_may_act(self, user, dossier: Dossier) -> None:
        require_editable(user, dossier)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.dossier = dossier_from_query(request)
            if self.dossier is not None:
                self.require_may_act(request.user, self.dossier)
            elif request.user.is_read_only or not PartyOrganization.objects.editable_by(request.user).exists():
                raise PermissionDenied(self.refused_message)
        return super().dispatch(request, *args, **kwargs)

    def fixed_dossier_kwargs(self, kwargs: dict) -> dict:
        """Form kwargs that fix the dossier the form was opened for."""
        kwargs.update(dossiers=Dossier.objects.filter(pk=self.dossier.pk), fixed_dossier=True)
        kwargs.setdefault("initial", {})["dossier"] = self.dossier.pk
        return kwargs
