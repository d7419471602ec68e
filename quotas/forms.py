"""Browser forms of the development plans.  They validate input and limit choices to
the user's scope; every save is a service call in the view."""
from django import forms
from django.utils import timezone

from accounts.forms import BootstrapFormMixin
from organizations.models import PartyOrganization

from .models import PartyBuildingGrade, PlanStatus, QuotaPlan
from .models.plans import DEFAULT_PARAMETERS, METHOD_CHOICES
from .whatif import MAX_SCENARIOS, Scenario

# Every number of DEFAULT_PARAMETERS (quotas/models/plans.py) as a form field:
# key, label, help text, smallest and largest allowed value.  The API's serializer
# uses the same table.
WEIGHT_PARAMETERS = [
    ("candidate_weight", "发展对象权重", "每名年底前可满足接收条件的发展对象计入需求的分量。", 0, None),
    ("activist_weight", "积极分子权重", "每名年内培养满一年的积极分子计入需求的分量。", 0, None),
    ("completion_weight", "上年计划完成率的影响", "0 表示不看完成率；1 表示质量系数与完成率成正比。", 0, 1),
    ("overdue_penalty", "逾期档案扣减", "逾期档案占比为100%时质量系数扣减的比例（0–1）。", 0, 1),
    ("minimum_quality", "保底名额的最低质量系数", "质量系数低于此值的党组织不保底一个名额。", 0, None),
]
GRADE_FACTOR_LABEL = "党建考评{grade}等系数"
GRADES = [grade for grade, _ in PartyBuildingGrade.choices]


def grade_factor_field(grade: str) -> str:
    return f"grade_factor_{grade}"


def _number_field(label, help_text, low, high, *, required=True):
    return forms.FloatField(label=label, help_text=help_text, min_value=low, max_value=high, required=required,
                            widget=forms.NumberInput(attrs={"step": "0.01"}))


def _parameter_fields(*, required: bool) -> dict:
    fields = {key: _number_field(label, help_text, low, high, required=required)
              for key, label, help_text, low, high in WEIGHT_PARAMETERS}
    for grade in GRADES:
        fields[grade_factor_field(grade)] = _number_field(
            GRADE_FACTOR_LABEL.format(grade=grade), "", 0, None, required=required)
    return fields


def _parameters_from(cleaned: dict, *, skip_empty: bool) -> dict:
    """The ``parameters`` dict (as stored on the plan) from the cleaned form fields."""
    out = {}
    for key, *_ in WEIGHT_PARAMETERS:
        if not (skip_empty and cleaned.get(key) is None):
            out[key] = cleaned[key]
    factors = {g: cleaned[grade_factor_field(g)] for g in GRADES
               if not (skip_empty and cleaned.get(grade_factor_field(g)) is None)}
    if factors:
        out["grade_factors"] = factors
    return out


class PlanForm(BootstrapFormMixin, forms.ModelForm):
    good_standing_grades = forms.MultipleChoiceField(
        label="可保底的考评等次", choices=PartyBuildingGrade.choices, widget=forms.CheckboxSelectMultiple,
        required=False, help_text="上年考评为这些等次、且有发展对象的党组织至少分得1个名额（名额允许时）。")

    class Meta:
        model = QuotaPlan
        fields = ["year", "name", "total_seats", "reserve_seats", "township_method", "org_method"]

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["township_method"].choices = METHOD_CHOICES
        self.fields["org_method"].choices = METHOD_CHOICES
        self.fields.update(_parameter_fields(required=True))
        # Move the grade multiple choice after the numbers, where it belongs in the page.
        self.fields["good_standing_grades"] = self.fields.pop("good_standing_grades")
        self.fields["good_standing_grades"].widget.attrs["class"] = "form-check-input"
        current = self.instance.effective_parameters if self.instance.pk else DEFAULT_PARAMETERS
        for key, *_ in WEIGHT_PARAMETERS:
            self.initial.setdefault(key, current[key])
        for grade in GRADES:
            self.initial.setdefault(grade_factor_field(grade), current["grade_factors"].get(grade, 1.0))
        self.initial.setdefault("good_standing_grades", list(current["good_standing_grades"]))
        if not self.instance.pk:
            self.initial.setdefault("year", timezone.localdate().year + 1)

    def parameter_fields(self):
        names = {key for key, *_ in WEIGHT_PARAMETERS} | {grade_factor_field(g) for g in GRADES}
        return [self[name] for name in self.fields if name in names or name == "good_standing_grades"]

    def basic_fields(self):
        return [self[name] for name in self.Meta.fields]

    @property
    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        parameters = _parameters_from(self.cleaned_data, skip_empty=False)
        parameters["good_standing_grades"] = sorted(self.cleaned_data["good_standing_grades"])
        data["parameters"] = parameters
        return data


