"""Shared fixtures: a small county with two townships and one account per role."""
from dataclasses import dataclass, field

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from config.celery import app as celery_app
from members import rulesets
from members.materials import services as materials_services
from members.models import HolidayDay, RuleSetVersion

from .factories import (
    CountyFactory, InstructorFactory, OrganizationFactory, PartyOrganizationFactory, PartyWorkerFactory,
    TownshipFactory, UserFactory,
)

PASSWORD = "pass-12345"


@dataclass
class World:
    """Township A holds every role's own objects; township B holds the foreign ones."""

    county: object
    township_a: object
    township_b: object
    objects: dict = field(default_factory=dict)    # (family, "own"/"foreign") -> instance
    users: dict = field(default_factory=dict)      # role -> user

    def obj(self, family: str, which: str):
        return self.objects[(family, which)]

    def client_for(self, role: str) -> Client:
        client = Client()
        client.force_login(self.users[role])
        return client

    def api_client_for(self, role: str) -> APIClient:
        client = APIClient()
        user = self.users[role]
        if role == Role.API_CLIENT:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        else:
            client.force_authenticate(user)
        return client


@pytest.fixture(autouse=True)
def procedure_data(request):
    """Transactional tests flush every table, the rows the data migrations load included;
    put the rule set and the holiday table back for them."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    if not RuleSetVersion.objects.exists():
        data = rulesets.load("national-2014")
        RuleSetVersion.objects.create(code=data["code"], version=data["version"], name=data["name"], data=data,
                                      is_current=True)
        HolidayDay.objects.bulk_create([HolidayDay(day=day, is_workday=workday, name=name)
                                        for day, workday, name in rulesets.official_days()])


@pytest.fixture(autouse=True)
def materials_not_required(request, monkeypatch):
    """Most tests walk dossiers through the procedure without files, as the quota gates
    are left out of the members tests.  Tests marked ``materials`` (tests/members/materials)
    keep the real check: a step's required documents, or a 补录 reason, and the archive."""
    if request.node.get_closest_marker("materials") is None:
        monkeypatch.setattr(materials_services, "step_problems", lambda **kwargs: [])


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in the test's process even when REDIS_URL points at a broker (CI);
    a test that wants a real worker turns this off."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    county = CountyFactory()
    township_a = TownshipFactory(parent=county, name="甲镇")
    township_b = TownshipFactory(parent=county, name="乙镇")
    w = World(county=county, township_a=township_a, township_b=township_b)
    for which, township in (("own", township_a), ("foreign", township_b)):
        unit = OrganizationFactory(township=township)
        party_org = PartyOrganizationFactory(area=township, covered_organizations=[unit])
        instructor = InstructorFactory(area=township, organizations=[unit])
        worker = PartyWorkerFactory(area=township, party_organization=party_org)
        w.objects.update({("organization", which): unit, ("party_organization", which): party_org,
                          ("instructor", which): instructor, ("party_worker", which): worker,
                          ("area", which): township})
    for role in Role.values:
        w.users[role] = UserFactory(username=role, role=role)
    w.users[Role.TOWNSHIP_WORKER].scope_areas.add(township_a)
    w.users[Role.API_CLIENT].scope_areas.add(township_a)
    w.obj("party_organization", "own").secretary_accounts.add(w.users[Role.SECRETARY])
    own_instructor = w.obj("instructor", "own")
    own_instructor.account = w.users[Role.INSTRUCTOR]
    own_instructor.save()
    return w
