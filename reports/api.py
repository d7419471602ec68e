"""/api/v1/stats/ (every dashboard figure, same selectors) and /api/v1/report-runs/
(with the workbook's and, where one was made, the PDF's download).

Registered on the one router by :func:`register` (config/api_urls.py).  Figures take
the dashboard's filters as query parameters — ``year`` or ``start`` and ``end``,
``township``, ``kind`` — plus ``snapshot`` (a month-end date) to read frozen figures.
"""
from datetime import date

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from config.downloads import attachment
from config.spreadsheets import XLSX_TYPE
from organizations.choices import OrganizationKind

from .access import may_view_statistics, resolve_township
from .models import DataSource, ReportRun, RunStatus, StatisticsSnapshot
from .figure_cache import cached_figure
from .report_print import PDF_TYPE
from .selectors import FIGURES, make_scope
from .services import rerun_report, start_report


class StatisticsAccess(BasePermission):
    """County administrators and auditors, township workers and API clients; reading
    figures and starting reports (which changes no record) alike."""

    message = "您的角色不能查看统计报表。"

    def has_permission(self, request, view):
        return may_view_statistics(request.user)


# ---- figures -----------------------------------------------------------------------------

class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["int", "decimal", "percent", "text"])


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    grain = serializers.CharField(help_text="行的粒度：township、party_org、unit、community、instructor、party_worker、"
                                            "category、indicator、month")
    source = serializers.CharField(help_text="实时数据，或某月末快照")
    filters = serializers.DictField(help_text="生效的筛选条件：start、end、year、township、kind、as_of")
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField(), help_text="每行含 id、name、drill 及各列的值")
    totals = serializers.DictField(allow_null=True)
    charts = serializers.ListField(child=serializers.DictField())
    notes = serializers.ListField(child=serializers.CharField())


class FigureIndexSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class FigureQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    township = serializers.IntegerField(required=False)
    kind = serializers.ChoiceField(choices=OrganizationKind.choices, required=False)
    snapshot = serializers.DateField(required=False, help_text="月末日期：读取该日的月度快照")
    refresh = serializers.BooleanField(required=False, default=False)

    def validate(self, data):
        if bool(data.get("start")) != bool(data.get("end")):
            raise serializers.ValidationError({"end": "按起止日期统计时，请同时填写 start 和 end。"})
        if data.get("start") and data["end"] < data["start"]:
            raise serializers.ValidationError({"end": "结束日期不能早于开始日期。"})
        return data


FIGURE_PARAMETERS = [
    OpenApiParameter("key", str, OpenApiParameter.PATH, enum=list(FIGURES), description="统计图表"),
    OpenApiParameter("year", int, description="年度（默认今年）"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="开始日期（与 end 同用，代替 year）"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="结束日期"),
    OpenApiParameter("township", int, description="乡镇（街道）id：按党组织、单位等下钻"),
    OpenApiParameter("kind", str, enum=list(OrganizationKind.values), description="单位类别"),
    OpenApiParameter("snapshot", OpenApiTypes.DATE, description="月末日期：读取该日的月度快照"),
    OpenApiParameter("refresh", bool, description="重新计算（默认使用5分钟内算好的结果，与统计页面一致）"),
]


class StatsViewSet(viewsets.ViewSet):
    """统计图表：与统计页面、统计报告同一数据来源，按调用账号的范围计算。"""

    permission_classes = [StatisticsAccess]
    lookup_field = "key"
    lookup_value_regex = "[a-z_]+"

    @extend_schema(responses=FigureIndexSerializer(many=True), summary="统计图表列表")
    def list(self, request):
        rows = [{"key": key, "title": spec.title, "url": request.build_absolute_uri(
            reverse("api:stats-detail", args=[key]))} for key, spec in FIGURES.items()]
        return Response(FigureIndexSerializer(rows, many=True).data)

    @extend_schema(parameters=FIGURE_PARAMETERS, responses=FigureSerializer, summary="一个统计图表的数据")
    def retrieve(self, request, key=None):
        if key not in FIGURES:
            raise Http404("没有该统计图表。")
        query = FigureQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        snapshot = None
        if data.get("snapshot"):
            snapshot = get_object_or_404(StatisticsSnapshot, as_of=data["snapshot"])
        scope = make_scope(user=request.user, year=data.get("year"), start=data.get("start"), end=data.get("end"),
                           township=resolve_township(request.user, data.get("township")), kind=data.get("kind"),
                           snapshot=snapshot)
        figure = cached_figure(scope, key, refresh=data.get("refresh", False))
        return Response(FigureSerializer(figure.as_dict()).data)


