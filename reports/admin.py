"""Report runs and snapshots in the admin: read-only and scoped like every other entry
point — runs are started from the statistics pages or the API (reports.services), and a
snapshot, once taken, is never edited."""
from django.contrib import admin

from .models import ReportRun, StatisticsSnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "source", "status", "progress", "requested_by", "requested_at", "seconds")
    list_filter = ("status", "source")
    search_fields = ("title",)
    readonly_fields = ("title", "parameters", "source", "snapshot", "status", "progress", "stage", "requested_by",
                       "requested_at", "started_at", "finished_at", "timings", "file", "checksum", "pdf",
                       "pdf_checksum", "pdf_note", "rerun_of", "error")
    exclude = ("figures",)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(StatisticsSnapshot)
class StatisticsSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "taken_at", "seconds")
    readonly_fields = ("as_of", "taken_at", "seconds")
    exclude = ("data",)
