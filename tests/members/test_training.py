"""Training records: courses, attendance, yearly hours against targets, the concentrated
training rule fed by attendance, and the pages and API around them."""
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from members import services, training
from members.errors import StepRefused
from members.models import Attendance, CourseKind, TrainingCourse
from members.training import TrainingError
from tests.factories import InstructorFactory, MemberFactory, PartyWorkerFactory, PersonFactory
from tests.members.test_journey import JOURNEY, resolve

WORKER = Role.TOWNSHIP_WORKER


def course_data(world, **overrides):
    data = {"name": "2025年发展对象集中培训班", "kind": CourseKind.CANDIDATE, "organizer": "甲镇党委",
            "area": world.township_a, "starts_on": date(2025, 4, 1), "ends_on": date(2025, 4, 3),
            "days": Decimal(3), "hours": Decimal(24)}
    data.update(overrides)
    return data


def make_course(world, *, by_role=Role.COUNTY_ADMIN, **overrides):
    return training.create_course(by=world.users[by_role], data=course_data(world, **overrides))


def candidate_dossier(world):
    """A dossier of township A designated as development target on 2024-03-04."""
    worker = world.users[WORKER]
    person = PersonFactory(current_unit=world.obj("organization", "own"))
    mentors = {"m1": MemberFactory().pk, "m2": MemberFactory().pk}
    dossier = services.start_dossier(person=person, party_org=world.obj("party_organization", "own"),
                                     applied_on=date(2023, 1, 10), by=worker)
    for step, on, data in JOURNEY:
        services.take_step(dossier=dossier, step=step, on=on, data=resolve(data, mentors), by=worker)
        if step == "designate_candidate":
            break
    dossier.refresh_from_db()
    return dossier


# ---- courses ------------------------------------------------------------------------------

def test_township_worker_creates_a_course_in_own_township_with_audit(world):
    course = make_course(world, by_role=WORKER)
    assert course.pk and course.area == world.township_a
    assert course.history.first().history_user == world.users[WORKER]


@pytest.mark.parametrize("area_key,message", [(None, "县级培训班只能由县委组织部登记"),
                                              ("foreign", "不在您的管理范围内")])
def test_township_worker_cannot_create_county_or_foreign_courses(world, area_key, message):
    area = world.township_b if area_key == "foreign" else None
    with pytest.raises(PermissionDenied, match=message):
        make_course(world, by_role=WORKER, area=area)
    assert not TrainingCourse.objects.exists()


def test_county_admin_creates_a_county_course(world):
    assert make_course(world, area=None).area is None


def test_secretary_cannot_create_courses(world):
    with pytest.raises(PermissionDenied):
        make_course(world, by_role=Role.SECRETARY)


@pytest.mark.parametrize("overrides,field", [
    ({"ends_on": date(2025, 3, 31)}, "ends_on"),
    ({"days": Decimal(4)}, "days"),               # 4 days between 1 and 3 April
    ({"days": Decimal(0)}, "days"),
    ({"hours": Decimal(0)}, "hours"),
])
def test_course_dates_days_and_hours_are_checked(world, overrides, field):
    with pytest.raises(ValidationError) as error:
        make_course(world, **overrides)
    assert field in error.value.message_dict
    assert not TrainingCourse.objects.exists()


def test_update_course_keeps_attended_hours_and_kind(world):
    course = make_course(world, kind=CourseKind.PARTY_WORKER)
    worker = world.users[WORKER]
    training.record_attendance(course=course, party_worker=world.obj("party_worker", "own"), days=3, hours=20, by=worker)
    with pytest.raises(ValidationError) as error:
        training.update_course(course=course, by=worker, data={"hours": Decimal("19.5")})
    assert "hours" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        training.update_course(course=course, by=worker, data={"kind": CourseKind.INSTRUCTOR})
    assert "kind" in error.value.message_dict
    course = training.update_course(course=course, by=worker, data={"hours": Decimal(20), "name": "改名"})
    assert course.hours == 20 and course.name == "改名"


def test_foreign_township_course_is_read_only(world):
    course = make_course(world, area=world.township_b)
    with pytest.raises(PermissionDenied):
        training.update_course(course=course, by=world.users[WORKER], data={"name": "改"})
    assert TrainingCourse.objects.get(pk=course.pk).name == course.name


# ---- attendance ---------------------------------------------------------------------------

@pytest.fixture
def worker_course(world):
    return make_course(world, kind=CourseKind.PARTY_WORKER, days=Decimal(2), hours=Decimal(16),
                       starts_on=date(2025, 5, 6), ends_on=date(2025, 5, 7))


