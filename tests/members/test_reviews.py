"""Political review sides (双政审): the engine's rule at its date boundaries through
``members.services.take_step``, the letter and reply services, the 政审进度 pages with
file upload, and the API."""
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Role
from members import reviews, services, transfers
from members.errors import StepRefused
from members.models import PoliticalReview
from members.reviews import ReviewError
from tests.members.test_transfers import advance, make_sides

PDF = b"%PDF-1.4\n% reply letter\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sides(world):
    return make_sides(world)


@pytest.fixture
def candidate(sides):
    """A development target (designated 2024-03-04) waiting for the political review step."""
    return advance(sides, "political_review", name="赵流动", is_migrant=True)


@pytest.fixture
def resident(sides):
    return advance(sides, "political_review", name="钱本地", is_migrant=False)


def ask(sides, dossier, side="residence", on=date(2024, 3, 12)):
    return reviews.request_review_side(dossier=dossier, side=side, addressee=f"{side}函调单位", on=on, by=sides.a)


def reply(sides, review, on, passed=True, **kwargs):
    return reviews.record_review_reply(review=review, replied_on=on, passed=passed, conclusion="未发现问题",
                                       by=sides.a, **kwargs)


def take_review_step(sides, dossier, on):
    return services.take_step(dossier=dossier, step="political_review", on=on, data={"conclusion": "政治审查合格"},
                              by=sides.a)


def refusal(sides, dossier, on) -> StepRefused:
    with pytest.raises(StepRefused) as refused:
        take_review_step(sides, dossier, on)
    return refused.value


# ---- the engine's rule at its boundaries ---------------------------------------------------

@pytest.mark.parametrize("on,allowed", [(date(2024, 3, 31), False), (date(2024, 4, 1), True),
                                        (date(2024, 4, 2), True)])
def test_migrant_needs_both_sides_concluded(sides, candidate, on, allowed):
    reply(sides, ask(sides, candidate, "residence"), date(2024, 3, 25))
    reply(sides, ask(sides, candidate, "employer"), date(2024, 4, 1))
    if allowed:
        assert take_review_step(sides, candidate, on).taken_on == on
        candidate.refresh_from_db()
        assert candidate.current_step == "political_review"
    else:
        refused = refusal(sides, candidate, on)
        assert [p["code"] for p in refused.data["problems"]] == ["dual_review_outstanding"]
        assert "工作单位" in refused.message and "户籍所在地、" not in refused.message
        assert not candidate.records.filter(step="political_review").exists()


def test_migrant_with_one_side_is_refused_however_late(sides, candidate):
    reply(sides, ask(sides, candidate, "employer"), date(2024, 3, 20))
    refused = refusal(sides, candidate, date(2024, 9, 1))
    assert [p["code"] for p in refused.data["problems"]] == ["dual_review_outstanding"]
    assert "户籍所在地" in refused.message


@pytest.mark.parametrize("on,allowed", [(date(2024, 3, 31), False), (date(2024, 4, 1), True),
                                        (date(2024, 4, 2), True)])
def test_others_need_one_side_concluded(sides, resident, on, allowed):
    reply(sides, ask(sides, resident, "employer"), date(2024, 4, 1))
    if allowed:
        assert take_review_step(sides, resident, on).taken_on == on
    else:
        refused = refusal(sides, resident, on)
        assert [p["code"] for p in refused.data["problems"]] == ["political_review_missing"]


def test_an_outstanding_letter_is_not_a_conclusion(sides, resident):
    ask(sides, resident, "residence")
    assert [p["code"] for p in refusal(sides, resident, date(2024, 6, 1)).data["problems"]] == \
        ["political_review_missing"]


def test_a_failed_side_stops_the_procedure(sides, candidate):
    reply(sides, ask(sides, candidate, "residence"), date(2024, 3, 25))
    reply(sides, ask(sides, candidate, "employer"), date(2024, 4, 1), passed=False)
    refused = refusal(sides, candidate, date(2024, 4, 2))
    assert [p["code"] for p in refused.data["problems"]] == ["political_review_failed"]


# ---- the services ---------------------------------------------------------------------------

