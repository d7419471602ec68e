from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .choices import (
    SUB_KINDS_BY_KIND, TOWNSHIP_LEVELS, AreaLevel, Employment, Formation, Industry,
    OrganizationKind, OrganizationStatus, PartyOrgType, SubKind,
)
from .querysets import (
    AreaQuerySet, InstructorQuerySet, OrganizationQuerySet, PartyOrganizationQuerySet,
    PartyWorkerQuerySet,
)
from .search import pinyin_initials
from .validators import division_code_validator, normalize_uscc, validate_uscc

# Which level may hang under which (统计用区划代码: 6 digits county, 9 township, 12 village).
PARENT_LEVELS = {
    AreaLevel.COUNTY: (),
    AreaLevel.TOWNSHIP: (AreaLevel.COUNTY,),
    AreaLevel.STREET: (AreaLevel.COUNTY,),
    AreaLevel.COMMUNITY: (AreaLevel.TOWNSHIP, AreaLevel.STREET),
}
SIGNIFICANT_DIGITS = {AreaLevel.COUNTY: 6, AreaLevel.TOWNSHIP: 9, AreaLevel.STREET: 9, AreaLevel.COMMUNITY: 12}


class Timestamped(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class Area(Timestamped):
    """行政区划: county → township/street → village/community."""

    code = models.CharField("统计用区划代码", max_length=12, unique=True, validators=[division_code_validator])
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # "/<county code>/<township code>/" — lets scope checks match a subtree with one prefix.
    path = models.CharField(max_length=120, editable=False, db_index=True)
    accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="负责账号", blank=True, related_name="scope_areas",
        help_text="乡镇（街道）党务工作者和接口账号可以查看、维护这些区划内的数据。",
    )

    history = HistoricalRecords()
    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def is_township(self) -> bool:
        return self.level in TOWNSHIP_LEVELS

    def clean(self):
        allowed = PARENT_LEVELS.get(self.level, ())
        if self.parent is None and allowed:
            raise ValidationError({"parent": "请选择上级区划。"})
        if self.parent is not None:
            if self.parent.level not in allowed:
                raise ValidationError({"parent": f"“{self.get_level_display()}”不能隶属于“{self.parent.get_level_display()}”。"})
            prefix = SIGNIFICANT_DIGITS[self.parent.level]
            if self.code and self.code[:prefix] != self.parent.code[:prefix]:
                raise ValidationError({"code": f"区划代码前{prefix}位应与上级区划（{self.parent.code}）一致。"})

    def save(self, *args, **kwargs):
        old = self.path
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)
        if old and old != self.path:  # recoded or moved: carry the subtree along
            for child in Area.objects.filter(path__startswith=old).exclude(pk=self.pk):
                Area.objects.filter(pk=child.pk).update(path=self.path + child.path[len(old):])


