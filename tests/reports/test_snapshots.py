"""Monthly snapshots: they hold exactly the figures of their day, they do not move when
the data changes, "last year" and reports can be read from them, and the beat job
takes them on the 1st."""
from datetime import date

import pytest
from django_celery_beat.models import PeriodicTask

from accounts.models import Role
from members.choices import Stage
from organizations.models import Organization
from reports import selectors, services, snapshots, tasks
from reports.models import DataSource, RunStatus, StatisticsSnapshot

from .conftest import make_dossier

AS_OF = date(2024, 12, 31)
NEXT_DAY = date(2025, 1, 1)


def live(user, key, **kwargs):
    scope = selectors.make_scope(user=user, start=date(2024, 1, 1), end=AS_OF, today=NEXT_DAY, **kwargs)
    return selectors.build_figure(key, scope)


def frozen(user, key, snapshot, **kwargs):
    scope = selectors.make_scope(user=user, start=date(2024, 1, 1), end=AS_OF, today=NEXT_DAY, snapshot=snapshot,
                                 **kwargs)
    return selectors.build_figure(key, scope)


def change_the_data(stats_world):
    """After the snapshot: a 2024 admission recorded late, a unit dissolved."""
    party_org, unit = stats_world.obj("party_organization", "own"), stats_world.units["a2"]
    make_dossier(party_org, unit, stage=Stage.PROBATIONARY, applied_on=date(2024, 1, 2), activist_on=date(2024, 1, 3),
                 candidate_on=date(2024, 3, 1), approved_on=date(2024, 9, 1))
    Organization.objects.filter(pk=stats_world.units["a3"].pk).update(status="dissolved", dissolved_on=date(2025, 2, 1))


SNAPSHOT_FIGURES = [key for key, spec in selectors.FIGURES.items() if spec.in_snapshot]


@pytest.mark.parametrize("key", SNAPSHOT_FIGURES)
@pytest.mark.parametrize("role", [Role.COUNTY_ADMIN, Role.TOWNSHIP_WORKER])
def test_a_snapshot_holds_the_figures_of_its_day(stats_world, key, role):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    user = stats_world.users[role]
    now, then = live(user, key), frozen(user, key, snapshot)
    assert then.rows == now.rows and then.totals == now.totals
    assert then.source == "2024年12月31日快照"


@pytest.mark.parametrize("key", ["pipeline", "coverage", "new_members"])
def test_snapshot_figures_by_kind(stats_world, key):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    admin = stats_world.users[Role.COUNTY_ADMIN]
    assert frozen(admin, key, snapshot, kind="social_org").totals == live(admin, key, kind="social_org").totals


def test_snapshot_does_not_move_when_the_data_changes(stats_world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    admin = stats_world.users[Role.COUNTY_ADMIN]
    change_the_data(stats_world)
    assert live(admin, "pipeline").totals["probationary"] == 3
    assert frozen(admin, "pipeline", snapshot).totals["probationary"] == 2
    assert frozen(admin, "coverage", snapshot).totals["units"] == 5
    # Taking it again changes nothing.
    again = snapshots.take_snapshot(as_of=AS_OF)
    assert again.pk == snapshot.pk and again.data == StatisticsSnapshot.objects.get(pk=snapshot.pk).data
    assert frozen(admin, "pipeline", again).totals["probationary"] == 2


def test_last_year_is_read_from_the_snapshot(stats_world):
    snapshots.take_snapshot(as_of=AS_OF)
    change_the_data(stats_world)
    admin = stats_world.users[Role.COUNTY_ADMIN]
    figure = selectors.year_comparison(user=admin, year=2025, today=date(2025, 6, 30))
    rows = {r["id"]: r for r in figure.rows}
    assert rows["probationary"]["last"] == 2          # the late 2024 admission does not rewrite last year
    assert rows["units"]["last"] == 5 and rows["coverage_rate"]["last"] == 60.0
    assert rows["units"]["this"] == 4                 # today's registry
    assert "2024年12月31日快照" in figure.notes[0]


def test_a_snapshot_read_in_a_township_gives_that_township_only(stats_world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    admin = stats_world.users[Role.COUNTY_ADMIN]
    figure = frozen(admin, "pipeline", snapshot, township=stats_world.township_a)
    assert [(r["name"], r["applied"]) for r in figure.rows] == [("甲镇", 2)]
    assert any("快照只保存乡镇" in note for note in figure.notes)


def test_trend_of_monthly_snapshots(stats_world):
    snapshots.take_snapshot(as_of=date(2024, 11, 30))
    snapshots.take_snapshot(as_of=AS_OF)
    admin = stats_world.users[Role.COUNTY_ADMIN]
    figure = selectors.trend(user=admin, year=2024, today=date(2025, 6, 30))
    # d9 applied on 31 December: in December's year-to-date only.
    assert [(r["name"], r["applied"], r["probationary"]) for r in figure.rows] == [
        ("2024年11月", 3, 2), ("2024年12月", 4, 2)]


def test_report_built_from_a_snapshot(stats_world, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    admin = stats_world.users[Role.COUNTY_ADMIN]

    def build():
        with django_capture_on_commit_callbacks(execute=True):
            run = services.start_report(by=admin, start=date(2024, 1, 1), end=AS_OF, source=DataSource.SNAPSHOT)
        run.refresh_from_db()
        return run

    first = build()
    assert first.status == RunStatus.DONE and first.snapshot == snapshot
    pipeline = next(f for f in first.figures["figures"] if f["key"] == "pipeline")
    assert pipeline["totals"]["probationary"] == 2 and pipeline["source"] == "2024年12月31日快照"
    change_the_data(stats_world)
    assert build().checksum == first.checksum           # the data moved; the snapshot report did not


def test_the_monthly_task_and_its_schedule(stats_world, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2025, 1, 1))
    assert tasks.take_monthly_snapshot.delay().get() == "2024-12-31"
    assert tasks.take_monthly_snapshot.delay(as_of="2024-11-30").get() == "2024-11-30"
    assert list(StatisticsSnapshot.objects.values_list("as_of", flat=True)) == [AS_OF, date(2024, 11, 30)]
    job = PeriodicTask.objects.get(task="reports.tasks.take_monthly_snapshot")
    assert job.enabled and job.crontab.day_of_month == "1" and str(job.crontab.timezone) == "Asia/Shanghai"


def test_snapshot_query_count_is_fixed(stats_world, django_assert_max_num_queries):
    with django_assert_max_num_queries(len(selectors.SNAPSHOT_CUBES) + 8):
        snapshots.take_snapshot(as_of=AS_OF)


def test_api_reads_a_snapshot(stats_world):
    snapshots.take_snapshot(as_of=AS_OF)
    change_the_data(stats_world)
    client = stats_world.api_client_for(Role.AUDITOR)
    from django.urls import reverse

    url = reverse("api:stats-detail", args=["pipeline"])
    assert client.get(url, {"year": 2024, "snapshot": "2024-12-31"}).json()["totals"]["probationary"] == 2
    assert client.get(url, {"year": 2024}).json()["totals"]["probationary"] == 3
    assert client.get(url, {"year": 2024, "snapshot": "2024-10-31"}).status_code == 404
