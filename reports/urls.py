from django.urls import path

from .views import dashboard, runs

app_name = "reports"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("figures/<slug:key>.xlsx", dashboard.figure_download, name="figure-download"),
    path("runs/", runs.run_list, name="run-list"),
    path("runs/<int:pk>/", runs.run_detail, name="run-detail"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="run-progress"),
    path("runs/<int:pk>/download/", runs.run_download, name="run-download"),
    path("runs/<int:pk>/download.pdf", runs.run_download_pdf, name="run-download-pdf"),
    path("runs/<int:pk>/print/", runs.run_print, name="run-print"),
    path("runs/<int:pk>/rerun/", runs.run_rerun, name="run-rerun"),
]
