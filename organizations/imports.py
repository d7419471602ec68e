"""XLSX import of units (两新组织), all or nothing.

The whole file is checked first — headers, every cell, scope, model rules, duplicate
codes inside the file.  If any row is bad nothing is saved and the user gets every
error by row and column.  A clean file is saved in one transaction through the same
service functions the pages use; a unit already registered (same credit code) is
updated, so importing a file twice creates no duplicates.
"""
import copy
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.scoping import require_may_register
from config.spreadsheets import read_rows

from . import services
from .choices import Industry, OrganizationKind, OrganizationStatus, SubKind
from .models import Area, Organization
from .validators import normalize_uscc, validate_uscc


@dataclass(frozen=True)
class ImportColumn:
    header: str
    field: str
    required: bool = False
    kind: str = "text"          # text, uscc, int, bool, date, choice, township, community
    choices: tuple = ()
    example: object = ""


COLUMNS = [
    ImportColumn("单位名称", "name", True, example="示例科技有限公司"),
    ImportColumn("统一社会信用代码", "uscc", True, "uscc", example="91330100MA2XXXXXXX"),
    ImportColumn("组织类别", "kind", True, "choice", tuple(OrganizationKind.choices), "非公有制企业"),
    ImportColumn("具体类型", "sub_kind", True, "choice", tuple(SubKind.choices), "有限责任公司"),
    ImportColumn("所属行业", "industry", True, "choice", tuple(Industry.choices), "制造业"),
    ImportColumn("所属乡镇（街道）", "township", True, "township", example="（乡镇名称或12位区划代码）"),
    ImportColumn("所在村（社区）", "community", False, "community"),
    ImportColumn("地址", "address"),
    ImportColumn("从业人员数", "employee_count", False, "int", example=120),
    ImportColumn("党员人数", "party_member_count", False, "int", example=3),
    ImportColumn("出资人（负责人）或法定代表人", "legal_representative"),
    ImportColumn("出资人是否党员", "representative_is_member", False, "bool", example="否"),
    ImportColumn("成立日期", "established_on", False, "date", example="2018-05-20"),
    ImportColumn("注销日期", "dissolved_on", False, "date"),
    ImportColumn("状态", "status", False, "choice", tuple(OrganizationStatus.choices), "存续"),
]
HEADERS = {c.header: c for c in COLUMNS}
FIELD_HEADERS = {c.field: c.header for c in COLUMNS}
TRUE_WORDS, FALSE_WORDS = {"是", "Y", "y", "1", "TRUE", "true", "√"}, {"否", "N", "n", "0", "FALSE", "false", ""}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class CellError(ValueError):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse(column: ImportColumn, raw, townships: dict, communities: dict, township=None):
    """One cell → its field value; ``township`` is the row's township (if already parsed),
    which resolves a community name that several townships share."""
    text = _text(raw)
    if not text:
        if column.required:
            raise CellError("必填项，不能为空。")
        return {"int": 0, "bool": False, "date": None, "community": None}.get(column.kind,
                                                                               "" if column.kind == "text" else None)
    if column.kind == "text":
        return text
    if column.kind == "uscc":
        # Checked with the other cells, so a bad code is listed even when the row
        # has other errors (the model check below only runs on otherwise clean rows).
        code = normalize_uscc(text)
        try:
            validate_uscc(code)
        except ValidationError as error:
            raise CellError(error.messages[0])
        return code
    if column.kind == "int":
        try:
            number = int(float(text))
        except (ValueError, OverflowError):  # "abc", "nan", "inf", "1e999"
            raise CellError("应为整数。")
        if number < 0 or number != float(text):
            raise CellError("应为不小于0的整数。")
        return number
    if column.kind == "bool":
        if isinstance(raw, bool):  # an Excel TRUE/FALSE cell
            return raw
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise CellError("请填写“是”或“否”。")
    if column.kind == "date":
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise CellError("日期格式应为 2020-01-31。")
    if column.kind == "choice":
        for value, label in column.choices:
            if text in (value, label) or (column.field == "kind" and text == label.replace("非公有制", "")):
                return value
        raise CellError("可选值：" + "、".join(label for _, label in column.choices) + "。")
    if column.kind == "township":
        area = townships.get(text)
        if area is None:
            raise CellError("找不到该乡镇（街道），或不在您的管理范围内。")
        return area
    if column.kind == "community":
        candidates = communities.get(text, [])
        if not candidates:
            raise CellError("找不到该村（社区）。")
        # Community names repeat across townships (新村, 城东社区…): take the one in the
        # row's township; otherwise the model check reports the mismatch.
        in_township = [a for a in candidates if township is not None and a.parent_id == township.pk]
        return (in_township or candidates)[0]
    raise AssertionError(column.kind)


