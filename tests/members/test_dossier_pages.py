"""People and dossier pages: lists (search, filters, pagination, export, query count),
the person form, the dossier page's timeline, the step form (success, refusal, check,
documents), starting, ending and contact."""
import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from members import services
from members.periods import add_months
from members.models import (
    Alert, Attendance, ContactRecord, Dossier, Person, RuleSetVersion, Material, TrainingCourse,
)
from tests.factories import MemberFactory, OrganizationFactory, UserFactory

from .test_access import applicant, member_world, valid_id_number  # noqa: F401 - fixture



@pytest.fixture
def worker(member_world):
    return member_world.client_for(Role.TOWNSHIP_WORKER)


def names_listed(response) -> list[str]:
    return [getattr(o, "name", None) or o.person.name for o in response.context["object_list"]]


def section(content: str, element_id: str) -> str:
    assert f'id="{element_id}"' in content, f"no #{element_id}"
    rest = content.split(f'id="{element_id}"', 1)[1]
    end = re.search(r"</li>|</table>|</dl>|</ol>|</ul>", rest)
    return rest[: end.end()] if end else rest


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


# ---- people ------------------------------------------------------------------------------

def person_form(world, **overrides):
    data = {"name": "张三丰", "id_number": valid_id_number(11, date(1996, 4, 8)), "sex": "male",
            "birth_date": "1996-04-08", "ethnicity": "汉族", "education": "college", "occupation": "technical_backbone",
            "membership": "none", "current_unit": world.obj("organization", "own").pk, "phone": "13800000000"}
    data.update(overrides)
    return data


def test_person_form_checks_birth_date_and_sex_against_the_id_number(member_world, worker):
    count = Person.objects.count()
    response = worker.post(reverse("members:person-create"),
                           person_form(member_world, birth_date="1996-04-09", sex="female"))
    assert response.status_code == 200 and Person.objects.count() == count
    errors = response.context["form"].errors
    assert "出生日期与身份证号不符（身份证号为1996-04-08）" in errors["birth_date"][0]
    assert "性别与身份证号不符（身份证号为男）" in errors["sex"][0]
    bad = valid_id_number(11, date(1996, 4, 8))[:-1] + "0"
    bad = bad if bad != valid_id_number(11, date(1996, 4, 8)) else bad[:-1] + "1"
    response = worker.post(reverse("members:person-create"), person_form(member_world, id_number=bad))
    assert "公民身份号码校验位错误" in response.context["form"].errors["id_number"][0]
    assert Person.objects.count() == count


