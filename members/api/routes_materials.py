from .materials import MaterialRequirementViewSet, MaterialViewSet


def register(router) -> None:
    """Register this feature's viewsets on the /api/v1/ router (the per-dossier routes
    are actions of the dossier viewset)."""
    router.register("materials", MaterialViewSet, basename="material")
    router.register("material-catalogue", MaterialRequirementViewSet, basename="material-catalogue")
