"""``seed_demo``: a deterministic, valid demo county (built small here: --units 60)."""
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token
from stdnum.cn import uscc as uscc_standard

from accounts.models import Role, User
from organizations import demo
from organizations.choices import AreaLevel, Formation, OrganizationKind, PartyOrgType
from organizations.models import Area, Instructor, Organization, PartyOrganization, PartyWorker

UNITS = 60
ROLES = {
    "admin": Role.COUNTY_ADMIN, "county": Role.COUNTY_ADMIN, "auditor": Role.AUDITOR,
    "township": Role.TOWNSHIP_WORKER, "township2": Role.TOWNSHIP_WORKER, "secretary": Role.SECRETARY,
    "instructor": Role.INSTRUCTOR, "api": Role.API_CLIENT,
}

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--units", str(UNITS), *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "areas": list(Area.objects.order_by("code").values_list("code", "name", "level", "parent__code")),
        "units": list(Organization.objects.order_by("uscc").values_list(
            "uscc", "name", "sub_kind", "industry", "township__code", "community__code", "employee_count",
            "party_member_count", "status", "established_on", "dissolved_on", "legal_representative")),
        "party_orgs": sorted(PartyOrganization.objects.values_list(
            "name", "org_type", "formation", "parent__name", "area__code", "full_member_count",
            "probationary_member_count", "secretary_name", "has_approval_authority", "has_branch_committee")),
        "coverage": sorted(PartyOrganization.covered_organizations.through.objects.values_list(
            "partyorganization__name", "organization__uscc")),
        "instructors": sorted(Instructor.objects.values_list("name", "area__code", "organizations__uscc")),
        "workers": sorted(PartyWorker.objects.values_list("name", "party_organization__name", "employment")),
        "users": sorted(User.objects.values_list("username", "role", "full_name")),
    }


@pytest.fixture
def output() -> str:
    return seed()


def test_rebuild_with_reset_is_deterministic(output):
    first = snapshot()
    assert len(first["units"]) == UNITS
    seed("--reset")
    assert snapshot() == first


def test_units_are_valid_and_unique(output):
    units = list(Organization.objects.all())
    assert all(uscc_standard.is_valid(u.uscc) for u in units)
    assert all(u.uscc[2:8] == demo.COUNTY_CODE for u in units)
    assert len({u.uscc for u in units}) == len({u.name for u in units}) == UNITS
    for unit in units:
        unit.full_clean()  # every model rule holds
        assert unit.uscc[0] == ("9" if unit.kind == OrganizationKind.ENTERPRISE else "5")
    kinds = {u.kind for u in units}
    assert kinds == {OrganizationKind.ENTERPRISE, OrganizationKind.SOCIAL_ORG}


def test_area_tree(output):
    county = Area.objects.get(level=AreaLevel.COUNTY)
    townships = list(Area.objects.townships())
    assert county.code == demo.COUNTY_CODE + "000000"
    assert len(townships) == 12 and {t.level for t in townships} == {AreaLevel.TOWNSHIP, AreaLevel.STREET}
    for township in townships:
        assert township.parent == county and township.code[:6] == county.code[:6] and township.code.endswith("000")
        communities = list(township.children.all())
        assert 2 <= len(communities) <= 5
        assert all(c.code[:9] == township.code[:9] and c.level == AreaLevel.COMMUNITY for c in communities)


def test_party_organizations_of_every_kind(output):
    party_orgs = PartyOrganization.objects.all()
    assert {p.org_type for p in party_orgs} == set(PartyOrgType.values)
    assert {p.formation for p in party_orgs} == set(Formation.values)
    for joint in party_orgs.filter(org_type=PartyOrgType.JOINT_BRANCH):
        units = list(joint.covered_organizations.all())
        assert len(units) >= 2 and {u.township_id for u in units} == {joint.area_id}
    committee = party_orgs.filter(org_type=PartyOrgType.COMMITTEE, has_approval_authority=True).first()
    assert committee is not None and committee.member_count >= 100
    assert committee.children.filter(org_type=PartyOrgType.GENERAL_BRANCH).exists()
    for party_org in party_orgs:
        party_org.full_clean()
        assert party_org.secretary_name and party_org.secretary_phone
        if party_org.parent_id:
            assert party_org.path.startswith(party_org.parent.path)

    active = Organization.objects.active().with_coverage()
    uncovered = active.filter(has_party_org=False).count()
    assert 0 < uncovered < active.count()
    assert not Organization.objects.filter(status="dissolved", party_organizations__isnull=False).exists()
    assert Instructor.objects.filter(organizations__isnull=False).exists()
    assert PartyWorker.objects.exists()


def test_demo_accounts_log_in(output):
    for username, role in ROLES.items():
        user = authenticate(username=username, password=demo.DEMO_PASSWORD)
        assert user is not None, username
        assert user.role == role
        assert username in output
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.get(username="county").is_superuser
    token = Token.objects.get(user__username="api")
    assert token.key in output
    assert "http://127.0.0.1:8000/" in output and demo.DEMO_PASSWORD in output


def test_accounts_see_their_scope(output):
    first, second = Area.objects.townships()[:2]
    township = User.objects.get(username="township")
    assert set(Organization.objects.visible_to(township)) == set(Organization.objects.filter(township=first))
    township2 = User.objects.get(username="township2")
    assert set(Organization.objects.visible_to(township2)) == set(Organization.objects.filter(township=second))
    api = User.objects.get(username="api")
    assert set(Organization.objects.visible_to(api)) == set(Organization.objects.filter(township=first))

    secretary = User.objects.get(username="secretary")
    committee = secretary.secretary_of.get()
    assert committee.org_type == PartyOrgType.COMMITTEE and committee.area == first
    visible = PartyOrganization.objects.visible_to(secretary)
    assert visible.count() > 1 and all(p.path.startswith(committee.path) for p in visible)

    instructor = User.objects.get(username="instructor")
    assert instructor.instructor_profile.area == first
    assert set(Organization.objects.visible_to(instructor)) == set(instructor.instructor_profile.organizations.all())
    assert Organization.objects.visible_to(instructor).exists()


def test_without_reset_changes_nothing(output):
    before = snapshot()
    stamps = sorted(Organization.objects.values_list("pk", "updated_at"))
    history = Organization.history.count()
    message = seed()
    assert "已存在" in message
    assert snapshot() == before
    assert sorted(Organization.objects.values_list("pk", "updated_at")) == stamps
    assert Organization.history.count() == history


def test_other_apps_extend_the_demo(db, monkeypatch):
    calls = []
    config = apps.get_app_config("reports")
    monkeypatch.setattr(config, "demo_builder", calls.append, raising=False)
    seed()
    [context] = calls
    assert isinstance(context, demo.DemoContext)
    assert len(context.units) == UNITS and context.admin.username == "admin"
    assert [t.code for t in context.townships] == sorted(t.code for t in context.townships)
    assert set(context.users) == set(ROLES)


def test_refuses_a_too_small_county(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", "--units", "5", stdout=StringIO())
    assert not Area.objects.exists()
