"""One FilterSet per list of the development plans: the page, its XLSX export and the
API build the same one, so a filter means the same thing everywhere."""
import django_filters
from django.db.models import F

from organizations.models import Area, PartyOrganization
from organizations.querysets import townships_for
from organizations.search import name_condition

from .models import (
    EvaluationGrade, PartyBuildingGrade, PlanStatus, QuotaAllocation, QuotaPlan, QuotaRequest, RequestStatus,
)


def _user(request):
    return request.user if request else None


def _townships(request):
    return townships_for(_user(request), Area.objects.all())


def _party_orgs(request):
    return PartyOrganization.objects.visible_to(_user(request)).order_by("name")


def _plans(request):
    return QuotaPlan.objects.visible_to(_user(request))


def _party_org_search(prefix: str):
    def search(self, queryset, name, value):
        return queryset.filter(name_condition(value, name_field=f"{prefix}name",
                                              initials_field=f"{prefix}name_initials"))
    return search


class PlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="计划名称")
    year = django_filters.NumberFilter(label="年度")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label="状态")

    class Meta:
        model = QuotaPlan
        fields = ["q", "year", "status"]


class Watch:
    """Which allocations need attention (the plan page's flags as a filter)."""

    NO_NEW_2 = "no_new_2"
    NO_NEW_3 = "no_new_3"
    UNMET = "unmet"
    IDLE = "idle"
    NO_SEAT = "no_seat"
    choices = [(NO_NEW_2, "连续2年及以上未发展党员"), (NO_NEW_3, "连续3年及以上未发展党员"),
               (UNMET, "可发展需求多于名额"), (IDLE, "名额多于可发展需求"), (NO_SEAT, "有需求但未分得名额")]


class AllocationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="党组织名称/拼音首字母")
    township = django_filters.ModelChoiceFilter(field_name="area", queryset=_townships, label="乡镇（街道）")
    watch = django_filters.ChoiceFilter(choices=Watch.choices, method="filter_watch", label="关注")
    plan = django_filters.ModelChoiceFilter(queryset=_plans, label="计划")
    party_org = django_filters.ModelChoiceFilter(queryset=_party_orgs, label="党组织")

    class Meta:
        model = QuotaAllocation
        fields = ["q", "township", "watch", "plan", "party_org"]

    # On the plan's own page the plan is fixed and the search names the party organization.
    PAGE_FIELDS = ("q", "township", "watch")

    def __init__(self, *args, within_plan: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if within_plan:
            for name in list(self.filters):
                if name not in self.PAGE_FIELDS:
                    del self.filters[name]

    search = _party_org_search("party_org__")

    def filter_watch(self, queryset, name, value):
        total = F("seats") + F("extra_seats")
        if value == Watch.NO_NEW_2:
            return queryset.filter(years_without_new_member__gte=2)
        if value == Watch.NO_NEW_3:
            return queryset.filter(years_without_new_member__gte=3)
        if value == Watch.UNMET:
            return queryset.alias(total=total).filter(ready_demand__gt=F("total"))
        if value == Watch.IDLE:
            return queryset.alias(total=total).filter(total__gt=F("ready_demand") + F("used"))
        return queryset.filter(ready_demand__gt=0, seats=0, extra_seats=0)


class PlanAllocationFilterSet(AllocationFilterSet):
    """The plan page's table: the same filters, the plan fixed by the page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, within_plan=True, **kwargs)


class QuotaRequestFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="党组织名称/拼音首字母")
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label="状态")
    plan = django_filters.ModelChoiceFilter(queryset=_plans, label="计划")
    township = django_filters.ModelChoiceFilter(field_name="party_org__area", queryset=_townships,
                                                label="乡镇（街道）")
    party_org = django_filters.ModelChoiceFilter(queryset=_party_orgs, label="党组织")

    class Meta:
        model = QuotaRequest
        fields = ["q", "status", "plan", "township", "party_org"]

    search = _party_org_search("party_org__")


class GradeFilterSet(django_filters.FilterSet):
    """The API's list of grades."""

    year = django_filters.NumberFilter(label="考评年度")
    grade = django_filters.ChoiceFilter(choices=PartyBuildingGrade.choices, label="考评等次")
    township = django_filters.ModelChoiceFilter(field_name="party_org__area", queryset=_townships,
                                                label="乡镇（街道）")
    party_org = django_filters.ModelChoiceFilter(queryset=_party_orgs, label="党组织")

    class Meta:
        model = EvaluationGrade
        fields = ["year", "grade", "township", "party_org"]


NO_GRADE = "none"


class PartyOrgGradeFilterSet(django_filters.FilterSet):
    """The grading page lists party organizations (graded or not) with their grade of the
    chosen year, annotated by ``selectors.party_orgs_with_grade``."""

    q = django_filters.CharFilter(method="search", label="党组织名称/拼音首字母")
    # The year picks which grade the annotation shows (GradeListView reads it); as a
    # filter it only keeps the value in the form and in the export link.
    year = django_filters.NumberFilter(method="keep", label="考评年度")
    area = django_filters.ModelChoiceFilter(queryset=_townships, label="乡镇（街道）")
    grade = django_filters.ChoiceFilter(choices=[*PartyBuildingGrade.choices, (NO_GRADE, "未评定")],
                                        method="filter_grade", label="考评等次")

    class Meta:
        model = PartyOrganization
        fields = ["q", "year", "area", "grade"]

    search = _party_org_search("")

    def keep(self, queryset, name, value):
        return queryset

    def filter_grade(self, queryset, name, value):
        if value == NO_GRADE:
            return queryset.filter(grade__isnull=True)
        return queryset.filter(grade=value)
