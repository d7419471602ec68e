from .alerts import AlertViewSet


def register(router) -> None:
    """Register this feature's viewsets on the /api/v1/ router."""
    router.register("alerts", AlertViewSet, basename="alert")
