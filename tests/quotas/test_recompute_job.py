"""The recompute job as a Celery worker runs it: progress others can follow while it runs,
what changes while it reads, and plans it must not recompute.

The progress test is transactional (no test-wide transaction): the job commits as it would
in a worker, and a second thread — a second database connection — opens the job-status page
and the API while the engine runs, as the plan page's htmx poll does.
"""
import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Role
from members.choices import Stage
from quotas import recompute as recompute_module
from quotas import services
from quotas.errors import QuotaError
from quotas.models import JobStatus, PlanStatus, QuotaAllocation, QuotaPlan, Reallocation, RecomputeJob
from quotas.rebalance import rebalance
from tests.quotas.test_plans import dossier_at, make_plan, recompute


def read_from_another_connection(world, job_pk) -> dict:
    """The job-status partial and the API's job, fetched by another thread (another
    database connection, which sees committed rows only)."""
    seen = {}

    def read():
        try:
            page = world.client_for(Role.COUNTY_ADMIN).get(reverse("quotas:job-status", args=[job_pk]))
            seen["page"] = page.content.decode()
            seen["api"] = world.api_client_for(Role.AUDITOR).get(
                reverse("api:recompute-job-detail", args=[job_pk])).json()
        except Exception as error:  # noqa: BLE001 — e.g. "database table is locked": asserted below
            seen["error"] = repr(error)
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(timeout=60)
    return seen


def engine_hook(monkeypatch, before_engine):
    """Run ``before_engine()`` when the job calls the engine, the first time only."""
    real_allocate, calls = recompute_module.allocate, []

    def allocate(*args, **kwargs):
        if not calls:
            calls.append(before_engine())
        return real_allocate(*args, **kwargs)

    monkeypatch.setattr(recompute_module, "allocate", allocate)
    return calls


@pytest.mark.django_db(transaction=True)
def test_progress_is_committed_while_the_job_runs(world, monkeypatch):
    admin = world.users[Role.COUNTY_ADMIN]
    for _ in range(2):
        dossier_at(world.obj("party_organization", "own"), Stage.CANDIDATE)
    plan = make_plan(admin, seats=5)
    calls = engine_hook(monkeypatch, lambda: read_from_another_connection(world, RecomputeJob.objects.get().pk))

    job = services.start_recompute(plan=plan, by=admin)    # no transaction around: the eager task runs now

    seen = calls[0]
    assert "error" not in seen, seen["error"]
    assert (seen["api"]["status"], seen["api"]["progress"], seen["api"]["stage"]) == \
        (JobStatus.RUNNING, 40, "按方法分配名额")
    assert "40%" in seen["page"] and "按方法分配名额" in seen["page"] and 'hx-trigger="every 1s"' in seen["page"]
    job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.DONE, 100)
    assert QuotaAllocation.objects.get(plan=plan).seats == 2


def test_what_changes_while_the_job_reads_is_applied_before_it_writes(world, django_capture_on_commit_callbacks,
                                                                     monkeypatch):
    # 4 seats, own unit with 3 candidates.  While the job runs its engine the county approves
    # 2 extra seats for the foreign unit: the write phase sees it under the plan's lock and
    # apportions again — 4 − 2 = 2 seats by demand, not the 4 the job read at first.
    admin = world.users[Role.COUNTY_ADMIN]
    own, foreign = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    for _ in range(3):
        dossier_at(own, Stage.CANDIDATE)
    plan = make_plan(admin, seats=4)
    request = services.request_seats(plan=plan, party_org=foreign, seats=2, reason="年内可接收2名",
                                     by=world.users[Role.COUNTY_ADMIN])
    engine_hook(monkeypatch, lambda: services.decide_request(request=request, approve=True, by=admin))

    job = recompute(plan, admin, django_capture_on_commit_callbacks)

    assert job.status == JobStatus.DONE and job.timings["apportioned_again"] is True
    rows = {a.party_org_id: (a.seats, a.extra_seats) for a in QuotaAllocation.objects.filter(plan=plan)}
    assert rows == {own.pk: (2, 0), foreign.pk: (0, 2)}
    plan.refresh_from_db()
    assert plan.unallocated_seats == 0


