from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ..querysets import QuotaRequestQuerySet


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class RecomputeJob(models.Model):
    """One run of the allocation recompute: who asked, progress, timings, error."""

    plan = models.ForeignKey("quotas.QuotaPlan", on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    stage = models.CharField("当前阶段", max_length=100, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    timings = models.JSONField("各阶段用时（秒）", default=dict, blank=True)
    result = models.JSONField("结果摘要", default=dict, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "名额计算任务"
        verbose_name_plural = "名额计算任务"
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Two recomputes of one plan never run at once.
            models.UniqueConstraint(fields=["plan"], condition=models.Q(status__in=["queued", "running"]),
                                    name="one_active_recompute_per_plan"),
        ]

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class QuotaRequest(models.Model):
    """A unit or township asks for more seats; the county decides; approved seats are
    added at once, as extra seats on the allocation, out of the county's unallocated
    seats — and kept by every later recompute."""

    plan = models.ForeignKey("quotas.QuotaPlan", verbose_name="计划", on_delete=models.CASCADE,
                             related_name="requests")
    party_org = models.ForeignKey("organizations.PartyOrganization", verbose_name="申请党组织",
                                  on_delete=models.PROTECT, related_name="quota_requests")
    seats = models.PositiveIntegerField("申请增加名额")
    reason = models.CharField("申请理由", max_length=500)
    status = models.CharField("状态", max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    approved_seats = models.PositiveIntegerField("批准名额", default=0)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = QuotaRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "名额申请"
        verbose_name_plural = "名额申请"
        ordering = ["-requested_at", "-id"]


class Reallocation(models.Model):
    """调剂: on a date, seats units cannot use are taken back and re-apportioned."""

    plan = models.ForeignKey("quotas.QuotaPlan", on_delete=models.CASCADE, related_name="reallocations")
    on = models.DateField("调剂日期")
    method = models.CharField("分配方法", max_length=20)
    pool = models.PositiveIntegerField("收回名额")
    changes = models.JSONField("调整明细", default=list)  # [{party_org, name, before, after}]
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    performed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "年中调剂"
        verbose_name_plural = "年中调剂"
        ordering = ["-on", "-id"]
