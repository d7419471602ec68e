"""Transfers (转接): the dossier moves with its whole history and, if the receiver
accepts it, its cultivation time; while in transit both sides see it and neither
changes it; accept / reject / return / outside-the-county flows; who may do what;
the list both sides share (days in transit, filters, export) and the API."""
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Role
from members import reviews, services, transfers
from members.choices import DossierState, EndKind, Membership, Stage
from members.errors import StepRefused
from members.models import Dossier, StepRecord, Transfer, TransferState
from members.transfers import TransferError
from tests.factories import MemberFactory, OrganizationFactory, PartyOrganizationFactory, PersonFactory, \
    TownshipFactory, UserFactory
from tests.members.test_journey import JOURNEY, resolve

OUTSIDE = "外省某市某科技有限公司党支部"


@dataclass
class Sides:
    """Township A sends (worker ``a``), township B receives (worker ``b``); township C
    is foreign to both (worker ``c``)."""

    world: object
    a: object
    b: object
    c: object
    org_a: object
    org_b: object
    unit_b: object

    def user(self, role):
        return self.world.users[role]


@pytest.fixture
def sides(world) -> Sides:
    return make_sides(world)


def make_sides(world) -> Sides:
    worker_b = UserFactory(username="worker_b", role=Role.TOWNSHIP_WORKER)
    worker_b.scope_areas.add(world.township_b)
    township_c = TownshipFactory(parent=world.county, name="丙镇")
    PartyOrganizationFactory(area=township_c)
    worker_c = UserFactory(username="worker_c", role=Role.TOWNSHIP_WORKER)
    worker_c.scope_areas.add(township_c)
    return Sides(world=world, a=world.users[Role.TOWNSHIP_WORKER], b=worker_b, c=worker_c,
                 org_a=world.obj("party_organization", "own"), org_b=world.obj("party_organization", "foreign"),
                 unit_b=world.obj("organization", "foreign"))


def advance(sides: Sides, until: str | None, **person) -> Dossier:
    """A dossier of township A with every JOURNEY step before the first ``until``."""
    person = PersonFactory(current_unit=sides.world.obj("organization", "own"), **person)
    mentors = {"m1": MemberFactory().pk, "m2": MemberFactory().pk}
    dossier = services.start_dossier(person=person, party_org=sides.org_a, applied_on=date(2023, 1, 10), by=sides.a)
    for step, on, data in JOURNEY:
        if step == until:
            break
        if step == "political_review":
            review = reviews.request_review_side(dossier=dossier, side="residence", addressee="户籍地派出所",
                                                 on=date(2024, 3, 12), by=sides.a)
            reviews.record_review_reply(review=review, replied_on=date(2024, 4, 1), passed=True,
                                        conclusion="政治审查合格", by=sides.a)
        services.take_step(dossier=dossier, step=step, on=on, data=resolve(data, mentors), by=sides.a)
    dossier.refresh_from_db()
    return dossier


def send(sides: Sides, dossier, on=date(2024, 2, 5), **kwargs) -> Transfer:
    kwargs.setdefault("to_party_org", sides.org_b)
    kwargs.setdefault("reason", "调动到新单位工作")
    return transfers.request_transfer(dossier=dossier, on=on, by=sides.a, **kwargs)


def refused_codes(dossier, step, on, data, by) -> set[str]:
    with pytest.raises(StepRefused) as refused:
        services.take_step(dossier=dossier, step=step, on=on, data=data, by=by)
    return {p["code"] for p in refused.value.data["problems"]}


@pytest.fixture
def activist(sides):
    """An activist examined twice (last on 2024-02-01), designated on 2023-03-01."""
    return advance(sides, "designate_candidate")


# ---- in transit -------------------------------------------------------------------------

def test_request_puts_the_dossier_in_transit_visible_to_both_sides_editable_by_neither(sides, activist):
    transfer = send(sides, activist)
    activist.refresh_from_db()
    assert activist.state == DossierState.IN_TRANSIT and activist.party_org == sides.org_a
    assert transfer.state == TransferState.REQUESTED and transfer.from_party_org == sides.org_a
    for worker in (sides.a, sides.b):
        assert Dossier.objects.visible_to(worker).filter(pk=activist.pk).exists()
        assert not Dossier.objects.editable_by(worker).filter(pk=activist.pk).exists()
        with pytest.raises(PermissionDenied):
            services.take_step(dossier=activist, step="activist_review", on=date(2024, 2, 6),
                               data={"conclusion": "良好"}, by=worker)
    assert not Dossier.objects.visible_to(sides.c).filter(pk=activist.pk).exists()
    assert activist.records.count() == 7
    assert activist.history.first().history_user == sides.a and transfer.history.first().history_user == sides.a


