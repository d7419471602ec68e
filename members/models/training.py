from django.db import models
from simple_history.models import HistoricalRecords

from ..querysets import AttendanceQuerySet, TrainingCourseQuerySet


class CourseKind(models.TextChoices):
    ACTIVIST = "activist", "入党积极分子培训"
    CANDIDATE = "candidate", "发展对象集中培训"
    PARTY_WORKER = "party_worker", "党务工作者培训"
    INSTRUCTOR = "instructor", "党建指导员培训"


class TrainingCourse(models.Model):
    """培训班: organized by a township or the county, with dates and class hours."""

    name = models.CharField("培训班名称", max_length=200)
    kind = models.CharField("类别", max_length=16, choices=CourseKind.choices)
    organizer = models.CharField("举办单位", max_length=100)
    area = models.ForeignKey("organizations.Area", verbose_name="举办乡镇（街道）", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="training_courses",
                             help_text="县级举办的培训班留空。")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    days = models.DecimalField("天数", max_digits=5, decimal_places=1)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=1)

    history = HistoricalRecords()
    objects = TrainingCourseQuerySet.as_manager()

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-starts_on", "name"]

    def __str__(self):
        return self.name


class Attendance(models.Model):
    """Who attended a course and the hours earned: a person in the procedure, a party
    worker or an instructor."""

    course = models.ForeignKey(TrainingCourse, verbose_name="培训班", on_delete=models.CASCADE,
                               related_name="attendances")
    person = models.ForeignKey("members.Person", verbose_name="学员", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="attendances")
    party_worker = models.ForeignKey("organizations.PartyWorker", verbose_name="党务工作者", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="attendances")
    instructor = models.ForeignKey("organizations.Instructor", verbose_name="党建指导员", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="attendances")
    days = models.DecimalField("获得天数", max_digits=5, decimal_places=1)
    hours = models.DecimalField("获得学时", max_digits=6, decimal_places=1)
    passed = models.BooleanField("考核合格", default=True)

    history = HistoricalRecords()
    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(person__isnull=False, party_worker__isnull=True, instructor__isnull=True)
                           | models.Q(person__isnull=True, party_worker__isnull=False, instructor__isnull=True)
                           | models.Q(person__isnull=True, party_worker__isnull=True, instructor__isnull=False)),
                name="attendance_has_one_trainee"),
        ]