def _by_name_and_code(areas) -> dict:
    lookup = {}
    for area in areas:
        lookup[area.code] = area
        lookup.setdefault(area.name, area)
    return lookup


def _all_by_name_and_code(areas) -> dict:
    """Like ``_by_name_and_code`` but keeps every area of a name (a list per key)."""
    lookup = {}
    for area in areas:
        lookup.setdefault(area.code, []).append(area)
        if area.name != area.code:
            lookup.setdefault(area.name, []).append(area)
    return lookup


def check_rows(records, *, by) -> tuple[ImportReport, list[tuple[Organization | None, dict]]]:
    """Validate every row without saving.  Returns the report and, for a clean file,
    the (existing unit or None, data) pairs to save."""
    report = ImportReport(rows=len(records))
    townships = _by_name_and_code(Area.objects.assignable_by(by))
    communities = _all_by_name_and_code(
        Area.objects.filter(level="community", parent__in=set(townships.values())).order_by("code"))
    codes = [normalize_uscc(_text(values.get("统一社会信用代码"))) for _, values in records]
    existing = {o.uscc: o for o in Organization.objects.filter(uscc__in=[c for c in codes if c])}
    editable = set(Organization.objects.editable_by(by).filter(pk__in=[o.pk for o in existing.values()])
                   .values_list("pk", flat=True))
    seen: dict[str, int] = {}
    plan = []
    for number, values in records:
        errors_before = len(report.errors)
        data = {}
        for column in COLUMNS:
            try:
                data[column.field] = _parse(column, values.get(column.header), townships, communities,
                                            township=data.get("township"))
            except CellError as error:
                report.errors.append(RowError(number, column.header, _text(values.get(column.header)), str(error)))
        uscc = normalize_uscc(data.get("uscc", ""))
        data["uscc"] = uscc
        if uscc and uscc in seen:
            report.errors.append(RowError(number, "统一社会信用代码", uscc, f"与第{seen[uscc]}行重复。"))
        seen.setdefault(uscc, number)
        current = existing.get(uscc)
        if current is not None and current.pk not in editable:
            report.errors.append(RowError(number, "统一社会信用代码", uscc, "该单位已由其他乡镇（街道）登记，您无权修改。"))
        if not data.get("status"):
            data["status"] = OrganizationStatus.OPERATING
        if len(report.errors) == errors_before:
            _check_model(number, current, data, values, report)
        plan.append((current, data))
    return report, plan


def _check_model(number, current, data, values, report):
    if current is None:
        candidate = Organization(**data)
    else:
        # A copy of the registered unit (not a new instance carrying its pk): only then
        # does full_clean's uniqueness check treat the row as an update of that unit.
        candidate = copy.copy(current)
        for name, value in data.items():
            setattr(candidate, name, value)
    try:
        candidate.full_clean()
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            header = FIELD_HEADERS.get(field_name, "")
            for message in messages:
                report.errors.append(RowError(number, header, _text(values.get(header)), message))


def import_organizations(uploaded, *, by) -> ImportReport:
    require_may_register(by)
    headers, records = read_rows(uploaded)
    missing = [c.header for c in COLUMNS if c.required and c.header not in headers]
    if missing:
        return ImportReport(errors=[RowError(1, h, "", "缺少该列，请使用导入模板。") for h in missing])
    if not records:
        return ImportReport(errors=[RowError(2, "", "", "文件中没有数据行。")])
    report, plan = check_rows(records, by=by)
    if not report.ok:
        return report
    with transaction.atomic():
        for current, data in plan:
            if current is None:
                services.register_organization(by=by, data=data, reason="Excel导入")
                report.created += 1
            else:
                services.update_organization(organization=current, by=by, data=data, reason="Excel导入")
                report.updated += 1
    return report


def template_sheets(*, user):
    """The import template: the header row with an example, and the allowed values."""
    example = [c.example for c in COLUMNS]
    townships = [[a.name, a.code] for a in Area.objects.assignable_by(user)]
    notes = [[c.header, "是" if c.required else "否",
              "、".join(label for _, label in c.choices) if c.choices else {
                  "uscc": "18位统一社会信用代码", "int": "整数", "bool": "是/否", "date": "日期，如 2020-01-31",
                  "township": "乡镇（街道）名称或区划代码，见“乡镇（街道）”表",
                  "community": "村（社区）名称或区划代码"}.get(c.kind, "文字")] for c in COLUMNS]
    return [
        ("两新组织", [c.header for c in COLUMNS], [example]),
        ("填写说明", ["列名", "必填", "填写要求"], notes),
        ("乡镇（街道）", ["名称", "区划代码"], townships),
    ]
