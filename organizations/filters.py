"""One FilterSet per list: the page, its XLSX export and the API all use it."""
import django_filters
from django.db.models import Q

from .choices import (
    Coverage, Employment, Formation, Industry, OrganizationKind, OrganizationStatus, PartyOrgType, SubKind,
)
from .models import Area, Instructor, Organization, PartyOrganization, PartyWorker
from .querysets import townships_for
from .search import name_condition


def _townships(request):
    return townships_for(request.user if request else None, Area.objects.all())


class OrganizationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="名称/信用代码/拼音首字母")
    township = django_filters.ModelChoiceFilter(queryset=_townships, label="乡镇（街道）")
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label="组织类别")
    sub_kind = django_filters.ChoiceFilter(choices=SubKind.choices, label="具体类型")
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label="所属行业")
    status = django_filters.ChoiceFilter(choices=OrganizationStatus.choices, label="状态")
    coverage = django_filters.ChoiceFilter(choices=Coverage.choices, method="filter_coverage", label="覆盖情况")

    class Meta:
        model = Organization
        fields = ["q", "township", "kind", "sub_kind", "industry", "status", "coverage"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name_condition(value) | Q(uscc__iexact=value))

    def filter_coverage(self, queryset, name, value):
        queryset = queryset.with_coverage()
        if value == Coverage.COVERED:
            return queryset.filter(has_party_org=True)
        if value == Coverage.NO_PARTY_ORG:
            return queryset.filter(has_party_org=False)
        return queryset.filter(party_member_count=0)


class PartyOrganizationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="名称/拼音首字母/书记")
    area = django_filters.ModelChoiceFilter(queryset=_townships, label="乡镇（街道）")
    org_type = django_filters.ChoiceFilter(choices=PartyOrgType.choices, label="党组织类别")
    formation = django_filters.ChoiceFilter(choices=Formation.choices, label="组建方式")
    has_approval_authority = django_filters.BooleanFilter(label="具有审批权限")

    class Meta:
        model = PartyOrganization
        fields = ["q", "area", "org_type", "formation", "has_approval_authority"]

    def search(self, queryset, name, value):
        return queryset.filter(name_condition(value) | Q(secretary_name__icontains=value.strip()))


class PersonFilterSet(django_filters.FilterSet):
    """Shared by instructors and party workers: search by name or phone, by township."""

    q = django_filters.CharFilter(method="search", label="姓名/电话")
    area = django_filters.ModelChoiceFilter(queryset=_townships, label="乡镇（街道）")
    employment = django_filters.ChoiceFilter(choices=Employment.choices, label="专兼职")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(phone__contains=value))


class InstructorFilterSet(PersonFilterSet):
    class Meta:
        model = Instructor
        fields = ["q", "area", "employment"]


class PartyWorkerFilterSet(PersonFilterSet):
    party_organization = django_filters.ModelChoiceFilter(
        queryset=lambda request: PartyOrganization.objects.visible_to(request.user if request else None),
        label="所在党组织",
    )

    class Meta:
        model = PartyWorker
        fields = ["q", "area", "employment", "party_organization"]


class AreaFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="名称/代码")

    class Meta:
        model = Area
        fields = ["q", "level", "parent"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))
