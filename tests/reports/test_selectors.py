"""Every figure's numbers against the hand-built county of tests/reports/conftest.py.

County view (county administrator), 2024, today 2025-06-30, rows 甲镇 then 乙镇.
"""
from datetime import date

import pytest

from accounts.models import Role
from members.choices import Stage
from members.models import StepRecord
from members.periods import add_years
from organizations.structure_rules import THRESHOLDS
from reports import selectors
from tests.factories import OrganizationFactory, PartyOrganizationFactory, PersonFactory, TownshipFactory

from .conftest import TODAY, YEAR, make_dossier


def county(stats_world, selector, **kwargs):
    kwargs.setdefault("year", YEAR)
    return selector(user=stats_world.users[Role.COUNTY_ADMIN], today=TODAY, **kwargs)


def by_name(figure, *keys):
    return {row["name"]: tuple(row[k] for k in keys) for row in figure.rows}


def test_pipeline_funnel_flows_and_stocks(stats_world):
    figure = county(stats_world, selectors.pipeline_funnel)
    assert [row["name"] for row in figure.rows] == ["甲镇", "乙镇"]
    flows = ("applied", "activists", "candidates", "probationary", "full")
    assert by_name(figure, *flows) == {"甲镇": (2, 2, 1, 1, 1), "乙镇": (2, 1, 0, 1, 0)}
    stocks = ("stock_applicant", "stock_activist", "stock_candidate", "stock_probationary")
    # d5 ended in June (not on hand), d6 lost contact (still on hand), d10 applied in 2025.
    assert by_name(figure, *stocks) == {"甲镇": (1, 2, 0, 1), "乙镇": (1, 1, 0, 1)}
    assert [figure.totals[k] for k in flows] == [4, 3, 1, 2, 1]


def test_pipeline_stocks_of_a_past_year_do_not_depend_on_later_events(stats_world):
    figure = county(stats_world, selectors.pipeline_funnel, year=2023)
    # 31 Dec 2023: activists d1 and d5 (ended only in 2024); candidate d8 (approved 2024).
    assert figure.totals["stock_activist"] == 2 and figure.totals["stock_candidate"] == 1
    assert figure.totals["applied"] == 4 and figure.totals["probationary"] == 1


def test_kind_filter_counts_the_unit_of_the_person(stats_world):
    figure = county(stats_world, selectors.pipeline_funnel, kind="social_org")
    assert by_name(figure, "applied", "activists") == {"甲镇": (0, 0), "乙镇": (1, 0)}    # d9 works at B2


def test_date_range_instead_of_a_year(stats_world):
    figure = county(stats_world, selectors.pipeline_funnel, start=date(2024, 12, 31), end=date(2025, 1, 2))
    assert figure.totals["applied"] == 2                       # d9 and d10, both boundaries included
    assert figure.filters["year"] is None and figure.filters["as_of"] == "2025-01-02"


def test_drill_down_into_a_township_gives_party_organization_rows(stats_world):
    figure = county(stats_world, selectors.pipeline_funnel, township=stats_world.township_a)
    party_org = stats_world.obj("party_organization", "own")
    assert figure.grain == "party_org"
    assert [(r["id"], r["name"], r["applied"]) for r in figure.rows] == [(party_org.pk, party_org.name, 2)]
    assert figure.rows[0]["drill"] == {"level": "party_org", "id": party_org.pk}


def test_plan_allocated_used_and_demand(stats_world):
    figure = county(stats_world, selectors.plan_use)
    keys = ("allocated", "used", "reserved", "remaining", "completion", "ready_demand", "shortfall", "admitted")
    assert by_name(figure, *keys) == {"甲镇": (3, 1, 1, 1, 33.3, 4, 1, 1), "乙镇": (2, 1, 0, 1, 50.0, 1, 0, 1)}
    assert figure.totals["completion"] == 40.0


def test_activists_per_seat(stats_world):
    figure = county(stats_world, selectors.activists_per_seat)
    assert by_name(figure, "stock_activist", "allocated", "per_seat") == {"甲镇": (2, 3, 0.67), "乙镇": (1, 2, 0.5)}
    assert figure.totals["per_seat"] == 0.6


def test_plan_completion_by_party_organization_least_complete_first(stats_world):
    figure = county(stats_world, selectors.plan_completion)
    pa, pb = stats_world.obj("party_organization", "own"), stats_world.obj("party_organization", "foreign")
    assert [(r["id"], r["completion"]) for r in figure.rows] == [(pa.pk, 33.3), (pb.pk, 50.0)]
    assert figure.charts[0]["counts"] == {"未使用（0%）": 0, "使用不足一半（1%–49%）": 1, "50%–99%": 1, "已完成（100%）": 0}


