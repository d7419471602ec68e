"""Plan pages: the list, the form, the plan's page (totals, townships, party
organizations with their weight explained), recompute with live progress, issue."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.pages import Column, ScopedListView, ServiceFormView
from config.errors import DomainError

from .. import selectors, services
from ..apportionment import METHOD_LABELS
from ..filters import PlanAllocationFilterSet, PlanFilterSet, Watch
from ..forms import PlanForm
from ..models import PlanStatus, QuotaAllocation, QuotaPlan
from ..recompute import recompute_refusal
from .common import editable_plan, local_stamp, require_county_admin, visible_plan


class PlanListView(ScopedListView):
    model = QuotaPlan
    filterset_class = PlanFilterSet
    title = "发展党员计划"
    template_name = "quotas/plan_list.html"
    create_url_name = "quotas:plan-create"
    columns = [
        Column("计划名称", lambda p: p.name, link=True),
        Column("年度", lambda p: p.year),
        Column("状态", lambda p: p.get_status_display()),
        Column("上级下达名额", lambda p: p.total_seats),
        Column("县级预留", lambda p: p.reserve_seats),
        Column("未分配（含预留）", lambda p: p.unallocated_seats),
        Column("乡镇分配方法", lambda p: METHOD_LABELS.get(p.township_method, p.township_method)),
        Column("党组织分配方法", lambda p: METHOD_LABELS.get(p.org_method, p.org_method)),
        Column("最近计算时间", lambda p: local_stamp(p.computed_at)),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_create"] = user.is_authenticated and user.is_county_admin
        return context


def _flag(allocation) -> str:
    years = allocation.years_without_new_member
    if years >= 3:
        return "连续3年及以上未发展党员"
    if years >= 2:
        return "连续2年未发展党员"
    return ""


def _part(name):
    return lambda a: (a.breakdown or {}).get(name)


class PlanDetailView(ScopedListView):
    """The plan's page is also the list of its party organizations' allocations, so
    search, filters, pagination and the XLSX export work as on every list."""

    model = QuotaAllocation
    filterset_class = PlanAllocationFilterSet
    template_name = "quotas/plan_detail.html"
    paginate_by = 50
    columns = [
        Column("党组织", lambda a: a.party_org.name, link=True),
        Column("乡镇（街道）", lambda a: a.area.name),
        Column("名额", lambda a: a.seats),
        Column("追加名额", lambda a: a.extra_seats),
        Column("已使用", lambda a: a.used),
        Column("已预留（预审）", lambda a: a.reserved),
        Column("可用", lambda a: a.available),
        Column("可发展需求", lambda a: a.ready_demand),
        Column("发展对象", lambda a: a.candidates_ready),
        Column("积极分子", lambda a: a.activists_ready),
        Column("需求基数", _part("base")),
        Column("考评等次", _part("grade")),
        Column("等次系数", _part("grade_factor")),
        Column("逾期档案占比", _part("overdue_share")),
        Column("逾期系数", _part("overdue_term")),
        Column("上年完成率", _part("completion")),
        Column("完成率系数", _part("completion_term")),
        Column("质量系数", lambda a: a.quality_factor),
        Column("权重", lambda a: a.weight),
        Column("标准份额", _part("standard_quota")),
        Column("保底名额", lambda a: a.minimum),
        Column("名额上限", lambda a: a.maximum),
        Column("连续未发展党员年数", lambda a: a.years_without_new_member),
        Column("提示", _flag),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.plan = visible_plan(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return self.plan.name

    @property
    def export_name(self):
        return f"{self.plan.name}-党组织名额"

    def base_queryset(self):
        return (QuotaAllocation.objects.filter(plan=self.plan).select_related("party_org", "area")
                .order_by("area__code", "party_org__name", "id"))

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["quotas/_allocation_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, plan = self.request.user, self.plan
        jobs = selectors.recent_jobs(plan=plan)
        may_change = user.is_county_admin and plan.status != PlanStatus.CLOSED
        refusal = recompute_refusal(plan)
        context.update(
            plan=plan,
            totals=selectors.plan_totals(plan=plan, user=user),
            townships=selectors.township_rows(plan=plan, user=user),
            jobs=jobs,
            active_job=next((job for job in jobs if job.is_active), None),
            latest_job=jobs[0] if jobs else None,
            can_edit=may_change,
            can_recompute=may_change and refusal is None,
            # Why the button is missing, for everyone: after a rebalance the allocation stays.
            recompute_refused=refusal.message if refusal is not None and plan.status != PlanStatus.CLOSED else "",
            can_issue=user.is_county_admin and plan.status == PlanStatus.DRAFT and plan.computed_at is not None,
            can_rebalance=user.is_county_admin and plan.status == PlanStatus.ISSUED,
            method_labels=METHOD_LABELS,
            township_method=METHOD_LABELS.get(plan.township_method, plan.township_method),
            org_method=METHOD_LABELS.get(plan.org_method, plan.org_method),
            reallocations=selectors.reallocations_visible_to(user).filter(plan=plan)[:10],
            pending_requests=selectors.pending_requests_count(user=user, plan=plan),
            watch=Watch,
            parameters=plan.effective_parameters,
        )
        return context


class PlanFormView(ServiceFormView):
    model = QuotaPlan
    form_class = PlanForm
    template_name = "quotas/plan_form.html"

    def dispatch(self, request, *args, **kwargs):
        # Plans are the county's: every other role is refused before the form is shown.
        if request.user.is_authenticated and "pk" not in kwargs:
            require_county_admin(request.user)
        return super().dispatch(request, *args, **kwargs)

    def save(self, form):
        if self.object:
            return services.update_plan(plan=self.object, by=self.request.user, data=form.data_for_service)
        return services.create_plan(by=self.request.user, data=form.data_for_service)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", "修改发展党员计划" if self.object else "制定发展党员计划")
        return super().get_context_data(**kwargs)


def _plan_action(request, pk, action, done: str):
    plan = editable_plan(request.user, pk)
    try:
        action(plan)
    except (DomainError, PermissionDenied) as error:
        messages.error(request, getattr(error, "message", None) or str(error))
    else:
        messages.success(request, done)
    return plan


@require_POST
def plan_recompute(request, pk):
    """Queue a recompute; the plan's page then polls the job's status."""
    plan = _plan_action(request, pk, lambda p: services.start_recompute(plan=p, by=request.user),
                        "已提交重新计算，进度见下方。")
    return redirect(reverse("quotas:plan-detail", args=[plan.pk]) + "#jobs")


@require_POST
def plan_issue(request, pk):
    plan = _plan_action(request, pk, lambda p: services.issue_plan(plan=p, by=request.user),
                        "计划已下达，审批接收预备党员时将占用名额。")
    return redirect(plan.get_absolute_url())


def job_status(request, pk):
    """The job-status partial.  While the job is queued or running it polls itself every
    second; when a poll sees it finish, the page reloads to show the new allocation."""
    job = get_object_or_404(selectors.jobs_visible_to(request.user), pk=pk)
    response = render(request, "quotas/_job_status.html", {"job": job})
    if request.GET.get("polling") and not job.is_active:
        response["HX-Refresh"] = "true"
    return response
