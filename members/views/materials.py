"""Materials in the browser: upload to a step, download through the scope, remove a
wrong file, download a filled standard form, and the county's material catalogue."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import BootstrapFormMixin
from config.downloads import attachment, content_attachment
from config.errors import DomainError
from config.spreadsheets import xlsx_response

from ..materials import catalogue as catalogue_service
from ..materials import documents
from ..materials import services as material_services
from ..models import Issuer, Material, MaterialRequirement, MaterialScope, RuleSetVersion
from .common import editable_dossier, visible_dossier


class UploadForm(forms.Form):
    step = forms.CharField(max_length=32)
    requirement = forms.IntegerField(required=False)
    record = forms.IntegerField(required=False)
    file = forms.FileField(error_messages={"required": "请选择要上传的文件。"})


@require_POST
def material_upload(request, pk):
    """One file for one checklist item of a step (or "其他材料"); back to the step."""
    dossier = editable_dossier(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    anchor = f"#step-{request.POST.get('step', '')}"
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(dossier.get_absolute_url() + anchor)
    data = form.cleaned_data
    requirement = record = None
    if data["requirement"]:
        requirement = MaterialRequirement.objects.filter(pk=data["requirement"], rule_set=dossier.rule_set).first()
        if requirement is None:
            raise Http404("没有这个材料目录项。")
    if data["record"]:
        record = get_object_or_404(dossier.records, pk=data["record"])
    try:
        material = material_services.upload_material(dossier=dossier, step=data["step"], upload=data["file"],
                                                     requirement=requirement, record=record, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已上传“{material.title}”：{material.name}。")
    return redirect(dossier.get_absolute_url() + anchor)


def material_download(request, pk):
    """A material, found among those the user may see (foreign → 404)."""
    material = get_object_or_404(Material.objects.visible_to(request.user), pk=pk)
    return attachment(material.file, material.name)


def material_delete(request, pk):
    """Remove a wrongly uploaded file, after confirming in the page."""
    material = get_object_or_404(Material.objects.visible_to(request.user).select_related("dossier"), pk=pk)
    dossier = editable_dossier(request.user, material.dossier_id)
    if request.method == "POST":
        material_services.delete_material(material=material, by=request.user)
        messages.success(request, f"已删除“{material.title}”：{material.name}。")
        return redirect(dossier.get_absolute_url() + f"#step-{material.step}")
    return render(request, "members/material_delete.html", {"material": material, "dossier": dossier,
                                                            "title": "删除材料"})


def dossier_form(request, pk, form):
    """A standard form filled from the dossier's data (DOCX or XLSX download)."""
    dossier = visible_dossier(request.user, pk)
    try:
        generated = documents.generate(dossier=dossier, form=form, user=request.user)
    except documents.FormUnavailable as error:
        if error.code == "unknown_form":
            raise Http404(error.message)
        messages.error(request, error.message)
        return redirect(dossier.get_absolute_url())
    return content_attachment(generated.content, generated.filename, generated.content_type)


# ---- the catalogue ---------------------------------------------------------------------------

class RequirementForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = MaterialRequirement
        fields = ["step", "code", "name", "issuer", "required", "scope", "form", "order", "note"]

    def __init__(self, *args, rule_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.rule_set = rule_set
        self.fields["step"] = forms.ChoiceField(
            label="步骤", choices=[(s.code, f"{s.order}. {s.label}") for s in rule_set.rules.steps],
            widget=forms.Select(attrs={"class": "form-select"}))
        self.fields["form"] = forms.ChoiceField(
            label="生成表格", required=False, choices=[("", "（无）")] + [(f.code, f.name) for f in documents.FORMS.values()],
            widget=forms.Select(attrs={"class": "form-select"}),
            help_text=MaterialRequirement._meta.get_field("form").help_text)


def _rule_set(request) -> RuleSetVersion:
    chosen = request.GET.get("rule_set") or request.POST.get("rule_set")
    rule_set = RuleSetVersion.objects.chosen_or_current(chosen)
    if rule_set is None:
        raise Http404("没有该规则版本。" if chosen else "尚未配置发展党员规则。")
    return rule_set


def catalogue_list(request):
    """The catalogue of a rule-set version, by step; search, filters and Excel export."""
    rule_set = _rule_set(request)
    rules = rule_set.rules
    items = MaterialRequirement.objects.filter(rule_set=rule_set)
    q, step, scope, required = (request.GET.get(k, "").strip() for k in ("q", "step", "scope", "required"))
    if q:
        items = items.filter(name__icontains=q)
    if step:
        items = items.filter(step=step)
    if scope in MaterialScope.values:
        items = items.filter(scope=scope)
    if required in ("true", "false"):
        items = items.filter(required=required == "true")
    order = {s.code: s.order for s in rules.steps}
    items = sorted(items, key=lambda i: (order.get(i.step, 99), i.order, i.pk))
    label = {s.code: f"{s.order}. {s.label}" for s in rules.steps}
    form_names = {f.code: f.name for f in documents.FORMS.values()}
    if request.GET.get("export") == "xlsx":
        rows = [[label.get(i.step, i.step), i.code, i.name, Issuer(i.issuer).label, "是" if i.required else "否",
                 MaterialScope(i.scope).label, form_names.get(i.form, ""), i.note] for i in items]
        return xlsx_response(f"材料目录-{rule_set.code}-v{rule_set.version}-{timezone.localdate():%Y%m%d}.xlsx",
                             [("材料目录", ["步骤", "代码", "材料名称", "出具方", "必备", "范围", "生成表格", "说明"], rows)])
    query = request.GET.copy()
    query.pop("export", None)
    return render(request, "members/catalogue_list.html", {
        "title": "材料目录", "rule_set": rule_set, "rule_sets": RuleSetVersion.objects.all(),
        "items": [(label.get(i.step, i.step), form_names.get(i.form, ""), i) for i in items],
        "steps": [(s.code, label[s.code]) for s in rules.steps], "scopes": MaterialScope.choices,
        "filters": {"q": q, "step": step, "scope": scope, "required": required}, "querystring": query.urlencode(),
        "can_edit": request.user.is_county_admin})


def catalogue_item(request, pk=None):
    """Add or change a catalogue item (county administrator only)."""
    catalogue_service.require_catalogue_editor(request.user)
    item = get_object_or_404(MaterialRequirement, pk=pk) if pk else None
    rule_set = item.rule_set if item else _rule_set(request)
    form = RequirementForm(request.POST or None, instance=item, rule_set=rule_set)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue_service.save_requirement(requirement=form.instance, by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:          # the code is taken in this rule-set version
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"已保存材料目录项“{form.instance.name}”。")
            return redirect(f"{_catalogue_url()}?rule_set={rule_set.pk}")
    return render(request, "members/catalogue_form.html", {
        "title": "修改材料目录项" if item else "新增材料目录项", "form": form, "rule_set": rule_set, "item": item})


def catalogue_item_delete(request, pk):
    catalogue_service.require_catalogue_editor(request.user)
    item = get_object_or_404(MaterialRequirement, pk=pk)
    if request.method == "POST":
        catalogue_service.delete_requirement(requirement=item, by=request.user)
        messages.success(request, f"已删除材料目录项“{item.name}”。")
        return redirect(f"{_catalogue_url()}?rule_set={item.rule_set_id}")
    return render(request, "members/catalogue_delete.html", {"title": "删除材料目录项", "item": item})


def _catalogue_url():
    return reverse("members:material-catalogue")
