"""Serializers of the people and dossier API.

ID numbers: lists never carry ``id_number`` (only ``masked_id_number``); a person's
detail carries it for the roles of :mod:`members.privacy`; writes accept it.
"""
from django.urls import reverse
from rest_framework import serializers

from accounts.api import ScopedFieldsMixin
from organizations.models import Organization, PartyOrganization

from ..choices import ActivistSource, EndKind, EndReason
from ..models import ContactRecord, Dossier, Person, StepRecord
from ..selectors import DONE, STATUS_LABELS


class PersonSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {
        "current_unit": lambda user: Organization.objects.visible_to(user),
        "member_party_org": lambda user: PartyOrganization.objects.visible_to(user),
    }
    # Declared, so uniqueness and the checksum are judged once, by the model in the service.
    id_number = serializers.CharField(
        max_length=18, required=False,
        help_text="公民身份号码（18位）。写入时填写；读取时仅县委组织部管理员和乡镇党务工作者在人员详情中返回，列表从不返回。")
    masked_id_number = serializers.CharField(read_only=True, help_text="前6位和后4位，其余以*代替。")
    current_unit_name = serializers.CharField(source="current_unit.name", read_only=True, allow_null=True)
    member_party_org_name = serializers.CharField(source="member_party_org.name", read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id", "name", "sex", "ethnicity", "id_number", "masked_id_number", "birth_date", "phone", "education",
            "occupation", "household_registration", "is_migrant", "current_unit", "current_unit_name",
            "membership", "member_party_org", "member_party_org_name", "party_age_from", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_id_number(self, value):
        return value.strip().upper()

    def validate(self, attrs):
        if self.instance is None and not attrs.get("id_number"):
            raise serializers.ValidationError({"id_number": "请填写公民身份号码。"})
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_id_number"):
            data.pop("id_number", None)
        return data


class StepDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="材料名称（目录项）")
    name = serializers.CharField(help_text="原文件名")
    url = serializers.SerializerMethodField()

    def get_url(self, document) -> str:
        return reverse("members:material-download", args=[document.pk])


class StepRecordSerializer(serializers.ModelSerializer):
    step_label = serializers.SerializerMethodField()
    recorded_by_name = serializers.CharField(source="recorded_by", read_only=True, allow_null=True)
    documents = serializers.SerializerMethodField()

    class Meta:
        model = StepRecord
        fields = ["id", "step", "step_label", "taken_on", "data", "note", "party_org", "recorded_by",
                  "recorded_by_name", "recorded_at", "backfill_reason", "materials_required", "materials_present",
                  "documents"]

    def get_step_label(self, record) -> str:
        return self.context.get("step_labels", {}).get(record.step, record.step)

    def get_documents(self, record) -> list[dict]:
        documents = getattr(record, "document_list", None)
        if documents is None:
            documents = list(record.materials.all())
        return StepDocumentSerializer(documents, many=True).data


class ContactRecordSerializer(serializers.ModelSerializer):
    recorded_by_name = serializers.CharField(source="recorded_by", read_only=True, allow_null=True)

    class Meta:
        model = ContactRecord
        fields = ["id", "contacted_on", "note", "recorded_by", "recorded_by_name"]


class DossierSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    masked_id_number = serializers.CharField(source="person.masked_id_number", read_only=True)
    party_org_name = serializers.CharField(source="party_org.name", read_only=True)
    township = serializers.IntegerField(source="party_org.area_id", read_only=True)
    township_name = serializers.CharField(source="party_org.area.name", read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True, allow_null=True,
                                    help_text="所在单位：档案在培养中时为本人现工作单位，终止或归档后为发展时所在单位。")
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    current_step_label = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True, help_text="有已逾期的提醒（“培养满一年”等提示事项不计）。")
    # Named for what it is (the model's ``source``), which also keeps its enum apart from others'.
    activist_source = serializers.ChoiceField(source="source", choices=ActivistSource.choices, read_only=True,
                                              help_text="积极分子产生方式")

    class Meta:
        model = Dossier
        fields = [
            "id", "person", "person_name", "masked_id_number", "party_org", "party_org_name", "township",
            "township_name", "unit", "unit_name", "rule_set", "stage", "stage_display", "state", "state_display",
            "current_step", "current_step_label", "last_step_on", "applied_on", "activist_on", "cultivation_start",
            "candidate_on", "admission_vote_on", "approved_on", "probation_ends_on", "full_on", "activist_source",
            "end_kind", "end_reason", "ended_on", "end_note", "lost_contact_since", "last_contact_on", "is_overdue",
            "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_current_step_label(self, dossier) -> str:
        labels = self.context.get("rule_set_labels", {}).get(dossier.rule_set_id, {})
        return labels.get(dossier.current_step, dossier.current_step)


class DossierDetailSerializer(DossierSerializer):
    rule_set_name = serializers.CharField(source="rule_set", read_only=True)
    records = serializers.SerializerMethodField()
    contacts = ContactRecordSerializer(many=True, read_only=True)

    class Meta(DossierSerializer.Meta):
        fields = DossierSerializer.Meta.fields + ["rule_set_name", "records", "contacts"]
        read_only_fields = fields

    def get_records(self, dossier) -> list[dict]:
        records = getattr(dossier, "record_list", None)
        if records is None:
            records = list(dossier.records.select_related("recorded_by").prefetch_related("materials"))
        labels = self.context.get("rule_set_labels", {}).get(dossier.rule_set_id, {})
        return StepRecordSerializer(records, many=True, context={**self.context, "step_labels": labels}).data


# ---- inputs of the dossier's actions -------------------------------------------------------

BACKFILL_HELP = ("补录原因：该步骤的必备材料尚未上传（先用 /dossiers/{id}/materials/ 上传）时必填，"
                 "记录显示为材料不全；材料补齐后自动完整。归档步骤不接受补录。")


class DossierCreateSerializer(ScopedFieldsMixin, serializers.Serializer):
    """Start a dossier: the application (step 1) received by a party organization."""

    scoped_fields = {
        "person": lambda user: Person.objects.visible_to(user),
        "party_org": lambda user: PartyOrganization.objects.visible_to(user),
    }
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none(), help_text="申请人（人员编号）")
    party_org = serializers.PrimaryKeyRelatedField(queryset=PartyOrganization.objects.none(),
                                                   help_text="接收申请的发展党组织")
    applied_on = serializers.DateField(help_text="递交入党申请书日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    backfill_reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="",
                                            help_text=BACKFILL_HELP)


class StepInputSerializer(serializers.Serializer):
    step = serializers.CharField(max_length=32, help_text="步骤代码，如 first_talk、designate_activist")
    on = serializers.DateField(help_text="办理日期")
    data = serializers.DictField(required=False, default=dict,
                                 help_text="该步骤规则要求填写的数据（字段见规则集 fields）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    backfill_reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="",
                                            help_text=BACKFILL_HELP)


class EndDossierSerializer(serializers.Serializer):
    # Named like the dossier's own fields, so the schema has one enum for each code list.
    end_kind = serializers.ChoiceField(choices=EndKind.choices, help_text="终止类型")
    end_reason = serializers.ChoiceField(choices=EndReason.choices, help_text="终止原因")
    on = serializers.DateField(help_text="终止日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ContactInputSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="联系日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


# ---- the timeline and the refusal ----------------------------------------------------------

class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    article = serializers.CharField(allow_blank=True)
    available_from = serializers.DateField(allow_null=True)


class TimelineStepSerializer(serializers.Serializer):
    code = serializers.CharField(source="step.code")
    order = serializers.IntegerField(source="step.order")
    label = serializers.CharField(source="step.label")
    stage = serializers.CharField(source="step.stage")
    repeatable = serializers.BooleanField(source="step.repeatable")
    status = serializers.ChoiceField(choices=list(STATUS_LABELS.items()),
                                     help_text=f"{DONE}：已办理；allowed：可办理；blocked：暂不能办理")
    may_take = serializers.BooleanField(help_text="按该日期可以办理（可重复的步骤：可再次办理）")
    available_from = serializers.DateField(allow_null=True, help_text="仅因日期未到而不能办理时，可办理的日期")
    problems = ProblemSerializer(many=True)
    records = serializers.SerializerMethodField()

    def get_records(self, entry) -> list[dict]:
        return [{"id": r.pk, "taken_on": r.taken_on.isoformat(), "data": r.data} for r in entry.records]


class TimelineSerializer(serializers.Serializer):
    dossier = serializers.IntegerField()
    on = serializers.DateField()
    steps = TimelineStepSerializer(many=True)


class StepRefusedDataSerializer(serializers.Serializer):
    problems = ProblemSerializer(many=True)
    step = serializers.CharField()


class StepRefusedSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="step_refused")
    message = serializers.CharField()
    data = StepRefusedDataSerializer()


class DomainErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    data = serializers.DictField()
