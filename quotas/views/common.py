"""What the plan pages share: scoped lookups and the list template with its own table."""
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.scoping import require_editable

from ..models import QuotaPlan


def visible_plan(user, pk) -> QuotaPlan:
    """Plans are county documents every account reads (a missing id is a 404)."""
    return get_object_or_404(QuotaPlan.objects.visible_to(user), pk=pk)


def editable_plan(user, pk) -> QuotaPlan:
    """Only county administrators change plans: anyone else gets 403."""
    plan = visible_plan(user, pk)
    require_editable(user, plan)
    return plan


def require_county_admin(user) -> None:
    if not (user.is_authenticated and user.is_county_admin):
        raise PermissionDenied("只有县委组织部管理员可以进行此操作。")


def local_stamp(moment) -> str:
    """A datetime as the county reads it (Excel cannot hold a time zone)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class OwnTableMixin:
    """A ScopedListView whose rows need more than the generic table (links to pages of
    their own, badges): ``quotas/list.html`` includes ``table_template``, which is also
    what an htmx filter refresh gets back."""

    template_name = "quotas/list.html"
    table_template = ""

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.table_template]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["table_template"] = self.table_template
        return context
