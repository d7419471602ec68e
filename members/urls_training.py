"""Training pages (included by members/urls.py under /members/training/, namespace ``members``)."""
from django.urls import path

from .views import training

urlpatterns = [
    path("", training.CourseListView.as_view(), name="course-list"),
    path("new/", training.CourseFormView.as_view(), name="course-create"),
    path("<int:pk>/", training.CourseDetailView.as_view(), name="course-detail"),
    path("<int:pk>/edit/", training.CourseFormView.as_view(), name="course-edit"),
    path("attendances/<int:pk>/remove/", training.attendance_remove, name="attendance-remove"),
    path("hours/", training.TrainingHoursView.as_view(), name="training-hours"),
]
