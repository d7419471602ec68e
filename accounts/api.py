"""Building blocks every app's API uses, so scoping is done once."""
from rest_framework import mixins, serializers, viewsets


class ScopedFieldsMixin:
    """Limit the choices of relation fields to what the requesting user may use.

    ``scoped_fields`` maps a field name to a function ``user -> queryset``; an id
    outside it is refused with DRF's ordinary field error, as if it did not exist.
    """

    scoped_fields: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:
            return
        for name, queryset_for in self.scoped_fields.items():
            field = self.fields.get(name)
            if field is None or field.read_only:
                continue
            if isinstance(field, serializers.ManyRelatedField):
                field.child_relation.queryset = queryset_for(request.user)
                continue
            allowed = queryset_for(request.user)
            current = getattr(self.instance, f"{name}_id", None) if self.instance is not None else None
            if current is not None:
                # Whoever may edit a record may keep its current township or parent.
                allowed = allowed | allowed.model.objects.filter(pk=current)
            field.queryset = allowed


class ScopedViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                    mixins.ListModelMixin, viewsets.GenericViewSet):
    """List, read, create and update; no delete (registry records are ended, not erased).

    ``get_queryset`` always starts from ``visible_to(user)``: a foreign id is a 404.
    Subclasses route create and update through their app's service functions.
    """

    model = None
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user)
