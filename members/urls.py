from django.urls import include, path

app_name = "members"

urlpatterns = [
    path("", include("members.urls_dossiers")),
    path("transfers/", include("members.urls_transfers")),
    path("training/", include("members.urls_training")),
    path("alerts/", include("members.urls_alerts")),
]