def test_in_transit_pages_and_api_are_read_only_for_both_sides(sides, activist):
    send(sides, activist)
    step_page = reverse("members:dossier-step", args=[activist.pk, "activist_review"])
    step_api = reverse("api:dossier-take-step", args=[activist.pk])
    payload = {"step": "activist_review", "on": "2024-02-06", "data": {"conclusion": "良好"}}
    for worker in (sides.a, sides.b):
        page = client_of(sides, worker)
        assert page.get(activist.get_absolute_url()).status_code == 200
        assert page.post(step_page, {"taken_on": "2024-02-06", "conclusion": "良好"}).status_code == 403
        api = api_of(sides, worker)
        assert api.get(reverse("api:dossier-detail", args=[activist.pk])).status_code == 200
        assert api.post(step_api, payload, format="json").status_code == 403
    assert client_of(sides, sides.c).get(activist.get_absolute_url()).status_code == 404
    assert api_of(sides, sides.c).get(reverse("api:dossier-detail", args=[activist.pk])).status_code == 404
    assert StepRecord.objects.filter(dossier=activist).count() == 7


# ---- accept: history and cultivation time --------------------------------------------------

def test_accept_carrying_cultivation_keeps_history_and_time(sides, activist):
    transfer = send(sides, activist)
    transfers.accept_transfer(transfer=transfer, on=date(2024, 2, 10), carry_cultivation=True, note="同意", by=sides.b)
    activist.refresh_from_db()
    transfer.refresh_from_db()
    assert activist.party_org == sides.org_b and activist.state == DossierState.ACTIVE
    assert activist.cultivation_start == date(2023, 3, 1) and activist.last_contact_on == date(2024, 2, 10)
    assert transfer.state == TransferState.ACCEPTED and transfer.carry_cultivation is True
    assert transfer.decided_by == sides.b and transfer.history.first().history_user == sides.b
    assert activist.history.first().history_user == sides.b
    assert "转接接收" in activist.history.first().history_change_reason
    # Every earlier record stays, each with the organization that took it.
    assert set(activist.records.values_list("party_org", flat=True)) == {sides.org_a.pk}
    assert activist.records.count() == 7
    # One year from the original designation (2023-03-01), not from the acceptance.
    assert "cultivation_too_short" in refused_codes(activist, "designate_candidate", date(2024, 2, 29), {}, sides.b)
    record = services.take_step(dossier=activist, step="designate_candidate", on=date(2024, 3, 1), by=sides.b)
    assert record.party_org == sides.org_b
    with pytest.raises(PermissionDenied):
        services.take_step(dossier=activist, step="file_candidate", on=date(2024, 3, 2), by=sides.a)


def test_accept_without_carrying_restarts_cultivation_at_acceptance(sides, activist):
    transfer = send(sides, activist)
    transfers.accept_transfer(transfer=transfer, on=date(2024, 2, 10), carry_cultivation=False, note="", by=sides.b)
    activist.refresh_from_db()
    assert activist.cultivation_start == date(2024, 2, 10) and activist.activist_on == date(2023, 3, 1)
    assert Transfer.objects.get(pk=transfer.pk).carry_cultivation is False
    # The original year is over on 2024-03-04, but time here starts at the acceptance.
    assert "cultivation_too_short" in refused_codes(activist, "designate_candidate", date(2024, 3, 4), {}, sides.b)
    services.take_step(dossier=activist, step="activist_review", on=date(2024, 8, 1), data={"conclusion": "良好"},
                       by=sides.b)
    services.take_step(dossier=activist, step="activist_review", on=date(2025, 1, 20), data={"conclusion": "良好"},
                       by=sides.b)
    activist.refresh_from_db()
    assert activist.cultivation_start == date(2024, 2, 10), "refresh_derived must keep the transfer's start"
    assert refused_codes(activist, "designate_candidate", date(2025, 2, 9), {}, sides.b) == {"cultivation_too_short"}
    services.take_step(dossier=activist, step="designate_candidate", on=date(2025, 2, 10), by=sides.b)
    activist.refresh_from_db()
    assert activist.stage == Stage.CANDIDATE and activist.candidate_on == date(2025, 2, 10)


