"""Training records (培训班、参训记录、学时): the services that change them and the read
side that pages, exports and the API share.

Candidate concentrated training (发展对象集中培训) that a person attended and passed
counts toward the ``concentrated_training`` step: ``members.facts_loader`` sums those
attendances for the procedure engine, so recording them here is what lets the step
pass without days or hours typed into the step itself.

Party workers' and instructors' yearly class hours are compared with
:data:`TRAINING_HOURS_TARGETS` (a year is the year the course ends).
"""
from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.scoping import require_editable, require_may_register
from config.errors import DomainError
from organizations.models import Area, Instructor, PartyWorker
from organizations.querysets import AREA_ROLES, townships_for

from .models import Attendance, CourseKind, Person, StepRecord, TrainingCourse

# Yearly class hours expected of each kind of trainee.  The county sets them in its
# annual training plan; change them here (and in the README's table) when it does.
TRAINING_HOURS_TARGETS: dict[str, Decimal] = {"party_worker": Decimal(32), "instructor": Decimal(24)}

TRAINEE_KINDS = {"person": "发展对象、积极分子", "party_worker": "党务工作者", "instructor": "党建指导员"}
# Who may attend which kind of course.
COURSE_TRAINEES = {
    CourseKind.ACTIVIST: ("person",),
    CourseKind.CANDIDATE: ("person",),
    CourseKind.PARTY_WORKER: ("party_worker", "instructor"),
    CourseKind.INSTRUCTOR: ("party_worker", "instructor"),
}
COURSE_FIELDS = ("name", "kind", "organizer", "area", "starts_on", "ends_on", "days", "hours")


class TrainingError(DomainError):
    code = "training_refused"
    status = 400


def _saved(instance, *, by, reason: str = ""):
    instance._history_user = by
    if reason:
        instance._change_reason = reason[:100]
    instance.save()
    return instance


