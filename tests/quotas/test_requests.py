"""Requests for more seats: filed by a township worker or a secretary, withdrawn by them,
approved (up to the seats asked) or rejected (with a note) by the county, and added to
the allocation at the next recompute."""
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from members.choices import Stage
from quotas.models import QuotaAllocation, QuotaRequest, RequestStatus
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
    # The next recompute adds the approved seat on top of the demand-driven ones.
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
