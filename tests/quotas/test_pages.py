"""Plan pages: the form (Chinese field errors, every weight parameter), the plan's page
(totals, weight breakdown, flags, export), recompute with its job-status partial, issue,
and the county's grading page."""
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from members.choices import Stage
from members.models import StepRecord
from quotas.models import EvaluationGrade, JobStatus, PlanStatus, QuotaAllocation, QuotaPlan, RecomputeJob
from quotas.models.plans import DEFAULT_PARAMETERS
from tests.factories import PartyOrganizationFactory
from tests.quotas.test_plans import dossier_at, make_plan, recompute

PLAN_FORM = {
    "year": 2026, "name": "2026年发展党员计划", "total_seats": 10, "reserve_seats": 1,
    "township_method": "webster", "org_method": "hamilton",
    "candidate_weight": 1.0, "activist_weight": 0.4, "completion_weight": 0.5, "overdue_penalty": 0.5,
    "minimum_quality": 0.6, "grade_factor_A": 1.3, "grade_factor_B": 1.0, "grade_factor_C": 0.8,
    "grade_factor_D": 0.5, "good_standing_grades": ["A", "B"],
}


@pytest.fixture
def admin(world):
    return world.users[Role.COUNTY_ADMIN]


def field_errors(response, name):
    return [str(e) for e in response.context["form"].errors.get(name, [])]


# ---- the form ------------------------------------------------------------------------------