def test_overdue_steps_by_kind_of_alert(stats_world):
    figure = county(stats_world, selectors.overdue_steps)
    counts = {r["id"]: (r["overdue"], r["due"]) for r in figure.rows if r["overdue"] or r["due"]}
    # d5's alert does not count: its dossier has ended.
    assert counts == {"activist_review_due": (1, 0), "lost_contact": (1, 0), "talk_due": (0, 1)}
    assert figure.totals == {"overdue": 2, "due": 1}


def test_lost_contact_and_its_share_of_open_dossiers(stats_world):
    figure = county(stats_world, selectors.lost_contact)
    assert by_name(figure, "lost_activist", "lost", "open", "share") == {"甲镇": (1, 1, 4, 25.0),
                                                                         "乙镇": (0, 0, 3, 0.0)}


def test_dossiers_ended_early_by_reason(stats_world):
    figure = county(stats_world, selectors.ended_early)
    assert [(r["id"], r["ended_activist"], r["ended"], r["share"]) for r in figure.rows] == [("resigned", 1, 1, 100.0)]
    assert county(stats_world, selectors.ended_early, year=2023).rows[0]["id"] == "moved_away"


def test_activists_by_source(stats_world):
    figure = county(stats_world, selectors.activist_sources)
    assert {r["id"]: (r["activists"], r["share"]) for r in figure.rows} == {
        "league": (2, 66.7), "trade_union": (0, 0.0), "members": (0, 0.0), "self": (1, 33.3)}


def test_transfers_in_and_out_and_waiting_time(stats_world):
    figure = county(stats_world, selectors.transfers)
    keys = ("out", "out_of_county", "incoming", "decided", "average_wait", "pending", "average_pending")
    # 甲→乙 accepted after 10 days; 乙→县外 pending since 1 Sep (121 days to 31 Dec); the 2023 one is out.
    assert by_name(figure, *keys) == {"甲镇": (1, 0, 0, 0, None, 0, None), "乙镇": (1, 1, 1, 1, 10.0, 1, 121.0)}


def test_unit_gaps(stats_world):
    figure = county(stats_world, selectors.unit_gaps)
    keys = ("units", "without_party_org", "without_member", "without_dossier", "no_new_2y", "no_new_3y")
    assert by_name(figure, *keys) == {"甲镇": (3, 2, 1, 2, 2, 2), "乙镇": (2, 0, 1, 0, 1, 1)}
    # In 2022 only d4 (A1, approved 2023) is outside the window: A1 has no new member in 2021–2022.
    assert county(stats_world, selectors.unit_gaps, year=2022).totals["no_new_2y"] == 5


def test_unit_gaps_drilled_to_units(stats_world):
    figure = county(stats_world, selectors.unit_gaps, township=stats_world.township_a)
    units = stats_world.units
    assert figure.grain == "unit"
    assert [r["id"] for r in figure.rows] == [units["a2"].pk, units["a3"].pk, units["a1"].pk]
    assert [(r["without_party_org"], r["no_new_3y"]) for r in figure.rows] == [(1, 1), (1, 1), (0, 0)]


def test_coverage_by_kind_and_township(stats_world):
    figure = county(stats_world, selectors.coverage)
    keys = ("units", "covered", "coverage_rate", "enterprise_units", "enterprise_rate", "social_org_units",
            "social_org_rate", "without_member", "members_per_100")
    assert by_name(figure, *keys) == {"甲镇": (3, 1, 33.3, 2, 50.0, 1, 0.0, 1, 3.75),
                                      "乙镇": (2, 2, 100.0, 1, 100.0, 1, 100.0, 1, 2.5)}
    assert (figure.totals["coverage_rate"], figure.totals["social_org_rate"]) == (60.0, 50.0)


def test_instructor_load(stats_world, monkeypatch):
    figure = county(stats_world, selectors.instructor_load)
    # The dissolved unit A4 does not count for the second instructor of 甲镇.
    assert by_name(figure, "instructors", "units", "average", "overloaded", "idle") == {
        "甲镇": (2, 3, 1.5, 0, 0), "乙镇": (2, 1, 0.5, 0, 1)}
    monkeypatch.setitem(THRESHOLDS, "instructor_max_units", 1)
    assert county(stats_world, selectors.instructor_load).totals["overloaded"] == 1


