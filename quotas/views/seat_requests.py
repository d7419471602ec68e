"""Requests for more seats: township workers and secretaries file them for their party
organizations and may withdraw them; the county approves (up to the seats asked) or
rejects them with a note.  Approved seats reach the party organization at once, out of the
seats the county still holds (quotas.services.decide_request)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from accounts.pages import Column, ScopedListView, _errors_to_form, _history_rows
from accounts.scoping import require_editable
from config.errors import DomainError
from organizations.models import PartyOrganization

from .. import selectors, services
from ..filters import QuotaRequestFilterSet
from ..forms import ApproveForm, QuotaRequestForm, RejectForm
from ..models import QuotaPlan, QuotaRequest, RequestStatus
from .common import OwnTableMixin, local_stamp, require_county_admin


class RequestListView(OwnTableMixin, ScopedListView):
    model = QuotaRequest
    filterset_class = QuotaRequestFilterSet
    title = "名额申请"
    create_url_name = "quotas:request-create"
    table_template = "quotas/_request_table.html"
    columns = [
        Column("申请党组织", lambda r: r.party_org.name, link=True),
        Column("乡镇（街道）", lambda r: r.party_org.area.name),
        Column("计划", lambda r: r.plan.name),
        Column("申请名额", lambda r: r.seats),
        Column("状态", lambda r: r.get_status_display()),
        Column("批准名额", lambda r: r.approved_seats if r.status == RequestStatus.APPROVED else ""),
        Column("申请理由", lambda r: r.reason),
        Column("申请人", lambda r: r.requested_by or ""),
        Column("申请时间", lambda r: local_stamp(r.requested_at)),
        Column("审批意见", lambda r: r.decision_note),
    ]

    def base_queryset(self):
        return selectors.request_rows()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = selectors.may_file_requests(self.request.user)
        return context


class RequestCreateView(FormView):
    form_class = QuotaRequestForm
    template_name = "registry/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.may_file_requests(request.user):
            raise PermissionDenied("您的角色不能申请追加名额。")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        user, query = self.request.user, self.request.GET
        plans = QuotaPlan.objects.visible_to(user)
        initial = {"plan": plans.filter(pk=_int(query.get("plan"))).first()
                   or plans.filter(year=timezone.localdate().year).first()}
        party_org = PartyOrganization.objects.editable_by(user).filter(pk=_int(query.get("party_org"))).first()
        if party_org is not None:
            initial["party_org"] = party_org
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            filed = services.request_seats(plan=data["plan"], party_org=data["party_org"], seats=data["seats"],
                                           reason=data["reason"], by=self.request.user)
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.form_invalid(form)
        except (DomainError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "message", None) or str(error))
            return self.form_invalid(form)
        messages.success(self.request, "申请已提交，等待县委组织部审批。")
        return redirect("quotas:request-detail", pk=filed.pk)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", "申请追加发展名额")
        return super().get_context_data(**kwargs)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _visible_request(user, pk) -> QuotaRequest:
    return get_object_or_404(selectors.request_rows().visible_to(user), pk=pk)


def request_detail(request, pk, *, approve_form=None, reject_form=None, status=200):
    user = request.user
    filed = _visible_request(user, pk)
    pending = filed.status == RequestStatus.PENDING
    return render(request, "quotas/request_detail.html", {
        "filed": filed, "title": f"名额申请：{filed.party_org}",
        "can_decide": pending and user.is_county_admin,
        # What the county can still grant (the reserve included), next to the approve form.
        "unallocated": filed.plan.unallocated_seats,
        "can_withdraw": pending and QuotaRequest.objects.editable_by(user).filter(pk=filed.pk).exists(),
        "approve_form": approve_form or ApproveForm(initial={"approved_seats": filed.seats}),
        "reject_form": reject_form or RejectForm(),
        "history": _history_rows(filed),
    }, status=status)


def _decide(request, pk, *, approve: bool):
    filed = _visible_request(request.user, pk)
    require_county_admin(request.user)
    form = (ApproveForm if approve else RejectForm)(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_request(request=filed, approve=approve, by=request.user, note=data["note"],
                                    approved_seats=data.get("approved_seats"))
        except ValidationError as error:
            _errors_to_form(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "已批准该申请，追加的名额已计入该党组织，可以立即使用。" if approve
                             else "已退回该申请。")
            return redirect("quotas:request-detail", pk=filed.pk)
    forms_ = {"approve_form": form} if approve else {"reject_form": form}
    return request_detail(request, pk, status=400, **forms_)


@require_POST
def request_approve(request, pk):
    return _decide(request, pk, approve=True)


@require_POST
def request_reject(request, pk):
    return _decide(request, pk, approve=False)


@require_POST
def request_withdraw(request, pk):
    filed = _visible_request(request.user, pk)
    require_editable(request.user, filed)
    try:
        services.withdraw_request(request=filed, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "申请已撤回。")
    return redirect("quotas:request-detail", pk=filed.pk)
