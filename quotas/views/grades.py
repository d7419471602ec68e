"""Party-building evaluation grades: the county grades each party organization per year;
a plan of year Y weighs the grades of Y − 1."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.pages import Column, ScopedListView, _history_rows
from organizations.models import PartyOrganization

from .. import grades, selectors
from ..filters import PartyOrgGradeFilterSet
from ..forms import GradeForm
from ..models import EvaluationGrade, PartyBuildingGrade
from .common import OwnTableMixin, require_county_admin

GRADE_LABELS = dict(PartyBuildingGrade.choices)


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year - 1
    return year if grades.FIRST_YEAR <= year <= 2100 else timezone.localdate().year - 1


class GradeListView(OwnTableMixin, ScopedListView):
    model = PartyOrganization
    filterset_class = PartyOrgGradeFilterSet
    table_template = "quotas/_grade_table.html"

    def dispatch(self, request, *args, **kwargs):
        self.year = _year(request.GET.get("year"))
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return f"{self.year}年度党建考评等次"

    @property
    def columns(self):
        return [
            Column("党组织", lambda p: p.name, link=True),
            Column("乡镇（街道）", lambda p: p.area.name),
            Column("考评年度", lambda p: self.year),
            Column("考评等次", lambda p: GRADE_LABELS.get(p.grade, "未评定（按B等计）")),
            Column("说明", lambda p: p.grade_note or ""),
        ]

    def base_queryset(self):
        return selectors.party_orgs_with_grade(year=self.year)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(year=self.year, can_grade=self.request.user.is_county_admin, can_create=False,
                       plan_year=self.year + 1)
        return context


def grade_edit(request, party_org, year):
    user = request.user
    party_org = get_object_or_404(PartyOrganization.objects.visible_to(user).select_related("area"), pk=party_org)
    require_county_admin(user)
    record = EvaluationGrade.objects.filter(party_org=party_org, year=year).first()
    initial = {"grade": record.grade, "note": record.note} if record else {}
    form = GradeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            grades.set_grade(party_org=party_org, year=year, grade=form.cleaned_data["grade"],
                             note=form.cleaned_data["note"], by=user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"已评定{party_org.name}{year}年度党建考评等次。")
            return redirect(f"{reverse('quotas:grade-list')}?year={year}")
    return render(request, "quotas/grade_form.html", {
        "form": form, "party_org": party_org, "year": year, "record": record,
        "history": _history_rows(record) if record else [],
        "title": f"党建考评等次：{party_org.name}（{year}年度）",
    })
