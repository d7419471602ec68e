"""What-if: scenarios side by side on one demand table, paradoxes flagged, nothing written.

Most tests build the demand table by hand (the module is pure past its one loader), so
every number below can be checked with pencil and paper."""
from datetime import date

import numpy as np
import pytest
from django.urls import reverse

from accounts.models import Role
from members.choices import Stage
from quotas import whatif
from quotas.models import QuotaAllocation
from quotas.models.plans import DEFAULT_PARAMETERS
from tests.factories import PartyOrganizationFactory
from tests.quotas.test_plans import dossier_at, make_plan, recompute


def hand_table(*, candidates=None, activists=None, townships=None, grades=None, hard_minimum=None):
    """A demand table as quotas.demand builds it, from a few hand-picked columns."""
    n = len(candidates if candidates is not None else activists)
    candidates = np.array(candidates if candidates is not None else [0] * n, dtype=np.int64)
    activists = np.array(activists if activists is not None else [0] * n, dtype=np.int64)
    return {
        "ids": np.arange(1, n + 1, dtype=np.int64), "names": [f"单位{chr(65 + i)}" for i in range(n)],
        "area": np.array(townships or [1] * n, dtype=np.int64), "area_names": {1: "甲镇", 2: "乙镇"},
        "candidates": candidates, "activists": activists, "ready": candidates + activists,
        "grade": grades or ["B"] * n, "overdue_share": np.zeros(n), "completion": np.full(n, np.nan),
        "hard_minimum": np.array(hard_minimum or [0] * n, dtype=np.int64),
        "weight": candidates + 0.5 * activists,
    }


def run(table, *scenarios, seats):
    return whatif.compare(table, list(scenarios), parameters=DEFAULT_PARAMETERS, default_seats=seats)


def seats_of(comparison, number=0):
    return comparison.results[number].seats.tolist()


# ---- the paradoxes ---------------------------------------------------------------------------

def test_hamilton_shows_the_alabama_paradox_and_it_is_flagged():
    # The classic example: weights 6 : 6 : 2.  With 10 seats the quotas are 4.29, 4.29, 1.43
    # → floors 4, 4, 1 and the last seat goes to the largest remainder, C (.43 > .29).
    # With 11 seats the quotas are 4.71, 4.71, 1.57 → 4, 4, 1 and the two seats left go to
    # A and B (.71 > .57): C drops from 2 to 1 although the house grew.
    table = hand_table(candidates=[6, 6, 2])
    comparison = run(table, whatif.Scenario("hamilton", "hamilton"), seats=10)
    assert seats_of(comparison) == [4, 4, 2]
    assert run(table, whatif.Scenario("hamilton", "hamilton"), seats=11).results[0].seats.tolist() == [5, 5, 1]
    assert comparison.results[0].alabama.tolist() == [False, False, True]
    row_c = comparison.rows()[2]
    assert row_c["name"] == "单位C" and row_c["cells"][0]["alabama"] is True


@pytest.mark.parametrize("method", ["jefferson", "webster", "adams", "huntington_hill"])
def test_a_divisor_method_is_never_flagged_for_alabama(method):
    # Divisor methods are house monotone: over many random tables and every seat count,
    # no unit ever loses a seat when one more is shared out.
    rng = np.random.default_rng(20260101)
    for _ in range(40):
        n = int(rng.integers(3, 9))
        table = hand_table(candidates=rng.integers(1, 12, n).tolist(), activists=rng.integers(0, 8, n).tolist(),
                           townships=rng.integers(1, 3, n).tolist())
        for seats in range(n, int(table["ready"].sum()) + 1, 3):
            result = run(table, whatif.Scenario(method, method), seats=seats).results[0]
            assert result.ok, result.error
            assert not result.alabama.any(), (method, seats, table["candidates"], table["activists"])


def test_hamilton_over_the_same_tables_does_show_the_paradox():
    # The counterpart of the test above: the search that never flags a divisor method
    # finds Hamilton's paradox, so the flag is not silently always off.
    rng = np.random.default_rng(20260101)
    found = 0
    for _ in range(40):
        n = int(rng.integers(3, 9))
        table = hand_table(candidates=rng.integers(1, 12, n).tolist(), activists=rng.integers(0, 8, n).tolist(),
                           townships=rng.integers(1, 3, n).tolist())
        for seats in range(n, int(table["ready"].sum()) + 1, 3):
            found += int(run(table, whatif.Scenario("webster", "hamilton"), seats=seats).results[0].alabama.any())
    assert found > 0


