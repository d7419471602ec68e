from django.db.models import Count
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from accounts.api import ScopedViewSet

from .. import services
from ..filters import (
    AreaFilterSet, InstructorFilterSet, OrganizationFilterSet, PartyOrganizationFilterSet, PartyWorkerFilterSet,
)
from ..models import Area, Instructor, Organization, PartyOrganization, PartyWorker
from .serializers import (
    AreaSerializer, InstructorSerializer, OrganizationSerializer, PartyOrganizationSerializer, PartyWorkerSerializer,
)


@extend_schema_view(list=extend_schema(summary="行政区划列表"), retrieve=extend_schema(summary="行政区划详情"))
class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """行政区划树（县 → 乡镇/街道 → 村/社区）。所有账号可读，由县委组织部在管理后台维护。"""

    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return Area.objects.visible_to(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="两新组织列表"), retrieve=extend_schema(summary="两新组织详情"),
    create=extend_schema(summary="登记两新组织"), update=extend_schema(summary="修改两新组织"),
    partial_update=extend_schema(summary="部分修改两新组织"),
)
class OrganizationViewSet(ScopedViewSet):
    """两新组织（非公有制企业、社会组织）。"""

    model = Organization
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["name", "uscc", "employee_count", "established_on", "updated_at"]

    def base_queryset(self):
        return (Organization.objects.with_coverage().select_related("township")
                .prefetch_related("party_organizations"))

    def perform_create(self, serializer):
        serializer.instance = services.register_organization(by=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_organization(
            organization=serializer.instance, by=self.request.user, data=serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="党组织列表"), retrieve=extend_schema(summary="党组织详情"),
    create=extend_schema(summary="登记党组织"), update=extend_schema(summary="修改党组织"),
    partial_update=extend_schema(summary="部分修改党组织"),
)
class PartyOrganizationViewSet(ScopedViewSet):
    """两新组织中的党组织；``warnings`` 为组织设置规范提示（不阻止保存）。"""

    model = PartyOrganization
    serializer_class = PartyOrganizationSerializer
    filterset_class = PartyOrganizationFilterSet
    ordering_fields = ["name", "full_member_count", "updated_at"]

    def base_queryset(self):
        return (PartyOrganization.objects.select_related("area")
                .annotate(covered_count=Count("covered_organizations"))
                .prefetch_related("covered_organizations").order_by("area__code", "path"))

    def perform_create(self, serializer):
        serializer.instance = services.register_party_organization(
            by=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_party_organization(
            party_organization=serializer.instance, by=self.request.user, data=serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="党建指导员列表"), retrieve=extend_schema(summary="党建指导员详情"),
    create=extend_schema(summary="登记党建指导员"), update=extend_schema(summary="修改党建指导员"),
    partial_update=extend_schema(summary="部分修改党建指导员"),
)
class InstructorViewSet(ScopedViewSet):
    """党建指导员及其联系的两新组织。"""

    model = Instructor
    serializer_class = InstructorSerializer
    filterset_class = InstructorFilterSet
    ordering_fields = ["name", "appointed_on"]

    def base_queryset(self):
        return Instructor.objects.select_related("area").prefetch_related("organizations")

    def perform_create(self, serializer):
        serializer.instance = services.register_instructor(by=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_instructor(
            instructor=serializer.instance, by=self.request.user, data=serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="党务工作者列表"), retrieve=extend_schema(summary="党务工作者详情"),
    create=extend_schema(summary="登记党务工作者"), update=extend_schema(summary="修改党务工作者"),
    partial_update=extend_schema(summary="部分修改党务工作者"),
)
class PartyWorkerViewSet(ScopedViewSet):
    """党务工作者（专职、兼职）。"""

    model = PartyWorker
    serializer_class = PartyWorkerSerializer
    filterset_class = PartyWorkerFilterSet
    ordering_fields = ["name", "started_on"]

    def base_queryset(self):
        return PartyWorker.objects.select_related("area")

    def perform_create(self, serializer):
        serializer.instance = services.register_party_worker(by=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_party_worker(
            party_worker=serializer.instance, by=self.request.user, data=serializer.validated_data)