def test_person_is_registered_and_edited_through_the_services(member_world, worker):
    response = worker.post(reverse("members:person-create"), person_form(member_world))
    person = Person.objects.get(name="张三丰")
    assert response.status_code == 302 and response.url == person.get_absolute_url()
    assert person.name_initials == "zsf" and person.history.get().history_user == member_world.users["township_worker"]
    response = worker.post(reverse("members:person-edit", args=[person.pk]),
                           person_form(member_world, occupation="manager"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.occupation == "manager"
    page = worker.get(person.get_absolute_url()).content.decode()
    assert "职业类别：技术骨干 → 经营管理人员" in page


def test_person_list_search_filters_pagination_and_export(member_world, worker):
    own_unit = member_world.obj("organization", "own")
    other_unit = OrganizationFactory(township=member_world.township_a)
    zhang = applicant(own_unit, 21, name="张三", occupation="manager")
    li = applicant(other_unit, 22, name="李四")
    member = MemberFactory(name="王党员", current_unit=own_unit)
    url = reverse("members:person-list")

    assert names_listed(worker.get(url, {"q": "张三"})) == ["张三"]
    assert names_listed(worker.get(url, {"q": "zs"})) == ["张三"]                 # pinyin initials
    assert names_listed(worker.get(url, {"q": zhang.id_number[-4:]})) == ["张三"]  # last 4 ID digits
    assert set(names_listed(worker.get(url, {"occupation": "manager"}))) == {"张三"}
    assert names_listed(worker.get(url, {"membership": "full"})) == ["王党员"]
    in_a = set(names_listed(worker.get(url, {"township": member_world.township_a.pk})))
    assert {"张三", "李四", "王党员", member_world.obj("person", "own").name} <= in_a
    assert member_world.obj("person", "foreign").name not in in_a

    first = worker.get(url, {"page_size": 2})
    assert len(first.context["object_list"]) == 2 and first.context["paginator"].num_pages >= 2
    assert "page_size=2" in first.content.decode()        # the pagination links keep the size

    rows = sheet_rows(worker.get(url, {"export": "xlsx", "q": "李四"}))
    assert rows[0][0] == "姓名" and rows[1][0] == "李四" and rows[1][3] == li.masked_id_number
    assert member.pk and len(rows) == 2


def test_person_page_shows_dossiers_training_and_history(member_world, worker):
    person = member_world.obj("person", "own")
    course = TrainingCourse.objects.create(name="2024年发展对象培训班", kind="candidate", organizer="甲镇党委",
                                           area=member_world.township_a, starts_on=date(2024, 4, 1),
                                           ends_on=date(2024, 4, 3), days=Decimal(3), hours=Decimal(24))
    Attendance.objects.create(course=course, person=person, days=Decimal(3), hours=Decimal(24))
    page = worker.get(person.get_absolute_url()).content.decode()
    assert member_world.obj("party_organization", "own").name in section(page, "dossiers")
    assert "2024年发展对象培训班" in page and "24" in section(page, "attendances").split("2024年发展对象培训班")[1]
    assert 'id="history"' in page


# ---- dossier list --------------------------------------------------------------------------

@pytest.fixture
def dossiers(member_world):
    """Three more dossiers in township A: an activist at a second unit, a lost one and
    one with an overdue alert."""
    worker = member_world.users["township_worker"]
    party_org = member_world.obj("party_organization", "own")
    second_unit = OrganizationFactory(township=member_world.township_a)
    made = {}
    for serial, (key, name, unit) in enumerate((("activist", "赵积极", second_unit), ("lost", "钱失联", None),
                                                ("overdue", "孙逾期", None)), start=31):
        person = applicant(unit or member_world.obj("organization", "own"), serial, name=name)
        made[key] = services.start_dossier(person=person, party_org=party_org, applied_on=date(2024, 1, 10),
                                           by=worker)
    services.take_step(dossier=made["activist"], step="first_talk", on=date(2024, 1, 20), data={"talker": "李"},
                       by=worker)
    services.take_step(dossier=made["activist"], step="designate_activist", on=date(2024, 3, 1),
                       data={"source": "league"}, by=worker)
    # The alert job's work (another feature): mark one lost, one with an overdue alert.
    Dossier.objects.filter(pk=made["lost"].pk).update(state="lost_contact", lost_contact_since=date(2024, 8, 1))
    Alert.objects.create(dossier=made["overdue"], kind="talk_due", due_on=date(2024, 2, 10),
                         message="谈话已逾期", computed_on=timezone.localdate())
    made["unit"] = second_unit
    return made


def test_dossier_list_filters_and_search(member_world, worker, dossiers):
    url = reverse("members:dossier-list")
    own = member_world.obj("person", "own").name

    def listed(**params):
        return set(names_listed(worker.get(url, params)))

    assert listed() == {own, "赵积极", "钱失联", "孙逾期"}
    assert listed(stage="activist") == {"赵积极"}
    assert listed(state="lost_contact") == listed(lost="true") == {"钱失联"}
    assert listed(overdue="true") == {"孙逾期"}
    assert "孙逾期" not in listed(overdue="false")
    assert listed(unit=dossiers["unit"].pk) == {"赵积极"}
    assert listed(township=member_world.township_a.pk) == listed()
    assert listed(party_org=member_world.obj("party_organization", "own").pk) == listed()
    assert listed(q="zjj") == listed(q="赵") == {"赵积极"}
    assert listed(q=dossiers["lost"].person.id_number[-4:]) == {"钱失联"}
    page = worker.get(url, {"stage": "activist"}).content.decode()
    assert "确定入党积极分子" in page                      # the latest step, by its label


def test_dossier_list_export_is_filtered_and_masked(member_world, worker, dossiers):
    rows = sheet_rows(worker.get(reverse("members:dossier-list"), {"export": "xlsx", "overdue": "true"}))
    person = dossiers["overdue"].person
    assert rows[0][:4] == ("姓名", "公民身份号码", "阶段", "状态")
    assert rows[1][0] == "孙逾期" and rows[1][1] == person.masked_id_number and rows[1][-2] == "是"
    assert rows[0][-1] == "材料（已有/必备）" and rows[1][-1] == "0/1"      # the application letter is missing
    assert len(rows) == 2


@pytest.mark.parametrize("url_name", ["members:dossier-list", "members:person-list"])
def test_list_pages_cost_the_same_queries_for_10_and_100_rows(member_world, worker, url_name):
    party_org = member_world.obj("party_organization", "own")
    rule_set = RuleSetVersion.objects.current()
    unit = member_world.obj("organization", "own")
    people = [applicant(unit, 100 + i, name=f"批量{i}") for i in range(110)]
    Dossier.objects.bulk_create([Dossier(person=p, party_org=party_org, rule_set=rule_set, current_step="apply",
                                         applied_on=date(2024, 1, 10)) for p in people])
    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = worker.get(reverse(url_name), {"page_size": size})
        assert response.status_code == 200 and len(response.context["object_list"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[1] <= 15, counts


def test_dossier_list_query_count_is_bounded(member_world, worker, dossiers, django_assert_max_num_queries):
    for size in (10, 100):
        with django_assert_max_num_queries(15):
            worker.get(reverse("members:dossier-list"), {"page_size": size})


# ---- the dossier page and its timeline -----------------------------------------------------

@pytest.fixture
def cultivating(member_world):
    """A dossier whose activist was designated 60 days ago, with mentor and review done."""
    worker = member_world.users["township_worker"]
    mentor = MemberFactory(name="周导师", member_party_org=member_world.obj("party_organization", "own"))
    person = applicant(member_world.obj("organization", "own"), 41, name="吴培养")
    dossier = services.start_dossier(person=person, party_org=member_world.obj("party_organization", "own"),
                                     applied_on=timezone.localdate() - timedelta(days=100), by=worker)
    for step, days, data in (("first_talk", 90, {"talker": "李书记"}), ("designate_activist", 60, {"source": "league"}),
                             ("file_activist", 55, {}), ("assign_mentors", 55, {"mentors": [mentor.pk]}),
                             ("activist_review", 10, {"conclusion": "表现良好"})):
        services.take_step(dossier=dossier, step=step, on=timezone.localdate() - timedelta(days=days), data=data, by=worker)
    return dossier


def test_timeline_shows_done_allowed_and_blocked_steps_with_reasons(member_world, worker, cultivating):
    page = worker.get(cultivating.get_absolute_url()).content.decode()
    steps = re.findall(r'id="step-(\w+)" data-status="(\w+)"', page)
    assert len(steps) == 25 and steps[0] == ("apply", "done")
    status = dict(steps)
    assert status["assign_mentors"] == "done" and status["designate_candidate"] == "blocked"
    assert status["activist_review"] == "done"
    mentors = section(page, "step-assign_mentors")
    assert "培养联系人：周导师" in mentors and "登记人" in mentors
    assert "产生方式：共青团推优" in section(page, "step-designate_activist")
    # Only dates stand in the way of the development target: say from when, and why.
    ready = add_months(timezone.localdate() - timedelta(days=60), 12)
    candidate = page.split('id="step-designate_candidate"')[1].split("</ul>")[0]
    assert f"可于 {ready:%Y-%m-%d} 起办理" in candidate and "培养教育考察未满1年" in candidate
    blocked = page.split('id="step-committee_review"')[1].split("</li>")[0]
    assert "须先完成“确定发展对象”" not in blocked and "须先完成“报上级党委备案（发展对象）”" in blocked
    # A repeatable step that is done may be taken again; the next steps are offered.
    assert reverse("members:dossier-step", args=[cultivating.pk, "activist_review"]) in page
    assert "《中国共产党发展党员工作细则》第十三条" in page
    assert "最近办理的步骤：指定培养联系人 → 培养教育考察" in page.split('id="history"')[1]


def test_dossier_page_is_read_only_for_readers(member_world):
    page = member_world.client_for(Role.AUDITOR).get(member_world.obj("dossier", "own").get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200 and 'id="timeline"' in body
    assert "dossier-step" not in body and 'id="end-card"' not in body and "/steps/" not in body


# ---- the step form ----------------------------------------------------------------------

def step_url(dossier, code):
    return reverse("members:dossier-step", args=[dossier.pk, code])


def test_step_form_takes_the_step_and_redirects(member_world, worker):
    dossier = member_world.obj("dossier", "own")
    form = worker.get(step_url(dossier, "first_talk")).content.decode()
    assert "谈话人" in form and 'name="data_talker"' in form
    response = worker.post(step_url(dossier, "first_talk"),
                           {"taken_on": "2024-01-20", "data_talker": "李书记", "note": "当面谈话"}, follow=True)
    record = dossier.records.get(step="first_talk")
    assert record.data == {"talker": "李书记"} and record.note == "当面谈话"
    assert record.recorded_by == member_world.users["township_worker"]
    assert response.redirect_chain[-1][0] == dossier.get_absolute_url()
    assert "已办理“党组织派人谈话”" in response.content.decode()


def stored_files(settings) -> int:
    return sum(1 for path in settings.MEDIA_ROOT.rglob("*") if path.is_file())


def test_refused_step_shows_every_problem_and_saves_nothing(member_world, worker, settings):
    dossier = member_world.obj("dossier", "own")
    before = stored_files(settings)
    response = worker.post(step_url(dossier, "designate_activist"),
                           {"taken_on": "2024-01-05",
                            "material_activist_minutes": SimpleUploadedFile("决定.pdf", b"%PDF-1.4")})
    assert response.status_code == 200
    problems = {p.code for p in response.context["problems"]}
    assert problems == {"field_required", "prerequisite_missing"}
    body = response.content.decode()
    assert "请填写“产生方式”。" in body and "须先完成“党组织派人谈话”。" in body and "未保存任何内容" in body
    assert dossier.records.count() == 1 and not Material.objects.filter(dossier=dossier, name="决定.pdf").exists()
    assert stored_files(settings) == before                 # the refused step's file is not kept either


def test_refusal_names_the_article(member_world, worker):
    """Under 18 on the application date: step 1 is refused with its article; no dossier."""
    person = applicant(member_world.obj("organization", "own"), 51, birth_date=date(2008, 5, 1), name="年少")
    response = worker.post(reverse("members:dossier-create"), {
        "person": person.pk, "party_org": member_world.obj("party_organization", "own").pk,
        "applied_on": "2025-06-01"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "未满18周岁" in body and "《中国共产党发展党员工作细则》第六条" in body and "可于 2026-05-01 起办理" in body
    assert not Dossier.objects.filter(person=person).exists()


def test_check_button_asks_the_engine_without_saving(member_world, worker):
    dossier = member_world.obj("dossier", "own")
    refused = worker.post(step_url(dossier, "first_talk"), {"taken_on": "2024-01-20", "action": "check"},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and "<html" not in refused.content.decode()
    assert "请填写“谈话人”。" in refused.content.decode()
    passed = worker.post(step_url(dossier, "first_talk"),
                         {"taken_on": "2024-01-20", "data_talker": "李书记", "action": "check"},
                         HTTP_HX_REQUEST="true")
    assert "检查通过" in passed.content.decode()
    bad_date = worker.post(step_url(dossier, "first_talk"), {"taken_on": "明天", "action": "check"},
                           HTTP_HX_REQUEST="true")
    assert "<html" not in bad_date.content.decode() and "办理日期：" in bad_date.content.decode()
    assert dossier.records.count() == 1


def test_unknown_step_is_404(member_world, worker):
    assert worker.get(step_url(member_world.obj("dossier", "own"), "no_such_step")).status_code == 404


def test_document_upload_and_scoped_download(member_world, worker, settings, tmp_path):
    dossier = member_world.obj("dossier", "own")
    content = b"%PDF-1.4 talk minutes"
    response = worker.post(step_url(dossier, "first_talk"), {
        "taken_on": "2024-01-20", "data_talker": "李书记",
        "material_talk_record": SimpleUploadedFile("谈话记录.pdf", content, content_type="application/pdf")})
    assert response.status_code == 302
    document = Material.objects.get(dossier=dossier, record__step="first_talk", requirement__code="talk_record")
    assert document.name == "谈话记录.pdf" and str(tmp_path) in document.file.path
    assert "谈话记录" not in document.file.name                  # stored under a random name
    page = worker.get(dossier.get_absolute_url()).content.decode()
    download = reverse("members:material-download", args=[document.pk])
    assert download in page
    got = worker.get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == content
    assert "attachment" in got["Content-Disposition"]
    other_township = UserFactory(role=Role.TOWNSHIP_WORKER)
    other_township.scope_areas.add(member_world.township_b)
    client = Client()
    client.force_login(other_township)
    assert client.get(download).status_code == 404


def test_document_type_and_size_are_checked(member_world, worker, settings):
    settings.MATERIAL_MAX_MB = 1
    dossier = member_world.obj("dossier", "own")
    data = {"taken_on": "2024-01-20", "data_talker": "李书记"}
    response = worker.post(step_url(dossier, "first_talk"),
                           {**data, "material_talk_record": SimpleUploadedFile("病毒.exe", b"MZ")})
    assert "“病毒.exe”是可执行文件或脚本，不能上传。" in response.content.decode()
    big = SimpleUploadedFile("大文件.pdf", b"%PDF" + b"0" * (1024 * 1024))
    response = worker.post(step_url(dossier, "first_talk"), {**data, "material_talk_record": big})
    assert "“大文件.pdf”超过 1 MB，请压缩或分开上传。" in response.content.decode()
    assert dossier.records.count() == 1 and not dossier.materials.filter(step="first_talk").exists()


# ---- start, end, contact -------------------------------------------------------------------

def test_start_dossier_page(member_world, worker):
    person = applicant(member_world.obj("organization", "own"), 61, name="钱申请")
    start_link = f'{reverse("members:dossier-create")}?person={person.pk}'
    assert start_link in worker.get(person.get_absolute_url()).content.decode()
    form = worker.get(reverse("members:dossier-create"), {"person": person.pk})
    assert form.context["form"].initial["person"] == person
    data = {"person": person.pk, "party_org": member_world.obj("party_organization", "own").pk,
            "applied_on": "2024-05-06"}
    response = worker.post(reverse("members:dossier-create"), data)
    dossier = Dossier.objects.get(person=person)
    assert response.status_code == 302 and response.url == dossier.get_absolute_url()
    assert dossier.applied_on == date(2024, 5, 6) and dossier.rule_set.code == "national-2014"
    again = worker.post(reverse("members:dossier-create"), data)
    assert again.status_code == 200 and Dossier.objects.filter(person=person).count() == 1
    assert "person" in again.context["form"].errors        # no longer offered: the dossier is open
    assert start_link not in worker.get(person.get_absolute_url()).content.decode()


def test_end_dossier(member_world, worker):
    dossier = member_world.obj("dossier", "own")
    page = worker.get(dossier.get_absolute_url()).content.decode()
    assert 'data-confirm="确定终止' in page
    too_early = worker.post(reverse("members:dossier-end", args=[dossier.pk]),
                            {"kind": "withdrawn", "reason": "resigned", "ended_on": "2024-01-01"})
    assert "终止日期不能早于最近办理日期" in too_early.content.decode()
    response = worker.post(reverse("members:dossier-end", args=[dossier.pk]),
                           {"kind": "withdrawn", "reason": "resigned", "ended_on": "2024-02-01", "note": "离职"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.state, dossier.end_kind, dossier.end_reason, dossier.ended_on) == \
        ("ended", "withdrawn", "resigned", date(2024, 2, 1))
    page = worker.get(dossier.get_absolute_url()).content.decode()
    assert "本人撤回（放弃）" in section(page, "ended") and "从本单位离职" in page
    assert "状态：培养中 → 已终止" in page
    refused = worker.post(step_url(dossier, "first_talk"), {"taken_on": "2024-02-02", "data_talker": "李"})
    assert "发展程序已终止。" in refused.content.decode() and dossier.records.count() == 1
    assert 'id="end-card"' not in page and 'id="next-steps"' not in page


def test_record_contact_brings_a_lost_dossier_back(member_world, worker):
    dossier = member_world.obj("dossier", "own")
    Dossier.objects.filter(pk=dossier.pk).update(state="lost_contact", lost_contact_since=date(2024, 6, 1))
    future = worker.post(reverse("members:dossier-contact", args=[dossier.pk]),
                         {"contacted_on": (timezone.localdate() + timedelta(days=1)).isoformat()})
    assert "联系日期不能晚于今天。" in future.content.decode()
    response = worker.post(reverse("members:dossier-contact", args=[dossier.pk]),
                           {"contacted_on": "2024-09-01", "note": "已回到本单位"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "active" and dossier.last_contact_on == date(2024, 9, 1)
    assert ContactRecord.objects.get(dossier=dossier).note == "已回到本单位"
    assert "已回到本单位" in section(worker.get(dossier.get_absolute_url()).content.decode(), "contacts")
