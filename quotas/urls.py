"""Development plans (included under /quotas/, namespace ``quotas``)."""
from django.urls import path

from .views import grades, plans, rebalancing, seat_requests, what_if

app_name = "quotas"

urlpatterns = [
    path("", plans.PlanListView.as_view(), name="plan-list"),
    path("new/", plans.PlanFormView.as_view(), name="plan-create"),
    path("<int:pk>/", plans.PlanDetailView.as_view(), name="plan-detail"),
    path("<int:pk>/edit/", plans.PlanFormView.as_view(), name="plan-edit"),
    path("<int:pk>/recompute/", plans.plan_recompute, name="plan-recompute"),
    path("<int:pk>/issue/", plans.plan_issue, name="plan-issue"),
    path("<int:pk>/what-if/", what_if.plan_what_if, name="plan-whatif"),
    path("<int:pk>/rebalance/", rebalancing.plan_rebalance, name="plan-rebalance"),
    path("jobs/<int:pk>/", plans.job_status, name="job-status"),
    path("reallocations/<int:pk>/", rebalancing.reallocation_detail, name="reallocation-detail"),
    path("grades/", grades.GradeListView.as_view(), name="grade-list"),
    path("grades/<int:party_org>/<int:year>/", grades.grade_edit, name="grade-edit"),
    path("requests/", seat_requests.RequestListView.as_view(), name="request-list"),
    path("requests/new/", seat_requests.RequestCreateView.as_view(), name="request-create"),
    path("requests/<int:pk>/", seat_requests.request_detail, name="request-detail"),
    path("requests/<int:pk>/approve/", seat_requests.request_approve, name="request-approve"),
    path("requests/<int:pk>/reject/", seat_requests.request_reject, name="request-reject"),
    path("requests/<int:pk>/withdraw/", seat_requests.request_withdraw, name="request-withdraw"),
]
