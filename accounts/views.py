"""The home page: one per role, each showing what that role works on."""
from django.apps import apps
from django.shortcuts import render

from .models import Role

HOME_TEMPLATES = {
    Role.COUNTY_ADMIN: "accounts/home_county.html",
    Role.AUDITOR: "accounts/home_county.html",
    Role.TOWNSHIP_WORKER: "accounts/home_township.html",
    Role.SECRETARY: "accounts/home_secretary.html",
    Role.INSTRUCTOR: "accounts/home_instructor.html",
}


def home(request):
    user = request.user
    template = HOME_TEMPLATES.get(Role.COUNTY_ADMIN if user.is_superuser else user.role, "accounts/home_township.html")
    context = {}
    # The panels come from the apps that own the data; each app registers a
    # provider for the home page in its AppConfig (accounts imports none of them).
    for config in apps.get_app_configs():
        provider = getattr(config, "home_panels", None)
        if provider:
            context.update(provider(user))
    return render(request, template, context)
