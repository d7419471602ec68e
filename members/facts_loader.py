"""Gather what the procedure engine needs to know about a dossier from the database."""
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from organizations.choices import PartyOrgType
from organizations.models import PartyOrganization

from .facts import ApproverFact, DossierFacts, PersonFact, ReviewSideFact, StepFact
from .models import Attendance, CourseKind, HolidayDay, Person
from .periods import WorkingCalendar


def dossier_facts(dossier, *, approved_by: int | None = None, on: date | None = None,
                  today: date | None = None) -> DossierFacts:
    """``on`` is the date the step would be taken: only training finished by then counts."""
    attended = Attendance.objects.filter(person_id=dossier.person_id, course__kind=CourseKind.CANDIDATE, passed=True)
    if on is not None:
        attended = attended.filter(course__ends_on__lte=on)
    training = attended.aggregate(days=Sum("days"), hours=Sum("hours"))
    return DossierFacts(
        birth_date=dossier.person.birth_date,
        is_migrant=dossier.person.is_migrant,
        state=dossier.state,
        records=tuple(StepFact(r.step, r.taken_on, r.data) for r in dossier.records.order_by("taken_on", "id")),
        cultivation_start=dossier.cultivation_start,
        review_sides=tuple(ReviewSideFact(r.side, r.replied_on, r.passed) for r in dossier.political_reviews.all()),
        training_days=training["days"] or Decimal(0),
        training_hours=training["hours"] or Decimal(0),
        approver=approver_fact(dossier.party_org, approved_by),
        today=today or timezone.localdate(),
    )


def approver_fact(party_org: PartyOrganization, approved_by: int | None) -> ApproverFact:
    """Who approves: the organization named on the step, else the nearest committee
    above (or at) the developing organization that holds approval authority, else the
    township's party committee (乡镇/街道党委, outside this registry, which has it)."""
    if approved_by is not None:
        chosen = PartyOrganization.objects.filter(pk=approved_by).first()
        if chosen is None:
            return ApproverFact(name=f"编号{approved_by}的党组织", is_committee=False, has_authority=False)
        return ApproverFact(chosen.name, chosen.org_type == PartyOrgType.COMMITTEE, chosen.has_approval_authority)
    node = party_org
    while node is not None:
        if node.org_type == PartyOrgType.COMMITTEE and node.has_approval_authority:
            return ApproverFact(node.name, True, True)
        node = node.parent
    return ApproverFact(f"{party_org.area.name}党（工）委", True, True)


def people_facts(ids) -> dict[int, PersonFact]:
    return {p.pk: PersonFact(p.pk, p.name, p.membership) for p in Person.objects.filter(pk__in=list(ids))}


def working_calendar(first: date, last: date) -> WorkingCalendar:
    days = HolidayDay.objects.filter(day__range=(first, last))
    return WorkingCalendar(holidays=[d.day for d in days if not d.is_workday],
                           extra_workdays=[d.day for d in days if d.is_workday])
