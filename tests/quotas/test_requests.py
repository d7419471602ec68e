"""Requests for more seats: filed by a township worker or a secretary, withdrawn by them,
approved (up to the seats asked) or rejected (with a note) by the county.  Approved seats
reach the unit at once, out of the seats the county still holds, and every figure keeps
total = Σ seats + Σ extra seats + unallocated (page, API, recompute)."""
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from members.choices import Stage
from quotas import services
from quotas.errors import QuotaError
from quotas.models import PlanStatus, QuotaAllocation, QuotaPlan, QuotaRequest, RequestStatus
from tests.quotas.test_plans import dossier_at, make_plan, recompute


@pytest.fixture
def plan(world):
    return make_plan(world.users[Role.COUNTY_ADMIN], year=2026, seats=4)


def file_request(world, plan, role=Role.TOWNSHIP_WORKER, which="own", seats=2):
    client = world.client_for(role)
    return client.post(reverse("quotas:request-create"), {
        "plan": plan.pk, "party_org": world.obj("party_organization", which).pk, "seats": seats,
        "reason": "已确定发展对象3名，均可在年内接收。"})


def test_a_township_worker_files_and_the_county_approves_fewer_seats(world, plan, django_capture_on_commit_callbacks):
    own = world.obj("party_organization", "own")
    for _ in range(2):
        dossier_at(own, Stage.CANDIDATE)
    response = file_request(world, plan)
    filed = QuotaRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("quotas:request-detail", args=[filed.pk])
    assert (filed.party_org, filed.seats, filed.status) == (own, 2, RequestStatus.PENDING)
    assert filed.requested_by == world.users[Role.TOWNSHIP_WORKER]

    county = world.client_for(Role.COUNTY_ADMIN)
    listing = county.get(reverse("quotas:request-list"), {"status": "pending"})
    assert [r.pk for r in listing.context["object_list"]] == [filed.pk]
    too_many = county.post(reverse("quotas:request-approve", args=[filed.pk]), {"approved_seats": 3})
    assert too_many.status_code == 400 and "批准名额应在1到2之间。" in too_many.content.decode()
    county.post(reverse("quotas:request-approve", args=[filed.pk]), {"approved_seats": 1, "note": "先批1个"})
    filed.refresh_from_db()
    assert (filed.status, filed.approved_seats, filed.decided_by) == (RequestStatus.APPROVED, 1,
                                                                      world.users[Role.COUNTY_ADMIN])
    # The approved seat is the unit's at once; the next recompute keeps it on top of the
    # demand-driven ones.
    assert QuotaAllocation.objects.get(plan=plan, party_org=own).extra_seats == 1
    recompute(plan, world.users[Role.COUNTY_ADMIN], django_capture_on_commit_callbacks)
    allocation = QuotaAllocation.objects.get(plan=plan, party_org=own)
    assert (allocation.seats, allocation.extra_seats) == (2, 1)
    detail = county.get(reverse("quotas:request-detail", args=[filed.pk])).content.decode()
    assert "已批准" in detail and 'id="approve"' not in detail


def test_rejecting_needs_a_note(world, plan):
    file_request(world, plan)
    filed = QuotaRequest.objects.get()
    county = world.client_for(Role.COUNTY_ADMIN)
    empty = county.post(reverse("quotas:request-reject", args=[filed.pk]), {"note": ""})
    assert empty.status_code == 400 and "该字段是必填项。" in empty.content.decode()
    filed.refresh_from_db()
    assert filed.status == RequestStatus.PENDING
    county.post(reverse("quotas:request-reject", args=[filed.pk]), {"note": "发展对象尚未完成政审"})
    filed.refresh_from_db()
    assert (filed.status, filed.decision_note) == (RequestStatus.REJECTED, "发展对象尚未完成政审")


def test_the_filer_withdraws_a_pending_request_only(world, plan):
    file_request(world, plan)
    filed = QuotaRequest.objects.get()
    worker = world.client_for(Role.TOWNSHIP_WORKER)
    page = worker.get(reverse("quotas:request-detail", args=[filed.pk])).content.decode()
    assert 'id="withdraw"' in page and 'id="approve"' not in page
    worker.post(reverse("quotas:request-withdraw", args=[filed.pk]))
    filed.refresh_from_db()
    assert filed.status == RequestStatus.WITHDRAWN
    again = worker.post(reverse("quotas:request-withdraw", args=[filed.pk]), follow=True)
    assert "只能撤回待审批的申请。" in again.content.decode()
    assert filed.history.first().history_user == world.users[Role.TOWNSHIP_WORKER]


