"""Dossier pages: the list, the dossier's page with its 25-step timeline, starting a
dossier, ending one and recording contact.  Every change is a service call."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView

from accounts.pages import Column, ScopedDetailView, ScopedListView
from config.errors import DomainError
from organizations.models import PartyOrganization

from .. import selectors, services
from ..errors import StepRefused
from ..filters import DossierFilterSet
from ..forms import ContactForm, DossierStartForm, EndDossierForm
from ..materials.checklist import completeness, fill_timeline, with_completeness
from ..materials.catalogue import requirements_by_step
from ..models import Dossier, Person, RuleSetVersion
from .common import PageSizeMixin, editable_dossier


def may_start_dossiers(user) -> bool:
    """Starting a dossier is acting for a party organization the user may change
    (the service checks the chosen one); read-only roles never may."""
    return (user.is_authenticated and not user.is_read_only
            and PartyOrganization.objects.editable_by(user).exists())


class DossierListView(PageSizeMixin, ScopedListView):
    model = Dossier
    filterset_class = DossierFilterSet
    title = "发展档案"
    export_name = "发展档案"
    create_url_name = "members:dossier-create"

    def base_queryset(self):
        return with_completeness(selectors.dossier_rows(Dossier.objects.all()))

    @property
    def columns(self):
        labels = self._labels()
        return [
            Column("姓名", lambda d: d.person.name, link=True),
            Column("公民身份号码", lambda d: d.person.masked_id_number),
            Column("阶段", lambda d: d.get_stage_display()),
            Column("状态", lambda d: d.get_state_display()),
            Column("发展党组织", lambda d: d.party_org.name),
            Column("乡镇（街道）", lambda d: d.party_org.area.name),
            Column("工作单位", lambda d: d.person.current_unit.name if d.person.current_unit_id else ""),
            Column("申请日期", lambda d: d.applied_on),
            Column("最近办理", lambda d: labels.get(d.rule_set_id, {}).get(d.current_step, d.current_step)),
            Column("办理日期", lambda d: d.last_step_on),
            Column("有逾期事项", lambda d: d.is_overdue),
            Column("材料（已有/必备）", lambda d: f"{d.materials_present}/{d.materials_required}"),
        ]

    def _labels(self):
        if not hasattr(self, "_step_labels"):
            self._step_labels = selectors.step_labels()
        return self._step_labels

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = may_start_dossiers(self.request.user)
        figures = completeness(self.object_list)
        if figures["required"]:
            context["list_summary"] = (f"材料完整度 {figures['ratio']:.1%}（必备材料已有 {figures['present']} / "
                                       f"{figures['required']}，材料不全档案 {figures['incomplete_dossiers']} 份）")
        return context


class DossierDetailView(ScopedDetailView):
    model = Dossier
    template_name = "members/dossier_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related(
            "person", "person__current_unit", "party_org", "party_org__area", "rule_set")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, dossier = self.request.user, self.object
        today = timezone.localdate()
        records = list(selectors.dossier_records(dossier))
        selectors.describe_records(user=user, dossier=dossier, records=records)
        timeline = selectors.dossier_timeline(dossier=dossier, on=today, records=records)
        _name_steps_in_history(context["history"], dossier)
        context.update(
            today=today,
            completeness=fill_timeline(dossier=dossier, records=records, timeline=timeline),
            timeline=timeline,
            next_steps=[entry for entry in timeline if entry.may_take],
            reviews=dossier.political_reviews.visible_to(user),
            transfers=dossier.transfers.visible_to(user).select_related("from_party_org", "to_party_org"),
            contacts=dossier.contacts.select_related("recorded_by"),
            end_form=EndDossierForm(),
            contact_form=ContactForm(),
        )
        return context


class DossierCreateView(FormView):
    form_class = DossierStartForm
    template_name = "members/dossier_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_start_dossiers(request.user):
            raise PermissionDenied("您的角色不能为党组织建立发展档案。")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        rule_set = RuleSetVersion.objects.current()
        kwargs["requirements"] = requirements_by_step(rule_set).get("apply", []) if rule_set else []
        return kwargs

    def get_initial(self):
        initial = {"applied_on": timezone.localdate()}
        person = Person.objects.visible_to(self.request.user).filter(pk=_int(self.request.GET.get("person"))).first()
        if person is not None:
            initial["person"] = person
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            dossier = services.start_dossier(person=data["person"], party_org=data["party_org"],
                                             applied_on=data["applied_on"], note=data["note"], by=self.request.user,
                                             uploads=form.uploads(), backfill_reason=form.backfill_reason_given())
        except StepRefused as refused:
            return self.render_to_response(self.get_context_data(form=form, problems=refused.verdict.problems))
        except (DomainError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "message", None) or str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"已为{dossier.person.name}建立发展档案。")
        return redirect(dossier.get_absolute_url())

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", "建立发展档案（接收入党申请）")
        return super().get_context_data(**kwargs)


def dossier_end(request, pk):
    """End a dossier (withdrawn, not admitted, …) with its reason: confirmed in the page."""
    dossier = editable_dossier(request.user, pk)
    form = EndDossierForm(request.POST or None, stage=dossier.stage)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.end_dossier(dossier=dossier, kind=data["kind"], reason=data["reason"], on=data["ended_on"],
                                 note=data["note"], by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已终止{dossier.person.name}的发展档案。")
            return redirect(dossier.get_absolute_url())
    return render(request, "members/dossier_action.html", {
        "dossier": dossier, "form": form, "title": "终止发展档案", "action": reverse("members:dossier-end", args=[pk]),
        "confirm": f"确定终止{dossier.person.name}的发展档案吗？终止后不能再办理步骤。", "danger": True})


def dossier_contact(request, pk):
    """Contact made (again) with the person: a lost-contact dossier becomes active."""
    dossier = editable_dossier(request.user, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_contact(dossier=dossier, on=data["contacted_on"], note=data["note"], by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "已登记联系记录。")
            return redirect(dossier.get_absolute_url())
    return render(request, "members/dossier_action.html", {
        "dossier": dossier, "form": form, "title": "登记联系记录",
        "action": reverse("members:dossier-contact", args=[pk]), "confirm": "", "danger": False})


def _name_steps_in_history(rows, dossier) -> None:
    """The history stores the latest step as its code; show the step's label instead."""
    labels = {step.code: step.label for step in dossier.rule_set.rules.steps}
    prefix = f"{Dossier._meta.get_field('current_step').verbose_name}："
    for row in rows:
        row["changes"] = [_relabel(change, prefix, labels) for change in row["changes"]]


def _relabel(change: str, prefix: str, labels: dict) -> str:
    if not change.startswith(prefix):
        return change
    old, _, new = change[len(prefix):].partition(" → ")
    return f"{prefix}{labels.get(old, old)} → {labels.get(new, new)}"


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
