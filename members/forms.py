"""Browser forms of the development procedure.  They type the input and offer only
what the user may choose; the rules themselves are judged by the procedure engine
in the service the view calls."""
from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone

from accounts.forms import BootstrapFormMixin
from organizations.choices import PartyOrgType
from organizations.forms import ScopedModelForm
from organizations.models import PartyOrganization

from .choices import EndKind, EndReason, Membership
from .models import Person
from .models.dossiers import DOCUMENT_TYPES, OPEN_STATES
from .privacy import may_see_id_number
from .rules import CHOICES

DATE = forms.DateInput()
MAX_DOCUMENT_MB = 20


class PersonForm(ScopedModelForm):
    class Meta:
        model = Person
        fields = [
            "name", "id_number", "sex", "birth_date", "ethnicity", "education", "occupation", "phone",
            "household_registration", "is_migrant", "current_unit", "membership", "member_party_org",
            "party_age_from",
        ]
        widgets = {"birth_date": DATE, "party_age_from": DATE}
        help_texts = {"id_number": "18位，末位可为X；出生日期和性别须与号码一致。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_see_id_number(self.user):
            # A role that may not read the full number is not shown it in an edit form either.
            del self.fields["id_number"]
        else:
            self.fields["id_number"].widget.attrs["autocomplete"] = "off"

    def clean_id_number(self):
        return (self.cleaned_data.get("id_number") or "").strip().upper()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.name}（{person.masked_id_number}）"


class PersonsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person):
        unit = f" · {person.current_unit.name}" if person.current_unit_id else ""
        return f"{person.name}{unit}"


class DossierStartForm(BootstrapFormMixin, forms.Form):
    """Receive an application (step 1): who, which party organization, when."""

    person = PersonChoiceField(label="申请人", queryset=Person.objects.none())
    party_org = forms.ModelChoiceField(label="发展党组织（接收申请的党组织）", queryset=PartyOrganization.objects.none())
    applied_on = forms.DateField(label="递交入党申请书日期", widget=DATE)
    note = forms.CharField(label="备注", max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (Person.objects.visible_to(user).exclude(dossiers__state__in=OPEN_STATES)
                                          .exclude(membership__in=(Membership.FULL, Membership.PROBATIONARY,
                                                                   Membership.SUSPENDED)))
        self.fields["party_org"].queryset = PartyOrganization.objects.editable_by(user).select_related("area")


class StepForm(BootstrapFormMixin, forms.Form):
    """The date, note and document of a step, plus the fields its rule set asks for.

    The rule-set fields are never required here: the engine reports a missing one
    together with every other broken rule, so the user sees all problems at once."""

    DATA_PREFIX = "data_"

    taken_on = forms.DateField(label="办理日期", widget=DATE)
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.FileField(
        label="材料（可选）", required=False,
        validators=[FileExtensionValidator(DOCUMENT_TYPES, message="只能上传 PDF、图片、Word、Excel 或 OFD 文件。")],
        help_text=f"PDF、图片、Word、Excel 或 OFD，不超过 {MAX_DOCUMENT_MB} MB。")

    def __init__(self, *args, step, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("taken_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.step = step
        self.specs = {}
        fields = {}
        for spec in step.fields:
            name = self.DATA_PREFIX + spec["name"]
            fields[name] = self._field_for(spec, user)
            fields[name].procedure_required = bool(spec.get("required"))
            self.specs[name] = spec
        # Rule-set fields first, then date, note and document.
        self.fields = {**fields, **self.fields}
        for name in fields:   # the mixin styled only the fields that existed before
            self._style(self.fields[name])

    @staticmethod
    def _field_for(spec, user):
        label, kind = spec["label"], spec["type"]
        if kind == "int":
            return forms.IntegerField(label=label, min_value=0, required=False)
        if kind == "decimal":
            return forms.DecimalField(label=label, min_value=0, max_digits=8, decimal_places=1, required=False)
        if kind == "date":
            return forms.DateField(label=label, widget=forms.DateInput(), required=False)
        if kind == "choice":
            choices = [("", "请选择")] + list(CHOICES.get(spec.get("choices"), {}).items())
            return forms.ChoiceField(label=label, choices=choices, required=False)
        if kind == "persons":
            members = (Person.objects.visible_to(user).filter(membership=Membership.FULL)
                       .select_related("current_unit").order_by("name"))
            return PersonsChoiceField(label=label, queryset=members, required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 6}),
                                      help_text="只列出您管理范围内的正式党员；按住 Ctrl（Mac 为 Command）可多选。")
        if kind == "party_org":
            committees = PartyOrganization.objects.visible_to(user).filter(org_type=PartyOrgType.COMMITTEE)
            return forms.ModelChoiceField(label=label, queryset=committees, required=False,
                                          empty_label="（默认：上级具有审批权限的党委）")
        return forms.CharField(label=label, max_length=500, required=False)

    @staticmethod
    def _style(field):
        widget = field.widget
        css = "form-select" if isinstance(widget, (forms.Select, forms.SelectMultiple)) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and document.size > MAX_DOCUMENT_MB * 1024 * 1024:
            raise forms.ValidationError(f"文件不能超过 {MAX_DOCUMENT_MB} MB。")
        return document

    def step_data(self) -> dict:
        """The rule-set fields as the service takes them (ids for people and organizations)."""
        data = {}
        for name, spec in self.specs.items():
            value = self.cleaned_data.get(name)
            if value in (None, "") or (spec["type"] == "persons" and not value):
                continue
            if spec["type"] == "persons":
                value = [person.pk for person in value]
            elif spec["type"] == "party_org":
                value = value.pk
            data[spec["name"]] = value
        return data

    @property
    def rule_fields(self):
        return [self[name] for name in self.specs]

    @property
    def fixed_fields(self):
        return [self[name] for name in ("taken_on", "note", "document")]


class EndDossierForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="终止类型", choices=EndKind.choices)
    reason = forms.ChoiceField(label="终止原因", choices=EndReason.choices)
    ended_on = forms.DateField(label="终止日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("ended_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ContactForm(BootstrapFormMixin, forms.Form):
    contacted_on = forms.DateField(label="联系日期", widget=DATE)
    note = forms.CharField(label="联系情况", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("contacted_on", timezone.localdate())
        super().__init__(*args, **kwargs)
