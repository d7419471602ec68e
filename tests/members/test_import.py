"""XLSX import of people with their dossiers: checked whole, judged by the procedure
engine step by step, saved all or nothing through the services."""
from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from stdnum.cn import ric

from accounts.models import Role
from config.spreadsheets import workbook_bytes
from members import imports, procedure
from members.choices import DossierState, Stage
from members.models import Dossier, Person, PoliticalReview, RuleSetVersion, StepRecord
from quotas import seats
from quotas.models import PlanStatus, QuotaAllocation, QuotaPlan
from tests.factories import MemberFactory, PersonFactory


def id_number(serial: int, birth: date = date(1995, 6, 15), *, male: bool = True) -> str:
    """A 身份证号 that passes python-stdnum's whole check (110101 is valid for any year)."""
    first17 = f"110101{birth:%Y%m%d}{serial % 500 * 2 + (1 if male else 0):03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


@pytest.fixture
def headers():
    return [c.header for c in imports.columns_for(RuleSetVersion.objects.current().rules)]


@pytest.fixture
def mentors(world):
    party_org = world.obj("party_organization", "own")
    return [MemberFactory(member_party_org=party_org, id_number=id_number(400 + i, date(1980, 3, 1)))
            for i in range(2)]


def candidate_row(world, mentors, serial=1, **changes) -> dict:
    """A person brought to 支部委员会审查 (the JOURNEY of test_journey, as cells)."""
    m1, m2 = (m.id_number for m in mentors)
    row = {
        "姓名": f"导入{serial}号", "公民身份号码": id_number(serial), "民族": "汉族", "学历": "大学本科",
        "职业类别": "技术骨干", "户籍所在地": "浙江省测试县", "是否流动人员": "否",
        "现工作单位": world.obj("organization", "own").uscc, "发展党组织": world.obj("party_organization", "own").name,
        "递交入党申请书日期": "2023-01-10",
        "党组织派人谈话日期": "2023-01-20", "党组织派人谈话：谈话人": "李书记",
        "确定入党积极分子日期": "2023-03-01", "确定入党积极分子：产生方式": "共青团推优",
        "报上级党委备案（积极分子）日期": "2023-03-05",
        "指定培养联系人日期": "2023-03-05", "指定培养联系人：培养联系人（身份证号）": m1,
        "培养教育考察日期": "2023-08-20；2024-02-01",
        "确定发展对象日期": "2024-03-04", "报上级党委备案（发展对象）日期": "2024-03-08",
        "确定入党介绍人日期": "2024-03-10", "确定入党介绍人：入党介绍人（身份证号）": f"{m1}、{m2}",
        "户籍所在地政审发函日期": "2024-03-12", "户籍所在地政审回函日期": "2024-04-01",
        "政治审查日期": "2024-04-02",
        "集中培训日期": "2024-04-10", "集中培训：培训天数": 3,
        "支部委员会审查日期": "2024-05-06",
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not None}


def applicant_row(world, serial=2, **changes) -> dict:
    row = {"姓名": f"申请{serial}号", "公民身份号码": id_number(serial, male=False), "学历": "大学专科",
           "发展党组织": world.obj("party_organization", "own").name, "递交入党申请书日期": "2025-03-02",
           "党组织派人谈话日期": "2025-03-20", "党组织派人谈话：谈话人": "王委员"}
    row.update(changes)
    return {k: v for k, v in row.items() if v is not None}


def xlsx(headers, rows) -> SimpleUploadedFile:
    data = workbook_bytes([("人员及发展档案", headers, [[row.get(h, "") for h in headers] for row in rows])])
    return SimpleUploadedFile("档案.xlsx", data)


def import_rows(world, headers, rows, role=Role.TOWNSHIP_WORKER):
    return imports.import_dossiers(xlsx(headers, rows), by=world.users[role])


