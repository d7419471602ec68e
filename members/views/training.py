"""Training pages: courses (list, page with its attendance, forms) and the yearly class
hours of party workers and instructors against their targets.  Every change is a call
to a service in members.training."""
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from accounts.forms import BootstrapFormMixin
from accounts.pages import Column, ScopedDetailView, ScopedListView, ServiceFormView
from config.errors import DomainError
from config.spreadsheets import xlsx_response
from organizations.forms import DATE, ScopedModelForm
from organizations.models import Area, Instructor, PartyWorker
from organizations.querysets import townships_for

from .. import training
from ..models import Attendance, Dossier, Person, TrainingCourse
from ..models.dossiers import OPEN_STATES


def course_url(course: TrainingCourse) -> str:
    return reverse("members:course-detail", args=[course.pk])


@dataclass(frozen=True)
class CoursePage:
    """A course as the generic pages link it (the list's first cell, the form's redirect)."""

    course: TrainingCourse

    def __str__(self):
        return str(self.course)

    def get_absolute_url(self) -> str:
        return course_url(self.course)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# ---- courses -----------------------------------------------------------------------------

class CourseListView(ScopedListView):
    model = TrainingCourse
    filterset_class = training.TrainingCourseFilterSet
    title = "培训班"
    template_name = "members/training_course_list.html"
    create_url_name = "members:course-create"
    columns = [
        Column("培训班名称", lambda c: c.name, link=True),
        Column("类别", lambda c: c.get_kind_display()),
        Column("举办单位", lambda c: c.organizer),
        Column("举办乡镇（街道）", lambda c: c.area.name if c.area_id else "县级"),
        Column("开始日期", lambda c: c.starts_on),
        Column("结束日期", lambda c: c.ends_on),
        Column("天数", lambda c: float(c.days)),
        Column("学时", lambda c: float(c.hours)),
        Column("参训人数", lambda c: c.attendance_count),
    ]

    def base_queryset(self):
        # Attendance is counted as the user sees it (a township sees its own trainees).
        visible = Attendance.objects.visible_to(self.request.user).values("pk")
        return (TrainingCourse.objects.select_related("area")
                .annotate(attendance_count=Count("attendances", filter=Q(attendances__in=visible)))
                .order_by("-starts_on", "name", "id"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [(CoursePage(obj), cells) for obj, cells in context["rows"]]
        return context


class TrainingCourseForm(ScopedModelForm):
    class Meta:
        model = TrainingCourse
        fields = ["name", "kind", "organizer", "area", "starts_on", "ends_on", "days", "hours"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.user.is_county_admin:
            self.fields["area"].required = True
            self.fields["area"].help_text = "县级培训班由县委组织部登记。"


class CourseFormView(ServiceFormView):
    model = TrainingCourse
    form_class = TrainingCourseForm

    def save(self, form):
        if self.object:
            course = training.update_course(course=self.object, by=self.request.user, data=form.data_for_service)
        else:
            course = training.create_course(by=self.request.user, data=form.data_for_service)
        return CoursePage(course)


class AttendanceForm(BootstrapFormMixin, forms.Form):
    """Who attended: a person in the procedure for activist and candidate courses, a
    party worker or an instructor for theirs — chosen among those the user may see."""

    person = forms.ModelChoiceField(Person.objects.none(), required=False, label="学员（积极分子、发展对象）")
    party_worker = forms.ModelChoiceField(PartyWorker.objects.none(), required=False, label="党务工作者")
    instructor = forms.ModelChoiceField(Instructor.objects.none(), required=False, label="党建指导员")
    days = forms.DecimalField(label="获得天数", min_value=0, max_digits=5, decimal_places=1)
    hours = forms.DecimalField(label="获得学时", min_value=0, max_digits=6, decimal_places=1)
    passed = forms.BooleanField(label="考核合格", required=False, initial=True)

    def __init__(self, *args, course: TrainingCourse, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = training.COURSE_TRAINEES[course.kind]
        attending = course.attendances.all()
        if "person" in kinds:
            in_procedure = Dossier.objects.filter(state__in=OPEN_STATES).values("person_id")
            self.fields["person"].queryset = (Person.objects.visible_to(user).filter(pk__in=in_procedure)
                                              .exclude(pk__in=attending.values("person_id").exclude(person=None)))
        else:
            del self.fields["person"]
        for kind, model in (("party_worker", PartyWorker), ("instructor", Instructor)):
            if kind in kinds:
                self.fields[kind].queryset = (model.objects.visible_to(user).select_related("area")
                                              .exclude(pk__in=attending.values(f"{kind}_id").exclude(**{kind: None})))
            else:
                del self.fields[kind]
        if "party_worker" in self.fields:
            self.fields["instructor"].help_text = "党务工作者、党建指导员二者选一。"
        self.fields["days"].initial = course.days
        self.fields["hours"].initial = course.hours


class CourseDetailView(ScopedDetailView):
    """The course with its attendance; a POST adds one attendance."""

    model = TrainingCourse
    template_name = "members/training_course_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("area")

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not training.may_record_attendance(request.user):
            raise PermissionDenied("您的角色不能登记参训记录。")
        form = AttendanceForm(request.POST, course=self.object, user=request.user)
        if form.is_valid():
            try:
                attendance = training.record_attendance(course=self.object, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            except PermissionDenied as error:      # a trainee outside the user's own records
                form.add_error(None, str(error))
            else:
                trainee = attendance.person or attendance.party_worker or attendance.instructor
                messages.success(request, f"已登记：{trainee}参加{self.object}，{attendance.hours}学时。")
                return redirect(course_url(self.object))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, course = self.request.user, self.object
        attendances = list(Attendance.objects.visible_to(user).filter(course=course)
                           .select_related("person", "party_worker", "instructor").order_by("id"))
        editable = set(Attendance.objects.editable_by(user).filter(course=course).values_list("pk", flat=True))
        for attendance in attendances:
            attendance.trainee = attendance.person or attendance.party_worker or attendance.instructor
            attendance.trainee_kind = ("积极分子、发展对象" if attendance.person_id else
                                       "党务工作者" if attendance.party_worker_id else "党建指导员")
            attendance.trainee_url = _url_of(attendance.trainee)
            attendance.can_remove = attendance.pk in editable
        can_record = training.may_record_attendance(user) and course.ends_on <= timezone.localdate()
        context.update(
            attendances=attendances,
            can_record=can_record,
            course_open=course.ends_on > timezone.localdate(),
            form=kwargs.get("form") or (AttendanceForm(course=course, user=user) if can_record else None),
        )
        return context


def _url_of(obj) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:     # a page another feature has not published yet
        return ""


@require_POST
def attendance_remove(request, pk):
    attendance = get_object_or_404(Attendance.objects.visible_to(request.user).select_related("course"), pk=pk)
    course = attendance.course
    try:
        training.remove_attendance(attendance=attendance, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已删除该参训记录。")
    return redirect(course_url(course))


# ---- yearly class hours ----------------------------------------------------------------------

class TrainingHoursForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    kind = forms.ChoiceField(label="类别", required=False,
                             choices=[("", "党务工作者和党建指导员"), ("party_worker", "党务工作者"),
                                      ("instructor", "党建指导员"), ("person", "积极分子、发展对象")])
    township = forms.ModelChoiceField(Area.objects.none(), label="乡镇（街道）", required=False,
                                      empty_label="全部")
    status = forms.ChoiceField(label="达标情况", required=False,
                               choices=[("", "全部"), ("below", "未达标"), ("met", "已达标")])
    q = forms.CharField(label="姓名", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships_for(user, Area.objects.all())
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if hasattr(field.widget, "choices") else "form-control form-control-sm"
            field.widget.attrs["class"] = css
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["placeholder"] = "姓名"
        self.fields["year"].widget.attrs["placeholder"] = str(timezone.localdate().year)


HOURS_COLUMNS = [
    Column("类别", lambda r: r.kind_display),
    Column("姓名", lambda r: r.trainee.name),
    Column("乡镇（街道）", lambda r: r.area.name if r.area else ""),
    Column("年度", lambda r: r.year),
    Column("参训次数", lambda r: r.courses),
    Column("学时", lambda r: float(r.hours)),
    Column("目标学时", lambda r: None if r.target is None else float(r.target)),
    Column("达标情况", lambda r: "—" if r.below_target is None else
           (f"未达标（差{r.target - r.hours}学时）" if r.below_target else "已达标")),
]


class TrainingHoursView(TemplateView):
    """培训学时: this year's (or a chosen year's) class hours per trainee against the target."""

    template_name = "members/training_hours.html"
    paginate_by = 25

    def get(self, request, *args, **kwargs):
        self.form = TrainingHoursForm(request.GET or None, user=request.user)
        data = self.form.cleaned_data if self.form.is_valid() else {}
        self.year = data.get("year") or timezone.localdate().year
        status = data.get("status")
        self.rows = training.yearly_hours(
            user=request.user, year=self.year, kind=data.get("kind") or None, township=data.get("township"),
            q=data.get("q") or "", below_target={"below": True, "met": False}.get(status))
        if request.GET.get("export") == "xlsx":
            stamp = timezone.localdate().strftime("%Y%m%d")
            return xlsx_response(f"培训学时-{self.year}-{stamp}.xlsx", [
                (f"{self.year}年培训学时", [c.label for c in HOURS_COLUMNS],
                 [[c.display(row) for c in HOURS_COLUMNS] for row in self.rows])])
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["members/training_hours_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(self.rows, self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title="培训学时", form=self.form, year=self.year, columns=HOURS_COLUMNS, paginator=paginator,
            page_obj=page, is_paginated=paginator.num_pages > 1, querystring=query.urlencode(),
            rows=[(row, _url_of(row.trainee), [c.display(row) for c in HOURS_COLUMNS]) for row in page.object_list],
            below_count=sum(1 for r in self.rows if r.below_target), targets=training.TRAINING_HOURS_TARGETS,
        )
        return context
