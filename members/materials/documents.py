"""Standard forms filled from a dossier's data.

Per-person forms are DOCX files rendered with docxtpl from the templates in
``members/document_templates/`` (edit them in Word or WPS; keep the ``{{ … }}`` tags
whole).  Roster forms list every dossier of the party organization waiting for the
same filing or request; three are XLSX sheets, the pre-review request a DOCX with its
roster.  The worker prints the form, has it signed and stamped, and uploads the scan
as the step's material (the catalogue item names the form in its ``form`` field).
"""
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db.models import Exists, OuterRef
from django.utils import timezone
from docxtpl import DocxTemplate

from config.errors import DomainError
from config.spreadsheets import XLSX_TYPE, workbook_bytes

from ..facts_loader import approver_fact
from ..models import Dossier, Issuer, Material, MaterialRequirement, PoliticalReview, ReviewSide, StepRecord
from ..privacy import id_number_for

TEMPLATES = Path(__file__).resolve().parent.parent / "document_templates"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BLANK = "____年__月__日"


class FormUnavailable(DomainError):
    code = "form_unavailable"
    status = 400


@dataclass(frozen=True)
class FormSpec:
    code: str
    name: str
    step: str                    # the step whose material it becomes
    roster: bool                 # lists every dossier waiting (True) or one person (False)
    build: Callable              # (dossier, user) → (bytes, extension)
    needs: str = ""              # a step that must be taken first, if any


@dataclass(frozen=True)
class GeneratedForm:
    filename: str
    content: bytes
    content_type: str


def cn_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else BLANK


def cn_month(value: date | None) -> str:
    return f"{value.year}年{value.month}月" if value else ""


def _person(dossier: Dossier, user) -> dict:
    person = dossier.person
    return {"name": person.name, "sex": person.get_sex_display(), "ethnicity": person.ethnicity,
            "birth_month": cn_month(person.birth_date), "education": person.get_education_display(),
            "occupation": person.get_occupation_display(), "unit": person.current_unit.name if person.current_unit_id else "",
            "household_registration": person.household_registration or "", "phone": person.phone,
            "id_number": id_number_for(user, person)}


def _dates(dossier: Dossier) -> dict:
    full_application = dossier.records.filter(step="full_application").order_by("-taken_on").first()
    return {"applied": cn_date(dossier.applied_on), "activist": cn_date(dossier.activist_on),
            "candidate": cn_date(dossier.candidate_on), "admission_vote": cn_date(dossier.admission_vote_on),
            "approved": cn_date(dossier.approved_on), "probation_ends": cn_date(dossier.probation_ends_on),
            "full": cn_date(dossier.full_on),
            "full_application": cn_date(full_application.taken_on if full_application else None)}


def _publicity(dossier: Dossier, step: str) -> dict:
    record = dossier.records.filter(step=step).order_by("-taken_on", "-id").first()
    data = record.data if record else {}
    return {"start": cn_date(_iso(data.get("publicity_start"))), "end": cn_date(_iso(data.get("publicity_end")))}


