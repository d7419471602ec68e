"""The development-plan API on the one /api/v1/ router (config/api_urls.py)."""
from .views import AllocationViewSet, EvaluationGradeViewSet, PlanViewSet, QuotaRequestViewSet, RecomputeJobViewSet


def register(router) -> None:
    router.register("plans", PlanViewSet, basename="plan")
    router.register("allocations", AllocationViewSet, basename="allocation")
    router.register("recompute-jobs", RecomputeJobViewSet, basename="recompute-job")
    router.register("quota-requests", QuotaRequestViewSet, basename="quota-request")
    router.register("evaluation-grades", EvaluationGradeViewSet, basename="evaluation-grade")
