"""Training API: courses (list, read, create, update), attendance (list, read, create)
and the yearly class hours per trainee.  Writes go through members.training."""
from django.db.models import Count, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from accounts.api import ScopedFieldsMixin, ScopedViewSet
from organizations.models import Area, Instructor, PartyWorker
from organizations.querysets import townships_for

from .. import training
from ..models import Attendance, Person, TrainingCourse


class TrainingCourseSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"area": lambda user: Area.objects.assignable_by(user)}
    area_name = serializers.CharField(source="area.name", read_only=True, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    attendance_count = serializers.IntegerField(read_only=True, help_text="调用账号范围内的参训人数。")

    class Meta:
        model = TrainingCourse
        fields = ["id", "name", "kind", "kind_display", "organizer", "area", "area_name", "starts_on", "ends_on",
                  "days", "hours", "attendance_count"]
        extra_kwargs = {"area": {"help_text": "举办乡镇（街道）；县级培训班留空（仅县委组织部）。"}}


class AttendanceSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {
        "course": lambda user: TrainingCourse.objects.visible_to(user),
        "person": lambda user: Person.objects.visible_to(user),
        "party_worker": lambda user: PartyWorker.objects.visible_to(user),
        "instructor": lambda user: Instructor.objects.visible_to(user),
    }
    course_name = serializers.CharField(source="course.name", read_only=True)
    course_kind = serializers.CharField(source="course.kind", read_only=True)
    trainee_name = serializers.SerializerMethodField()

    class Meta:
        model = Attendance
        fields = ["id", "course", "course_name", "course_kind", "person", "party_worker", "instructor",
                  "trainee_name", "days", "hours", "passed"]
        extra_kwargs = {"person": {"help_text": "积极分子、发展对象（人员编号）；与党务工作者、党建指导员三者填一。"}}

    def get_trainee_name(self, obj) -> str:
        return str(obj.person or obj.party_worker or obj.instructor)


@extend_schema_view(
    list=extend_schema(summary="培训班列表"), retrieve=extend_schema(summary="培训班详情"),
    create=extend_schema(summary="登记培训班"), update=extend_schema(summary="修改培训班"),
    partial_update=extend_schema(summary="部分修改培训班"),
)
class TrainingCourseViewSet(ScopedViewSet):
    """培训班（入党积极分子培训、发展对象集中培训、党务工作者培训、党建指导员培训）。"""

    model = TrainingCourse
    serializer_class = TrainingCourseSerializer
    filterset_class = training.TrainingCourseFilterSet
    ordering_fields = ["starts_on", "ends_on", "name", "hours"]

    def base_queryset(self):
        visible = Attendance.objects.visible_to(self.request.user).values("pk")
        return (TrainingCourse.objects.select_related("area")
                .annotate(attendance_count=Count("attendances", filter=Q(attendances__in=visible)))
                .order_by("-starts_on", "name", "id"))

    def perform_create(self, serializer):
        course = training.create_course(by=self.request.user, data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=course.pk)

    def perform_update(self, serializer):
        course = training.update_course(course=serializer.instance, by=self.request.user,
                                        data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=course.pk)


@extend_schema_view(
    list=extend_schema(summary="参训记录列表"), retrieve=extend_schema(summary="参训记录详情"),
    create=extend_schema(summary="登记参训记录"),
)
class AttendanceViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin,
                        viewsets.GenericViewSet):
    """参训记录：学员、获得天数和学时、考核是否合格。每名学员每个培训班一条。"""

    serializer_class = AttendanceSerializer
    filterset_class = training.AttendanceFilterSet
    ordering_fields = ["id", "hours"]

    def get_queryset(self):
        return (Attendance.objects.visible_to(self.request.user)
                .select_related("course", "person", "party_worker", "instructor").order_by("id"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = training.record_attendance(
            course=data["course"], person=data.get("person"), party_worker=data.get("party_worker"),
            instructor=data.get("instructor"), days=data["days"], hours=data["hours"],
            passed=data.get("passed", True), by=self.request.user)


class TrainingHoursQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="年度（按培训班结束日期所在年度计算），默认今年。")
    kind = serializers.ChoiceField(choices=list(training.TRAINEE_KINDS.items()), required=False,
                                   help_text="学员类别；不填为党务工作者和党建指导员。")
    township = serializers.PrimaryKeyRelatedField(queryset=Area.objects.none(), required=False,
                                                  help_text="乡镇（街道）编号。")
    q = serializers.CharField(required=False, allow_blank=True, help_text="姓名。")
    below_target = serializers.BooleanField(required=False, allow_null=True, default=None,
                                            help_text="true：只列未达到年度学时目标的；false：只列已达标的。")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships_for(user, Area.objects.all())


class TrainingHoursSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="person / party_worker / instructor")
    kind_display = serializers.CharField()
    id = serializers.IntegerField(source="trainee.pk")
    name = serializers.CharField(source="trainee.name")
    area = serializers.IntegerField(source="area.pk", allow_null=True, default=None)
    area_name = serializers.CharField(source="area.name", allow_null=True, default=None)
    year = serializers.IntegerField()
    courses = serializers.IntegerField(help_text="参训次数")
    hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    target = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True,
                                      help_text="年度目标学时（积极分子、发展对象没有目标）。")
    below_target = serializers.BooleanField(allow_null=True)


class TrainingHoursViewSet(viewsets.GenericViewSet):
    """党务工作者、党建指导员（及积极分子、发展对象）每年的培训学时与年度目标。"""

    serializer_class = TrainingHoursSerializer
    filter_backends = []

    def get_queryset(self):
        return Attendance.objects.none()    # rows are built by members.training.yearly_hours

    @extend_schema(summary="年度培训学时", parameters=[
        OpenApiParameter("year", OpenApiTypes.INT, description="年度，默认今年"),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=list(training.TRAINEE_KINDS),
                         description="person / party_worker / instructor；不填为党务工作者和党建指导员"),
        OpenApiParameter("township", OpenApiTypes.INT, description="乡镇（街道）编号"),
        OpenApiParameter("q", OpenApiTypes.STR, description="姓名"),
        OpenApiParameter("below_target", OpenApiTypes.BOOL, description="只列未达标（true）或已达标（false）的"),
    ])
    def list(self, request):
        query = TrainingHoursQuerySerializer(data=request.query_params, user=request.user)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows = training.yearly_hours(user=request.user, year=params.get("year") or timezone.localdate().year,
                                     kind=params.get("kind"), township=params.get("township"),
                                     q=params.get("q") or "", below_target=params.get("below_target"))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
