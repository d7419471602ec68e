"""Template helpers of the statistics pages: a figure's cell and its chart data."""
from django import template
from django.utils.html import json_script

from ..presentation import cell_text

register = template.Library()


@register.filter
def cell(row: dict, column) -> str:
    """A table cell: the value of ``column`` (a Column, or its dict kept on a report run)
    in ``row``; a missing rate shows as —."""
    key, kind = (column["key"], column["kind"]) if isinstance(column, dict) else (column.key, column.kind)
    return cell_text((row or {}).get(key), kind)


@register.filter
def panel_script(panel):
    """A dashboard panel's chart data in <script type="application/json" id="figure-data-KEY">."""
    return json_script(panel.chart, f"figure-data-{panel.figure.key}")
