from django.db import models
from simple_history.models import HistoricalRecords


class HolidayDay(models.Model):
    """A day that differs from the Monday–Friday default: a holiday on a weekday, or a
    weekend working day (调休).  Seeded from the chinese-calendar package for the years
    it knows; the county adds next year's schedule when the State Council publishes it."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    name = models.CharField("说明", max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {'上班' if self.is_workday else '休息'} {self.name}"
