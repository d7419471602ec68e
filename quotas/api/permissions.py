"""Who may write what in the development-plan API.

Reading is open to every active account; what it reads is cut by the viewset's scoped
queryset, so a foreign id is a 404.  Writes on one object are decided after the object
is found (foreign → 404 first, then 403), writes without an object here and now.
"""
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ..models import QuotaRequest
from ..selectors import may_file_requests


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class ReadAccess(BasePermission):
    """Any active account: for actions that compute without changing anything (what-if)."""

    def has_permission(self, request, view):
        return _active(request.user)


class CountyWrites(BasePermission):
    """Plans and evaluation grades: everyone reads, county administrators change."""

    message = "只有县委组织部管理员可以进行此操作。"

    def has_permission(self, request, view):
        user = request.user
        if not _active(user):
            return False
        if request.method in SAFE_METHODS or view.detail:
            return True
        return user.is_county_admin

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or request.user.is_county_admin


class RequestAccess(BasePermission):
    """Requests: whoever may change a party organization files and withdraws requests for
    it; county administrators approve and reject them."""

    message = "您没有执行该操作的权限。"

    def has_permission(self, request, view):
        user = request.user
        if not _active(user):
            return False
        if request.method in SAFE_METHODS or view.detail:
            return True
        return may_file_requests(user)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        if view.action in ("approve", "reject"):
            return request.user.is_county_admin
        return QuotaRequest.objects.editable_by(request.user).filter(pk=obj.pk).exists()