def test_another_method_moves_seats_as_computed_by_hand():
    # Activists only (no guaranteed seat): weights 0.5 × 40, 12, 8 = 20 : 6 : 4, 5 seats.
    # Hamilton: quotas 3.33, 1.00, 0.67 → floors 3, 1, 0; the last seat to C (.67 > .33).
    # Jefferson (D'Hondt): quotients 20, 10, 6.67, 6 (B), 5 (A's 4th) | 4 (C), 4 (A's 5th)
    # → A 4, B 1, C 0.  So against the baseline A gains one seat and C loses one.
    table = hand_table(activists=[40, 12, 8])
    comparison = run(table, whatif.Scenario("hamilton", "hamilton"), whatif.Scenario("hamilton", "jefferson"), seats=5)
    assert seats_of(comparison, 0) == [3, 1, 1]
    assert seats_of(comparison, 1) == [4, 1, 0]
    changes = {row["name"]: row["cells"][1]["change"] for row in comparison.rows()}
    assert changes == {"单位A": 1, "单位B": 0, "单位C": -1}
    chart = whatif.chart(comparison.rows(), comparison.results)
    assert chart["categories"] == ["单位A", "单位C"] and chart["series"][0]["data"] == [1, -1]
    summary = whatif.summary(comparison.results, comparison.rows())
    assert (summary[1]["gainers"], summary[1]["losers"]) == (1, 1)


def test_jefferson_above_the_quota_is_flagged_outside():
    # 86 : 5 : 5 : 4 activists, 10 seats: A's quota is 8.6, but D'Hondt gives A every seat
    # (86/10 = 8.6 is still above 5, the others' first quotient) — above its ceiling 9.
    table = hand_table(activists=[86, 5, 5, 4])
    result = run(table, whatif.Scenario("hamilton", "jefferson"), seats=10).results[0]
    assert result.seats.tolist() == [10, 0, 0, 0]
    assert result.outside.tolist() == [True, False, False, False]
    assert not result.bound.any()


def test_a_unit_held_by_its_ready_demand_is_shown_bound_not_outside():
    # A: 2 candidates graded A (weight 2 × 1.2 = 2.4, at most 2 seats); B: 10 activists
    # (weight 5, at most 10).  11 seats: A's plain quota is 11 × 2.4 / 7.4 = 3.57, but it can
    # use only 2 — held by its bound, not a quota violation; B takes the other 9, which is
    # exactly its bounded quota (11 − 2), so B is not flagged either.
    table = hand_table(candidates=[2, 0], activists=[0, 10], grades=["A", "B"])
    result = run(table, whatif.Scenario("hamilton", "webster"), seats=11).results[0]
    assert result.seats.tolist() == [2, 9]
    assert result.bound.tolist() == [True, False]
    assert not result.outside.any()
    assert result.quota.tolist() == [2.0, 9.0]


def test_parameter_overrides_and_seat_totals_change_only_their_scenario():
    # Doubling the activists' weight moves the balance from the candidates to the activists.
    table = hand_table(candidates=[4, 0], activists=[0, 8])
    base = whatif.Scenario("hamilton", "hamilton")
    tilted = whatif.Scenario("hamilton", "hamilton", overrides={"activist_weight": 1.0})
    fewer = whatif.Scenario("hamilton", "hamilton", seats=3)
    comparison = run(table, base, tilted, fewer, seats=6)
    # base: weights 4 : 4 → 3, 3.  tilted: 4 : 8 → 2, 4.  fewer: 4 : 4 over 3 seats → 2, 1
    # (remainders .5 and .5: the exact tie goes to the unit listed first).
    assert [seats_of(comparison, i) for i in range(3)] == [[3, 3], [2, 4], [2, 1]]
    assert comparison.results[1].parameters["activist_weight"] == 1.0
    assert comparison.results[0].parameters["activist_weight"] == DEFAULT_PARAMETERS["activist_weight"]


def test_a_method_the_engine_refuses_is_reported_per_scenario():
    table = hand_table(candidates=[3, 3, 3, 3])
    comparison = run(table, whatif.Scenario("hamilton", "hamilton"), whatif.Scenario("adams", "adams"), seats=2)
    assert comparison.results[0].ok
    assert "亚当斯法先给每个权重为正的单位各一席" in comparison.results[1].error
    assert all(row["cells"][1] is None for row in comparison.rows())


def test_sorting_by_change():
    table = hand_table(activists=[40, 12, 8])
    comparison = run(table, whatif.Scenario("hamilton", "hamilton"), whatif.Scenario("hamilton", "jefferson"), seats=5)
    rows = comparison.rows()
    assert [r["name"] for r in whatif.sort_rows(rows, "-change-2")] == ["单位A", "单位B", "单位C"]
    assert [r["name"] for r in whatif.sort_rows(rows, "change-2")] == ["单位C", "单位B", "单位A"]