def test_attendance_is_recorded_once_per_trainee(world, worker_course):
    worker, party_worker = world.users[WORKER], world.obj("party_worker", "own")
    attendance = training.record_attendance(course=worker_course, party_worker=party_worker, days=2, hours=16,
                                            passed=True, by=worker)
    assert attendance.history.first().history_user == worker
    with pytest.raises(TrainingError) as error:
        training.record_attendance(course=worker_course, party_worker=party_worker, days=1, hours=8, by=worker)
    assert error.value.code == "attendance_exists" and "不能重复登记" in error.value.message
    assert Attendance.objects.count() == 1


@pytest.mark.parametrize("days,hours,field", [(Decimal("2.5"), 16, "days"), (2, Decimal("16.5"), "hours"),
                                              (-1, 8, "days"), (0, 0, "hours")])
def test_attendance_cannot_exceed_the_course(world, worker_course, days, hours, field):
    with pytest.raises(ValidationError) as error:
        training.record_attendance(course=worker_course, party_worker=world.obj("party_worker", "own"),
                                   days=days, hours=hours, by=world.users[WORKER])
    assert field in error.value.message_dict
    assert not Attendance.objects.exists()


def test_attendance_at_the_course_limits_is_allowed(world, worker_course):
    attendance = training.record_attendance(course=worker_course, instructor=world.obj("instructor", "own"),
                                            days=2, hours=16, by=world.users[WORKER])
    assert (attendance.days, attendance.hours) == (2, 16)


def test_attendance_needs_exactly_one_trainee_of_the_right_kind(world, worker_course):
    worker = world.users[WORKER]
    with pytest.raises(TrainingError, match="请选择一名学员"):
        training.record_attendance(course=worker_course, party_worker=world.obj("party_worker", "own"),
                                   instructor=world.obj("instructor", "own"), days=1, hours=8, by=worker)
    dossier = candidate_dossier(world)
    with pytest.raises(TrainingError) as error:
        training.record_attendance(course=worker_course, person=dossier.person, days=1, hours=8, by=worker)
    assert error.value.code == "trainee_kind"


def test_attendance_waits_for_the_end_of_the_course(world):
    course = make_course(world, starts_on=date(2099, 1, 1), ends_on=date(2099, 1, 3))
    dossier = candidate_dossier(world)
    with pytest.raises(TrainingError) as error:
        training.record_attendance(course=course, person=dossier.person, days=3, hours=24, by=world.users[WORKER])
    assert error.value.code == "course_not_ended"


@pytest.mark.parametrize("role,trainee", [(Role.SECRETARY, "own"), (Role.AUDITOR, "own"), (Role.INSTRUCTOR, "own"),
                                          (WORKER, "foreign")])
def test_attendance_refused_outside_role_or_scope(world, worker_course, role, trainee):
    with pytest.raises(PermissionDenied):
        training.record_attendance(course=worker_course, party_worker=world.obj("party_worker", trainee),
                                   days=1, hours=8, by=world.users[role])
    assert not Attendance.objects.exists()


def test_person_known_only_through_a_unit_is_not_the_clerks_trainee(world):
    """Visible through the unit but with no dossier in scope: the record would be
    invisible to its author, so it is refused and nothing stays."""
    course = make_course(world, kind=CourseKind.ACTIVIST)
    person = PersonFactory(current_unit=world.obj("organization", "own"))
    with pytest.raises(PermissionDenied):
        training.record_attendance(course=course, person=person, days=1, hours=8, by=world.users[WORKER])
    assert not Attendance.objects.exists()


def test_remove_attendance_is_audited(world, worker_course):
    worker = world.users[WORKER]
    attendance = training.record_attendance(course=worker_course, party_worker=world.obj("party_worker", "own"),
                                            days=2, hours=16, by=worker)
    training.remove_attendance(attendance=attendance, by=worker)
    assert not Attendance.objects.exists()
    deleted = Attendance.history.filter(id=attendance.pk, history_type="-").get()
    assert deleted.history_user == worker


def test_remove_attendance_refused_outside_scope(world, worker_course):
    attendance = training.record_attendance(course=worker_course, party_worker=world.obj("party_worker", "foreign"),
                                            days=2, hours=16, by=world.users[Role.COUNTY_ADMIN])
    with pytest.raises(PermissionDenied):
        training.remove_attendance(attendance=attendance, by=world.users[Role.AUDITOR])
    assert Attendance.objects.filter(pk=attendance.pk).exists()


