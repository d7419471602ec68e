"""Materials: the catalogue drives every step's checklist; required documents stop a step
unless it is recorded as 补录; periodic steps keep every submission; the archive needs
everything; completeness figures; file checks; scoped downloads; the API.

Marked ``materials``: the real check runs here (tests/conftest.py turns it off elsewhere).
"""
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from members import rulesets, services
from members.errors import StepRefused
from members.materials import checklist, documents
from members.materials import services as material_services
from members.materials.catalogue import default_items, requirements_by_step, save_requirement
from members.materials.files import FileRefused
from members.models import Dossier, Material, MaterialRequirement, RuleSetVersion
from tests.factories import PersonFactory, UserFactory
from tests.members.helpers import advance

pytestmark = pytest.mark.materials

PDF = b"%PDF-1.4 scan"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20
DOCX_HEAD = b"PK\x03\x04" + b"0" * 20


def pdf(name="扫描件.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def rule_set(db):
    return RuleSetVersion.objects.current()


def item(rule_set, code) -> MaterialRequirement:
    return MaterialRequirement.objects.get(rule_set=rule_set, code=code)


def foreign_dossier(world):
    """A dossier of township B, started by the county administrator as 补录."""
    person = PersonFactory(current_unit=world.obj("organization", "foreign"))
    return services.start_dossier(person=person, party_org=world.obj("party_organization", "foreign"),
                                  applied_on=date(2024, 1, 10), by=world.users[Role.COUNTY_ADMIN], backfill_reason="补录")


def walked(world, monkeypatch, until=None, **options):
    """A dossier brought to ``until`` without documents (as if imported), so its records
    are incomplete — the real check is back on afterwards."""
    with monkeypatch.context() as patch:
        patch.setattr(material_services, "step_problems", lambda **kwargs: [])
        return advance(world, until, **options)


def worker_client(world) -> Client:
    return world.client_for(Role.TOWNSHIP_WORKER)


# ---- the catalogue --------------------------------------------------------------------------

def test_default_catalogue_is_seeded_for_the_rule_set_and_names_real_steps(rule_set):
    codes = {step.code for step in rule_set.rules.steps}
    seeded = list(MaterialRequirement.objects.filter(rule_set=rule_set))
    assert len(seeded) == len(default_items("national-2014")) > 30
    assert {i.step for i in seeded} <= codes
    # What domain.md says the archive holds at least is required somewhere.
    required = {i.code for i in seeded if i.counts}
    assert {"application_letter", "review_report", "training_certificate", "volunteer_form",
            "full_application_letter"} <= required
    assert {i.form for i in seeded if i.form} <= set(documents.FORMS)


@pytest.mark.parametrize("step", [step["code"] for step in rulesets.load("national-2014")["steps"]])
def test_every_step_form_shows_its_catalogue_items(world, rule_set, step):
    """The checklist of every one of the 25 steps comes from the catalogue."""
    person = PersonFactory(current_unit=world.obj("organization", "own"))
    worker = world.users[Role.TOWNSHIP_WORKER]
    dossier = services.start_dossier(person=person, party_org=world.obj("party_organization", "own"),
                                     applied_on=date(2024, 1, 10), by=worker,
                                     uploads=[(item(rule_set, "application_letter"), pdf())])
    expected = requirements_by_step(rule_set).get(step, [])
    form = worker_client(world).get(reverse("members:dossier-step", args=[dossier.pk, step])).context["form"]
    assert [r.code if r else None for r in form.requirements.values()] == [i.code for i in expected] + [None]
    for requirement in expected:
        label = form.fields[f"material_{requirement.code}"].label
        suffix = "（必备）" if requirement.counts else "（可选）" if not requirement.required else "（名册）"
        assert label == requirement.name + suffix
    pending = checklist.step_checklist(dossier=dossier, step=rule_set.rules.step(step), catalogue=expected, record=None)
    assert [i.status for i in pending.items] == [
        "missing" if r.counts else "optional" if not r.required else "roster" for r in expected]


def test_new_rule_set_version_starts_with_a_copy_of_the_catalogue(world, rule_set):
    admin = world.users[Role.COUNTY_ADMIN]
    save_requirement(requirement=MaterialRequirement(rule_set=rule_set, step="first_talk", code="talk_photo",
                                                     name="谈话照片", required=False), by=admin)
    newer = RuleSetVersion.objects.create(code=rule_set.code, version=rule_set.version + 1, name="修订", data=rule_set.data)
    assert sorted(MaterialRequirement.objects.filter(rule_set=newer).values_list("code", flat=True)) == \
        sorted(MaterialRequirement.objects.filter(rule_set=rule_set).values_list("code", flat=True))
    assert MaterialRequirement.objects.filter(rule_set=newer, code="talk_photo").exists()


def test_county_edits_the_catalogue_and_records_are_recounted(world, monkeypatch, rule_set,
                                                             django_capture_on_commit_callbacks):
    track = walked(world, monkeypatch, "designate_activist")          # first_talk taken, no documents
    talk = track.dossier.records.get(step="first_talk")
    assert (talk.materials_present, talk.materials_required) == (0, 1)
    admin = world.client_for(Role.COUNTY_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):           # the recount job runs after the commit
        response = admin.post(reverse("members:material-catalogue-create") + f"?rule_set={rule_set.pk}", {
            "step": "first_talk", "code": "talk_sheet", "name": "谈话登记表", "issuer": "branch", "required": "on",
            "scope": "personal", "order": 30})
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.materials_required == 2
    duplicate = admin.post(reverse("members:material-catalogue-create"), {
        "step": "first_talk", "code": "talk_sheet", "name": "重复", "issuer": "branch", "scope": "personal", "order": 1})
    assert duplicate.status_code == 200 and "同一规则版本中材料代码不能重复。" in duplicate.content.decode()
    sheet = item(rule_set, "talk_sheet")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(reverse("members:material-catalogue-delete", args=[sheet.pk])).status_code == 302
    talk.refresh_from_db()
    assert talk.materials_required == 1
    assert MaterialRequirement.history.filter(code="talk_sheet").count() == 2       # added, deleted
    page = admin.get(reverse("members:material-catalogue"), {"step": "first_talk"}).content.decode()
    assert "<td>谈话记录 " in page and "<td>入党申请书 " not in page
    export = admin.get(reverse("members:material-catalogue"), {"export": "xlsx", "step": "political_review"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[0][:3] == ("步骤", "代码", "材料名称") and len(rows) == 4


# ---- a step's documents -------------------------------------------------------------------

def test_missing_required_document_refuses_the_step_and_saves_nothing(world, monkeypatch):
    track = walked(world, monkeypatch, "first_talk")
    with pytest.raises(StepRefused) as refused:
        services.take_step(dossier=track.dossier, step="first_talk", on=date(2023, 1, 20),
                           data={"talker": "李书记"}, by=track.worker)
    problems = {p["code"]: p["message"] for p in refused.value.data["problems"]}
    assert "谈话记录" in problems["materials_missing"] and "补录" in problems["materials_missing"]
    assert not track.dossier.records.filter(step="first_talk").exists()


def test_backfill_records_the_step_as_incomplete_until_the_document_comes(world, monkeypatch, rule_set):
    track = walked(world, monkeypatch, "first_talk")
    record = services.take_step(dossier=track.dossier, step="first_talk", on=date(2023, 1, 20),
                                data={"talker": "李书记"}, by=track.worker, backfill_reason="扫描件在县档案室")
    assert record.backfill_reason == "扫描件在县档案室" and not record.materials_complete
    client = worker_client(world)
    page = client.get(track.dossier.get_absolute_url()).content.decode()
    assert "补录：扫描件在县档案室" in page and "缺少" in page and "materials-incomplete" in page
    listed = client.get(reverse("members:dossier-list"), {"materials_incomplete": "true"}).context["object_list"]
    assert track.dossier in listed
    material_services.upload_material(dossier=track.dossier, step="first_talk", upload=pdf("谈话记录.pdf"),
                                      requirement=item(rule_set, "talk_record"), by=track.worker)
    record.refresh_from_db()
    assert record.materials_complete and record.materials.get().name == "谈话记录.pdf"
    listed = client.get(reverse("members:dossier-list"), {"materials_incomplete": "true"}).context["object_list"]
    assert track.dossier in listed                                    # the application letter is still missing
    material_services.upload_material(dossier=track.dossier, step="apply", upload=pdf("申请书.pdf"),
                                      requirement=item(rule_set, "application_letter"), by=track.worker)
    listed = client.get(reverse("members:dossier-list"), {"materials_incomplete": "true"}).context["object_list"]
    assert track.dossier not in listed


def test_backfill_in_the_form_needs_a_reason(world, monkeypatch):
    track = walked(world, monkeypatch, "first_talk")
    url = reverse("members:dossier-step", args=[track.dossier.pk, "first_talk"])
    response = worker_client(world).post(url, {"taken_on": "2023-01-20", "data_talker": "李书记", "backfill": "on"})
    assert "勾选补录时请填写补录原因。" in response.content.decode()
    refused = worker_client(world).post(url, {"taken_on": "2023-01-20", "data_talker": "李书记"})
    assert "缺少必备材料：谈话记录" in refused.content.decode()
    done = worker_client(world).post(url, {"taken_on": "2023-01-20", "data_talker": "李书记",
                                           "material_talk_record": pdf("谈话记录.pdf")})
    assert done.status_code == 302
    assert track.dossier.records.get(step="first_talk").materials_complete


def test_documents_uploaded_ahead_belong_to_the_record_when_the_step_is_taken(world, monkeypatch, rule_set):
    track = walked(world, monkeypatch, "first_talk")
    ahead = material_services.upload_material(dossier=track.dossier, step="first_talk", upload=pdf(),
                                              requirement=item(rule_set, "talk_record"), by=track.worker)
    assert ahead.record is None
    record = track.take("first_talk", date(2023, 1, 20), {"talker": "李书记"})
    ahead.refresh_from_db()
    assert ahead.record == record and (record.materials_present, record.materials_required) == (1, 1)
    assert record.backfill_reason == ""


def test_periodic_steps_keep_every_submission(world, monkeypatch, rule_set):
    track = walked(world, monkeypatch, "activist_review")
    reports = []
    for on, name in ((date(2023, 8, 20), "上半年"), (date(2024, 2, 1), "下半年")):
        uploads = [(item(rule_set, "thought_report"), pdf(f"{name}思想汇报.pdf")),
                   (item(rule_set, "activist_review_form"), pdf(f"{name}考察登记表.pdf"))]
        reports.append(services.take_step(dossier=track.dossier, step="activist_review", on=on,
                                          data={"conclusion": "表现良好"}, uploads=uploads, by=track.worker))
    first, second = reports
    assert sorted(first.materials.values_list("name", flat=True)) == ["上半年思想汇报.pdf", "上半年考察登记表.pdf"]
    assert sorted(second.materials.values_list("name", flat=True)) == ["下半年思想汇报.pdf", "下半年考察登记表.pdf"]
    assert all(r.materials_complete for r in (first, second))
    lists = checklist.dossier_checklists(dossier=track.dossier, records=list(track.dossier.records.all()),
                                         catalogue_by_step=requirements_by_step(rule_set))
    assert [c.record for c in lists["activist_review"]] == [first, second]


def test_archive_needs_every_required_document(world, monkeypatch, rule_set):
    track = walked(world, monkeypatch, "archive")
    archive = {"dossier": track.dossier, "step": "archive", "on": date(2025, 6, 25), "data": {}, "by": track.worker}
    with pytest.raises(StepRefused) as refused:
        services.take_step(**archive, backfill_reason="以后补")           # no 补录 for the archive
    message = refused.value.message
    assert "必备材料不全，不能归档" in message and "递交入党申请书" in message and "发展党员全程纪实表" in message
    counted = {}
    for requirement in MaterialRequirement.objects.filter(rule_set=rule_set, required=True, scope="personal"):
        counted.setdefault(requirement.step, []).append(requirement)
    for record in track.dossier.records.all():
        for requirement in counted.get(record.step, []):
            material_services.upload_material(dossier=track.dossier, step=record.step, upload=pdf(),
                                              requirement=requirement, record=record, by=track.worker)
    still = services.check_step(dossier=track.reload(), step="archive", on=date(2025, 6, 25), with_materials=True)
    assert [p.code for p in still.problems] == ["archive_incomplete"]      # the archive's own two forms
    for requirement in counted["archive"]:
        material_services.upload_material(dossier=track.dossier, step="archive", upload=pdf(),
                                          requirement=requirement, by=track.worker)
    record = services.take_step(**archive)
    assert record.materials_complete and track.reload().state == "completed"


# ---- files ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,content,code", [
    ("setup.exe", b"MZ\x90\x00", "executable"),
    ("run.sh", b"#!/bin/sh", "executable"),
    ("改名的程序.pdf", b"MZ\x90\x00rest", "executable"),
    ("假的.pdf", b"<html>", "file_mismatch"),
    ("说明.txt", b"hello", "file_type"),
    ("空.pdf", b"", "file_empty"),
])
def test_bad_files_are_refused_in_chinese(world, monkeypatch, name, content, code):
    track = walked(world, monkeypatch, "first_talk")
    with pytest.raises(FileRefused) as refused:
        material_services.upload_material(dossier=track.dossier, step="first_talk", by=track.worker,
                                          upload=SimpleUploadedFile(name, content))
    assert refused.value.code == code and name in refused.value.message
    assert not Material.objects.filter(step="first_talk").exists()


def test_size_limit_and_accepted_types(world, monkeypatch, settings):
    settings.MATERIAL_MAX_MB = 1
    track = walked(world, monkeypatch, "first_talk")
    with pytest.raises(FileRefused) as refused:
        material_services.upload_material(dossier=track.dossier, step="first_talk", by=track.worker,
                                          upload=pdf("大.pdf", b"%PDF" + b"0" * (1024 * 1024)))
    assert refused.value.code == "file_too_large"
    for name, content in (("照片.png", PNG), ("记录.docx", DOCX_HEAD), ("扫描.PDF", PDF)):
        material = material_services.upload_material(dossier=track.dossier, step="first_talk", by=track.worker,
                                                     upload=SimpleUploadedFile(name, content))
        assert material.name == name and name not in material.file.name and len(material.sha256) == 64
    assert str(settings.MEDIA_ROOT) in Material.objects.first().file.path   # outside the web root


def test_download_is_scoped_and_delete_is_confirmed(world, monkeypatch, rule_set):
    track = walked(world, monkeypatch, "first_talk")
    material = material_services.upload_material(dossier=track.dossier, step="first_talk", upload=pdf("谈话.pdf"),
                                                 requirement=item(rule_set, "talk_record"), by=track.worker)
    url = reverse("members:material-download", args=[material.pk])
    got = worker_client(world).get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    foreign = UserFactory(role=Role.TOWNSHIP_WORKER)
    foreign.scope_areas.add(world.township_b)
    other = Client()
    other.force_login(foreign)
    assert other.get(url).status_code == 404
    api = world.api_client_for(Role.API_CLIENT)
    assert api.get(reverse("api:material-download", args=[material.pk])).status_code == 200
    confirm = worker_client(world).get(reverse("members:material-delete", args=[material.pk])).content.decode()
    assert "data-confirm=" in confirm and "谈话.pdf" in confirm
    worker_client(world).post(reverse("members:material-delete", args=[material.pk]))
    assert not Material.objects.filter(pk=material.pk).exists()
    assert Material.history.filter(id=material.pk, history_type="-").exists()


# ---- completeness -----------------------------------------------------------------------------

def test_completeness_figures_on_hand_built_data(world, monkeypatch, rule_set):
    """Township A: one dossier with first_talk complete (2/2: letter + talk record), one
    with nothing uploaded (0/1).  Township B: one with its letter (1/1).  County: 3/4."""
    complete = walked(world, monkeypatch, "designate_activist")
    bare = walked(world, monkeypatch, "first_talk")
    foreign = foreign_dossier(world)
    for dossier, step, code in ((complete.dossier, "apply", "application_letter"),
                                (complete.dossier, "first_talk", "talk_record"),
                                (foreign, "apply", "application_letter")):
        material_services.upload_material(dossier=dossier, step=step, upload=pdf(), requirement=item(rule_set, code),
                                          by=world.users[Role.COUNTY_ADMIN])
    figures = checklist.completeness(Dossier.objects.all())
    assert figures == {"present": 3, "required": 4, "ratio": 0.75, "incomplete_dossiers": 1}
    by_township = {row["township_name"]: (row["present"], row["required"])
                   for row in checklist.completeness_by_township(Dossier.objects.all())}
    assert by_township == {world.township_a.name: (2, 3), world.township_b.name: (1, 1)}
    own = checklist.completeness(Dossier.objects.visible_to(world.users[Role.TOWNSHIP_WORKER]))
    assert (own["present"], own["required"]) == (2, 3)
    page = worker_client(world).get(reverse("members:dossier-list"))
    assert "材料完整度 66.7%（必备材料已有 2 / 3，材料不全档案 1 份）" in page.content.decode()
    rows = {d.pk: (d.materials_present, d.materials_required) for d in page.context["object_list"]}
    assert rows == {complete.dossier.pk: (2, 2), bare.dossier.pk: (0, 1)}
    api = world.api_client_for(Role.COUNTY_ADMIN).get(reverse("api:dossier-completeness")).json()
    assert (api["present"], api["required"], api["ratio"], api["incomplete_dossiers"]) == (3, 4, 0.75, 1)
    scoped = world.api_client_for(Role.API_CLIENT).get(reverse("api:dossier-completeness"),
                                                       {"township": world.township_a.pk}).json()
    assert (scoped["present"], scoped["required"]) == (2, 3) and len(scoped["townships"]) == 1


# ---- generated forms --------------------------------------------------------------------------

def docx_text(content: bytes) -> str:
    from docx import Document
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_candidate_publicity_is_filled_from_the_dossier(world, monkeypatch):
    track = walked(world, monkeypatch, "application_form")       # pre_review taken with its publicity dates
    response = worker_client(world).get(reverse("members:dossier-form", args=[track.dossier.pk, "candidate_publicity"]))
    assert response.status_code == 200 and "wordprocessingml" in response["Content-Type"]
    text = docx_text(response.content)
    org = track.dossier.party_org.name
    assert track.person.name in text and org in text
    assert "2023年1月10日" in text and "2023年3月1日" in text and "2024年3月4日" in text    # applied, activist, candidate
    assert "2024年5月7日至2024年5月13日" in text and "{{" not in text


def test_whole_process_record_and_review_letters(world, monkeypatch):
    track = walked(world, monkeypatch, "archive")
    record = docx_text(documents.generate(dossier=track.dossier, form="whole_process_record",
                                          user=track.worker).content)
    assert track.person.name in record and "2025年6月20日" in record and "上级党委审批转正" in record
    worker_letter = docx_text(documents.generate(dossier=track.dossier, form="review_letter_residence",
                                                 user=track.worker).content)
    assert track.person.id_number in worker_letter and "回　执" in worker_letter
    secretary = world.users[Role.SECRETARY]
    masked = docx_text(documents.generate(dossier=track.dossier, form="review_letter_employer", user=secretary).content)
    assert track.person.id_number not in masked and track.person.masked_id_number in masked
    assert world.obj("organization", "own").name in masked                 # addressed to the employer


def test_rosters_list_every_dossier_waiting_for_the_filing(world, monkeypatch):
    waiting = [walked(world, monkeypatch, "file_activist") for _ in range(2)]
    filed = walked(world, monkeypatch, "assign_mentors")                     # already filed: not on it
    content = documents.generate(dossier=waiting[0].dossier, form="activist_roster", user=waiting[0].worker).content
    rows = list(load_workbook(io.BytesIO(content)).active.values)
    assert rows[0][:2] == ("序号", "姓名")
    assert sorted(r[1] for r in rows[1:]) == sorted(t.person.name for t in waiting)
    assert filed.person.name not in [r[1] for r in rows[1:]]
    request = docx_text(documents.generate(dossier=walked(world, monkeypatch, "pre_review").dossier,
                                           form="pre_review_request", user=waiting[0].worker).content)
    assert "现报请预审" in request and "1名同志" in request


def test_form_not_ready_and_unknown_form(world, monkeypatch):
    track = walked(world, monkeypatch, "first_talk")
    client = worker_client(world)
    early = client.get(reverse("members:dossier-form", args=[track.dossier.pk, "full_publicity"]), follow=True)
    assert "“预备党员转正公示”须在“提出转正申请”办理后生成。" in early.content.decode()
    assert client.get(reverse("members:dossier-form", args=[track.dossier.pk, "no_such_form"])).status_code == 404
    api = world.api_client_for(Role.TOWNSHIP_WORKER)
    refused = api.get(reverse("api:dossier-form", args=[track.dossier.pk, "full_publicity"]))
    assert refused.status_code == 400 and refused.json()["code"] == "form_not_ready"


def test_signed_form_goes_back_as_the_steps_material(world, monkeypatch, rule_set):
    track = walked(world, monkeypatch, "pre_review")
    generated = documents.generate(dossier=track.dossier, form="candidate_publicity", user=track.worker)
    url = reverse("members:material-upload", args=[track.dossier.pk])
    response = worker_client(world).post(url, {
        "step": "pre_review", "requirement": item(rule_set, "candidate_publicity").pk,
        "file": SimpleUploadedFile("公示（已盖章）.docx", generated.content)})
    assert response.status_code == 302 and response.url.endswith("#step-pre_review")
    material = Material.objects.get(dossier=track.dossier, requirement__code="candidate_publicity")
    assert material.record is None and material.name == "公示（已盖章）.docx"   # waits for the pre-review
    bad = worker_client(world).post(url, {"step": "pre_review", "file": SimpleUploadedFile("x.exe", b"MZ")},
                                    follow=True)
    assert "“x.exe”是可执行文件或脚本，不能上传。" in bad.content.decode()


# ---- API ------------------------------------------------------------------------------------------

def test_api_checklist_upload_and_backfilled_step(world, monkeypatch):
    track = walked(world, monkeypatch, "first_talk")
    api = world.api_client_for(Role.API_CLIENT)
    materials_url = reverse("api:dossier-materials", args=[track.dossier.pk])
    refused = api.post(reverse("api:dossier-take-step", args=[track.dossier.pk]),
                       {"step": "first_talk", "on": "2023-01-20", "data": {"talker": "李书记"}}, format="json")
    assert refused.status_code == 400 and "materials_missing" in [p["code"] for p in refused.json()["data"]["problems"]]
    bad = api.post(materials_url, {"step": "first_talk", "requirement": "talk_record",
                                   "file": SimpleUploadedFile("a.bat", b"@echo")}, format="multipart")
    assert bad.status_code == 400 and bad.json()["code"] == "executable"
    unknown = api.post(materials_url, {"step": "first_talk", "requirement": "nope", "file": pdf()}, format="multipart")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_requirement"
    uploaded = api.post(materials_url, {"step": "first_talk", "requirement": "talk_record", "file": pdf("谈话.pdf")},
                        format="multipart")
    assert uploaded.status_code == 201 and uploaded.json()["record"] is None
    taken = api.post(reverse("api:dossier-take-step", args=[track.dossier.pk]),
                     {"step": "first_talk", "on": "2023-01-20", "data": {"talker": "李书记"}}, format="json")
    assert taken.status_code == 201 and taken.json()["materials_present"] == 1
    body = api.get(materials_url).json()
    assert body["completeness"] == {"present": 1, "required": 2, "ratio": 0.5}   # the letter is still missing
    talk = next(c for c in body["checklists"] if c["step"] == "first_talk")
    assert talk["complete"] and talk["items"][0]["materials"][0]["name"] == "谈话.pdf"
    forms = api.get(reverse("api:dossier-forms", args=[track.dossier.pk])).json()
    assert "whole_process_record" in [f["code"] for f in forms] and "full_publicity" not in [f["code"] for f in forms]
    catalogue = api.get(reverse("api:material-catalogue-list"), {"step": "political_review"}).json()
    assert [c["code"] for c in catalogue] == ["review_letter_residence", "review_letter_employer", "review_report"]
    assert api.get(reverse("api:dossier-materials", args=[foreign_dossier(world).pk])).status_code == 404