def test_letter_and_reply_are_audited(sides, candidate):
    review = ask(sides, candidate)
    assert review.recorded_by == sides.a and review.history.first().history_user == sides.a
    reply(sides, review, date(2024, 3, 25), document=SimpleUploadedFile("张三回函.pdf", PDF))
    review.refresh_from_db()
    assert review.passed is True and review.replied_on == date(2024, 3, 25)
    assert review.history.first().history_user == sides.a and review.history.count() == 2
    assert review.document.name.endswith(".pdf") and "张三" not in review.document.name
    assert review.document.read() == PDF


@pytest.mark.parametrize("on,field", [(date(2024, 3, 11), "replied_on"), ("tomorrow", "replied_on")])
def test_reply_date_between_letter_and_today(sides, candidate, on, field):
    if on == "tomorrow":  # resolved at run time: the suite may cross midnight after collection
        on = timezone.localdate() + timedelta(days=1)
    review = ask(sides, candidate)
    with pytest.raises(ValidationError) as invalid:
        reply(sides, review, on)
    assert field in invalid.value.message_dict
    review.refresh_from_db()
    assert review.is_outstanding


def test_reply_on_the_letter_day_and_today_are_accepted(sides, candidate):
    reply(sides, ask(sides, candidate, "residence"), date(2024, 3, 12))
    assert reply(sides, ask(sides, candidate, "employer"), timezone.localdate()).replied_on == timezone.localdate()


@pytest.mark.parametrize("upload,fragment", [
    (SimpleUploadedFile("回函.exe", PDF), "只能上传"),
    (SimpleUploadedFile("回函.pdf", b"MZ\x90\x00 not a pdf"), "只能上传"),
    (SimpleUploadedFile("回函.png", PDF), "只能上传"),
])
def test_reply_document_kind_is_checked(sides, candidate, upload, fragment):
    review = ask(sides, candidate)
    with pytest.raises(ValidationError) as invalid:
        reply(sides, review, date(2024, 3, 25), document=upload)
    assert fragment in "".join(invalid.value.message_dict["document"])
    review.refresh_from_db()
    assert review.is_outstanding and not review.document


def test_reply_document_over_20_mb_is_refused(sides, candidate):
    upload = SimpleUploadedFile("回函.png", PNG)
    upload.size = 20 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as invalid:
        reply(sides, ask(sides, candidate), date(2024, 3, 25), document=upload)
    assert "20 MB" in "".join(invalid.value.message_dict["document"])


def test_refusals_in_chinese(sides, candidate):
    review = ask(sides, candidate)
    with pytest.raises(ReviewError) as twice:
        ask(sides, candidate, on=date(2024, 3, 13))
    assert twice.value.code == "side_requested" and "不能重复发函" in twice.value.message
    reply(sides, review, date(2024, 3, 25))
    with pytest.raises(ReviewError) as replied:
        reply(sides, review, date(2024, 3, 26))
    assert replied.value.code == "reply_recorded"
    with pytest.raises(ValidationError) as missing:
        reviews.request_review_side(dossier=candidate, side="employer", addressee=" ", on=date(2024, 3, 12),
                                    by=sides.a)
    assert "addressee" in missing.value.message_dict
    with pytest.raises(ValidationError) as no_conclusion:
        reviews.record_review_reply(review=ask(sides, candidate, "employer"), replied_on=date(2024, 3, 25),
                                    passed=None, conclusion="", by=sides.a)
    assert set(no_conclusion.value.message_dict) == {"passed", "conclusion"}


def test_an_applicant_is_not_reviewed_yet(sides):
    applicant = advance(sides, "designate_activist")
    with pytest.raises(ReviewError) as early:
        ask(sides, applicant, on=date(2023, 2, 1))
    assert early.value.code == "stage_not_reviewable"


@pytest.mark.parametrize("who", ["b", "c", Role.AUDITOR, Role.INSTRUCTOR])
def test_only_who_may_change_the_dossier_writes_letters(sides, candidate, who):
    user = getattr(sides, who) if who in ("b", "c") else sides.user(who)
    with pytest.raises(PermissionDenied):
        reviews.request_review_side(dossier=candidate, side="residence", addressee="派出所", on=date(2024, 3, 12),
                                    by=user)
    review = ask(sides, candidate)
    with pytest.raises(PermissionDenied):
        reviews.record_review_reply(review=review, replied_on=date(2024, 3, 25), passed=True, conclusion="合格",
                                    by=user)
    assert PoliticalReview.objects.get(pk=review.pk).is_outstanding


