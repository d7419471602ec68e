from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.generic import TemplateView

from accounts.pages import Column, ScopedDetailView, ScopedListView, ServiceFormView
from accounts.scoping import require_may_register
from config.spreadsheets import UnreadableWorkbook, xlsx_response

from . import imports, selectors, services
from .filters import InstructorFilterSet, OrganizationFilterSet, PartyOrganizationFilterSet, PartyWorkerFilterSet
from .forms import InstructorForm, OrganizationForm, OrganizationImportForm, PartyOrganizationForm, PartyWorkerForm
from .models import Instructor, Organization, PartyOrganization, PartyWorker
from .structure_rules import instructor_warnings, party_organization_warnings


def _names(objects):
    return "、".join(str(o) for o in objects)


# ---- units --------------------------------------------------------------------------

class OrganizationListView(ScopedListView):
    model = Organization
    filterset_class = OrganizationFilterSet
    title = "两新组织"
    create_url_name = "organizations:organization-create"
    columns = [
        Column("单位名称", lambda o: o.name, link=True),
        Column("统一社会信用代码", lambda o: o.uscc),
        Column("组织类别", lambda o: o.get_kind_display()),
        Column("具体类型", lambda o: o.get_sub_kind_display()),
        Column("所属行业", lambda o: o.get_industry_display()),
        Column("乡镇（街道）", lambda o: o.township.name),
        Column("从业人员", lambda o: o.employee_count),
        Column("党员", lambda o: o.party_member_count),
        Column("已建党组织", lambda o: o.has_party_org),
        Column("状态", lambda o: o.get_status_display()),
    ]

    def base_queryset(self):
        return Organization.objects.with_coverage().select_related("township")


class OrganizationDetailView(ScopedDetailView):
    model = Organization
    template_name = "organizations/organization_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_coverage().select_related("township", "community")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["party_organizations"] = self.object.party_organizations.visible_to(user).select_related("area")
        context["instructors"] = self.object.instructors.visible_to(user)
        return context


class OrganizationFormView(ServiceFormView):
    model = Organization
    form_class = OrganizationForm

    def save(self, form):
        if self.object:
            return services.update_organization(organization=self.object, by=self.request.user,
                                                data=form.data_for_service)
        return services.register_organization(by=self.request.user, data=form.data_for_service)


# ---- import -------------------------------------------------------------------------

def organization_import(request):
    require_may_register(request.user)
    posted = request.method == "POST"
    form = OrganizationImportForm(request.POST if posted else None, request.FILES if posted else None)
    report = None
    if posted and form.is_valid():
        try:
            report = imports.import_organizations(form.cleaned_data["file"], by=request.user)
        except UnreadableWorkbook as error:
            form.add_error("file", str(error))
        else:
            if report.ok:
                messages.success(request, f"导入成功：新增 {report.created} 个，更新 {report.updated} 个。")
                return redirect("organizations:organization-list")
    return render(request, "organizations/import.html", {"form": form, "report": report,
                                                         "columns": imports.COLUMNS})


def organization_import_template(request):
    require_may_register(request.user)
    return xlsx_response("两新组织导入模板.xlsx", imports.template_sheets(user=request.user))


# ---- party organizations ----------------------------------------------------------

class PartyOrganizationListView(ScopedListView):
    model = PartyOrganization
    filterset_class = PartyOrganizationFilterSet
    title = "党组织"
    create_url_name = "organizations:party-organization-create"
    columns = [
        Column("党组织名称", lambda p: p.name, link=True),
        Column("类别", lambda p: p.get_org_type_display()),
        Column("组建方式", lambda p: p.get_formation_display()),
        Column("乡镇（街道）", lambda p: p.area.name),
        Column("覆盖单位数", lambda p: p.covered_count),
        Column("正式党员", lambda p: p.full_member_count),
        Column("预备党员", lambda p: p.probationary_member_count),
        Column("书记", lambda p: p.secretary_name),
        Column("审批权限", lambda p: p.has_approval_authority),
        Column("规范提示", lambda p: len(party_organization_warnings(p, covered_units=p.covered_count)) or ""),
    ]

    def base_queryset(self):
        return (PartyOrganization.objects.select_related("area")
                .annotate(covered_count=Count("covered_organizations")).order_by("area__code", "path"))