# ---- concentrated training through the procedure engine --------------------------------------

@pytest.mark.parametrize("days,hours,passes", [
    (Decimal(3), Decimal(0), True),          # 3 days
    (Decimal(2), Decimal(16), False),         # 2 days, 16 hours
    (Decimal(2), Decimal("23.5"), False),     # just under 24 hours
    (Decimal(2), Decimal(24), True),          # 24 hours
])
def test_concentrated_training_counts_attended_candidate_courses(world, days, hours, passes):
    dossier = candidate_dossier(world)
    worker = world.users[WORKER]
    course = make_course(world, starts_on=date(2024, 3, 20), ends_on=date(2024, 3, 22), days=Decimal(3),
                         hours=Decimal(24))
    training.record_attendance(course=course, person=dossier.person, days=days, hours=hours, by=worker)
    if passes:
        record = services.take_step(dossier=dossier, step="concentrated_training", on=date(2024, 4, 10), data={},
                                    by=worker)
        assert record.step == "concentrated_training"
    else:
        with pytest.raises(StepRefused) as refused:
            services.take_step(dossier=dossier, step="concentrated_training", on=date(2024, 4, 10), data={}, by=worker)
        assert {p["code"] for p in refused.value.data["problems"]} == {"training_insufficient"}


def test_failed_or_other_courses_do_not_count(world):
    dossier = candidate_dossier(world)
    worker = world.users[WORKER]
    failed = make_course(world, starts_on=date(2024, 3, 20), ends_on=date(2024, 3, 22))
    activist = make_course(world, kind=CourseKind.ACTIVIST, starts_on=date(2024, 3, 25), ends_on=date(2024, 3, 27))
    training.record_attendance(course=failed, person=dossier.person, days=3, hours=24, passed=False, by=worker)
    training.record_attendance(course=activist, person=dossier.person, days=3, hours=24, by=worker)
    with pytest.raises(StepRefused):
        services.take_step(dossier=dossier, step="concentrated_training", on=date(2024, 4, 10), data={}, by=worker)


def test_attendance_a_step_relied_on_cannot_be_removed(world):
    dossier = candidate_dossier(world)
    worker = world.users[WORKER]
    course = make_course(world, starts_on=date(2024, 3, 20), ends_on=date(2024, 3, 22))
    attendance = training.record_attendance(course=course, person=dossier.person, days=3, hours=24, by=worker)
    services.take_step(dossier=dossier, step="concentrated_training", on=date(2024, 4, 10), data={}, by=worker)
    with pytest.raises(TrainingError) as error:
        training.remove_attendance(attendance=attendance, by=worker)
    assert error.value.code == "attendance_in_use"
    assert Attendance.objects.filter(pk=attendance.pk).exists()


# ---- yearly hours ------------------------------------------------------------------------

@pytest.fixture
def hours_world(world):
    """Party worker A: 20 + 10 hours in 2025 and 16 in 2024; instructor A: 24 hours in 2025
    (a course over the new year counts in the year it ends); township B's worker: 40."""
    admin = world.users[Role.COUNTY_ADMIN]
    party_worker, instructor = world.obj("party_worker", "own"), world.obj("instructor", "own")
    courses = [
        (date(2025, 3, 1), date(2025, 3, 3), 20, {"party_worker": party_worker}),
        (date(2025, 9, 1), date(2025, 9, 2), 10, {"party_worker": party_worker}),
        (date(2024, 6, 1), date(2024, 6, 2), 16, {"party_worker": party_worker}),
        (date(2024, 12, 30), date(2025, 1, 2), 24, {"instructor": instructor}),
        (date(2025, 5, 1), date(2025, 5, 5), 40, {"party_worker": world.obj("party_worker", "foreign")}),
    ]
    for number, (starts, ends, hours, trainee) in enumerate(courses):
        course = make_course(world, name=f"党务培训{number}", kind=CourseKind.PARTY_WORKER, area=None,
                             starts_on=starts, ends_on=ends, days=Decimal(2), hours=Decimal(hours))
        training.record_attendance(course=course, days=2, hours=hours, by=admin, **trainee)
    return world


