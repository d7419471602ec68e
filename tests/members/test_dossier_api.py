"""The people and dossier API through the real router: each endpoint, the refusal's
JSON shape, the timeline, the whole 25-step journey, and list query counts."""
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from members.models import Dossier, Person, PoliticalReview, RuleSetVersion
from members.periods import add_months

from .test_access import applicant, member_world, valid_id_number  # noqa: F401 - fixture
from .test_dossier_pages import cultivating  # noqa: F401 - fixture
from .test_journey import JOURNEY



@pytest.fixture
def api(member_world):
    return member_world.api_client_for(Role.API_CLIENT)


def person_payload(world, serial, **overrides):
    birth = overrides.pop("birth", date(1995, 6, 15))
    data = {"name": f"接口人员{serial}", "id_number": valid_id_number(serial, birth), "sex": "male",
            "birth_date": birth.isoformat(), "education": "bachelor", "occupation": "front_line",
            "current_unit": world.obj("organization", "own").pk}
    data.update(overrides)
    return data


def take(api, dossier_id, step, on, data=None, note=""):
    return api.post(reverse("api:dossier-take-step", args=[dossier_id]),
                    {"step": step, "on": str(on), "data": data or {}, "note": note}, format="json")


# ---- persons ------------------------------------------------------------------------------