def test_probationary_member_is_judged_for_full_membership_by_the_new_branch(sides):
    dossier = advance(sides, "probation_review")
    assert dossier.stage == Stage.PROBATIONARY
    transfer = send(sides, dossier, on=date(2024, 8, 1), new_unit=sides.unit_b)
    transfers.accept_transfer(transfer=transfer, on=date(2024, 8, 10), carry_cultivation=True, note="", by=sides.b)
    dossier.refresh_from_db()
    person = dossier.person
    person.refresh_from_db()
    assert Transfer.objects.get(pk=transfer.pk).carry_cultivation is None   # nothing to carry after cultivation
    assert person.member_party_org == sides.org_b and person.membership == Membership.PROBATIONARY
    assert person.current_unit == sides.unit_b
    assert person.history.first().history_user == sides.b
    services.take_step(dossier=dossier, step="probation_review", on=date(2024, 12, 1), data={"conclusion": "合格"},
                       by=sides.b)
    services.take_step(dossier=dossier, step="full_application", on=date(2025, 5, 20), by=sides.b)
    vote = {"outcome": "full", "publicity_start": "2025-05-21", "publicity_end": "2025-05-27",
            "voting_members": 9, "present": 7, "in_favor": 6}
    with pytest.raises(PermissionDenied):
        services.take_step(dossier=dossier, step="full_vote", on=date(2025, 6, 3), data=vote, by=sides.a)
    record = services.take_step(dossier=dossier, step="full_vote", on=date(2025, 6, 3), data=vote, by=sides.b)
    assert record.party_org == sides.org_b
    before = dossier.records.filter(taken_on__lt=date(2024, 8, 1)).values_list("party_org", flat=True)
    assert set(before) == {sides.org_a.pk} and len(before) == 21


# ---- reject, return, outside the county ----------------------------------------------------

@pytest.mark.parametrize("decide,state", [(transfers.reject_transfer, TransferState.REJECTED),
                                          (transfers.return_transfer, TransferState.RETURNED)])
def test_reject_or_return_leaves_the_dossier_active_with_the_sender(sides, activist, decide, state):
    transfer = send(sides, activist)
    with pytest.raises(TransferError) as no_note:
        decide(transfer=transfer, on=date(2024, 2, 10), note=" ", by=sides.b)
    assert no_note.value.code == "note_required"
    decide(transfer=transfer, on=date(2024, 2, 10), note="本人未到岗", by=sides.b)
    activist.refresh_from_db()
    transfer.refresh_from_db()
    assert transfer.state == state and transfer.decision_note == "本人未到岗" and transfer.decided_by == sides.b
    assert activist.state == DossierState.ACTIVE and activist.party_org == sides.org_a
    assert activist.cultivation_start == date(2023, 3, 1)
    assert not Dossier.objects.visible_to(sides.b).filter(pk=activist.pk).exists()
    assert Transfer.objects.visible_to(sides.b).filter(pk=transfer.pk).exists()   # the receiver keeps its trace
    services.take_step(dossier=activist, step="designate_candidate", on=date(2024, 3, 4), by=sides.a)
    # And the dossier may be sent again, elsewhere.
    again = send(sides, activist, on=date(2024, 3, 5))
    assert again.state == TransferState.REQUESTED


def test_outside_the_county_ends_the_dossier_here_with_its_history(sides, activist):
    transfer = send(sides, activist, to_party_org=None, to_outside=f"  {OUTSIDE} ")
    assert transfer.to_outside == OUTSIDE
    assert not Transfer.objects.visible_to(sides.b).filter(pk=transfer.pk).exists()
    with pytest.raises(TransferError):
        transfers.accept_transfer(transfer=transfer, on=date(2024, 2, 10), carry_cultivation=True, note="", by=sides.a)
    with pytest.raises(PermissionDenied):
        transfers.confirm_outside_transfer(transfer=transfer, confirmed_on=date(2024, 2, 20), by=sides.b)
    with pytest.raises(TransferError) as early:
        transfers.confirm_outside_transfer(transfer=transfer, confirmed_on=date(2024, 2, 4), by=sides.a)
    assert "转出日期" in early.value.message
    transfers.confirm_outside_transfer(transfer=transfer, confirmed_on=date(2024, 2, 20), note="回执2024-17",
                                       by=sides.a)
    activist.refresh_from_db()
    assert activist.state == DossierState.ENDED and activist.end_kind == EndKind.TRANSFERRED_OUT
    assert activist.ended_on == date(2024, 2, 20) and OUTSIDE in activist.end_note
    assert activist.records.count() == 7 and activist.party_org == sides.org_a
    assert Transfer.objects.get(pk=transfer.pk).state == TransferState.ACCEPTED
    assert activist.history.first().history_user == sides.a


def test_outside_receiver_refusal_is_recorded_by_the_sender(sides, activist):
    transfer = send(sides, activist, to_party_org=None, to_outside=OUTSIDE)
    transfers.return_transfer(transfer=transfer, on=date(2024, 2, 15), note="对方称本人未报到", by=sides.a)
    activist.refresh_from_db()
    assert activist.state == DossierState.ACTIVE and activist.party_org == sides.org_a


# ---- refusals and denials ---------------------------------------------------------------------