# ---- report runs -------------------------------------------------------------------------

class ReportRunSerializer(serializers.ModelSerializer):
    requested_by = serializers.StringRelatedField()
    snapshot = serializers.SlugRelatedField(slug_field="as_of", read_only=True)
    seconds = serializers.FloatField(read_only=True, allow_null=True)
    data_source = serializers.ChoiceField(source="source", choices=DataSource.choices, read_only=True,
                                          help_text="live：实时数据；snapshot：月度快照")
    download_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(help_text="PDF 下载地址；本次未生成PDF时为 null，原因见 pdf_note")
    print_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = ["id", "title", "parameters", "data_source", "snapshot", "status", "progress", "stage", "requested_by",
                  "requested_at", "started_at", "finished_at", "seconds", "timings", "checksum", "pdf_checksum",
                  "pdf_note", "error", "rerun_of", "download_url", "pdf_url", "print_url"]
        read_only_fields = fields

    def _url(self, run, name) -> str | None:
        if run.status != RunStatus.DONE:
            return None
        request = self.context.get("request")
        url = reverse(name, args=[run.pk])
        return request.build_absolute_uri(url) if request else url

    def get_download_url(self, run) -> str | None:
        return self._url(run, "api:report-run-download")

    def get_pdf_url(self, run) -> str | None:
        return self._url(run, "api:report-run-download-pdf") if run.pdf else None

    def get_print_url(self, run) -> str | None:
        return self._url(run, "reports:run-print")


class ReportRunCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    township = serializers.IntegerField(required=False, allow_null=True)
    data_source = serializers.ChoiceField(choices=DataSource.choices, default=DataSource.LIVE,
                                          help_text="live：实时数据；snapshot：月度快照（时段须为1月1日至某月末）")

    def validate(self, data):
        if data.get("start") or data.get("end"):
            if not (data.get("start") and data.get("end")):
                raise serializers.ValidationError({"end": "按起止日期统计时，请同时填写 start 和 end。"})
        elif data.get("year"):
            data["start"], data["end"] = date(data["year"], 1, 1), date(data["year"], 12, 31)
        else:
            raise serializers.ValidationError({"year": "请填写年度，或填写起止日期。"})
        return data


class ReportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """统计报告：提交后由后台任务生成 XLSX（装有 WeasyPrint 时另生成 PDF），轮询 progress / status 查看进度。"""

    permission_classes = [StatisticsAccess]
    serializer_class = ReportRunSerializer
    filter_backends = []

    def get_queryset(self):
        return ReportRun.objects.visible_to(self.request.user).select_related("requested_by", "snapshot")

    @extend_schema(request=ReportRunCreateSerializer, responses={202: ReportRunSerializer}, summary="提交生成统计报告")
    def create(self, request, *args, **kwargs):
        data = ReportRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        township = resolve_township(request.user, values.get("township"))
        run = start_report(by=request.user, start=values["start"], end=values["end"], township=township,
                           source=values["data_source"])
        run.refresh_from_db()       # eager mode: already built
        return Response(ReportRunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ReportRunSerializer}, summary="按相同参数重新生成")
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        run = rerun_report(run=self.get_object(), by=request.user)
        run.refresh_from_db()
        return Response(ReportRunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="报告工作簿"),
                              404: inline_serializer("ReportNotReady", {"detail": serializers.CharField()})},
                   summary="下载报告 XLSX")
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return _run_file(self.get_object(), "file", "checksum", XLSX_TYPE, "xlsx", "报告尚未生成。")

    @extend_schema(responses={(200, PDF_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="报告PDF（打印页面）"),
                              404: inline_serializer("ReportPdfMissing", {"detail": serializers.CharField()})},
                   summary="下载报告 PDF")
    @action(detail=True, methods=["get"], url_path="download-pdf")
    def download_pdf(self, request, pk=None):
        return _run_file(self.get_object(), "pdf", "pdf_checksum", PDF_TYPE, "pdf", "本报告没有PDF文件。")


def _run_file(run, field: str, checksum: str, content_type: str, extension: str, missing: str) -> FileResponse:
    """One of a finished run's files, with its SHA-256 in a header (404 while there is none)."""
    stored = getattr(run, field)
    if run.status != RunStatus.DONE or not stored:
        raise Http404(missing)
    response = attachment(stored, f"{run.title}.{extension}", content_type=content_type)
    response["X-Checksum-SHA256"] = getattr(run, checksum)
    return response


def register(router) -> None:
    router.register("stats", StatsViewSet, basename="stats")
    router.register("report-runs", ReportRunViewSet, basename="report-run")
