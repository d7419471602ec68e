"""Dashboards (county and township) and the figure downloads.

One view draws both dashboards: the county's (rows per township) and, with a township
chosen — by a county user drilling down, or for a township worker by default — the
township's (rows per party organization, unit, instructor, …); from there rows link to
the record's own page.  Report runs have their pages in reports.views.runs.
"""
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from config.downloads import content_attachment
from config.spreadsheets import XLSX_TYPE

from ..access import StatisticsFilterForm, require_statistics, visible_townships
from ..presentation import dashboard_query, figure_filename, figure_workbook, panel
from ..figure_cache import CACHE_SECONDS, cached_figure, cached_figures
from ..selectors import FIGURES, make_scope

TABLE_ROWS = 30    # a dashboard table (and chart) shows this many rows; the download has them all


def _scope(request):
    require_statistics(request.user)
    form = StatisticsFilterForm(request.GET or None, user=request.user)
    values = form.values()
    return form, values, make_scope(user=request.user, **values)


def dashboard(request):
    form, values, scope = _scope(request)
    figures, computed_at = cached_figures(scope, FIGURES, refresh=bool(request.GET.get("refresh")))
    panels = [panel(figure, year=values["year"], kind=values["kind"], limit=TABLE_ROWS) for figure in figures]
    township = values["township"]
    county_user = request.user.sees_whole_county
    many_townships = len(visible_townships(request.user)) > 1
    return render(request, "reports/dashboard.html", {
        "title": f"{township.name}统计" if township else ("全县统计" if county_user else "统计"),
        "form": form, "filters": values, "panels": panels, "table_rows": TABLE_ROWS, "computed_at": computed_at,
        "cache_minutes": CACHE_SECONDS // 60,
        "query": dashboard_query(year=values["year"], township=township, kind=values["kind"]),
        "up_url": (f"{reverse('reports:dashboard')}?"
                   f"{dashboard_query(year=values['year'], kind=values['kind'], township='')}"
                   if township and (county_user or many_townships) else ""),
        "up_label": "全县" if county_user else "全部乡镇（街道）",
    })


def figure_download(request, key):
    if key not in FIGURES:
        raise Http404("没有该统计图表。")
    _, _, scope = _scope(request)
    figure = cached_figure(scope, key)
    return content_attachment(figure_workbook(figure), figure_filename(figure), XLSX_TYPE)
