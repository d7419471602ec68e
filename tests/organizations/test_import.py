"""XLSX import of units (两新组织) through the import page, all or nothing."""
import datetime
import html
import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc as uscc_standard

from accounts.models import Role
from organizations.imports import COLUMNS
from organizations.models import Organization
from tests.factories import make_uscc

IMPORT_URL = "organizations:organization-import"
TEMPLATE_URL = "organizations:organization-import-template"
HEADERS = [c.header for c in COLUMNS]
FIELD_TO_HEADER = {c.field: c.header for c in COLUMNS}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_ROW = re.compile(r"<tr><td>第 (\d+) 行</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", re.S)


# ---- helpers -----------------------------------------------------------------------

def good_row(n: int, **overrides) -> dict:
    """One valid row (by model field name) for a unit in township 甲镇 (township A)."""
    row = {
        "name": f"导入测试单位{n}有限公司", "uscc": make_uscc(700000 + n), "kind": "非公有制企业",
        "sub_kind": "有限责任公司", "industry": "制造业", "township": "甲镇", "address": f"幸福路{n}号",
        "employee_count": 100 + n, "party_member_count": 3, "legal_representative": "王五",
        "representative_is_member": "否", "established_on": "2018-05-20", "status": "存续",
    }
    row.update(overrides)
    return row


def workbook(rows, headers=HEADERS, name="units.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "两新组织"
    sheet.append(headers)
    header_to_field = {c.header: c.field for c in COLUMNS}
    for row in rows:
        sheet.append([row.get(header_to_field.get(h, h)) for h in headers])
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX_TYPE)


def post_file(client, upload, **kwargs):
    return client.post(reverse(IMPORT_URL), {"file": upload}, **kwargs)


def listed_errors(response) -> list[tuple[int, str, str, str]]:
    """(row, column, value, message) as the page shows them in table #import-errors."""
    content = response.content.decode()
    assert 'id="import-errors"' in content
    table = content.split('id="import-errors"', 1)[1].split("</table>", 1)[0]
    return [(int(r), html.unescape(c).strip(), html.unescape(v).strip(), html.unescape(m).strip())
            for r, c, v, m in ERROR_ROW.findall(table)]


@pytest.fixture
def worker(world):
    return world.users[Role.TOWNSHIP_WORKER]


@pytest.fixture
def client(world):
    return world.client_for(Role.TOWNSHIP_WORKER)


# ---- template ------------------------------------------------------------------------

def test_template_is_valid_xlsx_with_the_import_headers_and_only_own_townships(world, client):
    response = client.get(reverse(TEMPLATE_URL))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    first = book.worksheets[0]
    assert [cell.value for cell in first[1]] == HEADERS
    townships = book["乡镇（街道）"]
    listed = [row for row in townships.iter_rows(min_row=2, values_only=True) if any(row)]
    assert listed == [(world.township_a.name, world.township_a.code)]


