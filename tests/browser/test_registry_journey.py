"""A township worker's day in the registry, in a real browser."""
import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from organizations.models import Organization
from tests.factories import OrganizationFactory, make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username, password="pass-12345"):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator("nav")).to_contain_text("退出")


def open_menu(page, menu, item):
    page.click(f"nav a.dropdown-toggle:text-is(\"{menu}\")")
    page.click(f"nav a.dropdown-item:text-is(\"{item}\")")


def test_township_worker_registers_a_unit(world, live_server, page, screenshot):
    OrganizationFactory(township=world.township_a, name="青山机械制造有限公司")
    foreign = world.obj("organization", "foreign")
    login(page, live_server, Role.TOWNSHIP_WORKER)
    screenshot("home")

    # search the list (htmx refreshes the table as the worker types)
    open_menu(page, "组织登记", "两新组织")
    page.fill("input[name=q]", "青山")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("青山机械制造有限公司")

    # create a unit with a wrong check character: a Chinese error, nothing saved
    good = make_uscc(424242)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    page.goto(f"{live_server.url}/organizations/new/")
    page.fill("#id_name", "甲镇新材料科技有限公司")
    page.fill("#id_uscc", wrong)
    page.select_option("#id_kind", "enterprise")
    page.select_option("#id_sub_kind", "limited_company")
    page.select_option("#id_industry", "C")
    page.select_option("#id_township", str(world.township_a.pk))
    page.fill("#id_employee_count", "35")
    page.click("#save")
    expect(page.locator("#error-uscc")).to_contain_text("统一社会信用代码校验位错误")
    screenshot("wrong-code")
    assert not Organization.objects.filter(name="甲镇新材料科技有限公司").exists()

    # fix it and save: the unit's page shows the coverage badges
    page.fill("#id_uscc", good)
    page.click("#save")
    expect(page.locator("h1")).to_contain_text("甲镇新材料科技有限公司")
    expect(page.locator("#badge-no-party-org")).to_be_visible()
    screenshot("created")

    # find it in the list
    open_menu(page, "组织登记", "两新组织")
    page.fill("input[name=q]", good)
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("甲镇新材料科技有限公司")

    assert page.errors == []

    # a unit of another township does not exist for this worker
    response = page.goto(f"{live_server.url}/organizations/{foreign.pk}/")
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("不在您的管理范围内")
    screenshot("foreign-404")


def test_county_admin_sees_every_township(world, live_server, page, screenshot):
    login(page, live_server, Role.COUNTY_ADMIN)
    expect(page.locator("#coverage-table")).to_contain_text("甲镇")
    expect(page.locator("#coverage-table")).to_contain_text("乙镇")
    open_menu(page, "组织登记", "行政区划")
    expect(page.locator("#area-tree")).to_contain_text(re.compile("甲镇.*"))
    screenshot("area-tree")
    assert page.errors == []
