from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..choices import ActivistSource, DossierState, EndKind, EndReason, Stage
from ..querysets import DossierQuerySet, StepRecordQuerySet

OPEN_STATES = (DossierState.ACTIVE, DossierState.IN_TRANSIT, DossierState.LOST_CONTACT)


class Dossier(models.Model):
    """发展档案: one development track of one person, judged under one rule-set version."""

    person = models.ForeignKey("members.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="dossiers")
    party_org = models.ForeignKey("organizations.PartyOrganization", verbose_name="发展党组织",
                                  on_delete=models.PROTECT, related_name="dossiers")
    rule_set = models.ForeignKey("members.RuleSetVersion", verbose_name="适用规则版本", on_delete=models.PROTECT,
                                 related_name="dossiers")
    stage = models.CharField("阶段", max_length=16, choices=Stage.choices, default=Stage.APPLICANT)
    state = models.CharField("状态", max_length=16, choices=DossierState.choices, default=DossierState.ACTIVE)
    source = models.CharField("积极分子产生方式", max_length=16, choices=ActivistSource.choices, blank=True)
    end_kind = models.CharField("终止类型", max_length=16, choices=EndKind.choices, blank=True)
    end_reason = models.CharField("终止原因", max_length=16, choices=EndReason.choices, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_note = models.CharField("终止说明", max_length=200, blank=True)
    lost_contact_since = models.DateField("失联起始日期", null=True, blank=True)
    # The unit the person works in: while the dossier is open, the person's current unit
    # (kept by Dossier.save and Person.save); a closed dossier keeps the unit it was
    # developed in.  Statistics count dossiers per unit without reading the people.
    unit = models.ForeignKey("organizations.Organization", verbose_name="所在单位", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="dossiers", editable=False)

    # Derived from the step records by members.services, kept for lists and alerts.
    current_step = models.CharField("最近办理的步骤", max_length=32, blank=True)
    last_step_on = models.DateField("最近办理日期", null=True, blank=True)
    last_contact_on = models.DateField("最近联系日期", null=True, blank=True)
    applied_on = models.DateField("申请日期", null=True, blank=True)
    activist_on = models.DateField("确定积极分子日期", null=True, blank=True)
    cultivation_start = models.DateField("培养期起算日", null=True, blank=True,
                                         help_text="一般为确定积极分子之日；转接时接收方不认可已培养时间的，自接收之日重新起算。")
    candidate_on = models.DateField("确定发展对象日期", null=True, blank=True)
    admission_vote_on = models.DateField("支部大会接收日期", null=True, blank=True)
    approved_on = models.DateField("上级党委审批日期", null=True, blank=True)
    probation_ends_on = models.DateField("预备期满日期", null=True, blank=True)
    full_on = models.DateField("转正日期（党龄起算）", null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "发展档案"
        verbose_name_plural = "发展档案"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=models.Q(state__in=OPEN_STATES),
                                    name="one_open_dossier_per_person",
                                    violation_error_message="该人员已有一份正在进行的发展档案。"),
        ]
        indexes = [
            models.Index(fields=["party_org", "stage", "state"]),
            # New members of a period (reports: 新发展党员, the report's sheets) are the
            # few dossiers approved in it; without it each such figure reads every dossier.
            models.Index(fields=["approved_on"], name="dossier_approved_on"),
        ]

    def __str__(self):
        return f"{self.person.name}（{self.get_stage_display()}）"

    def get_absolute_url(self):
        return reverse("members:dossier-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def save(self, *args, **kwargs):
        if self._state.adding or self.is_open:
            # Read from the database, not from a person this instance may hold from before an edit.
            person_model = self._meta.get_field("person").related_model
            self.unit_id = (person_model._base_manager.filter(pk=self.person_id)
                            .values_list("current_unit_id", flat=True).first())
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "unit" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "unit"]
        super().save(*args, **kwargs)


class StepRecord(models.Model):
    """One step taken: when, by whom recorded, and the data the step needs."""

    dossier = models.ForeignKey(Dossier, verbose_name="发展档案", on_delete=models.CASCADE, related_name="records")
    step = models.CharField("步骤", max_length=32)
    taken_on = models.DateField("办理日期")
    data = models.JSONField("步骤数据", default=dict, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    party_org = models.ForeignKey("organizations.PartyOrganization", verbose_name="办理党组织", null=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  help_text="办理时的发展党组织；转接后历史记录仍保留原办理党组织。")
    backfill_reason = models.CharField("补录原因", max_length=200, blank=True,
                                       help_text="必备材料不全时办理须注明补录原因；材料补齐前该步骤显示为材料不全。")
    # Kept by members.materials.recount: required personal documents of this step / present.
    materials_required = models.PositiveSmallIntegerField("必备材料数", default=0)
    materials_present = models.PositiveSmallIntegerField("已有必备材料数", default=0)

    history = HistoricalRecords(excluded_fields=["materials_required", "materials_present"])
    objects = StepRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "步骤记录"
        verbose_name_plural = "步骤记录"
        ordering = ["taken_on", "id"]
        indexes = [models.Index(fields=["dossier", "step"])]

    def __str__(self):
        return f"{self.step} {self.taken_on}"

    @property
    def is_backfilled(self) -> bool:
        return bool(self.backfill_reason)

    @property
    def materials_complete(self) -> bool:
        return self.materials_present >= self.materials_required
