"""Transfers (组织关系/培养关系转接): the dossier moves to the organization of the
person's new employer with its whole history.

One function per business action; pages and the API both come here.  Who acts:
- the sending side (may edit the sending party organization) requests a transfer and,
  for a receiver outside the county, records what that receiver answered;
- the receiving side (may edit the receiving party organization) accepts, rejects or
  returns a transfer inside the county.
While a transfer is pending the dossier is ``in_transit``: both sides see it and
neither changes it (members.querysets), so nothing happens to it on the way.
"""
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.scoping import require_editable
from config.errors import DomainError
from organizations.models import Organization, PartyOrganization

from . import services
from .choices import DossierState, EndKind, Stage
from .models import Dossier, Transfer, TransferState

# 发展党员工作细则: an applicant, activist, development target or probationary member
# who changes employer takes the procedure along; a full member's relation is moved
# by the ordinary membership transfer, outside the development procedure.
TRANSFERABLE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)
# A lost-contact person who turns up at a new employer is found: the transfer says where.
TRANSFERABLE_STATES = (DossierState.ACTIVE, DossierState.LOST_CONTACT)


class TransferError(DomainError):
    code = "transfer_refused"
    status = 400


def _d(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _saved(instance, *, by, reason: str = ""):
    instance._history_user = by
    if reason:
        instance._change_reason = reason[:100]    # the history table's change-reason column
    instance.save()
    return instance


# ---- who may act ------------------------------------------------------------------------

def _edits_party_org(user, party_org_id) -> bool:
    return party_org_id is not None and PartyOrganization.objects.editable_by(user).filter(pk=party_org_id).exists()


def may_request(user, dossier: Dossier) -> bool:
    """The developing organization's side may send the dossier away (the in-transit
    check comes later, with its own message)."""
    return _edits_party_org(user, dossier.party_org_id)


def may_decide(user, transfer: Transfer) -> bool:
    """Accept, reject or return: the receiving side inside the county; for a receiver
    outside the county the sending side records what that receiver answered."""
    side = transfer.to_party_org_id if transfer.to_party_org_id else transfer.from_party_org_id
    return _edits_party_org(user, side)


def may_confirm_outside(user, transfer: Transfer) -> bool:
    """The sending side records the receipt of a receiver outside the county."""
    return _edits_party_org(user, transfer.from_party_org_id)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _check_date(on: date, *, not_before: date | None, before_label: str) -> None:
    if on > timezone.localdate():
        raise TransferError(f"日期{_d(on)}晚于今天，不能预先登记。", code="date_in_future")
    if not_before and on < not_before:
        raise TransferError(f"日期不能早于{before_label}（{_d(not_before)}）。", code="date_too_early")


def _require_pending(transfer: Transfer) -> None:
    if transfer.state != TransferState.REQUESTED:
        raise TransferError(f"该转接已处理（{transfer.get_state_display()}），不能重复处理。", code="transfer_decided")


def _locked(transfer: Transfer) -> tuple[Transfer, Dossier]:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("person", "party_org", "rule_set") \
        .get(pk=transfer.dossier_id)
    return transfer, dossier


# ---- the sending side -------------------------------------------------------------------

@transaction.atomic
def request_transfer(*, dossier: Dossier, to_party_org: PartyOrganization | None = None, to_outside: str = "",
                     new_unit: Organization | None = None, on: date, reason: str, by) -> Transfer:
    """Send the dossier to ``to_party_org`` (in the county) or ``to_outside`` (a name)."""
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("person", "party_org").get(pk=dossier.pk)
    _require(may_request(by, dossier), "只有发展党组织所在方可以办理转出。")
    pending = dossier.transfers.filter(state=TransferState.REQUESTED).select_related("to_party_org").first()
    if pending is not None or dossier.state == DossierState.IN_TRANSIT:
        where = f"已于{_d(pending.requested_on)}转往{pending.to_party_org or pending.to_outside}" if pending else "正在转接中"
        raise TransferError(f"该档案{where}，对方尚未处理；一份档案同时只能有一项待接收的转接。",
                            code="transfer_pending")
    require_editable(by, dossier)
    if dossier.state not in TRANSFERABLE_STATES:
        raise TransferError(f"该档案{dossier.get_state_display()}，不能转接。", code="dossier_closed")
    if dossier.stage not in TRANSFERABLE_STAGES:
        raise TransferError("正式党员的组织关系按党员组织关系转接办理，不在发展程序中转接。", code="stage_not_transferable")
    to_outside = (to_outside or "").strip()
    if bool(to_party_org) == bool(to_outside):
        raise TransferError("请选择县内接收党组织，或填写县外接收党组织名称（二者选一）。", code="receiver_required")
    if to_party_org is not None and to_party_org.pk == dossier.party_org_id:
        raise TransferError("接收党组织与现发展党组织相同，无需转接。", code="same_party_org")
    reason = (reason or "").strip()
    if not reason:
        raise TransferError("请填写转接原因（例如调动到新单位工作）。", code="reason_required")
    _check_date(on, not_before=dossier.last_step_on, before_label="最近一次办理步骤的日期")
    transfer = Transfer(dossier=dossier, from_party_org=dossier.party_org, to_party_org=to_party_org,
                        to_outside=to_outside, new_unit=new_unit, reason=reason, requested_on=on, requested_by=by)
    try:
        with transaction.atomic():
            _saved(transfer, by=by)
    except IntegrityError as error:   # one_pending_transfer_per_dossier, if a request raced this one
        raise TransferError("该档案已有一项待接收的转接。", code="transfer_pending") from error
    dossier.state = DossierState.IN_TRANSIT
    _saved(dossier, by=by, reason=f"转出至{to_party_org or to_outside}")
    return transfer


@transaction.atomic
def confirm_outside_transfer(*, transfer: Transfer, confirmed_on: date, note: str = "", by) -> Transfer:
    """The receiver outside the county confirmed receipt: the dossier ends here as
    ``transferred_out``, its history kept; there it continues as their dossier."""
    transfer, dossier = _locked(transfer)
    _require(may_confirm_outside(by, transfer), "只有转出党组织所在方可以登记县外接收回执。")
    if transfer.to_party_org_id:
        raise TransferError("县内转接由接收党组织办理接收，不登记县外回执。", code="not_outside")
    _require_pending(transfer)
    _check_date(confirmed_on, not_before=transfer.requested_on, before_label="转出日期")
    transfer.state, transfer.decided_on, transfer.decided_by = TransferState.ACCEPTED, confirmed_on, by
    transfer.decision_note = (note or "").strip()
    _saved(transfer, by=by)
    dossier.state, dossier.end_kind, dossier.ended_on = DossierState.ENDED, EndKind.TRANSFERRED_OUT, confirmed_on
    dossier.end_note = f"转往{transfer.to_outside}"[:200]
    _saved(dossier, by=by, reason=f"转出县外：{transfer.to_outside}")
    person = dossier.person
    if person.member_party_org_id == dossier.party_org_id:
        # A probationary member's relation now lies with the receiver outside the county.
        person.member_party_org = None
        _saved(person, by=by, reason=f"组织关系转出县外：{transfer.to_outside}")
    return transfer


# ---- the receiving side -----------------------------------------------------------------

@transaction.atomic
def accept_transfer(*, transfer: Transfer, on: date, carry_cultivation: bool, note: str = "", by) -> Transfer:
    """The receiving organization takes the dossier over; its step records keep the
    organization that took them.  ``carry_cultivation``: whether the time an activist
    has been cultivated counts here (细则: 转接时接收方认可的，培养时间连续计算)."""
    transfer, dossier = _locked(transfer)
    _require(may_decide(by, transfer), "只有接收党组织所在方可以接收该转接。")
    if not transfer.to_party_org_id:
        raise TransferError("转往县外的档案由转出方登记县外接收回执，不在本县接收。", code="outside_transfer")
    _require_pending(transfer)
    _check_date(on, not_before=transfer.requested_on, before_label="转出日期")
    is_activist = dossier.stage == Stage.ACTIVIST
    transfer.state, transfer.decided_on, transfer.decided_by = TransferState.ACCEPTED, on, by
    # Only an activist's cultivation time is at stake; for other stages there is nothing to carry.
    transfer.carry_cultivation = bool(carry_cultivation) if is_activist else None
    transfer.decision_note = (note or "").strip()
    _saved(transfer, by=by)
    dossier.party_org, dossier.state = transfer.to_party_org, DossierState.ACTIVE
    # The receiver has the person in hand: that is contact, so the lost-contact clock restarts.
    dossier.last_contact_on = max(filter(None, [dossier.last_contact_on, on]))
    if is_activist and not carry_cultivation:
        dossier.cultivation_start = on
    if transfer.new_unit_id and dossier.person.current_unit_id != transfer.new_unit_id:
        dossier.person.current_unit = transfer.new_unit
        _saved(dossier.person, by=by, reason="转接：新工作单位")
    dossier._change_reason = f"转接接收：{transfer.from_party_org} → {transfer.to_party_org}"[:100]
    # refresh_derived saves the dossier under ``by`` and moves a probationary member's
    # party relation to the new branch; it keeps a cultivation start that is already set.
    services.refresh_derived(dossier, by=by)
    return transfer


def _send_back(transfer: Transfer, *, state: str, on: date, note: str, by, label: str) -> Transfer:
    transfer, dossier = _locked(transfer)
    _require(may_decide(by, transfer), f"只有接收党组织所在方可以{label}该转接。")
    _require_pending(transfer)
    note = (note or "").strip()
    if not note:
        raise TransferError(f"请填写{label}理由。", code="note_required")
    _check_date(on, not_before=transfer.requested_on, before_label="转出日期")
    transfer.state, transfer.decided_on, transfer.decided_by, transfer.decision_note = state, on, by, note
    _saved(transfer, by=by)
    # The dossier never left the sender: it is simply active there again.
    dossier.state = DossierState.ACTIVE
    _saved(dossier, by=by, reason=f"转接被{label}：{note}")
    return transfer


@transaction.atomic
def reject_transfer(*, transfer: Transfer, on: date, note: str, by) -> Transfer:
    """The receiver declines the dossier; it stays with the sender, active."""
    return _send_back(transfer, state=TransferState.REJECTED, on=on, note=note, by=by, label="拒收")


@transaction.atomic
def return_transfer(*, transfer: Transfer, on: date, note: str, by) -> Transfer:
    """The receiver sends the file back (the person never arrived, or it reached the
    wrong organization); it stays with the sender, active."""
    return _send_back(transfer, state=TransferState.RETURNED, on=on, note=note, by=by, label="退回")


def days_in_transit(transfer: Transfer, today: date | None = None) -> int | None:
    """Days a pending transfer has been on its way; ``None`` once decided."""
    if transfer.state != TransferState.REQUESTED:
        return None
    return ((today or timezone.localdate()) - transfer.requested_on).days
