"""XLSX import of people with their development dossiers, all or nothing.

For counties moving from spreadsheets: one row per person and dossier — the person,
the developing party organization, the date of every step taken so far and the data
those steps need.  The columns come from the current rule set: one date column per
step ("递交入党申请书日期", …) and one column per field a step asks for
("党组织派人谈话：谈话人", …), so a revised rule set gives a revised template.

The whole file is checked before anything is saved: every cell, the ID number (the
model's GB 11643 check), the party organization and the unit against the importer's
scope, and each row's steps in date order **by the procedure engine itself**
(:func:`members.procedure.check` on facts built in memory, as ``take_step`` would
build them).  A row stops at its first refused step, with the engine's Chinese
reasons under that step's column.  If any row is bad nothing is saved.

A clean file is saved in one transaction through the services pages use
(``register_person``, ``start_dossier``, ``take_step``, the political-review
services).  The quota gates run there: ``上级党委预审`` and ``上级党委审批`` need a seat in
an issued plan of their year ("无计划不发展").  A gate's refusal — e.g. a historical
approval in a year the system holds no plan for — is reported as that row's error and
the whole file is rolled back; the importer then imports such people only up to the
stage before, or asks the county to enter that year's plan first (see 填写说明).
A person already registered (same ID number) is reused, not changed; one with a
dossier still open is refused, so importing a file twice creates no duplicates.
"""
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from accounts.scoping import require_may_register
from config.errors import DomainError
from config.spreadsheets import read_rows
from organizations.imports import CellError, RowError
from organizations.models import Organization, PartyOrganization
from organizations.validators import normalize_uscc

from . import procedure, reviews, services
from .choices import ETHNICITIES, Education, Occupation, Sex
from .facts import DossierFacts, PersonFact, ReviewSideFact, StepFact
from .facts_loader import approver_fact, working_calendar
from .models import Attendance, CourseKind, Dossier, Person, ReviewSide, RuleSetVersion
from .rules import CHOICES

IMPORT_NOTE = "Excel导入"
# Imported history comes without scans: every step is recorded as 补录 (documents to be
# uploaded afterwards); the archive step still needs them all (members.materials).
IMPORT_BACKFILL = "批量导入的历史办理记录，材料待补传"
SEPARATORS = re.compile(r"[；;、,，\n]+")
TRUE_WORDS, FALSE_WORDS = {"是", "Y", "y", "1", "TRUE", "true", "√"}, {"否", "N", "n", "0", "FALSE", "false", ""}
# Text a step needs that old spreadsheets rarely kept; an empty cell takes this value.
DEFAULTS = {("activist_review", "conclusion"): "合格", ("probation_review", "conclusion"): "合格",
            ("political_review", "conclusion"): "政治审查合格"}
REVIEW_SIDES = [(ReviewSide.RESIDENCE, "户籍所在地"), (ReviewSide.EMPLOYER, "工作单位")]
# The template's example row (a person applying, talked to and designated an activist).
STEP_EXAMPLES = {"apply": "2024-01-10", "first_talk": "2024-01-25", ("first_talk", "talker"): "李书记",
                 "designate_activist": "2024-04-01", ("designate_activist", "source"): "共青团推优"}
