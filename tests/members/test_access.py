"""Role × endpoint × own/foreign object for the people and dossier pages and API.

The expectations come from one table of rights per role (the README's role table,
read for the procedure: secretaries work on their own party organization's dossiers,
instructors only read).  A guard fails when a people/dossier URL is not covered.
"""
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from accounts.models import Role
from members import services
from members.materials.services import upload_material
from members.models import ContactRecord, Dossier, Material, MaterialRequirement, Person
from stdnum.cn import ric

from tests.factories import MemberFactory, PersonFactory

APPLIED = date(2024, 1, 10)

# What each role may do with people and dossiers (own = inside its scope).
RIGHTS = {
    Role.COUNTY_ADMIN: {"foreign": True, "edit": True, "register": True, "start": True},
    Role.AUDITOR: {"foreign": True, "edit": False, "register": False, "start": False},
    Role.TOWNSHIP_WORKER: {"foreign": False, "edit": True, "register": True, "start": True},
    Role.API_CLIENT: {"foreign": False, "edit": True, "register": True, "start": True},
    Role.SECRETARY: {"foreign": False, "edit": True, "register": False, "start": True},
    Role.INSTRUCTOR: {"foreign": False, "edit": False, "register": False, "start": False},
}
PAGE_ROLES = [r for r in RIGHTS if r != Role.API_CLIENT]   # API clients cannot log in to pages


def valid_id_number(serial: int, birth: date = date(1995, 6, 15), *, male: bool = True) -> str:
    """A 身份证号 that passes python-stdnum's full check.  (``calc_check_digit`` takes the
    number *with* a check character and ignores it — tests.factories.make_id_number passes
    17 characters, so most of its numbers fail; and its place code 330102 exists only
    from 1983, so no one born earlier passes.  110101 has no such limit.)"""
    first17 = f"110101{birth:%Y%m%d}{serial % 500 * 2 + (1 if male else 0):03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def applicant(unit, serial: int, **kwargs):
    """A person whose record passes the model's validation (so services may update it)."""
    birth = kwargs.pop("birth_date", date(1995, 6, 15))
    return PersonFactory(current_unit=unit, birth_date=birth, id_number=valid_id_number(serial, birth), **kwargs)


@pytest.fixture
def member_world(world, settings, tmp_path):
    """Adds to the two-township world: per township a person working in the unit, an
    open dossier at the party organization (step 1 taken) with one document."""
    settings.MEDIA_ROOT = tmp_path
    admin = world.users[Role.COUNTY_ADMIN]
    for serial, which in enumerate(("own", "foreign"), start=1):
        person = applicant(world.obj("organization", which), serial)
        dossier = services.start_dossier(person=person, party_org=world.obj("party_organization", which),
                                         applied_on=APPLIED, by=admin)
        letter = MaterialRequirement.objects.get(rule_set=dossier.rule_set, code="application_letter")
        document = upload_material(dossier=dossier, step="apply", requirement=letter, by=admin,
                                   upload=SimpleUploadedFile("入党申请书.pdf", b"%PDF-1.4 application"))
        world.objects.update({("person", which): person, ("dossier", which): dossier, ("document", which): document})
    world.objects[("requirement", "own")] = MaterialRequirement.objects.get(code="talk_record")
    return world


def expected_read(role, which):
    return 200 if which == "own" or RIGHTS[role]["foreign"] else 404


def expected_write(role, which, ok):
    if which == "foreign" and not RIGHTS[role]["foreign"]:
        return 404
    return ok if RIGHTS[role]["edit"] else 403


def person_data(world, person=None) -> dict:
    if person is None:
        birth = date(1998, 2, 3)
        return {"name": "新登记", "id_number": valid_id_number(77, birth), "sex": "male", "birth_date": "1998-02-03",
                "ethnicity": "汉族", "education": "bachelor", "occupation": "front_line", "membership": "none",
                "current_unit": world.obj("organization", "own").pk}
    return {"name": f"{person.name}改", "sex": person.sex, "birth_date": person.birth_date.isoformat(),
            "ethnicity": person.ethnicity, "education": person.education, "occupation": person.occupation,
            "membership": person.membership, "current_unit": person.current_unit_id}


def new_applicant(world):
    return applicant(world.obj("organization", "own"), 99)


