"""Mid-year rebalancing (调剂) with hand-built numbers.

An issued 2026 plan with five party organizations (allocations written directly, so
every number is ours):

    unit  township  seats  used  reserved  candidates ready (no seat)  need  unusable  excess
    U1    甲镇        5      1      1           1                     3       2        0
    U2    甲镇        3      3      0           0                     3       0        0
    U3    甲镇        1      0      0           4                     4       0        3
    U4    乙镇        2      0      1           0                     1       1        0
    U5    乙镇        0      0      0           2                     2       0        2

pool = 2 + 1 = 3 seats.  Hamilton among U3 and U5 by excess × quality (3 : 2, quality 1),
capped at the excess: quotas 1.8 and 1.2 → floors 1, 1, the last seat to U3 (.8 > .2):
U3 +2, U5 +1.  After: U1 3, U2 3, U3 3, U4 1, U5 1.
"""
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Role
from members.choices import Stage
from members.models import Dossier
from quotas.errors import QuotaError
from quotas.models import PlanStatus, QuotaAllocation, QuotaPlan, Reallocation, Seat, SeatState
from quotas.rebalance import preview_rebalance, rebalance
from tests.factories import PartyOrganizationFactory
from tests.quotas.test_plans import dossier_at

ON = date(2026, 6, 30)


@pytest.fixture
def county(world):
    admin = world.users[Role.COUNTY_ADMIN]
    plan = QuotaPlan.objects.create(year=2026, name="2026年发展党员计划", total_seats=12, status=PlanStatus.ISSUED,
                                    unallocated_seats=1, created_by=admin)
    units = {
        "U1": world.obj("party_organization", "own"),
        "U2": PartyOrganizationFactory(area=world.township_a, name="U2党支部"),
        "U3": PartyOrganizationFactory(area=world.township_a, name="U3党支部"),
        "U4": world.obj("party_organization", "foreign"),
        "U5": PartyOrganizationFactory(area=world.township_b, name="U5党支部"),
    }
    numbers = {"U1": (5, 1, 1, 1), "U2": (3, 3, 0, 0), "U3": (1, 0, 0, 4), "U4": (2, 0, 1, 0), "U5": (0, 0, 0, 2)}
    allocations = {}
    for key, (seats, used, reserved, ready) in numbers.items():
        party_org = units[key]
        allocations[key] = QuotaAllocation.objects.create(plan=plan, party_org=party_org, area=party_org.area,
                                                          seats=seats, used=used, reserved=reserved, quality_factor=1)
        for _ in range(ready):
            dossier_at(party_org, Stage.CANDIDATE)
        for _ in range(reserved):
            # A candidate listed at the pre-review holds a reserved seat: counted in
            # ``reserved``, not again among the candidates ready now.
            Seat.objects.create(allocation=allocations[key], dossier=dossier_at(party_org, Stage.CANDIDATE),
                                state=SeatState.RESERVED, reserved_on=date(2026, 4, 1))
    dossier_at(units["U2"], Stage.ACTIVIST)           # activists are not ready for approval this year
    return {"plan": plan, "admin": admin, "units": units, "allocations": allocations}


def held(county):
    return {key: (a.seats + a.extra_seats) for key, a in
            ((k, QuotaAllocation.objects.get(pk=v.pk)) for k, v in county["allocations"].items())}


def test_preview_takes_back_what_cannot_be_used_and_shares_it_by_hand(county):
    preview = preview_rebalance(plan=county["plan"], on=ON, method="hamilton")
    lines = {line.name: line for line in preview.lines}
    names = {key: party_org.name for key, party_org in county["units"].items()}
    assert preview.pool == 3 and preview.placed == 3 and preview.leftover == 0
    assert [(lines[names[k]].ready, lines[names[k]].taken, lines[names[k]].given) for k in ("U1", "U2", "U3", "U4", "U5")] \
        == [(1, 2, 0), (0, 0, 0), (4, 0, 2), (0, 1, 0), (2, 0, 1)]
    assert {lines[names[k]].after for k in ("U1", "U2", "U3")} == {3}
    assert "获得余数席位的最小余数：0.8，单位：U3党支部" in preview.explanation
    assert held(county) == {"U1": 5, "U2": 3, "U3": 1, "U4": 2, "U5": 0}     # a preview writes nothing


