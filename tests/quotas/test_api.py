"""The development-plan API through the real router: plans and their actions, allocations,
recompute jobs, requests and grades; errors as JSON; scoped lists."""
import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from members.choices import Stage
from members.models import Dossier
from quotas.models import (
    EvaluationGrade, JobStatus, PlanStatus, QuotaAllocation, QuotaPlan, QuotaRequest, Reallocation, RequestStatus,
)
from quotas.models.plans import DEFAULT_PARAMETERS
from tests.quotas.test_plans import dossier_at, make_plan, recompute


@pytest.fixture
def admin_api(world):
    return world.api_client_for(Role.COUNTY_ADMIN)


@pytest.fixture
def computed(world, django_capture_on_commit_callbacks):
    admin = world.users[Role.COUNTY_ADMIN]
    for which, count in (("own", 3), ("foreign", 2)):
        for _ in range(count):
            dossier_at(world.obj("party_organization", which), Stage.CANDIDATE)
    plan = make_plan(admin, year=2026, seats=6)
    recompute(plan, admin, django_capture_on_commit_callbacks)
    return plan


def test_create_plan_with_some_parameters_keeps_the_defaults_for_the_rest(admin_api, world):
    response = admin_api.post(reverse("api:plan-list"), {
        "year": 2026, "name": "2026年计划", "total_seats": 8, "org_method": "jefferson",
        "parameters": {"activist_weight": 0.3, "grade_factors": {"A": 1.5}}}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    plan = QuotaPlan.objects.get(pk=data["id"])
    assert plan.created_by == world.users[Role.COUNTY_ADMIN] and plan.org_method == "jefferson"
    assert data["parameters"]["activist_weight"] == 0.3 and data["parameters"]["candidate_weight"] == 1.0
    assert data["parameters"]["grade_factors"] == {**DEFAULT_PARAMETERS["grade_factors"], "A": 1.5}
    patched = admin_api.patch(reverse("api:plan-detail", args=[plan.pk]),
                              {"parameters": {"candidate_weight": 2}}, format="json")
    assert patched.status_code == 200
    plan.refresh_from_db()
    assert plan.parameters["candidate_weight"] == 2 and plan.parameters["activist_weight"] == 0.3


def test_plan_errors_are_json_naming_the_fields(admin_api):
    response = admin_api.post(reverse("api:plan-list"), {
        "year": 2026, "name": "计划", "total_seats": 2, "reserve_seats": 3,
        "parameters": {"completion_weight": 2}}, format="json")
    assert response.status_code == 400
    assert "parameters" in response.json() and "completion_weight" in response.json()["parameters"]
    response = admin_api.post(reverse("api:plan-list"), {"year": 2026, "name": "计划", "total_seats": 2,
                                                         "reserve_seats": 3}, format="json")
    assert response.status_code == 400 and response.json() == {"reserve_seats": ["县级预留名额不能超过上级下达名额。"]}
    assert not QuotaPlan.objects.exists()


def test_recompute_answers_202_with_a_job_to_poll(admin_api, computed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(reverse("api:plan-recompute", args=[computed.pk]))
    assert response.status_code == 202
    job = admin_api.get(reverse("api:recompute-job-detail", args=[response.json()["id"]])).json()
    assert job["status"] == JobStatus.DONE and job["progress"] == 100 and "total" in job["timings"]
    listed = admin_api.get(reverse("api:recompute-job-list"), {"plan": computed.pk}).json()
    assert listed["count"] == 2


def test_issue_before_compute_is_a_domain_error(admin_api, world, computed):
    fresh = make_plan(world.users[Role.COUNTY_ADMIN], year=2027)
    response = admin_api.post(reverse("api:plan-issue", args=[fresh.pk]))
    assert response.status_code == 400
    assert response.json() == {"code": "plan_not_computed", "message": "请先计算名额分配，再下达计划。", "data": {}}
    assert admin_api.post(reverse("api:plan-issue", args=[computed.pk])).json()["status"] == PlanStatus.ISSUED


def test_non_county_writes_are_refused_and_change_nothing(world, computed):
    client = world.api_client_for(Role.TOWNSHIP_WORKER)
    assert client.post(reverse("api:plan-list"), {"year": 2030, "name": "x", "total_seats": 1},
                       format="json").status_code == 403
    assert client.patch(reverse("api:plan-detail", args=[computed.pk]), {"total_seats": 99},
                        format="json").status_code == 403
    assert client.post(reverse("api:plan-recompute", args=[computed.pk])).status_code == 403
    assert client.post(reverse("api:plan-issue", args=[computed.pk])).status_code == 403
    computed.refresh_from_db()
    assert computed.total_seats == 6 and computed.status == PlanStatus.DRAFT and computed.jobs.count() == 1


def test_allocations_are_scoped_and_filtered(world, computed):
    own, foreign = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    worker = world.api_client_for(Role.API_CLIENT)
    rows = worker.get(reverse("api:allocation-list")).json()["results"]
    assert [row["party_org"] for row in rows] == [own.pk]
    assert rows[0]["breakdown"]["candidates"] == 3 and rows[0]["seats"] == 3
    foreign_row = QuotaAllocation.objects.get(party_org=foreign)
    assert worker.get(reverse("api:allocation-detail", args=[foreign_row.pk])).status_code == 404
    county = world.api_client_for(Role.AUDITOR)
    assert county.get(reverse("api:allocation-list"), {"township": world.township_b.pk}).json()["count"] == 1
    assert county.get(reverse("api:allocation-list"), {"party_org": own.pk, "plan": computed.pk}).json()["count"] == 1
    assert county.get(reverse("api:allocation-list"), {"plan": computed.pk}).json()["count"] == 2


def test_rebalance_preview_and_perform(world, admin_api, computed):
    # 6 seats: 3 + 2 allocated, 1 left.  One of the own unit's candidates ends: it holds
    # 3 seats for 2 candidates, so 1 seat is unusable; the foreign unit gains a candidate.
    QuotaAllocation.objects.filter(party_org=world.obj("party_organization", "foreign")).update(seats=2)
    computed.status = PlanStatus.ISSUED
    computed.save()
    own = world.obj("party_organization", "own")
    Dossier.objects.filter(pk=own.dossiers.filter(stage=Stage.CANDIDATE).first().pk).update(state="ended")
    dossier_at(world.obj("party_organization", "foreign"), Stage.CANDIDATE)
    url = reverse("api:plan-rebalance", args=[computed.pk])
    preview = admin_api.get(url, {"on": "2026-06-30"})
    assert preview.status_code == 200, preview.content
    assert (preview.json()["pool"], preview.json()["placed"]) == (1, 1)
    assert {line["party_org"]: line["after"] - line["before"] for line in preview.json()["lines"]} == \
        {own.pk: -1, world.obj("party_organization", "foreign").pk: 1}
    scoped = world.api_client_for(Role.API_CLIENT).get(url, {"on": "2026-06-30"}).json()
    assert [line["party_org"] for line in scoped["lines"]] == [own.pk]
    outside = admin_api.get(url, {"on": "2025-06-30"})
    assert outside.status_code == 400 and outside.json()["code"] == "date_outside_plan_year"
    assert world.api_client_for(Role.TOWNSHIP_WORKER).post(url, {"on": "2026-06-30"}, format="json").status_code == 403
    done = admin_api.post(url, {"on": "2026-06-30", "method": "webster", "note": "年中"}, format="json")
    assert done.status_code == 201 and done.json()["pool"] == 1 and done.json()["method"] == "webster"
    assert Reallocation.objects.get().performed_by == world.users[Role.COUNTY_ADMIN]


def test_request_flow_through_the_api(world, computed):
    worker = world.api_client_for(Role.API_CLIENT)
    own, foreign = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    created = worker.post(reverse("api:quota-request-list"), {"plan": computed.pk, "party_org": own.pk, "seats": 2,
                                                               "reason": "发展对象较多"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == RequestStatus.PENDING
    refused = worker.post(reverse("api:quota-request-list"), {"plan": computed.pk, "party_org": foreign.pk,
                                                               "seats": 1, "reason": "x"}, format="json")
    assert refused.status_code == 400 and "party_org" in refused.json()
    pk = created.json()["id"]
    assert worker.post(reverse("api:quota-request-approve", args=[pk]), {}, format="json").status_code == 403
    county = world.api_client_for(Role.COUNTY_ADMIN)
    no_note = county.post(reverse("api:quota-request-reject", args=[pk]), {}, format="json")
    assert no_note.status_code == 400 and "note" in no_note.json()
    approved = county.post(reverse("api:quota-request-approve", args=[pk]), {"approved_seats": 1}, format="json")
    assert approved.status_code == 200 and approved.json()["approved_seats"] == 1
    again = worker.post(reverse("api:quota-request-withdraw", args=[pk]))
    assert again.status_code == 400 and again.json()["code"] == "request_decided"
    second = worker.post(reverse("api:quota-request-list"), {"plan": computed.pk, "party_org": own.pk, "seats": 1,
                                                              "reason": "再申请"}, format="json").json()["id"]
    assert worker.post(reverse("api:quota-request-withdraw", args=[second])).json()["status"] == RequestStatus.WITHDRAWN
    assert [r["id"] for r in worker.get(reverse("api:quota-request-list"), {"status": "approved"}).json()["results"]] \
        == [pk]


def test_grades_county_only(world, computed):
    own = world.obj("party_organization", "own")
    county = world.api_client_for(Role.COUNTY_ADMIN)
    created = county.post(reverse("api:evaluation-grade-list"), {"party_org": own.pk, "year": 2025, "grade": "A"},
                          format="json")
    assert created.status_code == 201, created.content
    grade = EvaluationGrade.objects.get()
    assert grade.history.get().history_user == world.users[Role.COUNTY_ADMIN]
    duplicate = county.post(reverse("api:evaluation-grade-list"), {"party_org": own.pk, "year": 2025, "grade": "B"},
                            format="json")
    assert duplicate.status_code == 400
    moved = county.patch(reverse("api:evaluation-grade-detail", args=[grade.pk]), {"grade": "C", "year": 2020},
                         format="json")
    assert moved.status_code == 200 and moved.json()["year"] == 2025 and moved.json()["grade"] == "C"
    worker = world.api_client_for(Role.TOWNSHIP_WORKER)
    assert worker.patch(reverse("api:evaluation-grade-detail", args=[grade.pk]), {"grade": "D"},
                        format="json").status_code == 403
    assert worker.post(reverse("api:evaluation-grade-list"), {"party_org": own.pk, "year": 2024, "grade": "D"},
                       format="json").status_code == 403
    bad = county.post(reverse("api:evaluation-grade-list"), {"party_org": own.pk, "year": 2024, "grade": "E"},
                      format="json")
    assert bad.status_code == 400 and "grade" in bad.json()
    grade.refresh_from_db()
    assert grade.grade == "C" and EvaluationGrade.objects.count() == 1
    assert [g["id"] for g in worker.get(reverse("api:evaluation-grade-list"), {"year": 2025}).json()["results"]] \
        == [grade.pk]


def test_list_endpoints_keep_a_fixed_query_count(world, computed, django_assert_max_num_queries):
    for _ in range(5):
        QuotaRequest.objects.create(plan=computed, party_org=world.obj("party_organization", "own"), seats=1,
                                    reason="x", requested_by=world.users[Role.TOWNSHIP_WORKER])
    client = world.api_client_for(Role.COUNTY_ADMIN)
    for name in ("api:plan-list", "api:allocation-list", "api:recompute-job-list", "api:quota-request-list",
                 "api:evaluation-grade-list"):
        with django_assert_max_num_queries(6):
            assert client.get(reverse(name)).status_code == 200


def test_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/v1/plans/{id}/what-if/", "/api/v1/plans/{id}/rebalance/", "/api/v1/recompute-jobs/",
                 "/api/v1/quota-requests/{id}/approve/", "/api/v1/evaluation-grades/", "/api/v1/allocations/"):
        assert path in schema
