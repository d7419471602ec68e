from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import Role


def style_field(field) -> None:
    """The Bootstrap class a field's widget needs (and a date picker for dates)."""
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    if isinstance(widget, forms.DateInput):
        widget.input_type = "date"
        widget.format = "%Y-%m-%d"


class BootstrapFormMixin:
    """Give every widget the Bootstrap class it needs, so templates stay generic.  A
    field added after ``__init__`` is styled with :func:`style_field`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_field(field)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误，请重新输入。",
        "inactive": "该账号已停用，请联系县委组织部。",
        "api_only": "接口账号只能通过 API 令牌访问，不能登录页面。",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.role == Role.API_CLIENT:
            raise forms.ValidationError(self.error_messages["api_only"], code="api_only")