def test_person_create_update_and_errors(member_world, api):
    url = reverse("api:person-list")
    created = api.post(url, person_payload(member_world, 201), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert "id_number" not in body and body["masked_id_number"].endswith(valid_id_number(201)[-4:])
    person = Person.objects.get(pk=body["id"])
    assert person.id_number == valid_id_number(201) and person.name_initials == "jkry"

    wrong_check = valid_id_number(202)[:-1] + ("1" if valid_id_number(202)[-1] != "1" else "2")
    cases = [
        ({"id_number": wrong_check}, "id_number", "公民身份号码校验位错误，请核对。"),
        ({"id_number": valid_id_number(201)}, "id_number", "该身份证号已登记。"),
        ({"id_number": None}, "id_number", "请填写公民身份号码。"),
        ({"id_number": ""}, "id_number", "该字段不能为空。"),
        ({"birth_date": "1995-06-16"}, "birth_date", "出生日期与身份证号不符（身份证号为1995-06-15）。"),
        ({"sex": "female"}, "sex", "性别与身份证号不符（身份证号为男）。"),
        ({"current_unit": member_world.obj("organization", "foreign").pk}, "current_unit", None),
    ]
    for overrides, field, message in cases:
        count = Person.objects.count()
        payload = {k: v for k, v in person_payload(member_world, 202, **overrides).items() if v is not None}
        response = api.post(url, payload, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
        assert message is None or response.json()[field] == [message]
        assert Person.objects.count() == count

    patched = api.patch(reverse("api:person-detail", args=[person.pk]), {"occupation": "manager"}, format="json")
    assert patched.status_code == 200 and patched.json()["occupation"] == "manager"
    assert person.history.first().history_user == member_world.users[Role.API_CLIENT]
    assert api.patch(reverse("api:person-detail", args=[person.pk]), {"birth_date": "2000-01-01"},
                     format="json").status_code == 400


def test_person_list_filters(member_world, api):
    applicant(member_world.obj("organization", "own"), 211, name="张三", occupation="manager")
    url = reverse("api:person-list")
    assert [p["name"] for p in api.get(url, {"q": "zs"}).json()["results"]] == ["张三"]
    assert [p["name"] for p in api.get(url, {"occupation": "manager"}).json()["results"]] == ["张三"]
    assert [p["name"] for p in api.get(url, {"q": valid_id_number(211)[-4:]}).json()["results"]] == ["张三"]


# ---- dossiers -----------------------------------------------------------------------------

def test_start_dossier_list_and_retrieve(member_world, api):
    person = applicant(member_world.obj("organization", "own"), 221, name="王申请")
    payload = {"person": person.pk, "party_org": member_world.obj("party_organization", "own").pk,
               "applied_on": "2024-05-06", "note": "本人递交"}
    created = api.post(reverse("api:dossier-list"), payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["stage"] == "applicant" and body["state"] == "active" and body["applied_on"] == "2024-05-06"
    assert body["current_step_label"] == "递交入党申请书" and body["rule_set_name"].startswith("《中国共产党发展党员工作细则》")
    assert [r["step"] for r in body["records"]] == ["apply"] and body["records"][0]["note"] == "本人递交"

    again = api.post(reverse("api:dossier-list"), payload, format="json")
    assert again.status_code == 400 and again.json()["code"] == "dossier_exists"
    foreign = {**payload, "person": member_world.obj("person", "foreign").pk}
    assert "person" in api.post(reverse("api:dossier-list"), foreign, format="json").json()

    listed = api.get(reverse("api:dossier-list"), {"q": "王申请"}).json()
    assert [d["id"] for d in listed["results"]] == [body["id"]]
    assert "id_number" not in listed["results"][0] and listed["results"][0]["masked_id_number"]
    detail = api.get(reverse("api:dossier-detail", args=[body["id"]])).json()
    assert detail["records"][0]["step_label"] == "递交入党申请书" and detail["contacts"] == []


def test_dossier_list_filters(member_world, api, cultivating):
    url = reverse("api:dossier-list")
    rows = api.get(url, {"stage": "activist"}).json()["results"]
    assert [d["id"] for d in rows] == [cultivating.pk]
    assert rows[0]["activist_source"] == "league" and rows[0]["current_step_label"] == "培养教育考察"
    assert api.get(url, {"overdue": "true"}).json()["count"] == 0
    assert api.get(url, {"state": "active"}).json()["count"] == 2
    assert api.get(url, {"stage": "no-such-stage"}).status_code == 400


def test_under_age_application_is_refused_with_the_date_it_becomes_possible(member_world, api):
    person = applicant(member_world.obj("organization", "own"), 231, birth_date=date(2008, 5, 1))
    response = api.post(reverse("api:dossier-list"), {
        "person": person.pk, "party_org": member_world.obj("party_organization", "own").pk,
        "applied_on": "2025-06-01"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "step_refused" and body["data"]["step"] == "apply"
    assert body["data"]["problems"] == [{"code": "under_age", "article": "《中国共产党发展党员工作细则》第六条",
                                         "message": "申请人2025年6月1日未满18周岁（2026年5月1日满18周岁）。",
                                         "available_from": "2026-05-01"}]
    assert not Dossier.objects.filter(person=person).exists()


# ---- steps ---------------------------------------------------------------------------

def test_take_step_returns_the_record(member_world, api):
    dossier = member_world.obj("dossier", "own")
    response = take(api, dossier.pk, "first_talk", "2024-01-20", {"talker": "李书记"}, note="当面")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["step"] == "first_talk" and body["step_label"] == "党组织派人谈话"
    assert body["data"] == {"talker": "李书记"} and body["taken_on"] == "2024-01-20" and body["note"] == "当面"
    assert body["recorded_by"] == member_world.users[Role.API_CLIENT].pk


def test_refused_step_json_lists_every_problem_and_saves_nothing(member_world, api):
    dossier = member_world.obj("dossier", "own")
    response = take(api, dossier.pk, "designate_activist", "2024-01-05", {"source": "nobody"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "step_refused" and body["data"]["step"] == "designate_activist"
    problems = body["data"]["problems"]
    assert {p["code"] for p in problems} == {"field_invalid", "prerequisite_missing"}
    assert all(set(p) == {"code", "message", "article", "available_from"} for p in problems)
    assert body["message"] == "；".join(p["message"] for p in problems)
    assert "“产生方式”填写有误。" in body["message"]
    assert dossier.records.count() == 1


def test_step_input_errors(member_world, api):
    dossier = member_world.obj("dossier", "own")
    bad_date = api.post(reverse("api:dossier-take-step", args=[dossier.pk]), {"step": "first_talk", "on": "20.1.2024"},
                        format="json")
    assert bad_date.status_code == 400 and "on" in bad_date.json()
    unknown = take(api, dossier.pk, "fly_to_moon", "2024-01-20")
    assert unknown.status_code == 400 and unknown.json()["data"]["problems"][0]["code"] == "unknown_step"
    future = take(api, dossier.pk, "first_talk", timezone.localdate() + timedelta(days=3), {"talker": "李"})
    assert future.json()["data"]["problems"][0]["code"] == "date_in_future"
    assert dossier.records.count() == 1


def test_timeline(member_world, api, cultivating):
    url = reverse("api:dossier-timeline", args=[cultivating.pk])
    body = api.get(url).json()
    assert body["dossier"] == cultivating.pk and body["on"] == timezone.localdate().isoformat()
    steps = {s["code"]: s for s in body["steps"]}
    assert [s["order"] for s in body["steps"]] == list(range(1, 26))
    assert steps["apply"]["status"] == "done" and steps["apply"]["records"][0]["taken_on"]
    assert steps["activist_review"]["status"] == "done" and steps["activist_review"]["may_take"] is True
    candidate = steps["designate_candidate"]
    ready = add_months(timezone.localdate() - timedelta(days=60), 12)
    assert candidate["status"] == "blocked" and candidate["available_from"] == ready.isoformat()
    assert [p["code"] for p in candidate["problems"]] == ["cultivation_too_short"]
    assert steps["committee_review"]["available_from"] is None
    assert {p["code"] for p in steps["committee_review"]["problems"]} == {"prerequisite_missing"}

    # As of the day the year of cultivation is complete, the half-yearly review is what is missing.
    later = {s["code"]: s for s in api.get(url, {"on": ready.isoformat()}).json()["steps"]}
    assert [p["code"] for p in later["designate_candidate"]["problems"]] == ["review_gap"]
    assert api.get(url, {"on": "next week"}).json() == {"on": ["日期格式应为 YYYY-MM-DD。"]}

    fresh = {s["code"]: s for s in api.get(reverse("api:dossier-timeline",
                                                    args=[member_world.obj("dossier", "own").pk])).json()["steps"]}
    assert fresh["first_talk"]["status"] == "allowed" and fresh["first_talk"]["problems"] == []
    assert fresh["designate_activist"]["problems"][0]["message"] == "须先完成“党组织派人谈话”。"


def test_end_and_contact(member_world, api):
    dossier = member_world.obj("dossier", "own")
    contact = api.post(reverse("api:dossier-contact", args=[dossier.pk]), {"on": "2024-02-01", "note": "电话"},
                       format="json")
    assert contact.status_code == 201 and contact.json()["contacted_on"] == "2024-02-01"
    future = api.post(reverse("api:dossier-contact", args=[dossier.pk]),
                      {"on": (timezone.localdate() + timedelta(days=1)).isoformat()}, format="json")
    assert future.status_code == 400 and future.json()["code"] == "date_in_future"

    url = reverse("api:dossier-end", args=[dossier.pk])
    assert api.post(url, {"end_kind": "withdrawn", "end_reason": "nope", "on": "2024-03-01"},
                    format="json").json().keys() == {"end_reason"}
    ended = api.post(url, {"end_kind": "withdrawn", "end_reason": "resigned", "on": "2024-03-01", "note": "离职"},
                     format="json")
    assert ended.status_code == 200
    assert (ended.json()["state"], ended.json()["end_kind"], ended.json()["ended_on"]) == \
        ("ended", "withdrawn", "2024-03-01")
    again = api.post(url, {"end_kind": "withdrawn", "end_reason": "resigned", "on": "2024-03-02"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "dossier_closed"


def test_whole_journey_through_the_api_ends_in_a_full_member(member_world, api):
    """Person, mentors and all 25 steps through the API only (the political review's
    conclusion is recorded by its own feature; here it is written directly)."""
    own_org = member_world.obj("party_organization", "own")
    mentors = {}
    for key, serial in (("m1", 301), ("m2", 302)):
        response = api.post(reverse("api:person-list"), person_payload(
            member_world, serial, birth=date(1980, 3, 1), name=f"介绍人{key}", membership="full",
            member_party_org=own_org.pk), format="json")
        assert response.status_code == 201, response.json()
        mentors[key] = response.json()["id"]
    person = api.post(reverse("api:person-list"), person_payload(member_world, 303, name="全程"), format="json").json()
    dossier = api.post(reverse("api:dossier-list"), {"person": person["id"], "party_org": own_org.pk,
                                                     "applied_on": "2023-01-10"}, format="json").json()
    for step, on, data in JOURNEY:
        if step == "political_review":
            PoliticalReview.objects.create(dossier_id=dossier["id"], side="residence", requested_on=date(2024, 3, 12),
                                           replied_on=date(2024, 4, 1), passed=True, conclusion="合格")
        data = {k: [mentors[i] for i in v] if k in ("mentors", "introducers") else v for k, v in data.items()}
        response = take(api, dossier["id"], step, on, data)
        assert response.status_code == 201, (step, response.json())
    final = api.get(reverse("api:dossier-detail", args=[dossier["id"]])).json()
    assert (final["stage"], final["state"]) == ("full_member", "completed")
    assert final["probation_ends_on"] == final["full_on"] == "2025-06-03"
    assert len(final["records"]) == 26
    member = api.get(reverse("api:person-detail", args=[person["id"]])).json()
    assert member["membership"] == "full" and member["party_age_from"] == "2025-06-03"
    timeline = api.get(reverse("api:dossier-timeline", args=[dossier["id"]])).json()["steps"]
    assert all(s["status"] == "done" for s in timeline)


# ---- query counts ---------------------------------------------------------------------

@pytest.mark.parametrize("url_name", ["api:dossier-list", "api:person-list"])
def test_api_lists_cost_a_fixed_number_of_queries(member_world, api, url_name):
    party_org = member_world.obj("party_organization", "own")
    rule_set = RuleSetVersion.objects.current()
    unit = member_world.obj("organization", "own")
    counts = []
    for batch, size in ((range(400, 405), 5), (range(405, 445), 45)):
        people = [applicant(unit, serial, name=f"批量{serial}") for serial in batch]
        Dossier.objects.bulk_create([Dossier(person=p, party_org=party_org, rule_set=rule_set, current_step="apply")
                                     for p in people])
        with CaptureQueriesContext(connection) as queries:
            response = api.get(reverse(url_name), {"page_size": 100})
        assert response.status_code == 200 and response.json()["count"] >= size
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[1] <= 10, counts
