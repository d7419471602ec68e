"""Coverage (组织覆盖) — the one definition in organizations.selectors that the home
pages and the statistics (reports.selectors.units) both read: which units count, the
counts, the two rates.

World: 甲镇 has its own unit (50 employees, 2 members, covered by its party
organization); added here: an uncovered unit with 30 employees and no member, an
uncovered social organization with no employees, and a dissolved unit (never counted).
乙镇 has the foreign unit (50 employees, 2 members, covered).
"""
from datetime import date

import pytest

from accounts.models import Role
from organizations import selectors
from organizations.choices import OrganizationKind, SubKind
from tests.factories import OrganizationFactory


@pytest.fixture
def units(world):
    a = world.township_a
    OrganizationFactory(township=a, employee_count=30, party_member_count=0)
    OrganizationFactory(township=a, kind=OrganizationKind.SOCIAL_ORG, sub_kind=SubKind.ASSOCIATION,
                        employee_count=0, party_member_count=0)
    OrganizationFactory(township=a, status="dissolved", dissolved_on=date(2023, 1, 1))
    return world


def test_coverage_by_township_counts_and_rates(units):
    rows = selectors.coverage_by_township(user=units.users[Role.COUNTY_ADMIN])
    assert [(r["township__name"], r["units"], r["covered"], r["without_member"], r["employees"], r["members"])
            for r in rows] == [("甲镇", 3, 1, 2, 80, 2), ("乙镇", 1, 1, 0, 50, 2)]
    assert [(r["coverage_rate"], r["members_per_100"]) for r in rows] == [(33.3, 2.5), (100.0, 4.0)]


def test_a_township_worker_counts_only_their_township(units):
    rows = selectors.coverage_by_township(user=units.users[Role.TOWNSHIP_WORKER])
    assert [r["township_id"] for r in rows] == [units.township_a.pk]
    totals = selectors.registry_totals(user=units.users[Role.TOWNSHIP_WORKER])
    assert (totals["units"], totals["covered"], totals["without_party_org"], totals["coverage_rate"]) == (3, 1, 2, 33.3)


def test_coverage_counts_by_any_grouping(units):
    """What the statistics call: the same counts grouped by township and kind."""
    queryset = selectors.coverage_units(user=units.users[Role.AUDITOR]).filter(township=units.township_a)
    rows = {(r["township"], r["kind"]): r for r in selectors.coverage_counts(
        queryset, by={"township": "township_id", "kind": "kind"})}
    social = rows[(units.township_a.pk, OrganizationKind.SOCIAL_ORG)]
    assert (social["units"], social["covered"], social["employees"]) == (1, 0, 0)
    assert selectors.coverage_rates(social) == {"coverage_rate": 0.0, "members_per_100": None}


def test_rates_with_nothing_to_divide(db):
    empty = dict.fromkeys(selectors.COVERAGE_MEASURES, 0)
    assert selectors.coverage_rates(empty) == {"coverage_rate": None, "members_per_100": None}
    assert selectors.coverage_rates({**empty, "units": 3, "covered": 2, "employees": 7, "members": 1}) == {
        "coverage_rate": 66.7, "members_per_100": 14.29}
