"""Search as Chinese users expect: by name, by credit code, or by pinyin initials
("hzhq" finds 杭州华强…)."""
from django.db.models import Q
from pypinyin import Style, lazy_pinyin


def pinyin_initials(text: str) -> str:
    return "".join(lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="ignore")).lower()[:100]


def name_condition(value: str, *, name_field: str = "name", initials_field: str = "name_initials") -> Q:
    value = value.strip()
    condition = Q(**{f"{name_field}__icontains": value})
    if value.isascii() and value.isalpha():
        condition |= Q(**{f"{initials_field}__startswith": value.lower()})
    return condition
