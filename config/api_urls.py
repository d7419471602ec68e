"""/api/v1/: one router for every app's viewsets."""
from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from organizations.api import views as organization_views

app_name = "api"

router = DefaultRouter()
router.register("areas", organization_views.AreaViewSet, basename="area")
router.register("organizations", organization_views.OrganizationViewSet, basename="organization")
router.register("party-organizations", organization_views.PartyOrganizationViewSet, basename="party-organization")
router.register("instructors", organization_views.InstructorViewSet, basename="instructor")
router.register("party-workers", organization_views.PartyWorkerViewSet, basename="party-worker")

urlpatterns = [path("auth/token/", obtain_auth_token, name="token")] + router.urls