class PartyOrganizationDetailView(ScopedDetailView):
    model = PartyOrganization
    template_name = "organizations/party_organization_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        covered = self.object.covered_organizations.visible_to(user).with_coverage().select_related("township")
        context["covered"] = covered
        context["warnings"] = party_organization_warnings(
            self.object, covered_units=self.object.covered_organizations.count())
        context["children"] = self.object.children.visible_to(user)
        context["party_workers"] = self.object.party_workers.visible_to(user)
        return context


class PartyOrganizationFormView(ServiceFormView):
    model = PartyOrganization
    form_class = PartyOrganizationForm

    def save(self, form):
        if self.object:
            return services.update_party_organization(party_organization=self.object, by=self.request.user,
                                                      data=form.data_for_service)
        return services.register_party_organization(by=self.request.user, data=form.data_for_service)


# ---- instructors and party workers --------------------------------------------------

class InstructorListView(ScopedListView):
    model = Instructor
    filterset_class = InstructorFilterSet
    title = "党建指导员"
    create_url_name = "organizations:instructor-create"
    columns = [
        Column("姓名", lambda i: i.name, link=True),
        Column("乡镇（街道）", lambda i: i.area.name),
        Column("工作单位及职务", lambda i: i.employer),
        Column("专兼职", lambda i: i.get_employment_display()),
        Column("电话", lambda i: i.phone),
        Column("联系单位数", lambda i: i.unit_count),
    ]

    def base_queryset(self):
        return (Instructor.objects.select_related("area").annotate(unit_count=Count("organizations"))
                .order_by("area__code", "name"))


class InstructorDetailView(ScopedDetailView):
    model = Instructor
    template_name = "organizations/instructor_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        units = self.object.organizations.visible_to(self.request.user).with_coverage().select_related("township")
        context["units"] = units
        context["warnings"] = instructor_warnings(assigned_units=self.object.organizations.active().count())
        return context


class InstructorFormView(ServiceFormView):
    model = Instructor
    form_class = InstructorForm

    def save(self, form):
        if self.object:
            return services.update_instructor(instructor=self.object, by=self.request.user,
                                              data=form.data_for_service)
        return services.register_instructor(by=self.request.user, data=form.data_for_service)


class PartyWorkerListView(ScopedListView):
    model = PartyWorker
    filterset_class = PartyWorkerFilterSet
    title = "党务工作者"
    create_url_name = "organizations:party-worker-create"
    columns = [
        Column("姓名", lambda w: w.name, link=True),
        Column("乡镇（街道）", lambda w: w.area.name),
        Column("所在党组织", lambda w: w.party_organization or ""),
        Column("专兼职", lambda w: w.get_employment_display()),
        Column("职务", lambda w: w.position),
        Column("是否党员", lambda w: w.is_party_member),
        Column("电话", lambda w: w.phone),
    ]

    def base_queryset(self):
        return PartyWorker.objects.select_related("area", "party_organization")


class PartyWorkerDetailView(ScopedDetailView):
    model = PartyWorker
    template_name = "organizations/party_worker_detail.html"


class PartyWorkerFormView(ServiceFormView):
    model = PartyWorker
    form_class = PartyWorkerForm

    def save(self, form):
        if self.object:
            return services.update_party_worker(party_worker=self.object, by=self.request.user,
                                                data=form.data_for_service)
        return services.register_party_worker(by=self.request.user, data=form.data_for_service)


# ---- area tree ----------------------------------------------------------------------

class AreaTreeView(TemplateView):
    template_name = "organizations/area_tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        coverage = {row["township_id"]: row for row in selectors.coverage_by_township(user=self.request.user)}
        roots = selectors.area_tree(user=self.request.user)
        for county in roots:
            for township in county.child_list:
                township.coverage = coverage.get(township.pk)
        context["roots"] = roots
        return context
