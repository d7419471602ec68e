from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from organizations.search import pinyin_initials

from ..choices import ETHNICITIES, Education, Membership, Occupation, Sex
from ..querysets import PersonQuerySet
from .dossiers import OPEN_STATES


def _validate_id_number(value: str) -> None:
    """GB 11643: birth date and check digit.  python-stdnum also looks the place code up
    in its own table, which lacks some real (and newer) codes and then raises KeyError;
    such a number is still accepted when its date and check digit are right."""
    try:
        ric.validate(value)
    except KeyError:
        ric.get_birth_date(value)   # raises InvalidComponent for an impossible date
        if ric.calc_check_digit(value) != value[-1]:
            raise stdnum_errors.InvalidChecksum()


def mask_id_number(value: str) -> str:
    """身份证号 shown as the first 6 and last 4 characters."""
    return f"{value[:6]}********{value[-4:]}" if value and len(value) == 18 else ""


class Person(models.Model):
    """Somebody the procedure touches: an applicant, or a member who mentors or introduces."""

    name = models.CharField("姓名", max_length=50)
    name_initials = models.CharField(max_length=50, editable=False, db_index=True, default="")
    sex = models.CharField("性别", max_length=8, choices=Sex.choices)
    ethnicity = models.CharField("民族", max_length=10, choices=[(e, e) for e in ETHNICITIES], default="汉族")
    # Stored once, here; never in history rows, URLs or logs, shown masked (see README).
    id_number = models.CharField("公民身份号码", max_length=18, unique=True,
                                 error_messages={"unique": "该身份证号已登记。"})
    id_last4 = models.CharField(max_length=4, editable=False, db_index=True, default="")
    birth_date = models.DateField("出生日期")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    education = models.CharField("学历", max_length=16, choices=Education.choices)
    occupation = models.CharField("职业类别", max_length=24, choices=Occupation.choices, default=Occupation.FRONT_LINE)
    household_registration = models.CharField("户籍所在地", max_length=100, blank=True)
    is_migrant = models.BooleanField("流动人员（户籍不在本县）", default=False,
                                     help_text="流动人员须经户籍所在地和工作单位双方政治审查。")
    current_unit = models.ForeignKey("organizations.Organization", verbose_name="现工作单位", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="people")
    membership = models.CharField("政治面貌", max_length=16, choices=Membership.choices, default=Membership.NONE)
    member_party_org = models.ForeignKey("organizations.PartyOrganization", verbose_name="所在党组织（党员）",
                                         null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    party_age_from = models.DateField("党龄起算日（转正之日）", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["id_number"])
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["name", "id"]
        indexes = [
            # The categories the new-member statistics count (reports.selectors.new_members),
            # read by id for the few people approved in a period without visiting the
            # wide rows (PostgreSQL: an index-only scan; elsewhere a plain index on id).
            models.Index(fields=["id"], include=["birth_date", "sex", "ethnicity", "education", "occupation"],
                         name="person_new_member_facts"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:person-detail", args=[self.pk])

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def clean(self):
        self.id_number = (self.id_number or "").strip().upper()
        try:
            _validate_id_number(self.id_number)
        except stdnum_errors.InvalidLength:
            raise ValidationError({"id_number": "公民身份号码应为18位。"})
        except stdnum_errors.InvalidChecksum:
            raise ValidationError({"id_number": "公民身份号码校验位错误，请核对。"})
        except stdnum_errors.ValidationError:
            raise ValidationError({"id_number": "公民身份号码格式不正确（出生日期或字符有误）。"})
        errors = {}
        born = ric.get_birth_date(self.id_number)
        if self.birth_date and self.birth_date != born:
            errors["birth_date"] = f"出生日期与身份证号不符（身份证号为{born:%Y-%m-%d}）。"
        sex = Sex.MALE if int(self.id_number[16]) % 2 else Sex.FEMALE
        if self.sex and self.sex != sex:
            errors["sex"] = f"性别与身份证号不符（身份证号为{Sex(sex).label}）。"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.name_initials = pinyin_initials(self.name)[:50]
        self.id_last4 = self.id_number[-4:]
        adding, update_fields = self._state.adding, kwargs.get("update_fields")
        super().save(*args, **kwargs)
        if not adding and (update_fields is None or "current_unit" in update_fields):
            # An open dossier is in the person's current unit (Dossier.unit).
            (self.dossiers.filter(state__in=OPEN_STATES).exclude(unit_id=self.current_unit_id)
             .update(unit_id=self.current_unit_id))
