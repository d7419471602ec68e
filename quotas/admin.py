"""The development plans in the admin: scoped like every other entry point and read-only,
because every change of a plan, an allocation or a seat goes through the services (the
plan pages and the API); the one admin action, recompute, calls the same service."""
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from config.errors import DomainError
from organizations.models import PartyOrganization

from . import services
from .models import EvaluationGrade, QuotaAllocation, QuotaPlan, QuotaRequest, Reallocation, RecomputeJob, Seat


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedReadOnlyAdmin(ReadOnlyAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(QuotaPlan)
class QuotaPlanAdmin(ScopedReadOnlyAdmin):
    list_display = ("year", "name", "status", "total_seats", "reserve_seats", "unallocated_seats", "computed_at")
    list_filter = ("status",)
    search_fields = ("name",)
    actions = ["recompute"]

    @admin.action(description="重新计算所选计划的名额")
    def recompute(self, request, queryset):
        for plan in queryset:
            try:
                services.start_recompute(plan=plan, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{plan}：{error.message}", messages.WARNING)
            else:
                self.message_user(request, f"{plan}：已提交重新计算。")

    def has_change_permission(self, request, obj=None):
        # Actions need the change permission; the form itself stays read-only.
        return obj is None and request.user.is_county_admin


@admin.register(QuotaAllocation)
class QuotaAllocationAdmin(ScopedReadOnlyAdmin):
    list_display = ("party_org", "plan", "area", "seats", "extra_seats", "used", "reserved", "ready_demand",
                    "weight", "years_without_new_member")
    list_filter = ("plan", "area")
    search_fields = ("party_org__name",)


@admin.register(QuotaRequest)
class QuotaRequestAdmin(ScopedReadOnlyAdmin):
    list_display = ("party_org", "plan", "seats", "status", "approved_seats", "requested_at", "decided_at")
    list_filter = ("status", "plan")
    search_fields = ("party_org__name", "reason")


@admin.register(RecomputeJob)
class RecomputeJobAdmin(ReadOnlyAdmin):
    list_display = ("plan", "status", "progress", "requested_by", "requested_at", "finished_at")
    list_filter = ("status",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(plan__in=QuotaPlan.objects.visible_to(request.user))


@admin.register(Reallocation)
class ReallocationAdmin(ReadOnlyAdmin):
    list_display = ("plan", "on", "method", "pool", "performed_by", "performed_at")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(plan__in=QuotaPlan.objects.visible_to(request.user))


@admin.register(EvaluationGrade)
class EvaluationGradeAdmin(ReadOnlyAdmin):
    list_display = ("party_org", "year", "grade", "note")
    list_filter = ("year", "grade")
    search_fields = ("party_org__name",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            party_org__in=PartyOrganization.objects.visible_to(request.user))


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "allocation", "state", "reserved_on", "used_on", "released_on")
    list_filter = ("state",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            allocation__in=QuotaAllocation.objects.visible_to(request.user))
