"""Serializers of the materials API: checklists, materials, catalogue items, forms."""
from django.urls import reverse
from rest_framework import serializers

from ..models import Material, MaterialRequirement


class MaterialSerializer(serializers.ModelSerializer):
    requirement_code = serializers.CharField(source="requirement.code", read_only=True, allow_null=True)
    uploaded_by_name = serializers.CharField(source="uploaded_by", read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = ["id", "dossier", "step", "record", "requirement", "requirement_code", "title", "name", "size",
                  "sha256", "uploaded_by", "uploaded_by_name", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, material) -> str:
        return reverse("api:material-download", args=[material.pk])


class RequirementSerializer(serializers.ModelSerializer):
    issuer_display = serializers.CharField(source="get_issuer_display", read_only=True)
    scope_display = serializers.CharField(source="get_scope_display", read_only=True)

    class Meta:
        model = MaterialRequirement
        fields = ["id", "rule_set", "step", "code", "name", "issuer", "issuer_display", "required", "scope",
                  "scope_display", "form", "order", "note"]
        read_only_fields = fields


class ChecklistItemSerializer(serializers.Serializer):
    requirement = RequirementSerializer(allow_null=True, help_text="目录项；null 为目录外的“其他材料”")
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["present", "missing", "optional", "roster"],
                                     help_text="present 已上传；missing 缺少（必备个人材料）；optional 可选；roster 名册")
    materials = MaterialSerializer(many=True)


class ChecklistSerializer(serializers.Serializer):
    step = serializers.CharField(source="step.code")
    step_label = serializers.CharField(source="step.label")
    record = serializers.IntegerField(source="record.pk", allow_null=True, default=None,
                                      help_text="步骤记录编号；null 为下次办理前先行上传的材料")
    taken_on = serializers.DateField(source="record.taken_on", allow_null=True, default=None)
    backfill_reason = serializers.CharField(source="record.backfill_reason", allow_blank=True, default="")
    required = serializers.IntegerField()
    present = serializers.IntegerField()
    complete = serializers.BooleanField()
    items = ChecklistItemSerializer(many=True)


class CompletenessSerializer(serializers.Serializer):
    present = serializers.IntegerField(help_text="已有的必备个人材料数")
    required = serializers.IntegerField(help_text="已办理步骤要求的必备个人材料数")
    ratio = serializers.FloatField(allow_null=True, help_text="完整度 = present / required；没有要求时为 null")


class DossierMaterialsSerializer(serializers.Serializer):
    dossier = serializers.IntegerField()
    completeness = CompletenessSerializer()
    checklists = ChecklistSerializer(many=True)


class UploadSerializer(serializers.Serializer):
    step = serializers.CharField(max_length=32, help_text="步骤代码")
    requirement = serializers.CharField(required=False, allow_blank=True, default="",
                                        help_text="目录项代码（如 talk_record）；不填为“其他材料”")
    record = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      help_text="周期性步骤的某次记录编号；不填则归入唯一记录或下次办理")
    file = serializers.FileField(help_text="PDF、OFD、JPG、PNG、Word 或 Excel，不接受可执行文件")


class FormSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    step = serializers.CharField(help_text="生成的表格签字盖章后作为该步骤的材料上传")
    roster = serializers.BooleanField(help_text="true：列出本党组织待报送的全部档案")
    url = serializers.CharField()


class TownshipCompletenessSerializer(CompletenessSerializer):
    township = serializers.IntegerField()
    township_name = serializers.CharField()


class CompletenessReportSerializer(CompletenessSerializer):
    incomplete_dossiers = serializers.IntegerField(help_text="有材料不全步骤的档案数")
    townships = TownshipCompletenessSerializer(many=True)