class Organization(Timestamped):
    """两新组织: a private enterprise or a social organization."""

    name = models.CharField("单位名称", max_length=200)
    name_initials = models.CharField("名称拼音首字母", max_length=100, editable=False, db_index=True, default="")
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc],
        error_messages={"unique": "该统一社会信用代码已登记。"},
    )
    kind = models.CharField("组织类别", max_length=16, choices=OrganizationKind.choices)
    sub_kind = models.CharField("具体类型", max_length=32, choices=SubKind.choices)
    industry = models.CharField("所属行业", max_length=1, choices=Industry.choices)
    township = models.ForeignKey(
        Area, verbose_name="所属乡镇（街道）", on_delete=models.PROTECT, related_name="organizations",
        limit_choices_to={"level__in": TOWNSHIP_LEVELS},
    )
    community = models.ForeignKey(
        Area, verbose_name="所在村（社区）", null=True, blank=True, on_delete=models.PROTECT,
        related_name="community_organizations", limit_choices_to={"level": AreaLevel.COMMUNITY},
    )
    address = models.CharField("地址", max_length=200, blank=True)
    employee_count = models.PositiveIntegerField("从业人员数", default=0)
    party_member_count = models.PositiveIntegerField("党员人数", default=0)
    legal_representative = models.CharField("出资人（负责人）或法定代表人", max_length=50, blank=True)
    representative_is_member = models.BooleanField("出资人（负责人）是否党员", default=False)
    established_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("注销（撤销）日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=OrganizationStatus.choices, default=OrganizationStatus.OPERATING)

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "两新组织"
        verbose_name_plural = "两新组织"
        ordering = ["township__code", "name"]
        indexes = [models.Index(fields=["township", "kind"]), models.Index(fields=["name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:organization-detail", args=[self.pk])

    def clean(self):
        errors = {}
        self.uscc = normalize_uscc(self.uscc)
        if self.kind and self.sub_kind and self.sub_kind not in SUB_KINDS_BY_KIND.get(self.kind, ()):
            errors["sub_kind"] = f"“{SubKind(self.sub_kind).label}”不属于“{OrganizationKind(self.kind).label}”。"
        if self.township_id and not self.township.is_township:
            errors["township"] = "所属区划必须是乡镇或街道。"
        if self.community_id and self.township_id and self.community.parent_id != self.township_id:
            errors["community"] = "所在村（社区）不属于所选乡镇（街道）。"
        if self.established_on and self.dissolved_on and self.dissolved_on < self.established_on:
            errors["dissolved_on"] = "注销日期不能早于成立日期。"
        if self.status == OrganizationStatus.DISSOLVED and not self.dissolved_on:
            errors["dissolved_on"] = "状态为注销（撤销）时必须填写注销日期。"
        if self.dissolved_on and self.status != OrganizationStatus.DISSOLVED:
            errors["status"] = "填写了注销日期的单位，状态应为注销（撤销）。"
        if self.party_member_count > self.employee_count > 0:
            errors["party_member_count"] = "党员人数不能多于从业人员数。"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.uscc = normalize_uscc(self.uscc)
        self.name_initials = pinyin_initials(self.name)
        super().save(*args, **kwargs)


class PartyOrganization(Timestamped):
    """党组织 in the 两新 field: a committee, general branch, branch or joint branch."""

    name = models.CharField("党组织名称", max_length=200)
    name_initials = models.CharField("名称拼音首字母", max_length=100, editable=False, db_index=True, default="")
    org_type = models.CharField("党组织类别", max_length=16, choices=PartyOrgType.choices)
    formation = models.CharField("组建方式", max_length=16, choices=Formation.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        limit_choices_to={"org_type__in": (PartyOrgType.COMMITTEE, PartyOrgType.GENERAL_BRANCH)},
    )
    area = models.ForeignKey(
        Area, verbose_name="所属乡镇（街道）", on_delete=models.PROTECT, related_name="party_organizations",
        limit_choices_to={"level__in": TOWNSHIP_LEVELS},
    )
    covered_organizations = models.ManyToManyField(
        Organization, verbose_name="覆盖的两新组织", blank=True, related_name="party_organizations",
    )
    secretary_name = models.CharField("书记姓名", max_length=50, blank=True)
    secretary_phone = models.CharField("书记电话", max_length=20, blank=True)
    has_approval_authority = models.BooleanField(
        "具有审批预备党员权限", default=False,
        help_text="只有经批准的党委可以审批预备党员；党总支、党支部不能审批。",
    )
    has_branch_committee = models.BooleanField("设立支部委员会", default=False)
    full_member_count = models.PositiveIntegerField("正式党员数", default=0)
    probationary_member_count = models.PositiveIntegerField("预备党员数", default=0)
    established_on = models.DateField("成立日期", null=True, blank=True)
    # "/<id>/<child id>/" — the subtree a secretary of a committee may see.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    secretary_accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="书记账号", blank=True, related_name="secretary_of",
    )

    history = HistoricalRecords(m2m_fields=[covered_organizations])
    objects = PartyOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["area__code", "path"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:party-organization-detail", args=[self.pk])

    @property
    def member_count(self) -> int:
        return self.full_member_count + self.probationary_member_count

    def clean(self):
        errors = {}
        if self.parent_id:
            if self.pk and (self.parent_id == self.pk or f"/{self.pk}/" in self.parent.path):
                errors["parent"] = "上级党组织不能是本组织或其下级组织。"
            elif self.parent.org_type not in (PartyOrgType.COMMITTEE, PartyOrgType.GENERAL_BRANCH):
                errors["parent"] = "上级党组织只能是党委或党总支。"
        if self.has_approval_authority and self.org_type != PartyOrgType.COMMITTEE:
            # 《发展党员工作细则》第二十六条: 党总支、党支部和临时党组织不能审批预备党员.
            errors["has_approval_authority"] = "只有党委可以具有审批预备党员的权限。"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.name_initials = pinyin_initials(self.name)
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if path != self.path:
            old = self.path
            PartyOrganization.objects.filter(pk=self.pk).update(path=path)
            if old:  # moved: carry the subtree along
                for child in PartyOrganization.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    PartyOrganization.objects.filter(pk=child.pk).update(path=path + child.path[len(old):])
            self.path = path


class Instructor(Timestamped):
    """党建指导员 assigned to units by the township or the county."""

    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("电话", max_length=20, blank=True)
    area = models.ForeignKey(
        Area, verbose_name="所属乡镇（街道）", on_delete=models.PROTECT, related_name="instructors",
        limit_choices_to={"level__in": TOWNSHIP_LEVELS},
    )
    employer = models.CharField("工作单位及职务", max_length=100, blank=True)
    employment = models.CharField("专兼职", max_length=16, choices=Employment.choices, default=Employment.PART_TIME)
    appointed_on = models.DateField("选派日期", null=True, blank=True)
    organizations = models.ManyToManyField(
        Organization, verbose_name="联系的两新组织", blank=True, related_name="instructors",
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="instructor_profile",
    )

    history = HistoricalRecords(m2m_fields=[organizations])
    objects = InstructorQuerySet.as_manager()

    class Meta:
        verbose_name = "党建指导员"
        verbose_name_plural = "党建指导员"
        ordering = ["area__code", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:instructor-detail", args=[self.pk])


class PartyWorker(Timestamped):
    """党务工作者: the (often part-time) person who runs a party organization's daily work."""

    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("电话", max_length=20, blank=True)
    area = models.ForeignKey(
        Area, verbose_name="所属乡镇（街道）", on_delete=models.PROTECT, related_name="party_workers",
        limit_choices_to={"level__in": TOWNSHIP_LEVELS},
    )
    party_organization = models.ForeignKey(
        PartyOrganization, verbose_name="所在党组织", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="party_workers",
    )
    employment = models.CharField("专兼职", max_length=16, choices=Employment.choices, default=Employment.PART_TIME)
    position = models.CharField("职务", max_length=50, blank=True)
    is_party_member = models.BooleanField("是否党员", default=True)
    started_on = models.DateField("任职日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = PartyWorkerQuerySet.as_manager()

    class Meta:
        verbose_name = "党务工作者"
        verbose_name_plural = "党务工作者"
        ordering = ["area__code", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:party-worker-detail", args=[self.pk])

    def clean(self):
        if self.party_organization_id and self.area_id and self.party_organization.area_id != self.area_id:
            raise ValidationError({"party_organization": "所在党组织不属于所选乡镇（街道）。"})