FIELD_KIND_NOTES = {
    "text": "文字", "int": "不小于0的整数", "decimal": "数字", "date": "日期，如 2024-05-07",
    "persons": "已登记的正式党员的身份证号，多人用“、”分隔", "party_org": "党组织名称（一般留空，由系统按上级党委确定）",
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str                   # person fields, party_org, step_date, step_field, review_sent, review_replied
    required: bool = False
    name: str = ""              # person field / step field name
    step: str = ""              # step code for step columns
    spec: dict | None = None    # the rule set's field spec (step_field)
    side: str = ""              # review side
    note: str = ""
    example: object = ""


PERSON_COLUMNS = [
    Column("姓名", "text", True, "name", note="文字", example="张三"),
    Column("公民身份号码", "id_number", True, "id_number", note="18位，末位可为X；出生日期和性别按号码确定",
           example="110101199506150013"),
    Column("性别", "sex", False, "sex", note="男、女（可留空，按身份证号确定）", example="男"),
    Column("民族", "ethnicity", False, "ethnicity", note="如 汉族（留空为汉族）", example="汉族"),
    Column("联系电话", "text", False, "phone", note="文字", example="13800000000"),
    Column("学历", "education", True, "education", note="、".join(Education.labels), example="大学本科"),
    Column("职业类别", "occupation", False, "occupation",
           note="、".join(Occupation.labels) + "（留空为生产经营一线职工）", example="技术骨干"),
    Column("户籍所在地", "text", False, "household_registration", note="文字", example="浙江省清溪县城关街道"),
    Column("是否流动人员", "bool", False, "is_migrant", note="是/否（户籍不在本县的为是，须双方政审）", example="否"),
    Column("现工作单位", "unit", False, "current_unit", note="统一社会信用代码或单位全称（须在您的管理范围内）"),
    Column("发展党组织", "party_org", True, "party_org", note="党组织全称，见“发展党组织”表"),
]


def columns_for(rules) -> list[Column]:
    """Every column of the template, in order, for ``rules`` (a procedure.RuleSet)."""
    columns = list(PERSON_COLUMNS)
    for step in rules.steps:
        if step.code == "political_review":
            for side, label in REVIEW_SIDES:
                columns += [
                    Column(f"{label}政审发函日期", "review_sent", side=side,
                           note="日期（可留空，按回函日期登记）"),
                    Column(f"{label}政审回函日期", "review_replied", side=side,
                           note="日期；回函即结论合格（流动人员须两方都有回函）"),
                ]
        several = "，可填多个日期，用“；”分隔" if step.repeatable else ""
        columns.append(Column(f"{step.label}日期", "step_date", step.code == "apply", step=step.code,
                              note=f"日期{several}", example=STEP_EXAMPLES.get(step.code, "")))
        for spec in step.fields:
            suffix = {"persons": "（身份证号）", "party_org": "（名称）"}.get(spec["type"], "")
            default = DEFAULTS.get((step.code, spec["name"]))
            if spec["type"] == "choice":
                note = "、".join(CHOICES[spec["choices"]].values())
            else:
                note = FIELD_KIND_NOTES.get(spec["type"], "文字")
            if spec.get("required"):
                note += f"；办理该步骤必填{'（留空为“' + default + '”）' if default else ''}"
            if step.repeatable:
                note += "；多次办理时可按日期顺序用“；”分隔"
            columns.append(Column(f"{step.label}：{spec['label']}{suffix}", "step_field", name=spec["name"],
                                  step=step.code, spec=dict(spec), note=note,
                                  example=STEP_EXAMPLES.get((step.code, spec["name"]), "")))
    return columns


@dataclass
class ImportReport:
    rows: int = 0
    people_created: int = 0
    dossiers_created: int = 0
    steps_taken: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Event:
    """One thing to record, in date order: a step, or a political-review letter/reply."""

    on: datetime.date
    rank: int
    kind: str                 # step, review_sent, review_replied
    column: str
    code: str = ""
    data: dict = field(default_factory=dict)
    side: str = ""


@dataclass
class RowPlan:
    number: int
    person_data: dict
    party_org: PartyOrganization | None
    events: list[Event]
    existing: Person | None = None
    clean: bool = True


# ---- cells -----------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def _date(raw) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = _text(raw)
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError("日期格式应为 2020-01-31。")


def _dates(raw) -> list[datetime.date]:
    if isinstance(raw, (datetime.date, datetime.datetime)):
        return [_date(raw)]
    return [_date(part) for part in SEPARATORS.split(_text(raw)) if part.strip()]


def _choice(text: str, choices) -> str:
    for value, label in choices:
        if text in (value, label):
            return value
    raise CellError("可选值：" + "、".join(label for _, label in choices) + "。")


def _id_number(text: str) -> str:
    number = text.replace(" ", "").upper()
    try:
        ric.validate(number)
    except stdnum_errors.InvalidLength:
        raise CellError("公民身份号码应为18位。")
    except stdnum_errors.InvalidChecksum:
        raise CellError("公民身份号码校验位错误，请核对。")
    except (stdnum_errors.ValidationError, KeyError):
        # python-stdnum raises KeyError for some unknown place codes (e.g. 331128).
        raise CellError("公民身份号码格式不正确（出生日期、地址码或字符有误）。")
    return number


class _Lookups:
    """What cells refer to, read once per file and only inside the importer's scope."""

    def __init__(self, by, records):
        self.units = list(Organization.objects.visible_to(by).only("id", "name", "uscc"))
        self.party_orgs = list(PartyOrganization.objects.visible_to(by).select_related("area", "parent"))
        self.editable_party_orgs = set(PartyOrganization.objects.editable_by(by).values_list("pk", flat=True))
        numbers = set()
        for _, values in records:
            for header, value in values.items():
                if header and header.endswith("（身份证号）"):
                    numbers.update(p.strip().upper() for p in SEPARATORS.split(_text(value)) if p.strip())
        self.members = {p.id_number: p for p in Person.objects.visible_to(by).filter(id_number__in=numbers)}

    def unit(self, text: str) -> Organization:
        code = normalize_uscc(text)
        found = [u for u in self.units if u.uscc == code] or [u for u in self.units if u.name == text]
        if not found:
            raise CellError("找不到该单位，或不在您的管理范围内（请填写统一社会信用代码或单位全称）。")
        return found[0]

    def party_org(self, text: str, *, editable: bool) -> PartyOrganization:
        found = [p for p in self.party_orgs if p.name == text]
        if not found:
            raise CellError("找不到该党组织，或不在您的管理范围内。")
        if editable and found[0].pk not in self.editable_party_orgs:
            raise CellError("该党组织不在您可以办理的范围内（只读）。")
        return found[0]


def _field_value(spec: dict, text: str, lookups: _Lookups):
    """A step field's cell → the value ``take_step`` takes."""
    kind = spec["type"]
    if kind == "choice":
        return _choice(text, list(CHOICES[spec["choices"]].items()))
    if kind == "persons":
        ids = []
        for number in (p.strip().upper() for p in SEPARATORS.split(text) if p.strip()):
            person = lookups.members.get(number)
            if person is None:
                raise CellError(f"找不到身份证号为{number}的人员，或不在您的管理范围内（须为已登记的正式党员）。")
            ids.append(person.pk)
        return ids
    if kind == "party_org":
        return lookups.party_org(text, editable=False).pk
    if kind == "date":
        return _date(text).isoformat()
    if kind == "int":
        try:
            number = float(text)
        except ValueError:
            raise CellError("应为不小于0的整数。")
        if number < 0 or not number.is_integer():
            raise CellError("应为不小于0的整数。")
        return int(number)
    if kind == "decimal":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError("应为数字。")
        if not number.is_finite() or number < 0:
            raise CellError("应为不小于0的数字。")
        return str(number)
    return text


# ---- a row → what to record ----------------------------------------------------------

PERSON_DEFAULTS = {"ethnicity": "汉族", "occupation": Occupation.FRONT_LINE, "is_migrant": False, "sex": None,
                   "current_unit": None, "party_org": None}


def _person_cell(column: Column, raw, lookups: _Lookups):
    text = _text(raw)
    if not text:
        if column.required:
            raise CellError("必填项，不能为空。")
        return PERSON_DEFAULTS.get(column.name, "")
    if column.kind == "id_number":
        return _id_number(text)
    if column.kind == "sex":
        return _choice(text, Sex.choices)
    if column.kind == "ethnicity":
        if text not in ETHNICITIES:
            raise CellError("请填写民族全称，如 汉族、畲族。")
        return text
    if column.kind == "education":
        return _choice(text, Education.choices)
    if column.kind == "occupation":
        return _choice(text, Occupation.choices)
    if column.kind == "bool":
        if isinstance(raw, bool):
            return raw
        if text in TRUE_WORDS or text in FALSE_WORDS:
            return text in TRUE_WORDS
        raise CellError("请填写“是”或“否”。")
    if column.kind == "unit":
        return lookups.unit(text)
    if column.kind == "party_org":
        return lookups.party_org(text, editable=True)
    return text


def _plan_row(number: int, values: dict, columns: list[Column], rules, lookups: _Lookups,
              errors: list[RowError]) -> RowPlan:
    def fail(column: Column, message: str):
        errors.append(RowError(number, column.header, _text(values.get(column.header)), message))

    person, party_org = {}, None
    for column in columns[:len(PERSON_COLUMNS)]:
        try:
            value = _person_cell(column, values.get(column.header), lookups)
        except CellError as error:
            fail(column, str(error))
            continue
        if column.name == "party_org":
            party_org = value
        else:
            person[column.name] = value
    if person.get("id_number"):
        person["birth_date"] = ric.get_birth_date(person["id_number"])
        person["sex"] = person.get("sex") or (Sex.MALE if int(person["id_number"][16]) % 2 else Sex.FEMALE)

    events, step_dates, reviews_of = [], {}, {}
    order = {s.code: s.order for s in rules.steps}
    for column in columns[len(PERSON_COLUMNS):]:
        raw = values.get(column.header)
        if column.kind == "step_date":
            try:
                dates = _dates(raw) if _text(raw) else []
            except CellError as error:
                fail(column, str(error))
                dates = None
            if dates == [] and column.required:
                fail(column, "必填项，不能为空。")
            step = rules.step(column.step)
            if dates and len(dates) > 1 and not step.repeatable:
                fail(column, f"“{step.label}”只办理一次，只能填一个日期。")
                dates = None
            step_dates[column.step] = dates
            for on in dates or ():
                events.append(Event(on, order[column.step] * 10, "step", column.header, column.step, {}))
        elif column.kind == "step_field":
            _fill_field(column, raw, step_dates.get(column.step), events, lookups, fail)
        else:
            try:
                reviews_of.setdefault(column.side, {})[column.kind] = (_date(raw) if _text(raw) else None, column)
            except CellError as error:
                fail(column, str(error))
    for side, parts in reviews_of.items():
        sent, sent_column = parts.get("review_sent", (None, None))
        replied, replied_column = parts.get("review_replied", (None, None))
        if sent and replied and replied < sent:
            fail(replied_column, "回函日期不能早于发函日期。")
            continue
        if sent or replied:
            # After the activist's designation on the same day, before the review step.
            events.append(Event(sent or replied, order["designate_activist"] * 10 + 5, "review_sent",
                                (sent_column if sent else replied_column).header, side=side))
        if replied:
            events.append(Event(replied, order["political_review"] * 10 - 5, "review_replied",
                                replied_column.header, side=side))
    events.sort(key=lambda e: (e.on, e.rank))
    return RowPlan(number, person, party_org, events)


def _fill_field(column: Column, raw, dates, events: list[Event], lookups: _Lookups, fail) -> None:
    """Put a step field's value(s) on that step's events (one per date when repeated)."""
    spec, text = column.spec, _text(raw)
    own = [e for e in events if e.kind == "step" and e.code == column.step]
    if not text:
        default = DEFAULTS.get((column.step, column.name))
        if default:
            for event in own:
                event.data[column.name] = default
        elif own and spec.get("required"):
            fail(column, "已填写该步骤的日期，此项必填。")
        return
    if dates is None:
        return   # the date cell is wrong already
    if not own:
        fail(column, "未填写该步骤的办理日期。")
        return
    parts = [p.strip() for p in re.split(r"[；;]", text)] if len(own) > 1 else [text]
    if len(parts) not in (1, len(own)):
        fail(column, f"填写了{len(parts)}项，与办理日期的个数（{len(own)}个）不一致。")
        return
    try:
        values = [_field_value(spec, part, lookups) if part else None for part in parts]
    except CellError as error:
        fail(column, str(error))
        return
    for i, event in enumerate(own):
        value = values[i if len(values) > 1 else 0]
        if value is not None:
            event.data[column.name] = value


# ---- the engine, in memory -----------------------------------------------------------

def _judge(plan: RowPlan, rules, lookups: _Lookups, calendar, today, training: dict, errors: list[RowError]) -> None:
    """Each step in date order, as ``take_step`` would judge it; stop at the first no."""
    person = plan.person_data
    records, sides = [], {}
    cultivation_start = None
    approvers = {}
    people = {p.pk: PersonFact(p.pk, p.name, p.membership) for p in lookups.members.values()}
    days, hours = training.get(plan.existing.pk if plan.existing else None, (Decimal(0), Decimal(0)))
    taken = set()
    for event in plan.events:
        if event.kind == "review_sent" and not ("designate_activist" in taken and "admission_approval" not in taken):
            # members.reviews: letters go out between the activist's designation and admission.
            errors.append(RowError(plan.number, event.column, f"{event.on:%Y-%m-%d}",
                                   "政治审查在确定为入党积极分子之后、接收为预备党员之前进行。"))
            return
        if event.kind == "review_replied":
            sides[event.side] = ReviewSideFact(event.side, event.on, True)
            continue
        if event.kind != "step":
            continue
        approved_by = event.data.get("approved_by")
        key = (plan.party_org.pk, approved_by)
        if key not in approvers:
            approvers[key] = approver_fact(plan.party_org, approved_by)
        facts = DossierFacts(
            birth_date=person["birth_date"], is_migrant=bool(person.get("is_migrant")), state="active",
            records=tuple(records), cultivation_start=cultivation_start, review_sides=tuple(sides.values()),
            training_days=days, training_hours=hours, approver=approvers[key], today=today)
        verdict = procedure.check(rules, facts, event.code, event.on, event.data, people=people, calendar=calendar)
        if not verdict.ok:
            errors.append(RowError(plan.number, event.column, f"{event.on:%Y-%m-%d}", verdict.message))
            return
        records.append(StepFact(event.code, event.on, services._jsonable(dict(verdict.data))))
        taken.add(event.code)
        if event.code == "designate_activist" and cultivation_start is None:
            cultivation_start = event.on


def _training(person_ids) -> dict:
    """Concentrated training already on record for people registered before."""
    rows = (Attendance.objects.filter(person_id__in=person_ids, course__kind=CourseKind.CANDIDATE, passed=True)
            .values("person_id").annotate(days=Sum("days"), hours=Sum("hours")))
    return {r["person_id"]: (r["days"] or Decimal(0), r["hours"] or Decimal(0)) for r in rows}


def check_rows(records, *, by, rules) -> tuple[ImportReport, list[RowPlan]]:
    """Validate every row without saving: cells, people, scope, then the engine."""
    report = ImportReport(rows=len(records))
    columns = columns_for(rules)
    lookups = _Lookups(by, records)
    plans, seen = [], {}
    for number, values in records:
        before = len(report.errors)
        plan = _plan_row(number, values, columns, rules, lookups, report.errors)
        plans.append(plan)
        number_ = plan.person_data.get("id_number")
        if number_ and number_ in seen:
            report.errors.append(RowError(number, "公民身份号码", number_, f"与第{seen[number_]}行重复。"))
        elif number_:
            seen[number_] = number
        plan.clean = len(report.errors) == before
    _check_people(plans, by, report.errors)
    clean = [p for p in plans if p.clean]
    dates = [d for p in clean for e in p.events for d in [e.on, *_publicity(e.data)]]
    if dates:
        calendar = working_calendar(min(dates), max(dates))
        today = timezone.localdate()
        training = _training([p.existing.pk for p in clean if p.existing])
        for plan in clean:
            _judge(plan, rules, lookups, calendar, today, training, report.errors)
    report.errors.sort(key=lambda e: e.row)
    return report, plans


def _publicity(data: dict) -> list[datetime.date]:
    return [datetime.date.fromisoformat(data[k]) for k in ("publicity_start", "publicity_end") if data.get(k)]


def _check_people(plans: list[RowPlan], by, errors: list[RowError]) -> None:
    """Registered people are reused (never a second open dossier); new ones pass the model."""
    numbers = [p.person_data["id_number"] for p in plans if p.person_data.get("id_number")]
    existing = {p.id_number: p for p in Person.objects.filter(id_number__in=numbers)}
    visible = set(Person.objects.visible_to(by).filter(id_number__in=numbers).values_list("pk", flat=True))
    open_dossiers = {d.person_id: d for d in Dossier.objects.open().filter(person__id_number__in=numbers)
                     .select_related("party_org")}
    for plan in plans:
        if not plan.clean:
            continue
        data = plan.person_data
        person = existing.get(data["id_number"])
        if person is not None:
            if person.pk not in visible:
                message = "该身份证号已由您管理范围以外的单位登记，请联系县委组织部。"
            elif person.pk in open_dossiers:
                dossier = open_dossiers[person.pk]
                message = (f"{person.name}已有一份正在进行的发展档案（{dossier.party_org}，{dossier.get_stage_display()}），"
                           "不能重复导入。")
            else:
                plan.existing = person
                continue
            errors.append(RowError(plan.number, "公民身份号码", data["id_number"], message))
            plan.clean = False
            continue
        try:
            Person(**data).full_clean(exclude=["id_number"])
        except ValidationError as error:
            headers = {"sex": "性别", "birth_date": "公民身份号码"}
            for name, messages in error.message_dict.items():
                header = headers.get(name) or next((c.header for c in PERSON_COLUMNS if c.name == name), "")
                for message in messages:
                    errors.append(RowError(plan.number, header, "", message))
            plan.clean = False


# ---- saving --------------------------------------------------------------------------------

def _save_row(plan: RowPlan, *, by, rule_set, report: ImportReport) -> None:
    created = plan.existing is None
    steps = [e for e in plan.events if e.kind == "step"]
    first = steps[0]
    current = first
    try:
        person = plan.existing or services.register_person(by=by, data=plan.person_data)
        dossier = services.start_dossier(person=person, party_org=plan.party_org, applied_on=first.on, by=by,
                                         note=IMPORT_NOTE, rule_set=rule_set, backfill_reason=IMPORT_BACKFILL)
        letters = {}
        for event in plan.events:
            if event is first:
                continue
            current = event
            if event.kind == "step":
                services.take_step(dossier=dossier, step=event.code, on=event.on, data=event.data, by=by,
                                   note=IMPORT_NOTE, backfill_reason=IMPORT_BACKFILL)
                report.steps_taken += 1
            elif event.kind == "review_sent":
                addressee = (person.household_registration or "户籍所在地党组织") if event.side == ReviewSide.RESIDENCE \
                    else (person.current_unit.name if person.current_unit_id else "工作单位")
                letters[event.side] = reviews.request_review_side(dossier=dossier, side=event.side,
                                                                  addressee=addressee, on=event.on, by=by)
            else:
                conclusion = next((e.data.get("conclusion") for e in steps if e.code == "political_review"), "")
                reviews.record_review_reply(review=letters[event.side], replied_on=event.on, passed=True,
                                            conclusion=conclusion or DEFAULTS[("political_review", "conclusion")],
                                            by=by)
    except (DomainError, ValidationError, PermissionDenied) as error:
        message = error.message if isinstance(error, DomainError) else "；".join(
            getattr(error, "messages", None) or [str(error)])
        raise _RowRefused(RowError(plan.number, current.column, f"{current.on:%Y-%m-%d}", message))
    report.people_created += created
    report.dossiers_created += 1
    report.steps_taken += 1   # the application


class _RowRefused(Exception):
    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


def import_dossiers(uploaded, *, by) -> ImportReport:
    require_may_register(by)
    rule_set = RuleSetVersion.objects.current()
    rules = rule_set.rules
    headers, records = read_rows(uploaded)
    missing = [c.header for c in columns_for(rules) if c.required and c.header not in headers]
    if missing:
        return ImportReport(errors=[RowError(1, h, "", "缺少该列，请使用导入模板。") for h in missing])
    if not records:
        return ImportReport(errors=[RowError(2, "", "", "文件中没有数据行。")])
    limit = settings.DOSSIER_IMPORT_MAX_ROWS
    if len(records) > limit:
        return ImportReport(rows=len(records), errors=[RowError(
            limit + 2, "", "", f"每个文件最多导入{limit}行（本文件{len(records)}行），请分成几个文件导入。")])
    report, plans = check_rows(records, by=by, rules=rules)
    if not report.ok:
        return report
    with transaction.atomic():
        for plan in plans:
            try:
                with transaction.atomic():
                    _save_row(plan, by=by, rule_set=rule_set, report=report)
            except _RowRefused as refused:   # a gate (quota seat) or a service said no
                report.errors.append(refused.error)
        if report.errors:
            transaction.set_rollback(True)
            report.people_created = report.dossiers_created = report.steps_taken = 0
    return report


# ---- the template ----------------------------------------------------------------------

def template_sheets(*, user):
    """The template: header row with an example row, the notes, the party organizations."""
    rules = RuleSetVersion.objects.current().rules
    columns = columns_for(rules)
    example = [c.example for c in columns]
    notes = [[c.header, "是" if c.required else "否", c.note] for c in columns]
    notes += [
        ["", "", ""],
        ["说明", "", "每行一人一份发展档案。系统先检查整个文件：每个单元格、身份证号校验位、发展党组织和单位是否在您的管理范围内，"
                     "并按日期先后用发展党员规则逐步检查每一步（如谈话、培养满一年、介绍人须为正式党员、公示满5个工作日等）；"
                     "只要有一行有误，就一条也不保存，并列出每个有误的行和列。"],
        ["说明", "", "已登记的人员（身份证号相同）沿用原有信息，只新建发展档案；已有正在进行的发展档案的人员不能重复导入。"],
        ["说明", "", f"每个文件最多{settings.DOSSIER_IMPORT_MAX_ROWS}行，人数多时请分成几个文件导入。"],
        ["说明", "", "培养联系人、入党介绍人须先登记为正式党员，填写其身份证号。政审回函一经登记即视为结论合格。"],
        ["说明", "", "无计划不发展：“上级党委预审”和“上级党委审批”须占用当年已下达的发展计划名额。所在年度没有计划或名额已用完的，"
                     "该行报错（…年度的发展计划名额）。历史年度请先由县委组织部补录该年度计划，或只导入到发展对象阶段，其余步骤在系统中办理。"],
    ]
    party_orgs = [[p.name, p.get_org_type_display(), p.area.name]
                  for p in PartyOrganization.objects.editable_by(user).select_related("area").order_by("area__code", "name")]
    return [
        ("人员及发展档案", [c.header for c in columns], [example]),
        ("填写说明", ["列名", "必填", "填写要求"], notes),
        ("发展党组织", ["名称", "类别", "乡镇（街道）"], party_orgs),
    ]
