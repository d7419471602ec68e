"""factory-boy factories for every model a test needs; defaults are valid records."""
import datetime

import factory
from stdnum.cn import ric
from stdnum.cn import uscc as uscc_standard

from accounts.models import Role, User
from members.choices import Education, Membership, Sex
from members.models import Person
from organizations.choices import AreaLevel, Formation, OrganizationKind, PartyOrgType, SubKind
from organizations.models import Area, Instructor, Organization, PartyOrganization, PartyWorker

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(n: int) -> str:
    """A valid 统一社会信用代码 for sequence number ``n``."""
    body = ""
    for _ in range(8):
        body = ALPHABET[n % len(ALPHABET)] + body
        n //= len(ALPHABET)
    first17 = "91330100" + body.rjust(9, "0")
    return first17 + uscc_standard.calc_check_digit(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.TOWNSHIP_WORKER
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = "330100000000"
    name = "测试县"
    level = AreaLevel.COUNTY


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    parent = factory.SubFactory(CountyFactory)
    code = factory.Sequence(lambda n: f"330100{n % 999 + 1:03d}000")   # 12 digits, whatever the sequence
    name = factory.Sequence(lambda n: f"第{n + 1}镇")
    level = AreaLevel.TOWNSHIP


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    parent = factory.SubFactory(TownshipFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code[:9]}{n % 999 + 1:03d}")
    name = factory.Sequence(lambda n: f"第{n + 1}社区")
    level = AreaLevel.COMMUNITY


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}有限公司")
    uscc = factory.Sequence(make_uscc)
    kind = OrganizationKind.ENTERPRISE
    sub_kind = SubKind.LIMITED_COMPANY
    industry = "C"
    township = factory.SubFactory(TownshipFactory)
    employee_count = 50
    party_member_count = 2


class PartyOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试单位{n}党支部")
    org_type = PartyOrgType.BRANCH
    formation = Formation.STANDALONE
    area = factory.SubFactory(TownshipFactory)
    full_member_count = 5
    secretary_name = "张书记"

    @factory.post_generation
    def covered_organizations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.covered_organizations.set(extracted)


class InstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instructor
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"指导员{n}")
    area = factory.SubFactory(TownshipFactory)

    @factory.post_generation
    def organizations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.organizations.set(extracted)


class PartyWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyWorker

    name = factory.Sequence(lambda n: f"党务工作者{n}")
    area = factory.SubFactory(TownshipFactory)


# ---- members ---------------------------------------------------------------------------


def make_id_number(birth: datetime.date, serial: int, *, male: bool = True) -> str:
    """A valid 18-digit 公民身份号码 (GB 11643) born on ``birth``."""
    sequence = serial % 500 * 2 + (1 if male else 0)
    # 110101 (北京市东城区) is valid for every birth year in python-stdnum's data;
    # calc_check_digit expects a full-length number and ignores its last character.
    first17 = f"110101{birth:%Y%m%d}{sequence:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        male = True

    name = factory.Sequence(lambda n: f"申请人{n}")
    birth_date = datetime.date(1995, 6, 15)
    sex = factory.LazyAttribute(lambda o: Sex.MALE if o.male else Sex.FEMALE)
    id_number = factory.LazyAttributeSequence(lambda o, n: make_id_number(o.birth_date, n, male=o.male))
    education = Education.BACHELOR


class MemberFactory(PersonFactory):
    """An existing full member (a mentor or introducer)."""

    name = factory.Sequence(lambda n: f"党员{n}")
    birth_date = datetime.date(1980, 3, 1)
    membership = Membership.FULL
