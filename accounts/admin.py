from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "full_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "phone")
    fieldsets = DjangoUserAdmin.fieldsets + (("角色", {"fields": ("role", "full_name", "phone")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("角色", {"fields": ("role", "full_name")}),)
