"""What a user below county level is assigned to — the input of every scope condition.

Read once per user object and kept on it, so a page that scopes several querysets
asks the database once.
"""
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class UserScope:
    area_paths: tuple[str, ...]        # township workers and API clients
    party_org_paths: tuple[str, ...]   # secretaries: their party organizations' subtrees
    instructor_id: int | None          # instructors: their own record

    def under_areas(self, field: str = "") -> Q | None:
        """Rows whose ``field`` (an Area; "" for the area itself) lies in the user's areas."""
        return _under(field, self.area_paths)

    def under_party_orgs(self, field: str = "") -> Q | None:
        """Rows whose ``field`` (a PartyOrganization; "" for itself) lies in the user's subtrees."""
        return _under(field, self.party_org_paths)


def _under(field: str, paths: tuple[str, ...]) -> Q | None:
    """``None`` (nothing) for no paths, else one prefix match per path, OR-ed."""
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    combined = None
    for path in paths:
        condition = Q(**{lookup: path})
        combined = condition if combined is None else combined | condition
    return combined


def scope_of(user) -> UserScope:
    cached = getattr(user, "_organization_scope", None)
    if cached is None:
        profile_id = user.instructor_profile.pk if hasattr(user, "instructor_profile") else None
        cached = UserScope(
            area_paths=tuple(user.scope_areas.values_list("path", flat=True)),
            party_org_paths=tuple(user.secretary_of.values_list("path", flat=True)),
            instructor_id=profile_id,
        )
        user._organization_scope = cached
    return cached