def test_yearly_hours_against_targets_in_scope(hours_world):
    world = hours_world
    rows = training.yearly_hours(user=world.users[WORKER], year=2025)
    by_name = {row.trainee.name: row for row in rows}
    assert set(by_name) == {world.obj("party_worker", "own").name, world.obj("instructor", "own").name}
    worker_row = by_name[world.obj("party_worker", "own").name]
    assert (worker_row.hours, worker_row.courses, worker_row.target, worker_row.below_target) == (30, 2, 32, True)
    instructor_row = by_name[world.obj("instructor", "own").name]
    assert (instructor_row.hours, instructor_row.target, instructor_row.below_target) == (24, 24, False)
    assert rows[0] is worker_row       # below the target first
    assert [r.hours for r in training.yearly_hours(user=world.users[WORKER], year=2024, kind="party_worker")] == [16]
    county = training.yearly_hours(user=world.users[Role.COUNTY_ADMIN], year=2025, kind="party_worker",
                                   below_target=False)
    assert [r.trainee for r in county] == [world.obj("party_worker", "foreign")]


def test_person_hours_by_year(world):
    dossier = candidate_dossier(world)
    worker = world.users[WORKER]
    for number, (ends, hours) in enumerate([(date(2024, 3, 22), 24), (date(2024, 10, 2), 8), (date(2025, 2, 2), 6)]):
        course = make_course(world, name=f"班{number}", kind=CourseKind.CANDIDATE if number == 0 else CourseKind.ACTIVIST,
                             starts_on=ends, ends_on=ends, days=1, hours=hours)
        training.record_attendance(course=course, person=dossier.person, days=1, hours=hours, by=worker)
    assert training.person_hours_by_year(person=dossier.person) == {2024: Decimal(32), 2025: Decimal(6)}
    rows = training.yearly_hours(user=worker, year=2024, kind="person")
    assert [(r.trainee, r.hours, r.target) for r in rows] == [(dossier.person, Decimal(32), None)]


# ---- pages ----------------------------------------------------------------------------------