def _n(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


# ---- courses -----------------------------------------------------------------------------

def _require_course_area(by, area: Area | None) -> None:
    if area is None:
        if not by.is_county_admin:
            raise PermissionDenied("县级培训班只能由县委组织部登记，请选择举办乡镇（街道）。")
    elif not Area.objects.assignable_by(by).filter(pk=area.pk).exists():
        raise PermissionDenied("所选乡镇（街道）不在您的管理范围内。")


def _validate_course(course: TrainingCourse) -> None:
    errors = {}
    if course.starts_on and course.ends_on and course.ends_on < course.starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期。"
    if course.days is not None and course.days <= 0:
        errors["days"] = "天数应大于0。"
    elif course.days is not None and course.starts_on and course.ends_on and course.ends_on >= course.starts_on:
        span = (course.ends_on - course.starts_on).days + 1
        if course.days > span:
            errors["days"] = f"天数不能多于开始至结束日期之间的{span}天。"
    if course.hours is not None and course.hours <= 0:
        errors["hours"] = "学时应大于0。"
    if errors:
        raise ValidationError(errors)
    course.full_clean()


@transaction.atomic
def create_course(*, by, data: dict) -> TrainingCourse:
    require_may_register(by)
    _require_course_area(by, data.get("area"))
    course = TrainingCourse(**{k: v for k, v in data.items() if k in COURSE_FIELDS})
    _validate_course(course)
    return _saved(course, by=by)


@transaction.atomic
def update_course(*, course: TrainingCourse, by, data: dict) -> TrainingCourse:
    course = TrainingCourse.objects.select_for_update().get(pk=course.pk)
    require_editable(by, course)
    if "area" in data and (data["area"].pk if data["area"] else None) != course.area_id:
        _require_course_area(by, data["area"])
    attended = course.attendances.aggregate(n=Count("id"), max_hours=Coalesce(Max("hours"), Decimal(0)),
                                            max_days=Coalesce(Max("days"), Decimal(0)))
    old_kind = course.kind
    for name, value in data.items():
        if name in COURSE_FIELDS:
            setattr(course, name, value)
    errors = {}
    if attended["n"]:
        if course.kind != old_kind:
            errors["kind"] = "已有参训记录的培训班不能修改类别。"
        if course.hours is not None and course.hours < attended["max_hours"]:
            errors["hours"] = f"已有学员登记了{_n(attended['max_hours'])}学时，培训班学时不能少于此数。"
        if course.days is not None and course.days < attended["max_days"]:
            errors["days"] = f"已有学员登记了{_n(attended['max_days'])}天，培训班天数不能少于此数。"
    if errors:
        raise ValidationError(errors)
    _validate_course(course)
    return _saved(course, by=by)


# ---- attendance -------------------------------------------------------------------------

def may_record_attendance(user) -> bool:
    """Township workers and API clients (in their townships) and county administrators."""
    return bool(user and user.is_authenticated and user.is_active and not user.is_read_only
                and (user.is_county_admin or user.role in AREA_ROLES))


def _trainee(person, party_worker, instructor) -> tuple[str, object]:
    given = [(kind, obj) for kind, obj in (("person", person), ("party_worker", party_worker),
                                          ("instructor", instructor)) if obj is not None]
    if len(given) != 1:
        raise TrainingError("请选择一名学员（人员、党务工作者或党建指导员中的一个）。", code="trainee_required")
    return given[0]


@transaction.atomic
def record_attendance(*, course: TrainingCourse, person: Person | None = None,
                      party_worker: PartyWorker | None = None, instructor: Instructor | None = None,
                      days: Decimal, hours: Decimal, passed: bool = True, by) -> Attendance:
    """One trainee attended ``course``: the days and class hours earned and whether the
    examination was passed.  One record per trainee per course."""
    if not may_record_attendance(by):
        raise PermissionDenied("您的角色不能登记参训记录。")
    # Lock the course so two clerks cannot register the same trainee twice at once.
    course = TrainingCourse.objects.select_for_update().get(pk=course.pk)
    kind, trainee = _trainee(person, party_worker, instructor)
    if not type(trainee).objects.visible_to(by).filter(pk=trainee.pk).exists():
        raise PermissionDenied("所选学员不在您的管理范围内。")
    if kind not in COURSE_TRAINEES[course.kind]:
        allowed = "、".join(TRAINEE_KINDS[k] for k in COURSE_TRAINEES[course.kind])
        raise TrainingError(f"“{course.get_kind_display()}”的学员应为{allowed}。", code="trainee_kind")
    if course.ends_on > timezone.localdate():
        raise TrainingError(f"培训班{course.ends_on:%Y年%m月%d日}结束，结业后再登记学时和考核结果。",
                            code="course_not_ended")
    days, hours = Decimal(str(days)), Decimal(str(hours))
    errors = {}
    if days < 0:
        errors["days"] = "获得天数不能为负数。"
    elif days > course.days:
        errors["days"] = f"获得天数不能多于培训班天数（{_n(course.days)}天）。"
    if hours < 0:
        errors["hours"] = "获得学时不能为负数。"
    elif hours > course.hours:
        errors["hours"] = f"获得学时不能多于培训班学时（{_n(course.hours)}学时）。"
    if not errors and days == 0 and hours == 0:
        errors["hours"] = "获得天数和学时不能都为0。"
    if errors:
        raise ValidationError(errors)
    if course.attendances.filter(**{kind: trainee}).exists():
        raise TrainingError(f"{trainee}已登记参加本培训班，不能重复登记。", code="attendance_exists")
    attendance = _saved(Attendance(course=course, days=days, hours=hours, passed=passed, **{kind: trainee}), by=by)
    # The record itself must be one the clerk may change (a person known to them only
    # through a unit, with no dossier in their scope, is not theirs to train).
    if not Attendance.objects.editable_by(by).filter(pk=attendance.pk).exists():
        raise PermissionDenied("所选学员不在您的管理范围内。")
    return attendance


@transaction.atomic
def remove_attendance(*, attendance: Attendance, by) -> None:
    """Delete a wrong record.  A passed concentrated-training record a dossier's
    ``concentrated_training`` step already relied on belongs to the archive
    (材料归档 includes the training record) and stays."""
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    require_editable(by, attendance)
    course = attendance.course
    if attendance.person_id and attendance.passed and course.kind == CourseKind.CANDIDATE:
        used = StepRecord.objects.filter(dossier__person_id=attendance.person_id, step="concentrated_training",
                                         taken_on__gte=course.ends_on).exists()
        if used:
            raise TrainingError(f"{attendance.person}已据此办理“集中培训”步骤，该参训记录不能删除。",
                                code="attendance_in_use")
    attendance._history_user = by
    attendance.delete()


# ---- read side: yearly hours --------------------------------------------------------------

@dataclass(frozen=True)
class HoursRow:
    """One trainee's class hours in one year, against the target for their kind."""

    kind: str
    trainee: object
    year: int
    hours: Decimal
    courses: int
    target: Decimal | None

    @property
    def kind_display(self) -> str:
        return TRAINEE_KINDS[self.kind]

    @property
    def below_target(self) -> bool | None:
        return None if self.target is None else self.hours < self.target

    @property
    def area(self):
        if self.kind == "person":
            unit = self.trainee.current_unit
            return unit.township if unit else None
        return self.trainee.area


def _tenths(value: Decimal | None) -> Decimal | None:
    """Hours as the database keeps them (one decimal place), whatever the backend returns."""
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))


def _hours_queryset(kind: str, user, year: int):
    in_year = Q(attendances__course__ends_on__year=year)
    hours = Coalesce(Sum("attendances__hours", filter=in_year), Value(Decimal(0)),
                     output_field=DecimalField(max_digits=8, decimal_places=1))
    if kind == "person":
        # People are listed only for the years they attended something.
        queryset = (Person.objects.visible_to(user).filter(in_year).distinct()
                    .select_related("current_unit__township"))
    else:
        model = PartyWorker if kind == "party_worker" else Instructor
        queryset = model.objects.visible_to(user).select_related("area")
    return queryset.annotate(year_hours=hours, year_courses=Count("attendances", filter=in_year))


