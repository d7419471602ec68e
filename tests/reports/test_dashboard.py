"""The dashboards: every figure drawn with its table, the drill-down, the filters, the
per-figure XLSX — and dashboard, API and XLSX giving the same numbers."""
import json
import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from reports import selectors
from tests.factories import OrganizationFactory, PartyOrganizationFactory, TownshipFactory

from .conftest import YEAR, make_dossier

DASHBOARD = reverse("reports:dashboard")


def figure_data(response, key) -> dict:
    """The JSON the page hands to ECharts for one figure."""
    match = re.search(rf'<script id="figure-data-{key}" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    assert match, f"no chart data for {key}"
    return json.loads(match.group(1))


@pytest.fixture
def frozen_today(monkeypatch):
    """Pages use today's date: pin it to the conftest's 'today' for known answers."""
    from django.utils import timezone

    from .conftest import TODAY

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def test_county_dashboard_shows_every_figure_with_table_and_chart_data(stats_world, frozen_today):
    response = stats_world.client_for(Role.COUNTY_ADMIN).get(DASHBOARD, {"year": YEAR})
    assert response.status_code == 200
    body = response.content.decode()
    for key in selectors.FIGURES:
        assert f'id="figure-{key}"' in body
        assert f'href="{reverse("reports:figure-download", args=[key])}?year={YEAR}' in body
    pipeline = figure_data(response, "pipeline")
    assert [(r["name"], r["applied"]) for r in pipeline["rows"]] == [("甲镇", 2), ("乙镇", 2)]
    assert pipeline["totals"]["probationary"] == 2
    assert "全县统计" in body and "echarts.min.js" in body and "js/reports.js" in body


def test_township_rows_drill_down_to_the_township_dashboard(stats_world, frozen_today):
    client = stats_world.client_for(Role.COUNTY_ADMIN)
    county = client.get(DASHBOARD, {"year": YEAR})
    township_a = stats_world.township_a
    link = f"{DASHBOARD}?year={YEAR}&amp;township={township_a.pk}"
    assert link in county.content.decode()
    drilled = client.get(DASHBOARD, {"year": YEAR, "township": township_a.pk})
    body = drilled.content.decode()
    party_org = stats_world.obj("party_organization", "own")
    assert "甲镇统计" in body and f'href="{DASHBOARD}?year={YEAR}&amp;township="' in body   # back up to the county
    rows = figure_data(drilled, "pipeline")["rows"]
    assert [(r["name"], r["applied"], r["url"]) for r in rows] == [
        (party_org.name, 2, reverse("organizations:party-organization-detail", args=[party_org.pk]))]
    units = figure_data(drilled, "unit_gaps")["rows"]
    assert units[0]["url"] == reverse("organizations:organization-detail", args=[stats_world.units["a2"].pk])
    assert "乙镇" not in json.dumps(figure_data(drilled, "coverage"), ensure_ascii=False)


def test_kind_filter_reaches_every_figure(stats_world, frozen_today):
    response = stats_world.client_for(Role.AUDITOR).get(DASHBOARD, {"year": YEAR, "kind": "social_org"})
    assert figure_data(response, "pipeline")["totals"]["applied"] == 1
    assert figure_data(response, "coverage")["totals"]["units"] == 2


def test_township_worker_lands_on_their_township(stats_world, frozen_today):
    client = stats_world.client_for(Role.TOWNSHIP_WORKER)
    response = client.get(DASHBOARD, {"year": YEAR})
    body = response.content.decode()
    assert response.status_code == 200 and "甲镇统计" in body and "乙镇" not in body
    assert figure_data(response, "plan")["totals"]["allocated"] == 3
    assert client.get(DASHBOARD, {"year": YEAR, "township": stats_world.township_b.pk}).status_code == 404
    download = reverse("reports:figure-download", args=["pipeline"])
    assert client.get(download, {"year": YEAR, "township": stats_world.township_b.pk}).status_code == 404


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.INSTRUCTOR])
def test_roles_without_statistics_are_refused(stats_world, role):
    client = stats_world.client_for(role)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(reverse("reports:figure-download", args=["pipeline"])).status_code == 403