def errors_by_row(report) -> dict:
    found = {}
    for error in report.errors:
        found.setdefault(error.row, []).append((error.column, error.message))
    return found


# ---- a good file ------------------------------------------------------------------------

def test_good_file_is_saved_through_the_services(world, mentors, headers):
    report = import_rows(world, headers, [candidate_row(world, mentors), applicant_row(world)])
    assert report.ok, report.errors
    assert (report.dossiers_created, report.people_created, report.steps_taken) == (2, 2, 15)
    candidate = Dossier.objects.get(person__id_number=id_number(1))
    assert candidate.stage == Stage.CANDIDATE and candidate.state == DossierState.ACTIVE
    assert candidate.party_org == world.obj("party_organization", "own")
    assert candidate.cultivation_start == date(2023, 3, 1) and candidate.source == "league"
    assert list(candidate.records.values_list("step", flat=True)) == [
        "apply", "first_talk", "designate_activist", "file_activist", "assign_mentors", "activist_review",
        "activist_review", "designate_candidate", "file_candidate", "assign_introducers", "political_review",
        "concentrated_training", "committee_review"]
    assert candidate.records.get(step="assign_introducers").data["introducers"] == [m.pk for m in mentors]
    assert candidate.records.filter(step="activist_review").first().data["conclusion"] == "合格"   # the default
    review = PoliticalReview.objects.get(dossier=candidate)
    assert (review.side, review.requested_on, review.replied_on, review.passed) == (
        "residence", date(2024, 3, 12), date(2024, 4, 1), True)
    person = candidate.person
    assert person.birth_date == date(1995, 6, 15) and person.sex == "male"
    assert person.current_unit == world.obj("organization", "own") and person.occupation == "technical_backbone"
    assert candidate.records.first().recorded_by == world.users[Role.TOWNSHIP_WORKER]
    applicant = Dossier.objects.get(person__id_number=id_number(2, male=False))
    assert applicant.stage == Stage.APPLICANT and applicant.current_step == "first_talk"
    assert applicant.person.sex == "female"


def test_upload_page_saves_and_redirects(world, mentors, headers):
    client = world.client_for(Role.TOWNSHIP_WORKER)
    response = client.post(reverse("members:dossier-import"), {"file": xlsx(headers, [applicant_row(world)])})
    assert response.status_code == 302 and response["Location"] == reverse("members:dossier-list")
    assert Dossier.objects.filter(person__id_number=id_number(2, male=False)).exists()


def test_template_lists_the_rule_set_columns_and_notes(world, headers):
    response = world.client_for(Role.TOWNSHIP_WORKER).get(reverse("members:dossier-import-template"))
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["人员及发展档案", "填写说明", "发展党组织"]
    first_row = [c.value for c in book["人员及发展档案"][1]]
    assert first_row == headers
    for header in ("递交入党申请书日期", "党组织派人谈话：谈话人", "确定入党积极分子：产生方式", "培养教育考察日期",
                   "确定入党介绍人：入党介绍人（身份证号）", "集中培训：培训学时", "上级党委预审：公示开始日期",
                   "支部大会讨论接收预备党员：赞成票数", "材料归档日期", "工作单位政审回函日期"):
        assert header in first_row
    notes = [row[0].value for row in book["填写说明"].iter_rows(min_row=2)]
    assert set(headers) <= set(notes)
    party_orgs = [row[0].value for row in book["发展党组织"].iter_rows(min_row=2)]
    assert party_orgs == [world.obj("party_organization", "own").name]   # only what the worker may act for


def test_filled_template_imports(world, headers):
    """The example row of the template is itself a valid row once its party organization is filled."""
    response = world.client_for(Role.TOWNSHIP_WORKER).get(reverse("members:dossier-import-template"))
    sheet = load_workbook(BytesIO(response.content))["人员及发展档案"]
    example = dict(zip(headers, [c.value for c in sheet[2]]))
    example.update({"发展党组织": world.obj("party_organization", "own").name, "现工作单位": None})
    report = import_rows(world, headers, [{k: v for k, v in example.items() if v not in (None, "")}])
    assert report.ok, report.errors
    assert Dossier.objects.get().stage == Stage.ACTIVIST


