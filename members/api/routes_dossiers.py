from .dossiers import DossierViewSet, PersonViewSet


def register(router) -> None:
    """Register this feature's viewsets on the /api/v1/ router."""
    router.register("persons", PersonViewSet, basename="person")
    router.register("dossiers", DossierViewSet, basename="dossier")
