"""The report job on a real Celery worker with Redis (CI sets REDIS_URL and PostgreSQL);
every other test runs the task eagerly, as the embedded default does."""
import os
import time
from datetime import date

import pytest
from django.db import connection

from accounts.models import Role
from config.celery import app as celery_app
from reports import services
from reports.models import ReportRun, RunStatus

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: a real broker for a real worker"),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: the worker thread reads what the test committed"),
    pytest.mark.django_db(transaction=True),
]


def test_report_job_runs_on_a_real_worker(stats_world, settings, tmp_path):
    from celery.contrib.testing.worker import start_worker

    settings.MEDIA_ROOT = tmp_path
    celery_app.conf.task_always_eager = False        # the autouse fixture restores it
    admin = stats_world.users[Role.COUNTY_ADMIN]
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        run = services.start_report(by=admin, start=date(2024, 1, 1), end=date(2024, 12, 31))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if not run.is_active:
                break
            time.sleep(0.2)
    assert run.status == RunStatus.DONE, run.error
    assert run.progress == 100 and run.checksum and run.file
    pipeline = next(f for f in run.figures["figures"] if f["key"] == "pipeline")
    assert pipeline["totals"]["applied"] == 4
    assert ReportRun.objects.count() == 1
