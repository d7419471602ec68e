"""The registry API: authentication, validation errors as JSON, filters, pagination,
query counts and the OpenAPI schema."""
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from tests.factories import OrganizationFactory, PartyOrganizationFactory, make_uscc


def new_unit(world, **overrides):
    data = {"name": "接口新建科技有限公司", "uscc": make_uscc(700001), "kind": "enterprise",
            "sub_kind": "limited_company", "industry": "I", "township": world.township_a.pk,
            "employee_count": 30, "party_member_count": 0}
    data.update(overrides)
    return data


def test_token_from_password_then_token_auth(world):
    from rest_framework.test import APIClient

    client = APIClient()
    response = client.post(reverse("api:token"), {"username": "api_client", "password": "pass-12345"}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(reverse("api:organization-list")).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get(reverse("api:organization-list")).status_code == 401


def test_create_returns_the_record(world):
    client = world.api_client_for(Role.API_CLIENT)
    response = client.post(reverse("api:organization-list"), new_unit(world, uscc=make_uscc(700001).lower()),
                           format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["uscc"] == make_uscc(700001)
    assert body["has_party_org"] is False and body["township_name"] == "甲镇"


@pytest.mark.parametrize("overrides,field,fragment", [
    ({"uscc": make_uscc(700001)[:-1] + ("0" if make_uscc(700001)[-1] != "0" else "1")}, "uscc", "校验位错误"),
    ({"uscc": "123"}, "uscc", "应为18位"),
    ({"sub_kind": "foundation"}, "sub_kind", "不属于"),
    ({"party_member_count": 50, "employee_count": 10}, "party_member_count", "不能多于"),
    ({"status": "dissolved"}, "dissolved_on", "必须填写注销日期"),
    ({"kind": "nonsense"}, "kind", ""),
])
def test_bad_input_names_the_field_in_chinese(world, overrides, field, fragment):
    client = world.api_client_for(Role.TOWNSHIP_WORKER)
    response = client.post(reverse("api:organization-list"), new_unit(world, **overrides), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors and fragment in "".join(errors[field])
    assert not world.obj("organization", "own").__class__.objects.filter(name="接口新建科技有限公司").exists()


def test_duplicate_credit_code_is_a_field_error(world):
    client = world.api_client_for(Role.COUNTY_ADMIN)
    response = client.post(reverse("api:organization-list"),
                           new_unit(world, uscc=world.obj("organization", "foreign").uscc), format="json")
    assert response.status_code == 400
    assert "已登记" in "".join(response.json()["uscc"])


def test_township_outside_scope_is_refused_as_a_field_error(world):
    client = world.api_client_for(Role.TOWNSHIP_WORKER)
    response = client.post(reverse("api:organization-list"), new_unit(world, township=world.township_b.pk),
                           format="json")
    assert response.status_code == 400 and "township" in response.json()


def test_party_org_cannot_cover_a_foreign_unit(world):
    client = world.api_client_for(Role.TOWNSHIP_WORKER)
    response = client.post(reverse("api:party-organization-list"), {
        "name": "越权联合党支部", "org_type": "joint_branch", "formation": "joint", "area": world.township_a.pk,
        "covered_organizations": [world.obj("organization", "foreign").pk]}, format="json")
    assert response.status_code == 400 and "covered_organizations" in response.json()


def test_approval_authority_only_for_committees(world):
    client = world.api_client_for(Role.COUNTY_ADMIN)
    party_org = world.obj("party_organization", "own")
    response = client.patch(reverse("api:party-organization-detail", args=[party_org.pk]),
                            {"has_approval_authority": True}, format="json")
    assert response.status_code == 400
    assert "只有党委" in "".join(response.json()["has_approval_authority"])


def test_filters_search_and_pagination(world):
    township = world.township_a
    for n in range(7):
        OrganizationFactory(township=township, name=f"青山社工服务中心{n}", kind="social_org",
                            sub_kind="private_non_enterprise", party_member_count=0)
    client = world.api_client_for(Role.COUNTY_ADMIN)
    url = reverse("api:organization-list")
    assert client.get(url, {"kind": "social_org"}).json()["count"] == 7
    assert client.get(url, {"q": "qssg"}).json()["count"] == 7          # pinyin initials
    assert client.get(url, {"q": world.obj("organization", "foreign").uscc}).json()["count"] == 1
    assert client.get(url, {"township": world.township_b.pk}).json()["count"] == 1
    assert client.get(url, {"coverage": "no_party_org"}).json()["count"] == 7
    assert client.get(url, {"coverage": "covered"}).json()["count"] == 2
    page = client.get(url, {"page_size": 4}).json()
    assert page["count"] == 9 and len(page["results"]) == 4 and page["next"]
    assert client.get(url, {"township": "abc"}).status_code == 400


def test_list_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    client = world.api_client_for(Role.COUNTY_ADMIN)
    for n in range(30):
        unit = OrganizationFactory(township=world.township_a)
        PartyOrganizationFactory(area=world.township_a, covered_organizations=[unit])
    for name in ("organization", "party-organization", "instructor", "party-worker", "area"):
        with django_assert_max_num_queries(8):
            assert client.get(reverse(f"api:{name}-list"), {"page_size": 100}).status_code == 200


def test_schema_requires_login_and_docs_are_served_offline(world, client):
    assert client.get(reverse("api-schema")).status_code in (401, 403)
    client.force_login(world.users[Role.TOWNSHIP_WORKER])
    assert client.get(reverse("api-schema")).status_code == 200
    for name in ("api-swagger", "api-redoc"):
        body = client.get(reverse(name)).content.decode()
        assert "drf_spectacular_sidecar" in body
        assert "cdn" not in body.lower()


def test_schema_generates_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr
