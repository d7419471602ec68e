"""Political review sides (政治审查, 双政审): the letter to the household-registration
place or the employer, and its written reply.

The procedure engine (rule ``political_review``) reads the concluded sides: a migrant
needs both sides concluded, anyone else at least one, before the ``political_review``
step and the admission vote.  These functions only record the letters and replies;
pages and the API both come here.
"""
import os
import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.scoping import require_editable
from config.errors import DomainError

from .choices import Stage
from .models import Dossier, PoliticalReview, ReviewSide

# Replies arrive as scanned letters or photos of them.  The first bytes must match the
# extension, so a renamed file of another kind is refused too.
DOCUMENT_SIGNATURES = {".pdf": (b"%PDF",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
                       ".png": (b"\x89PNG\r\n\x1a\n",)}
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# The review examines a development target (细则第十九条); letters may go out from the
# activist stage on because replies from far-away registration places are slow.
REVIEW_STAGES = (Stage.ACTIVIST, Stage.CANDIDATE)


class ReviewError(DomainError):
    code = "review_refused"
    status = 400


def _d(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _saved(instance, *, by, reason: str = ""):
    instance._history_user = by
    if reason:
        instance._change_reason = reason[:100]
    instance.save()
    return instance


def validate_document(document) -> None:
    """PDF or image, at most 20 MB; raised as a field error on ``document``."""
    if document is None:
        return
    extension = os.path.splitext(document.name or "")[1].lower()
    wrong_kind = ValidationError({"document": "回函材料只能上传 PDF、JPG 或 PNG 文件。"})
    if extension not in DOCUMENT_SIGNATURES:
        raise wrong_kind
    if document.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"document": "回函材料不能超过 20 MB。"})
    document.seek(0)
    head = document.read(8)
    document.seek(0)
    if not head.startswith(DOCUMENT_SIGNATURES[extension]):
        raise wrong_kind


@transaction.atomic
def request_review_side(*, dossier: Dossier, side: str, addressee: str, on: date, by) -> PoliticalReview:
    """Record the letter (函调) sent to one side."""
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("person").get(pk=dossier.pk)
    require_editable(by, dossier)
    if not dossier.is_open:
        raise ReviewError(f"该档案{dossier.get_state_display()}，不能再发函政审。", code="dossier_closed")
    if dossier.stage not in REVIEW_STAGES:
        raise ReviewError("政治审查在确定为入党积极分子之后、接收为预备党员之前进行。", code="stage_not_reviewable")
    if side not in ReviewSide.values:
        raise ValidationError({"side": "请选择审查方（户籍所在地或工作单位）。"})
    addressee = (addressee or "").strip()
    if not addressee:
        raise ValidationError({"addressee": "请填写函调单位。"})
    existing = dossier.political_reviews.filter(side=side).first()
    if existing is not None:
        raise ReviewError(f"已于{_d(existing.requested_on)}向{ReviewSide(side).label}（{existing.addressee}）发函，"
                          f"不能重复发函。", code="side_requested")
    if on > timezone.localdate():
        raise ValidationError({"requested_on": f"发函日期{_d(on)}晚于今天，不能预先登记。"})
    if dossier.applied_on and on < dossier.applied_on:
        raise ValidationError({"requested_on": f"发函日期不能早于申请日期（{_d(dossier.applied_on)}）。"})
    review = PoliticalReview(dossier=dossier, side=side, addressee=addressee, requested_on=on, recorded_by=by)
    return _saved(review, by=by)


@transaction.atomic
def record_review_reply(*, review: PoliticalReview, replied_on: date, passed: bool, conclusion: str,
                        document=None, by) -> PoliticalReview:
    """Record the written reply of one side; the side is concluded from ``replied_on``."""
    review = PoliticalReview.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=review.pk)
    require_editable(by, review)
    if not review.dossier.is_open:
        raise ReviewError(f"该档案{review.dossier.get_state_display()}，不能再登记回函。", code="dossier_closed")
    if not review.is_outstanding:
        raise ReviewError(f"{review.get_side_display()}已于{_d(review.replied_on)}回函，不能重复登记。",
                          code="reply_recorded")
    errors = {}
    if replied_on < review.requested_on:
        errors["replied_on"] = f"回函日期不能早于发函日期（{_d(review.requested_on)}）。"
    elif replied_on > timezone.localdate():
        errors["replied_on"] = f"回函日期{_d(replied_on)}晚于今天，不能预先登记。"
    if passed is None:
        errors["passed"] = "请选择审查结论是否合格。"
    if not (conclusion or "").strip():
        errors["conclusion"] = "请填写审查结论。"
    try:
        validate_document(document)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    review.replied_on, review.passed, review.conclusion = replied_on, bool(passed), conclusion.strip()
    if document is not None:
        # Stored under a random name: the uploaded name may carry personal data.
        document.name = f"{uuid.uuid4().hex}{os.path.splitext(document.name)[1].lower()}"
        review.document = document
    review.recorded_by = by
    return _saved(review, by=by, reason="登记回函")


def days_open(review: PoliticalReview, today: date | None = None) -> int:
    """Days from the letter to the reply, or to today while the reply is outstanding."""
    return ((review.replied_on or today or timezone.localdate()) - review.requested_on).days


def document_filename(review: PoliticalReview) -> str:
    """The name a downloaded reply gets (the stored name is random)."""
    extension = os.path.splitext(review.document.name)[1].lower()
    return f"政审回函-{review.dossier.person.name}-{review.get_side_display()}{extension}"
