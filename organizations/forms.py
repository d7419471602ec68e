"""Browser forms.  They validate input and limit choices to the user's scope; the
save itself is a service call in the view."""
from django import forms

from accounts.forms import BootstrapFormMixin

from .choices import PartyOrgType
from .models import Area, Instructor, Organization, PartyOrganization, PartyWorker
from .validators import normalize_uscc


class ScopedModelForm(BootstrapFormMixin, forms.ModelForm):
    """Relation fields offer only what the user may use (NetBox's restrict_form_fields)."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                allowed = self.scoped_choices(name, field.queryset)
                current = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
                if current is not None:
                    # Someone who may edit a record may keep its current township or
                    # parent even where they could not choose it for a new record.
                    allowed = allowed | field.queryset.model.objects.filter(pk=current)
                field.queryset = allowed

    def scoped_choices(self, name, queryset):
        model = queryset.model
        if model is Area:
            return Area.objects.assignable_by(self.user) if name in ("township", "area") else queryset
        return model.objects.visible_to(self.user).filter(pk__in=queryset.values("pk"))

    @property
    def data_for_service(self) -> dict:
        return dict(self.cleaned_data)


DATE = forms.DateInput()


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = [
            "name", "uscc", "kind", "sub_kind", "industry", "township", "community", "address",
            "employee_count", "party_member_count", "legal_representative", "representative_is_member",
            "established_on", "dissolved_on", "status",
        ]
        widgets = {"established_on": DATE, "dissolved_on": DATE}

    def clean_uscc(self):
        return normalize_uscc(self.cleaned_data["uscc"])

    def scoped_choices(self, name, queryset):
        if name == "community":
            return queryset.filter(parent__in=Area.objects.assignable_by(self.user))
        return super().scoped_choices(name, queryset)


class PartyOrganizationForm(ScopedModelForm):
    class Meta:
        model = PartyOrganization
        fields = [
            "name", "org_type", "formation", "parent", "area", "covered_organizations", "secretary_name",
            "secretary_phone", "has_approval_authority", "has_branch_committee", "full_member_count",
            "probationary_member_count", "established_on",
        ]
        widgets = {"established_on": DATE, "covered_organizations": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = self.fields["parent"].queryset.filter(
            org_type__in=(PartyOrgType.COMMITTEE, PartyOrgType.GENERAL_BRANCH))
        self.fields["covered_organizations"].queryset = Organization.objects.visible_to(self.user).active() \
            .select_related("township")
        self.fields["covered_organizations"].help_text = "按住 Ctrl（Mac 为 Command）可多选。"


class InstructorForm(ScopedModelForm):
    class Meta:
        model = Instructor
        fields = ["name", "phone", "area", "employer", "employment", "appointed_on", "organizations"]
        widgets = {"appointed_on": DATE, "organizations": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = Organization.objects.visible_to(self.user).active()


class PartyWorkerForm(ScopedModelForm):
    class Meta:
        model = PartyWorker
        fields = ["name", "phone", "area", "party_organization", "employment", "position", "is_party_member",
                  "started_on"]
        widgets = {"started_on": DATE}


class OrganizationImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件。")
        if uploaded.size > 10 * 1024 * 1024:
            raise forms.ValidationError("文件不能超过 10 MB。")
        return uploaded
