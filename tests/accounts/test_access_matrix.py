"""Role × endpoint × own/foreign object: every page and API endpoint of the registry.

The expectations come from one table of rights per role (below), written from the
README's role table; each row of the matrix is one request.  A guard test fails when
a URL exists that the matrix does not cover.
"""
import pytest
from django.urls import get_resolver, reverse

from accounts.models import Role
from tests.factories import make_uscc

FAMILIES = ["organization", "party_organization", "instructor", "party_worker"]
URL_PREFIX = {"organization": "organization", "party_organization": "party-organization",
              "instructor": "instructor", "party_worker": "party-worker"}

# What each role may do with the registry (own = inside its scope).
RIGHTS = {
    Role.COUNTY_ADMIN: {"foreign": True, "edit": set(FAMILIES), "register": True},
    Role.AUDITOR: {"foreign": True, "edit": set(), "register": False},
    Role.TOWNSHIP_WORKER: {"foreign": False, "edit": set(FAMILIES), "register": True},
    Role.API_CLIENT: {"foreign": False, "edit": set(FAMILIES), "register": True},
    Role.SECRETARY: {"foreign": False, "edit": {"organization", "party_organization", "party_worker"},
                     "register": False},
    Role.INSTRUCTOR: {"foreign": False, "edit": set(), "register": False},
}
PAGE_ROLES = [r for r in RIGHTS if r != Role.API_CLIENT]  # API clients cannot log in to pages


def expected_read(role, which):
    return 200 if which == "own" or RIGHTS[role]["foreign"] else 404


def expected_write(role, family, which, ok):
    if which == "foreign" and not RIGHTS[role]["foreign"]:
        return 404
    return ok if family in RIGHTS[role]["edit"] else 403


def form_data(world, family, obj=None):
    """Valid form/API data: an edit of ``obj`` or, without it, a new record in township A."""
    if obj is None:
        township = world.township_a
    else:
        township = obj.township if family == "organization" else obj.area
    unit = world.obj("organization", "own" if township == world.township_a else "foreign")
    name = (obj.name if obj else "新") + "（改）"
    if family == "organization":
        return {"name": name, "uscc": obj.uscc if obj else make_uscc(900001), "kind": "enterprise",
                "sub_kind": "limited_company", "industry": "C", "township": township.pk,
                "employee_count": 60, "party_member_count": 2, "status": "operating"}
    if family == "party_organization":
        return {"name": name, "org_type": "branch", "formation": "standalone", "area": township.pk,
                "covered_organizations": [unit.pk], "full_member_count": 5, "probationary_member_count": 0}
    if family == "instructor":
        return {"name": name, "area": township.pk, "employment": "part_time", "organizations": [unit.pk]}
    party_org = world.obj("party_organization", "own" if township == world.township_a else "foreign")
    return {"name": name, "area": township.pk, "employment": "part_time", "party_organization": party_org.pk,
            "is_party_member": True}


# ---- pages ---------------------------------------------------------------------------

PAGE_ROWS = []
for role in PAGE_ROLES:
    PAGE_ROWS.append((role, "get", "accounts:home", None, None, 200))
    PAGE_ROWS.append((role, "get", "organizations:area-tree", None, None, 200))
    register = 200 if RIGHTS[role]["register"] else 403
    PAGE_ROWS.append((role, "get", "organizations:organization-import", None, None, register))
    PAGE_ROWS.append((role, "get", "organizations:organization-import-template", None, None, register))
    for family in FAMILIES:
        prefix = f"organizations:{URL_PREFIX[family]}"
        PAGE_ROWS.append((role, "get", f"{prefix}-list", family, None, 200))
        PAGE_ROWS.append((role, "get", f"{prefix}-create", family, None, register))
        PAGE_ROWS.append((role, "post", f"{prefix}-create", family, None, 302 if RIGHTS[role]["register"] else 403))
        for which in ("own", "foreign"):
            PAGE_ROWS.append((role, "get", f"{prefix}-detail", family, which, expected_read(role, which)))
            PAGE_ROWS.append((role, "get", f"{prefix}-edit", family, which, expected_write(role, family, which, 200)))
            PAGE_ROWS.append((role, "post", f"{prefix}-edit", family, which, expected_write(role, family, which, 302)))


