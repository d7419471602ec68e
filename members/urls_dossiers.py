"""People and dossiers (included by members/urls.py under /members/, namespace ``members``).

No URL carries an ID number: people are addressed by their record id and searched by
name or the last 4 ID digits only."""
from django.urls import path

from .views import dossiers, imports, people, steps

urlpatterns = [
    path("people/", people.PersonListView.as_view(), name="person-list"),
    path("people/new/", people.PersonFormView.as_view(), name="person-create"),
    path("people/<int:pk>/", people.PersonDetailView.as_view(), name="person-detail"),
    path("people/<int:pk>/edit/", people.PersonFormView.as_view(), name="person-edit"),
    path("dossiers/", dossiers.DossierListView.as_view(), name="dossier-list"),
    path("dossiers/new/", dossiers.DossierCreateView.as_view(), name="dossier-create"),
    path("dossiers/<int:pk>/", dossiers.DossierDetailView.as_view(), name="dossier-detail"),
    path("dossiers/<int:pk>/steps/<slug:code>/", steps.dossier_step, name="dossier-step"),
    path("dossiers/<int:pk>/end/", dossiers.dossier_end, name="dossier-end"),
    path("dossiers/<int:pk>/contact/", dossiers.dossier_contact, name="dossier-contact"),
    path("documents/<int:pk>/", steps.step_document, name="step-document"),
    path("import/", imports.dossier_import, name="dossier-import"),
    path("import/template.xlsx", imports.dossier_import_template, name="dossier-import-template"),
]
