"""People and dossiers (included by members/urls.py under /members/, namespace ``members``).

No URL carries an ID number: people are addressed by their record id and searched by
name or the last 4 ID digits only."""
from django.urls import path

from .views import dossiers, imports, materials, people, steps

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
    path("dossiers/<int:pk>/materials/", materials.material_upload, name="material-upload"),
    path("dossiers/<int:pk>/forms/<slug:form>/", materials.dossier_form, name="dossier-form"),
    path("materials/<int:pk>/", materials.material_download, name="material-download"),
    path("materials/<int:pk>/delete/", materials.material_delete, name="material-delete"),
    path("materials/catalogue/", materials.catalogue_list, name="material-catalogue"),
    path("materials/catalogue/new/", materials.catalogue_item, name="material-catalogue-create"),
    path("materials/catalogue/<int:pk>/edit/", materials.catalogue_item, name="material-catalogue-edit"),
    path("materials/catalogue/<int:pk>/delete/", materials.catalogue_item_delete, name="material-catalogue-delete"),
    path("import/", imports.dossier_import, name="dossier-import"),
    path("import/template.xlsx", imports.dossier_import_template, name="dossier-import-template"),
]
