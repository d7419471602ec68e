"""Alert API: what is due or overdue on the dossiers the caller may see (read-only;
the rows are written by the nightly job, members.tasks.compute_alerts)."""
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from ..alerts import AlertFilterSet
from ..models import Alert


class AlertSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    person_name = serializers.CharField(source="dossier.person.name", read_only=True)
    party_org = serializers.IntegerField(source="dossier.party_org_id", read_only=True)
    party_org_name = serializers.CharField(source="dossier.party_org.name", read_only=True)
    township_name = serializers.CharField(source="dossier.party_org.area.name", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="已逾期：到期日期早于今天（“培养满一年”等提示事项不计逾期）。")
    status = serializers.SerializerMethodField(help_text="如“已逾期3天”“还有5天到期”。")

    class Meta:
        model = Alert
        fields = ["id", "dossier", "person_name", "party_org", "party_org_name", "township_name", "kind",
                  "kind_display", "due_on", "overdue", "status", "message", "computed_on"]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.localdate())

    def get_status(self, obj) -> str:
        return obj.status_on(timezone.localdate())


@extend_schema_view(list=extend_schema(summary="提醒列表"), retrieve=extend_schema(summary="提醒详情"))
class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """到期、逾期提醒与失联（每日凌晨计算）。筛选：``kind``、``status``（overdue / due_soon）、``township``、``q``。"""

    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    ordering_fields = ["due_on", "kind", "computed_on"]

    def get_queryset(self):
        return (Alert.objects.visible_to(self.request.user)
                .select_related("dossier__person", "dossier__party_org__area").order_by("due_on", "id"))