def test_anonymous_goes_to_login(client, db):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_unknown_figure_is_404(stats_world):
    client = stats_world.client_for(Role.COUNTY_ADMIN)
    assert client.get(reverse("reports:figure-download", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("key", list(selectors.FIGURES))
def test_dashboard_api_and_xlsx_agree(stats_world, frozen_today, key):
    """One source per figure: the chart data, the API and the download carry the same rows."""
    params = {"year": YEAR}
    page = figure_data(stats_world.client_for(Role.COUNTY_ADMIN).get(DASHBOARD, params), key)
    api = stats_world.api_client_for(Role.COUNTY_ADMIN).get(reverse("api:stats-detail", args=[key]), params).json()
    download = stats_world.client_for(Role.COUNTY_ADMIN).get(reverse("reports:figure-download", args=[key]), params)
    sheet = load_workbook(BytesIO(download.content)).worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0] == [c["label"] for c in page["columns"]] == [c["label"] for c in api["columns"]]
    keys = [c["key"] for c in page["columns"]]
    page_rows = [[row.get(k) for k in keys] for row in page["rows"]]
    api_rows = [[row.get(k) for k in keys] for row in api["rows"]]
    assert page_rows == api_rows
    if page["totals"] and page["rows"]:
        assert table[-1][0] == "合计"
        assert table[-1][1:] == [page["totals"].get(k) for k in keys[1:]]
        table = table[:-1]
    assert table[1:] == page_rows


def test_dashboard_query_count_does_not_grow(stats_world, frozen_today, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = stats_world.client_for(Role.COUNTY_ADMIN)
    with CaptureQueriesContext(connection) as before:
        client.get(DASHBOARD, {"year": YEAR, "refresh": 1})
    for _ in range(4):
        township = TownshipFactory(parent=stats_world.county)
        for _ in range(5):
            unit = OrganizationFactory(township=township)
            make_dossier(PartyOrganizationFactory(area=township, covered_organizations=[unit]), unit,
                         applied_on=stats_world.dossiers["d3"].applied_on)
    with django_assert_max_num_queries(len(before)):
        client.get(DASHBOARD, {"year": YEAR, "refresh": 1})
    assert len(before) <= 40
    with CaptureQueriesContext(connection) as cached:
        client.get(DASHBOARD, {"year": YEAR})
    assert len(cached) <= 8          # session, user, townships — the figures come from the cache


def test_figures_are_kept_for_minutes_and_refreshed_on_demand(stats_world, frozen_today):
    """The dashboard, the download and the API read the same cached figure; 刷新 recomputes."""
    client = stats_world.client_for(Role.COUNTY_ADMIN)
    api = stats_world.api_client_for(Role.COUNTY_ADMIN)
    assert figure_data(client.get(DASHBOARD, {"year": YEAR}), "pipeline")["totals"]["applied"] == 4
    unit = stats_world.obj("organization", "own")
    make_dossier(stats_world.obj("party_organization", "own"), unit, applied_on=stats_world.dossiers["d3"].applied_on)
    page = client.get(DASHBOARD, {"year": YEAR})
    assert figure_data(page, "pipeline")["totals"]["applied"] == 4 and "统计于" in page.content.decode()
    assert api.get(reverse("api:stats-detail", args=["pipeline"]), {"year": YEAR}).json()["totals"]["applied"] == 4
    book = load_workbook(BytesIO(client.get(reverse("reports:figure-download", args=["pipeline"]),
                                            {"year": YEAR}).content))
    assert list(book.worksheets[0].iter_rows(values_only=True))[-1][1] == 4
    assert figure_data(client.get(DASHBOARD, {"year": YEAR, "refresh": 1}), "pipeline")["totals"]["applied"] == 5
    assert api.get(reverse("api:stats-detail", args=["pipeline"]), {"year": YEAR}).json()["totals"]["applied"] == 5
    # A township worker's figures are cached apart from the county's.
    worker = stats_world.client_for(Role.TOWNSHIP_WORKER).get(DASHBOARD, {"year": YEAR, "township": ""})
    assert figure_data(worker, "pipeline")["totals"]["applied"] == 3


def test_township_dashboard_renders_units_without_a_community(world):
    """Regression: on a township dashboard, units with no village/community recorded (the
    demo county's, the factories') grouped under None and broke the sort (500)."""
    from accounts.models import Role
    from tests.factories import CommunityFactory, OrganizationFactory

    OrganizationFactory(township=world.township_a, community=CommunityFactory(parent=world.township_a))
    response = world.client_for(Role.TOWNSHIP_WORKER).get("/reports/", follow=True)
    assert response.status_code == 200
    assert "（未填写村、社区）" in response.content.decode()
