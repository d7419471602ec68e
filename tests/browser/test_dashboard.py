"""The statistics journey in a real browser: the county dashboard's charts render with no
JavaScript error, a township is drilled into, a report is built and downloaded, and a
township worker sees only their township."""
import hashlib
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Role
from reports.report_book import ABOUT_SHEET, REPORT_SHEETS
from tests.reports.conftest import YEAR, empty_figure_cache, stats_world  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def login(page, live_server, username, password="pass-12345"):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator("nav")).to_contain_text("退出")


def logout(page):
    page.click("nav button:text-is(\"退出\")")
    expect(page.locator("#id_username")).to_be_visible()


def charts_rendered(page) -> int:
    """Wait until every chart container is drawn (a canvas, or 暂无数据) and return how
    many hold a real chart."""
    charts = page.locator(".stats-chart")
    expect(charts.first).to_have_attribute("data-rendered", re.compile("chart|empty"))
    total = charts.count()
    expect(page.locator(".stats-chart[data-rendered]")).to_have_count(total)
    drawn = page.locator(".stats-chart[data-rendered=chart]")
    assert drawn.count() == page.locator(".stats-chart[data-rendered=chart] canvas").count()
    return drawn.count()


def test_county_admin_dashboard_drill_down_and_report(stats_world, live_server, page, screenshot):  # noqa: F811
    login(page, live_server, Role.COUNTY_ADMIN)
    page.click("nav a.nav-link:text-is(\"统计\")")
    expect(page.locator("#dashboard-title")).to_contain_text("全县统计")
    page.select_option("#id_year", str(YEAR))            # the filter submits itself
    expect(page.locator("#dashboard-title")).to_contain_text(f"{YEAR}年")
    assert charts_rendered(page) >= 12
    pipeline = page.locator("#figure-pipeline table")
    expect(pipeline).to_contain_text("甲镇")
    expect(pipeline).to_contain_text("乙镇")
    expect(page.locator("#figure-pipeline tfoot")).to_contain_text("合计")
    screenshot("county-dashboard")
    assert page.errors == []

    # drill down: county → 甲镇 (rows per party organization) → a party organization's page
    page.click("#figure-pipeline a.drill-link:text-is(\"甲镇\")")
    expect(page.locator("#dashboard-title")).to_contain_text("甲镇统计")
    expect(page.locator("#drill-path")).to_contain_text("全县")
    party_org = stats_world.obj("party_organization", "own")
    expect(page.locator("#figure-pipeline table")).to_contain_text(party_org.name)
    expect(page.locator("#figure-pipeline table")).not_to_contain_text("乙镇")
    charts_rendered(page)
    screenshot("township-dashboard")
    page.click(f"#figure-pipeline a.drill-link:text-is(\"{party_org.name}\")")
    expect(page.locator("h1")).to_contain_text(party_org.name)
    assert page.errors == []

    # the county report: start it, watch its progress, download the workbook
    page.goto(f"{live_server.url}/reports/runs/")
    page.select_option("#id_year", str(YEAR))
    page.click("#start-report")
    expect(page.locator("#run-status")).to_have_text("已完成")
    expect(page.locator("#run-progress .progress-bar")).to_have_text("100%")
    checksum = page.locator("#run-checksum").inner_text()
    screenshot("report-run")
    with page.expect_download() as download_info:
        page.click("#download-xlsx")
    content = open(download_info.value.path(), "rb").read()
    assert hashlib.sha256(content).hexdigest() == checksum
    book = load_workbook(BytesIO(content))
    assert book.sheetnames == [ABOUT_SHEET] + [name for _, name, _ in REPORT_SHEETS]
    assert [row[:2] for row in book["发展党员工作进度"].iter_rows(min_row=4, max_row=5, values_only=True)] == [
        ("甲镇", 2), ("乙镇", 2)]
    with page.context.expect_page() as printed:
        page.click("#print-page")
    expect(printed.value.locator("h1")).to_contain_text("发展党员工作统计报告")
    printed.value.close()
    assert page.errors == []


def test_township_worker_sees_only_their_township(stats_world, live_server, page, screenshot):  # noqa: F811
    login(page, live_server, Role.TOWNSHIP_WORKER)
    page.goto(f"{live_server.url}/reports/?year={YEAR}")
    expect(page.locator("#dashboard-title")).to_contain_text("甲镇统计")
    charts_rendered(page)
    expect(page.locator("main")).not_to_contain_text("乙镇")
    options = page.locator("#id_township option").all_inner_texts()
    assert "乙镇" not in options and "甲镇" in options
    screenshot("worker-dashboard")
    assert page.errors == []
    response = page.goto(f"{live_server.url}/reports/?year={YEAR}&township={stats_world.township_b.pk}")
    assert response.status == 404
