from rest_framework.permissions import SAFE_METHODS, BasePermission


class ScopedAccess(BasePermission):
    """API access by role and scope.

    Reading is open to every authenticated account; what it reads is already cut by
    ``visible_to`` in the view's queryset (a foreign id is a 404).  Creating needs a
    registering role; changing an object needs it to be in ``editable_by``.
    """

    message = "您没有执行该操作的权限。"

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in SAFE_METHODS:
            return True
        if user.is_read_only:
            return False
        if getattr(view, "action", None) == "create":
            return user.may_register
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return type(obj).objects.editable_by(request.user).filter(pk=obj.pk).exists()