@pytest.mark.parametrize("role,method,name,family,which,status", PAGE_ROWS)
def test_page_access(world, role, method, name, family, which, status):
    obj = world.obj(family, which) if which else None
    url = reverse(name, args=[obj.pk] if obj else [])
    client = world.client_for(role)
    if method == "get":
        response = client.get(url)
    else:
        before = type(obj).objects.get(pk=obj.pk).name if obj else None
        response = client.post(url, form_data(world, family, obj))
        if status != 302 and obj is not None:
            assert type(obj).objects.get(pk=obj.pk).name == before, "a denied write changed the record"
    assert response.status_code == status, getattr(response, "context", None) and \
        response.context.get("form") and response.context["form"].errors


def test_list_pages_show_only_scope(world):
    client = world.client_for(Role.TOWNSHIP_WORKER)
    for family in FAMILIES:
        body = client.get(reverse(f"organizations:{URL_PREFIX[family]}-list")).content.decode()
        assert world.obj(family, "own").name in body
        assert world.obj(family, "foreign").name not in body


def test_export_is_scoped(world):
    from io import BytesIO

    from openpyxl import load_workbook

    response = world.client_for(Role.TOWNSHIP_WORKER).get(reverse("organizations:organization-list"),
                                                          {"export": "xlsx"})
    assert response.status_code == 200
    names = [row[0] for row in load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)]
    assert names == [world.obj("organization", "own").name]


# ---- API -----------------------------------------------------------------------------

API_ROWS = []
for role in RIGHTS:
    API_ROWS.append((role, "get", "api:area-list", "area", None, 200))
    API_ROWS.append((role, "post", "api:area-list", "area", None, 403 if role == Role.AUDITOR else 405))
    for which in ("own", "foreign"):
        # The area tree is shared structure: every account reads every area.
        API_ROWS.append((role, "get", "api:area-detail", "area", which, 200))
    for family in FAMILIES:
        prefix = f"api:{URL_PREFIX[family]}"
        API_ROWS.append((role, "get", f"{prefix}-list", family, None, 200))
        API_ROWS.append((role, "post", f"{prefix}-list", family, None, 201 if RIGHTS[role]["register"] else 403))
        for which in ("own", "foreign"):
            API_ROWS.append((role, "get", f"{prefix}-detail", family, which, expected_read(role, which)))
            API_ROWS.append((role, "patch", f"{prefix}-detail", family, which, expected_write(role, family, which, 200)))
            API_ROWS.append((role, "put", f"{prefix}-detail", family, which, expected_write(role, family, which, 200)))
            API_ROWS.append((role, "delete", f"{prefix}-detail", family, which,
                             403 if role == Role.AUDITOR else 405))


@pytest.mark.parametrize("role,method,name,family,which,status", API_ROWS)
def test_api_access(world, role, method, name, family, which, status):
    obj = world.obj(family, which) if which else None
    url = reverse(name, args=[obj.pk] if obj else [])
    client = world.api_client_for(role)
    before = type(obj).objects.get(pk=obj.pk).name if obj else None
    if method == "get":
        response = client.get(url)
    elif method == "patch":
        response = client.patch(url, {"name": f"{obj.name}（改）"}, format="json")
    elif method == "put":
        response = client.put(url, form_data(world, family, obj), format="json")
    elif method == "delete":
        response = client.delete(url)
    else:
        response = client.post(url, form_data(world, family) if family != "area" else {}, format="json")
    assert response.status_code == status, response.content.decode()[:500]
    if obj is not None and status >= 400:
        assert type(obj).objects.get(pk=obj.pk).name == before, "a denied write changed the record"


def test_api_lists_are_scoped(world):
    client = world.api_client_for(Role.API_CLIENT)
    for family in FAMILIES:
        data = client.get(reverse(f"api:{URL_PREFIX[family]}-list")).json()
        assert [row["id"] for row in data["results"]] == [world.obj(family, "own").pk]


def test_anonymous_is_sent_to_login_or_refused(world, client):
    response = client.get(reverse("organizations:organization-list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.get(reverse("api:organization-list")).status_code == 401


# ---- guard: the matrix covers every registry URL (tests/test_access_tables.py covers all apps) ----

REGISTRY_VIEWS = ("organizations.", "accounts.")


def _named_urls(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_urls(pattern, namespace)
        elif pattern.name:
            module = getattr(getattr(pattern.callback, "cls", pattern.callback), "__module__", "")
            yield f"{prefix}{pattern.name}", module


def test_matrix_covers_every_registry_url():
    covered = {row[2] for row in PAGE_ROWS + API_ROWS}
    ours = {name for name, module in _named_urls(get_resolver())
            if module.startswith(REGISTRY_VIEWS) and name.startswith(("organizations:", "api:", "accounts:"))
            and name not in ("accounts:login", "accounts:logout")}
    assert "api:organization-list" in ours and "organizations:organization-import" in ours
    assert ours - covered == set()