def test_rebalance_updates_the_allocations_audited_and_records_every_change(county):
    admin, plan = county["admin"], county["plan"]
    done = rebalance(plan=plan, on=ON, method="hamilton", by=admin, note="年中调剂")
    assert held(county) == {"U1": 3, "U2": 3, "U3": 3, "U4": 1, "U5": 1}
    # Used and reserved seats are never touched.
    assert [(a.used, a.reserved) for a in QuotaAllocation.objects.filter(plan=plan).order_by("id")] \
        == [(1, 1), (3, 0), (0, 0), (0, 1), (0, 0)]
    assert Reallocation.objects.get() == done and done.pool == 3 and done.performed_by == admin
    changes = {c["name"]: (c["before"], c["taken"], c["given"], c["after"]) for c in done.changes}
    assert changes == {county["units"]["U1"].name: (5, 2, 0, 3), "U3党支部": (1, 0, 2, 3),
                       county["units"]["U4"].name: (2, 1, 0, 1), "U5党支部": (0, 0, 1, 1)}
    latest = county["allocations"]["U1"].history.first()
    assert latest.history_user == admin and latest.history_change_reason.startswith("年中调剂")
    plan.refresh_from_db()
    assert plan.unallocated_seats == 1


def test_quality_tilts_the_pool_and_the_method_is_applied(county):
    # U5 at quality 2: weights 3 × 1 : 2 × 2 = 3 : 4 → Hamilton quotas 1.29, 1.71 → 1, 1,
    # the last seat to U5 (.71 > .29).  Jefferson: quotients 4, 3, 2 (U5's 2nd) → U3 1, U5 2.
    QuotaAllocation.objects.filter(pk=county["allocations"]["U5"].pk).update(quality_factor=2)
    for method in ("hamilton", "jefferson"):
        preview = preview_rebalance(plan=county["plan"], on=ON, method=method)
        given = {line.name: line.given for line in preview.lines if line.given}
        assert given == {"U3党支部": 1, "U5党支部": 2}, method


def test_seats_beyond_the_unmet_need_go_back_to_the_county(county):
    # Without U3's and U5's candidates nobody can absorb the pool, and U3's seat is
    # unusable too: U1's 2, U3's 1 and U4's 1 all return to the county.
    Dossier.objects.filter(party_org__in=[county["units"]["U3"], county["units"]["U5"]]).update(state="ended")
    admin, plan = county["admin"], county["plan"]
    done = rebalance(plan=plan, on=ON, by=admin)
    plan.refresh_from_db()
    assert done.pool == 4 and plan.unallocated_seats == 1 + 4
    assert held(county) == {"U1": 3, "U2": 3, "U3": 0, "U4": 1, "U5": 0}
    assert plan.history.first().history_change_reason == "年中调剂"


def test_extra_seats_are_taken_back_after_the_plans_own(county):
    QuotaAllocation.objects.filter(pk=county["allocations"]["U1"].pk).update(seats=1, extra_seats=4)
    rebalance(plan=county["plan"], on=ON, by=county["admin"])
    u1 = QuotaAllocation.objects.get(pk=county["allocations"]["U1"].pk)
    assert (u1.seats, u1.extra_seats) == (0, 3)


@pytest.mark.parametrize("on,message", [(date(2025, 12, 31), "调剂日期应在2026年内"),
                                        (date(2027, 1, 1), "调剂日期应在2026年内")])
