from datetime import date

from django.db import models
from django.db.models import Exists, OuterRef, Q

from ..querysets import AlertQuerySet


class AlertKind(models.TextChoices):
    TALK_DUE = "talk_due", "谈话到期"
    ACTIVIST_REVIEW_DUE = "activist_review_due", "半年考察到期"
    ONE_YEAR_REACHED = "one_year_reached", "培养满一年"
    PUBLICITY_ENDING = "publicity_ending", "公示即将结束"
    APPROVAL_DEADLINE = "approval_deadline", "接收审批期限临近"
    PROBATION_REVIEW_DUE = "probation_review_due", "预备期考察到期"
    PROBATION_ENDING = "probation_ending", "预备期即将期满"
    FULL_APPROVAL_DEADLINE = "full_approval_deadline", "转正审批期限临近"
    TRANSFER_WAITING = "transfer_waiting", "转接待处理"
    REVIEW_OUTSTANDING = "review_outstanding", "政审回函未到"
    LOST_CONTACT = "lost_contact", "失联"


# Kinds that announce a date rather than set a deadline: an activist who has reached a
# year of cultivation *may* be designated a candidate, so passing that date makes
# nothing overdue.  Everything that says "overdue" — lists, filters, the API, the home
# page, the statistics and the plan's weights — asks overdue_condition / is_overdue.
NOTICE_KINDS = frozenset({AlertKind.ONE_YEAR_REACHED})


def overdue_condition(on: date) -> Q:
    """Alerts overdue on ``on``."""
    return Q(due_on__lt=on) & ~Q(kind__in=NOTICE_KINDS)


def has_overdue_alert(on: date) -> Exists:
    """For a dossier queryset: whether the dossier has an alert overdue on ``on``."""
    return Exists(Alert.objects.filter(overdue_condition(on), dossier=OuterRef("pk")))


class Alert(models.Model):
    """Something due or overdue on a dossier, computed daily by the alert job.  One row
    per (dossier, kind, due date): re-running the job updates, never duplicates."""

    dossier = models.ForeignKey("members.Dossier", verbose_name="发展档案", on_delete=models.CASCADE,
                                related_name="alerts")
    kind = models.CharField("提醒类型", max_length=32, choices=AlertKind.choices)
    due_on = models.DateField("到期日期")
    message = models.CharField("提醒内容", max_length=300)
    computed_on = models.DateField("计算日期")

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "kind", "due_on"], name="one_alert_per_due")]

    def __str__(self):
        return self.message

    @property
    def is_notice(self) -> bool:
        return self.kind in NOTICE_KINDS

    def is_overdue(self, on: date) -> bool:
        return self.due_on < on and not self.is_notice

    def status_on(self, on: date) -> str:
        """How the due date stands on ``on``, for pages and the API (the stored message
        stays the same from day to day, so a re-run of the job leaves the row as it is)."""
        days = (on - self.due_on).days
        if days > 0:
            return f"已于{days}天前到达（提示）" if self.is_notice else f"已逾期{days}天"
        if days == 0:
            return "今天到达（提示）" if self.is_notice else "今天到期"
        return f"还有{-days}天到期"


class ContactRecord(models.Model):
    """Contact with a person was made (again): ends 'lost contact'."""

    dossier = models.ForeignKey("members.Dossier", verbose_name="发展档案", on_delete=models.CASCADE,
                                related_name="contacts")
    contacted_on = models.DateField("联系日期")
    note = models.CharField("情况", max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "联系记录"
        verbose_name_plural = "联系记录"
        ordering = ["-contacted_on", "-id"]
