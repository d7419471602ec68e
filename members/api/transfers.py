"""Transfers and political review sides: filter sets (shared by pages, exports and the
API), serializers and viewsets.  Every write goes through members.transfers or
members.reviews; every read starts from ``visible_to(user)``.
"""
import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import ScopedFieldsMixin
from accounts.permissions import ScopedAccess
from config.downloads import attachment
from organizations.models import Area, Organization, PartyOrganization
from organizations.search import name_condition

from .. import reviews, transfers
from ..models import Dossier, PoliticalReview, ReviewSide, Transfer, TransferState

# ---- read-side querysets and filters ------------------------------------------------------


def transfer_queryset():
    """Pending transfers first, the longest on the way first; then the decided ones, newest first."""
    return (Transfer.objects.select_related("dossier__person", "from_party_org__area", "to_party_org__area",
                                            "new_unit")
            .annotate(pending_rank=Case(When(state=TransferState.REQUESTED, then=Value(0)), default=Value(1),
                                        output_field=IntegerField()))
            .order_by("pending_rank", F("requested_on").asc(), "-decided_on", "-id"))


def review_queryset():
    """Outstanding sides first, the oldest letter first; then the replied ones."""
    return (PoliticalReview.objects.select_related("dossier__person", "dossier__party_org__area")
            .annotate(outstanding_rank=Case(When(replied_on__isnull=True, then=Value(0)), default=Value(1),
                                            output_field=IntegerField()))
            .order_by("outstanding_rank", "requested_on", "id"))


def _all_townships(request):
    # Transfers cross townships: the other side's township is a fair filter too
    # (the area tree is shared structure every account reads).
    return Area.objects.townships()


def _person_search(prefix: str):
    def search(self, queryset, name, value):
        return queryset.filter(name_condition(value, name_field=f"{prefix}person__name",
                                              initials_field=f"{prefix}person__name_initials"))
    return search


# A named schema component: "state" is also the dossier's field, with other values.
TRANSFER_STATE_SCHEMA = extend_schema_field(
    {"type": "string", "enum": TransferState.values,
     "description": "\n".join(f"* `{value}` - {label}" for value, label in TransferState.choices)},
    component_name="TransferStateEnum")


class TransferStateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=TransferState.choices, **kwargs)


TRANSFER_STATE_SCHEMA(TransferStateField)


class TransferDirection:
    IN, OUT, OUTSIDE = "in", "out", "outside"
    choices = [(IN, "转入本辖区"), (OUT, "从本辖区转出"), (OUTSIDE, "转出县外")]


class TransferFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名/拼音首字母")
    state = TRANSFER_STATE_SCHEMA(django_filters.ChoiceFilter(choices=TransferState.choices, label="状态"))
    direction = django_filters.ChoiceFilter(choices=TransferDirection.choices, method="filter_direction",
                                            label="方向")
    township = extend_schema_field(OpenApiTypes.INT)(django_filters.ModelChoiceFilter(
        queryset=_all_townships, method="filter_township", label="乡镇（街道）（转出或转入一方）"))

    class Meta:
        model = Transfer
        fields = ["q", "state", "direction", "township"]

    search = _person_search("dossier__")

    def filter_direction(self, queryset, name, value):
        if value == TransferDirection.OUTSIDE:
            return queryset.filter(to_party_org__isnull=True)
        user = self.request.user if self.request else None
        mine = PartyOrganization.objects.visible_to(user).values("pk")
        field = "to_party_org__in" if value == TransferDirection.IN else "from_party_org__in"
        return queryset.filter(**{field: mine})

    def filter_township(self, queryset, name, value):
        return queryset.filter(Q(from_party_org__area=value) | Q(to_party_org__area=value))


class PoliticalReviewFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名/拼音首字母")
    side = django_filters.ChoiceFilter(choices=ReviewSide.choices, label="审查方")
    township = django_filters.ModelChoiceFilter(queryset=_all_townships, field_name="dossier__party_org__area",
                                                label="乡镇（街道）")
    outstanding = django_filters.BooleanFilter(
        field_name="replied_on", lookup_expr="isnull", label="回函情况",
        widget=forms.Select(choices=[("", "全部"), ("true", "未回函"), ("false", "已回函")]))

    class Meta:
        model = PoliticalReview
        fields = ["q", "side", "township", "outstanding"]

    search = _person_search("dossier__")


# ---- permissions ------------------------------------------------------------------------

