"""Service functions: scope checks (the last line of defence), audit rows, and the
party-organization tree (path) that secretaries' scope is built on."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role, User
from organizations import services
from organizations.models import Area, Instructor, Organization, PartyOrganization, PartyWorker
from tests.factories import OrganizationFactory, PartyOrganizationFactory, make_uscc


def fresh(user):
    """The user without the cached scope (scope_of caches on the instance)."""
    return User.objects.get(pk=user.pk)


def unit_data(township, n=900001, **overrides):
    data = {"name": f"服务测试单位{n}", "uscc": make_uscc(n), "kind": "enterprise", "sub_kind": "limited_company",
            "industry": "C", "township": township, "employee_count": 10, "party_member_count": 1}
    data.update(overrides)
    return data


def party_org_data(area, **overrides):
    data = {"name": "服务测试党支部", "org_type": "branch", "formation": "standalone", "area": area,
            "full_member_count": 5}
    data.update(overrides)
    return data


# ---- registering ---------------------------------------------------------------------

def test_township_worker_registers_in_own_township_with_audit_row(world):
    worker = world.users[Role.TOWNSHIP_WORKER]

    unit = services.register_organization(by=worker, data=unit_data(world.township_a), reason="测试")

    record = unit.history.get()
    assert record.history_user == worker
    assert record.history_change_reason == "测试"


def test_township_worker_cannot_register_a_unit_in_another_township(world):
    count = Organization.objects.count()

    with pytest.raises(PermissionDenied):
        services.register_organization(by=world.users[Role.TOWNSHIP_WORKER], data=unit_data(world.township_b))

    assert Organization.objects.count() == count


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.INSTRUCTOR, Role.AUDITOR])
def test_non_registering_roles_cannot_register_anything(world, role):
    user = world.users[role]
    unit = world.obj("organization", "own")
    counts = [m.objects.count() for m in (Organization, PartyOrganization, Instructor, PartyWorker)]

    with pytest.raises(PermissionDenied):
        services.register_organization(by=user, data=unit_data(world.township_a))
    with pytest.raises(PermissionDenied):
        services.register_party_organization(by=user, data=party_org_data(world.township_a,
                                                                           covered_organizations=[unit]))
    with pytest.raises(PermissionDenied):
        services.register_instructor(by=user, data={"name": "新指导员", "area": world.township_a})
    with pytest.raises(PermissionDenied):
        services.register_party_worker(by=user, data={"name": "新党务工作者", "area": world.township_a})

    assert [m.objects.count() for m in (Organization, PartyOrganization, Instructor, PartyWorker)] == counts


def test_invalid_data_raises_validation_error_and_saves_nothing(world):
    count = Organization.objects.count()
    bad = make_uscc(900001)[:-1] + "I"

    with pytest.raises(ValidationError) as caught:
        services.register_organization(by=world.users[Role.COUNTY_ADMIN], data=unit_data(world.township_a, uscc=bad))

    assert "uscc" in caught.value.message_dict
    assert Organization.objects.count() == count


# ---- updating --------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.TOWNSHIP_WORKER, Role.SECRETARY, Role.API_CLIENT])
def test_update_of_a_foreign_unit_is_refused(world, role):
    foreign = world.obj("organization", "foreign")

    with pytest.raises(PermissionDenied):
        services.update_organization(organization=foreign, by=world.users[role], data={"employee_count": 1})

    foreign.refresh_from_db()
    assert foreign.employee_count == 50


@pytest.mark.parametrize("family, service, field", [
    ("party_organization", services.update_party_organization, "party_organization"),
    ("instructor", services.update_instructor, "instructor"),
    ("party_worker", services.update_party_worker, "party_worker"),
])
def test_update_of_other_foreign_objects_is_refused(world, family, service, field):
    foreign = world.obj(family, "foreign")
    old_name = foreign.name

    with pytest.raises(PermissionDenied):
        service(**{field: foreign}, by=world.users[Role.TOWNSHIP_WORKER], data={"name": "改名"})

    foreign.refresh_from_db()
    assert foreign.name == old_name


def test_instructor_may_not_update_even_an_assigned_unit(world):
    own = world.obj("organization", "own")

    with pytest.raises(PermissionDenied):
        services.update_organization(organization=own, by=world.users[Role.INSTRUCTOR], data={"employee_count": 1})


def test_own_unit_cannot_be_moved_into_another_township(world):
    own = world.obj("organization", "own")

    with pytest.raises(PermissionDenied):
        services.update_organization(organization=own, by=world.users[Role.TOWNSHIP_WORKER],
                                     data={"township": world.township_b})

    assert Organization.objects.get(pk=own.pk).township == world.township_a


def test_secretary_updates_own_unit_with_audit_row(world):
    secretary = world.users[Role.SECRETARY]
    own = world.obj("organization", "own")

    services.update_organization(organization=own, by=secretary, data={"employee_count": 77})

    latest = own.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == secretary and latest.employee_count == 77


# ---- party organizations and coverage --------------------------------------------------------

def test_party_organization_cannot_cover_a_unit_the_user_cannot_see(world):
    worker = world.users[Role.TOWNSHIP_WORKER]
    foreign_unit = world.obj("organization", "foreign")
    count = PartyOrganization.objects.count()

    with pytest.raises(PermissionDenied):
        services.register_party_organization(by=worker, data=party_org_data(
            world.township_a, covered_organizations=[world.obj("organization", "own"), foreign_unit]))

    assert PartyOrganization.objects.count() == count


def test_existing_party_organization_cannot_be_given_a_foreign_unit(world):
    own = world.obj("party_organization", "own")

    with pytest.raises(PermissionDenied):
        services.update_party_organization(party_organization=own, by=world.users[Role.TOWNSHIP_WORKER],
                                           data={"covered_organizations": [world.obj("organization", "foreign")]})

    assert list(own.covered_organizations.all()) == [world.obj("organization", "own")]


def test_secretary_cannot_let_own_party_org_cover_a_unit_outside_the_subtree(world):
    stranger = OrganizationFactory(township=world.township_a)  # same township, not covered by the subtree

    with pytest.raises(PermissionDenied):
        services.update_party_organization(party_organization=world.obj("party_organization", "own"),
                                           by=world.users[Role.SECRETARY],
                                           data={"covered_organizations": [world.obj("organization", "own"), stranger]})


def test_instructor_cannot_be_assigned_a_unit_the_user_cannot_see(world):
    with pytest.raises(PermissionDenied):
        services.register_instructor(by=world.users[Role.TOWNSHIP_WORKER], data={
            "name": "新指导员", "area": world.township_a, "organizations": [world.obj("organization", "foreign")]})


def test_only_the_county_grants_secretary_accounts(world):
    party_org = world.obj("party_organization", "own")
    other = User.objects.create(username="other", role=Role.SECRETARY)

    services.update_party_organization(party_organization=party_org, by=world.users[Role.TOWNSHIP_WORKER],
                                       data={"secretary_accounts": [other]})
    assert other not in party_org.secretary_accounts.all()

    services.update_party_organization(party_organization=party_org, by=world.users[Role.COUNTY_ADMIN],
                                       data={"secretary_accounts": [other]})
    assert list(party_org.secretary_accounts.all()) == [other]


def test_only_county_admin_maintains_areas(world):
    data = {"name": "新镇", "code": "330100099000", "level": "township", "parent": world.county}

    with pytest.raises(PermissionDenied):
        services.save_area(by=world.users[Role.TOWNSHIP_WORKER], data=data)

    area = services.save_area(by=world.users[Role.COUNTY_ADMIN], data=data)
    assert area.path == f"/{world.county.code}/330100099000/"


# ---- the party-organization tree -------------------------------------------------------------

@pytest.fixture
def tree(world):
    """committee ─ general branch ─ branch (covers one unit); a second committee."""
    admin = world.users[Role.COUNTY_ADMIN]
    a = world.township_a
    committee = services.register_party_organization(by=admin, data=party_org_data(
        a, name="甲党委", org_type="committee", full_member_count=120))
    general = services.register_party_organization(by=admin, data=party_org_data(
        a, name="甲党总支", org_type="general_branch", parent=committee, full_member_count=60))
    unit = OrganizationFactory(township=a, name="树下单位")
    branch = services.register_party_organization(by=admin, data=party_org_data(
        a, name="甲党支部", parent=general, covered_organizations=[unit]))
    other = services.register_party_organization(by=admin, data=party_org_data(
        a, name="乙党委", org_type="committee", full_member_count=150))
    return {"committee": committee, "general": general, "branch": branch, "other": other, "unit": unit}


def _path(obj):
    return PartyOrganization.objects.get(pk=obj.pk).path


def test_paths_follow_the_tree(tree):
    c, g, b = tree["committee"], tree["general"], tree["branch"]

    assert _path(c) == f"/{c.pk}/"
    assert _path(g) == f"/{c.pk}/{g.pk}/"
    assert _path(b) == f"/{c.pk}/{g.pk}/{b.pk}/"


def test_moving_a_party_organization_carries_its_subtree(world, tree):
    c, g, b, other = tree["committee"], tree["general"], tree["branch"], tree["other"]

    services.update_party_organization(party_organization=PartyOrganization.objects.get(pk=g.pk),
                                       by=world.users[Role.COUNTY_ADMIN], data={"parent": other})

    assert _path(g) == f"/{other.pk}/{g.pk}/"
    assert _path(b) == f"/{other.pk}/{g.pk}/{b.pk}/"
    assert _path(c) == f"/{c.pk}/"


def test_detaching_from_the_parent_makes_a_root(world, tree):
    g, b = tree["general"], tree["branch"]

    services.update_party_organization(party_organization=PartyOrganization.objects.get(pk=g.pk),
                                       by=world.users[Role.COUNTY_ADMIN], data={"parent": None})

    assert _path(g) == f"/{g.pk}/"
    assert _path(b) == f"/{g.pk}/{b.pk}/"


def test_a_party_organization_cannot_move_under_its_own_descendant(world, tree):
    general = PartyOrganization.objects.get(pk=tree["general"].pk)
    committee = PartyOrganization.objects.get(pk=tree["committee"].pk)

    with pytest.raises(ValidationError) as caught:
        services.update_party_organization(party_organization=committee, by=world.users[Role.COUNTY_ADMIN],
                                           data={"parent": general})

    assert "parent" in caught.value.message_dict
    assert _path(committee) == f"/{committee.pk}/"


def test_a_branch_cannot_be_a_parent(world, tree):
    with pytest.raises(ValidationError):
        services.register_party_organization(by=world.users[Role.COUNTY_ADMIN], data=party_org_data(
            world.township_a, name="错挂党支部", parent=tree["branch"]))


def test_committee_secretary_sees_child_branches_and_their_units(world, tree):
    secretary = User.objects.create(username="committee-secretary", role=Role.SECRETARY)
    tree["committee"].secretary_accounts.add(secretary)
    secretary = fresh(secretary)

    visible_orgs = set(PartyOrganization.objects.visible_to(secretary))
    visible_units = set(Organization.objects.visible_to(secretary))

    assert visible_orgs == {tree["committee"], tree["general"], tree["branch"]}
    assert visible_units == {tree["unit"]}
    assert tree["branch"] in PartyOrganization.objects.editable_by(secretary)
    assert world.obj("organization", "own") not in visible_units


def test_after_a_move_the_old_committee_secretary_loses_the_subtree(world, tree):
    old = User.objects.create(username="old-secretary", role=Role.SECRETARY)
    new = User.objects.create(username="new-secretary", role=Role.SECRETARY)
    tree["committee"].secretary_accounts.add(old)
    tree["other"].secretary_accounts.add(new)

    services.update_party_organization(party_organization=PartyOrganization.objects.get(pk=tree["general"].pk),
                                       by=world.users[Role.COUNTY_ADMIN], data={"parent": tree["other"]})

    assert set(Organization.objects.visible_to(fresh(old))) == set()
    assert set(PartyOrganization.objects.visible_to(fresh(old))) == {tree["committee"]}
    assert set(Organization.objects.visible_to(fresh(new))) == {tree["unit"]}
    assert tree["branch"] in PartyOrganization.objects.visible_to(fresh(new))


def test_branch_secretary_does_not_see_the_committee_above(world, tree):
    secretary = User.objects.create(username="branch-secretary", role=Role.SECRETARY)
    tree["branch"].secretary_accounts.add(secretary)

    assert set(PartyOrganization.objects.visible_to(fresh(secretary))) == {tree["branch"]}


def test_area_path_follows_the_code(world):
    assert world.township_a.path == f"/{world.county.code}/{world.township_a.code}/"
    assert Area.objects.get(pk=world.township_b.pk).path.startswith(f"/{world.county.code}/")


def test_recoding_a_county_carries_its_subtree_paths(world):
    """Area.path ("/<county>/<township>/…") is what every area scope matches with one
    prefix; like PartyOrganization.path it has to follow when an ancestor changes."""
    from tests.factories import CommunityFactory

    community = CommunityFactory(parent=world.township_a)
    county_account = User.objects.create(username="county-api", role=Role.API_CLIENT)
    county_account.scope_areas.add(world.county)
    assert set(Organization.objects.visible_to(fresh(county_account))) == {
        world.obj("organization", "own"), world.obj("organization", "foreign")}

    county = Area.objects.get(pk=world.county.pk)
    services.save_area(by=world.users[Role.COUNTY_ADMIN], area=county, data={"code": "330199000000"})

    township = Area.objects.get(pk=world.township_a.pk)
    assert township.path == f"/330199000000/{township.code}/"
    assert Area.objects.get(pk=community.pk).path == f"{township.path}{community.code}/"
    assert set(Organization.objects.visible_to(fresh(county_account))) == {
        world.obj("organization", "own"), world.obj("organization", "foreign")}