def test_in_transit_neither_side_records_a_reply(sides, candidate):
    review = ask(sides, candidate)
    transfers.request_transfer(dossier=candidate, to_party_org=sides.org_b, on=date(2024, 3, 15), reason="调动",
                               by=sides.a)
    for worker in (sides.a, sides.b):
        assert PoliticalReview.objects.visible_to(worker).filter(pk=review.pk).exists()
        with pytest.raises(PermissionDenied):
            reviews.record_review_reply(review=review, replied_on=date(2024, 3, 25), passed=True, conclusion="合格",
                                        by=worker)


# ---- pages ------------------------------------------------------------------------------------

def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_progress_list_shows_outstanding_sides_with_their_age(sides, candidate, resident):
    old = ask(sides, candidate, "residence", on=date(2024, 3, 12))
    new = ask(sides, candidate, "employer", on=date(2024, 3, 20))
    done = reply(sides, ask(sides, resident, "employer", on=date(2024, 3, 1)), date(2024, 3, 31))
    response = client_of(sides.a).get(reverse("members:review-list"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["object_list"]] == [old.pk, new.pk, done.pk]
    cells = dict((obj.pk, row) for obj, row in response.context["rows"])
    assert cells[old.pk][-1] == (timezone.localdate() - date(2024, 3, 12)).days
    assert cells[done.pk][-1] == 30 and cells[done.pk][-2] == "合格"
    assert reverse("members:review-detail", args=[old.pk]) in response.content.decode()
    assert list(client_of(sides.b).get(reverse("members:review-list")).context["object_list"]) == []

    def listed(**params):
        return {r.pk for r in client_of(sides.a).get(reverse("members:review-list"), params).context["object_list"]}

    assert listed(outstanding="true") == {old.pk, new.pk}
    assert listed(side="employer") == {new.pk, done.pk}
    assert listed(township=sides.world.township_b.pk) == set()
    assert listed(q="钱本地") == {done.pk}
    export = client_of(sides.a).get(reverse("members:review-list"), {"export": "xlsx", "outstanding": "true"})
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and [r[0] for r in rows[1:]] == ["赵流动", "赵流动"]


def test_letter_form_from_a_dossier(sides, candidate):
    url = f"{reverse('members:review-create')}?dossier={candidate.pk}"
    page = client_of(sides.a).get(url)
    assert page.status_code == 200 and page.context["form"].initial["side"] == "residence"
    assert "流动人员" in page.content.decode()
    assert client_of(sides.b).get(url).status_code == 404
    assert Client().get(url).status_code == 302                     # to the login page
    auditor = Client()
    auditor.force_login(sides.user(Role.AUDITOR))
    assert auditor.get(url).status_code == 403
    form = {"dossier": candidate.pk, "side": "residence", "addressee": "某县公安局某派出所",
            "requested_on": "2024-03-12"}
    response = client_of(sides.a).post(url, form)
    review = PoliticalReview.objects.get(dossier=candidate)
    assert response.status_code == 302 and response["Location"] == reverse("members:review-detail", args=[review.pk])
    assert client_of(sides.a).get(url).context["form"].initial["side"] == "employer"
    again = client_of(sides.a).post(url, form)
    assert again.status_code == 200 and "不能重复发函" in again.content.decode()
    early = client_of(sides.a).post(url, {**form, "side": "employer", "requested_on": "2022-01-01"})
    assert early.status_code == 200 and "不能早于申请日期" in early.content.decode()
    assert PoliticalReview.objects.filter(dossier=candidate).count() == 1


def test_reply_form_with_upload_and_scoped_download(sides, candidate):
    review = ask(sides, candidate)
    url = reverse("members:review-reply", args=[review.pk])
    assert client_of(sides.a).get(url).status_code == 200
    assert client_of(sides.b).get(url).status_code == 404
    wrong = client_of(sides.a).post(url, {"replied_on": "2024-03-25", "passed": "1", "conclusion": "合格",
                                          "document": SimpleUploadedFile("回函.docx", b"PK\x03\x04")})
    assert wrong.status_code == 200 and "只能上传 PDF、JPG 或 PNG" in wrong.content.decode()
    early = client_of(sides.a).post(url, {"replied_on": "2024-03-01", "passed": "1", "conclusion": "合格"})
    assert early.status_code == 200 and "不能早于发函日期" in early.content.decode()
    assert PoliticalReview.objects.get(pk=review.pk).is_outstanding
    response = client_of(sides.a).post(url, {"replied_on": "2024-03-25", "passed": "0", "conclusion": "有不良记录",
                                             "document": SimpleUploadedFile("回函.pdf", PDF)})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.passed is False and review.conclusion == "有不良记录"
    detail = client_of(sides.a).get(reverse("members:review-detail", args=[review.pk]))
    assert 'id="document-link"' in detail.content.decode() and not detail.context["can_reply"]
    download = client_of(sides.a).get(reverse("members:review-document", args=[review.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert client_of(sides.b).get(reverse("members:review-document", args=[review.pk])).status_code == 404
    assert client_of(sides.a).get(url).status_code == 302            # already replied: back to the side's page


def test_detail_is_scoped(sides, candidate):
    review = ask(sides, candidate)
    url = reverse("members:review-detail", args=[review.pk])
    own = client_of(sides.a).get(url)
    assert own.status_code == 200 and own.context["can_reply"] and "未回函" in own.content.decode()
    assert client_of(sides.b).get(url).status_code == 404
    auditor = Client()
    auditor.force_login(sides.user(Role.AUDITOR))
    read_only = auditor.get(url)
    assert read_only.status_code == 200 and not read_only.context["can_reply"]
    assert auditor.post(reverse("members:review-reply", args=[review.pk]), {}).status_code == 403


# ---- API ---------------------------------------------------------------------------------------

def api_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_letter_reply_and_document(sides, candidate):
    client = sides.world.api_client_for(Role.API_CLIENT)
    url = reverse("api:political-review-list")
    data = {"dossier": candidate.pk, "side": "employer", "addressee": "某科技公司", "requested_on": "2024-03-12"}
    response = client.post(url, data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["side"] == "employer" and body["is_migrant"] is True and body["replied_on"] is None
    assert body["days_open"] == (timezone.localdate() - date(2024, 3, 12)).days
    twice = client.post(url, data, format="json")
    assert twice.status_code == 400 and twice.json()["code"] == "side_requested"
    pk = body["id"]
    reply_url = reverse("api:political-review-reply", args=[pk])
    early = client.post(reply_url, {"replied_on": "2024-03-01", "passed": True, "conclusion": "合格"}, format="json")
    assert early.status_code == 400 and "replied_on" in early.json()
    done = client.post(reply_url, {"replied_on": "2024-03-25", "passed": "true", "conclusion": "合格",
                                   "document": SimpleUploadedFile("reply.png", PNG)}, format="multipart")
    assert done.status_code == 200, done.json()
    assert done.json()["passed"] is True and done.json()["has_document"] is True and done.json()["days_open"] == 13
    document = client.get(reverse("api:political-review-document", args=[pk]))
    assert document.status_code == 200 and b"".join(document.streaming_content) == PNG
    assert [row["id"] for row in client.get(url, {"outstanding": "false"}).json()["results"]] == [pk]
    assert client.get(url, {"outstanding": "true"}).json()["results"] == []


def test_api_scope_and_read_only(sides, candidate):
    review = ask(sides, candidate)
    foreign = api_of(sides.b)
    assert foreign.get(reverse("api:political-review-list")).json()["results"] == []
    for name in ("api:political-review-detail", "api:political-review-document"):
        assert foreign.get(reverse(name, args=[review.pk])).status_code == 404
    assert foreign.post(reverse("api:political-review-reply", args=[review.pk]), {}, format="json").status_code == 404
    created = foreign.post(reverse("api:political-review-list"), {
        "dossier": candidate.pk, "side": "employer", "addressee": "x", "requested_on": "2024-03-12"}, format="json")
    assert created.status_code == 400 and "dossier" in created.json()
    auditor = sides.world.api_client_for(Role.AUDITOR)
    assert auditor.get(reverse("api:political-review-detail", args=[review.pk])).status_code == 200
    assert auditor.post(reverse("api:political-review-reply", args=[review.pk]),
                        {"replied_on": "2024-03-25", "passed": True, "conclusion": "合格"},
                        format="json").status_code == 403
    assert auditor.post(reverse("api:political-review-list"), {}, format="json").status_code == 403
    assert api_of(sides.a).get(reverse("api:political-review-document", args=[review.pk])).status_code == 404
    assert PoliticalReview.objects.get(pk=review.pk).is_outstanding


# ---- access table: every review URL, role by role ---------------------------------------------

PAGE_NAMES = ["members:review-list", "members:review-create", "members:review-detail", "members:review-reply",
              "members:review-document"]
API_NAMES = ["api:political-review-list", "api:political-review-detail", "api:political-review-reply",
             "api:political-review-document"]
# (role, url name, method, status) for a side of a dossier of township A (the world's own).
ACCESS = [
    (Role.TOWNSHIP_WORKER, "members:review-list", "get", 200),
    (Role.TOWNSHIP_WORKER, "members:review-create", "get", 200),
    (Role.TOWNSHIP_WORKER, "members:review-detail", "get", 200),
    (Role.TOWNSHIP_WORKER, "members:review-reply", "get", 200),
    (Role.TOWNSHIP_WORKER, "members:review-reply", "post", 302),
    (Role.TOWNSHIP_WORKER, "members:review-document", "get", 200),
    (Role.SECRETARY, "members:review-detail", "get", 200),
    (Role.SECRETARY, "members:review-reply", "post", 302),
    (Role.INSTRUCTOR, "members:review-detail", "get", 200),
    (Role.INSTRUCTOR, "members:review-reply", "get", 403),
    (Role.INSTRUCTOR, "members:review-create", "get", 403),
    (Role.AUDITOR, "members:review-list", "get", 200),
    (Role.AUDITOR, "members:review-document", "get", 200),
    (Role.AUDITOR, "members:review-reply", "post", 403),
    (Role.AUDITOR, "members:review-create", "get", 403),
    (Role.COUNTY_ADMIN, "members:review-reply", "post", 302),
    (Role.API_CLIENT, "api:political-review-list", "get", 200),
    (Role.API_CLIENT, "api:political-review-detail", "get", 200),
    (Role.API_CLIENT, "api:political-review-reply", "post", 200),
    (Role.API_CLIENT, "api:political-review-document", "get", 200),
    (Role.INSTRUCTOR, "api:political-review-detail", "get", 200),
    (Role.INSTRUCTOR, "api:political-review-reply", "post", 403),
    (Role.AUDITOR, "api:political-review-reply", "post", 403),
    (Role.SECRETARY, "api:political-review-reply", "post", 200),
]


@pytest.mark.parametrize("role,name,method,status", ACCESS)
def test_access(sides, candidate, role, name, method, status):
    review = ask(sides, candidate)
    if name.endswith("document"):
        reply(sides, review, date(2024, 3, 20), document=SimpleUploadedFile("r.pdf", PDF))
    url = reverse(name, args=[] if name.endswith(("-list", "-create")) else [review.pk])
    data = {"replied_on": "2024-03-25", "passed": "1" if name.startswith("members:") else True, "conclusion": "合格"}
    if name.startswith("api:"):
        client = sides.world.api_client_for(role)
        response = client.post(url, data, format="json") if method == "post" else client.get(url)
    else:
        client = sides.world.client_for(role)
        response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == status
    if status >= 400:
        assert PoliticalReview.objects.get(pk=review.pk).is_outstanding


def test_access_table_covers_every_review_url():
    named = set()
    stack = [(pattern, "") for pattern in get_resolver().url_patterns]
    while stack:
        node, prefix = stack.pop()
        if hasattr(node, "url_patterns"):
            stack.extend((child, f"{prefix}{node.namespace}:" if node.namespace else prefix)
                         for child in node.url_patterns)
        elif node.name and "review" in node.name and "-format" not in node.name:
            named.add(f"{prefix}{node.name}")
    assert named == set(PAGE_NAMES + API_NAMES)
    assert {row[1] for row in ACCESS} == set(PAGE_NAMES + API_NAMES)


def test_progress_lists_do_not_query_per_row(sides, candidate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ask(sides, candidate)
    page, api = client_of(sides.a), api_of(sides.a)

    def queries():
        with CaptureQueriesContext(connection) as page_queries:
            assert page.get(reverse("members:review-list")).status_code == 200
        with CaptureQueriesContext(connection) as api_queries:
            assert api.get(reverse("api:political-review-list")).status_code == 200
        return len(page_queries), len(api_queries)

    queries()                       # warm the per-user scope and content-type caches
    one = queries()
    ask(sides, candidate, "employer")
    ask(sides, advance(sides, "political_review", name="孙多"))
    assert queries() == one