class SideAccess(ScopedAccess):
    """Requesting a transfer or a review letter is a change of a dossier, not the
    registration of a new record: every role that may change dossiers may ask (the
    service checks it is their dossier), read-only roles may not."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "create":
            user = request.user
            return bool(user and user.is_authenticated and user.is_active and not user.is_read_only)
        return super().has_permission(request, view)


# ---- transfers ------------------------------------------------------------------------------

class TransferSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="dossier.person.name", read_only=True)
    from_party_org_name = serializers.CharField(source="from_party_org.name", read_only=True)
    from_township = serializers.CharField(source="from_party_org.area.name", read_only=True)
    to_party_org_name = serializers.CharField(source="to_party_org.name", read_only=True, allow_null=True)
    to_township = serializers.CharField(source="to_party_org.area.name", read_only=True, allow_null=True)
    new_unit_name = serializers.CharField(source="new_unit.name", read_only=True, allow_null=True)
    state = TransferStateField(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    days_in_transit = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = ["id", "dossier", "person_name", "from_party_org", "from_party_org_name", "from_township",
                  "to_party_org", "to_party_org_name", "to_township", "to_outside", "new_unit", "new_unit_name",
                  "state", "state_display", "reason", "requested_on", "decided_on", "carry_cultivation",
                  "decision_note", "days_in_transit"]
        read_only_fields = fields

    def get_days_in_transit(self, obj) -> int | None:
        """Days on the way, for a transfer still waiting for the receiver."""
        return transfers.days_in_transit(obj)


def _visible_dossiers(user):
    return Dossier.objects.visible_to(user)


class TransferRequestSerializer(ScopedFieldsMixin, serializers.Serializer):
    scoped_fields = {"dossier": _visible_dossiers}
    dossier = serializers.PrimaryKeyRelatedField(queryset=Dossier.objects.none(), label="发展档案")
    # The receiver is usually outside the requester's scope: any party organization in the county.
    to_party_org = serializers.PrimaryKeyRelatedField(queryset=PartyOrganization.objects.all(), required=False,
                                                      allow_null=True, label="接收党组织（县内）")
    to_outside = serializers.CharField(required=False, allow_blank=True, max_length=200, label="县外接收党组织")
    new_unit = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                                  allow_null=True, label="新工作单位")
    requested_on = serializers.DateField(label="转出日期")
    reason = serializers.CharField(max_length=200, label="转接原因")


class TransferAcceptSerializer(serializers.Serializer):
    decided_on = serializers.DateField(label="接收日期")
    carry_cultivation = serializers.BooleanField(label="认可已培养时间",
                                                 help_text="入党积极分子在原单位的培养时间是否连续计算。")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label="处理意见")


class TransferSendBackSerializer(serializers.Serializer):
    decided_on = serializers.DateField(label="处理日期")
    note = serializers.CharField(max_length=200, label="理由")


class TransferConfirmOutsideSerializer(serializers.Serializer):
    confirmed_on = serializers.DateField(label="县外接收方确认日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label="说明")


def _decided(viewset, transfer):
    return Response(TransferSerializer(transfer, context=viewset.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="转接列表", description="本辖区转出和转入的转接（双方都能看到）；待接收的排在前面，在途时间最长的在最前。"),
    retrieve=extend_schema(summary="转接详情"),
)
class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """组织关系/培养关系转接。转接中的档案双方可见、双方都不能修改。"""

    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    permission_classes = [SideAccess]
    ordering_fields = ["requested_on", "decided_on"]

    def get_queryset(self):
        return transfer_queryset().visible_to(self.request.user)

    @extend_schema(summary="申请转出", request=TransferRequestSerializer, responses={201: TransferSerializer})
    def create(self, request, *args, **kwargs):
        serializer = TransferRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        transfer = transfers.request_transfer(
            dossier=data["dossier"], to_party_org=data.get("to_party_org"), to_outside=data.get("to_outside", ""),
            new_unit=data.get("new_unit"), on=data["requested_on"], reason=data["reason"], by=request.user)
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="接收（县内接收方）", request=TransferAcceptSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = self._input(TransferAcceptSerializer)
        return _decided(self, transfers.accept_transfer(
            transfer=self.get_object(), on=data["decided_on"], carry_cultivation=data["carry_cultivation"],
            note=data.get("note", ""), by=request.user))

    @extend_schema(summary="拒收（接收方）", request=TransferSendBackSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = self._input(TransferSendBackSerializer)
        return _decided(self, transfers.reject_transfer(transfer=self.get_object(), on=data["decided_on"],
                                                        note=data["note"], by=request.user))

    @extend_schema(summary="退回（接收方：本人未到或接收方有误）", request=TransferSendBackSerializer,
                   responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_transfer(self, request, pk=None):
        data = self._input(TransferSendBackSerializer)
        return _decided(self, transfers.return_transfer(transfer=self.get_object(), on=data["decided_on"],
                                                        note=data["note"], by=request.user))

    @extend_schema(summary="登记县外接收回执（转出方）", request=TransferConfirmOutsideSerializer,
                   responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-outside", url_name="confirm-outside")
    def confirm_outside(self, request, pk=None):
        data = self._input(TransferConfirmOutsideSerializer)
        return _decided(self, transfers.confirm_outside_transfer(
            transfer=self.get_object(), confirmed_on=data["confirmed_on"], note=data.get("note", ""),
            by=request.user))

    def _input(self, serializer_class) -> dict:
        # Look the transfer up first: a foreign id is a 404 before any input error.
        self.get_object()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# ---- political review sides ----------------------------------------------------------------

class PoliticalReviewSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="dossier.person.name", read_only=True)
    is_migrant = serializers.BooleanField(source="dossier.person.is_migrant", read_only=True)
    party_org_name = serializers.CharField(source="dossier.party_org.name", read_only=True)
    township = serializers.CharField(source="dossier.party_org.area.name", read_only=True)
    side_display = serializers.CharField(source="get_side_display", read_only=True)
    days_open = serializers.SerializerMethodField()
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = PoliticalReview
        fields = ["id", "dossier", "person_name", "is_migrant", "party_org_name", "township", "side",
                  "side_display", "addressee", "requested_on", "replied_on", "passed", "conclusion", "days_open",
                  "has_document"]
        read_only_fields = fields

    def get_days_open(self, obj) -> int:
        """Days from the letter to the reply, or to today while the reply is outstanding."""
        return reviews.days_open(obj)

    def get_has_document(self, obj) -> bool:
        """Whether a scan of the reply is stored (GET …/document/ to download it)."""
        return bool(obj.document)


class ReviewRequestSerializer(ScopedFieldsMixin, serializers.Serializer):
    scoped_fields = {"dossier": _visible_dossiers}
    dossier = serializers.PrimaryKeyRelatedField(queryset=Dossier.objects.none(), label="发展档案")
    side = serializers.ChoiceField(choices=ReviewSide.choices, label="审查方")
    addressee = serializers.CharField(max_length=100, label="函调单位")
    requested_on = serializers.DateField(label="发函日期")


class ReviewReplySerializer(serializers.Serializer):
    replied_on = serializers.DateField(label="回函日期")
    passed = serializers.BooleanField(allow_null=True, label="审查结论合格")
    conclusion = serializers.CharField(max_length=500, label="审查结论")
    document = serializers.FileField(required=False, allow_null=True, label="回函材料（PDF/JPG/PNG，20 MB 以内）")


@extend_schema_view(
    list=extend_schema(summary="政审进度", description="各方政治审查的发函、回函情况；未回函的排在前面，发函最早的在最前。"),
    retrieve=extend_schema(summary="政审详情"),
)
class PoliticalReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """政治审查（双政审）：户籍所在地、工作单位两方的函调与回函。"""

    serializer_class = PoliticalReviewSerializer
    filterset_class = PoliticalReviewFilterSet
    permission_classes = [SideAccess]
    ordering_fields = ["requested_on", "replied_on"]

    def get_queryset(self):
        return review_queryset().visible_to(self.request.user)

    @extend_schema(summary="发函（请求一方政审）", request=ReviewRequestSerializer,
                   responses={201: PoliticalReviewSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ReviewRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = reviews.request_review_side(dossier=data["dossier"], side=data["side"], addressee=data["addressee"],
                                             on=data["requested_on"], by=request.user)
        return Response(PoliticalReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="登记回函", request=ReviewReplySerializer, responses=PoliticalReviewSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        review = self.get_object()
        serializer = ReviewReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = reviews.record_review_reply(review=review, replied_on=data["replied_on"], passed=data["passed"],
                                             conclusion=data["conclusion"], document=data.get("document"),
                                             by=request.user)
        return Response(PoliticalReviewSerializer(review).data)

    @extend_schema(summary="下载回函材料", responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                                                   404: OpenApiResponse(description="没有回函材料")})
    @action(detail=True, methods=["get"])
    def document(self, request, pk=None):
        review = self.get_object()
        if not review.document:
            raise Http404("没有回函材料。")
        return attachment(review.document, reviews.document_filename(review))
