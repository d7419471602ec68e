from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization-list"),
    path("new/", views.OrganizationFormView.as_view(), name="organization-create"),
    path("import/", views.organization_import, name="organization-import"),
    path("import/template.xlsx", views.organization_import_template, name="organization-import-template"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="organization-detail"),
    path("<int:pk>/edit/", views.OrganizationFormView.as_view(), name="organization-edit"),
    path("areas/", views.AreaTreeView.as_view(), name="area-tree"),
    path("party/", views.PartyOrganizationListView.as_view(), name="party-organization-list"),
    path("party/new/", views.PartyOrganizationFormView.as_view(), name="party-organization-create"),
    path("party/<int:pk>/", views.PartyOrganizationDetailView.as_view(), name="party-organization-detail"),
    path("party/<int:pk>/edit/", views.PartyOrganizationFormView.as_view(), name="party-organization-edit"),
    path("instructors/", views.InstructorListView.as_view(), name="instructor-list"),
    path("instructors/new/", views.InstructorFormView.as_view(), name="instructor-create"),
    path("instructors/<int:pk>/", views.InstructorDetailView.as_view(), name="instructor-detail"),
    path("instructors/<int:pk>/edit/", views.InstructorFormView.as_view(), name="instructor-edit"),
    path("workers/", views.PartyWorkerListView.as_view(), name="party-worker-list"),
    path("workers/new/", views.PartyWorkerFormView.as_view(), name="party-worker-create"),
    path("workers/<int:pk>/", views.PartyWorkerDetailView.as_view(), name="party-worker-detail"),
    path("workers/<int:pk>/edit/", views.PartyWorkerFormView.as_view(), name="party-worker-edit"),
]
