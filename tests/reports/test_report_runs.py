"""The county report: started from the page and the API, built by the Celery task (eager
here), stored with its checksum, downloadable only in scope, re-runnable, and the same
inputs give the same figures and the same file."""
import hashlib
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Role
from reports import selectors, services
from reports.models import ReportRun, RunStatus
from reports import report_print
from reports.report_book import ABOUT_SHEET, REPORT_SHEETS

from .conftest import YEAR

SHEETS = [ABOUT_SHEET] + [name for _, name, _ in REPORT_SHEETS]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    """Start a report through the service and let the (eager) task run, as after a commit."""
    def start(user, **kwargs):
        kwargs.setdefault("start", date(YEAR, 1, 1))
        kwargs.setdefault("end", date(YEAR, 12, 31))
        with django_capture_on_commit_callbacks(execute=True):
            run = services.start_report(by=user, **kwargs)
        run.refresh_from_db()
        return run
    return start


def workbook(content: bytes):
    return load_workbook(BytesIO(content))


def sheet_rows(book, name):
    return [list(row) for row in book[name].iter_rows(min_row=4, values_only=True)]


def test_report_from_the_page_with_progress_and_download(stats_world, django_capture_on_commit_callbacks):
    client = stats_world.client_for(Role.COUNTY_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:run-list"), {"year": YEAR, "source": "live"})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.status == RunStatus.DONE and run.progress == 100 and run.started_at and run.finished_at
    assert set(run.timings) == {"figures", "workbook", "save", "pdf", "total"}
    detail = client.get(run.get_absolute_url()).content.decode()
    assert 'id="download-xlsx"' in detail and run.checksum in detail and "hx-trigger" not in detail
    download = client.get(reverse("reports:run-download", args=[run.pk]))
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == run.checksum == download["X-Checksum-SHA256"]
    book = workbook(content)
    assert book.sheetnames == SHEETS
    assert book["发展党员工作进度"]["A1"].value.startswith("表二")


def test_report_sheets_hold_the_selectors_figures(stats_world, build):
    admin = stats_world.users[Role.COUNTY_ADMIN]
    run = build(admin)
    book = workbook(run.file.open("rb").read())
    pipeline = selectors.pipeline_funnel(user=admin, year=YEAR)
    rows = sheet_rows(book, "发展党员工作进度")
    assert rows[0][:6] == ["甲镇", 2, 2, 1, 1, 1] and rows[1][:6] == ["乙镇", 2, 1, 0, 1, 0]
    assert rows[2][0] == "合计" and rows[2][1] == pipeline.totals["applied"] == 4
    members = sheet_rows(book, "发展党员情况")
    assert members[2][:3] == ["合计", 2, 1]            # two new members, one woman
    plan = sheet_rows(book, "计划执行情况")
    assert plan[0][:6] == ["甲镇", 3, 1, 1, 1, 33.3]
    comparison = {row[0]: row[1:3] for row in sheet_rows(book, "与上年对比") if row[0]}
    assert comparison["发展党员"] == [2, 1]


def test_the_same_inputs_give_the_same_figures_and_file(stats_world, build, django_capture_on_commit_callbacks):
    admin = stats_world.users[Role.COUNTY_ADMIN]
    first = build(admin)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.rerun_report(run=first, by=admin)
    again.refresh_from_db()
    assert again.pk != first.pk and again.rerun_of == first and again.status == RunStatus.DONE
    assert again.figures == first.figures
    assert again.checksum == first.checksum
    assert again.file.open("rb").read() == first.file.open("rb").read()


def test_rerun_from_the_page(stats_world, build, django_capture_on_commit_callbacks):
    admin = stats_world.users[Role.COUNTY_ADMIN]
    first = build(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = stats_world.client_for(Role.COUNTY_ADMIN).post(reverse("reports:run-rerun", args=[first.pk]))
    again = ReportRun.objects.exclude(pk=first.pk).get()
    assert response["Location"] == again.get_absolute_url() and again.checksum == first.checksum


def test_date_range_report(stats_world, build):
    run = build(stats_world.users[Role.COUNTY_ADMIN], start=date(2024, 12, 31), end=date(2025, 1, 2))
    assert run.status == RunStatus.DONE
    assert "2024年12月31日至2025年01月02日" in run.title
    pipeline = next(f for f in run.figures["figures"] if f["key"] == "pipeline")
    assert pipeline["totals"]["applied"] == 2


def test_township_worker_report_holds_only_their_township_and_is_theirs(stats_world, build):
    worker = stats_world.users[Role.TOWNSHIP_WORKER]
    run = build(worker)
    pipeline = next(f for f in run.figures["figures"] if f["key"] == "pipeline")
    assert [r["name"] for r in pipeline["rows"]] == ["甲镇"]
    assert "乙镇" not in str(run.figures)
    county_run = build(stats_world.users[Role.COUNTY_ADMIN])
    client = stats_world.client_for(Role.TOWNSHIP_WORKER)
    for name in ("run-detail", "run-progress", "run-download", "run-download-pdf", "run-print"):
        assert client.get(reverse(f"reports:{name}", args=[county_run.pk])).status_code == 404
        assert client.get(reverse(f"reports:{name}", args=[run.pk])).status_code == 200
    assert client.post(reverse("reports:run-rerun", args=[county_run.pk])).status_code == 404
    listed = client.get(reverse("reports:run-list")).content.decode()
    assert run.get_absolute_url() in listed and county_run.get_absolute_url() not in listed
    # The county sees every run.
    auditor = stats_world.client_for(Role.AUDITOR)
    assert auditor.get(reverse("reports:run-download", args=[run.pk])).status_code == 200


def test_progress_is_polled_while_the_run_is_queued(stats_world):
    admin = stats_world.users[Role.COUNTY_ADMIN]
    run = services.start_report(by=admin, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))   # not committed yet
    client = stats_world.client_for(Role.COUNTY_ADMIN)
    partial = client.get(reverse("reports:run-progress", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and 'data-status="queued"' in partial
    assert client.get(reverse("reports:run-download", args=[run.pk])).status_code == 404
    services.run_report(run=run)
    partial = client.get(reverse("reports:run-progress", args=[run.pk])).content.decode()
    assert 'data-status="done"' in partial and "hx-trigger" not in partial and "100%" in partial


def test_a_run_is_built_once(stats_world, build):
    run = build(stats_world.users[Role.COUNTY_ADMIN])
    finished = run.finished_at
    assert services.run_report(run=run).finished_at == finished      # a redelivered task does nothing


def test_a_failing_run_records_its_error(stats_world):
    worker = stats_world.users[Role.TOWNSHIP_WORKER]
    run = services.start_report(by=worker, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))
    worker.role = Role.SECRETARY
    worker.save()
    run = services.run_report(run=run)
    assert run.status == RunStatus.FAILED and "权限" in run.error and not run.file


def test_print_page(stats_world, build):
    run = build(stats_world.users[Role.COUNTY_ADMIN])
    body = stats_world.client_for(Role.COUNTY_ADMIN).get(reverse("reports:run-print", args=[run.pk])).content.decode()
    for _, _, title in REPORT_SHEETS:
        assert title in body
    assert "@media print" in body and run.checksum in body


def test_form_errors(stats_world):
    client = stats_world.client_for(Role.COUNTY_ADMIN)
    response = client.post(reverse("reports:run-list"), {"year": "", "start": "2024-05-01", "source": "live"})
    assert "请同时填写开始日期和结束日期" in response.content.decode()
    response = client.post(reverse("reports:run-list"), {"year": YEAR, "source": "snapshot"})
    assert "没有截至2024年12月31日的月度快照" in response.content.decode()
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.INSTRUCTOR])
def test_roles_without_statistics_cannot_start_reports(stats_world, role):
    client = stats_world.client_for(role)
    assert client.get(reverse("reports:run-list")).status_code == 403
    assert client.post(reverse("reports:run-list"), {"year": YEAR, "source": "live"}).status_code == 403
    assert not ReportRun.objects.exists()