# ---- bad rows ---------------------------------------------------------------------------

def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_saved(world, mentors, headers):
    foreign = world.obj("party_organization", "foreign")
    rows = [
        applicant_row(world, 3),                                                        # row 2: good
        applicant_row(world, 4, 公民身份号码=id_number(4)[:-1] + ("0" if id_number(4)[-1] != "0" else "1")),
        applicant_row(world, 5, 党组织派人谈话日期="2025-02-20"),                         # talk before the application
        candidate_row(world, mentors, 6, 确定发展对象日期="2024-02-20",                   # 11 months 19 days
                      **{"报上级党委备案（发展对象）日期": "2024-03-08"}),
        applicant_row(world, 7, 发展党组织="没有这个党支部"),
        applicant_row(world, 8, 发展党组织=foreign.name),                                  # another township's
        applicant_row(world, 9, 递交入党申请书日期="2025-13-01", 学历="博士"),
        applicant_row(world, 10, 公民身份号码=id_number(10, date(2010, 1, 1))),           # 15 at application
        candidate_row(world, mentors, 11, **{"确定入党介绍人：入党介绍人（身份证号）": mentors[0].id_number}),
    ]
    people_before = Person.objects.count()
    report = import_rows(world, headers, rows)
    assert not report.ok
    found = errors_by_row(report)
    assert 2 not in found
    assert found[3] == [("公民身份号码", "公民身份号码校验位错误，请核对。")]
    assert found[4][0][0] == "党组织派人谈话日期" and "须先完成“递交入党申请书”" in found[4][0][1]
    assert found[5][0][0] == "确定发展对象日期" and "培养教育考察未满1年" in found[5][0][1]
    assert found[6] == [("发展党组织", "找不到该党组织，或不在您的管理范围内。")]
    assert found[7] == [("发展党组织", "找不到该党组织，或不在您的管理范围内。")]
    assert {c for c, _ in found[8]} == {"递交入党申请书日期", "学历"}
    assert found[9][0][0] == "递交入党申请书日期" and "未满18周岁" in found[9][0][1]
    assert found[10][0][0] == "确定入党介绍人日期" and "入党介绍人应为2名正式党员" in found[10][0][1]
    assert Person.objects.count() == people_before and not Dossier.objects.exists()


def test_mentor_must_be_a_registered_full_member_in_scope(world, mentors, headers):
    stranger = MemberFactory(member_party_org=world.obj("party_organization", "foreign"),
                             id_number=id_number(450, date(1980, 3, 1)))
    probationary = MemberFactory(member_party_org=world.obj("party_organization", "own"), membership="probationary",
                                 id_number=id_number(451, date(1980, 3, 1)))
    rows = [candidate_row(world, mentors, 1, **{"指定培养联系人：培养联系人（身份证号）": stranger.id_number}),
            candidate_row(world, mentors, 2, **{"指定培养联系人：培养联系人（身份证号）": probationary.id_number})]
    found = errors_by_row(import_rows(world, headers, rows))
    assert found[2] == [("指定培养联系人：培养联系人（身份证号）",
                         f"找不到身份证号为{stranger.id_number}的人员，或不在您的管理范围内（须为已登记的正式党员）。")]
    assert found[3][0][0] == "指定培养联系人日期" and "不是正式党员" in found[3][0][1]


