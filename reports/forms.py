"""The form that starts a county report: a year or a date range, a township, the source."""
from datetime import date

from django import forms
from django.utils import timezone

from .access import TownshipField, resolve_township, visible_townships, year_choices
from .models import DataSource


class ReportForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    start = forms.DateField(label="或自（开始日期）", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至（结束日期）", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    township = TownshipField(label="乡镇（街道）", coerce=int, required=False, empty_value=None)
    source = forms.ChoiceField(label="数据来源", choices=DataSource.choices, initial=DataSource.LIVE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].choices = [("", "（按起止日期）")] + year_choices()
        self.fields["year"].initial = timezone.localdate().year
        self.fields["township"].choices = ([("", "全县" if user.sees_whole_county else "全部乡镇（街道）")]
                                           + list(visible_townships(user).items()))
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if hasattr(field.widget, "choices") else "form-control"

    def clean_township(self):
        value = self.cleaned_data.get("township")
        return resolve_township(self.user, value) if value else None

    def clean(self):
        data = super().clean()
        start, end, year = data.get("start"), data.get("end"), data.get("year")
        if start or end:
            if not (start and end):
                raise forms.ValidationError("按起止日期统计时，请同时填写开始日期和结束日期。")
            if end < start:
                self.add_error("end", "结束日期不能早于开始日期。")
        elif year:
            data["start"], data["end"] = date(year, 1, 1), date(year, 12, 31)
        else:
            raise forms.ValidationError("请选择年度，或填写起止日期。")
        return data
