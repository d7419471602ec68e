"""The what-if page: up to four scenarios of one plan side by side — who gains, who
loses, paradoxes flagged, a chart of the largest changes.  Nothing is written."""
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from organizations.models import PartyOrganization

from .. import whatif
from ..county_seats import seats_to_apportion
from ..forms import scenario_forms
from .common import visible_plan

ROWS_PER_PAGE = 100


def _scenarios(forms_, bound: bool):
    """The scenarios to compare: the first always, the others when ticked."""
    if not bound:
        return [whatif.Scenario(township_method=f.initial["township_method"], org_method=f.initial["org_method"])
                for f in forms_ if f.initial.get("use")]
    if not all(form.is_valid() for form in forms_):
        return None
    return [form.scenario() for number, form in enumerate(forms_) if number == 0 or form.cleaned_data["use"]]


def plan_what_if(request, pk):
    user = request.user
    plan = visible_plan(user, pk)
    bound = any(key.startswith("s1-") for key in request.GET)
    forms_ = scenario_forms(plan, request.GET if bound else None)
    context = {"plan": plan, "forms": forms_, "title": f"{plan.name} · 方案比较"}
    scenarios = _scenarios(forms_, bound)
    if scenarios is not None:
        table = whatif.load_table(plan=plan, today=timezone.localdate())
        comparison = whatif.compare(table, scenarios, parameters=plan.effective_parameters,
                                    default_seats=seats_to_apportion(plan=plan))
        # The allocation is computed for the whole county (seats are shared); a user
        # below county level sees the rows of their own party organizations.
        visible = None if user.sees_whole_county else \
            PartyOrganization.objects.visible_to(user).values_list("pk", flat=True)
        rows = comparison.rows(visible_ids=None if visible is None else list(visible))
        sort = request.GET.get("sort", "")
        rows = whatif.sort_rows(rows, sort)
        query = request.GET.copy()
        for key in ("sort", "page"):
            query.pop(key, None)
        context.update(
            results=comparison.results,
            columns=_columns(comparison.results, sort),
            summary=whatif.summary(comparison.results, rows),
            chart=whatif.chart(rows, comparison.results),
            page_obj=Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
            sort=sort,
            base_query=query.urlencode(),
            querystring=_without_page(request),
        )
    return render(request, "quotas/what_if.html", context)


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _columns(results, sort: str) -> list[dict]:
    """Table headers: each compared scenario's change column sorts by it, largest gain
    first; a second click sorts largest loss first."""
    columns = []
    for number, result in enumerate(results, start=1):
        descending = f"-change-{number}"
        link = None if number == 1 else (f"change-{number}" if sort == descending else descending)
        columns.append({"title": result.title, "sort": link})
    return columns
