"""Who sees statistics, and the filters every statistics entry point reads.

Statistics are for the county organization department (administrators and auditors:
the whole county) and for township workers and API clients (their townships).  A
secretary or an instructor works on single records and gets 403 here — their figures
would be a slice of one township that no row of a township-grain snapshot can give.

The figures themselves are scoped by the selectors (``visible_to``); a township the
user may not see is a 404, like any foreign id.
"""
from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from organizations.choices import OrganizationKind
from organizations.models import Area

from .selectors.common import visible_townships

STATISTICS_ROLES = frozenset({Role.COUNTY_ADMIN, Role.AUDITOR, Role.TOWNSHIP_WORKER, Role.API_CLIENT})
FIRST_YEAR = 2014     # the 2014 细则: no development data before it


def may_view_statistics(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.role in STATISTICS_ROLES))


def require_statistics(user) -> None:
    if not may_view_statistics(user):
        raise PermissionDenied("您的角色不能查看统计报表。")


def resolve_township(user, township_id) -> Area | None:
    """The township a filter names, among those the user may see (else 404)."""
    if township_id in (None, ""):
        return None
    try:
        pk = int(township_id)
    except (TypeError, ValueError):
        raise Http404("没有该乡镇（街道）。")
    if pk not in visible_townships(user):
        raise Http404("没有该乡镇（街道）。")
    return Area.objects.get(pk=pk)


def default_township(user) -> Area | None:
    """A township worker with one township lands on that township's dashboard."""
    if user.sees_whole_county:
        return None
    townships = visible_townships(user)
    return Area.objects.get(pk=next(iter(townships))) if len(townships) == 1 else None


def year_choices() -> list[tuple[int, str]]:
    this_year = timezone.localdate().year
    return [(year, f"{year}年") for year in range(this_year + 1, FIRST_YEAR - 1, -1)]


class TownshipField(forms.TypedChoiceField):
    """Offers the user's townships; any other id reaches ``clean_township``, which
    answers 404 like any foreign id (rather than quietly showing something else)."""

    def valid_value(self, value):
        return True


class StatisticsFilterForm(forms.Form):
    """Year, township and kind of unit: the filters of the dashboard, the figure
    downloads and (as query parameters) the API."""

    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    township = TownshipField(label="乡镇（街道）", coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label="单位类别", required=False,
                             choices=[("", "全部类别")] + list(OrganizationKind.choices))

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["year"].choices = year_choices()
        townships = visible_townships(user)
        self.fields["township"].choices = ([("", "全县" if user.sees_whole_county else "全部乡镇（街道）")]
                                           + list(townships.items()))

    def clean_township(self):
        value = self.cleaned_data.get("township")
        return resolve_township(self.user, value) if value else None

    def values(self) -> dict:
        """Cleaned filters, defaults filled in (this year; a one-township worker's township)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        township = data.get("township")
        if township is None and not (self.is_bound and "township" in self.data):
            township = default_township(self.user)
        return {"year": data.get("year") or timezone.localdate().year, "township": township,
                "kind": data.get("kind") or None}


def parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
