"""Serializers of the development-plan API.  They validate and present; every change is
a service call in the viewsets (quotas.services, quotas.grades, quotas.rebalance)."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import ScopedFieldsMixin
from organizations.models import PartyOrganization

from ..apportionment import METHOD_LABELS
from ..forms import GRADES, WEIGHT_PARAMETERS
from ..models import (
    EvaluationGrade, PartyBuildingGrade, PlanStatus, QuotaAllocation, QuotaPlan, QuotaRequest, Reallocation,
    RecomputeJob,
)
from ..models.plans import METHOD_CHOICES
from ..whatif import MAX_SCENARIOS


def _enum(choices, name: str):
    """One named schema component per choice set, however many fields use it."""
    return extend_schema_field(
        {"type": "string", "enum": [value for value, _ in choices],
         "description": "\n".join(f"* `{value}` - {label}" for value, label in choices)},
        component_name=name)


METHOD_SCHEMA = _enum(METHOD_CHOICES, "ApportionmentMethodEnum")
GRADE_SCHEMA = _enum(PartyBuildingGrade.choices, "PartyBuildingGradeEnum")


@METHOD_SCHEMA
class MethodField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=METHOD_CHOICES, **kwargs)


@GRADE_SCHEMA
class GradeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=PartyBuildingGrade.choices, **kwargs)


def _float(label, low, high, **kwargs):
    return serializers.FloatField(help_text=label, min_value=low, max_value=high, **kwargs)


GradeFactorsSerializer = type("GradeFactorsSerializer", (serializers.Serializer,), {
    grade: _float(f"党建考评{grade}等系数", 0, None, required=False) for grade in GRADES})

# One field per weight parameter (the same table as the plan form).
ParametersSerializer = type("ParametersSerializer", (serializers.Serializer,), {
    **{key: _float(f"{label}：{help_text}", low, high, required=False)
       for key, label, help_text, low, high in WEIGHT_PARAMETERS},
    "grade_factors": GradeFactorsSerializer(required=False, help_text="上年党建考评等次系数"),
    "good_standing_grades": serializers.ListField(
        child=GradeField(), required=False,
        help_text="上年考评为这些等次、且有发展对象的党组织至少分得1个名额"),
    "__doc__": "权重参数；未给出的参数取计划（或系统默认）的值。",
})


def plain(data):
    """Validated nested data as plain dicts and lists (it is stored as JSON)."""
    if isinstance(data, dict):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(value) for value in data]
    return data


class PlanSerializer(serializers.ModelSerializer):
    township_method = MethodField(required=False, help_text="乡镇（街道）分配方法")
    org_method = MethodField(required=False, help_text="党组织分配方法")
    parameters = ParametersSerializer(required=False, help_text="权重参数（返回生效值，含默认值）")
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = QuotaPlan
        fields = ["id", "year", "name", "total_seats", "reserve_seats", "township_method", "org_method",
                  "parameters", "status", "status_display", "computed_at", "unallocated_seats", "created_at"]
        read_only_fields = ["status", "computed_at", "unallocated_seats", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["parameters"] = instance.effective_parameters
        return data


class AllocationSerializer(serializers.ModelSerializer):
    party_org_name = serializers.CharField(source="party_org.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = QuotaAllocation
        fields = ["id", "plan", "party_org", "party_org_name", "area", "area_name", "seats", "extra_seats", "used",
                  "reserved", "available", "ready_demand", "candidates_ready", "activists_ready", "quality_factor",
                  "weight", "breakdown", "minimum", "maximum", "years_without_new_member"]
        read_only_fields = fields


class RecomputeJobSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = serializers.StringRelatedField()

    class Meta:
        model = RecomputeJob
        fields = ["id", "plan", "status", "status_display", "progress", "stage", "requested_by", "requested_at",
                  "started_at", "finished_at", "timings", "result", "error"]
        read_only_fields = fields


def _filing_plans(user):
    return QuotaPlan.objects.visible_to(user).exclude(status=PlanStatus.CLOSED)


def _editable_party_orgs(user):
    return PartyOrganization.objects.editable_by(user)


class QuotaRequestSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"plan": _filing_plans, "party_org": _editable_party_orgs}
    party_org_name = serializers.CharField(source="party_org.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = QuotaRequest
        fields = ["id", "plan", "party_org", "party_org_name", "seats", "reason", "status", "status_display",
                  "approved_seats", "decision_note", "requested_by", "requested_at", "decided_by", "decided_at"]
        read_only_fields = ["status", "approved_seats", "decision_note", "requested_at", "decided_at"]


class ApproveSerializer(serializers.Serializer):
    approved_seats = serializers.IntegerField(min_value=1, required=False, help_text="批准名额，默认为申请的名额")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, help_text="不批准的理由")


def _visible_party_orgs(user):
    return PartyOrganization.objects.visible_to(user)


class EvaluationGradeSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"party_org": _visible_party_orgs}
    party_org_name = serializers.CharField(source="party_org.name", read_only=True)
    grade = GradeField(help_text="党建考评等次")

    class Meta:
        model = EvaluationGrade
        fields = ["id", "party_org", "party_org_name", "year", "grade", "note"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)) \
                and hasattr(self.instance, "pk"):
            # A grade belongs to one party organization and year; enter another one instead.
            fields["party_org"].read_only = True
            fields["year"].read_only = True
        return fields


# ---- what-if -------------------------------------------------------------------------------

class ScenarioSerializer(serializers.Serializer):
    township_method = MethodField(help_text="乡镇（街道）分配方法")
    org_method = MethodField(help_text="党组织分配方法")
    seats = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True,
                                     help_text="参与分配的名额；默认上级下达名额减县级预留")
    parameters = ParametersSerializer(required=False, help_text="覆盖计划的权重参数")
    label = serializers.CharField(max_length=50, required=False, allow_blank=True)


class WhatIfRequestSerializer(serializers.Serializer):
    scenarios = ScenarioSerializer(many=True, help_text=f"1至{MAX_SCENARIOS}个方案，第一个为比较基准")
    sort = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="change-N / -change-N（按方案N的变化升序/降序）、name；默认变化最大的在前")

    def validate_scenarios(self, value):
        if not 1 <= len(value) <= MAX_SCENARIOS:
            raise serializers.ValidationError(f"请给出1至{MAX_SCENARIOS}个方案。")
        return value


class WhatIfCellSerializer(serializers.Serializer):
    seats = serializers.IntegerField()
    change = serializers.IntegerField(allow_null=True, help_text="与基准方案相比的变化")
    quota = serializers.FloatField(help_text="在本乡镇内的份额（考虑需求上限与保底）")
    alabama = serializers.BooleanField(help_text="阿拉巴马悖论：总名额增加1个时该党组织少得名额")
    outside = serializers.BooleanField(help_text="名额低于份额下取整或高于上取整")
    bound = serializers.BooleanField(help_text="因需求上限或保底而偏离按比例份额")


class WhatIfRowSerializer(serializers.Serializer):
    party_org = serializers.IntegerField()
    name = serializers.CharField()
    area = serializers.CharField()
    ready = serializers.IntegerField()
    weight = serializers.FloatField(help_text="按计划参数计算的权重")
    largest_change = serializers.IntegerField()
    cells = serializers.ListField(child=WhatIfCellSerializer(allow_null=True), help_text="每个方案一项；方案出错时为 null")


class WhatIfScenarioSummarySerializer(serializers.Serializer):
    title = serializers.CharField()
    error = serializers.CharField()
    seats = serializers.IntegerField()
    distributed = serializers.IntegerField()
    unallocated = serializers.IntegerField()
    gainers = serializers.IntegerField()
    losers = serializers.IntegerField()
    alabama = serializers.IntegerField()
    outside = serializers.IntegerField()
    bound = serializers.IntegerField()


class ChartSeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    data = serializers.ListField(child=serializers.IntegerField(allow_null=True))


class ChartSerializer(serializers.Serializer):
    categories = serializers.ListField(child=serializers.CharField())
    series = ChartSeriesSerializer(many=True)


class WhatIfResponseSerializer(serializers.Serializer):
    scenarios = WhatIfScenarioSummarySerializer(many=True)
    rows = WhatIfRowSerializer(many=True)
    chart = ChartSerializer(help_text="名额变化最大的30个党组织（ECharts 柱状图数据）")


# ---- rebalancing ---------------------------------------------------------------------------

class RebalanceInputSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="调剂日期（须在计划年度内）")
    method = MethodField(required=False, help_text="再分配方法，默认计划的党组织分配方法")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RebalanceLineSerializer(serializers.Serializer):
    party_org = serializers.IntegerField(source="party_org_id")
    name = serializers.CharField()
    area = serializers.CharField()
    before = serializers.IntegerField()
    used = serializers.IntegerField()
    reserved = serializers.IntegerField()
    ready = serializers.IntegerField(help_text="尚未占用名额、年内仍可接收的发展对象")
    taken = serializers.IntegerField()
    given = serializers.IntegerField()
    after = serializers.IntegerField()


class RebalancePreviewSerializer(serializers.Serializer):
    on = serializers.DateField()
    method = serializers.CharField()
    method_label = serializers.CharField()
    pool = serializers.IntegerField(help_text="收回的名额")
    placed = serializers.IntegerField(help_text="重新分配的名额")
    leftover = serializers.IntegerField(help_text="留在县级的名额")
    error = serializers.CharField(help_text="所选方法无法分配时的说明")
    lines = RebalanceLineSerializer(many=True, source="changed", help_text="名额有变化的党组织")


class ReallocationSerializer(serializers.ModelSerializer):
    performed_by = serializers.StringRelatedField()
    method_label = serializers.SerializerMethodField()

    class Meta:
        model = Reallocation
        fields = ["id", "plan", "on", "method", "method_label", "pool", "changes", "performed_by", "performed_at",
                  "note"]
        read_only_fields = fields

    def get_method_label(self, obj) -> str:
        return METHOD_LABELS.get(obj.method, obj.method)
