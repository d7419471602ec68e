"""/api/v1/ for materials: a dossier's checklists and uploads, its generated forms, the
completeness figure of any filtered set of dossiers, one material (download, delete)
and the catalogue.  Scoped like every endpoint; changes go through the services."""
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.permissions import ScopedAccess
from accounts.scoping import require_editable
from config.downloads import attachment, content_attachment

from ..materials import checklist, documents
from ..materials import services as material_services
from ..materials.catalogue import requirements_by_step
from ..models import Material, MaterialRequirement, RuleSetVersion
from .material_serializers import (
    CompletenessReportSerializer, DossierMaterialsSerializer, FormSerializer, MaterialSerializer,
    RequirementSerializer, UploadSerializer,
)

FILE_RESPONSE = {(200, "application/octet-stream"): OpenApiTypes.BINARY}


class DossierMaterialActions:
    """Mixed into the dossier viewset: /dossiers/{id}/materials/, /forms/, /completeness/."""

    @extend_schema(methods=["GET"], summary="档案材料清单：逐步骤的必备、可选材料及已上传文件",
                   responses={200: DossierMaterialsSerializer})
    @extend_schema(methods=["POST"], summary="上传步骤材料（multipart）", request={"multipart/form-data": UploadSerializer},
                   responses={201: MaterialSerializer})
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def materials(self, request, pk=None):
        dossier = self.get_object()
        if request.method == "POST":
            return self._upload(request, dossier)
        records = list(dossier.records.order_by("taken_on", "id"))
        lists = checklist.dossier_checklists(dossier=dossier, records=records,
                                             catalogue_by_step=requirements_by_step(dossier.rule_set))
        order = {step.code: step.order for step in dossier.rule_set.rules.steps}
        flat = [c for code in sorted(lists, key=lambda c: order.get(c, 99)) for c in lists[code]]
        return Response(DossierMaterialsSerializer({
            "dossier": dossier.pk, "checklists": flat, "completeness": checklist.records_completeness(records)}).data)

    def _upload(self, request, dossier):
        require_editable(request.user, dossier)
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        requirement = record = None
        if data["requirement"]:
            requirement = MaterialRequirement.objects.filter(rule_set=dossier.rule_set, code=data["requirement"]).first()
            if requirement is None:
                raise material_services.MaterialError(f"材料目录中没有“{data['requirement']}”。",
                                                      code="unknown_requirement")
        if data["record"]:
            record = dossier.records.filter(pk=data["record"]).first()
            if record is None:
                raise material_services.MaterialError("该档案没有这条步骤记录。", code="wrong_record")
        material = material_services.upload_material(dossier=dossier, step=data["step"], upload=data["file"],
                                                     requirement=requirement, record=record, by=request.user)
        return Response(MaterialSerializer(material).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="可生成的标准表格", responses={200: FormSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="forms")
    def forms(self, request, pk=None):
        dossier = self.get_object()
        rows = [{"code": spec.code, "name": spec.name, "step": spec.step, "roster": spec.roster,
                 "url": request.build_absolute_uri(f"{request.path}{spec.code}/")}
                for spec in documents.forms_for(dossier)]
        return Response(FormSerializer(rows, many=True).data)

    @extend_schema(summary="生成标准表格（DOCX 或 XLSX 下载）", responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"], url_path=r"forms/(?P<form>[a-z_]+)", url_name="form")
    def form(self, request, pk=None, form=None):
        dossier = self.get_object()
        if form not in documents.FORMS:
            raise Http404("没有这种表格。")
        generated = documents.generate(dossier=dossier, form=form, user=request.user)
        return content_attachment(generated.content, generated.filename, generated.content_type)

    @extend_schema(summary="材料完整度（按筛选条件的档案，合计及分乡镇）", responses={200: CompletenessReportSerializer})
    @action(detail=False, methods=["get"])
    def completeness(self, request):
        dossiers = self.filter_queryset(self.get_queryset())
        figures = checklist.completeness(dossiers)
        figures["townships"] = checklist.completeness_by_township(dossiers)
        return Response(CompletenessReportSerializer(figures).data)


@extend_schema_view(
    retrieve=extend_schema(summary="档案材料"),
    destroy=extend_schema(summary="删除误传的材料（记入变更历史）"),
)
class MaterialViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """已上传的档案材料：只能通过所见档案访问，外乡镇的编号返回 404。"""

    permission_classes = [ScopedAccess]
    serializer_class = MaterialSerializer

    def get_queryset(self):
        return Material.objects.visible_to(self.request.user).select_related("requirement", "uploaded_by", "dossier")

    def perform_destroy(self, instance):
        material_services.delete_material(material=instance, by=self.request.user)

    @extend_schema(summary="下载材料文件", responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        material = self.get_object()
        return attachment(material.file, material.name)


@extend_schema_view(list=extend_schema(
    summary="材料目录（默认当前规则版本）",
    parameters=[OpenApiParameter("rule_set", OpenApiTypes.INT, description="规则版本编号"),
                OpenApiParameter("step", OpenApiTypes.STR, description="步骤代码")]))
class MaterialRequirementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """每个步骤需要或可以附带的材料（由县委组织部在页面上维护）。"""

    permission_classes = [ScopedAccess]
    serializer_class = RequirementSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):   # schema generation: no request data
            return MaterialRequirement.objects.none()
        rule_set = RuleSetVersion.objects.chosen_or_current(self.request.query_params.get("rule_set"))
        items = MaterialRequirement.objects.filter(rule_set=rule_set).order_by("step", "order", "id")
        step = self.request.query_params.get("step")
        return items.filter(step=step) if step else items
