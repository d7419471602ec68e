"""A county administrator's plan in a real browser: create it, recompute with live
progress, compare methods on the ECharts chart (no JavaScript error), issue it and
rebalance mid-year."""
import pytest
from playwright.sync_api import expect

from accounts.models import Role
from members.choices import Stage
from members.models import Dossier
from quotas.models import JobStatus, QuotaAllocation, QuotaPlan, RecomputeJob
from tests.factories import PartyOrganizationFactory
from tests.quotas.test_plans import dossier_at


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_county_admin_plans_compares_and_watches_the_recompute(world, live_server, page, screenshot):
    own, foreign = world.obj("party_organization", "own"), world.obj("party_organization", "foreign")
    # Webster over the townships gives 甲镇 4 of 10 seats (weights 5 : 7); Hamilton splits
    # them 2 : 2 between its units (quotas 2.4, 1.6), Jefferson 3 : 1.
    for party_org, count in ((own, 3), (foreign, 7), (PartyOrganizationFactory(area=world.township_a), 2)):
        for _ in range(count):
            dossier_at(party_org, Stage.CANDIDATE)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", Role.COUNTY_ADMIN)
    page.fill("#id_password", "pass-12345")
    page.click("button[type=submit]")
    page.click("nav a.nav-link:text-is(\"发展计划\")")
    page.click("text=新增")
    page.fill("#id_year", "2026")
    page.fill("#id_name", "2026年发展党员计划")
    page.fill("#id_total_seats", "10")
    page.select_option("#id_org_method", "hamilton")
    page.click("#save")
    expect(page.locator("h1")).to_contain_text("2026年发展党员计划")

    # Recompute (confirmed in the browser's dialog): the job runs and the table fills.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#recompute")
    expect(page.locator("#job-state")).to_have_text("已完成")
    expect(page.locator("#allocations tbody tr")).to_have_count(3)
    expect(page.locator("#allocations")).to_contain_text("基数 3.0 = 1.0×3 + 0.5×0")
    screenshot("plan")

    # A job that is still running is polled every second; when it ends the page reloads.
    plan = QuotaPlan.objects.get(year=2026)
    job = RecomputeJob.objects.create(plan=plan, status=JobStatus.RUNNING, progress=40, stage="按方法分配名额")
    page.reload()
    expect(page.locator("#job-state")).to_have_text("计算中")
    RecomputeJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, progress=100, stage="完成")
    expect(page.locator("#job-state")).to_have_text("已完成", timeout=5000)
    expect(page.locator("#recompute")).to_be_enabled()

    # What-if: Hamilton against Jefferson, the chart drawn without a JavaScript error.
    page.click("text=方案比较")
    page.select_option("#id_s2-org_method", "jefferson")
    page.click("#compare")
    expect(page.locator("#whatif-summary tbody tr")).to_have_count(2)
    expect(page.locator(f"#whatif-rows tr[data-party-org='{own.pk}'] td.change")).to_have_text("+1")
    expect(page.locator("#whatif-chart canvas")).to_have_count(1)
    screenshot("what-if")

    # Issue, then rebalance mid-year: two of the own unit's three candidates have left, so
    # one of its two seats is unusable and goes to 乙镇's unit, which has a candidate more
    # than seats.
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#issue")
    expect(page.locator("#plan-status")).to_have_text("已下达")
    Dossier.objects.filter(pk__in=own.dossiers.values_list("pk", flat=True)[:2]).update(state="ended")
    page.click("text=年中调剂")
    page.fill("#id_on", "2026-06-30")
    page.click("text=预览")
    expect(page.locator("#pool")).to_have_text("1")
    expect(page.locator(f"#rebalance-lines tr[data-party-org='{foreign.pk}']")).to_contain_text("+1")
    screenshot("rebalance")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#perform")
    expect(page.locator("#reallocation-changes tbody tr")).to_have_count(2)
    assert QuotaAllocation.objects.get(plan=plan, party_org=foreign).seats == 7
    assert page.errors == []
