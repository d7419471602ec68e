"""Transfers and political review sides (included by members/urls.py under
/members/transfers/, namespace ``members``)."""
from django.urls import path

from .views import reviews, transfers

urlpatterns = [
    path("", transfers.TransferListView.as_view(), name="transfer-list"),
    path("new/", transfers.TransferRequestView.as_view(), name="transfer-create"),
    path("<int:pk>/", transfers.TransferDetailView.as_view(), name="transfer-detail"),
    path("<int:pk>/accept/", transfers.TransferActionView.as_view(action="accept"), name="transfer-accept"),
    path("<int:pk>/reject/", transfers.TransferActionView.as_view(action="reject"), name="transfer-reject"),
    path("<int:pk>/return/", transfers.TransferActionView.as_view(action="return"), name="transfer-return"),
    path("<int:pk>/confirm-outside/", transfers.TransferActionView.as_view(action="confirm_outside"),
         name="transfer-confirm-outside"),
    path("reviews/", reviews.ReviewListView.as_view(), name="review-list"),
    path("reviews/new/", reviews.ReviewRequestView.as_view(), name="review-create"),
    path("reviews/<int:pk>/", reviews.ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<int:pk>/reply/", reviews.ReviewReplyView.as_view(), name="review-reply"),
    path("reviews/<int:pk>/document/", reviews.review_document, name="review-document"),
]
