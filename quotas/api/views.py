"""Development-plan API: plans (with recompute, issue, what-if and rebalance), allocations,
recompute jobs, requests for more seats and evaluation grades.  Every read starts from
the user's scope; every write is a service call."""
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import ScopedViewSet
from organizations.models import PartyOrganization

from .. import grades, selectors, services, whatif
from ..county_seats import seats_to_apportion
from ..filters import AllocationFilterSet, GradeFilterSet, PlanFilterSet, QuotaRequestFilterSet
from ..models import QuotaPlan
from ..models.plans import DEFAULT_PARAMETERS
from ..rebalance import preview_rebalance, rebalance
from .permissions import CountyWrites, ReadAccess, RequestAccess
from .serializers import (
    AllocationSerializer, ApproveSerializer, EvaluationGradeSerializer, PlanSerializer, QuotaRequestSerializer,
    ReallocationSerializer, RebalanceInputSerializer, RebalancePreviewSerializer, RecomputeJobSerializer,
    RejectSerializer, WhatIfRequestSerializer, WhatIfResponseSerializer, plain,
)

ERROR = OpenApiResponse(description="业务规则错误：{code, message, data}")


def _plan_data(validated: dict, base: dict) -> dict:
    """Given parameters complete the plan's (or the defaults) and are stored whole."""
    data = dict(validated)
    if "parameters" in data:
        data["parameters"] = whatif.merge_parameters(base, plain(data["parameters"]))
    return data


@extend_schema_view(
    list=extend_schema(summary="发展党员计划列表"), retrieve=extend_schema(summary="发展党员计划详情"),
    create=extend_schema(summary="制定发展党员计划（县委组织部管理员）"),
    update=extend_schema(summary="修改发展党员计划（县委组织部管理员）"),
    partial_update=extend_schema(summary="部分修改发展党员计划（县委组织部管理员）"),
)
class PlanViewSet(ScopedViewSet):
    """年度发展党员计划：上级下达名额，先分到乡镇（街道），再分到党组织。所有账号可读，县委组织部管理员修改。"""

    model = QuotaPlan
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    permission_classes = [CountyWrites]
    ordering_fields = ["year", "name"]

    def perform_create(self, serializer):
        serializer.instance = services.create_plan(
            by=self.request.user, data=_plan_data(serializer.validated_data, DEFAULT_PARAMETERS))

    def perform_update(self, serializer):
        plan = serializer.instance
        serializer.instance = services.update_plan(
            plan=plan, by=self.request.user, data=_plan_data(serializer.validated_data, plan.effective_parameters))

    @extend_schema(summary="重新计算名额分配（异步任务）", request=None,
                   responses={202: RecomputeJobSerializer, 409: ERROR})
    @action(detail=True, methods=["post"])
    def recompute(self, request, pk=None):
        job = services.start_recompute(plan=self.get_object(), by=request.user)
        return Response(RecomputeJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="下达计划", request=None, responses={200: PlanSerializer, 400: ERROR})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        plan = services.issue_plan(plan=self.get_object(), by=request.user)
        return Response(PlanSerializer(plan).data)

    @extend_schema(summary="方案比较：不同方法和参数下的名额（不保存）", request=WhatIfRequestSerializer,
                   responses={200: WhatIfResponseSerializer})
    @action(detail=True, methods=["post"], url_path="what-if", url_name="what-if", permission_classes=[ReadAccess])
    def what_if(self, request, pk=None):
        plan = self.get_object()
        given = WhatIfRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        scenarios = [whatif.Scenario(township_method=s["township_method"], org_method=s["org_method"],
                                     seats=s.get("seats"), overrides=plain(s.get("parameters", {})),
                                     label=s.get("label", ""))
                     for s in given.validated_data["scenarios"]]
        table = whatif.load_table(plan=plan, today=timezone.localdate())
        comparison = whatif.compare(table, scenarios, parameters=plan.effective_parameters,
                                    default_seats=seats_to_apportion(plan=plan))
        user = request.user
        visible = None if user.sees_whole_county else \
            list(PartyOrganization.objects.visible_to(user).values_list("pk", flat=True))
        rows = whatif.sort_rows(comparison.rows(visible_ids=visible), given.validated_data["sort"])
        return Response({"scenarios": whatif.summary(comparison.results, rows), "rows": rows,
                         "chart": whatif.chart(rows, comparison.results)})

    @extend_schema(methods=["GET"], summary="年中调剂预览（不保存）", responses={200: RebalancePreviewSerializer, 400: ERROR},
                   parameters=[OpenApiParameter("on", OpenApiTypes.DATE, required=True, description="调剂日期"),
                               OpenApiParameter("method", OpenApiTypes.STR, description="再分配方法")])
    @extend_schema(methods=["POST"], summary="执行年中调剂（县委组织部管理员）", request=RebalanceInputSerializer,
                   responses={201: ReallocationSerializer, 400: ERROR})
    @action(detail=True, methods=["get", "post"])
    def rebalance(self, request, pk=None):
        plan = self.get_object()
        if request.method == "GET":
            given = RebalanceInputSerializer(data=request.query_params)
            given.is_valid(raise_exception=True)
            preview = preview_rebalance(plan=plan, on=given.validated_data["on"],
                                        method=given.validated_data.get("method"))
            data = RebalancePreviewSerializer(preview).data
            if not request.user.sees_whole_county:
                visible = set(PartyOrganization.objects.visible_to(request.user).values_list("pk", flat=True))
                data["lines"] = [line for line in data["lines"] if line["party_org"] in visible]
            return Response(data)
        given = RebalanceInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        done = rebalance(plan=plan, on=given.validated_data["on"], method=given.validated_data.get("method"),
                         by=request.user, note=given.validated_data["note"])
        return Response(ReallocationSerializer(done).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="党组织名额列表"), retrieve=extend_schema(summary="党组织名额详情"))
