"""How a figure reaches a person: links for the drill-down, table cells, one-figure
workbooks.  The numbers are never touched here — they come from reports.selectors."""
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from config.spreadsheets import workbook_bytes

from .figures import INSTRUCTOR, PARTY_ORG, PARTY_WORKER, TOWNSHIP, UNIT, Figure

DETAIL_URLS = {PARTY_ORG: "organizations:party-organization-detail", UNIT: "organizations:organization-detail",
               INSTRUCTOR: "organizations:instructor-detail", PARTY_WORKER: "organizations:party-worker-detail"}
KIND_NAMES = {"enterprise": "非公有制企业", "social_org": "社会组织"}


def dashboard_query(*, year, township=None, kind=None, **extra) -> str:
    params = {"year": year}
    if township is not None:
        params["township"] = township.pk if hasattr(township, "pk") else township
    if kind:
        params["kind"] = kind
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params)


def drill_url(drill: dict | None, *, year, kind=None) -> str:
    """Township rows open that township's dashboard; finer rows open the record's page."""
    if not drill or drill.get("id") is None:
        return ""
    if drill["level"] == TOWNSHIP:
        return f"{reverse('reports:dashboard')}?{dashboard_query(year=year, township=drill['id'], kind=kind)}"
    name = DETAIL_URLS.get(drill["level"])
    return reverse(name, args=[drill["id"]]) if name else ""


def cell_text(value, kind: str) -> str:
    """How a table shows a value: a missing rate as —, numbers as they are."""
    if value is None:
        return "" if kind == "text" else "—"
    return str(value)


@dataclass
class FigurePanel:
    """A figure as the dashboard draws it: the first ``limit`` rows with their links and
    cell texts (the download and the API carry every row), the chart data."""

    figure: Figure
    rows: list            # (url, [cell texts])
    totals: list | None   # cell texts, 合计 first
    total_rows: int
    chart: dict

    @property
    def truncated(self) -> bool:
        return self.total_rows > len(self.rows)

    @property
    def body_html(self) -> str:
        """The table's rows as HTML.  Written here rather than in the template: seventeen
        tables of up to thirty rows are thousands of cells, which the template engine
        renders several times slower than this (a third of the dashboard's time)."""
        if not self.rows:
            return format_html('<tr><td colspan="{}" class="text-muted text-center">暂无数据。</td></tr>',
                               len(self.figure.columns))
        html = []
        for url, cells in self.rows:
            first = (f'<a href="{escape(url)}" class="drill-link">{escape(cells[0])}</a>' if url
                     else escape(cells[0]))
            html.append(f"<tr><td>{first}</td>"
                        + "".join(f'<td class="text-end">{escape(text)}</td>' for text in cells[1:]) + "</tr>")
        return mark_safe("".join(html))  # every value above is escaped


def panel(figure: Figure, *, year, kind=None, limit: int) -> FigurePanel:
    shown = figure.rows[:limit]
    columns = figure.columns
    rows = [(drill_url(row.get("drill"), year=year, kind=kind), [cell_text(row.get(c.key), c.kind) for c in columns])
            for row in shown]
    totals = None
    if figure.totals and figure.rows:
        totals = ["合计"] + [cell_text(figure.totals.get(c.key), c.kind) for c in columns[1:]]
    chart = {"key": figure.key, "title": figure.title, "columns": [c.as_dict() for c in columns],
             "rows": [{**{k: v for k, v in row.items() if k != "drill"}, "url": url}
                      for row, (url, _) in zip(shown, rows)],
             "totals": figure.totals, "charts": figure.charts}
    return FigurePanel(figure=figure, rows=rows, totals=totals, total_rows=len(figure.rows), chart=chart)


def describe_filters(figure: Figure) -> list[list[str]]:
    filters = figure.filters
    period = (f"{filters['year']}年" if filters.get("year") else f"{filters.get('start')} 至 {filters.get('end')}")
    return [["统计时段", period], ["乡镇（街道）", filters.get("township_name") or "全部"],
            ["单位类别", KIND_NAMES.get(filters.get("kind"), "全部")], ["期末数截至", filters.get("as_of", "")],
            ["数据来源", figure.source], ["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")]]


def figure_workbook(figure: Figure) -> bytes:
    """One figure as a workbook: its table (totals last) and a sheet saying what it is."""
    headers, body = figure.table()
    about = describe_filters(figure) + [["说明", note] for note in figure.notes]
    return workbook_bytes([(figure.title, headers, body), ("说明", ["项目", "内容"], about)])


def figure_filename(figure: Figure) -> str:
    filters = figure.filters
    period = filters.get("year") or f"{filters.get('start')}_{filters.get('end')}"
    where = filters.get("township_name") or "全县"
    return f"{figure.title}-{where}-{period}.xlsx"
