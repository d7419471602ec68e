"""统一社会信用代码 (GB 32100-2015) and the area hierarchy rules."""
import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc as uscc_standard

from organizations.models import Area
from organizations.validators import normalize_uscc, validate_uscc
from tests.factories import CommunityFactory, CountyFactory, TownshipFactory

CJK_RANGE = ("\u4e00", "\u9fff")


def with_check(first17: str) -> str:
    return first17 + uscc_standard.calc_check_digit(first17)


def error_of(value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_uscc(value)
    return caught.value


def is_chinese(message: str) -> bool:
    return any(CJK_RANGE[0] <= ch <= CJK_RANGE[1] for ch in message)


@pytest.mark.parametrize("code", [
    "91110000600037341L",                  # a real enterprise's code
    "91330100MA2B3C4D5" ,                  # completed with its check character below
    "51330100MJ8765432",                   # a social organization (登记管理部门 5)
    "12100000400000624",                   # an institution (1)
    "9133010000000000",                    # digits only (padded below)
])
def test_valid_codes_are_accepted(code):
    if len(code) != 18:
        code = with_check(code.ljust(17, "0"))
    validate_uscc(code)  # no exception


@pytest.mark.parametrize("code", ["91110000600037341l", " 9111 0000-6000 37341L ", "91110000600037341L"])
def test_lower_case_and_separators_are_normalised(code):
    validate_uscc(code)
    assert normalize_uscc(code) == "91110000600037341L"


@pytest.mark.parametrize("value", ["", "9111000060003734", "91110000600037341L0", "123"])
def test_wrong_length(value):
    error = error_of(value)

    assert error.code == "uscc_length"
    assert f"当前{len(normalize_uscc(value))}位" in error.messages[0]
    assert is_chinese(error.messages[0])


def test_wrong_check_character():
    good = "91110000600037341L"
    for wrong in "0123456789ABCDEFGHJKMNPQRTUWXY":
        if wrong == good[-1]:
            continue
        error = error_of(good[:-1] + wrong)
        assert error.code == "uscc_checksum"
        assert "校验位错误" in error.messages[0]


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_forbidden_letters_in_the_body(letter):
    code = with_check("91330100MA2B3C4D5")
    bad = code[:10] + letter + code[11:]

    error = error_of(bad)

    assert error.code == "uscc_format"
    assert "不含I、O、Z、S、V" in error.messages[0]


@pytest.mark.parametrize("bad", ["9133A100MA2B3C4D5X", "91330100MA2B3C4D5*", "91330100MA2B3C4D5。"])
def test_letters_in_the_region_part_or_foreign_characters(bad):
    assert error_of(bad).code == "uscc_format"


# ---- Area.clean ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_township_code_must_start_with_the_county_code():
    county = CountyFactory()
    township = Area(code="330200001000", name="错码镇", level="township", parent=county)

    with pytest.raises(ValidationError) as caught:
        township.full_clean()

    assert "code" in caught.value.message_dict
    assert "前6位应与上级区划" in caught.value.message_dict["code"][0]


@pytest.mark.django_db
def test_township_with_matching_code_is_valid():
    county = CountyFactory()
    Area(code="330100123000", name="正确镇", level="township", parent=county).full_clean()


@pytest.mark.django_db
def test_community_code_must_start_with_the_township_code():
    township = TownshipFactory(code="330100005000")
    community = Area(code="330100006001", name="错码社区", level="community", parent=township)

    with pytest.raises(ValidationError) as caught:
        community.full_clean()

    assert "前9位" in caught.value.message_dict["code"][0]


@pytest.mark.django_db
def test_community_cannot_hang_directly_under_a_county():
    county = CountyFactory()
    community = Area(code="330100000001", name="直属社区", level="community", parent=county)

    with pytest.raises(ValidationError) as caught:
        community.full_clean()

    assert "parent" in caught.value.message_dict
    assert "不能隶属于" in caught.value.message_dict["parent"][0]


@pytest.mark.django_db
def test_township_needs_a_parent_and_county_needs_none():
    with pytest.raises(ValidationError) as caught:
        Area(code="330100007000", name="孤镇", level="township").full_clean()
    assert "parent" in caught.value.message_dict

    Area(code="330300000000", name="另一县", level="county").full_clean()


@pytest.mark.django_db
def test_division_code_must_be_twelve_digits():
    county = CountyFactory()
    with pytest.raises(ValidationError) as caught:
        Area(code="33010000100", name="短码镇", level="township", parent=county).full_clean()
    assert "12位数字" in caught.value.message_dict["code"][0]


@pytest.mark.django_db
def test_community_path_lies_under_its_township():
    community = CommunityFactory()

    assert community.path == f"{community.parent.path}{community.code}/"