def test_training_hours_against_the_target(stats_world):
    figure = county(stats_world, selectors.training_hours)
    keys = ("party_worker_count", "party_worker_met", "party_worker_zero", "instructor_count", "instructor_met",
            "instructor_rate")
    # The 2023 course of 乙镇's worker does not count in 2024.
    assert by_name(figure, *keys) == {"甲镇": (1, 1, 0, 2, 1, 50.0), "乙镇": (1, 0, 1, 2, 0, 0.0)}


def test_new_members_by_category(stats_world):
    figure = county(stats_world, selectors.new_members)
    keys = ("total", "female", "minority", "age35", "edu_bachelor", "edu_college", "occ_front_line",
            "occ_technical_backbone")
    assert by_name(figure, *keys) == {"甲镇": (1, 1, 0, 1, 1, 0, 1, 0), "乙镇": (1, 0, 1, 1, 0, 1, 0, 1)}
    totals = figure.totals
    assert (totals["college"], totals["female_share"], totals["front_line_share"]) == (2, 50.0, 50.0)


def test_age_35_is_counted_on_the_approval_day(stats_world):
    """Born 20 Nov 1988, approved 20 Nov 2024: 36 that day — not among the ≤ 35."""
    party_org, unit = stats_world.obj("party_organization", "own"), stats_world.obj("organization", "own")
    make_dossier(party_org, unit, stage=Stage.PROBATIONARY, applied_on=date(2023, 1, 1), approved_on=date(2024, 11, 20),
                 person=PersonFactory(current_unit=unit, birth_date=date(1988, 11, 20)))
    figure = county(stats_world, selectors.new_members)
    assert (figure.totals["total"], figure.totals["age35"]) == (3, 2)


def test_age_35_on_a_29_february_birthday(stats_world):
    """Born 29 Feb 1988: the 36th birthday is 29 Feb 2024 (every 36th year is a leap year)
    — approved the day before, 35; approved that day, 36 — as members.periods counts."""
    birth = date(1988, 2, 29)
    assert add_years(birth, 36) == date(2024, 2, 29)
    party_org, unit = stats_world.obj("party_organization", "own"), stats_world.obj("organization", "own")
    for approved in (date(2024, 2, 28), date(2024, 2, 29)):
        make_dossier(party_org, unit, stage=Stage.PROBATIONARY, applied_on=date(2022, 1, 1), approved_on=approved,
                     person=PersonFactory(current_unit=unit, birth_date=birth))
    figure = county(stats_world, selectors.new_members)
    assert (figure.totals["total"], figure.totals["age35"]) == (4, 3)


def test_materials_completeness_of_the_steps_taken_in_the_period(stats_world):
    """Counters as members.materials keeps them on the step records: d1 (甲镇) took two
    steps in 2024 — one 补录 with 1 of 2 documents, one complete — and one in 2023; d7
    (乙镇) one complete step of two documents."""
    d = stats_world.dossiers
    for dossier, step, on, required, present, reason in (
            (d["d1"], "apply", date(2023, 3, 1), 1, 0, "补录"),
            (d["d1"], "designate_candidate", date(2024, 3, 1), 2, 1, "纸质材料在档"),
            (d["d1"], "admission_approval", date(2024, 8, 1), 1, 1, ""),
            (d["d7"], "designate_activist", date(2024, 7, 5), 2, 2, "")):
        StepRecord.objects.create(dossier=dossier, step=step, taken_on=on, materials_required=required,
                                  materials_present=present, backfill_reason=reason)
    figure = county(stats_world, selectors.materials_completeness)
    keys = ("steps", "required", "present", "ratio", "incomplete", "backfilled")
    assert by_name(figure, *keys) == {"甲镇": (2, 3, 2, 66.7, 1, 1), "乙镇": (1, 2, 2, 100.0, 0, 0)}
    assert [figure.totals[k] for k in keys] == [3, 5, 4, 80.0, 1, 1]
    earlier = county(stats_world, selectors.materials_completeness, year=2023)
    assert earlier.totals["steps"] == 1 and earlier.totals["ratio"] == 0.0
    worker = selectors.materials_completeness(user=stats_world.users[Role.TOWNSHIP_WORKER], year=YEAR, today=TODAY)
    assert [row["name"] for row in worker.rows] == ["甲镇"] and worker.totals["required"] == 3


