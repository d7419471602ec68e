from .training import AttendanceViewSet, TrainingCourseViewSet, TrainingHoursViewSet


def register(router) -> None:
    """Register this feature's viewsets on the /api/v1/ router."""
    router.register("training-courses", TrainingCourseViewSet, basename="training-course")
    router.register("attendances", AttendanceViewSet, basename="attendance")
    router.register("training-hours", TrainingHoursViewSet, basename="training-hours")
