"""Transfer pages: the list both sides share, a transfer's page with the actions of
each side, and the request form reached from a dossier.  Every change is a call to
members.transfers; the scope comes from ``visible_to`` (foreign → 404) and the
service's side checks (visible but not this side's action → 403)."""
from dataclasses import dataclass
from typing import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView

from accounts.forms import BootstrapFormMixin
from accounts.pages import Column, ScopedDetailView, ScopedListView
from config.errors import DomainError
from organizations.models import Organization, PartyOrganization

from .. import transfers
from ..api.transfers import TransferFilterSet, transfer_queryset
from ..models import Dossier, Transfer, TransferState
from .common import DossierActionMixin, PageSizeMixin

DATE = forms.DateInput()


def _receiver(transfer: Transfer) -> str:
    return transfer.to_party_org.name if transfer.to_party_org_id else f"{transfer.to_outside}（县外）"


def _in_transit(transfer: Transfer) -> str:
    days = transfers.days_in_transit(transfer)
    return "" if days is None else f"在途 {days} 天"


class TransferListView(PageSizeMixin, ScopedListView):
    """Both sides list a pending transfer, so a file on its way is never out of sight."""

    model = Transfer
    filterset_class = TransferFilterSet
    title = "转接"
    template_name = "members/transfer_list.html"
    columns = [
        Column("姓名", lambda t: t.dossier.person.name, link=True),
        Column("阶段", lambda t: t.dossier.get_stage_display()),
        Column("转出党组织", lambda t: t.from_party_org.name),
        Column("转出乡镇（街道）", lambda t: t.from_party_org.area.name),
        Column("接收党组织", _receiver),
        Column("接收乡镇（街道）", lambda t: t.to_party_org.area.name if t.to_party_org_id else "县外"),
        Column("转出日期", lambda t: t.requested_on),
        Column("状态", lambda t: t.get_state_display()),
        Column("在途", _in_transit),
        Column("处理日期", lambda t: t.decided_on),
        Column("认可已培养时间", lambda t: t.carry_cultivation),
    ]

    def base_queryset(self):
        return transfer_queryset()

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["members/transfer_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(detail_url_name="members:transfer-detail", pending_state=TransferState.REQUESTED,
                       can_create=not self.request.user.is_read_only
                       and PartyOrganization.objects.editable_by(self.request.user).exists(),
                       create_url=reverse("members:transfer-create"))
        return context


# ---- forms ------------------------------------------------------------------------------

class PartyOrgChoiceField(forms.ModelChoiceField):
    """Any party organization in the county, shown by name and township only."""

    def label_from_instance(self, party_org):
        return f"{party_org.name}（{party_org.area.name}）"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return f"{unit.name}（{unit.township.name}）"


class DossierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, dossier):
        return f"{dossier}· {dossier.party_org.name}"