def _iso(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _base(dossier: Dossier, user) -> dict:
    org = dossier.party_org
    return {"person": _person(dossier, user), "dates": _dates(dossier), "today": cn_date(timezone.localdate()),
            "org": {"name": org.name, "secretary": org.secretary_name or "________",
                    "phone": org.secretary_phone or "________"},
            "upper": approver_fact(org, None).name}


def _docx(template: str, context: dict) -> bytes:
    document = DocxTemplate(TEMPLATES / f"{template}.docx")
    document.render(context, autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---- one person -----------------------------------------------------------------------------

def _candidate_publicity(dossier, user):
    return _docx("candidate_publicity", {**_base(dossier, user), "publicity": _publicity(dossier, "pre_review")}), "docx"


def _full_publicity(dossier, user):
    return _docx("full_publicity", {**_base(dossier, user), "publicity": _publicity(dossier, "full_vote")}), "docx"


def _review_letter(side: str, default_addressee: Callable):
    def build(dossier, user):
        review = PoliticalReview.objects.filter(dossier=dossier, side=side).first()
        addressee = (review.addressee if review and review.addressee else default_addressee(dossier)) or "________"
        return _docx(f"review_letter_{side}", {**_base(dossier, user), "review": {"addressee": addressee}}), "docx"
    return build


def _whole_process_record(dossier, user):
    from ..selectors import describe_records, dossier_records
    records = list(dossier_records(dossier))
    describe_records(user=user, dossier=dossier, records=records)
    by_step = {}
    for record in records:
        by_step.setdefault(record.step, []).append(record)
    steps = []
    for step in dossier.rule_set.rules.steps:
        taken = by_step.get(step.code, [])
        steps.append({
            "order": step.order, "label": step.label,
            "dates": "、".join(cn_date(r.taken_on) for r in taken) or "—",
            "summary": "；".join("，".join(f"{label}：{value}" for label, value in r.summary) for r in taken if r.summary),
            "recorded_by": "、".join(sorted({str(r.recorded_by) for r in taken if r.recorded_by_id})),
            "materials": "、".join(m.title for r in taken for m in r.document_list)})
    return _docx("whole_process_record", {**_base(dossier, user), "steps": steps}), "docx"


def _archive_checklist(dossier, user):
    return _docx("archive_checklist", {**_base(dossier, user), "materials": archive_rows(dossier)}), "docx"


def archive_rows(dossier: Dossier) -> list[dict]:
    """The archive checklist: every catalogue item of every step taken (and the archive
    step's own), with how many files are there."""
    rules = dossier.rule_set.rules
    taken = set(dossier.records.values_list("step", flat=True)) | {"archive"}
    counts = {}
    for requirement_id in Material.objects.filter(dossier=dossier).values_list("requirement_id", flat=True):
        counts[requirement_id] = counts.get(requirement_id, 0) + 1
    rows = []
    catalogue = MaterialRequirement.objects.filter(rule_set=dossier.rule_set, step__in=taken)
    order = {step.code: step.order for step in rules.steps}
    for item in sorted(catalogue, key=lambda i: (order.get(i.step, 99), i.order, i.pk)):
        count = counts.get(item.pk, 0)
        status = "已归集" if count else ("缺" if item.counts else "—")
        rows.append({"number": len(rows) + 1, "step": rules.step(item.step).label if rules.step(item.step) else item.step,
                     "name": item.name, "issuer": Issuer(item.issuer).label, "required": "是" if item.required else "否",
                     "count": count, "status": status})
    return rows


# ---- rosters of a party organization -----------------------------------------------------------

ROSTERS = {   # form → (the step that puts a dossier on it, the step that takes it off)
    "activist_roster": ("designate_activist", "file_activist"),
    "candidate_roster": ("designate_candidate", "file_candidate"),
    "probationary_roster": ("admission_approval", "admission_filing"),
    "pre_review_request": ("committee_review", "pre_review"),
}


def roster_dossiers(dossier: Dossier, user, form: str) -> list[Dossier]:
    """Open dossiers of the same party organization, visible to ``user``, that took the
    roster's first step and not yet the filing step; ``dossier`` itself always included."""
    after, before = ROSTERS[form]
    taken = StepRecord.objects.filter(dossier=OuterRef("pk"))
    queryset = (Dossier.objects.visible_to(user).open().filter(party_org=dossier.party_org)
                .filter(Exists(taken.filter(step=after))).exclude(Exists(taken.filter(step=before))))
    rows = list(queryset.select_related("person", "person__current_unit").order_by("candidate_on", "activist_on", "pk"))
    if dossier.pk not in {d.pk for d in rows}:
        rows.insert(0, dossier)
    return rows


def _roster_row(number: int, dossier: Dossier) -> dict:
    person = dossier.person
    return {"number": number, "name": person.name, "sex": person.get_sex_display(), "ethnicity": person.ethnicity,
            "birth_month": cn_month(person.birth_date), "education": person.get_education_display(),
            "unit": person.current_unit.name if person.current_unit_id else "",
            "occupation": person.get_occupation_display(), "applied": cn_date(dossier.applied_on),
            "activist": cn_date(dossier.activist_on), "candidate": cn_date(dossier.candidate_on),
            "source": dossier.get_source_display() if dossier.source else "",
            "admission_vote": cn_date(dossier.admission_vote_on), "approved": cn_date(dossier.approved_on),
            "probation_ends": cn_date(dossier.probation_ends_on)}


ROSTER_COLUMNS = {
    "activist_roster": ("入党积极分子备案名册", [("序号", "number"), ("姓名", "name"), ("性别", "sex"), ("民族", "ethnicity"),
                        ("出生年月", "birth_month"), ("学历", "education"), ("工作单位", "unit"), ("职业类别", "occupation"),
                        ("申请入党时间", "applied"), ("确定积极分子时间", "activist"), ("产生方式", "source")]),
    "candidate_roster": ("发展对象备案名册", [("序号", "number"), ("姓名", "name"), ("性别", "sex"), ("民族", "ethnicity"),
                         ("出生年月", "birth_month"), ("学历", "education"), ("工作单位", "unit"),
                         ("申请入党时间", "applied"), ("确定积极分子时间", "activist"), ("确定发展对象时间", "candidate")]),
    "probationary_roster": ("新发展党员备案名册", [("序号", "number"), ("姓名", "name"), ("性别", "sex"),
                            ("民族", "ethnicity"), ("出生年月", "birth_month"), ("学历", "education"), ("工作单位", "unit"),
                            ("职业类别", "occupation"), ("支部大会接收时间", "admission_vote"),
                            ("上级党委审批时间", "approved"), ("预备期满时间", "probation_ends")]),
}


def _xlsx_roster(form: str):
    def build(dossier, user):
        title, columns = ROSTER_COLUMNS[form]
        rows = [_roster_row(i, d) for i, d in enumerate(roster_dossiers(dossier, user, form), start=1)]
        return workbook_bytes([(title, [label for label, _ in columns],
                                [[row[key] for _, key in columns] for row in rows])]), "xlsx"
    return build


def _pre_review_request(dossier, user):
    rows = [_roster_row(i, d) for i, d in enumerate(roster_dossiers(dossier, user, "pre_review_request"), start=1)]
    return _docx("pre_review_request", {**_base(dossier, user), "rows": rows, "count": len(rows)}), "docx"


def _unit_name(dossier):
    return dossier.person.current_unit.name if dossier.person.current_unit_id else ""


FORMS = {spec.code: spec for spec in (
    FormSpec("candidate_publicity", "拟发展党员对象公示", "pre_review", False, _candidate_publicity, "committee_review"),
    FormSpec("full_publicity", "预备党员转正公示", "full_vote", False, _full_publicity, "full_application"),
    FormSpec("review_letter_residence", "政治审查函及回执（户籍所在地）", "political_review", False,
             _review_letter(ReviewSide.RESIDENCE, lambda d: d.person.household_registration), "designate_candidate"),
    FormSpec("review_letter_employer", "政治审查函及回执（工作单位）", "political_review", False,
             _review_letter(ReviewSide.EMPLOYER, _unit_name), "designate_candidate"),
    FormSpec("whole_process_record", "发展党员全程纪实表", "archive", False, _whole_process_record),
    FormSpec("archive_checklist", "发展党员档案材料清单", "archive", False, _archive_checklist),
    FormSpec("activist_roster", "入党积极分子备案名册", "file_activist", True, _xlsx_roster("activist_roster"),
             "designate_activist"),
    FormSpec("candidate_roster", "发展对象备案名册", "file_candidate", True, _xlsx_roster("candidate_roster"),
             "designate_candidate"),
    FormSpec("probationary_roster", "新发展党员备案名册", "admission_filing", True, _xlsx_roster("probationary_roster"),
             "admission_approval"),
    FormSpec("pre_review_request", "发展对象预审请示及名册", "pre_review", True, _pre_review_request, "committee_review"),
)}


def forms_for(dossier: Dossier, taken: set[str] | None = None) -> list[FormSpec]:
    """The forms this dossier can produce now (their prerequisite step taken)."""
    if taken is None:
        taken = set(dossier.records.values_list("step", flat=True))
    return [spec for spec in FORMS.values() if not spec.needs or spec.needs in taken]


def generate(*, dossier: Dossier, form: str, user) -> GeneratedForm:
    """Render ``form`` for ``dossier`` as ``user`` may see it (the ID number masked for
    roles that may not read it; rosters list only dossiers the user sees)."""
    spec = FORMS.get(form)
    if spec is None:
        raise FormUnavailable(f"没有“{form}”这种表格。", code="unknown_form")
    if spec.needs and not dossier.records.filter(step=spec.needs).exists():
        label = dossier.rule_set.rules.step(spec.needs).label
        raise FormUnavailable(f"“{spec.name}”须在“{label}”办理后生成。", code="form_not_ready")
    content, extension = spec.build(dossier, user)
    stem = f"{dossier.party_org.name}-{spec.name}" if spec.roster else f"{dossier.person.name}-{spec.name}"
    return GeneratedForm(f"{stem}-{timezone.localdate():%Y%m%d}.{extension}", content,
                         DOCX if extension == "docx" else XLSX_TYPE)