# ---- with the database: the loader, the page and the API ------------------------------------

@pytest.fixture
def plan_with_demand(world, django_capture_on_commit_callbacks):
    admin = world.users[Role.COUNTY_ADMIN]
    own, foreign = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    for party_org, candidates, activists in ((own, 6, 0), (foreign, 6, 0),
                                             (PartyOrganizationFactory(area=world.township_a), 2, 0),
                                             (PartyOrganizationFactory(area=world.township_b), 0, 3)):
        for _ in range(candidates):
            dossier_at(party_org, Stage.CANDIDATE)
        for _ in range(activists):
            dossier_at(party_org, Stage.ACTIVIST, cultivation_start=date(2024, 6, 1))
    plan = make_plan(admin, year=2026, seats=10, township_method="hamilton", org_method="hamilton")
    recompute(plan, admin, django_capture_on_commit_callbacks)
    return plan


def test_the_plans_own_scenario_reproduces_the_recompute(world, plan_with_demand):
    plan = plan_with_demand
    table = whatif.load_table(plan=plan, today=date(2026, 3, 1))
    comparison = whatif.compare(table, [whatif.Scenario(plan.township_method, plan.org_method)],
                                parameters=plan.effective_parameters, default_seats=plan.total_seats)
    computed = dict(QuotaAllocation.objects.filter(plan=plan).values_list("party_org", "seats"))
    assert {row["party_org"]: row["cells"][0]["seats"] for row in comparison.rows()} == computed


def test_page_compares_scenarios_draws_the_chart_and_writes_nothing(world, plan_with_demand):
    plan = plan_with_demand
    before = list(QuotaAllocation.objects.filter(plan=plan).values_list("party_org", "seats"))
    history = QuotaAllocation.history.count()
    client = world.client_for(Role.COUNTY_ADMIN)
    query = {"s1-township_method": "hamilton", "s1-org_method": "hamilton",
             "s2-use": "on", "s2-township_method": "webster", "s2-org_method": "jefferson",
             "s3-township_method": "hamilton", "s3-org_method": "hamilton", "s3-seats": "11", "s3-use": "on",
             "s4-township_method": "adams", "s4-org_method": "adams"}
    response = client.get(reverse("quotas:plan-whatif", args=[plan.pk]), query)
    body = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["results"]) == 3 and 'id="whatif-chart-data"' in body
    assert "vendor/echarts/echarts.min.js" in body and "js/quotas.js" in body
    assert "阿拉巴马悖论" in body
    assert list(QuotaAllocation.objects.filter(plan=plan).values_list("party_org", "seats")) == before
    assert QuotaAllocation.history.count() == history


def test_page_rows_are_scoped_and_bad_input_is_explained(world, plan_with_demand):
    client = world.client_for(Role.TOWNSHIP_WORKER)
    response = client.get(reverse("quotas:plan-whatif", args=[plan_with_demand.pk]))
    names = {row["name"] for row in response.context["page_obj"]}
    assert world.obj("party_organization", "own").name in names
    assert world.obj("party_organization", "foreign").name not in names
    bad = client.get(reverse("quotas:plan-whatif", args=[plan_with_demand.pk]),
                     {"s1-township_method": "hamilton", "s1-org_method": "hamilton", "s1-completion_weight": "3"})
    assert "results" not in bad.context and "确保该值小于或等于1。" in bad.content.decode()


def test_api_what_if(world, plan_with_demand):
    client = world.api_client_for(Role.AUDITOR)      # a read-only role may compare: nothing is written
    url = reverse("api:plan-what-if", args=[plan_with_demand.pk])
    response = client.post(url, {"scenarios": [
        {"township_method": "hamilton", "org_method": "hamilton"},
        {"township_method": "hamilton", "org_method": "hamilton", "seats": 11, "label": "多一个名额"},
        {"township_method": "webster", "org_method": "webster", "parameters": {"grade_factors": {"B": 0.5}}},
    ]}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert [s["title"] for s in data["scenarios"]][1] == "多一个名额"
    assert {"categories", "series"} <= set(data["chart"])
    assert all(len(row["cells"]) == 3 for row in data["rows"])
    assert client.post(url, {"scenarios": []}, format="json").status_code == 400
    too_many = client.post(url, {"scenarios": [{"township_method": "hamilton", "org_method": "hamilton"}] * 5},
                           format="json")
    assert too_many.status_code == 400 and "请给出1至4个方案。" in too_many.content.decode()
