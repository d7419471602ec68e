"""One FilterSet per list of the development procedure: the page, its XLSX export and
the API all build the same one, so a filter means the same thing everywhere."""
import re

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from organizations.models import Area, Organization, PartyOrganization
from organizations.querysets import townships_for
from organizations.search import name_condition

from .choices import DossierState, Membership, Occupation, Stage
from .models import Dossier, Person, StepRecord, has_overdue_alert

# The last four characters of a 身份证号: three digits and a digit or the check "X".
# Only these are searchable, so a full ID number never has to travel in a URL.
LAST4 = re.compile(r"^\d{3}[\dXx]$")


def _user(request):
    return request.user if request else None


def _townships(request):
    return townships_for(_user(request), Area.objects.all())


def _units(request):
    return Organization.objects.visible_to(_user(request)).order_by("name")


def _party_orgs(request):
    return PartyOrganization.objects.visible_to(_user(request)).order_by("name")


def _yes_no():
    # "全部 / 是 / 否" rather than NullBooleanSelect's "未知"; values as the API takes them.
    return forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])


def person_search(value: str, prefix: str = "") -> Q:
    """Name, pinyin initials ("zs" finds 张三) or the last 4 ID digits."""
    value = value.strip()
    condition = name_condition(value, name_field=f"{prefix}name", initials_field=f"{prefix}name_initials")
    if LAST4.match(value):
        condition |= Q(**{f"{prefix}id_last4": value.upper()})
    return condition


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名/拼音首字母/身份证后4位")
    township = django_filters.ModelChoiceFilter(field_name="current_unit__township", queryset=_townships,
                                                label="乡镇（街道）")
    occupation = django_filters.ChoiceFilter(choices=Occupation.choices, label="职业类别")
    membership = django_filters.ChoiceFilter(choices=Membership.choices, label="政治面貌")

    class Meta:
        model = Person
        fields = ["q", "township", "occupation", "membership"]

    def search(self, queryset, name, value):
        return queryset.filter(person_search(value))


class DossierFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名/拼音首字母/身份证后4位")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label="阶段")
    state = django_filters.ChoiceFilter(choices=DossierState.choices, label="状态")
    township = django_filters.ModelChoiceFilter(field_name="party_org__area", queryset=_townships,
                                                label="乡镇（街道）")
    unit = django_filters.ModelChoiceFilter(field_name="person__current_unit", queryset=_units, label="工作单位")
    party_org = django_filters.ModelChoiceFilter(queryset=_party_orgs, label="发展党组织")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="有逾期事项", widget=_yes_no())
    lost = django_filters.BooleanFilter(method="filter_lost", label="失联", widget=_yes_no())
    materials_incomplete = django_filters.BooleanFilter(method="filter_materials_incomplete", label="材料不全",
                                                        widget=_yes_no())

    class Meta:
        model = Dossier
        fields = ["q", "stage", "state", "township", "unit", "party_org", "overdue", "lost", "materials_incomplete"]

    def search(self, queryset, name, value):
        return queryset.filter(person_search(value, "person__"))

    def filter_overdue(self, queryset, name, value):
        # Overdue = the alert job recorded something due before today that is still there.
        overdue = has_overdue_alert(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_lost(self, queryset, name, value):
        lost = Q(state=DossierState.LOST_CONTACT)
        return queryset.filter(lost) if value else queryset.exclude(lost)

    def filter_materials_incomplete(self, queryset, name, value):
        # A step recorded (补录 or since the catalogue grew) with required documents missing.
        short = StepRecord.objects.filter(dossier=OuterRef("pk"), materials_present__lt=F("materials_required"))
        return queryset.filter(Exists(short)) if value else queryset.exclude(Exists(short))
