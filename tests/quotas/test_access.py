"""Role × endpoint × own/foreign object for every development-plan page and API endpoint.

The expectations come from one table of rights per role (the README's role table read
for the plans: the county administrator plans, grades and decides; township workers,
API clients and secretaries file and withdraw requests for their own party
organizations; everyone reads plans and, within their scope, allocations).  A denied
write changes nothing.  A guard fails when a quotas URL is missing from the matrix.
"""
from datetime import date

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from members.choices import Stage
from quotas.models import (
    EvaluationGrade, PlanStatus, QuotaAllocation, QuotaPlan, QuotaRequest, Reallocation, RecomputeJob, RequestStatus,
)
from tests.quotas.test_plans import dossier_at

RIGHTS = {  # foreign: reads outside its scope; county: plans, grades, decisions; files: requests
    Role.COUNTY_ADMIN: {"foreign": True, "county": True, "files": True},
    Role.AUDITOR: {"foreign": True, "county": False, "files": False},
    Role.TOWNSHIP_WORKER: {"foreign": False, "county": False, "files": True},
    Role.API_CLIENT: {"foreign": False, "county": False, "files": True},
    Role.SECRETARY: {"foreign": False, "county": False, "files": True},
    Role.INSTRUCTOR: {"foreign": False, "county": False, "files": False},
}
PAGE_ROLES = [r for r in RIGHTS if r != Role.API_CLIENT]   # API clients cannot log in to pages


@pytest.fixture
def quota_world(world):
    admin = world.users[Role.COUNTY_ADMIN]
    # 4 seats: 2 allocated below, 2 still with the county (approving a request takes one).
    plan = QuotaPlan.objects.create(year=2026, name="2026年发展党员计划", total_seats=4, unallocated_seats=2,
                                    status=PlanStatus.ISSUED, computed_at=timezone.now(), created_by=admin)
    own, foreign = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    # Own: 2 seats and nobody to use them; foreign: a candidate and no seat — a rebalance has work.
    allocations = {"own": QuotaAllocation.objects.create(plan=plan, party_org=own, area=own.area, seats=2),
                   "foreign": QuotaAllocation.objects.create(plan=plan, party_org=foreign, area=foreign.area)}
    dossier_at(foreign, Stage.CANDIDATE)
    for which, party_org in (("own", own), ("foreign", foreign)):
        world.objects[("allocation", which)] = allocations[which]
        world.objects[("request", which)] = QuotaRequest.objects.create(plan=plan, party_org=party_org, seats=1,
                                                                        reason="发展对象较多")
        world.objects[("grade", which)] = EvaluationGrade.objects.create(party_org=party_org, year=2025, grade="B")
        world.objects[("party_org", which)] = party_org
    world.objects[("plan", None)] = plan
    world.objects[("job", None)] = RecomputeJob.objects.create(plan=plan, status="done", progress=100)
    # The rebalance on record belongs to last year's plan: after a rebalance a plan is no
    # longer recomputed (tests/quotas/test_rebalance.py), and this plan's recompute is in the table.
    last_year = QuotaPlan.objects.create(year=2025, name="2025年发展党员计划", total_seats=0,
                                         status=PlanStatus.CLOSED, created_by=admin)
    world.objects[("reallocation", None)] = Reallocation.objects.create(plan=last_year, on=date(2025, 6, 30),
                                                                        method="hamilton", pool=0)
    return world


def read(role, which):
    return 200 if which != "foreign" or RIGHTS[role]["foreign"] else 404


def county_write(role, which, ok):
    if which == "foreign" and not RIGHTS[role]["foreign"]:
        return 404
    return ok if RIGHTS[role]["county"] else 403


def filer_write(role, which, ok):
    """Withdrawing: whoever may change the party organization (not read-only roles)."""
    if which == "foreign" and not RIGHTS[role]["foreign"]:
        return 404
    return ok if RIGHTS[role]["files"] else 403


PLAN_FORM = {"year": 2027, "name": "2027年计划", "total_seats": 5, "reserve_seats": 0, "township_method": "webster",
             "org_method": "hamilton", "candidate_weight": 1, "activist_weight": 0.5, "completion_weight": 0.5,
             "overdue_penalty": 0.5, "minimum_quality": 0.6, "grade_factor_A": 1.2, "grade_factor_B": 1,
             "grade_factor_C": 0.8, "grade_factor_D": 0.5, "good_standing_grades": ["A", "B", "C"]}