def test_step_data_without_a_date_and_a_date_without_required_data(world, headers):
    rows = [applicant_row(world, 1, 党组织派人谈话日期=None),
            applicant_row(world, 2, **{"党组织派人谈话：谈话人": None}),
            applicant_row(world, 3, 党组织派人谈话日期="2025-03-20；2025-03-25")]
    found = errors_by_row(import_rows(world, headers, rows))
    assert found[2] == [("党组织派人谈话：谈话人", "未填写该步骤的办理日期。")]
    assert found[3] == [("党组织派人谈话：谈话人", "已填写该步骤的日期，此项必填。")]
    assert found[4] == [("党组织派人谈话日期", "“党组织派人谈话”只办理一次，只能填一个日期。")]


def test_migrant_needs_both_review_sides(world, mentors, headers):
    row = candidate_row(world, mentors, 1, 是否流动人员="是")
    found = errors_by_row(import_rows(world, headers, [row]))
    assert found[2][0][0] == "政治审查日期" and "工作单位一方尚未作出结论" in found[2][0][1]
    both = candidate_row(world, mentors, 1, 是否流动人员="是", 工作单位政审回函日期="2024-03-20")
    assert import_rows(world, headers, [both]).ok
    assert PoliticalReview.objects.filter(side="employer", requested_on=date(2024, 3, 20)).exists()


def test_missing_column_and_empty_file(world, headers):
    report = import_rows(world, [h for h in headers if h != "发展党组织"], [applicant_row(world)])
    assert [(e.row, e.column) for e in report.errors] == [(1, "发展党组织")]
    assert [e.message for e in import_rows(world, headers, []).errors] == ["文件中没有数据行。"]


def test_a_file_above_the_row_limit_is_refused_whole(world, headers, settings):
    settings.DOSSIER_IMPORT_MAX_ROWS = 2
    rows = [applicant_row(world, serial) for serial in (2, 3, 4)]
    report = import_rows(world, headers, rows)
    assert [(e.row, e.message) for e in report.errors] == [(4, "每个文件最多导入2行（本文件3行），请分成几个文件导入。")]
    assert not Dossier.objects.exists()
    assert import_rows(world, headers, rows[:2]).ok and Dossier.objects.count() == 2


def test_bad_file_shows_the_error_table(world, headers):
    client = world.client_for(Role.TOWNSHIP_WORKER)
    response = client.post(reverse("members:dossier-import"),
                           {"file": xlsx(headers, [applicant_row(world, 1, 学历="博士")])})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="import-errors"' in page and "第 2 行" in page and "可选值：" in page
    assert not Dossier.objects.exists()
    response = client.post(reverse("members:dossier-import"),
                           {"file": SimpleUploadedFile("a.xlsx", b"not a workbook")})
    assert "无法读取文件" in response.content.decode()


# ---- re-import ---------------------------------------------------------------------------

def test_reimport_of_an_open_dossier_is_refused_for_that_row(world, mentors, headers):
    assert import_rows(world, headers, [applicant_row(world)]).ok
    report = import_rows(world, headers, [applicant_row(world), applicant_row(world, 3)])
    found = errors_by_row(report)
    assert list(found) == [2] and found[2][0][0] == "公民身份号码"
    assert "已有一份正在进行的发展档案" in found[2][0][1] and "不能重复导入" in found[2][0][1]
    assert Dossier.objects.count() == 1 and Person.objects.filter(name__startswith="申请").count() == 1


def test_same_person_twice_in_one_file(world, headers):
    found = errors_by_row(import_rows(world, headers, [applicant_row(world), applicant_row(world)]))
    assert found == {3: [("公民身份号码", "与第2行重复。")]}


def test_registered_person_without_an_open_dossier_is_reused(world, headers):
    person = PersonFactory(id_number=id_number(2, male=False), male=False, name="已登记",
                           current_unit=world.obj("organization", "own"))
    report = import_rows(world, headers, [applicant_row(world)])
    assert report.ok and report.people_created == 0 and report.dossiers_created == 1
    assert Dossier.objects.get().person == person and Person.objects.get(pk=person.pk).name == "已登记"


# ---- the quota gates -----------------------------------------------------------------------

