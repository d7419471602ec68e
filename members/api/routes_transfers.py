from .transfers import PoliticalReviewViewSet, TransferViewSet


def register(router) -> None:
    """Register this feature's viewsets on the /api/v1/ router."""
    router.register("transfers", TransferViewSet, basename="transfer")
    router.register("political-reviews", PoliticalReviewViewSet, basename="political-review")
