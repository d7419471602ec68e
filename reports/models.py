"""Report runs and monthly statistics snapshots.

A :class:`ReportRun` is one build of the county's development report: its parameters,
who asked, its progress and timings, the figures it computed (kept as JSON so the
print page and a re-download never change) and the XLSX file with its SHA-256 — and
the print page as a PDF with its SHA-256 where WeasyPrint is installed.

A :class:`StatisticsSnapshot` freezes the county's figures at the end of a month, so
"last year" and trends read the same numbers however today's data changes.
"""
from django.conf import settings
from django.db import models
from django.urls import reverse

from .querysets import ReportRunQuerySet


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class DataSource(models.TextChoices):
    LIVE = "live", "实时数据"
    SNAPSHOT = "snapshot", "月度快照"


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class ReportRun(models.Model):
    """One build of the county development report (年度/时段发展党员工作统计报告)."""

    title = models.CharField("报告名称", max_length=100)
    # {"start": "2025-01-01", "end": "2025-12-31", "township": null | id, "source": "live" | "snapshot"}
    parameters = models.JSONField("参数", default=dict)
    source = models.CharField("数据来源", max_length=16, choices=DataSource.choices, default=DataSource.LIVE)
    snapshot = models.ForeignKey("reports.StatisticsSnapshot", verbose_name="所用快照", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="report_runs")
    status = models.CharField("状态", max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    stage = models.CharField("当前阶段", max_length=100, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True,
                                     on_delete=models.SET_NULL, related_name="report_runs")
    requested_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    timings = models.JSONField("各阶段用时（秒）", default=dict, blank=True)
    figures = models.JSONField("报告数据", default=dict, blank=True)
    file = models.FileField("报告文件（XLSX）", upload_to="reports/%Y/", blank=True)
    checksum = models.CharField("SHA-256", max_length=64, blank=True)
    # The print page as PDF, when WeasyPrint (and the Pango library under it) is installed
    # where the run was built; otherwise ``pdf_note`` says why there is none.
    pdf = models.FileField("报告文件（PDF）", upload_to="reports/%Y/", blank=True)
    pdf_checksum = models.CharField("PDF SHA-256", max_length=64, blank=True)
    pdf_note = models.CharField("PDF说明", max_length=200, blank=True)
    rerun_of = models.ForeignKey("self", verbose_name="重新生成自", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="reruns")
    error = models.TextField("错误", blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = "统计报告"
        verbose_name_plural = "统计报告"
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reports:run-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 3)
        return None


class StatisticsSnapshot(models.Model):
    """The county's figures as they stood at the end of ``as_of`` (the last day of a
    month), at township grain, taken by the beat job on the 1st.  Once taken it is not
    rewritten (a re-run of the job leaves it as it is)."""

    as_of = models.DateField("统计截止日期", unique=True, error_messages={"unique": "该日期的快照已存在。"})
    taken_at = models.DateTimeField("生成时间", auto_now_add=True)
    data = models.JSONField("统计数据", default=dict)
    seconds = models.FloatField("用时（秒）", default=0)

    class Meta:
        verbose_name = "月度统计快照"
        verbose_name_plural = "月度统计快照"
        ordering = ["-as_of"]

    def __str__(self):
        return f"{self.as_of:%Y年%m月%d日}快照"