ADMISSION = {
    "上级党委预审日期": "2024-05-20", "上级党委预审：公示开始日期": "2024-05-07", "上级党委预审：公示结束日期": "2024-05-13",
    "填写入党志愿书日期": "2024-05-25",
    "支部大会讨论接收预备党员日期": "2024-06-03", "支部大会讨论接收预备党员：有表决权的正式党员数": 9,
    "支部大会讨论接收预备党员：到会有表决权的党员数": 7, "支部大会讨论接收预备党员：赞成票数": 6,
    "上级党委派人谈话日期": "2024-06-10", "上级党委派人谈话：谈话人": "王委员",
    "上级党委审批日期": "2024-07-01",
}


@pytest.fixture
def quota_gates(monkeypatch):
    """As in production: quotas' seat gates on pre_review and admission_approval."""
    monkeypatch.setattr(procedure, "_gates", {"pre_review": [seats.reserve_seat],
                                              "admission_approval": [seats.use_seat]})


def test_approval_in_a_year_without_a_plan_is_a_row_error(world, mentors, headers, quota_gates):
    rows = [applicant_row(world, 3), candidate_row(world, mentors, 1, **ADMISSION)]
    report = import_rows(world, headers, rows)
    found = errors_by_row(report)
    party_org = world.obj("party_organization", "own")
    assert found == {3: [("上级党委预审日期", f"{party_org}没有2024年度的发展计划名额（无计划不发展）。")]}
    assert not Dossier.objects.exists() and not StepRecord.objects.exists()


def test_approval_with_a_seat_takes_it(world, mentors, headers, quota_gates):
    party_org = world.obj("party_organization", "own")
    plan = QuotaPlan.objects.create(year=2024, name="2024年发展党员计划", total_seats=5, status=PlanStatus.ISSUED)
    allocation = QuotaAllocation.objects.create(plan=plan, party_org=party_org, area=party_org.area, seats=1)
    report = import_rows(world, headers, [candidate_row(world, mentors, 1, **ADMISSION)])
    assert report.ok, report.errors
    dossier = Dossier.objects.get()
    assert dossier.stage == Stage.PROBATIONARY and dossier.approved_on == date(2024, 7, 1)
    allocation.refresh_from_db()
    assert (allocation.used, allocation.reserved) == (1, 0)
    # a second candidate of the same organization finds no seat left: the whole file is refused
    again = import_rows(world, headers, [candidate_row(world, mentors, 5, **ADMISSION)])
    assert "发展名额已用完" in again.errors[0].message and Dossier.objects.count() == 1


# ---- who may import ---------------------------------------------------------------------------

# The access table of the import pages (tests/test_access_tables.py reads PAGE_ROWS).
PAGE_ROWS = [(role, status, name) for role, status in (
    (Role.COUNTY_ADMIN, 200), (Role.TOWNSHIP_WORKER, 200), (Role.AUDITOR, 403), (Role.INSTRUCTOR, 403),
    (Role.SECRETARY, 403)) for name in ("members:dossier-import", "members:dossier-import-template")]


@pytest.mark.parametrize("role,status", sorted({(role, status) for role, status, _ in PAGE_ROWS}))
def test_who_may_import(world, headers, role, status):
    client = world.client_for(role)
    assert client.get(reverse("members:dossier-import")).status_code == status
    assert client.get(reverse("members:dossier-import-template")).status_code == status
    response = client.post(reverse("members:dossier-import"), {"file": xlsx(headers, [applicant_row(world)])})
    assert response.status_code == (302 if status == 200 else 403)
    assert Dossier.objects.exists() == (status == 200)


def test_county_admin_imports_into_any_township(world, headers):
    row = applicant_row(world, 1, 发展党组织=world.obj("party_organization", "foreign").name)
    assert import_rows(world, headers, [row], role=Role.COUNTY_ADMIN).ok
    assert Dossier.objects.get().party_org == world.obj("party_organization", "foreign")