def yearly_hours(*, user, year: int, kind: str | None = None, township: Area | None = None, q: str = "",
                 below_target: bool | None = None) -> list[HoursRow]:
    """Class hours per trainee in ``year`` (by the year each course ends), in the user's
    scope.  Without ``kind``: party workers and instructors, the two with a target."""
    rows = []
    for trainee_kind in ([kind] if kind else ["party_worker", "instructor"]):
        queryset = _hours_queryset(trainee_kind, user, year)
        if township is not None:
            field = "current_unit__township" if trainee_kind == "person" else "area"
            queryset = queryset.filter(**{field: township})
        if q.strip():
            queryset = queryset.filter(name__icontains=q.strip())
        target = TRAINING_HOURS_TARGETS.get(trainee_kind)
        for trainee in queryset.order_by("name", "id"):
            rows.append(HoursRow(trainee_kind, trainee, year, _tenths(trainee.year_hours), trainee.year_courses,
                                 _tenths(target)))
    if below_target is not None:
        rows = [row for row in rows if row.below_target is below_target]
    rows.sort(key=lambda r: (not r.below_target, r.area.code if r.area else "", r.kind, r.trainee.name))
    return rows


def hours_by_area(*, user, year: int, kind: str, area_ids=None) -> dict[int, dict]:
    """Party workers' or instructors' (``kind``) class hours in ``year`` summed per area
    (the trainee's township), in the user's scope — what statistics need of
    :func:`yearly_hours` without listing every trainee.

    Returns ``{area_id: {"trainees", "met", "without_hours", "hours"}}``: how many
    trainees, how many reached :data:`TRAINING_HOURS_TARGETS` for their kind, how many
    have no hours at all, and their hours in total.  A year's hours are counted as in
    :func:`yearly_hours` (the courses ending in ``year``); one aggregate query,
    whatever the number of trainees.  ``area_ids`` narrows it to those areas."""
    if kind not in TRAINING_HOURS_TARGETS:
        raise ValueError(f"no yearly target for trainees of kind {kind!r}")
    model = PartyWorker if kind == "party_worker" else Instructor
    trainees = model.objects.visible_to(user)
    if area_ids is not None:
        trainees = trainees.filter(area_id__in=list(area_ids))
    # Each trainee's total of the year, as a set of ids the outer count tests against.
    year_totals = (Attendance.objects.filter(**{f"{kind}__isnull": False}, course__ends_on__year=year)
                   .order_by().values(kind).annotate(total=Sum("hours")))
    reached = year_totals.filter(total__gte=TRAINING_HOURS_TARGETS[kind]).values(kind)
    with_hours = year_totals.filter(total__gt=0).values(kind)
    in_year = Q(attendances__course__ends_on__year=year)
    rows = (trainees.order_by().values("area_id")
            .annotate(trainees=Count("id", distinct=True),
                      met=Count("id", distinct=True, filter=Q(pk__in=reached)),
                      without_hours=Count("id", distinct=True, filter=~Q(pk__in=with_hours)),
                      hours=Coalesce(Sum("attendances__hours", filter=in_year), Value(Decimal(0)),
                                     output_field=DecimalField(max_digits=10, decimal_places=1))))
    return {row.pop("area_id"): {**row, "hours": _tenths(row["hours"])} for row in rows}


def person_hours_by_year(*, person: Person) -> dict[int, Decimal]:
    """A person's class hours per year (year of the course's end)."""
    totals = (Attendance.objects.filter(person=person).values("course__ends_on__year")
              .annotate(total=Sum("hours")).order_by("course__ends_on__year"))
    return {row["course__ends_on__year"]: row["total"] for row in totals}


# ---- filters (page, export and API) ---------------------------------------------------------

def _townships(request):
    return townships_for(request.user if request else None, Area.objects.all())


class TrainingCourseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="名称/举办单位")
    kind = django_filters.ChoiceFilter(choices=CourseKind.choices, label="类别")
    year = django_filters.NumberFilter(field_name="ends_on", lookup_expr="year", label="年度")
    township = django_filters.ModelChoiceFilter(field_name="area", queryset=_townships, label="举办乡镇（街道）")

    class Meta:
        model = TrainingCourse
        fields = ["q", "kind", "year", "township"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(organizer__icontains=value))


class AttendanceFilterSet(django_filters.FilterSet):
    course = django_filters.NumberFilter(field_name="course_id", label="培训班")
    person = django_filters.NumberFilter(field_name="person_id", label="人员")
    party_worker = django_filters.NumberFilter(field_name="party_worker_id", label="党务工作者")
    instructor = django_filters.NumberFilter(field_name="instructor_id", label="党建指导员")
    year = django_filters.NumberFilter(field_name="course__ends_on", lookup_expr="year", label="年度")
    kind = django_filters.ChoiceFilter(field_name="course__kind", choices=CourseKind.choices, label="培训班类别")

    class Meta:
        model = Attendance
        fields = ["course", "person", "party_worker", "instructor", "year", "kind"]


def this_year() -> int:
    return timezone.localdate().year