def test_dates_outside_the_plan_year_are_refused(county, on, message):
    with pytest.raises(QuotaError) as refused:
        rebalance(plan=county["plan"], on=on, by=county["admin"])
    assert message in refused.value.message and refused.value.code == "date_outside_plan_year"
    assert not Reallocation.objects.exists()


def test_only_issued_plans_and_only_the_county(county, world):
    plan = county["plan"]
    with pytest.raises(PermissionDenied):
        rebalance(plan=plan, on=ON, by=world.users[Role.TOWNSHIP_WORKER])
    QuotaPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
    plan.refresh_from_db()
    with pytest.raises(QuotaError) as refused:
        rebalance(plan=plan, on=ON, by=county["admin"])
    assert refused.value.message == "只能对已下达的计划进行年中调剂。"
    assert held(county) == {"U1": 5, "U2": 3, "U3": 1, "U4": 2, "U5": 0}


def test_a_method_that_cannot_share_the_pool_is_refused(county):
    # Adams gives every recipient a first seat: 3 seats for 2 recipients is fine, but
    # with only U1's 2 seats in the pool and three recipients it is not.
    dossier_at(county["units"]["U2"], Stage.CANDIDATE)     # U2 now needs one more seat too
    QuotaAllocation.objects.filter(pk=county["allocations"]["U4"].pk).update(seats=1)
    preview = preview_rebalance(plan=county["plan"], on=ON, method="adams")
    assert preview.pool == 2 and "亚当斯法" in preview.error
    with pytest.raises(QuotaError):
        rebalance(plan=county["plan"], on=ON, method="adams", by=county["admin"])


def test_nothing_to_take_back_is_refused(county):
    QuotaAllocation.objects.filter(pk=county["allocations"]["U1"].pk).update(seats=3)
    QuotaAllocation.objects.filter(pk=county["allocations"]["U4"].pk).update(seats=1)
    assert preview_rebalance(plan=county["plan"], on=ON).pool == 0
    with pytest.raises(QuotaError) as refused:
        rebalance(plan=county["plan"], on=ON, by=county["admin"])
    assert refused.value.code == "nothing_to_rebalance" and not Reallocation.objects.exists()


# ---- the page ----------------------------------------------------------------------------------

def test_page_previews_then_performs_after_confirmation(county, world):
    client = world.client_for(Role.COUNTY_ADMIN)
    url = reverse("quotas:plan-rebalance", args=[county["plan"].pk])
    page = client.get(url, {"on": "2026-06-30", "method": "hamilton"})
    body = page.content.decode()
    assert page.status_code == 200 and 'id="pool">3<' in body and "data-confirm=" in body
    assert "U3党支部" in body and "+2" in body
    assert 'id="no-recompute-after"' in body and "调剂后该计划不能再重新计算" in body     # said before, not after
    response = client.post(url, {"on": "2026-06-30", "method": "hamilton", "note": "六月调剂"})
    done = Reallocation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("quotas:reallocation-detail",
                                                                           args=[done.pk])
    detail = client.get(response["Location"]).content.decode()
    assert 'id="pool">3<' in detail and "U5党支部" in detail


def test_page_explains_refusals_and_refuses_other_roles(county, world):
    url = reverse("quotas:plan-rebalance", args=[county["plan"].pk])
    admin_page = world.client_for(Role.COUNTY_ADMIN).get(url, {"on": "2027-03-01", "method": "hamilton"})
    assert "调剂日期应在2026年内" in admin_page.content.decode()
    worker = world.client_for(Role.TOWNSHIP_WORKER)
    preview = worker.get(url, {"on": "2026-06-30", "method": "hamilton"})
    names = {line.name for line in preview.context["changed"]}
    assert "U5党支部" not in names and county["units"]["U1"].name in names     # scoped rows
    assert 'id="perform"' not in preview.content.decode()
    assert worker.post(url, {"on": "2026-06-30", "method": "hamilton"}).status_code == 403
    assert not Reallocation.objects.exists() and held(county)["U1"] == 5
