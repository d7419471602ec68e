"""Alert pages (included by members/urls.py under /members/alerts/, namespace ``members``)."""
from django.urls import path

from .views import alerts

urlpatterns = [
    path("", alerts.AlertListView.as_view(), name="alert-list"),
]