def test_a_secretary_files_for_their_own_party_organization(world, plan):
    assert file_request(world, plan, role=Role.SECRETARY).status_code == 302
    assert QuotaRequest.objects.get().requested_by == world.users[Role.SECRETARY]


def test_a_foreign_party_organization_is_not_a_choice(world, plan):
    response = file_request(world, plan, which="foreign")
    assert response.status_code == 200
    assert "选择一个有效的选项" in str(response.context["form"].errors["party_org"])
    assert not QuotaRequest.objects.exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.INSTRUCTOR])
def test_read_only_roles_cannot_file(world, plan, role):
    assert world.client_for(role).get(reverse("quotas:request-create")).status_code == 403
    assert file_request(world, plan, role=role).status_code == 403
    assert not QuotaRequest.objects.exists()


def test_only_the_county_decides_and_foreign_requests_are_not_found(world, plan):
    file_request(world, plan)
    own = QuotaRequest.objects.get()
    foreign = QuotaRequest.objects.create(plan=plan, party_org=world.obj("party_organization", "foreign"), seats=1,
                                          reason="乙镇申请")
    worker = world.client_for(Role.TOWNSHIP_WORKER)
    assert worker.post(reverse("quotas:request-approve", args=[own.pk]), {"approved_seats": 2}).status_code == 403
    assert worker.get(reverse("quotas:request-detail", args=[foreign.pk])).status_code == 404
    assert worker.post(reverse("quotas:request-withdraw", args=[foreign.pk])).status_code == 404
    listing = worker.get(reverse("quotas:request-list"))
    assert [r.pk for r in listing.context["object_list"]] == [own.pk]
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert own.status == foreign.status == RequestStatus.PENDING


def test_pending_requests_come_first_and_the_list_exports(world, plan):
    file_request(world, plan)
    decided = QuotaRequest.objects.create(plan=plan, party_org=world.obj("party_organization", "own"), seats=1,
                                          reason="已处理", status=RequestStatus.REJECTED)
    county = world.client_for(Role.COUNTY_ADMIN)
    rows = list(county.get(reverse("quotas:request-list")).context["object_list"])
    assert rows[-1] == decided and rows[0].status == RequestStatus.PENDING
    sheet = load_workbook(BytesIO(county.get(reverse("quotas:request-list"), {"export": "xlsx"}).content)).active
    assert [c.value for c in sheet[1]][:4] == ["申请党组织", "乡镇（街道）", "计划", "申请名额"]
    assert sheet.max_row == 3


# ---- approved seats come out of the county's unallocated seats ---------------------------------

def figures(plan) -> tuple[int, int, int]:
    """(Σ seats, Σ extra seats, unallocated) as stored."""
    plan.refresh_from_db()
    rows = QuotaAllocation.objects.filter(plan=plan)
    return sum(a.seats for a in rows), sum(a.extra_seats for a in rows), plan.unallocated_seats


def approve(world, plan, which, seats):
    filed = QuotaRequest.objects.create(plan=plan, party_org=world.obj("party_organization", which), seats=seats,
                                        reason="年内可接收")
    return world.client_for(Role.COUNTY_ADMIN).post(reverse("quotas:request-approve", args=[filed.pk]),
                                                    {"approved_seats": seats}), filed


def test_an_approval_takes_its_seats_from_the_unallocated_ones_on_page_and_api(world, django_capture_on_commit_callbacks):
    # 10 seats, 3 held back as the county reserve; the own unit has 4 candidates.
    admin = world.users[Role.COUNTY_ADMIN]
    own = world.obj("party_organization", "own")
    for _ in range(4):
        dossier_at(own, Stage.CANDIDATE)
    plan = make_plan(admin, year=2026, seats=10, reserve_seats=3)
    assert figures(plan) == (0, 0, 10)                   # nothing allocated yet: the county holds all
    recompute(plan, admin, django_capture_on_commit_callbacks)
    assert figures(plan) == (4, 0, 6)                    # 7 to share, demand takes 4; 3 + 3 stay

    response, filed = approve(world, plan, "foreign", 2)
    assert response.status_code == 302
    foreign_row = QuotaAllocation.objects.get(plan=plan, party_org=world.obj("party_organization", "foreign"))
    assert (foreign_row.extra_seats, foreign_row.available) == (2, 2)          # usable at once
    assert foreign_row.history.first().history_change_reason == "批准追加名额申请"
    assert figures(plan) == (4, 2, 4)
    page = world.client_for(Role.COUNTY_ADMIN).get(plan.get_absolute_url()).content.decode()
    assert 'id="total-unallocated">4<' in page and "含追加 2" in page
    api = world.api_client_for(Role.AUDITOR).get(reverse("api:plan-detail", args=[plan.pk])).json()
    assert api["unallocated_seats"] == 4
    listing = world.client_for(Role.COUNTY_ADMIN).get(reverse("quotas:plan-list"))
    assert [p.unallocated_seats for p in listing.context["object_list"]] == [4]

    # The next recompute keeps the grant: it came out of the reserve (3 ≥ 2), so demand
    # still shares 7.  A grant of 3 more goes beyond the reserve: demand shares 10 − 5 = 5.
    recompute(plan, admin, django_capture_on_commit_callbacks)
    assert figures(plan) == (4, 2, 4)
    approve(world, plan, "own", 3)
    assert figures(plan) == (4, 5, 1)
    job = recompute(plan, admin, django_capture_on_commit_callbacks)
    assert figures(plan) == (4, 5, 1)
    status = world.client_for(Role.COUNTY_ADMIN).get(reverse("quotas:job-status", args=[job.pk])).content.decode()
    assert "分配名额 4 个，另有批准追加 5 个，未分配（含县级预留） 1 个" in status
    seats, extra, unallocated = figures(plan)
    assert seats + extra + unallocated == plan.total_seats