def test_course_list_filters_and_search(world):
    make_course(world, name="甲镇党务工作者培训", kind=CourseKind.PARTY_WORKER)
    make_course(world, name="乙镇积极分子培训", kind=CourseKind.ACTIVIST, area=world.township_b,
                starts_on=date(2024, 4, 1), ends_on=date(2024, 4, 3))
    client = world.client_for(WORKER)
    url = reverse("members:course-list")
    body = client.get(url).content.decode()
    assert "甲镇党务工作者培训" in body and "乙镇积极分子培训" in body      # courses are public in the county
    assert reverse("members:training-hours") in body
    assert "乙镇" not in client.get(url, {"kind": "party_worker"}).content.decode().split("results")[1]
    assert "甲镇党务" not in client.get(url, {"year": 2024}).content.decode().split("results")[1]
    assert "乙镇积极" not in client.get(url, {"q": "党务"}).content.decode().split("results")[1]
    response = client.get(url, {"export": "xlsx"})
    names = [row[0] for row in load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["乙镇积极分子培训", "甲镇党务工作者培训"]


def test_course_create_page_and_edit(world):
    client = world.client_for(WORKER)
    data = {"name": "党务培训", "kind": "party_worker", "organizer": "甲镇党委", "area": world.township_a.pk,
            "starts_on": "2025-05-06", "ends_on": "2025-05-07", "days": "2", "hours": "16"}
    response = client.post(reverse("members:course-create"), data)
    course = TrainingCourse.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("members:course-detail", args=[course.pk])
    bad = client.post(reverse("members:course-edit", args=[course.pk]), {**data, "days": "3"})
    assert bad.status_code == 200 and "天数不能多于" in bad.content.decode()
    assert client.post(reverse("members:course-edit", args=[course.pk]), {**data, "hours": "12"}).status_code == 302
    assert TrainingCourse.objects.get().hours == 12


def test_course_page_adds_and_removes_attendance(world, worker_course):
    client = world.client_for(WORKER)
    url = reverse("members:course-detail", args=[worker_course.pk])
    page = client.get(url).content.decode()
    assert 'id="attendance-form"' in page and world.obj("party_worker", "own").name in page
    assert world.obj("party_worker", "foreign").name not in page     # only visible trainees are offered
    bad = client.post(url, {"party_worker": world.obj("party_worker", "own").pk, "days": "2", "hours": "17"})
    assert bad.status_code == 200 and "获得学时不能多于培训班学时" in bad.content.decode()
    response = client.post(url, {"party_worker": world.obj("party_worker", "own").pk, "days": "2", "hours": "16",
                                 "passed": "on"})
    assert response.status_code == 302
    attendance = Attendance.objects.get()
    page = client.get(url).content.decode()
    assert "data-confirm" in page and reverse("members:attendance-remove", args=[attendance.pk]) in page
    assert client.get(reverse("members:attendance-remove", args=[attendance.pk])).status_code == 405
    assert client.post(reverse("members:attendance-remove", args=[attendance.pk])).status_code == 302
    assert not Attendance.objects.exists()


def test_course_page_hides_other_townships_trainees(world, worker_course):
    admin = world.users[Role.COUNTY_ADMIN]
    foreign = training.record_attendance(course=worker_course, party_worker=world.obj("party_worker", "foreign"),
                                         days=2, hours=16, by=admin)
    client = world.client_for(WORKER)
    page = client.get(reverse("members:course-detail", args=[worker_course.pk])).content.decode()
    assert world.obj("party_worker", "foreign").name not in page
    assert client.post(reverse("members:attendance-remove", args=[foreign.pk])).status_code == 404
    assert Attendance.objects.filter(pk=foreign.pk).exists()


def test_training_hours_page_flags_below_target_and_exports(hours_world):
    world = hours_world
    client = world.client_for(WORKER)
    url = reverse("members:training-hours")
    page = client.get(url, {"year": 2025}).content.decode()
    assert "below-target" in page and "未达标（差2.0学时）" in page and "1 人未达到年度学时目标" in page
    assert world.obj("party_worker", "foreign").name not in page
    met = client.get(url, {"year": 2025, "status": "met"}).content.decode()
    assert world.obj("instructor", "own").name in met and world.obj("party_worker", "own").name not in met
    response = client.get(url, {"year": 2025, "export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[5], r[7]) for r in rows] == [(world.obj("party_worker", "own").name, 30, "未达标（差2.0学时）"),
                                                   (world.obj("instructor", "own").name, 24, "已达标")]


# ---- API ----------------------------------------------------------------------------------

def test_api_course_create_update_and_filters(world):
    client = world.api_client_for(Role.API_CLIENT)
    payload = {"name": "积极分子培训", "kind": "activist", "organizer": "甲镇党委", "area": world.township_a.pk,
               "starts_on": "2025-03-01", "ends_on": "2025-03-02", "days": "2", "hours": "16"}
    created = client.post(reverse("api:training-course-list"), payload, format="json")
    assert created.status_code == 201, created.content
    course_id = created.json()["id"]
    bad = client.patch(reverse("api:training-course-detail", args=[course_id]), {"days": "5"}, format="json")
    assert bad.status_code == 400 and "days" in bad.json()
    assert client.get(reverse("api:training-course-list"), {"kind": "candidate"}).json()["count"] == 0
    assert client.get(reverse("api:training-course-list"), {"year": 2025}).json()["count"] == 1
    assert client.delete(reverse("api:training-course-detail", args=[course_id])).status_code == 405


def test_api_attendance_errors_are_structured(world, worker_course):
    client = world.api_client_for(Role.API_CLIENT)
    url = reverse("api:attendance-list")
    payload = {"course": worker_course.pk, "party_worker": world.obj("party_worker", "own").pk, "days": "2",
               "hours": "16"}
    assert client.post(url, payload, format="json").status_code == 201
    again = client.post(url, payload, format="json")
    assert again.status_code == 400 and again.json()["code"] == "attendance_exists"
    foreign = client.post(url, {**payload, "party_worker": world.obj("party_worker", "foreign").pk}, format="json")
    assert foreign.status_code == 400 and "party_worker" in foreign.json()     # not among the choices
    listed = client.get(url, {"course": worker_course.pk}).json()
    assert [row["trainee_name"] for row in listed["results"]] == [world.obj("party_worker", "own").name]


def test_api_training_hours(hours_world):
    world = hours_world
    client = world.api_client_for(Role.API_CLIENT)
    url = reverse("api:training-hours-list")
    data = client.get(url, {"year": 2025, "kind": "party_worker"}).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert (row["name"], row["hours"], row["target"], row["below_target"]) == (
        world.obj("party_worker", "own").name, "30.0", "32.0", True)
    assert client.get(url, {"year": 2025, "below_target": "false"}).json()["results"][0]["kind"] == "instructor"
    assert client.get(url, {"kind": "nobody"}).status_code == 400
    assert client.get(url, {"township": world.township_b.pk}).status_code == 400    # not the caller's township


# ---- access ---------------------------------------------------------------------------------

ALL_PAGE_ROLES = [r for r in Role.values if r != Role.API_CLIENT]
EDITORS = {Role.COUNTY_ADMIN, WORKER}

PAGE_ROWS = []
for role in ALL_PAGE_ROLES:
    PAGE_ROWS += [(role, "get", "members:course-list", None, 200),
                  (role, "get", "members:training-hours", None, 200),
                  (role, "get", "members:course-create", None, 200 if role in EDITORS else 403),
                  (role, "get", "members:course-detail", "own", 200),
                  (role, "get", "members:course-detail", "foreign", 200),     # courses are public in the county
                  (role, "get", "members:course-edit", "own", 200 if role in EDITORS else 403),
                  (role, "get", "members:course-edit", "foreign", 200 if role == Role.COUNTY_ADMIN else 403),
                  (role, "post", "members:course-detail", "own", 302 if role in EDITORS else 403),
                  # Secretaries and instructors see their own party organization's worker's record.
                  (role, "post", "members:attendance-remove", "own", 302 if role in EDITORS else 403),
                  (role, "post", "members:attendance-remove", "foreign", 302 if role == Role.COUNTY_ADMIN else
                   (403 if role == Role.AUDITOR else 404))]


@pytest.fixture
def access_world(world):
    admin = world.users[Role.COUNTY_ADMIN]
    courses = {}
    for which, area in (("own", world.township_a), ("foreign", world.township_b)):
        courses[which] = make_course(world, name=f"{which}党务培训", kind=CourseKind.PARTY_WORKER, area=area,
                                     starts_on=date(2025, 5, 6), ends_on=date(2025, 5, 7), days=Decimal(2),
                                     hours=Decimal(16))
        training.record_attendance(course=courses[which], party_worker=world.obj("party_worker", which), days=2,
                                   hours=16, by=admin)
    return world, courses


@pytest.mark.parametrize("role,method,name,which,status", PAGE_ROWS)
def test_training_page_access(access_world, role, method, name, which, status):
    world, courses = access_world
    course = courses.get(which)
    if name == "members:attendance-remove":
        args = [course.attendances.get().pk]
    else:
        args = [course.pk] if course else []
    client = world.client_for(role)
    if method == "get":
        response = client.get(reverse(name, args=args))
    else:
        before = Attendance.objects.count()
        data = {}
        if name == "members:course-detail":
            # A trainee the role can see: a new instructor of township A.
            data = {"instructor": InstructorFactory(area=world.township_a, organizations=[
                world.obj("organization", "own")]).pk, "days": "1", "hours": "8"}
        response = client.post(reverse(name, args=args), data)
        if status != 302:
            assert Attendance.objects.count() == before, "a denied write changed the records"
    assert response.status_code == status


# Role × API endpoint, for the registry guard (tests/accounts/test_access_matrix.py).
API_ROWS = []
for role in Role.values:
    writer = role in (Role.COUNTY_ADMIN, WORKER, Role.API_CLIENT)
    API_ROWS += [(role, "get", "api:training-course-list", None, 200),
                 (role, "get", "api:training-course-detail", "foreign", 200),
                 (role, "patch", "api:training-course-detail", "own", 200 if writer else 403),
                 (role, "patch", "api:training-course-detail", "foreign", 200 if role == Role.COUNTY_ADMIN else 403),
                 (role, "get", "api:attendance-list", None, 200),
                 (role, "get", "api:attendance-detail", "foreign", 200 if role in (Role.COUNTY_ADMIN, Role.AUDITOR)
                  else 404),
                 (role, "post", "api:attendance-list", None, 201 if writer else 403),
                 (role, "get", "api:training-hours-list", None, 200)]


@pytest.mark.parametrize("role,method,name,which,status", API_ROWS)
def test_training_api_access(access_world, role, method, name, which, status):
    world, courses = access_world
    client = world.api_client_for(role)
    args = []
    if name.startswith("api:training-course-detail"):
        args = [courses[which].pk]
    elif name == "api:attendance-detail":
        args = [courses[which].attendances.get().pk]
    url = reverse(name, args=args)
    if method == "get":
        response = client.get(url)
    elif method == "patch":
        response = client.patch(url, {"organizer": "改"}, format="json")
        if status != 200:
            assert TrainingCourse.objects.get(pk=courses[which].pk).organizer != "改"
    else:
        worker = PartyWorkerFactory(area=world.township_a, party_organization=world.obj("party_organization", "own"))
        response = client.post(url, {"course": courses["own"].pk, "party_worker": worker.pk, "days": "1",
                                     "hours": "8"}, format="json")
    assert response.status_code == status, response.content.decode()[:300]