class ScenarioForm(BootstrapFormMixin, forms.Form):
    """One scenario of the what-if page (prefix ``s1`` … ``s4``); blank numbers keep the
    plan's own parameters."""

    use = forms.BooleanField(label="参与比较", required=False)
    township_method = forms.ChoiceField(label="乡镇（街道）分配方法", choices=METHOD_CHOICES)
    org_method = forms.ChoiceField(label="党组织分配方法", choices=METHOD_CHOICES)
    seats = forms.IntegerField(label="参与分配的名额", min_value=0, max_value=1_000_000, required=False,
                               help_text="留空：上级下达名额减县级预留。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in _parameter_fields(required=False).items():
            field.widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "按计划"})
            self.fields[name] = field

    def parameter_fields(self):
        return [self[name] for name in self.fields if name not in ("use", "township_method", "org_method", "seats")]

    def scenario(self) -> Scenario:
        data = self.cleaned_data
        return Scenario(township_method=data["township_method"], org_method=data["org_method"],
                        seats=data.get("seats"), overrides=_parameters_from(data, skip_empty=True))


def scenario_forms(plan: QuotaPlan, data=None) -> list[ScenarioForm]:
    """Four scenario forms; unbound, the first is the plan's own settings and the second
    compares another level-2 method."""
    other = "webster" if plan.org_method != "webster" else "hamilton"
    defaults = [(plan.township_method, plan.org_method, True), (plan.township_method, other, True),
                (plan.township_method, "jefferson", False), ("huntington_hill", "huntington_hill", False)]
    forms_ = []
    for number, (township_method, org_method, use) in enumerate(defaults[:MAX_SCENARIOS], start=1):
        form = ScenarioForm(data, prefix=f"s{number}",
                            initial={"use": use, "township_method": township_method, "org_method": org_method})
        if number == 1:
            form.fields["use"].disabled = True     # the baseline always takes part
            form.fields["use"].initial = True
        forms_.append(form)
    return forms_


class GradeForm(BootstrapFormMixin, forms.Form):
    grade = forms.ChoiceField(label="党建考评等次", choices=PartyBuildingGrade.choices)
    note = forms.CharField(label="说明", max_length=200, required=False)


class QuotaRequestForm(BootstrapFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label="发展计划", queryset=QuotaPlan.objects.none())
    party_org = forms.ModelChoiceField(label="申请党组织", queryset=PartyOrganization.objects.none())
    seats = forms.IntegerField(label="申请增加名额", min_value=1, max_value=1000)
    reason = forms.CharField(label="申请理由", max_length=500, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="写明已确定的发展对象人数、预计接收时间等。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = QuotaPlan.objects.visible_to(user).exclude(status=PlanStatus.CLOSED)
        self.fields["party_org"].queryset = PartyOrganization.objects.editable_by(user).order_by("name")


class ApproveForm(BootstrapFormMixin, forms.Form):
    approved_seats = forms.IntegerField(label="批准名额", min_value=1, max_value=1000)
    note = forms.CharField(label="审批意见", max_length=300, required=False)


class RejectForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="不批准的理由", max_length=300)


class RebalanceForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label="调剂日期", widget=forms.DateInput())
    method = forms.ChoiceField(label="再分配方法", choices=METHOD_CHOICES)
    note = forms.CharField(label="说明", max_length=300, required=False)
