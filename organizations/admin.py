"""The admin is for county administrators; it is scoped like every other entry point."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import UserAdmin
from accounts.models import User

from .models import Area, Instructor, Organization, PartyOrganization, PartyWorker


class ScopedAdmin(SimpleHistoryAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return type(obj).objects.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    filter_horizontal = ("accounts",)


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    list_display = ("name", "uscc", "kind", "township", "employee_count", "party_member_count", "status")
    list_filter = ("kind", "status", "township")
    search_fields = ("name", "uscc")


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ScopedAdmin):
    list_display = ("name", "org_type", "formation", "area", "full_member_count", "has_approval_authority")
    list_filter = ("org_type", "formation", "area")
    search_fields = ("name", "secretary_name")
    filter_horizontal = ("covered_organizations", "secretary_accounts")


@admin.register(Instructor)
class InstructorAdmin(ScopedAdmin):
    list_display = ("name", "area", "employment", "phone")
    search_fields = ("name", "phone")
    filter_horizontal = ("organizations",)


@admin.register(PartyWorker)
class PartyWorkerAdmin(ScopedAdmin):
    list_display = ("name", "area", "party_organization", "employment")
    search_fields = ("name", "phone")


# Accounts get their scope here (accounts knows nothing of areas or party organizations).
class ScopeAreaInline(admin.TabularInline):
    model = Area.accounts.through
    extra = 1
    verbose_name = "负责区划（乡镇党务工作者、接口账号）"
    verbose_name_plural = verbose_name
    autocomplete_fields = ("area",)


class SecretaryOfInline(admin.TabularInline):
    model = PartyOrganization.secretary_accounts.through
    extra = 1
    verbose_name = "担任书记的党组织（党组织书记）"
    verbose_name_plural = verbose_name
    autocomplete_fields = ("partyorganization",)


admin.site.unregister(User)


@admin.register(User)
class UserWithScopeAdmin(UserAdmin):
    inlines = [ScopeAreaInline, SecretaryOfInline]
