"""Checksummed identifiers, validated by python-stdnum (GB 32100-2015)."""
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as uscc_standard

division_code_validator = RegexValidator(r"^\d{12}$", "统计用区划代码必须是12位数字。")


def normalize_uscc(value: str) -> str:
    return uscc_standard.compact(value or "").upper()


def validate_uscc(value: str) -> None:
    """统一社会信用代码: 18 characters, the last a check character over the first 17."""
    code = normalize_uscc(value)
    try:
        uscc_standard.validate(code)
    except stdnum_errors.InvalidLength:
        raise ValidationError("统一社会信用代码应为18位（当前%(n)d位）。", code="uscc_length", params={"n": len(code)})
    except stdnum_errors.InvalidChecksum:
        raise ValidationError("统一社会信用代码校验位错误，请核对后重新输入。", code="uscc_checksum")
    except stdnum_errors.ValidationError:
        raise ValidationError("统一社会信用代码格式不正确（只能包含数字和大写字母，不含I、O、Z、S、V）。", code="uscc_format")
