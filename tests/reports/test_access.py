"""Role × endpoint × own/foreign report run for the statistics pages and API.

Who may: county administrators and auditors (the whole county, every run), township
workers and API clients (their townships, their own runs).  Secretaries and
instructors: 403.  A run of someone else is a 404 below county level.  A guard fails
when a statistics URL is not in the table.
"""
from datetime import date

import pytest
from django.urls import get_resolver, reverse

from accounts.models import Role
from reports import services
from reports.models import ReportRun

STATS = {Role.COUNTY_ADMIN: "county", Role.AUDITOR: "county", Role.TOWNSHIP_WORKER: "own",
         Role.API_CLIENT: "own", Role.SECRETARY: None, Role.INSTRUCTOR: None}
PAGE_ROLES = [r for r in STATS if r != Role.API_CLIENT]


def expected(role, which, ok=200):
    if STATS[role] is None:
        return 403
    if which == "foreign" and STATS[role] != "county":
        return 404
    return ok


@pytest.fixture
def runs(world, settings, tmp_path, django_capture_on_commit_callbacks):
    """A finished run of township A's worker ("own") and one of the county ("foreign");
    the county's is built for real, the worker's is a copy of it under their name (the
    access rules read who asked, not what is inside)."""
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        county = services.start_report(by=world.users[Role.COUNTY_ADMIN], start=date(2024, 1, 1),
                                       end=date(2024, 12, 31))
    county.refresh_from_db()
    own = ReportRun.objects.get(pk=county.pk)
    own.pk, own.requested_by = None, world.users[Role.TOWNSHIP_WORKER]
    own.parameters = {**own.parameters, "township": world.township_a.pk}
    own.save()
    return {"own": own, "foreign": county}


PAGE_ROWS = []
for role in PAGE_ROLES:
    PAGE_ROWS += [(role, "get", "reports:dashboard", None, expected(role, None)),
                  (role, "get", "reports:figure-download", None, expected(role, None)),
                  (role, "get", "reports:run-list", None, expected(role, None)),
                  (role, "post", "reports:run-list", None, expected(role, None, 302))]
    for which in ("own", "foreign"):
        for name in ("run-detail", "run-progress", "run-download", "run-download-pdf", "run-print"):
            PAGE_ROWS.append((role, "get", f"reports:{name}", which, expected(role, which)))
        PAGE_ROWS.append((role, "post", "reports:run-rerun", which, expected(role, which, 302)))


@pytest.mark.parametrize("role,method,name,which,status", PAGE_ROWS)
def test_page_access(world, runs, role, method, name, which, status, django_capture_on_commit_callbacks):
    run = runs.get(which)
    if name == "reports:figure-download":
        url = reverse(name, args=["pipeline"])
    else:
        url = reverse(name, args=[run.pk] if run else [])
    client = world.client_for(role)
    before = ReportRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url) if method == "get" else client.post(url, {"year": 2024, "source": "live"})
    assert response.status_code == status
    if method == "post" and status != 302:
        assert ReportRun.objects.count() == before, "a refused request started a report"


API_ROWS = []
for role in STATS:
    API_ROWS += [(role, "get", "api:stats-list", None, expected(role, None)),
                 (role, "get", "api:stats-detail", None, expected(role, None)),
                 (role, "get", "api:report-run-list", None, expected(role, None)),
                 (role, "post", "api:report-run-list", None, expected(role, None, 202))]
    for which in ("own", "foreign"):
        API_ROWS += [(role, "get", "api:report-run-detail", which, expected(role, which)),
                     (role, "get", "api:report-run-download", which, expected(role, which)),
                     (role, "get", "api:report-run-download-pdf", which, expected(role, which)),
                     (role, "post", "api:report-run-rerun", which, expected(role, which, 202)),
                     (role, "delete", "api:report-run-detail", which, 403 if STATS[role] is None else 405)]


@pytest.mark.parametrize("role,method,name,which,status", API_ROWS)
def test_api_access(world, runs, role, method, name, which, status, django_capture_on_commit_callbacks):
    run = runs.get(which)
    if name == "api:stats-detail":
        url = reverse(name, args=["pipeline"])
    else:
        url = reverse(name, args=[run.pk] if run else [])
    # The API client's "own" run is its township worker colleague's: not its own, so 404.
    if role == Role.API_CLIENT and which == "own":
        status = 404 if status in (200, 202) else status
    client = world.api_client_for(role)
    before = ReportRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(url, {"year": 2024}, format="json") if method != "get" else client.get(url)
    assert response.status_code == status
    if status != 202:
        assert ReportRun.objects.count() == before, "a refused request started a report"


def _named_urls(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_urls(pattern, namespace)
        elif pattern.name:
            yield f"{prefix}{pattern.name}"


def test_matrix_covers_every_statistics_url():
    covered = {row[2] for row in PAGE_ROWS + API_ROWS}
    ours = {name for name in _named_urls(get_resolver())
            if (name.startswith("reports:") or name.startswith(("api:stats-", "api:report-run-")))
            and "-format" not in name}
    assert ours - covered == set()