# ---- no recompute after a mid-year rebalance ------------------------------------------------------

@pytest.fixture
def rebalanced(world, django_capture_on_commit_callbacks):
    """An issued 2026 plan of 3 seats — own unit 2 candidates, foreign unit 1 — rebalanced on
    30 June after one of the own unit's candidates left and the foreign unit found a second:
    the own unit's unusable seat went to the foreign unit."""
    admin = world.users[Role.COUNTY_ADMIN]
    own, foreign = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    leaving = dossier_at(own, Stage.CANDIDATE)
    dossier_at(own, Stage.CANDIDATE)
    dossier_at(foreign, Stage.CANDIDATE)
    plan = make_plan(admin, seats=3)
    recompute(plan, admin, django_capture_on_commit_callbacks)
    plan.refresh_from_db()
    services.issue_plan(plan=plan, by=admin)
    leaving.state = "ended"
    leaving.save(update_fields=["state"])
    dossier_at(foreign, Stage.CANDIDATE)
    rebalance(plan=plan, on=date(2026, 6, 30), by=admin)
    return plan


def held(plan):
    return dict(QuotaAllocation.objects.filter(plan=plan).values_list("party_org", "seats"))


def test_a_rebalanced_plan_is_not_recomputed(world, rebalanced):
    own, foreign = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    assert held(rebalanced) == {own.pk: 1, foreign.pk: 2}
    with pytest.raises(QuotaError) as refused:
        services.start_recompute(plan=rebalanced, by=world.users[Role.COUNTY_ADMIN])
    assert refused.value.code == "plan_rebalanced"
    assert "2026年6月30日进行年中调剂" in refused.value.message and "推翻调剂结果" in refused.value.message
    assert not RecomputeJob.objects.filter(plan=rebalanced, status=JobStatus.QUEUED).exists()
    assert held(rebalanced) == {own.pk: 1, foreign.pk: 2}


def test_the_plan_page_says_why_and_offers_no_recompute(world, rebalanced):
    client = world.client_for(Role.COUNTY_ADMIN)
    page = client.get(rebalanced.get_absolute_url()).content.decode()
    assert 'id="recompute-refused"' in page and "不能再重新计算" in page and 'id="recompute"' not in page
    response = client.post(reverse("quotas:plan-recompute", args=[rebalanced.pk]), follow=True)
    assert "2026年6月30日进行年中调剂" in response.content.decode()
    assert RecomputeJob.objects.filter(plan=rebalanced).count() == 1       # the one before the rebalance


def test_the_api_refuses_with_a_code(world, rebalanced):
    response = world.api_client_for(Role.COUNTY_ADMIN).post(reverse("api:plan-recompute", args=[rebalanced.pk]))
    assert response.status_code == 400
    assert response.json()["code"] == "plan_rebalanced" and response.json()["data"]["rebalanced_on"] == "2026-06-30"


def test_a_rebalance_that_slips_in_before_the_write_fails_the_job_and_writes_nothing(
        world, django_capture_on_commit_callbacks, monkeypatch):
    # start_recompute refuses a rebalanced plan, and a rebalance refuses a plan with a job
    # queued; a rebalance committed in the instant between the two is caught under the lock.
    admin = world.users[Role.COUNTY_ADMIN]
    dossier_at(world.obj("party_organization", "own"), Stage.CANDIDATE)
    plan = make_plan(admin, seats=3)
    QuotaPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.ISSUED)
    engine_hook(monkeypatch, lambda: Reallocation.objects.create(plan=plan, on=date(2026, 6, 30), method="hamilton",
                                                                 pool=0, performed_by=admin))
    job = recompute(plan, admin, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED and "进行年中调剂" in job.error and job.progress == 60
    assert not QuotaAllocation.objects.filter(plan=plan).exists()
    plan.refresh_from_db()
    assert plan.computed_at is None