class TransferRequestForm(BootstrapFormMixin, forms.Form):
    dossier = DossierChoiceField(label="发展档案", queryset=Dossier.objects.none())
    to_party_org = PartyOrgChoiceField(
        label="接收党组织（县内）", required=False,
        queryset=PartyOrganization.objects.select_related("area").order_by("area__code", "name"),
        help_text="新工作单位的党组织；转往本县以外的，不选此项，填写下面的县外接收党组织。")
    to_outside = forms.CharField(label="县外接收党组织", max_length=200, required=False)
    new_unit = UnitChoiceField(label="新工作单位", required=False,
                               queryset=Organization.objects.active().select_related("township").order_by("name"))
    requested_on = forms.DateField(label="转出日期", widget=DATE)
    reason = forms.CharField(label="转接原因", max_length=200, help_text="例如：调动到新单位工作。")

    def __init__(self, *args, dossiers, fixed_dossier=False, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("requested_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["dossier"].queryset = dossiers.select_related("person", "party_org")
        if fixed_dossier:
            self.fields["dossier"].empty_label = None


class AcceptForm(BootstrapFormMixin, forms.Form):
    decided_on = forms.DateField(label="接收日期", widget=DATE)
    carry_cultivation = forms.BooleanField(
        label="认可已培养时间", required=False, initial=True,
        help_text="入党积极分子在原单位的培养时间连续计算；不认可的，自接收之日起重新计算培养期。")
    note = forms.CharField(label="接收意见", max_length=200, required=False)


class SendBackForm(BootstrapFormMixin, forms.Form):
    decided_on = forms.DateField(label="处理日期", widget=DATE)
    note = forms.CharField(label="理由", max_length=200)


class ConfirmOutsideForm(BootstrapFormMixin, forms.Form):
    confirmed_on = forms.DateField(label="县外接收方确认日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="例如回执编号。")


@dataclass(frozen=True)
class TransferAction:
    label: str
    form: type
    allowed: Callable
    run: Callable
    confirm: str


ACTIONS = {
    "accept": TransferAction(
        "接收", AcceptForm, transfers.may_decide,
        lambda t, d, by: transfers.accept_transfer(transfer=t, on=d["decided_on"],
                                                   carry_cultivation=d["carry_cultivation"], note=d["note"], by=by),
        "确定接收该档案？接收后由本党组织继续培养考察。"),
    "reject": TransferAction(
        "拒收", SendBackForm, transfers.may_decide,
        lambda t, d, by: transfers.reject_transfer(transfer=t, on=d["decided_on"], note=d["note"], by=by),
        "确定拒收？档案将留在转出党组织。"),
    "return": TransferAction(
        "退回", SendBackForm, transfers.may_decide,
        lambda t, d, by: transfers.return_transfer(transfer=t, on=d["decided_on"], note=d["note"], by=by),
        "确定退回？档案将回到转出党组织。"),
    "confirm_outside": TransferAction(
        "登记县外接收回执", ConfirmOutsideForm, transfers.may_confirm_outside,
        lambda t, d, by: transfers.confirm_outside_transfer(transfer=t, confirmed_on=d["confirmed_on"],
                                                            note=d["note"], by=by),
        "确定登记县外接收？该档案将在本县终止（转出县外），历史记录保留。"),
}


def _actions_for(user, transfer: Transfer) -> list[str]:
    if transfer.state != TransferState.REQUESTED:
        return []
    if transfer.to_party_org_id:
        return [name for name in ("accept", "reject", "return") if ACTIONS[name].allowed(user, transfer)]
    # Outside the county the sender records the answer: received, refused or sent back.
    return [name for name in ("confirm_outside", "reject", "return") if ACTIONS[name].allowed(user, transfer)]


# ---- detail and actions -----------------------------------------------------------------

class TransferDetailView(ScopedDetailView):
    model = Transfer
    template_name = "members/transfer_detail.html"
    bound_forms: dict = {}

    def get_queryset(self):
        return transfer_queryset().visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, transfer = self.request.user, self.object
        today = timezone.localdate()
        action_forms = []
        for name in _actions_for(user, transfer):
            action = ACTIONS[name]
            form = self.bound_forms.get(name) or action.form(
                prefix=name, initial={"decided_on": today, "confirmed_on": today})
            action_forms.append({"name": name, "label": action.label, "form": form, "confirm": action.confirm,
                                 "url": reverse(f"members:transfer-{name.replace('_', '-')}", args=[transfer.pk])})
        dossier = Dossier.objects.visible_to(user).filter(pk=transfer.dossier_id).first()
        context.update(
            title=f"转接：{transfer.dossier.person.name}",
            action_forms=action_forms,
            days_in_transit=transfers.days_in_transit(transfer, today),
            dossier=dossier,
            # The whole history travels with the file; each record keeps who took it.
            records=_records_with_labels(dossier) if dossier else (),
            chain=Transfer.objects.visible_to(user).filter(dossier_id=transfer.dossier_id)
            .select_related("from_party_org", "to_party_org").order_by("requested_on", "id"),
        )
        return context


def _records_with_labels(dossier: Dossier) -> list[tuple]:
    labels = {step.code: step.label for step in dossier.rule_set.rules.steps}
    records = dossier.records.select_related("party_org", "recorded_by").order_by("taken_on", "id")
    return [(record, labels.get(record.step, record.step)) for record in records]


class TransferActionView(View):
    """POST one side's decision; a refusal or bad input shows the transfer's page again."""

    http_method_names = ["post"]
    action = ""

    def post(self, request, pk):
        transfer = get_object_or_404(Transfer.objects.visible_to(request.user), pk=pk)
        action = ACTIONS[self.action]
        if not action.allowed(request.user, transfer):
            raise PermissionDenied(f"您不能{action.label}该转接。")
        form = action.form(request.POST, prefix=self.action)
        if form.is_valid():
            try:
                action.run(transfer, form.cleaned_data, request.user)
            except DomainError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, f"已{action.label}：{transfer.dossier.person.name}")
                return redirect("members:transfer-detail", pk=transfer.pk)
        if self.action not in _actions_for(request.user, transfer):
            # No form of this action on the page (it does not apply here): say why there.
            messages.error(request, "；".join(form.non_field_errors()) or f"该转接不能{action.label}。")
            return redirect("members:transfer-detail", pk=transfer.pk)
        detail = TransferDetailView(bound_forms={self.action: form})
        detail.setup(request, pk=pk)
        detail.object = transfer
        return detail.render_to_response(detail.get_context_data(object=transfer))


# ---- request ----------------------------------------------------------------------------

class TransferRequestView(DossierActionMixin, FormView):
    """Send a dossier to another organization: ``?dossier=<pk>`` from the dossier's page."""

    form_class = TransferRequestForm
    template_name = "members/transfer_form.html"
    refused_message = "您的角色不能办理转接。"

    def require_may_act(self, user, dossier):
        if not transfers.may_request(user, dossier):
            raise PermissionDenied("只有发展党组织所在方可以办理转出。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.dossier is not None:
            # The service judges state and stage, so the user reads its reason.
            self.fixed_dossier_kwargs(kwargs)
        else:
            kwargs["dossiers"] = Dossier.objects.editable_by(self.request.user).filter(
                state__in=transfers.TRANSFERABLE_STATES, stage__in=transfers.TRANSFERABLE_STAGES)
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            transfer = transfers.request_transfer(
                dossier=data["dossier"], to_party_org=data["to_party_org"], to_outside=data["to_outside"],
                new_unit=data["new_unit"], on=data["requested_on"], reason=data["reason"], by=self.request.user)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"已办理转出：{transfer}")
        return redirect("members:transfer-detail", pk=transfer.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="办理转出", dossier=self.dossier)
        return context
