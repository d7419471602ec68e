"""Political review pages: "政审进度" (every side in scope and how long it has waited),
a side's page, the letter form (from a dossier) and the reply form with the scan of
the reply.  Every change is a call to members.reviews."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import FormView

from accounts.forms import BootstrapFormMixin
from accounts.pages import Column, ScopedDetailView, ScopedListView
from accounts.scoping import require_editable
from config.downloads import attachment
from config.errors import DomainError

from .. import reviews
from ..api.transfers import PoliticalReviewFilterSet, review_queryset
from ..models import Dossier, PoliticalReview, ReviewSide
from .common import DossierActionMixin, PageSizeMixin
from .transfers import DossierChoiceField

DATE = forms.DateInput()


def _conclusion(review: PoliticalReview) -> str:
    if review.is_outstanding:
        return "未回函"
    return "合格" if review.passed else "不合格"


class ReviewListView(PageSizeMixin, ScopedListView):
    """政审进度: outstanding sides first, the longest waiting first."""

    model = PoliticalReview
    filterset_class = PoliticalReviewFilterSet
    title = "政审进度"
    template_name = "members/review_list.html"
    columns = [
        Column("姓名", lambda r: r.dossier.person.name, link=True),
        Column("流动人员", lambda r: r.dossier.person.is_migrant),
        Column("发展党组织", lambda r: r.dossier.party_org.name),
        Column("乡镇（街道）", lambda r: r.dossier.party_org.area.name),
        Column("审查方", lambda r: r.get_side_display()),
        Column("函调单位", lambda r: r.addressee),
        Column("发函日期", lambda r: r.requested_on),
        Column("回函日期", lambda r: r.replied_on),
        Column("结论", _conclusion),
        Column("天数（发函至今或至回函）", lambda r: reviews.days_open(r)),
    ]

    def base_queryset(self):
        return review_queryset()

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["members/transfer_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Letters go out from a dossier's page (review-create?dossier=…), not from the list.
        context.update(detail_url_name="members:review-detail", can_create=False)
        return context


# ---- forms ------------------------------------------------------------------------------

class ReviewRequestForm(BootstrapFormMixin, forms.Form):
    dossier = DossierChoiceField(label="发展档案", queryset=Dossier.objects.none())
    side = forms.ChoiceField(label="审查方", choices=ReviewSide.choices)
    addressee = forms.CharField(label="函调单位", max_length=100,
                                help_text="例如户籍所在地派出所、村（居）委会，或工作单位。")
    requested_on = forms.DateField(label="发函日期", widget=DATE)

    def __init__(self, *args, dossiers, fixed_dossier=False, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("requested_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["dossier"].queryset = dossiers.select_related("person", "party_org")
        if fixed_dossier:
            self.fields["dossier"].empty_label = None


class ReviewReplyForm(BootstrapFormMixin, forms.Form):
    replied_on = forms.DateField(label="回函日期", widget=DATE)
    passed = forms.TypedChoiceField(label="审查结论", choices=[("", "请选择"), ("1", "合格"), ("0", "不合格")],
                                    coerce=lambda value: value == "1", empty_value=None)
    conclusion = forms.CharField(label="结论内容", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(label="回函材料", required=False,
                               help_text="PDF、JPG 或 PNG，不超过 20 MB。",
                               widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


def _to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# ---- pages ------------------------------------------------------------------------------

class ReviewDetailView(ScopedDetailView):
    model = PoliticalReview
    template_name = "members/review_detail.html"

    def get_queryset(self):
        return review_queryset().visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.object
        context.update(
            title=f"{review.dossier.person.name}：{review.get_side_display()}政审",
            days_open=reviews.days_open(review),
            # Both sides of the dossier, so a migrant's missing side is in sight.
            sides=PoliticalReview.objects.visible_to(self.request.user).filter(dossier_id=review.dossier_id)
            .order_by("side"),
            can_reply=context["can_edit"] and review.is_outstanding and review.dossier.is_open,
        )
        return context


class ReviewRequestView(DossierActionMixin, FormView):
    """Send the letter to one side; ``?dossier=<pk>`` from the dossier's page."""

    form_class = ReviewRequestForm
    template_name = "members/review_form.html"
    refused_message = "您的角色不能办理政治审查。"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.dossier is not None:
            self.fixed_dossier_kwargs(kwargs)
            taken = set(self.dossier.political_reviews.values_list("side", flat=True))
            kwargs["initial"]["side"] = next((side for side in ReviewSide.values if side not in taken), None)
        else:
            kwargs["dossiers"] = Dossier.objects.editable_by(self.request.user).open().filter(
                stage__in=reviews.REVIEW_STAGES)
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            review = reviews.request_review_side(dossier=data["dossier"], side=data["side"],
                                                 addressee=data["addressee"], on=data["requested_on"],
                                                 by=self.request.user)
        except ValidationError as error:
            _to_form(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"已登记发函：{review.dossier.person.name}（{review.get_side_display()}）")
        return redirect("members:review-detail", pk=review.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="政审发函", dossier=self.dossier, multipart=False)
        return context


class ReviewReplyView(FormView):
    """Record one side's written reply and its scan."""

    form_class = ReviewReplyForm
    template_name = "members/review_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.review = get_object_or_404(review_queryset().visible_to(request.user), pk=kwargs["pk"])
        require_editable(request.user, self.review)
        if not self.review.is_outstanding:
            messages.info(request, f"{self.review.get_side_display()}已于{self.review.replied_on:%Y-%m-%d}回函。")
            return redirect("members:review-detail", pk=self.review.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"replied_on": timezone.localdate()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            reviews.record_review_reply(review=self.review, replied_on=data["replied_on"], passed=data["passed"],
                                        conclusion=data["conclusion"], document=data.get("document"),
                                        by=self.request.user)
        except ValidationError as error:
            _to_form(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"已登记回函：{self.review.dossier.person.name}（{self.review.get_side_display()}）")
        return redirect("members:review-detail", pk=self.review.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=f"登记回函：{self.review.dossier.person.name}（{self.review.get_side_display()}）",
                       review=self.review, dossier=self.review.dossier, multipart=True)
        return context


def review_document(request, pk):
    """The scan of a reply, found among the sides the user may see (foreign → 404)."""
    review = get_object_or_404(PoliticalReview.objects.visible_to(request.user), pk=pk)
    if not review.document:
        raise Http404("没有回函材料。")
    return attachment(review.document, reviews.document_filename(review))
