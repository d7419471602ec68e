"""Read-side queries of the registry for pages and exports (scoped, aggregated)."""
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from .choices import OrganizationStatus
from .models import Area, Instructor, Organization, PartyOrganization, PartyWorker
from .structure_rules import party_organization_warnings


# ---- coverage (组织覆盖): the one definition, for the home pages and the statistics ----------

COVERAGE_MEASURES = ("units", "covered", "without_member", "employees", "members")


def coverage_units(*, user):
    """The units coverage counts: the user's units that still exist (not dissolved), each
    annotated ``has_party_org`` — whether a party organization covers it."""
    return Organization.objects.visible_to(user).active().with_coverage()


def coverage_aggregates() -> dict:
    """Coverage's counts over :func:`coverage_units` as aggregate expressions: units,
    ``covered`` (with a party organization), ``without_member`` (no party member
    registered), ``employees`` and ``members`` (the units' registered numbers)."""
    return {"units": Count("id"), "covered": Count("id", filter=Q(has_party_org=True)),
            "without_member": Count("id", filter=Q(party_member_count=0)),
            "employees": Coalesce(Sum("employee_count"), 0), "members": Coalesce(Sum("party_member_count"), 0)}


def coverage_counts(units, *, by: dict[str, str]) -> list[dict]:
    """Coverage counts of ``units`` (a :func:`coverage_units` queryset, narrowed as the
    caller needs) grouped by ``by`` (row key -> field path) — one aggregate query."""
    rows = units.order_by().values(*by.values()).annotate(**coverage_aggregates())
    return [{**{key: row[path] for key, path in by.items()}, **{m: row[m] for m in COVERAGE_MEASURES}}
            for row in rows]


def _percent(numerator, denominator, digits):
    return round(100 * numerator / denominator, digits) if denominator else None


def coverage_rates(counts: dict) -> dict:
    """The rates of a row of coverage counts: ``coverage_rate`` — units with a party
    organization in % of the units (one decimal) — and ``members_per_100`` — party
    members per 100 employees (two decimals); ``None`` where there is nothing to divide."""
    return {"coverage_rate": _percent(counts["covered"], counts["units"], 1),
            "members_per_100": _percent(counts["members"], counts["employees"], 2)}


def coverage_by_township(*, user):
    """Per township in the user's view (by code): the coverage counts and rates — one
    query.  The home table has no "—": a rate with nothing to divide shows as 0."""
    rows = coverage_counts(coverage_units(user=user), by={
        "township_id": "township_id", "township__name": "township__name", "township__code": "township__code"})
    rows.sort(key=lambda row: row["township__code"])
    return [{**row, **{name: rate or 0 for name, rate in coverage_rates(row).items()}} for row in rows]


def registry_totals(*, user) -> dict:
    totals = coverage_units(user=user).aggregate(
        **coverage_aggregates(), enterprises=Count("id", filter=Q(kind="enterprise")),
        social_orgs=Count("id", filter=Q(kind="social_org")))
    totals["without_party_org"] = totals["units"] - totals["covered"]
    totals["coverage_rate"] = coverage_rates(totals)["coverage_rate"] or 0
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
    return coverage_units(user=user).filter(has_party_org=False).select_related("township")


def home_panels(user) -> dict:
    """What the home pages show of the registry, in the user's scope."""
    return {
        "totals": registry_totals(user=user),
        "coverage_rows": coverage_by_township(user=user),
        "attention": party_organizations_needing_attention(user=user, limit=10),
        "uncovered_units": units_without_party_org(user=user).order_by("-employee_count")[:10],
        "instructor_load": instructors_with_load(user=user).order_by("-unit_count")[:10],
    }
