"""Browser forms of the development procedure.  They type the input and offer only
what the user may choose; the rules themselves are judged by the procedure engine
in the service the view calls."""
from django import forms
from django.utils import timezone

from accounts.forms import BootstrapFormMixin, style_field
from organizations.choices import PartyOrgType
from organizations.forms import ScopedModelForm
from organizations.models import PartyOrganization

from .choices import EndKind, EndReason, Membership, end_kinds_for
from .models import Person
from .materials.files import max_bytes
from .models.dossiers import OPEN_STATES
from .privacy import may_see_id_number
from .rules import CHOICES

DATE = forms.DateInput()
FILE_HELP = "PDF、OFD、图片（JPG、PNG）、Word 或 Excel，单个不超过 {mb} MB；不接受可执行文件。"


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


class MaterialFieldsMixin:
    """A file input per catalogue item of a step (plus "其他材料") and the 补录 flag with its
    reason, for the forms that take a step: the step form and starting a dossier."""

    FILE_PREFIX = "material_"

    def add_material_fields(self, requirements) -> dict:
        self.requirements = {}
        fields = {}
        help_text = FILE_HELP.format(mb=max_bytes() // (1024 * 1024))
        for requirement in [*requirements, None]:
            name = self.FILE_PREFIX + (requirement.code if requirement else "other")
            label = requirement.name if requirement else "其他材料"
            if requirement is not None:
                label += "（必备）" if requirement.counts else "（可选）" if not requirement.required else "（名册）"
            fields[name] = forms.FileField(label=label, required=False, help_text=help_text)
            self.requirements[name] = requirement
        fields["backfill"] = forms.BooleanField(label="补录（必备材料暂缺，先登记办理情况）", required=False)
        fields["backfill_reason"] = forms.CharField(label="补录原因", max_length=200, required=False,
                                                    help_text="如：原件在县委组织部存档，扫描件待补。")
        return fields

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("backfill") and not (cleaned.get("backfill_reason") or "").strip():
            self.add_error("backfill_reason", "勾选补录时请填写补录原因。")
        return cleaned

    def uploads(self) -> list[tuple]:
        """(catalogue item or None, file) for every document chosen in the form."""
        return [(requirement, self.cleaned_data[name]) for name, requirement in self.requirements.items()
                if self.cleaned_data.get(name)]

    def backfill_reason_given(self) -> str:
        return self.cleaned_data["backfill_reason"].strip() if self.cleaned_data.get("backfill") else ""

    @property
    def document_fields(self):
        return [self[name] for name in self.requirements]

    @property
    def backfill_fields(self):
        return [self["backfill"], self["backfill_reason"]]


class DossierStartForm(MaterialFieldsMixin, BootstrapFormMixin, forms.Form):
    """Receive an application (step 1): who, which party organization, when."""

    person = PersonChoiceField(label="申请人", queryset=Person.objects.none())
    party_org = forms.ModelChoiceField(label="发展党组织（接收申请的党组织）", queryset=PartyOrganization.objects.none())
    applied_on = forms.DateField(label="递交入党申请书日期", widget=DATE)
    note = forms.CharField(label="备注", max_length=500, required=False)

    def __init__(self, *args, user, requirements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(self.add_material_fields(requirements))
        for name in [*self.requirements, "backfill", "backfill_reason"]:
            style_field(self.fields[name])
        self.fields["person"].queryset = (Person.objects.visible_to(user).exclude(dossiers__state__in=OPEN_STATES)
                                          .exclude(membership__in=(Membership.FULL, Membership.PROBATIONARY,
                                                                   Membership.SUSPENDED)))
        self.fields["party_org"].queryset = PartyOrganization.objects.editable_by(user).select_related("area")


class StepForm(MaterialFieldsMixin, BootstrapFormMixin, forms.Form):
    """The date and note of a step, the fields its rule set asks for, a file input per
    document its catalogue lists, and the 补录 flag for recording it with documents missing.

    The rule-set fields are never required here: the engine reports a missing one
    together with every other broken rule, so the user sees all problems at once."""

    DATA_PREFIX = "data_"

    taken_on = forms.DateField(label="办理日期", widget=DATE)
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, step, user, requirements=(), **kwargs):
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
        fields.update(self.add_material_fields(requirements))
        # Rule-set fields first, then the documents and 补录, then date and note.
        self.fields = {**fields, **self.fields}
        for name in fields:   # the mixin styled only the fields that existed before
            style_field(self.fields[name])

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
        return [self[name] for name in ("taken_on", "note")]


class EndDossierForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="终止类型", choices=EndKind.choices)
    reason = forms.ChoiceField(label="终止原因", choices=EndReason.choices)
    ended_on = forms.DateField(label="终止日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, stage: str | None = None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("ended_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if stage is not None:     # only the endings that fit the dossier's stage
            allowed = end_kinds_for(stage)
            self.fields["kind"].choices = [(k, label) for k, label in EndKind.choices if k in allowed]


class ContactForm(BootstrapFormMixin, forms.Form):
    contacted_on = forms.DateField(label="联系日期", widget=DATE)
    note = forms.CharField(label="联系情况", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("contacted_on", timezone.localdate())
        super().__init__(*args, **kwargs)