def test_plan_form_offers_the_engine_methods_and_every_weight_parameter(world):
    response = world.client_for(Role.COUNTY_ADMIN).get(reverse("quotas:plan-create"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "汉密尔顿法（最大余数法）" in body and "亨廷顿–希尔法（等比例法）" in body
    form = response.context["form"]
    for key in ("candidate_weight", "activist_weight", "completion_weight", "overdue_penalty", "minimum_quality",
                "grade_factor_A", "grade_factor_D", "good_standing_grades"):
        assert key in form.fields
    assert form.initial["activist_weight"] == DEFAULT_PARAMETERS["activist_weight"]


def test_plan_create_stores_the_parameters(world, admin):
    response = world.client_for(Role.COUNTY_ADMIN).post(reverse("quotas:plan-create"), PLAN_FORM)
    plan = QuotaPlan.objects.get(year=2026)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.created_by == admin and plan.reserve_seats == 1
    assert plan.parameters["activist_weight"] == 0.4
    assert plan.parameters["grade_factors"] == {"A": 1.3, "B": 1.0, "C": 0.8, "D": 0.5}
    assert plan.parameters["good_standing_grades"] == ["A", "B"]
    assert plan.history.get().history_user == admin


@pytest.mark.parametrize("change,field,message", [
    ({"name": ""}, "name", "该字段是必填项。"),
    ({"total_seats": -1}, "total_seats", "确保该值大于或等于0。"),
    ({"completion_weight": 1.5}, "completion_weight", "确保该值小于或等于1。"),
    ({"org_method": "lottery"}, "org_method", "选择一个有效的选项。 lottery 不在可用的选项中。"),
    ({"reserve_seats": 11}, "reserve_seats", "县级预留名额不能超过上级下达名额。"),
])
def test_plan_form_errors_are_chinese_and_nothing_is_saved(world, change, field, message):
    response = world.client_for(Role.COUNTY_ADMIN).post(reverse("quotas:plan-create"), {**PLAN_FORM, **change})
    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert message in response.content.decode()
    assert not QuotaPlan.objects.exists()


def test_a_second_plan_for_the_same_year_is_refused(world, admin):
    make_plan(admin, year=2026)
    response = world.client_for(Role.COUNTY_ADMIN).post(reverse("quotas:plan-create"), PLAN_FORM)
    assert "该年度的发展计划已存在。" in field_errors(response, "year")
    assert QuotaPlan.objects.count() == 1


def test_edit_keeps_the_plan_and_records_who_changed_it(world, admin):
    plan = make_plan(admin, year=2026)
    response = world.client_for(Role.COUNTY_ADMIN).post(reverse("quotas:plan-edit", args=[plan.pk]),
                                                        {**PLAN_FORM, "total_seats": 12})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.total_seats == 12 and plan.effective_parameters["activist_weight"] == 0.4
    assert plan.history.first().history_user == admin


def test_only_the_county_sees_the_create_button(world):
    for role, shown in ((Role.COUNTY_ADMIN, True), (Role.TOWNSHIP_WORKER, False), (Role.AUDITOR, False)):
        body = world.client_for(role).get(reverse("quotas:plan-list")).content.decode()
        assert (reverse("quotas:plan-create") in body) is shown, role


# ---- the plan's page -----------------------------------------------------------------------

@pytest.fixture
def computed(world, admin, django_capture_on_commit_callbacks):
    """Township A: three candidates, one activist, last admission in 2023 (2 years
    without a new member by 2026).  Township B: one candidate, never an admission."""
    own, foreign = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    for _ in range(3):
        dossier_at(own, Stage.CANDIDATE)
    dossier_at(own, Stage.ACTIVIST, cultivation_start=date(2024, 9, 1))
    admitted = dossier_at(own, Stage.PROBATIONARY)
    StepRecord.objects.create(dossier=admitted, step="admission_approval", taken_on=date(2023, 5, 1),
                              party_org=own)
    dossier_at(foreign, Stage.CANDIDATE)
    plan = make_plan(admin, year=2026, seats=6)
    assert recompute(plan, admin, django_capture_on_commit_callbacks).status == JobStatus.DONE
    return plan


def test_plan_page_explains_every_weight_and_flags_units_without_new_members(world, computed):
    response = world.client_for(Role.COUNTY_ADMIN).get(computed.get_absolute_url())
    body = response.content.decode()
    own = QuotaAllocation.objects.get(plan=computed, party_org=world.obj("party_organization", "own"))
    assert own.years_without_new_member == 2 and own.ready_demand == 4
    # base = 1.0 × 3 candidates + 0.5 × 1 activist; grade B (none entered) 1.0; nothing overdue.
    assert own.breakdown["base"] == 3.5 and own.breakdown["quality"] == 1.0
    assert "基数 3.5 = 1.0×3 + 0.5×1" in body
    assert "质量 1.0 = 等次B 1.0 × 逾期 1.0 × 完成率 1.0" in body
    assert "连续2年未发展" in body and "连续3年及以上未发展" in body
    assert 'id="total-received">6<' in body and 'id="total-allocated">5<' in body
    assert "甲镇" in body and "乙镇" in body


def test_plan_page_filters_by_watch_flag_and_exports(world, computed):
    client = world.client_for(Role.COUNTY_ADMIN)
    url = computed.get_absolute_url()
    rows = client.get(url, {"watch": "no_new_3"}).context["object_list"]
    assert [a.party_org for a in rows] == [world.obj("party_organization", "foreign")]
    response = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert {"需求基数", "等次系数", "逾期系数", "完成率系数", "质量系数", "权重", "标准份额", "提示"} <= set(header)
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 2


def test_township_worker_sees_only_its_townships_rows_and_totals(world, computed):
    response = world.client_for(Role.TOWNSHIP_WORKER).get(computed.get_absolute_url())
    body = response.content.decode()
    assert [a.party_org for a in response.context["object_list"]] == [world.obj("party_organization", "own")]
    assert world.obj("party_organization", "foreign").name not in body
    assert response.context["totals"]["allocated"] == 4 and "（本辖区）" in body
    assert 'id="recompute"' not in body and 'id="issue"' not in body


def test_plan_page_query_count_does_not_grow_with_the_units(world, computed, admin, django_assert_max_num_queries,
                                                            django_capture_on_commit_callbacks):
    client = world.client_for(Role.COUNTY_ADMIN)
    with django_assert_max_num_queries(30) as few:
        client.get(computed.get_absolute_url())
    for _ in range(15):
        dossier_at(PartyOrganizationFactory(area=world.township_a), Stage.CANDIDATE)
    recompute(computed, admin, django_capture_on_commit_callbacks)
    assert QuotaAllocation.objects.filter(plan=computed).count() == 17
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(computed.get_absolute_url())


def test_recompute_button_creates_a_job_whose_status_partial_reports_done(world, computed,
                                                                       django_capture_on_commit_callbacks):
    client = world.client_for(Role.COUNTY_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quotas:plan-recompute", args=[computed.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#jobs")
    job = RecomputeJob.objects.filter(plan=computed).first()
    assert job.status == JobStatus.DONE and RecomputeJob.objects.filter(plan=computed).count() == 2
    page = client.get(computed.get_absolute_url()).content.decode()
    assert 'data-status="done"' in page and "every 1s" not in page
    partial = client.get(reverse("quotas:job-status", args=[job.pk]), {"polling": "1"})
    assert 'data-status="done"' in partial.content.decode() and "合计" in partial.content.decode()
    assert partial["HX-Refresh"] == "true"      # the poll that sees the end reloads the page


def test_an_active_job_polls_every_second_and_shows_its_progress(world, computed):
    job = RecomputeJob.objects.create(plan=computed, status=JobStatus.RUNNING, progress=40, stage="按方法分配名额")
    client = world.client_for(Role.COUNTY_ADMIN)
    body = client.get(reverse("quotas:job-status", args=[job.pk]), {"polling": "1"}).content.decode()
    assert 'hx-trigger="every 1s"' in body and "40%" in body and "按方法分配名额" in body
    page = client.get(computed.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'id="recompute" disabled' in page
    RecomputeJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="已使用和已预留的名额超过了可分配名额。")
    failed = client.get(reverse("quotas:job-status", args=[job.pk]), {"polling": "1"})
    assert "every 1s" not in failed.content.decode() and "已使用和已预留的名额超过了可分配名额。" in failed.content.decode()


def test_a_recompute_while_one_runs_is_refused_with_a_message(world, computed):
    RecomputeJob.objects.create(plan=computed, status=JobStatus.RUNNING)
    response = world.client_for(Role.COUNTY_ADMIN).post(reverse("quotas:plan-recompute", args=[computed.pk]),
                                                        follow=True)
    assert "该计划正在计算中，请等待当前计算完成。" in response.content.decode()
    assert RecomputeJob.objects.filter(plan=computed).count() == 2


def test_issue_needs_a_computed_plan(world, admin, computed):
    client = world.client_for(Role.COUNTY_ADMIN)
    fresh = make_plan(admin, year=2027)
    response = client.post(reverse("quotas:plan-issue", args=[fresh.pk]), follow=True)
    assert "请先计算名额分配，再下达计划。" in response.content.decode()
    fresh.refresh_from_db()
    assert fresh.status == PlanStatus.DRAFT
    page = client.get(computed.get_absolute_url()).content.decode()
    assert 'data-confirm="下达后' in page
    client.post(reverse("quotas:plan-issue", args=[computed.pk]))
    computed.refresh_from_db()
    assert computed.status == PlanStatus.ISSUED
    assert computed.history.first().history_change_reason == "下达计划"


# ---- grades ----------------------------------------------------------------------------------

def test_county_enters_a_grade_that_the_next_recompute_uses(world, admin, computed,
                                                          django_capture_on_commit_callbacks):
    own = world.obj("party_organization", "own")
    client = world.client_for(Role.COUNTY_ADMIN)
    url = reverse("quotas:grade-edit", args=[own.pk, 2025])
    response = client.post(url, {"grade": "A", "note": "党建示范点"})
    assert response.status_code == 302
    grade = EvaluationGrade.objects.get(party_org=own, year=2025)
    assert grade.grade == "A" and grade.history.get().history_user == admin
    listing = client.get(reverse("quotas:grade-list"), {"year": 2025, "grade": "A"})
    assert [p.pk for p in listing.context["object_list"]] == [own.pk]
    recompute(computed, admin, django_capture_on_commit_callbacks)
    allocation = QuotaAllocation.objects.get(plan=computed, party_org=own)
    assert allocation.breakdown["grade"] == "A" and allocation.breakdown["grade_factor"] == 1.2


def test_grade_page_refuses_other_roles_and_foreign_units(world):
    own, foreign = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    worker = world.client_for(Role.TOWNSHIP_WORKER)
    assert worker.post(reverse("quotas:grade-edit", args=[own.pk, 2025]), {"grade": "D"}).status_code == 403
    assert worker.get(reverse("quotas:grade-edit", args=[foreign.pk, 2025])).status_code == 404
    assert not EvaluationGrade.objects.exists()
    listing = worker.get(reverse("quotas:grade-list"))
    assert [p.pk for p in listing.context["object_list"]] == [own.pk]
    assert reverse("quotas:grade-edit", args=[own.pk, 2025]) not in listing.content.decode()

