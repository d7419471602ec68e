"""Mid-year rebalancing (调剂): a preview of before and after for a date and method,
then — county administrators only, after confirmation — the rebalance itself."""
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from config.errors import DomainError
from organizations.models import PartyOrganization

from .. import selectors
from ..apportionment import METHOD_LABELS
from ..forms import RebalanceForm
from ..rebalance import preview_rebalance, rebalance
from .common import require_county_admin, visible_plan


def _default_date(plan) -> date:
    today = timezone.localdate()
    return today if today.year == plan.year else date(plan.year, 6, 30)   # 调剂 happens around June


def _visible_lines(user, lines):
    if user.sees_whole_county:
        return lines
    visible = set(PartyOrganization.objects.visible_to(user).filter(
        pk__in=[line.party_org_id for line in lines]).values_list("pk", flat=True))
    return [line for line in lines if line.party_org_id in visible]


def plan_rebalance(request, pk):
    user = request.user
    plan = visible_plan(user, pk)
    may_perform = user.is_county_admin
    if request.method == "POST":
        require_county_admin(user)
        form = RebalanceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = rebalance(plan=plan, on=data["on"], method=data["method"], by=user, note=data["note"])
            except (DomainError, PermissionDenied) as error:
                form.add_error(None, getattr(error, "message", None) or str(error))
            else:
                messages.success(request, f"已完成年中调剂：收回 {done.pool} 个名额并重新分配。")
                return redirect("quotas:reallocation-detail", pk=done.pk)
    else:
        form = RebalanceForm(request.GET or None, initial={"on": _default_date(plan), "method": plan.org_method})
    preview, error = None, ""
    choice = form.cleaned_data if form.is_bound and form.is_valid() else None
    if choice is not None or not form.is_bound:
        on = choice["on"] if choice else form.initial["on"]
        method = choice["method"] if choice else form.initial["method"]
        try:
            preview = preview_rebalance(plan=plan, on=on, method=method)
        except DomainError as refused:
            error = refused.message
    lines = _visible_lines(user, preview.lines) if preview else []
    return render(request, "quotas/rebalance.html", {
        "plan": plan, "form": form, "preview": preview, "error": error, "may_perform": may_perform,
        "changed": [line for line in lines if line.taken or line.given],
        "unchanged_count": sum(1 for line in lines if not (line.taken or line.given)),
        "gainers": sum(1 for line in lines if line.change > 0),
        "losers": sum(1 for line in lines if line.change < 0),
        "title": f"{plan.name} · 年中调剂",
    })


def reallocation_detail(request, pk):
    reallocation = get_object_or_404(selectors.reallocations_visible_to(request.user), pk=pk)
    changes = selectors.visible_changes(reallocation=reallocation, user=request.user)
    given = sum(c["given"] for c in reallocation.changes)
    return render(request, "quotas/reallocation_detail.html", {
        "reallocation": reallocation, "plan": reallocation.plan, "changes": changes,
        "given": given, "leftover": reallocation.pool - given,
        "method_label": METHOD_LABELS.get(reallocation.method, reallocation.method),
        "title": f"年中调剂 {reallocation.on:%Y-%m-%d}",
    })