def test_template_for_county_admin_lists_every_township(world):
    response = world.client_for(Role.COUNTY_ADMIN).get(reverse(TEMPLATE_URL))

    book = load_workbook(BytesIO(response.content))
    names = {row[0] for row in book["乡镇（街道）"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert names == {"甲镇", "乙镇"}


def test_import_page_renders_for_township_worker(client):
    response = client.get(reverse(IMPORT_URL))

    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


# ---- a clean file ----------------------------------------------------------------------

def test_good_file_creates_all_units_with_audit_rows(world, client, worker):
    before = Organization.objects.count()
    rows = [good_row(1), good_row(2), good_row(3)]

    response = post_file(client, workbook(rows))

    assert response.status_code == 302
    assert response.url == reverse("organizations:organization-list")
    assert Organization.objects.count() == before + 3
    for row in rows:
        unit = Organization.objects.get(uscc=row["uscc"])
        assert unit.name == row["name"]
        assert unit.township == world.township_a
        assert unit.kind == "enterprise" and unit.sub_kind == "limited_company" and unit.industry == "C"
        assert unit.employee_count == row["employee_count"]
        assert unit.established_on == datetime.date(2018, 5, 20)
        assert unit.status == "operating"
        created = unit.history.get(history_type="+")
        assert created.history_user == worker
        assert created.history_change_reason == "Excel导入"


def test_success_message_counts_created_units(client):
    response = post_file(client, workbook([good_row(1), good_row(2), good_row(3)]), follow=True)

    assert "导入成功：新增 3 个，更新 0 个" in response.content.decode()


def test_importing_the_same_file_again_updates_instead_of_duplicating(client, worker):
    rows = [good_row(1), good_row(2), good_row(3)]
    post_file(client, workbook(rows))
    count = Organization.objects.count()

    rows[1]["employee_count"] = 999
    response = post_file(client, workbook(rows), follow=True)

    assert "导入成功：新增 0 个，更新 3 个" in response.content.decode()
    assert Organization.objects.count() == count
    unit = Organization.objects.get(uscc=rows[1]["uscc"])
    assert unit.employee_count == 999
    latest = unit.history.order_by("-history_date", "-history_id").first()
    assert latest.history_type == "~"
    assert latest.history_user == worker
    assert latest.history_change_reason == "Excel导入"
    assert latest.prev_record.employee_count == 102


def test_lower_case_credit_code_is_stored_upper_case(client):
    first17 = "91330100MA2B3C4D5"
    code = first17 + uscc_standard.calc_check_digit(first17)

    response = post_file(client, workbook([good_row(1, uscc=code.lower())]))

    assert response.status_code == 302
    assert Organization.objects.filter(uscc=code).exists()
    assert not Organization.objects.filter(uscc=code.lower()).exists()


def test_lower_case_code_of_a_registered_unit_updates_it(world, client):
    own = world.obj("organization", "own")
    count = Organization.objects.count()

    response = post_file(client, workbook([good_row(1, uscc=own.uscc.lower(), name="改名后的单位")]))

    assert response.status_code == 302
    assert Organization.objects.count() == count
    own.refresh_from_db()
    assert own.name == "改名后的单位"


def test_township_by_code_community_and_boolean_cells(world, client):
    from tests.factories import CommunityFactory

    community = CommunityFactory(parent=world.township_a, name="幸福社区")
    row = good_row(1, township=world.township_a.code, community="幸福社区", representative_is_member=True,
                   established_on=datetime.datetime(2019, 3, 1), kind="企业")

    response = post_file(client, workbook([row]))

    assert response.status_code == 302, response.context and response.context["report"].errors
    unit = Organization.objects.get(uscc=row["uscc"])
    assert unit.township == world.township_a
    assert unit.community == community
    assert unit.representative_is_member is True
    assert unit.established_on == datetime.date(2019, 3, 1)


def test_excel_false_boolean_cell_is_accepted(client):
    row = good_row(1, representative_is_member=False)

    response = post_file(client, workbook([row]))

    assert response.status_code == 302
    assert Organization.objects.get(uscc=row["uscc"]).representative_is_member is False


# ---- a file with one bad row: nothing is saved --------------------------------------------

BAD_ROWS = {
    "wrong_check_character": (
        lambda w: {"uscc": make_uscc(700003)[:-1] + ("0" if make_uscc(700003)[-1] != "0" else "1")},
        "统一社会信用代码", "校验位错误"),
    "missing_required_cell": (lambda w: {"name": None}, "单位名称", "必填项"),
    "unknown_kind": (lambda w: {"kind": "国有企业"}, "组织类别", "可选值"),
    "non_integer_employees": (lambda w: {"employee_count": "很多"}, "从业人员数", "应为整数"),
    "fractional_employees": (lambda w: {"employee_count": 12.5}, "从业人员数", "整数"),
    "negative_employees": (lambda w: {"employee_count": -4}, "从业人员数", "不小于0"),
    "infinite_employees": (lambda w: {"employee_count": "inf"}, "从业人员数", "整数"),
    "bad_date": (lambda w: {"established_on": "2020-13-45"}, "成立日期", "日期格式"),
    "bad_boolean": (lambda w: {"representative_is_member": "也许"}, "出资人是否党员", "是"),
    "foreign_township": (lambda w: {"township": w.township_b.name}, "所属乡镇（街道）", "不在您的管理范围内"),
    "unknown_township": (lambda w: {"township": "不存在镇"}, "所属乡镇（街道）", "找不到"),
    "sub_kind_not_of_kind": (lambda w: {"kind": "社会组织", "sub_kind": "有限责任公司"}, "具体类型", "不属于"),
    "dissolved_before_established": (
        lambda w: {"established_on": "2020-01-01", "dissolved_on": "2019-06-30", "status": "注销（撤销）"},
        "注销日期", "注销日期不能早于成立日期"),
    "members_exceed_employees": (
        lambda w: {"employee_count": 5, "party_member_count": 9}, "党员人数", "不能多于从业人员数"),
}


@pytest.mark.parametrize("case", BAD_ROWS.keys())
def test_one_bad_row_saves_nothing_and_lists_the_error(world, client, case):
    make_overrides, column, fragment = BAD_ROWS[case]
    rows = [good_row(1), good_row(3, **make_overrides(world)), good_row(2)]
    before = set(Organization.objects.values_list("pk", flat=True))

    response = post_file(client, workbook(rows))

    assert response.status_code == 200
    assert set(Organization.objects.values_list("pk", flat=True)) == before
    content = response.content.decode()
    assert "未导入任何数据" in content
    errors = listed_errors(response)
    assert errors, content
    assert all(row == 3 for row, *_ in errors), errors
    matching = [e for e in errors if e[1] == column and fragment in e[3]]
    assert matching, errors
    assert all(CJK.search(message) for *_, message in errors)


def test_duplicate_credit_code_within_the_file(world, client):
    rows = [good_row(1), good_row(2), good_row(3, uscc=good_row(1)["uscc"])]
    count = Organization.objects.count()

    response = post_file(client, workbook(rows))

    assert Organization.objects.count() == count
    errors = listed_errors(response)
    assert [(row, column) for row, column, _, _ in errors] == [(4, "统一社会信用代码")]
    assert "与第2行重复" in errors[0][3]


def test_duplicate_credit_code_differing_only_in_case(world, client):
    first17 = "91330100MA2B3C4D5"
    code = first17 + uscc_standard.calc_check_digit(first17)
    rows = [good_row(1, uscc=code), good_row(2, uscc=code.lower())]

    response = post_file(client, workbook(rows))

    assert not Organization.objects.filter(uscc=code).exists()
    errors = listed_errors(response)
    assert [(row, column) for row, column, _, _ in errors] == [(3, "统一社会信用代码")]


def test_several_bad_rows_are_all_listed(world, client):
    rows = [good_row(1, employee_count="x"), good_row(2), good_row(3, kind="国企", established_on="昨天")]
    count = Organization.objects.count()

    response = post_file(client, workbook(rows))

    assert Organization.objects.count() == count
    located = {(row, column) for row, column, _, _ in listed_errors(response)}
    assert located == {(2, "从业人员数"), (4, "组织类别"), (4, "成立日期")}
    assert "文件有 3 处错误" in response.content.decode()


def test_credit_code_of_a_unit_in_another_township_is_refused(world, client):
    foreign = world.obj("organization", "foreign")
    snapshot = Organization.objects.filter(pk=foreign.pk).values().get()
    rows = [good_row(1), good_row(2, uscc=foreign.uscc, name="冒名单位"), good_row(3)]
    count = Organization.objects.count()

    response = post_file(client, workbook(rows))

    assert Organization.objects.count() == count
    errors = listed_errors(response)
    assert [(row, column) for row, column, _, _ in errors] == [(3, "统一社会信用代码")]
    assert "无权修改" in errors[0][3]
    assert Organization.objects.filter(pk=foreign.pk).values().get() == snapshot


def test_missing_required_header_column(world, client):
    headers = [h for h in HEADERS if h != "组织类别"]
    count = Organization.objects.count()

    response = post_file(client, workbook([good_row(1)], headers=headers))

    assert response.status_code == 200
    assert Organization.objects.count() == count
    errors = listed_errors(response)
    assert [(row, column) for row, column, _, _ in errors] == [(1, "组织类别")]
    assert "缺少该列" in errors[0][3]


def test_optional_columns_may_be_left_out(client):
    required = [c.header for c in COLUMNS if c.required]
    row = good_row(1)

    response = post_file(client, workbook([row], headers=required))

    assert response.status_code == 302
    unit = Organization.objects.get(uscc=row["uscc"])
    assert unit.employee_count == 0 and unit.status == "operating" and unit.established_on is None


def test_file_with_only_headers(world, client):
    count = Organization.objects.count()

    response = post_file(client, workbook([]))

    assert response.status_code == 200
    assert Organization.objects.count() == count
    errors = listed_errors(response)
    assert len(errors) == 1 and "没有数据行" in errors[0][3]


def test_blank_rows_are_skipped_and_row_numbers_stay_true(world, client):
    rows = [good_row(1), {}, good_row(2, employee_count="abc")]

    response = post_file(client, workbook(rows))

    assert [(row, column) for row, column, _, _ in listed_errors(response)] == [(4, "从业人员数")]


@pytest.mark.parametrize("name, payload, fragment", [
    ("units.txt", "单位名称,统一社会信用代码\n".encode(), "请上传 .xlsx 格式"),
    ("units.xlsx", b"\x00\x01 this is not a workbook \xff" * 20, "无法读取文件"),
    ("units.csv", b"a,b,c\n", "请上传 .xlsx 格式"),
])
def test_non_xlsx_upload_gives_a_chinese_form_error(world, client, name, payload, fragment):
    count = Organization.objects.count()

    response = post_file(client, SimpleUploadedFile(name, payload))

    assert response.status_code == 200
    assert Organization.objects.count() == count
    errors = response.context["form"].errors["file"]
    assert any(fragment in e for e in errors)
    assert fragment in response.content.decode()


def test_missing_file_is_a_form_error(client):
    response = client.post(reverse(IMPORT_URL), {"csrfmiddlewaretoken": "browser-sends-one"})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]


# ---- roles that may not register ----------------------------------------------------------

@pytest.mark.parametrize("role", [Role.AUDITOR, Role.INSTRUCTOR, Role.SECRETARY])
def test_roles_that_may_not_register_get_403_and_nothing_is_saved(world, role):
    client = world.client_for(role)
    count = Organization.objects.count()

    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert client.get(reverse(TEMPLATE_URL)).status_code == 403
    response = post_file(client, workbook([good_row(1), good_row(2)]))

    assert response.status_code == 403
    assert Organization.objects.count() == count


def test_county_admin_may_import_into_any_township(world):
    client = world.client_for(Role.COUNTY_ADMIN)
    rows = [good_row(1), good_row(2, township="乙镇")]

    response = post_file(client, workbook(rows))

    assert response.status_code == 302
    assert Organization.objects.get(uscc=rows[1]["uscc"]).township == world.township_b


def test_filled_in_template_round_trips(world, client):
    book = load_workbook(BytesIO(client.get(reverse(TEMPLATE_URL)).content))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)  # the example row
    row = good_row(1)
    header_to_field = {c.header: c.field for c in COLUMNS}
    sheet.append([row.get(header_to_field[cell.value]) for cell in sheet[1]])
    buffer = BytesIO()
    book.save(buffer)

    response = post_file(client, SimpleUploadedFile("模板.xlsx", buffer.getvalue()))

    assert response.status_code == 302
    assert Organization.objects.filter(uscc=row["uscc"], township=world.township_a).exists()


