"""/api/v1/persons/ and /api/v1/dossiers/: people and their development dossiers.

Scoped like every endpoint (``visible_to`` → a foreign id is a 404; a visible record
the account may not change is a 403).  Every change is a call to ``members.services``;
a refused step answers 400 ``{"code": "step_refused", "message", "data": {"problems",
"step"}}`` through the one DomainError handler.
"""
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import ScopedViewSet
from accounts.permissions import ScopedAccess

from .. import selectors, services
from ..errors import StepRefused
from ..facts import Verdict
from ..filters import DossierFilterSet, PersonFilterSet
from ..models import Dossier, Person
from ..privacy import may_see_id_number
from .dossier_serializers import (
    ContactInputSerializer, ContactRecordSerializer, DomainErrorSerializer, DossierCreateSerializer,
    DossierDetailSerializer, DossierSerializer, EndDossierSerializer, PersonSerializer, StepInputSerializer,
    StepRecordSerializer, StepRefusedSerializer, TimelineSerializer,
)
from .materials import DossierMaterialActions


@extend_schema_view(
    list=extend_schema(summary="人员列表", description="身份证号只返回脱敏号码（masked_id_number）。"),
    retrieve=extend_schema(summary="人员详情",
                           description="县委组织部管理员、乡镇党务工作者可见完整身份证号（id_number），其他角色只见脱敏号码。"),
    create=extend_schema(summary="登记人员"), update=extend_schema(summary="修改人员"),
    partial_update=extend_schema(summary="部分修改人员"),
)
class PersonViewSet(ScopedViewSet):
    """入党申请人、积极分子、发展对象以及担任培养联系人、入党介绍人的党员。"""

    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["name", "birth_date", "updated_at"]

    def base_queryset(self):
        return selectors.person_rows(Person.objects.all())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["show_id_number"] = self.action == "retrieve" and may_see_id_number(self.request.user)
        return context

    def perform_create(self, serializer):
        serializer.instance = services.register_person(by=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_person(person=serializer.instance, by=self.request.user,
                                                     data=serializer.validated_data)


class DossierAccess(ScopedAccess):
    """Starting a dossier is acting for a party organization: any account that is not
    read-only may try, and the service refuses (403) an organization it may not change."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "create":
            user = request.user
            return bool(user and user.is_authenticated and user.is_active and not user.is_read_only)
        return super().has_permission(request, view)


ON_PARAMETER = OpenApiParameter("on", OpenApiTypes.DATE, description="判断日期（YYYY-MM-DD），默认今天")


@extend_schema_view(
    list=extend_schema(summary="发展档案列表"),
    retrieve=extend_schema(summary="发展档案详情（含步骤记录）"),
    create=extend_schema(summary="建立发展档案（接收入党申请）", request=DossierCreateSerializer,
                         responses={201: DossierDetailSerializer, 400: DomainErrorSerializer}),
)
class DossierViewSet(DossierMaterialActions, mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                     mixins.ListModelMixin, viewsets.GenericViewSet):
    """发展档案：一人一条发展线，按建档时的规则版本判断。档案不删除，终止用 ``end``。"""

    permission_classes = [DossierAccess]
    serializer_class = DossierSerializer
    filterset_class = DossierFilterSet
    ordering_fields = ["updated_at", "applied_on", "last_step_on"]

    def get_queryset(self):
        queryset = selectors.dossier_rows(Dossier.objects.visible_to(self.request.user))
        if self.action == "retrieve":
            queryset = queryset.select_related("rule_set").prefetch_related(
                Prefetch("records", queryset=selectors.dossier_records_queryset(), to_attr="record_list"),
                "contacts__recorded_by")
        elif self.action != "list":
            queryset = queryset.select_related("rule_set")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DossierDetailSerializer
        return DossierSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["rule_set_labels"] = selectors.step_labels()
        return context

    def _detail(self, dossier, *, code=status.HTTP_200_OK):
        dossier = self.get_queryset().select_related("rule_set").get(pk=dossier.pk)
        return Response(DossierDetailSerializer(dossier, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = DossierCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        dossier = services.start_dossier(**serializer.validated_data, by=request.user)
        return self._detail(dossier, code=status.HTTP_201_CREATED)

    @extend_schema(summary="办理步骤", request=StepInputSerializer,
                   responses={201: StepRecordSerializer, 400: StepRefusedSerializer})
    @action(detail=True, methods=["post"], url_path="steps", url_name="take-step")
    def take_step(self, request, pk=None):
        dossier = self.get_object()
        serializer = StepInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step, on, data = (serializer.validated_data[k] for k in ("step", "on", "data"))
        unseen = selectors.unseen_references(user=request.user, dossier=dossier, step_code=step, data=data)
        if unseen:
            raise StepRefused(Verdict(step, on, tuple(unseen)))
        record = services.take_step(dossier=dossier, step=step, on=on, data=data,
                                    note=serializer.validated_data["note"],
                                    backfill_reason=serializer.validated_data["backfill_reason"], by=request.user)
        labels = selectors.step_labels().get(dossier.rule_set_id, {})
        return Response(StepRecordSerializer(record, context={"step_labels": labels}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="程序时间轴：每个步骤已办理、可办理或暂不能办理（及原因）", parameters=[ON_PARAMETER],
                   responses={200: TimelineSerializer})
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        dossier = self.get_object()
        on = _date_param(request.query_params.get("on"))
        entries = selectors.dossier_timeline(dossier=dossier, on=on)
        return Response(TimelineSerializer({"dossier": dossier.pk, "on": on, "steps": entries}).data)

    @extend_schema(summary="终止发展档案", request=EndDossierSerializer,
                   responses={200: DossierDetailSerializer, 400: DomainErrorSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        dossier = self.get_object()
        serializer = EndDossierSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.end_dossier(dossier=dossier, kind=data["end_kind"], reason=data["end_reason"], on=data["on"],
                             note=data["note"], by=request.user)
        return self._detail(dossier)

    @extend_schema(summary="登记联系（失联档案恢复为培养中）", request=ContactInputSerializer,
                   responses={201: ContactRecordSerializer, 400: DomainErrorSerializer})
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        dossier = self.get_object()
        serializer = ContactInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = services.record_contact(dossier=dossier, on=serializer.validated_data["on"],
                                          note=serializer.validated_data["note"], by=request.user)
        return Response(ContactRecordSerializer(contact).data, status=status.HTTP_201_CREATED)


def _date_param(value) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({"on": ["日期格式应为 YYYY-MM-DD。"]})
