from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..apportionment import METHOD_LABELS
from ..querysets import AllocationQuerySet, QuotaPlanQuerySet, TownshipAllocationQuerySet

METHOD_CHOICES = list(METHOD_LABELS.items())

# Every factor of the weight, configurable per plan (see quotas.weights).
DEFAULT_PARAMETERS = {
    "candidate_weight": 1.0,           # 发展对象：年底前可满足接收条件
    "activist_weight": 0.5,            # 积极分子：年内培养满一年
    "completion_weight": 0.5,          # 上年计划完成率对质量系数的影响
    "overdue_penalty": 0.5,            # 逾期档案占比对质量系数的影响
    "grade_factors": {"A": 1.2, "B": 1.0, "C": 0.8, "D": 0.5},
    "good_standing_grades": ["A", "B", "C"],
    "minimum_quality": 0.6,            # 质量系数低于此值的单位不保底
}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    ISSUED = "issued", "已下达"
    CLOSED = "closed", "已结束"


class QuotaPlan(models.Model):
    """发展党员计划 of one year: seats received from above, split over townships, then
    over party organizations — each level by its own apportionment method."""

    year = models.PositiveIntegerField("年度", unique=True, error_messages={"unique": "该年度的发展计划已存在。"})
    name = models.CharField("计划名称", max_length=100)
    total_seats = models.PositiveIntegerField("上级下达名额", validators=[MinValueValidator(0)])
    reserve_seats = models.PositiveIntegerField("县级预留名额", default=0,
                                                help_text="留作年中调剂和追加申请，不参与首次分配。")
    township_method = models.CharField("乡镇（街道）分配方法", max_length=20, choices=METHOD_CHOICES,
                                       default="webster")
    org_method = models.CharField("党组织分配方法", max_length=20, choices=METHOD_CHOICES, default="hamilton")
    parameters = models.JSONField("权重参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    computed_at = models.DateTimeField("最近计算时间", null=True, blank=True)
    unallocated_seats = models.PositiveIntegerField("未分配名额", default=0,
                                                    help_text="需求不足以容纳的名额留在县级。")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = QuotaPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "发展党员计划"
        verbose_name_plural = "发展党员计划"
        ordering = ["-year"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("quotas:plan-detail", args=[self.pk])

    @property
    def effective_parameters(self) -> dict:
        merged = {**DEFAULT_PARAMETERS, **(self.parameters or {})}
        merged["grade_factors"] = {**DEFAULT_PARAMETERS["grade_factors"], **merged.get("grade_factors", {})}
        return merged


class TownshipAllocation(models.Model):
    """Level one: the seats of a township (or street)."""

    plan = models.ForeignKey(QuotaPlan, on_delete=models.CASCADE, related_name="township_allocations")
    area = models.ForeignKey("organizations.Area", verbose_name="乡镇（街道）", on_delete=models.PROTECT,
                             related_name="+")
    weight = models.FloatField("权重", default=0)
    ready_demand = models.PositiveIntegerField("可发展需求", default=0)
    seats = models.PositiveIntegerField("名额", default=0)

    objects = TownshipAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = "乡镇名额"
        verbose_name_plural = "乡镇名额"
        ordering = ["area__code"]
        constraints = [models.UniqueConstraint(fields=["plan", "area"], name="one_township_allocation")]


class QuotaAllocation(models.Model):
    """Level two: a party organization's seats, its demand and how its weight was made.
    ``used`` and ``reserved`` only change through quotas.seats under a row lock."""

    # No index of its own: the (plan, party_org) unique constraint's index starts with it.
    plan = models.ForeignKey(QuotaPlan, on_delete=models.CASCADE, related_name="allocations", db_index=False)
    party_org = models.ForeignKey("organizations.PartyOrganization", verbose_name="党组织", on_delete=models.PROTECT,
                                  related_name="quota_allocations")
    area = models.ForeignKey("organizations.Area", verbose_name="乡镇（街道）", on_delete=models.PROTECT,
                             related_name="+")
    candidates_ready = models.PositiveIntegerField("年底前可接收的发展对象", default=0)
    activists_ready = models.PositiveIntegerField("年内培养满一年的积极分子", default=0)
    ready_demand = models.PositiveIntegerField("可发展需求", default=0)
    quality_factor = models.FloatField("质量系数", default=1)
    weight = models.FloatField("权重", default=0)
    breakdown = models.JSONField("权重构成", default=dict, blank=True)
    minimum = models.PositiveIntegerField("保底名额", default=0)
    maximum = models.PositiveIntegerField("名额上限", default=0)
    seats = models.PositiveIntegerField("名额", default=0)
    extra_seats = models.PositiveIntegerField("追加名额（已批准的申请）", default=0)
    reserved = models.PositiveIntegerField("已预留（预审）", default=0)
    used = models.PositiveIntegerField("已使用（审批）", default=0)
    years_without_new_member = models.PositiveIntegerField("连续未发展党员年数", default=0)

    # History rows are read per allocation (by ``id``) only; indexes on their other
    # foreign keys would only slow the recompute, which writes one per changed row.
    history = HistoricalRecords(excluded_fields=["breakdown"], no_db_index=["area", "party_org", "plan"])
    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织名额"
        verbose_name_plural = "党组织名额"
        ordering = ["area__code", "party_org__name"]
        indexes = [
            # The few allocations a recompute must not take seats from, found without
            # reading the plan's other rows (quotas.county_seats.seats_in_use).
            models.Index(fields=["plan"], condition=models.Q(used__gt=0) | models.Q(reserved__gt=0),
                         name="allocation_seats_in_use"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "party_org"], name="one_allocation_per_party_org"),
            # The seats can never be over-consumed, whatever the code path.
            models.CheckConstraint(
                condition=models.Q(used__lte=models.F("seats") + models.F("extra_seats") - models.F("reserved")),
                name="allocation_not_overused"),
        ]

    def __str__(self):
        return f"{self.party_org} {self.plan.year}年"

    @property
    def total_seats(self) -> int:
        return self.seats + self.extra_seats

    @property
    def available(self) -> int:
        return self.total_seats - self.used - self.reserved


class PartyBuildingGrade(models.TextChoices):
    A = "A", "好（A）"
    B = "B", "较好（B）"
    C = "C", "一般（C）"
    D = "D", "差（D）"


class EvaluationGrade(models.Model):
    """The county's party-building evaluation of a party organization for a year."""

    party_org = models.ForeignKey("organizations.PartyOrganization", verbose_name="党组织", on_delete=models.CASCADE,
                                  related_name="evaluation_grades")
    year = models.PositiveIntegerField("年度")
    grade = models.CharField("党建考评等次", max_length=1, choices=PartyBuildingGrade.choices)
    note = models.CharField("说明", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "党建考评等次"
        verbose_name_plural = "党建考评等次"
        constraints = [models.UniqueConstraint(fields=["party_org", "year"], name="one_grade_per_year")]
