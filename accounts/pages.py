"""Generic browser pages that every registry list, detail and form builds on.

They keep the scoping rules in one place: lists start from ``visible_to(user)``,
detail pages look objects up there (foreign → 404), edit pages also require
``editable_by(user)`` (visible but read-only → 403), and every save goes through
the app's service function.
"""
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView

from config.errors import DomainError
from config.spreadsheets import xlsx_response

from .scoping import require_editable, require_may_register


@dataclass(frozen=True)
class Column:
    """One column of a list page and of its XLSX export."""

    label: str
    value: Callable[[Any], Any]
    link: bool = False

    def display(self, obj):
        value = self.value(obj)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, (int, float, str, date)):
            return value
        return str(value)   # a related object: its name, in the page and in Excel alike


class ScopedListView(ListView):
    """Search, filters, pagination, htmx partial refresh and XLSX export of one list."""

    model = None
    filterset_class = None
    columns: list[Column] = []
    title = ""
    export_name = ""
    create_url_name = ""
    paginate_by = 25
    template_name = "registry/list.html"

    def base_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.base_queryset().visible_to(self.request.user),
            request=self.request,
        )
        _style_filter_form(self.filterset.form)
        return self.filterset.qs

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        rows = [[column.display(obj) for column in self.columns] for obj in self.get_queryset().iterator(chunk_size=2000)]
        stamp = timezone.localdate().strftime("%Y%m%d")
        return xlsx_response(f"{self.export_name or self.title}-{stamp}.xlsx",
                             [(self.title, [c.label for c in self.columns], rows)])

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["registry/_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=self.title,
            filter=self.filterset,
            columns=self.columns,
            rows=[(obj, [column.display(obj) for column in self.columns]) for obj in context["object_list"]],
            querystring=query.urlencode(),
            can_create=bool(self.create_url_name) and self.request.user.may_register
            and not self.request.user.is_read_only,
            create_url=reverse(self.create_url_name) if self.create_url_name else "",
        )
        return context


def _style_filter_form(form):
    for name, field in form.fields.items():
        widget = field.widget
        if name == "q":
            widget.input_type = "search"
            widget.attrs.update(placeholder=field.label)
        css = "form-select form-select-sm" if hasattr(widget, "choices") else "form-control form-control-sm"
        widget.attrs["class"] = css


class ScopedDetailView(DetailView):
    """A foreign object is a 404 because it is looked up among the visible ones."""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.model.objects.editable_by(self.request.user).filter(pk=self.object.pk).exists()
        context["history"] = _history_rows(self.object)
        return context


def _history_rows(obj, limit=50):
    """Who changed what and when, newest first, for the object's page."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit + 1])
    rows = []
    for newer, older in zip(records, records[1:] + [None]):
        if older is None:
            changes = ["新建记录"] if newer.history_type == "+" else []
        else:
            delta = newer.diff_against(older)
            changes = [_describe_change(obj, change) for change in delta.changes]
        if newer.history_type == "~" and not changes:
            continue
        rows.append({"when": newer.history_date, "who": newer.history_user or "系统",
                     "type": newer.get_history_type_display(), "changes": changes,
                     "reason": newer.history_change_reason or ""})
    return rows[:limit]


def _describe_change(obj, change):
    field = obj._meta.get_field(change.field)
    label = getattr(field, "verbose_name", change.field)
    if field.many_to_many:
        return f"{label}：已修改"

    def show(value):
        if value in (None, ""):
            return "（空）"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if field.is_relation:
            target = field.related_model._base_manager.filter(pk=value).first()
            return str(target) if target else value
        return value

    return f"{label}：{show(change.old)} → {show(change.new)}"


class ServiceFormView(FormView):
    """Create or edit one record through a service function.

    ``object`` is ``None`` on create.  Subclasses give ``model`` and ``save(form)``
    (which calls the service).  Errors a service raises land on the form in Chinese;
    nothing is half-saved because every service is one transaction.
    """

    model = None
    template_name = "registry/form.html"
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.object = None
        if "pk" in kwargs:
            self.object = self.get_object()
            require_editable(request.user, self.object)
        else:
            require_may_register(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return get_object_or_404(self.model.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(instance=self.object, user=self.request.user)
        return kwargs

    def form_valid(self, form):
        try:
            saved = self.save(form)
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.form_invalid(form)
        except (DomainError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "message", None) or str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"已保存：{saved}")
        return redirect(saved.get_absolute_url())

    def save(self, form):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title or (f"修改{self.model._meta.verbose_name}" if self.object
                                           else f"登记{self.model._meta.verbose_name}"),
                       object=self.object)
        return context


def _errors_to_form(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