def page_data(world, name):
    plan, own = world.obj("plan", None), world.obj("party_org", "own")
    return {
        "quotas:plan-create": PLAN_FORM,
        "quotas:plan-edit": {**PLAN_FORM, "year": 2026, "name": "改名"},
        "quotas:plan-rebalance": {"on": "2026-06-30", "method": "hamilton"},
        "quotas:grade-edit": {"grade": "A", "note": "示范"},
        "quotas:request-create": {"plan": plan.pk, "party_org": own.pk, "seats": 1, "reason": "再申请"},
        "quotas:request-approve": {"approved_seats": 1},
        "quotas:request-reject": {"note": "不予批准"},
    }.get(name, {})


# ---- pages ---------------------------------------------------------------------------------------

PAGE_ROWS = []   # role, method, url name, object family, which, status
for role in PAGE_ROLES:
    county, files = RIGHTS[role]["county"], RIGHTS[role]["files"]
    for name in ("quotas:plan-list", "quotas:grade-list", "quotas:request-list"):
        PAGE_ROWS.append((role, "get", name, None, None, 200))
    for name in ("quotas:plan-detail", "quotas:plan-whatif", "quotas:plan-rebalance"):
        PAGE_ROWS.append((role, "get", name, "plan", None, 200))
    PAGE_ROWS.append((role, "get", "quotas:job-status", "job", None, 200))
    PAGE_ROWS.append((role, "get", "quotas:reallocation-detail", "reallocation", None, 200))
    PAGE_ROWS.append((role, "get", "quotas:plan-create", None, None, 200 if county else 403))
    PAGE_ROWS.append((role, "post", "quotas:plan-create", None, None, 302 if county else 403))
    PAGE_ROWS.append((role, "get", "quotas:plan-edit", "plan", None, 200 if county else 403))
    for name in ("quotas:plan-edit", "quotas:plan-recompute", "quotas:plan-issue", "quotas:plan-rebalance"):
        PAGE_ROWS.append((role, "post", name, "plan", None, 302 if county else 403))
    PAGE_ROWS.append((role, "get", "quotas:request-create", None, None, 200 if files else 403))
    PAGE_ROWS.append((role, "post", "quotas:request-create", None, None, 302 if files else 403))
    for which in ("own", "foreign"):
        PAGE_ROWS.append((role, "get", "quotas:grade-edit", "grade", which, county_write(role, which, 200)))
        PAGE_ROWS.append((role, "post", "quotas:grade-edit", "grade", which, county_write(role, which, 302)))
        PAGE_ROWS.append((role, "get", "quotas:request-detail", "request", which, read(role, which)))
        for name in ("quotas:request-approve", "quotas:request-reject"):
            PAGE_ROWS.append((role, "post", name, "request", which, county_write(role, which, 302)))
        PAGE_ROWS.append((role, "post", "quotas:request-withdraw", "request", which, filer_write(role, which, 302)))


def url_for(world, name, family, which):
    if family is None:
        return reverse(name)
    obj = world.obj(family, which)
    if name.endswith("grade-edit"):
        return reverse(name, args=[obj.party_org_id, obj.year])
    return reverse(name, args=[obj.pk])


def snapshot(world):
    """What a denied write must leave as it was."""
    plan = QuotaPlan.objects.get(pk=world.obj("plan", None).pk)
    return (plan.name, plan.status, QuotaPlan.objects.count(), RecomputeJob.objects.count(),
            Reallocation.objects.count(), sorted(QuotaRequest.objects.values_list("pk", "status")),
            sorted(EvaluationGrade.objects.values_list("pk", "grade")),
            sorted(QuotaAllocation.objects.values_list("pk", "seats")))


@pytest.mark.parametrize("role,method,name,family,which,status", PAGE_ROWS)
def test_page_access(quota_world, role, method, name, family, which, status):
    world = quota_world
    url = url_for(world, name, family, which)
    client = world.client_for(role)
    before = snapshot(world)
    response = client.get(url) if method == "get" else client.post(url, page_data(world, name))
    assert response.status_code == status, getattr(response, "context", None) and \
        response.context.get("form") and response.context["form"].errors
    if status >= 400 or method == "get":
        assert snapshot(world) == before, "a read or a denied write changed something"


def test_lists_are_scoped(quota_world):
    world = quota_world
    worker = world.client_for(Role.TOWNSHIP_WORKER)
    plan = world.obj("plan", None)
    assert [a.pk for a in worker.get(plan.get_absolute_url()).context["object_list"]] == \
        [world.obj("allocation", "own").pk]
    assert [r.pk for r in worker.get(reverse("quotas:request-list")).context["object_list"]] == \
        [world.obj("request", "own").pk]


# ---- API -------------------------------------------------------------------------------------------

