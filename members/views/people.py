"""People pages: the list (search by name, pinyin initials or the last 4 ID digits),
a person's page with their dossiers and training, and the register / edit forms."""
from accounts.pages import Column, ScopedDetailView, ScopedListView, ServiceFormView

from .. import selectors, services
from ..choices import Membership
from ..filters import PersonFilterSet
from ..forms import PersonForm
from ..models import Attendance, Person
from ..privacy import id_number_for
from .common import PageSizeMixin
from .dossiers import may_start_dossiers


class PersonListView(PageSizeMixin, ScopedListView):
    model = Person
    filterset_class = PersonFilterSet
    title = "人员"
    export_name = "人员名单"
    create_url_name = "members:person-create"
    columns = [
        Column("姓名", lambda p: p.name, link=True),
        Column("性别", lambda p: p.get_sex_display()),
        Column("出生日期", lambda p: p.birth_date),
        # Lists and exports carry the masked number only, whoever reads them.
        Column("公民身份号码", lambda p: p.masked_id_number),
        Column("政治面貌", lambda p: p.get_membership_display()),
        Column("职业类别", lambda p: p.get_occupation_display()),
        Column("学历", lambda p: p.get_education_display()),
        Column("现工作单位", lambda p: p.current_unit.name if p.current_unit_id else ""),
        Column("乡镇（街道）", lambda p: p.current_unit.township.name if p.current_unit_id else ""),
    ]

    def base_queryset(self):
        return selectors.person_rows(Person.objects.all())


class PersonDetailView(ScopedDetailView):
    model = Person
    template_name = "members/person_detail.html"

    def get_queryset(self):
        return selectors.person_rows(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, person = self.request.user, self.object
        context["id_number"] = id_number_for(user, person)
        context["dossiers"] = selectors.dossier_rows(person.dossiers.visible_to(user)).order_by("-created_at")
        context["attendances"] = (Attendance.objects.visible_to(user).filter(person=person)
                                  .select_related("course").order_by("-course__starts_on"))
        context["can_start_dossier"] = (person.membership == Membership.NONE and may_start_dossiers(user)
                                        and not any(d.is_open for d in context["dossiers"]))
        return context


class PersonFormView(ServiceFormView):
    model = Person
    form_class = PersonForm

    def save(self, form):
        if self.object:
            return services.update_person(person=self.object, by=self.request.user, data=form.data_for_service)
        return services.register_person(by=self.request.user, data=form.data_for_service)
