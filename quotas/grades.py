"""The party-building evaluation grade (党建考评等次) the county enters per party
organization and year.  A plan of year Y reads the grades of year Y − 1
(quotas.demand, quotas.weights): they tilt the weight toward units strong at party building and decide
who is in good standing for a guaranteed seat."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from organizations.models import PartyOrganization

from .models import EvaluationGrade, PartyBuildingGrade

FIRST_YEAR = 2000


@transaction.atomic
def set_grade(*, party_org: PartyOrganization, year: int, grade: str, note: str = "", by) -> EvaluationGrade:
    """Enter or change one grade; the change is audited with who made it."""
    if not (by.is_authenticated and by.is_county_admin):
        raise PermissionDenied("只有县委组织部管理员可以评定党建考评等次。")
    errors = {}
    if grade not in PartyBuildingGrade.values:
        errors["grade"] = "请选择考评等次（A、B、C、D）。"
    if not FIRST_YEAR <= int(year) <= 2100:
        errors["year"] = f"考评年度应在{FIRST_YEAR}年至2100年之间。"
    if errors:
        raise ValidationError(errors)
    record = EvaluationGrade.objects.select_for_update().filter(party_org=party_org, year=year).first()
    if record is None:
        record = EvaluationGrade(party_org=party_org, year=year)
    elif record.grade == grade and record.note == note:
        return record
    record.grade, record.note = grade, note
    record._history_user = by
    record._change_reason = "评定党建考评等次"
    record.full_clean()
    record.save()
    return record