def test_a_grant_beyond_the_unallocated_seats_is_refused_and_changes_nothing(world):
    plan = make_plan(world.users[Role.COUNTY_ADMIN], year=2026, seats=3)
    QuotaAllocation.objects.create(plan=plan, party_org=world.obj("party_organization", "own"),
                                   area=world.township_a, seats=2)
    QuotaPlan.objects.filter(pk=plan.pk).update(unallocated_seats=1)
    response, filed = approve(world, plan, "foreign", 2)
    assert response.status_code == 400
    assert "县级未分配名额只剩1个，不能批准2个。" in response.content.decode()
    filed.refresh_from_db()
    assert filed.status == RequestStatus.PENDING and figures(plan) == (2, 0, 1)
    api = world.api_client_for(Role.COUNTY_ADMIN).post(reverse("api:quota-request-approve", args=[filed.pk]),
                                                       {"approved_seats": 2}, format="json")
    assert api.status_code == 400 and api.json()["code"] == "not_enough_unallocated"
    assert api.json()["data"] == {"unallocated": 1, "asked": 2}
    assert approve(world, plan, "foreign", 1)[0].status_code == 302 and figures(plan) == (2, 1, 0)


def test_the_approve_form_shows_what_the_county_still_holds(world, plan):
    file_request(world, plan)
    page = world.client_for(Role.COUNTY_ADMIN).get(reverse("quotas:request-detail",
                                                           args=[QuotaRequest.objects.get().pk]))
    assert '县级未分配名额（含预留）尚有 <strong>4</strong> 个' in page.content.decode()


def test_a_new_total_keeps_what_units_were_granted(world, django_capture_on_commit_callbacks):
    admin = world.users[Role.COUNTY_ADMIN]
    for _ in range(2):
        dossier_at(world.obj("party_organization", "own"), Stage.CANDIDATE)
    plan = make_plan(admin, year=2026, seats=6)
    recompute(plan, admin, django_capture_on_commit_callbacks)
    approve(world, plan, "foreign", 3)
    assert figures(plan) == (2, 3, 1)
    with pytest.raises(ValidationError) as refused:
        services.update_plan(plan=plan, by=admin, data={"total_seats": 2})
    assert refused.value.message_dict == {"total_seats": ["上级下达名额不能少于已批准追加的名额（3个）。"]}
    services.update_plan(plan=QuotaPlan.objects.get(pk=plan.pk), by=admin, data={"total_seats": 9})
    assert figures(plan) == (2, 3, 4)
    services.issue_plan(plan=plan, by=admin)
    with pytest.raises(ValidationError) as refused:
        services.update_plan(plan=QuotaPlan.objects.get(pk=plan.pk), by=admin, data={"total_seats": 4})
    assert "不能少于已分配到各党组织的名额（5个）" in refused.value.message_dict["total_seats"][0]
    assert figures(plan) == (2, 3, 4)


def test_a_closed_plan_grants_nothing(world, plan):
    file_request(world, plan)
    filed = QuotaRequest.objects.get()
    QuotaPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    with pytest.raises(QuotaError) as refused:
        services.decide_request(request=filed, approve=True, by=world.users[Role.COUNTY_ADMIN])
    assert refused.value.code == "plan_closed" and not QuotaAllocation.objects.exists()
