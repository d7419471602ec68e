from django.db import models
from simple_history.models import HistoricalRecords


class SeatState(models.TextChoices):
    RESERVED = "reserved", "已预留（预审列入计划）"
    USED = "used", "已使用（审批接收）"
    RELEASED = "released", "已释放"


class Seat(models.Model):
    """One development seat held by one dossier: reserved at the county pre-review,
    used at admission approval (in the year of approval), or released if the person is
    not admitted.  A dossier holds at most one live seat."""

    allocation = models.ForeignKey("quotas.QuotaAllocation", verbose_name="名额", on_delete=models.PROTECT,
                                   related_name="seat_records")
    dossier = models.ForeignKey("members.Dossier", verbose_name="发展档案", on_delete=models.PROTECT,
                                related_name="seats")
    state = models.CharField("状态", max_length=16, choices=SeatState.choices)
    reserved_on = models.DateField("预留日期", null=True, blank=True)
    used_on = models.DateField("使用日期", null=True, blank=True)
    released_on = models.DateField("释放日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "发展名额"
        verbose_name_plural = "发展名额"
        constraints = [
            models.UniqueConstraint(fields=["dossier"], condition=~models.Q(state="released"),
                                    name="one_live_seat_per_dossier"),
        ]

    def __str__(self):
        return f"{self.dossier} {self.get_state_display()}"