class AllocationViewSet(viewsets.ReadOnlyModelViewSet):
    """各党组织的名额、使用情况与权重构成（breakdown）；按账号范围过滤。"""

    serializer_class = AllocationSerializer
    filterset_class = AllocationFilterSet
    ordering_fields = ["seats", "ready_demand", "weight", "used"]

    def get_queryset(self):
        return selectors.allocation_rows(user=self.request.user)


@extend_schema_view(list=extend_schema(summary="名额计算任务列表"),
                    retrieve=extend_schema(summary="名额计算任务详情（轮询进度）"))
class RecomputeJobViewSet(viewsets.ReadOnlyModelViewSet):
    """重新计算名额的任务：状态、进度、各阶段用时和错误。"""

    serializer_class = RecomputeJobSerializer
    filterset_fields = ["plan", "status"]

    def get_queryset(self):
        return selectors.jobs_visible_to(self.request.user).order_by("-requested_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="名额申请列表"), retrieve=extend_schema(summary="名额申请详情"),
    create=extend_schema(summary="申请追加名额（乡镇党务工作者、党组织书记）"),
)
class QuotaRequestViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin,
                          viewsets.GenericViewSet):
    """追加名额申请：乡镇或党组织提出，县委组织部批准（不超过申请数）或不批准；批准的名额立即从县级未分配名额中扣除，计入该党组织。"""

    serializer_class = QuotaRequestSerializer
    filterset_class = QuotaRequestFilterSet
    permission_classes = [RequestAccess]
    ordering_fields = ["requested_at", "seats"]

    def get_queryset(self):
        return selectors.request_rows().visible_to(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.request_seats(plan=data["plan"], party_org=data["party_org"],
                                                     seats=data["seats"], reason=data["reason"], by=self.request.user)

    def _answer(self, filed):
        return Response(QuotaRequestSerializer(filed, context=self.get_serializer_context()).data)

    @extend_schema(summary="批准申请（县委组织部管理员）", request=ApproveSerializer,
                   responses={200: QuotaRequestSerializer, 400: ERROR})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        filed = self.get_object()
        given = ApproveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(services.decide_request(request=filed, approve=True, by=request.user,
                                                    approved_seats=given.validated_data.get("approved_seats"),
                                                    note=given.validated_data["note"]))

    @extend_schema(summary="不批准申请（县委组织部管理员）", request=RejectSerializer,
                   responses={200: QuotaRequestSerializer, 400: ERROR})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        filed = self.get_object()
        given = RejectSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(services.decide_request(request=filed, approve=False, by=request.user,
                                                    note=given.validated_data["note"]))

    @extend_schema(summary="撤回申请", request=None, responses={200: QuotaRequestSerializer, 400: ERROR})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._answer(services.withdraw_request(request=self.get_object(), by=request.user))


@extend_schema_view(
    list=extend_schema(summary="党建考评等次列表"), retrieve=extend_schema(summary="党建考评等次详情"),
    create=extend_schema(summary="评定党建考评等次（县委组织部管理员）"),
    update=extend_schema(summary="修改党建考评等次（县委组织部管理员）"),
    partial_update=extend_schema(summary="部分修改党建考评等次（县委组织部管理员）"),
)
class EvaluationGradeViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                             mixins.ListModelMixin, viewsets.GenericViewSet):
    """党组织年度党建考评等次（A/B/C/D）。Y年度的计划按Y−1年度的等次计算质量系数。"""

    serializer_class = EvaluationGradeSerializer
    filterset_class = GradeFilterSet
    permission_classes = [CountyWrites]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    ordering_fields = ["year", "grade"]

    def get_queryset(self):
        return selectors.grades_visible_to(self.request.user).order_by("-year", "party_org__name")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = grades.set_grade(party_org=data["party_org"], year=data["year"], grade=data["grade"],
                                               note=data.get("note", ""), by=self.request.user)

    def perform_update(self, serializer):
        record, data = serializer.instance, serializer.validated_data
        serializer.instance = grades.set_grade(party_org=record.party_org, year=record.year,
                                               grade=data.get("grade", record.grade),
                                               note=data.get("note", record.note), by=self.request.user)
