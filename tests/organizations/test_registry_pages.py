"""Registry pages: unit form and detail, list search/filters/pagination/htmx/export,
party-organization structure warnings, the area tree and the home pages."""
import html
import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from stdnum.cn import uscc as uscc_standard

from accounts.models import Role
from organizations.models import Organization, PartyOrganization
from tests.factories import CommunityFactory, OrganizationFactory, PartyOrganizationFactory, make_uscc

LIST_URL = "organizations:organization-list"


def unit_form_data(world, **overrides) -> dict:
    data = {
        "name": "新登记科技有限公司", "uscc": make_uscc(800001), "kind": "enterprise",
        "sub_kind": "limited_company", "industry": "I", "township": world.township_a.pk, "community": "",
        "address": "创新路1号", "employee_count": 40, "party_member_count": 0, "legal_representative": "李四",
        "established_on": "2021-04-01", "dissolved_on": "", "status": "operating",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def element(content: str, element_id: str) -> str:
    """The markup from ``id="<element_id>"`` to the end of its table/div (good enough
    for the flat fragments these pages render)."""
    assert f'id="{element_id}"' in content, f"no #{element_id}"
    rest = content.split(f'id="{element_id}"', 1)[1]
    end = re.search(r"</table>|</div>\s*</div>|</ul>\s*</div>", rest)
    return rest[: end.end()] if end else rest


def listed(response) -> set[str]:
    return {o.name for o in response.context["object_list"]}


@pytest.fixture
def worker_client(world):
    return world.client_for(Role.TOWNSHIP_WORKER)


@pytest.fixture
def admin_client(world):
    return world.client_for(Role.COUNTY_ADMIN)


# ---- unit form -------------------------------------------------------------------------

def test_wrong_credit_code_shows_chinese_error_and_saves_nothing(world, worker_client):
    code = make_uscc(800001)
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")
    count = Organization.objects.count()

    response = worker_client.post(reverse("organizations:organization-create"), unit_form_data(world, uscc=wrong))

    assert response.status_code == 200
    assert Organization.objects.count() == count
    assert any("统一社会信用代码校验位错误" in e for e in response.context["form"].errors["uscc"])
    assert "统一社会信用代码校验位错误" in element(response.content.decode(), "error-uscc")


def test_correct_code_redirects_to_detail_with_coverage_badges(world, worker_client):
    response = worker_client.post(reverse("organizations:organization-create"), unit_form_data(world))

    unit = Organization.objects.get(uscc=make_uscc(800001))
    assert response.status_code == 302
    assert response.url == reverse("organizations:organization-detail", args=[unit.pk])
    assert unit.township == world.township_a and unit.name_initials.startswith("xdjkj")
    detail = worker_client.get(response.url).content.decode()
    assert 'id="badge-no-party-org"' in detail
    assert 'id="badge-no-member"' in detail
    created = unit.history.get()
    assert created.history_type == "+" and created.history_user == world.users[Role.TOWNSHIP_WORKER]


def test_detail_of_a_covered_unit_with_members_has_no_warning_badges(world, worker_client):
    unit = world.obj("organization", "own")  # covered by the own party organization, 2 members

    content = worker_client.get(reverse("organizations:organization-detail", args=[unit.pk])).content.decode()

    assert 'id="badge-no-party-org"' not in content
    assert 'id="badge-no-member"' not in content
    assert "已建党组织" in content


def test_lower_case_code_in_form_is_saved_upper_case(world, worker_client):
    first17 = "91330100MA2B3C4D5"
    code = first17 + uscc_standard.calc_check_digit(first17)

    response = worker_client.post(reverse("organizations:organization-create"),
                                  unit_form_data(world, uscc=code.lower()))

    assert response.status_code == 302
    assert Organization.objects.filter(uscc=code).exists()


def test_duplicate_credit_code_is_refused(world, worker_client):
    existing = world.obj("organization", "foreign")  # even one the worker cannot see
    count = Organization.objects.count()

    response = worker_client.post(reverse("organizations:organization-create"),
                                  unit_form_data(world, uscc=existing.uscc))

    assert response.status_code == 200
    assert Organization.objects.count() == count
    assert "该统一社会信用代码已登记" in " ".join(response.context["form"].errors["uscc"])
    assert "该统一社会信用代码已登记" in response.content.decode()


def test_foreign_township_is_not_offered_to_a_township_worker(world, worker_client):
    count = Organization.objects.count()

    response = worker_client.post(reverse("organizations:organization-create"),
                                  unit_form_data(world, township=world.township_b.pk))

    assert response.status_code == 200
    assert "township" in response.context["form"].errors
    assert Organization.objects.count() == count


def test_edit_records_history_shown_on_the_detail_page(world, worker_client):
    unit = world.obj("organization", "own")
    data = unit_form_data(world, name=unit.name, uscc=unit.uscc, industry=unit.industry, employee_count=80,
                          party_member_count=unit.party_member_count, address="", legal_representative="",
                          established_on="")

    response = worker_client.post(reverse("organizations:organization-edit", args=[unit.pk]), data)

    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.employee_count == 80
    latest = unit.history.order_by("-history_date", "-history_id").first()
    assert latest.history_type == "~"
    assert latest.history_user == world.users[Role.TOWNSHIP_WORKER]
    page = worker_client.get(reverse("organizations:organization-detail", args=[unit.pk])).content.decode()
    history = html.unescape(element(page, "history"))
    assert "从业人员数：50 → 80" in history
    assert str(world.users[Role.TOWNSHIP_WORKER]) in history


# ---- list: search, filters, pagination, htmx, export --------------------------------------

@pytest.fixture
def units(world):
    a, b = world.township_a, world.township_b
    return {
        "huaqiang": OrganizationFactory(name="杭州华强电子有限公司", township=a, uscc=make_uscc(810001)),
        "social": OrganizationFactory(name="西湖区慈善协会", township=b, kind="social_org", sub_kind="association",
                                      industry="S", uscc=make_uscc(810002)),
        "no_member": OrganizationFactory(name="零党员贸易有限公司", township=a, party_member_count=0,
                                         industry="F", uscc=make_uscc(810003)),
    }


def test_search_by_name(world, admin_client, units):
    response = admin_client.get(reverse(LIST_URL), {"q": "华强"})

    assert listed(response) == {"杭州华强电子有限公司"}


def test_search_by_credit_code_case_insensitive(world, admin_client, units):
    code = units["social"].uscc

    assert listed(admin_client.get(reverse(LIST_URL), {"q": code})) == {"西湖区慈善协会"}
    assert listed(admin_client.get(reverse(LIST_URL), {"q": code.lower()})) == {"西湖区慈善协会"}


@pytest.mark.parametrize("query", ["hzhq", "HZHQ", " hzhqdz "])
def test_search_by_pinyin_initials(world, admin_client, units, query):
    response = admin_client.get(reverse(LIST_URL), {"q": query})

    assert listed(response) == {"杭州华强电子有限公司"}
    assert "杭州华强电子有限公司" in response.content.decode()


def test_search_respects_the_scope(world, worker_client, units):
    assert listed(worker_client.get(reverse(LIST_URL), {"q": "协会"})) == set()


def test_filter_by_township(world, admin_client, units):
    response = admin_client.get(reverse(LIST_URL), {"township": world.township_b.pk})

    assert listed(response) == {world.obj("organization", "foreign").name, "西湖区慈善协会"}


def test_filter_by_kind(world, admin_client, units):
    assert listed(admin_client.get(reverse(LIST_URL), {"kind": "social_org"})) == {"西湖区慈善协会"}


def test_filter_by_coverage(world, admin_client, units):
    covered = {world.obj("organization", "own").name, world.obj("organization", "foreign").name}
    uncovered = {"杭州华强电子有限公司", "西湖区慈善协会", "零党员贸易有限公司"}

    assert listed(admin_client.get(reverse(LIST_URL), {"coverage": "covered"})) == covered
    assert listed(admin_client.get(reverse(LIST_URL), {"coverage": "no_party_org"})) == uncovered
    assert listed(admin_client.get(reverse(LIST_URL), {"coverage": "no_member"})) == {"零党员贸易有限公司"}


def test_filters_combine(world, admin_client, units):
    response = admin_client.get(reverse(LIST_URL), {"township": world.township_a.pk, "coverage": "no_party_org"})

    assert listed(response) == {"杭州华强电子有限公司", "零党员贸易有限公司"}


def test_township_filter_offers_only_own_townships_to_a_worker(world, worker_client):
    response = worker_client.get(reverse(LIST_URL))

    offered = set(response.context["filter"].form.fields["township"].queryset)
    assert offered == {world.township_a}


def test_pagination(world, admin_client):
    OrganizationFactory.create_batch(30, township=world.township_a)
    total = Organization.objects.count()  # 32 with the world's two units

    first = admin_client.get(reverse(LIST_URL))
    second = admin_client.get(reverse(LIST_URL), {"page": 2})

    assert first.context["paginator"].count == total
    assert len(first.context["object_list"]) == 25
    assert second.status_code == 200
    assert len(second.context["object_list"]) == total - 25
    assert not listed(first) & listed(second)
    assert "第 2 / 2 页" in second.content.decode()
    assert admin_client.get(reverse(LIST_URL), {"page": 3}).status_code == 404


def test_pagination_keeps_the_filters(world, admin_client):
    OrganizationFactory.create_batch(27, township=world.township_b, kind="social_org", sub_kind="foundation")

    second = admin_client.get(reverse(LIST_URL), {"kind": "social_org", "page": 2})

    assert len(second.context["object_list"]) == 2
    assert "?kind=social_org&page=1" in second.content.decode()


def test_htmx_request_gets_only_the_table(world, admin_client, units):
    response = admin_client.get(reverse(LIST_URL), {"q": "hzhq"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="results"' in content
    assert 'id="filter-form"' not in content
    assert "杭州华强电子有限公司" in content

    full = admin_client.get(reverse(LIST_URL), {"q": "hzhq"}).content.decode()
    assert "<html" in full and 'id="filter-form"' in full


def _exported(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_xlsx_export_honours_the_filters(world, admin_client, units):
    rows = _exported(admin_client.get(reverse(LIST_URL), {"kind": "social_org", "export": "xlsx"}))

    assert rows[0][:2] == ("单位名称", "统一社会信用代码")
    assert [r[0] for r in rows[1:]] == ["西湖区慈善协会"]
    assert rows[1][1] == units["social"].uscc

    rows = _exported(admin_client.get(reverse(LIST_URL), {"coverage": "no_member", "export": "xlsx"}))
    assert [r[0] for r in rows[1:]] == ["零党员贸易有限公司"]


def test_xlsx_export_is_not_paginated_and_respects_scope(world, worker_client):
    OrganizationFactory.create_batch(27, township=world.township_a)
    OrganizationFactory(township=world.township_b, name="乙镇单位")

    rows = _exported(worker_client.get(reverse(LIST_URL), {"export": "xlsx"}))

    names = [r[0] for r in rows[1:]]
    assert len(names) == Organization.objects.filter(township=world.township_a).count() == 28
    assert "乙镇单位" not in names


# ---- party organizations ------------------------------------------------------------------

def _warnings(client, party_org) -> tuple[bool, set[str]]:
    content = client.get(reverse("organizations:party-organization-detail", args=[party_org.pk])).content.decode()
    if 'id="structure-warnings"' not in content:
        return False, set()
    return True, set(re.findall(r'<li data-code="([a-z_]+)"', element(content, "structure-warnings")))


def test_branch_with_two_full_members_is_flagged(world, admin_client):
    unit = OrganizationFactory(township=world.township_a)
    branch = PartyOrganizationFactory(area=world.township_a, full_member_count=2, covered_organizations=[unit])

    shown, codes = _warnings(admin_client, branch)

    assert shown and codes == {"too_few_full_members"}


def test_joint_branch_covering_six_units_is_flagged(world, admin_client):
    covered = OrganizationFactory.create_batch(6, township=world.township_a)
    joint = PartyOrganizationFactory(area=world.township_a, org_type="joint_branch", formation="joint",
                                     full_member_count=6, covered_organizations=covered)

    shown, codes = _warnings(admin_client, joint)

    assert shown and codes == {"joint_branch_too_many_units"}


def test_branch_with_eight_full_members_and_no_committee_is_flagged(world, admin_client):
    unit = OrganizationFactory(township=world.township_a)
    branch = PartyOrganizationFactory(area=world.township_a, full_member_count=8, has_branch_committee=False,
                                      covered_organizations=[unit])

    shown, codes = _warnings(admin_client, branch)

    assert shown and codes == {"branch_committee_missing"}

    branch.has_branch_committee = True
    branch.save()
    assert _warnings(admin_client, branch) == (False, set())


def test_well_formed_branch_has_no_warning_box(world, worker_client):
    shown, codes = _warnings(worker_client, world.obj("party_organization", "own"))  # 5 members, 1 unit

    assert not shown and not codes


def test_party_org_list_counts_warnings(world, admin_client):
    PartyOrganizationFactory(area=world.township_a, name="问题党支部", full_member_count=2)

    response = admin_client.get(reverse("organizations:party-organization-list"), {"q": "问题"})

    (obj, cells), = response.context["rows"]
    assert cells[-1] == 2  # too_few_full_members + covers_no_unit


def _party_org_data(world, **overrides):
    data = {"name": "新建党支部", "org_type": "branch", "formation": "standalone", "parent": "",
            "area": world.township_a.pk, "covered_organizations": [world.obj("organization", "own").pk],
            "secretary_name": "赵书记", "secretary_phone": "", "full_member_count": 5,
            "probationary_member_count": 0, "established_on": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("org_type", ["branch", "general_branch", "joint_branch"])
def test_only_a_committee_may_have_approval_authority(world, worker_client, org_type):
    count = PartyOrganization.objects.count()

    response = worker_client.post(reverse("organizations:party-organization-create"),
                                  _party_org_data(world, org_type=org_type, has_approval_authority="on"))

    assert response.status_code == 200
    assert PartyOrganization.objects.count() == count
    assert "只有党委可以具有审批预备党员的权限" in " ".join(
        response.context["form"].errors["has_approval_authority"])


def test_existing_branch_cannot_be_given_approval_authority(world, worker_client):
    branch = world.obj("party_organization", "own")
    data = _party_org_data(world, name=branch.name, has_approval_authority="on")

    response = worker_client.post(reverse("organizations:party-organization-edit", args=[branch.pk]), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["has_approval_authority"]
    branch.refresh_from_db()
    assert branch.has_approval_authority is False


def test_committee_may_have_approval_authority(world, worker_client):
    response = worker_client.post(reverse("organizations:party-organization-create"),
                                  _party_org_data(world, name="新建党委", org_type="committee",
                                                  full_member_count=120, has_approval_authority="on"))

    assert response.status_code == 302
    assert PartyOrganization.objects.get(name="新建党委").has_approval_authority is True


# ---- area tree and home pages ----------------------------------------------------------------

def test_area_tree_lists_townships_and_communities(world, worker_client):
    CommunityFactory(parent=world.township_a, name="幸福社区")
    CommunityFactory(parent=world.township_b, name="和平村")

    response = worker_client.get(reverse("organizations:area-tree"))

    content = element(response.content.decode(), "area-tree")
    assert response.status_code == 200
    for name in (world.county.name, "甲镇", "乙镇", "幸福社区", "和平村", world.township_a.code):
        assert name in content
    assert content.index("甲镇") < content.index("幸福社区") < content.index("乙镇") < content.index("和平村")


HOME_TEMPLATES = {
    Role.COUNTY_ADMIN: "accounts/home_county.html", Role.AUDITOR: "accounts/home_county.html",
    Role.TOWNSHIP_WORKER: "accounts/home_township.html", Role.API_CLIENT: "accounts/home_township.html",
    Role.SECRETARY: "accounts/home_secretary.html", Role.INSTRUCTOR: "accounts/home_instructor.html",
}


@pytest.mark.parametrize("role", Role.values)
def test_home_page_renders_for_every_role(world, role):
    response = world.client_for(role).get(reverse("accounts:home"))

    assert response.status_code == 200
    assert HOME_TEMPLATES[role] in [t.name for t in response.templates]
    totals = response.context["totals"]
    expected_units = 2 if role in (Role.COUNTY_ADMIN, Role.AUDITOR) else 1
    assert totals["units"] == expected_units


def test_township_home_shows_only_own_township_in_coverage_table(world, worker_client):
    response = worker_client.get(reverse("accounts:home"))

    table = element(response.content.decode(), "coverage-table")
    assert "甲镇" in table
    assert "乙镇" not in table
    assert [row["township_id"] for row in response.context["coverage_rows"]] == [world.township_a.pk]


def test_county_home_shows_every_township_in_coverage_table(world, admin_client):
    table = element(admin_client.get(reverse("accounts:home")).content.decode(), "coverage-table")

    assert "甲镇" in table and "乙镇" in table