def test_report_runs_through_the_api(stats_world, django_capture_on_commit_callbacks):
    client = stats_world.api_client_for(Role.API_CLIENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api:report-run-list"), {"year": YEAR}, format="json")
    assert response.status_code == 202
    run_id = response.json()["id"]
    detail = client.get(reverse("api:report-run-detail", args=[run_id])).json()
    assert detail["status"] == "done" and detail["progress"] == 100 and detail["data_source"] == "live"
    download = client.get(detail["download_url"])
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == detail["checksum"]
    assert workbook(content).sheetnames == SHEETS
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("api:report-run-rerun", args=[run_id]))
    assert again.status_code == 202
    assert client.get(reverse("api:report-run-detail", args=[again.json()["id"]])).json()["checksum"] == \
        detail["checksum"]
    others = stats_world.api_client_for(Role.TOWNSHIP_WORKER)
    assert others.get(reverse("api:report-run-detail", args=[run_id])).status_code == 404
    assert others.get(reverse("api:report-run-list")).json()["count"] == 0


def test_api_refuses_bad_parameters_and_foreign_townships(stats_world):
    client = stats_world.api_client_for(Role.TOWNSHIP_WORKER)
    url = reverse("api:report-run-list")
    assert client.post(url, {}, format="json").status_code == 400
    assert client.post(url, {"start": "2024-01-01"}, format="json").status_code == 400
    assert client.post(url, {"year": YEAR, "township": stats_world.township_b.pk}, format="json").status_code == 404
    response = client.post(url, {"year": YEAR, "data_source": "snapshot"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "snapshot_missing"
    assert stats_world.api_client_for(Role.SECRETARY).post(url, {"year": YEAR}, format="json").status_code == 403
    assert not ReportRun.objects.exists()


# ---- PDF of the print page ------------------------------------------------------------------

def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


@pytest.fixture
def without_pdf_engine(monkeypatch):
    """As on a machine where WeasyPrint cannot load (no Pango library)."""
    monkeypatch.setattr(report_print, "pdf_engine", lambda: (None, report_print.NO_PANGO))


def test_a_run_stores_the_print_page_as_pdf(stats_world, build):
    if report_print.pdf_engine()[0] is None:
        pytest.fail(f"WeasyPrint must work where the tests run (make setup-dev): {report_print.pdf_engine()[1]}")
    admin = stats_world.users[Role.COUNTY_ADMIN]
    run = build(admin)
    content = run.pdf.open("rb").read()
    assert content.startswith(b"%PDF") and run.pdf_note == ""
    assert hashlib.sha256(content).hexdigest() == run.pdf_checksum
    text = pdf_text(content)
    assert run.title in text and "全县2024年发展党员工作统计报告" in text
    for _, _, title in REPORT_SHEETS:
        assert title.split("  ")[0] in text            # 表一 … 表八, each table of the print page
    assert "甲镇" in text and "乙镇" in text and "打印" not in text     # the toolbar is screen-only
    client = stats_world.client_for(Role.COUNTY_ADMIN)
    detail = client.get(run.get_absolute_url()).content.decode()
    assert 'id="download-pdf"' in detail and run.pdf_checksum in detail and "PDF 不可用" not in detail
    download = client.get(reverse("reports:run-download-pdf", args=[run.pk]))
    assert download["Content-Type"] == "application/pdf" and download["X-Checksum-SHA256"] == run.pdf_checksum
    assert b"".join(download.streaming_content) == content


def test_pdf_through_the_api_and_only_in_scope(stats_world, django_capture_on_commit_callbacks):
    client = stats_world.api_client_for(Role.API_CLIENT)
    with django_capture_on_commit_callbacks(execute=True):
        run_id = client.post(reverse("api:report-run-list"), {"year": YEAR}, format="json").json()["id"]
    detail = client.get(reverse("api:report-run-detail", args=[run_id])).json()
    assert detail["pdf_url"] and detail["pdf_note"] == ""
    download = client.get(detail["pdf_url"])
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == detail["pdf_checksum"]
    other = stats_world.api_client_for(Role.TOWNSHIP_WORKER)
    assert other.get(reverse("api:report-run-download-pdf", args=[run_id])).status_code == 404
    page = stats_world.client_for(Role.TOWNSHIP_WORKER)
    assert page.get(reverse("reports:run-download-pdf", args=[run_id])).status_code == 404


def test_without_weasyprint_the_run_keeps_its_workbook_and_print_page(stats_world, build, without_pdf_engine):
    run = build(stats_world.users[Role.COUNTY_ADMIN])
    assert run.status == RunStatus.DONE and run.file and run.checksum
    assert not run.pdf and run.pdf_checksum == "" and run.pdf_note == report_print.NO_PANGO
    assert "pdf" in run.timings
    client = stats_world.client_for(Role.COUNTY_ADMIN)
    detail = client.get(run.get_absolute_url()).content.decode()
    assert 'id="pdf-unavailable"' in detail and "PDF 不可用" in detail and "Pango" in detail
    assert 'id="download-pdf"' not in detail and 'id="download-xlsx"' in detail
    assert "无PDF" in client.get(reverse("reports:run-list")).content.decode()
    assert client.get(reverse("reports:run-download-pdf", args=[run.pk])).status_code == 404
    assert client.get(reverse("reports:run-download", args=[run.pk])).status_code == 200
    assert client.get(reverse("reports:run-print", args=[run.pk])).status_code == 200
    api = stats_world.api_client_for(Role.COUNTY_ADMIN).get(reverse("api:report-run-detail", args=[run.pk])).json()
    assert api["pdf_url"] is None and api["pdf_note"] == report_print.NO_PANGO and api["download_url"]


def test_a_pdf_that_fails_to_lay_out_does_not_fail_the_run(stats_world, build, monkeypatch):
    class BrokenEngine:
        def __init__(self, **kwargs):
            pass

        def write_pdf(self):
            raise ValueError("layout")

    monkeypatch.setattr(report_print, "pdf_engine", lambda: (BrokenEngine, ""))
    run = build(stats_world.users[Role.COUNTY_ADMIN])
    assert run.status == RunStatus.DONE and run.file and not run.pdf
    assert run.pdf_note.startswith("PDF排版出错")
