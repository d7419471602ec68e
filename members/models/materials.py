"""The material catalogue (which documents each step needs) and the uploaded materials.

The catalogue belongs to a rule-set version, like the procedure's numbers: a dossier
is judged against the catalogue of the version it was started under.  The county edits
it on the catalogue pages; a new rule-set version starts with a copy of the previous
version's catalogue (members.materials.catalogue).
"""
from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..querysets import DossierChildQuerySet


class Issuer(models.TextChoices):
    APPLICANT = "applicant", "本人"
    BRANCH = "branch", "党支部"
    UPPER_COMMITTEE = "upper_committee", "上级党委"
    REVIEW_SIDE = "review_side", "政审函调单位"
    OTHER = "other", "其他"


class MaterialScope(models.TextChoices):
    PERSONAL = "personal", "个人材料"
    ROSTER = "roster", "组织名册"


class MaterialRequirement(models.Model):
    """One document a step requires or allows (材料目录项)."""

    rule_set = models.ForeignKey("members.RuleSetVersion", verbose_name="规则版本", on_delete=models.CASCADE,
                                 related_name="materials")
    step = models.CharField("步骤", max_length=32)
    code = models.SlugField("代码", max_length=50, help_text="英文小写、数字和下划线；接口和导入使用。")
    name = models.CharField("材料名称", max_length=100)
    issuer = models.CharField("出具方", max_length=16, choices=Issuer.choices, default=Issuer.BRANCH)
    required = models.BooleanField("必备", default=True)
    scope = models.CharField("范围", max_length=16, choices=MaterialScope.choices, default=MaterialScope.PERSONAL,
                             help_text="个人材料计入档案完整度；组织名册按批次报送，只列出、不计入个人完整度。")
    form = models.CharField("生成表格", max_length=40, blank=True,
                            help_text="系统可按档案数据生成的标准表格（可下载后签字盖章再上传）。")
    order = models.PositiveSmallIntegerField("排序", default=0)
    note = models.CharField("说明", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "材料目录项"
        verbose_name_plural = "材料目录"
        ordering = ["rule_set", "step", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="one_material_code_per_rule_set",
                                               violation_error_message="同一规则版本中材料代码不能重复。")]

    def __str__(self):
        return self.name

    @property
    def counts(self) -> bool:
        """Whether it counts towards completeness and blocks a step when missing."""
        return self.required and self.scope == MaterialScope.PERSONAL


class MaterialQuerySet(DossierChildQuerySet):
    pass


class Material(models.Model):
    """An uploaded document of a dossier's step.  Stored under MEDIA_ROOT with a random
    name (outside the web root) and served only through the scoped download view."""

    dossier = models.ForeignKey("members.Dossier", verbose_name="发展档案", on_delete=models.CASCADE,
                                related_name="materials")
    step = models.CharField("步骤", max_length=32)
    requirement = models.ForeignKey(MaterialRequirement, verbose_name="目录项", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    record = models.ForeignKey("members.StepRecord", verbose_name="步骤记录", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="materials",
                               help_text="办理后关联到该次步骤记录；周期性步骤每次提交各自保留。")
    title = models.CharField("材料名称", max_length=100)
    file = models.FileField("文件", upload_to="materials/%Y/%m/")
    name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["file"])
    objects = MaterialQuerySet.as_manager()

    class Meta:
        verbose_name = "档案材料"
        verbose_name_plural = "档案材料"
        ordering = ["step", "uploaded_at", "id"]
        indexes = [models.Index(fields=["dossier", "step"]), models.Index(fields=["record", "requirement"])]

    def __str__(self):
        return f"{self.title}（{self.name}）"

    def get_absolute_url(self):
        return reverse("members:material-download", args=[self.pk])