# ---- pages ---------------------------------------------------------------------------

PAGE_ROWS = []
for role in PAGE_ROLES:
    rights = RIGHTS[role]
    PAGE_ROWS += [
        (role, "get", "members:person-list", None, None, 200),
        (role, "get", "members:dossier-list", None, None, 200),
        (role, "get", "members:person-create", None, None, 200 if rights["register"] else 403),
        (role, "post", "members:person-create", None, None, 302 if rights["register"] else 403),
        (role, "get", "members:dossier-create", None, None, 200 if rights["start"] else 403),
        (role, "post", "members:dossier-create", None, None, 302 if rights["start"] else 403),
    ]
    for which in ("own", "foreign"):
        PAGE_ROWS += [
            (role, "get", "members:person-detail", "person", which, expected_read(role, which)),
            (role, "get", "members:person-edit", "person", which, expected_write(role, which, 200)),
            (role, "post", "members:person-edit", "person", which, expected_write(role, which, 302)),
            (role, "get", "members:dossier-detail", "dossier", which, expected_read(role, which)),
            (role, "get", "members:dossier-step", "dossier", which, expected_write(role, which, 200)),
            (role, "post", "members:dossier-step", "dossier", which, expected_write(role, which, 302)),
            (role, "get", "members:dossier-end", "dossier", which, expected_write(role, which, 200)),
            (role, "post", "members:dossier-end", "dossier", which, expected_write(role, which, 302)),
            (role, "get", "members:dossier-contact", "dossier", which, expected_write(role, which, 200)),
            (role, "post", "members:dossier-contact", "dossier", which, expected_write(role, which, 302)),
            (role, "get", "members:material-download", "document", which, expected_read(role, which)),
            (role, "post", "members:material-upload", "dossier", which, expected_write(role, which, 302)),
            (role, "get", "members:material-delete", "document", which, expected_write(role, which, 200)),
            (role, "post", "members:material-delete", "document", which, expected_write(role, which, 302)),
            (role, "get", "members:dossier-form", "dossier", which, expected_read(role, which)),
        ]
    # The catalogue is county-wide: everyone reads it, only the county administrator edits it.
    editor = role == Role.COUNTY_ADMIN
    PAGE_ROWS += [
        (role, "get", "members:material-catalogue", None, None, 200),
        (role, "get", "members:material-catalogue-create", None, None, 200 if editor else 403),
        (role, "post", "members:material-catalogue-create", None, None, 302 if editor else 403),
        (role, "get", "members:material-catalogue-edit", "requirement", "own", 200 if editor else 403),
        (role, "post", "members:material-catalogue-edit", "requirement", "own", 302 if editor else 403),
        (role, "get", "members:material-catalogue-delete", "requirement", "own", 200 if editor else 403),
        (role, "post", "members:material-catalogue-delete", "requirement", "own", 302 if editor else 403),
    ]


def page_request(world, name, obj):
    if name == "members:dossier-step":
        return reverse(name, args=[obj.pk, "first_talk"]), {"data_talker": "李书记", "taken_on": "2024-01-20"}
    if name == "members:dossier-form":
        return reverse(name, args=[obj.pk, "whole_process_record"]), {}
    if name == "members:material-upload":
        return reverse(name, args=[obj.pk]), {"step": "first_talk", "file": SimpleUploadedFile("谈话.pdf", b"%PDF-1.4")}
    if name in ("members:material-catalogue-create", "members:material-catalogue-edit"):
        url = reverse(name, args=[obj.pk] if obj else [])
        return url, {"step": "first_talk", "code": "talk_photo", "name": "谈话照片", "issuer": "branch",
                     "scope": "personal", "order": 20}
    url = reverse(name, args=[obj.pk] if obj else [])
    if name == "members:person-create":
        return url, person_data(world)
    if name == "members:person-edit":
        return url, {**person_data(world, obj), "id_number": obj.id_number}
    if name == "members:dossier-create":
        return url, {"person": new_applicant(world).pk, "party_org": world.obj("party_organization", "own").pk,
                     "applied_on": "2024-03-01"}
    if name == "members:dossier-end":
        return url, {"kind": "withdrawn", "reason": "withdrew", "ended_on": "2024-02-01"}
    if name == "members:dossier-contact":
        return url, {"contacted_on": "2024-02-01", "note": "电话联系"}
    return url, {}


