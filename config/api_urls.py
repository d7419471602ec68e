"""/api/v1/: one router for every app's viewsets."""
from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from members.api import routes_alerts, routes_dossiers, routes_materials, routes_training, routes_transfers
from organizations.api import views as organization_views
from quotas.api import register as register_quota_routes
from reports.api import register as register_report_routes

app_name = "api"

router = DefaultRouter()
router.register("areas", organization_views.AreaViewSet, basename="area")
router.register("organizations", organization_views.OrganizationViewSet, basename="organization")
router.register("party-organizations", organization_views.PartyOrganizationViewSet, basename="party-organization")
router.register("instructors", organization_views.InstructorViewSet, basename="instructor")
router.register("party-workers", organization_views.PartyWorkerViewSet, basename="party-worker")
for feature in (routes_dossiers, routes_transfers, routes_training, routes_alerts, routes_materials):
    feature.register(router)
register_quota_routes(router)
register_report_routes(router)

urlpatterns = [path("auth/token/", obtain_auth_token, name="token")] + router.urls
