"""/api/v1/stats/: every figure of the dashboard, the same selectors, any scope and filter."""
import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from reports import selectors

from .conftest import TODAY, YEAR


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def test_index_lists_every_figure(stats_world):
    response = stats_world.api_client_for(Role.AUDITOR).get(reverse("api:stats-list"))
    assert response.status_code == 200
    assert [row["key"] for row in response.json()] == list(selectors.FIGURES)
    assert response.json()[0]["url"].endswith(reverse("api:stats-detail", args=["pipeline"]))


@pytest.mark.parametrize("key", list(selectors.FIGURES))
def test_each_figure_is_the_selectors_figure(stats_world, key):
    admin = stats_world.users[Role.COUNTY_ADMIN]
    params = {"year": YEAR, "township": stats_world.township_a.pk}
    data = stats_world.api_client_for(Role.COUNTY_ADMIN).get(reverse("api:stats-detail", args=[key]), params).json()
    expected = selectors.build_figure(key, selectors.make_scope(user=admin, year=YEAR, today=TODAY,
                                                                township=stats_world.township_a)).as_dict()
    assert data == expected


def test_filters_and_date_ranges(stats_world):
    client = stats_world.api_client_for(Role.COUNTY_ADMIN)
    url = reverse("api:stats-detail", args=["pipeline"])
    assert client.get(url, {"year": YEAR, "kind": "social_org"}).json()["totals"]["applied"] == 1
    ranged = client.get(url, {"start": "2024-12-31", "end": "2025-01-02"}).json()
    assert ranged["totals"]["applied"] == 2 and ranged["filters"]["year"] is None
    assert client.get(url, {"start": "2024-12-31"}).status_code == 400
    assert client.get(url, {"start": "2025-01-02", "end": "2024-12-31"}).status_code == 400
    assert client.get(url, {"kind": "nothing"}).status_code == 400
    assert client.get(reverse("api:stats-detail", args=["nothing"])).status_code == 404


def test_api_client_reads_its_townships_only(stats_world):
    client = stats_world.api_client_for(Role.API_CLIENT)       # token authentication
    url = reverse("api:stats-detail", args=["coverage"])
    data = client.get(url, {"year": YEAR}).json()
    assert [row["name"] for row in data["rows"]] == ["甲镇"] and data["totals"]["units"] == 3
    assert client.get(url, {"year": YEAR, "township": stats_world.township_b.pk}).status_code == 404


@pytest.mark.parametrize("role,status", [(Role.SECRETARY, 403), (Role.INSTRUCTOR, 403), (Role.AUDITOR, 200),
                                         (Role.TOWNSHIP_WORKER, 200)])
def test_who_may_read_statistics(stats_world, role, status):
    client = stats_world.api_client_for(role)
    assert client.get(reverse("api:stats-list")).status_code == status
    assert client.get(reverse("api:stats-detail", args=["pipeline"])).status_code == status
    assert client.get(reverse("api:report-run-list")).status_code == status


def test_anonymous_is_refused(client, db):
    assert client.get(reverse("api:stats-list")).status_code == 401


def test_schema_has_the_statistics_paths_and_no_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    for path in ("/api/v1/stats/", "/api/v1/stats/{key}/", "/api/v1/report-runs/", "/api/v1/report-runs/{id}/rerun/",
                 "/api/v1/report-runs/{id}/download/"):
        assert f"{path}:" in schema