def snapshot(family, obj):
    """What a denied write must leave untouched."""
    if obj is None:
        return (Person.objects.count(), Dossier.objects.count(), MaterialRequirement.objects.count())
    if family == "person":
        return Person.objects.get(pk=obj.pk).name
    if family == "requirement":
        return list(MaterialRequirement.objects.values_list("pk", "code", "name"))
    if family == "document":
        return list(Material.objects.values_list("pk", "name"))
    dossier = Dossier.objects.get(pk=obj.pk)
    return (dossier.state, dossier.records.count(), ContactRecord.objects.filter(dossier=dossier).count(),
            dossier.materials.count())


@pytest.mark.parametrize("role,method,name,family,which,status", PAGE_ROWS)
def test_page_access(member_world, role, method, name, family, which, status):
    obj = member_world.obj(family, which) if which else None
    url, data = page_request(member_world, name, obj)
    client = member_world.client_for(role)
    if method == "get":
        response = client.get(url)
    else:
        before = snapshot(family, obj)
        response = client.post(url, data)
        if status != 302:
            assert snapshot(family, obj) == before, "a denied write changed something"
    context = getattr(response, "context", None) or {}
    assert response.status_code == status, (context.get("form") and context["form"].errors,
                                            context.get("problems"))


def test_anonymous_is_sent_to_login_or_refused(member_world, client):
    response = client.get(reverse("members:dossier-list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.get(reverse("api:dossier-list")).status_code == 401
    document_url = reverse("members:material-download", args=[member_world.obj("document", "own").pk])
    assert client.get(document_url).status_code == 302


# ---- API -----------------------------------------------------------------------------

API_ROWS = []
for role in RIGHTS:
    rights = RIGHTS[role]
    not_allowed = 403 if role == Role.AUDITOR else 405   # read-only accounts are refused before the method
    API_ROWS += [
        (role, "get", "api:person-list", None, None, 200),
        (role, "post", "api:person-list", None, None, 201 if rights["register"] else 403),
        (role, "get", "api:dossier-list", None, None, 200),
        (role, "post", "api:dossier-list", None, None, 201 if rights["start"] else 403),
    ]
    for which in ("own", "foreign"):
        API_ROWS += [
            (role, "get", "api:person-detail", "person", which, expected_read(role, which)),
            (role, "patch", "api:person-detail", "person", which, expected_write(role, which, 200)),
            (role, "put", "api:person-detail", "person", which, expected_write(role, which, 200)),
            (role, "delete", "api:person-detail", "person", which, not_allowed),
            (role, "get", "api:dossier-detail", "dossier", which, expected_read(role, which)),
            (role, "patch", "api:dossier-detail", "dossier", which, not_allowed),
            (role, "delete", "api:dossier-detail", "dossier", which, not_allowed),
            (role, "get", "api:dossier-timeline", "dossier", which, expected_read(role, which)),
            (role, "post", "api:dossier-take-step", "dossier", which, expected_write(role, which, 201)),
            (role, "post", "api:dossier-end", "dossier", which, expected_write(role, which, 200)),
            (role, "post", "api:dossier-contact", "dossier", which, expected_write(role, which, 201)),
            (role, "get", "api:dossier-materials", "dossier", which, expected_read(role, which)),
            (role, "post", "api:dossier-materials", "dossier", which, expected_write(role, which, 201)),
            (role, "get", "api:dossier-forms", "dossier", which, expected_read(role, which)),
            (role, "get", "api:dossier-form", "dossier", which, expected_read(role, which)),
            (role, "get", "api:material-detail", "document", which, expected_read(role, which)),
            (role, "get", "api:material-download", "document", which, expected_read(role, which)),
            (role, "delete", "api:material-detail", "document", which,
             403 if role == Role.AUDITOR else expected_write(role, which, 204)),
        ]
    API_ROWS += [
        (role, "get", "api:dossier-completeness", None, None, 200),
        (role, "get", "api:material-catalogue-list", None, None, 200),
    ]


def api_payload(world, name, obj):
    if name == "api:person-list":
        return person_data(world)
    if name == "api:person-detail":
        return person_data(world, obj)
    if name == "api:dossier-list":
        return {"person": new_applicant(world).pk, "party_org": world.obj("party_organization", "own").pk,
                "applied_on": "2024-03-01"}
    if name == "api:dossier-take-step":
        return {"step": "first_talk", "on": "2024-01-20", "data": {"talker": "李书记"}}
    if name == "api:dossier-end":
        return {"end_kind": "withdrawn", "end_reason": "withdrew", "on": "2024-02-01"}
    if name == "api:dossier-contact":
        return {"on": "2024-02-01", "note": "电话联系"}
    if name == "api:dossier-materials":
        return {"step": "first_talk", "requirement": "talk_record", "file": SimpleUploadedFile("谈话.pdf", b"%PDF-1.4")}
    return {}


@pytest.mark.parametrize("role,method,name,family,which,status", API_ROWS)
def test_api_access(member_world, role, method, name, family, which, status):
    obj = member_world.obj(family, which) if which else None
    extra = ["whole_process_record"] if name == "api:dossier-form" else []
    url = reverse(name, args=[obj.pk, *extra] if obj else [])
    client = member_world.api_client_for(role)
    payload = api_payload(member_world, name, obj)
    before = snapshot(family, obj)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, payload, format="multipart" if name == "api:dossier-materials"
                                           else "json")
    assert response.status_code == status, response.content.decode()[:500]
    if status >= 400:
        assert snapshot(family, obj) == before, "a denied write changed something"


def test_api_lists_are_scoped(member_world):
    client = member_world.api_client_for(Role.API_CLIENT)
    people = client.get(reverse("api:person-list")).json()["results"]
    dossiers = client.get(reverse("api:dossier-list")).json()["results"]
    assert member_world.obj("person", "own").pk in [p["id"] for p in people]
    assert member_world.obj("person", "foreign").pk not in [p["id"] for p in people]
    assert [d["id"] for d in dossiers] == [member_world.obj("dossier", "own").pk]


def test_list_pages_show_only_scope(member_world):
    client = member_world.client_for(Role.TOWNSHIP_WORKER)
    own, foreign = member_world.obj("person", "own").name, member_world.obj("person", "foreign").name
    for name in ("members:person-list", "members:dossier-list"):
        body = client.get(reverse(name)).content.decode()
        assert own in body and foreign not in body


def test_steps_may_not_name_people_outside_the_scope(member_world):
    """Naming a mentor from another township is refused as if the person did not exist."""
    dossier = member_world.obj("dossier", "own")
    foreign_member = MemberFactory(member_party_org=member_world.obj("party_organization", "foreign"))
    client = member_world.api_client_for(Role.TOWNSHIP_WORKER)
    for step, on, data in (("first_talk", "2024-01-20", {"talker": "李书记"}),
                           ("designate_activist", "2024-03-01", {"source": "league"})):
        assert client.post(reverse("api:dossier-take-step", args=[dossier.pk]),
                           {"step": step, "on": on, "data": data}, format="json").status_code == 201
    response = client.post(reverse("api:dossier-take-step", args=[dossier.pk]),
                           {"step": "assign_mentors", "on": "2024-03-05", "data": {"mentors": [foreign_member.pk]}},
                           format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "step_refused"
    assert [p["code"] for p in body["data"]["problems"]] == ["person_unknown"]
    assert foreign_member.name not in response.content.decode()
    assert not dossier.records.filter(step="assign_mentors").exists()


# ---- guard: the matrix covers every people/dossier URL ----------------------------------

OUR_VIEWS = {"members.views.people", "members.views.dossiers", "members.views.steps", "members.api.dossiers"}


def _view_module(pattern) -> str:
    callback = pattern.callback   # a function view, a class's as_view() or a viewset's
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    return view.__module__


def _named_urls(resolver, prefix=""):
    """(name, module of the view) for every named URL."""
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_urls(pattern, namespace)
        elif pattern.name:
            yield f"{prefix}{pattern.name}", _view_module(pattern)


def test_matrix_covers_every_people_and_dossier_url():
    """Every URL served by this feature's views (pages and API) has rows in the matrix."""
    covered = {row[2] for row in PAGE_ROWS + API_ROWS}
    ours = {name for name, module in _named_urls(get_resolver()) if module in OUR_VIEWS}
    assert {"members:dossier-step", "api:dossier-take-step", "api:person-list"} <= ours
    assert ours - covered == set()