def test_one_pending_transfer_per_dossier_with_a_clear_message(sides, activist):
    send(sides, activist)
    with pytest.raises(TransferError) as pending:
        send(sides, activist, on=date(2024, 2, 6), to_party_org=None, to_outside=OUTSIDE)
    assert pending.value.code == "transfer_pending"
    assert "待接收" in pending.value.message and sides.org_b.name in pending.value.message
    assert Transfer.objects.filter(dossier=activist).count() == 1


@pytest.mark.parametrize("kwargs,code", [
    ({"to_party_org": None}, "receiver_required"),
    ({"to_outside": OUTSIDE}, "receiver_required"),
    ({"on": date(2024, 1, 31)}, "date_too_early"),      # before the last step (2024-02-01)
    ({"on": "tomorrow"}, "date_in_future"),
    ({"reason": " "}, "reason_required"),
])
def test_bad_requests_are_refused_in_chinese_and_change_nothing(sides, activist, kwargs, code):
    if kwargs.get("on") == "tomorrow":  # resolved at run time: the suite may cross midnight after collection
        kwargs = {"on": timezone.localdate() + timedelta(days=1)}
    with pytest.raises(TransferError) as refused:
        send(sides, activist, **kwargs)
    assert refused.value.code == code
    activist.refresh_from_db()
    assert activist.state == DossierState.ACTIVE and not Transfer.objects.exists()


def test_same_party_org_and_closed_dossiers_cannot_be_sent(sides, activist):
    with pytest.raises(TransferError) as same:
        send(sides, activist, to_party_org=sides.org_a)
    assert same.value.code == "same_party_org"
    services.end_dossier(dossier=activist, kind=EndKind.WITHDRAWN, reason="withdrew", on=date(2024, 2, 5), by=sides.a)
    with pytest.raises(TransferError) as closed:
        send(sides, activist, on=date(2024, 2, 6))
    assert closed.value.code == "dossier_closed"


@pytest.mark.parametrize("who", ["b", "c", Role.AUDITOR, Role.INSTRUCTOR])
def test_only_the_sending_side_may_request(sides, activist, who):
    user = getattr(sides, who) if who in ("b", "c") else sides.user(who)
    with pytest.raises(PermissionDenied):
        transfers.request_transfer(dossier=activist, to_party_org=sides.org_b, on=date(2024, 2, 5), reason="",
                                   by=user)
    activist.refresh_from_db()
    assert activist.state == DossierState.ACTIVE and not Transfer.objects.exists()


@pytest.mark.parametrize("who", ["a", "c", Role.AUDITOR, Role.SECRETARY])
def test_only_the_receiving_side_may_decide_and_a_denial_changes_nothing(sides, activist, who):
    transfer = send(sides, activist)
    user = getattr(sides, who) if who in ("a", "c") else sides.user(who)
    for decide in (transfers.reject_transfer, transfers.return_transfer):
        with pytest.raises(PermissionDenied):
            decide(transfer=transfer, on=date(2024, 2, 10), note="不接收", by=user)
    with pytest.raises(PermissionDenied):
        transfers.accept_transfer(transfer=transfer, on=date(2024, 2, 10), carry_cultivation=True, note="", by=user)
    transfer.refresh_from_db()
    activist.refresh_from_db()
    assert transfer.state == TransferState.REQUESTED and activist.state == DossierState.IN_TRANSIT
    assert activist.party_org == sides.org_a


def test_a_decided_transfer_cannot_be_decided_again(sides, activist):
    transfer = send(sides, activist)
    with pytest.raises(TransferError) as early:
        transfers.accept_transfer(transfer=transfer, on=date(2024, 2, 4), carry_cultivation=True, note="", by=sides.b)
    assert early.value.code == "date_too_early"
    transfers.accept_transfer(transfer=transfer, on=date(2024, 2, 10), carry_cultivation=True, note="", by=sides.b)
    with pytest.raises(TransferError) as twice:
        transfers.reject_transfer(transfer=transfer, on=date(2024, 2, 11), note="重复", by=sides.b)
    assert twice.value.code == "transfer_decided"


# ---- pages ------------------------------------------------------------------------------------