def api_data(world, name):
    plan, own = world.obj("plan", None), world.obj("party_org", "own")
    return {
        "api:plan-list": {"year": 2027, "name": "2027年计划", "total_seats": 5},
        "api:plan-detail": {"name": "改名"},
        "api:plan-what-if": {"scenarios": [{"township_method": "hamilton", "org_method": "hamilton"}]},
        "api:plan-rebalance": {"on": "2026-06-30"},
        "api:quota-request-list": {"plan": plan.pk, "party_org": own.pk, "seats": 1, "reason": "再申请"},
        "api:quota-request-approve": {"approved_seats": 1},
        "api:quota-request-reject": {"note": "不予批准"},
        "api:evaluation-grade-list": {"party_org": own.pk, "year": 2024, "grade": "A"},
        "api:evaluation-grade-detail": {"grade": "A"},
    }.get(name, {})


API_ROWS = []
for role in RIGHTS:
    county, files = RIGHTS[role]["county"], RIGHTS[role]["files"]
    for name in ("api:plan-list", "api:allocation-list", "api:recompute-job-list", "api:quota-request-list",
                 "api:evaluation-grade-list"):
        API_ROWS.append((role, "get", name, None, None, 200))
    API_ROWS.append((role, "get", "api:plan-detail", "plan", None, 200))
    API_ROWS.append((role, "get", "api:recompute-job-detail", "job", None, 200))
    API_ROWS.append((role, "get", "api:plan-rebalance", "plan", None, 200))
    API_ROWS.append((role, "post", "api:plan-what-if", "plan", None, 200))
    API_ROWS.append((role, "post", "api:plan-list", None, None, 201 if county else 403))
    API_ROWS.append((role, "patch", "api:plan-detail", "plan", None, 200 if county else 403))
    API_ROWS.append((role, "delete", "api:plan-detail", "plan", None, 405))
    API_ROWS.append((role, "post", "api:plan-recompute", "plan", None, 202 if county else 403))
    API_ROWS.append((role, "post", "api:plan-issue", "plan", None, 200 if county else 403))
    API_ROWS.append((role, "post", "api:plan-rebalance", "plan", None, 201 if county else 403))
    API_ROWS.append((role, "post", "api:quota-request-list", None, None, 201 if files else 403))
    API_ROWS.append((role, "post", "api:evaluation-grade-list", None, None, 201 if county else 403))
    for which in ("own", "foreign"):
        API_ROWS.append((role, "get", "api:allocation-detail", "allocation", which, read(role, which)))
        API_ROWS.append((role, "get", "api:quota-request-detail", "request", which, read(role, which)))
        API_ROWS.append((role, "get", "api:evaluation-grade-detail", "grade", which, read(role, which)))
        API_ROWS.append((role, "patch", "api:evaluation-grade-detail", "grade", which, county_write(role, which, 200)))
        for name in ("api:quota-request-approve", "api:quota-request-reject"):
            API_ROWS.append((role, "post", name, "request", which, county_write(role, which, 200)))
        API_ROWS.append((role, "post", "api:quota-request-withdraw", "request", which, filer_write(role, which, 200)))


@pytest.mark.parametrize("role,method,name,family,which,status", API_ROWS)
def test_api_access(quota_world, role, method, name, family, which, status):
    world = quota_world
    url = url_for(world, name, family, which)
    client = world.api_client_for(role)
    before = snapshot(world)
    data = api_data(world, name)
    if method == "get":
        response = client.get(url, data if name == "api:plan-rebalance" else None)
    else:
        response = getattr(client, method)(url, data, format="json")
    assert response.status_code == status, response.content.decode()[:500]
    if status >= 400 or method == "get" or name == "api:plan-what-if":
        assert snapshot(world) == before, "a read or a denied write changed something"
    if status >= 400 and status != 405:
        assert response["Content-Type"].startswith("application/json")


def test_requests_withdrawn_by_a_filer_were_theirs(quota_world):
    world = quota_world
    response = world.api_client_for(Role.SECRETARY).post(
        reverse("api:quota-request-withdraw", args=[world.obj("request", "own").pk]))
    assert response.status_code == 200
    assert QuotaRequest.objects.get(pk=world.obj("request", "own").pk).status == RequestStatus.WITHDRAWN


def test_anonymous_is_sent_to_login_or_refused(quota_world, client):
    response = client.get(reverse("quotas:plan-list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.get(reverse("api:plan-list")).status_code == 401


# ---- guard: the matrix covers every quotas URL ------------------------------------------------

QUOTA_API_PREFIXES = ("api:plan-", "api:allocation-", "api:recompute-job-", "api:quota-request-",
                      "api:evaluation-grade-")


def _named_urls(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_urls(pattern, namespace)
        elif pattern.name:
            yield f"{prefix}{pattern.name}"


def test_matrix_covers_every_quotas_url():
    covered = {row[2] for row in PAGE_ROWS + API_ROWS}
    ours = {name for name in _named_urls(get_resolver())
            if name.startswith("quotas:") or name.startswith(QUOTA_API_PREFIXES)}
    assert ours and ours - covered == set()
