"""Read-side queries of the registry for pages and exports (scoped, aggregated)."""
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from .choices import OrganizationStatus
from .models import Area, Instructor, Organization, PartyOrganization, PartyWorker
from .structure_rules import party_organization_warnings


def coverage_by_township(*, user):
    """Per township in the user's view: units, units with a party organization,
    units without any member, employees and members — one query."""
    units = Organization.objects.visible_to(user).active().with_coverage()
    rows = (units.values("township_id", "township__name", "township__code")
            .annotate(units=Count("id"),
                      covered=Count("id", filter=Q(has_party_org=True)),
                      without_member=Count("id", filter=Q(party_member_count=0)),
                      employees=Coalesce(Sum("employee_count"), 0),
                      members=Coalesce(Sum("party_member_count"), 0))
            .order_by("township__code"))
    result = []
    for row in rows:
        row["coverage_rate"] = round(100 * row["covered"] / row["units"], 1) if row["units"] else 0
        row["members_per_100"] = round(100 * row["members"] / row["employees"], 2) if row["employees"] else 0
        result.append(row)
    return result


def registry_totals(*, user) -> dict:
    units = Organization.objects.visible_to(user).active().with_coverage()
    totals = units.aggregate(
        units=Count("id"), covered=Count("id", filter=Q(has_party_org=True)),
        without_member=Count("id", filter=Q(party_member_count=0)),
        enterprises=Count("id", filter=Q(kind="enterprise")), social_orgs=Count("id", filter=Q(kind="social_org")),
    )
    totals["without_party_org"] = totals["units"] - totals["covered"]
    totals["coverage_rate"] = round(100 * totals["covered"] / totals["units"], 1) if totals["units"] else 0
    totals["party_organizations"] = PartyOrganization.objects.visible_to(user).count()
    totals["instructors"] = Instructor.objects.visible_to(user).count()
    totals["party_workers"] = PartyWorker.objects.visible_to(user).count()
    return totals


def instructors_with_load(*, user):
    """Instructors and how many active units each covers (instructor load)."""
    return (Instructor.objects.visible_to(user).select_related("area")
            .annotate(unit_count=Count("organizations", filter=~Q(organizations__status=OrganizationStatus.DISSOLVED))))


def party_organizations_with_counts(*, user):
    return (PartyOrganization.objects.visible_to(user).select_related("area", "parent")
            .annotate(covered_count=Count("covered_organizations")))


def party_organizations_needing_attention(*, user, limit=20):
    """Party organizations whose structure breaks a rule of domain.md §4."""
    flagged = []
    for party_org in party_organizations_with_counts(user=user).order_by("area__code", "name"):
        warnings = party_organization_warnings(party_org, covered_units=party_org.covered_count)
        if warnings:
            flagged.append((party_org, warnings))
            if len(flagged) >= limit:
                break
    return flagged


def area_tree(*, user):
    """The area tree with unit counts per township, for the tree page (two queries)."""
    units = Organization.objects.visible_to(user).active()
    unit_counts = units.filter(township=OuterRef("pk")).order_by().values("township") \
        .annotate(n=Count("id")).values("n")
    areas = list(Area.objects.visible_to(user)
                 .annotate(unit_count=Coalesce(Subquery(unit_counts, output_field=IntegerField()), 0),
                           community_count=Count("children"))
                 .order_by("path"))
    children = {}
    for area in areas:
        children.setdefault(area.parent_id, []).append(area)
    for area in areas:
        area.child_list = children.get(area.pk, [])
    return children.get(None, [])


def units_without_party_org(*, user):
    """Active units no party organization covers (for the home pages)."""
    return (Organization.objects.visible_to(user).active().with_coverage().filter(has_party_org=False)
            .select_related("township"))


def home_panels(user) -> dict:
    """What the home pages show of the registry, in the user's scope."""
    return {
        "totals": registry_totals(user=user),
        "coverage_rows": coverage_by_township(user=user),
        "attention": party_organizations_needing_attention(user=user, limit=10),
        "uncovered_units": units_without_party_org(user=user).order_by("-employee_count")[:10],
        "instructor_load": instructors_with_load(user=user).order_by("-unit_count")[:10],
    }