def client_of(sides, user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_shows_a_pending_transfer_on_both_sides_with_days_in_transit(sides, activist):
    older = advance(sides, "designate_candidate")
    first = send(sides, older, on=date(2024, 2, 2))
    second = send(sides, activist, on=date(2024, 2, 5))
    decided = send(sides, advance(sides, "designate_candidate"), on=date(2024, 2, 3))
    transfers.reject_transfer(transfer=decided, on=date(2024, 2, 4), note="不符合条件", by=sides.b)
    days = (timezone.localdate() - date(2024, 2, 2)).days
    for worker in (sides.a, sides.b):
        response = client_of(sides, worker).get(reverse("members:transfer-list"))
        assert response.status_code == 200
        assert [t.pk for t in response.context["object_list"]] == [first.pk, second.pk, decided.pk]
        body = response.content.decode()
        assert f"在途 {days} 天" in body and f"在途 {days - 3} 天" in body
        assert reverse("members:transfer-detail", args=[first.pk]) in body
    outsider = client_of(sides, sides.c).get(reverse("members:transfer-list"))
    assert list(outsider.context["object_list"]) == []


def test_list_filters_and_htmx_fragment(sides):
    activist = advance(sides, "designate_candidate", name="王小明")
    inside = send(sides, activist)
    outside = send(sides, advance(sides, "designate_candidate", name="李大华"), to_party_org=None,
                   to_outside=OUTSIDE)
    url = reverse("members:transfer-list")

    def listed(user, **params):
        return {t.pk for t in client_of(sides, user).get(url, params).context["object_list"]}

    assert listed(sides.a, direction="out") == {inside.pk, outside.pk}
    assert listed(sides.a, direction="in") == set()
    assert listed(sides.b, direction="in") == {inside.pk}
    assert listed(sides.a, direction="outside") == {outside.pk}
    assert listed(sides.a, township=sides.world.township_b.pk) == {inside.pk}
    assert listed(sides.a, state="requested") == {inside.pk, outside.pk}
    assert listed(sides.a, state="accepted") == set()
    assert listed(sides.a, q="王小明") == {inside.pk}
    assert listed(sides.a, q="ldh") == {outside.pk}        # pinyin initials
    fragment = client_of(sides, sides.a).get(url, {"q": "王小明"}, HTTP_HX_REQUEST="true")
    assert fragment.templates[0].name == "members/transfer_table.html"
    assert "<nav class=\"navbar" not in fragment.content.decode()


def test_export_lists_the_scope_with_days_in_transit(sides, activist):
    send(sides, activist)
    response = client_of(sides, sides.b).get(reverse("members:transfer-list"), {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and "在途" in rows[0]
    assert len(rows) == 2 and rows[1][0] == activist.person.name
    assert rows[1][rows[0].index("在途")] == f"在途 {(timezone.localdate() - date(2024, 2, 5)).days} 天"
    empty = client_of(sides, sides.c).get(reverse("members:transfer-list"), {"export": "xlsx"})
    assert len(list(load_workbook(BytesIO(empty.content)).active.iter_rows())) == 1


def test_detail_offers_each_side_its_own_actions(sides, activist):
    transfer = send(sides, activist)
    url = reverse("members:transfer-detail", args=[transfer.pk])
    receiver = client_of(sides, sides.b).get(url)
    assert [a["name"] for a in receiver.context["action_forms"]] == ["accept", "reject", "return"]
    body = receiver.content.decode()
    assert "认可已培养时间" in body and "data-confirm" in body and 'id="records"' in body
    sender = client_of(sides, sides.a).get(url)
    assert sender.context["action_forms"] == [] and 'id="waiting"' in sender.content.decode()
    assert client_of(sides, sides.c).get(url).status_code == 404
    auditor = sides.world.client_for(Role.AUDITOR).get(url)
    assert auditor.status_code == 200 and auditor.context["action_forms"] == []


def test_accept_page_moves_the_dossier_and_the_sender_is_refused(sides, activist):
    transfer = send(sides, activist)
    url = reverse("members:transfer-accept", args=[transfer.pk])
    form = {"accept-decided_on": "2024-02-10", "accept-carry_cultivation": "on", "accept-note": "同意接收"}
    assert client_of(sides, sides.a).post(url, form).status_code == 403
    assert client_of(sides, sides.c).post(url, form).status_code == 404
    assert sides.world.client_for(Role.AUDITOR).post(url, form).status_code == 403
    assert Transfer.objects.get(pk=transfer.pk).state == TransferState.REQUESTED
    early = client_of(sides, sides.b).post(url, {**form, "accept-decided_on": "2024-02-01"})
    assert early.status_code == 200 and "不能早于转出日期" in early.content.decode()
    assert Transfer.objects.get(pk=transfer.pk).state == TransferState.REQUESTED
    response = client_of(sides, sides.b).post(url, form)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:transfer-detail", args=[transfer.pk])
    activist.refresh_from_db()
    assert activist.party_org == sides.org_b and activist.cultivation_start == date(2023, 3, 1)
    assert client_of(sides, sides.b).get(reverse("members:transfer-accept", args=[transfer.pk])).status_code == 405


def test_accept_page_without_carrying(sides, activist):
    transfer = send(sides, activist)
    client_of(sides, sides.b).post(reverse("members:transfer-accept", args=[transfer.pk]),
                                   {"accept-decided_on": "2024-02-10", "accept-note": ""})
    activist.refresh_from_db()
    assert activist.cultivation_start == date(2024, 2, 10)


@pytest.mark.parametrize("name,state", [("reject", TransferState.REJECTED), ("return", TransferState.RETURNED)])
def test_reject_and_return_pages(sides, activist, name, state):
    transfer = send(sides, activist)
    url = reverse(f"members:transfer-{name}", args=[transfer.pk])
    missing = client_of(sides, sides.b).post(url, {f"{name}-decided_on": "2024-02-10", f"{name}-note": ""})
    assert missing.status_code == 200 and Transfer.objects.get(pk=transfer.pk).state == TransferState.REQUESTED
    response = client_of(sides, sides.b).post(url, {f"{name}-decided_on": "2024-02-10", f"{name}-note": "单位有误"})
    assert response.status_code == 302
    assert Transfer.objects.get(pk=transfer.pk).state == state
    assert Dossier.objects.get(pk=activist.pk).state == DossierState.ACTIVE


def test_confirm_outside_page(sides, activist):
    transfer = send(sides, activist, to_party_org=None, to_outside=OUTSIDE)
    detail = client_of(sides, sides.a).get(reverse("members:transfer-detail", args=[transfer.pk]))
    assert [a["name"] for a in detail.context["action_forms"]] == ["confirm_outside", "reject", "return"]
    url = reverse("members:transfer-confirm-outside", args=[transfer.pk])
    form = {"confirm_outside-confirmed_on": "2024-02-20", "confirm_outside-note": "回执"}
    assert sides.world.client_for(Role.AUDITOR).post(url, form).status_code == 403
    assert client_of(sides, sides.a).post(url, form).status_code == 302
    assert Dossier.objects.get(pk=activist.pk).end_kind == EndKind.TRANSFERRED_OUT


def test_request_page_from_a_dossier(sides, activist):
    url = f"{reverse('members:transfer-create')}?dossier={activist.pk}"
    page = client_of(sides, sides.a).get(url)
    assert page.status_code == 200
    choices = [label for _, label in page.context["form"].fields["to_party_org"].choices]
    assert f"{sides.org_b.name}（乙镇）" in choices      # any party organization of the county
    assert client_of(sides, sides.b).get(url).status_code == 404
    assert sides.world.client_for(Role.AUDITOR).get(url).status_code == 403
    assert sides.world.client_for(Role.INSTRUCTOR).get(reverse("members:transfer-create")).status_code == 403
    form = {"dossier": activist.pk, "to_party_org": sides.org_b.pk, "to_outside": "", "new_unit": sides.unit_b.pk,
            "requested_on": "2024-02-05", "reason": "调动到新单位工作"}
    response = client_of(sides, sides.a).post(url, form)
    transfer = Transfer.objects.get(dossier=activist)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:transfer-detail", args=[transfer.pk])
    assert transfer.new_unit == sides.unit_b and transfer.requested_by == sides.a
    again = client_of(sides, sides.a).post(url, {**form, "requested_on": "2024-02-06"})
    assert again.status_code == 200 and "待接收的转接" in again.content.decode()
    assert Transfer.objects.filter(dossier=activist).count() == 1


def test_request_page_without_a_dossier_offers_the_editable_ones(sides, activist):
    page = client_of(sides, sides.a).get(reverse("members:transfer-create"))
    assert list(page.context["form"].fields["dossier"].queryset) == [activist]
    assert list(client_of(sides, sides.b).get(reverse("members:transfer-create"))
                .context["form"].fields["dossier"].queryset) == []


# ---- API ---------------------------------------------------------------------------------------

def api_of(sides, user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_request_accept_and_read(sides, activist):
    client = sides.world.api_client_for(Role.API_CLIENT)     # token client of township A
    response = client.post(reverse("api:transfer-list"), {
        "dossier": activist.pk, "to_party_org": sides.org_b.pk, "new_unit": sides.unit_b.pk,
        "requested_on": "2024-02-05", "reason": "调动"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "requested" and body["to_township"] == "乙镇"
    assert body["days_in_transit"] == (timezone.localdate() - date(2024, 2, 5)).days
    pk = body["id"]
    for user in (sides.a, sides.b):
        assert [row["id"] for row in api_of(sides, user).get(reverse("api:transfer-list")).json()["results"]] == [pk]
    assert api_of(sides, sides.c).get(reverse("api:transfer-detail", args=[pk])).status_code == 404
    accept = reverse("api:transfer-accept", args=[pk])
    data = {"decided_on": "2024-02-10", "carry_cultivation": False, "note": "同意"}
    assert client.post(accept, data, format="json").status_code == 403
    assert api_of(sides, sides.c).post(accept, data, format="json").status_code == 404
    assert sides.world.api_client_for(Role.AUDITOR).post(accept, data, format="json").status_code == 403
    response = api_of(sides, sides.b).post(accept, data, format="json")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    assert response.json()["carry_cultivation"] is False and response.json()["days_in_transit"] is None
    assert Dossier.objects.get(pk=activist.pk).cultivation_start == date(2024, 2, 10)
    again = api_of(sides, sides.b).post(accept, data, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "transfer_decided" and "已处理" in again.json()["message"]


def test_api_filters(sides, activist):
    inside = send(sides, activist)
    send(sides, advance(sides, "designate_candidate"), to_party_org=None, to_outside=OUTSIDE)
    client = api_of(sides, sides.a)
    ids = [row["id"] for row in client.get(reverse("api:transfer-list"), {"direction": "in"}).json()["results"]]
    assert ids == []
    ids = [row["id"] for row in client.get(reverse("api:transfer-list"),
                                          {"township": sides.world.township_b.pk}).json()["results"]]
    assert ids == [inside.pk]


@pytest.mark.parametrize("name,state", [("reject", "rejected"), ("return", "returned")])
def test_api_reject_and_return(sides, activist, name, state):
    transfer = send(sides, activist)
    url = reverse(f"api:transfer-{name}", args=[transfer.pk])
    missing = api_of(sides, sides.b).post(url, {"decided_on": "2024-02-10"}, format="json")
    assert missing.status_code == 400 and "note" in missing.json()
    response = api_of(sides, sides.b).post(url, {"decided_on": "2024-02-10", "note": "本人未到"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == state


def test_api_confirm_outside_and_errors_as_json(sides, activist):
    transfer = send(sides, activist, to_party_org=None, to_outside=OUTSIDE)
    url = reverse("api:transfer-confirm-outside", args=[transfer.pk])
    wrong = api_of(sides, sides.a).post(reverse("api:transfer-accept", args=[transfer.pk]),
                                        {"decided_on": "2024-02-10", "carry_cultivation": True}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "outside_transfer"
    response = api_of(sides, sides.a).post(url, {"confirmed_on": "2024-02-20"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    assert Dossier.objects.get(pk=activist.pk).end_kind == EndKind.TRANSFERRED_OUT


def test_api_create_refusals(sides, activist):
    url = reverse("api:transfer-list")
    data = {"dossier": activist.pk, "to_party_org": sides.org_b.pk, "requested_on": "2024-02-05", "reason": "调动"}
    assert sides.world.api_client_for(Role.AUDITOR).post(url, data, format="json").status_code == 403
    foreign = api_of(sides, sides.b).post(url, data, format="json")
    assert foreign.status_code == 400 and "dossier" in foreign.json()      # not even visible
    neither = api_of(sides, sides.a).post(url, {**data, "to_party_org": None}, format="json")
    assert neither.status_code == 400 and neither.json()["code"] == "receiver_required"
    assert not Transfer.objects.exists()


# ---- access table: every transfer URL, role by role ----------------------------------------------

PAGE_NAMES = ["members:transfer-list", "members:transfer-create", "members:transfer-detail",
              "members:transfer-accept", "members:transfer-reject", "members:transfer-return",
              "members:transfer-confirm-outside"]
API_NAMES = ["api:transfer-list", "api:transfer-detail", "api:transfer-accept", "api:transfer-reject",
             "api:transfer-return", "api:transfer-confirm-outside"]
# (role, url name, status) for a transfer from township A to township B, seen by each role
# of the world (whose scope is township A: the sending side).
ACCESS = [
    (Role.TOWNSHIP_WORKER, "members:transfer-list", "get", 200),
    (Role.TOWNSHIP_WORKER, "members:transfer-create", "get", 200),
    (Role.TOWNSHIP_WORKER, "members:transfer-detail", "get", 200),
    (Role.TOWNSHIP_WORKER, "members:transfer-accept", "post", 403),
    (Role.TOWNSHIP_WORKER, "members:transfer-reject", "post", 403),
    (Role.TOWNSHIP_WORKER, "members:transfer-return", "post", 403),
    (Role.TOWNSHIP_WORKER, "members:transfer-confirm-outside", "post", 302),   # refused: not outside
    (Role.SECRETARY, "members:transfer-detail", "get", 200),
    (Role.SECRETARY, "members:transfer-create", "get", 200),
    (Role.SECRETARY, "members:transfer-accept", "post", 403),
    (Role.INSTRUCTOR, "members:transfer-list", "get", 200),
    (Role.INSTRUCTOR, "members:transfer-detail", "get", 200),
    (Role.INSTRUCTOR, "members:transfer-create", "get", 403),
    (Role.INSTRUCTOR, "members:transfer-reject", "post", 403),
    (Role.AUDITOR, "members:transfer-detail", "get", 200),
    (Role.AUDITOR, "members:transfer-create", "get", 403),
    (Role.AUDITOR, "members:transfer-return", "post", 403),
    (Role.COUNTY_ADMIN, "members:transfer-detail", "get", 200),
    (Role.COUNTY_ADMIN, "members:transfer-reject", "post", 302),
    (Role.API_CLIENT, "api:transfer-list", "get", 200),
    (Role.API_CLIENT, "api:transfer-detail", "get", 200),
    (Role.API_CLIENT, "api:transfer-accept", "post", 403),
    (Role.API_CLIENT, "api:transfer-reject", "post", 403),
    (Role.API_CLIENT, "api:transfer-return", "post", 403),
    (Role.API_CLIENT, "api:transfer-confirm-outside", "post", 400),     # not an outside transfer
    (Role.AUDITOR, "api:transfer-detail", "get", 200),
    (Role.AUDITOR, "api:transfer-reject", "post", 403),
    (Role.INSTRUCTOR, "api:transfer-accept", "post", 403),
    (Role.COUNTY_ADMIN, "api:transfer-accept", "post", 200),
]


@pytest.mark.parametrize("role,name,method,status", ACCESS)
def test_access(sides, activist, role, name, method, status):
    transfer = send(sides, activist)
    needs_pk = not name.endswith(("-list", "-create"))
    url = reverse(name, args=[transfer.pk] if needs_pk else [])
    if name.startswith("api:"):
        client = sides.world.api_client_for(role)
        data = {"decided_on": "2024-02-10", "confirmed_on": "2024-02-10", "carry_cultivation": True, "note": "理由"}
        response = getattr(client, method)(url, data, format="json") if method == "post" else client.get(url)
    else:
        client = sides.world.client_for(role)
        action = name.removeprefix("members:transfer-").replace("-", "_")
        data = {f"{action}-decided_on": "2024-02-10", f"{action}-confirmed_on": "2024-02-10",
                f"{action}-note": "理由"}
        response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == status
    if status >= 400:
        assert Transfer.objects.get(pk=transfer.pk).state == TransferState.REQUESTED


def test_foreign_transfer_is_404_everywhere(sides):
    """A transfer between townships B and C is foreign to every account of township A."""
    org_c = PartyOrganizationFactory(area=sides.c.scope_areas.get())
    person = PersonFactory(current_unit=OrganizationFactory(township=sides.world.township_b))
    dossier = services.start_dossier(person=person, party_org=sides.org_b, applied_on=date(2023, 1, 10), by=sides.b)
    transfer = transfers.request_transfer(dossier=dossier, to_party_org=org_c, on=date(2023, 2, 1), reason="调动",
                                          by=sides.b)
    for role in (Role.TOWNSHIP_WORKER, Role.SECRETARY, Role.INSTRUCTOR):
        client = sides.world.client_for(role)
        for name in PAGE_NAMES[2:]:
            response = client.get(reverse(name, args=[transfer.pk])) if name.endswith("detail") else \
                client.post(reverse(name, args=[transfer.pk]), {})
            assert response.status_code == 404, name
    api = sides.world.api_client_for(Role.API_CLIENT)
    for name in API_NAMES[1:]:
        response = api.get(reverse(name, args=[transfer.pk])) if name.endswith("detail") else \
            api.post(reverse(name, args=[transfer.pk]), {}, format="json")
        assert response.status_code == 404, name


def test_access_table_covers_every_transfer_url():
    named = set()
    for pattern in get_resolver().url_patterns:
        stack = [(pattern, "")]
        while stack:
            node, prefix = stack.pop()
            if hasattr(node, "url_patterns"):
                stack.extend((child, f"{prefix}{node.namespace}:" if node.namespace else prefix)
                             for child in node.url_patterns)
            elif node.name and "transfer" in node.name and "-format" not in node.name:
                named.add(f"{prefix}{node.name}")
    assert named == set(PAGE_NAMES + API_NAMES)
    assert {row[1] for row in ACCESS} == set(PAGE_NAMES + API_NAMES)


def test_lists_do_not_query_per_row(sides, activist):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    send(sides, activist)
    page, api = client_of(sides, sides.b), api_of(sides, sides.b)

    def queries():
        with CaptureQueriesContext(connection) as page_queries:
            assert page.get(reverse("members:transfer-list")).status_code == 200
        with CaptureQueriesContext(connection) as api_queries:
            assert api.get(reverse("api:transfer-list")).status_code == 200
        return len(page_queries), len(api_queries)

    queries()                       # warm the per-user scope and content-type caches
    one = queries()
    for name in ("孙一", "孙二", "孙三"):
        send(sides, advance(sides, "designate_candidate", name=name))
    assert queries() == one


def test_navigation_links(sides):
    body = client_of(sides, sides.a).get(reverse("accounts:home")).content.decode()
    assert f'href="{reverse("members:transfer-list")}">转接<' in body
    assert f'href="{reverse("members:review-list")}">政审<' in body