def test_unchanged_template_is_rejected_because_of_the_example_row(world, client):
    content = client.get(reverse(TEMPLATE_URL)).content
    count = Organization.objects.count()

    response = post_file(client, SimpleUploadedFile("模板.xlsx", content))

    assert response.status_code == 200
    assert Organization.objects.count() == count
    columns = {column for row, column, _, _ in listed_errors(response) if row == 2}
    assert columns == {"统一社会信用代码", "所属乡镇（街道）"}


def test_bad_credit_code_is_listed_together_with_other_errors_of_its_row(world, client):
    row = good_row(1, uscc=make_uscc(700001)[:-1] + "I", employee_count="x")

    response = post_file(client, workbook([row]))

    errors = {column: message for _, column, _, message in listed_errors(response)}
    assert set(errors) == {"统一社会信用代码", "从业人员数"}
    assert "不含I、O、Z、S、V" in errors["统一社会信用代码"]


def test_community_name_shared_by_two_townships_resolves_to_the_rows_township(world):
    from tests.factories import CommunityFactory

    CommunityFactory(parent=world.township_a, name="新村")
    village_b = CommunityFactory(parent=world.township_b, name="新村")
    row = good_row(1, township="乙镇", community="新村")

    response = post_file(world.client_for(Role.COUNTY_ADMIN), workbook([row]))

    assert response.status_code == 302
    assert Organization.objects.get(uscc=row["uscc"]).community == village_b


def test_community_of_another_township_is_an_error(world):
    from tests.factories import CommunityFactory

    CommunityFactory(parent=world.township_b, name="和平村")
    row = good_row(1, township="甲镇", community="和平村")

    response = post_file(world.client_for(Role.COUNTY_ADMIN), workbook([row]))

    errors = listed_errors(response)
    assert [(r, c) for r, c, _, _ in errors] == [(2, "所在村（社区）")]
    assert "不属于所选乡镇" in errors[0][3]


def test_community_outside_the_workers_townships_is_not_found(world, client):
    from tests.factories import CommunityFactory

    CommunityFactory(parent=world.township_b, name="和平村")

    response = post_file(client, workbook([good_row(1, community="和平村")]))

    errors = listed_errors(response)
    assert [(r, c) for r, c, _, _ in errors] == [(2, "所在村（社区）")]
    assert "找不到该村（社区）" in errors[0][3]