def test_year_comparison_without_snapshot(stats_world):
    figure = county(stats_world, selectors.year_comparison)
    rows = {r["id"]: (r["this"], r["last"], r["change"]) for r in figure.rows}
    assert rows["applied"] == (4, 4, 0)
    assert rows["probationary"] == (2, 1, 1)
    assert rows["stock_activist"] == (3, 2, 1)
    assert rows["ended"] == (1, 1, 0)
    assert rows["coverage_rate"] == (60.0, None, None)      # the registry's past needs a snapshot
    assert any("快照" in note for note in figure.notes)


# ---- scope ----------------------------------------------------------------------------------

def _numbers(figure):
    for row in figure.rows + [figure.totals or {}]:
        for name, value in row.items():
            if name not in ("id", "target") and isinstance(value, (int, float)) and not isinstance(value, bool):
                yield name, value


@pytest.mark.parametrize("key", list(selectors.FIGURES))
def test_township_worker_sees_only_their_township(stats_world, key):
    worker = stats_world.users[Role.TOWNSHIP_WORKER]
    figure = selectors.build_figure(key, selectors.make_scope(user=worker, year=YEAR, today=TODAY))
    assert stats_world.township_b.name not in {row["name"] for row in figure.rows}
    assert all(row["id"] == stats_world.township_a.pk for row in figure.rows
               if (row.get("drill") or {}).get("level") == "township")
    # Asking for the other township gives nothing at all.
    foreign = selectors.make_scope(user=worker, year=YEAR, today=TODAY, township=stats_world.township_b)
    assert [(name, value) for name, value in _numbers(selectors.build_figure(key, foreign)) if value] == []


def test_township_worker_figures_are_their_townships_rows(stats_world):
    worker = stats_world.users[Role.TOWNSHIP_WORKER]
    mine = selectors.pipeline_funnel(user=worker, year=YEAR, today=TODAY)
    assert [(r["name"], r["applied"]) for r in mine.rows] == [("甲镇", 2)]
    assert selectors.plan_use(user=worker, year=YEAR, today=TODAY).totals["allocated"] == 3


# ---- query counts ---------------------------------------------------------------------------

def _grow_county(world, townships: int = 3, units: int = 4):
    """More townships, units and dossiers: the figures' query counts must not change."""
    for _ in range(townships):
        township = TownshipFactory(parent=world.county)
        for _ in range(units):
            unit = OrganizationFactory(township=township)
            party_org = PartyOrganizationFactory(area=township, covered_organizations=[unit])
            make_dossier(party_org, unit, stage=Stage.ACTIVIST, applied_on=date(2024, 2, 1),
                         activist_on=date(2024, 3, 1), source="league")


def _queries(django_assert_max_num_queries, user, key, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = type(user).objects.get(pk=user.pk)     # nothing cached on it
    with CaptureQueriesContext(connection) as captured:
        selectors.build_figure(key, selectors.make_scope(user=user, year=YEAR, today=TODAY, **kwargs))
    return len(captured)


@pytest.mark.parametrize("key", list(selectors.FIGURES))
def test_query_count_does_not_grow_with_units(stats_world, django_assert_max_num_queries, key):
    admin = stats_world.users[Role.COUNTY_ADMIN]
    worker = stats_world.users[Role.TOWNSHIP_WORKER]
    before = _queries(django_assert_max_num_queries, admin, key)
    drilled_before = _queries(django_assert_max_num_queries, admin, key, township=stats_world.township_a)
    worker_before = _queries(django_assert_max_num_queries, worker, key)
    _grow_county(stats_world.world)
    for _ in range(6):
        unit = OrganizationFactory(township=stats_world.township_a)
        make_dossier(stats_world.obj("party_organization", "own"), unit, applied_on=date(2024, 4, 1))
    fresh = type(admin).objects.get(pk=admin.pk)
    with django_assert_max_num_queries(before):
        selectors.build_figure(key, selectors.make_scope(user=fresh, year=YEAR, today=TODAY))
    assert _queries(django_assert_max_num_queries, admin, key, township=stats_world.township_a) == drilled_before
    assert _queries(django_assert_max_num_queries, worker, key) == worker_before
    assert before <= (16 if key == "year_comparison" else 6)


def test_a_whole_dashboard_is_a_fixed_handful_of_queries(stats_world, django_assert_max_num_queries):
    admin = stats_world.users[Role.COUNTY_ADMIN]
    _grow_county(stats_world.world, townships=5, units=5)
    scope = selectors.make_scope(user=admin, year=YEAR, today=TODAY)
    with django_assert_max_num_queries(40):
        for key in selectors.FIGURES:
            selectors.build_figure(key, scope)
