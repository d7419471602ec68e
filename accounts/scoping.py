"""The one scoping mechanism: ``visible_to(user)`` (read) and ``editable_by(user)`` (write).

Each model family subclasses :class:`ScopedQuerySet` and says, per role, which rows
belong to a user (``visible_condition`` / ``editable_condition``).  Pages, the API,
exports, the admin and search all start from these two methods.  An object outside
the user's scope answers 404; one that is visible but not editable answers 403.
"""
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class ScopedQuerySet(models.QuerySet):
    def visible_condition(self, user) -> Q | None:
        """Rows a user below county level may read; ``None`` means none."""
        raise NotImplementedError

    def editable_condition(self, user) -> Q | None:
        """Rows a user below county level may change; defaults to what they see."""
        return self.visible_condition(user)

    def visible_to(self, user):
        if not _active(user):
            return self.none()
        if user.sees_whole_county:
            return self.all()
        return self._restrict(self.visible_condition(user))

    def editable_by(self, user):
        if not _active(user) or user.is_read_only:
            return self.none()
        if user.is_county_admin:
            return self.all()
        return self._restrict(self.editable_condition(user))

    def _restrict(self, condition):
        if condition is None:
            return self.none()
        if not crosses_many(self.model, condition):
            # Forward foreign keys only: one row per object, so filter in place and let
            # the planner combine the scope with the caller's own filters.
            return self.filter(condition)
        # A sub-select keeps one row per object when the condition crosses a to-many
        # relation, and leaves the outer query free for annotations.
        return self.filter(pk__in=self.model._base_manager.filter(condition).values("pk"))


def crosses_many(model, condition: Q) -> bool:
    """Whether a lookup of ``condition`` follows a to-many relation from ``model``
    (filtering through it would repeat rows)."""
    for child in condition.children:
        if isinstance(child, Q):
            if crosses_many(model, child):
                return True
            continue
        if not isinstance(child, tuple):
            return True        # an expression (Exists, …): keep the sub-select, it is always safe
        current = model
        for part in child[0].split(LOOKUP_SEP):
            if part == "pk":
                break
            try:
                field = current._meta.get_field(part)
            except FieldDoesNotExist:
                break          # a transform or lookup (``path__startswith``)
            if not field.is_relation:
                break
            if field.many_to_many or field.one_to_many:
                return True
            current = field.related_model
    return False


def require_editable(user, obj) -> None:
    """403 for an object the user can see but not change (callers have already
    looked it up through ``visible_to``, so a foreign object is a 404 before this)."""
    if not type(obj).objects.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied("您没有修改该记录的权限。")


def require_may_register(user) -> None:
    if not (_active(user) and user.may_register):
        raise PermissionDenied("您的角色不能新增该类记录。")
