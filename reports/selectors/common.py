"""What every figure selector shares: the scope it reads in and the row plumbing.

A selector reads in one :class:`Scope`: the user (every queryset starts from
``visible_to(user)``), the period, the townships the user may see, an optional
township (then rows are per party organization, unit, … — the drill-down) and an
optional kind of unit.  It first builds a *cube* — rows of additive counts keyed by
township (or finer), kind and category, from one or two aggregate queries — and then
presents it.  A monthly snapshot stores the township-grain cubes, so a figure read
from a snapshot goes through the same presentation.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q
from django.utils import timezone

from organizations.choices import OrganizationKind
from organizations.models import Area, Organization, PartyOrganization
from organizations.querysets import townships_for

from ..figures import COMMUNITY, PARTY_ORG, TOWNSHIP, UNIT, Period, resolve_period

UNKNOWN_KIND = "unknown"
KIND_LABELS = {**dict(OrganizationKind.choices), UNKNOWN_KIND: "未登记工作单位"}


@dataclass(frozen=True)
class Scope:
    user: object
    period: Period
    today: date
    townships: dict            # id -> name of the townships the user may see, by code
    township: object | None    # Area: rows per party organization / unit of that township
    kind: str | None
    snapshot: object | None = None
    by_kind: bool = False      # keep the kind of unit as a cube dimension (snapshots need it)
    # Cubes already read for this scope: figures built together (a dashboard, a
    # report) share the pipeline and plan queries.
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def as_of(self) -> date:
        """The day stocks are read: the end of the period, or today if it has not ended."""
        return self.period.as_of(self.today)

    @property
    def kind_dimension(self) -> bool:
        """Whether cubes carry the kind of unit (it costs two joins on dossiers)."""
        return self.by_kind or bool(self.kind)

    @property
    def township_ids(self) -> list[int]:
        if self.township is not None:
            return [self.township.pk] if self.township.pk in self.townships else []
        return list(self.townships)

    @property
    def drilled(self) -> bool:
        """Rows per party organization / unit (a township chosen) rather than per township;
        a snapshot only holds township rows."""
        return self.township is not None and self.snapshot is None

    def filters(self) -> dict:
        return {"start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
                "year": self.period.year if self.period.is_calendar_year else None,
                "township": self.township.pk if self.township is not None else None,
                "township_name": self.township.name if self.township is not None else None,
                "kind": self.kind, "as_of": self.as_of.isoformat()}


def visible_townships(user) -> dict:
    """Townships the user's statistics cover (id -> name, by code); one query, kept on
    the user object so a dashboard of many figures asks once."""
    cached = getattr(user, "_stats_townships", None)
    if cached is None:
        cached = dict(townships_for(user, Area.objects.visible_to(user)).order_by("code").values_list("pk", "name"))
        user._stats_townships = cached
    return cached


def make_scope(*, user, year: int | None = None, start: date | None = None, end: date | None = None,
               township=None, kind: str | None = None, today: date | None = None, snapshot=None,
               by_kind: bool = False) -> Scope:
    today = today or timezone.localdate()
    period = resolve_period(year=year, start=start, end=end)
    if snapshot is not None:
        today = min(today, _day_after(snapshot.as_of))
    return Scope(user=user, period=period, today=today, townships=visible_townships(user),
                 township=township, kind=kind or None, snapshot=snapshot, by_kind=by_kind)


def _day_after(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


# ---- cubes --------------------------------------------------------------------------------

def count_cube(queryset, dims: dict[str, object], measures: dict[str, object]) -> list[dict]:
    """One aggregate query: ``dims`` (cube key -> field path, or an expression),
    ``measures`` (name -> a ``Q`` for a filtered count, or an aggregate expression)."""
    annotations = {name: Count("id", filter=m) if isinstance(m, Q) else m for name, m in measures.items()}
    columns = {f"dim_{key}": F(path) if isinstance(path, str) else path for key, path in dims.items()}
    rows = queryset.order_by().values(**columns).annotate(**annotations)
    return [{**{key: row[f"dim_{key}"] for key in dims}, **{name: row[name] or 0 for name in measures}}
            for row in rows]


class Folded(dict):
    """Sums keyed by a tuple, remembering its measures (so empty groups get zeros)."""

    def __init__(self, measures):
        super().__init__()
        self.measures = list(measures)


def fold(rows: Iterable[dict], keys: tuple[str, ...], measures: Iterable[str]) -> Folded:
    """Sum ``measures`` over the rows sharing ``keys``."""
    folded = Folded(measures)
    measures = folded.measures
    for row in rows:
        key = tuple(row.get(k) for k in keys)
        target = folded.get(key)
        if target is None:
            target = folded[key] = dict.fromkeys(measures, 0)
        for m in measures:
            value = row.get(m)
            if value:
                target[m] += value
    return folded


def sum_rows(rows: Iterable[dict], measures: Iterable[str]) -> dict:
    measures = list(measures)
    totals = dict.fromkeys(measures, 0)
    for row in rows:
        for m in measures:
            totals[m] += row.get(m) or 0
    return totals


def rollup(rows: Iterable[dict], keys: tuple[str, ...], measures: Iterable[str], *,
           nonzero: str | None = None) -> list[dict]:
    """The rows summed over every dimension but ``keys`` (a coarser cube); with
    ``nonzero``, only the groups where that measure is not 0."""
    folded = fold(rows, keys, measures)
    return [{**dict(zip(keys, key)), **values} for key, values in folded.items() if not nonzero or values[nonzero]]


def in_scope(scope: Scope, rows: list[dict], *, township_key: str = "township") -> list[dict]:
    """Cube rows of the townships in scope and of the chosen kind (snapshot cubes hold
    every township and kind; live cubes are already cut by the query)."""
    ids = set(scope.township_ids)
    return [r for r in rows if r.get(township_key) in ids and (not scope.kind or r.get("kind") == scope.kind)]


def memo(scope: Scope, key: str, compute):
    if key not in scope.cache:
        scope.cache[key] = compute()
    return scope.cache[key]


def snapshot_cube(scope: Scope, key: str) -> list[dict]:
    return in_scope(scope, list(scope.snapshot.data.get("figures", {}).get(key, [])))


# ---- group rows ---------------------------------------------------------------------------

def group_rows(scope: Scope, folded: dict, *, grain: str, all_townships: bool = True,
               measures: Iterable[str] | None = None) -> list[dict]:
    """Rows ``{"id", "name", "drill", **measures}`` in display order.  At township grain
    every township in scope is listed, zeros included (a township with nothing to show
    is itself a finding); finer grains list what has data, named by one query."""
    if measures is None:
        measures = getattr(folded, "measures", None) or (next(iter(folded.values())).keys() if folded else [])
    if grain == TOWNSHIP:
        ids = scope.township_ids if all_townships else [i for i in scope.township_ids if (i,) in folded]
        names = scope.townships
    else:
        # Units without a community group under None, which sorts last.
        ids = sorted({key[0] for key in folded}, key=lambda i: (i is None, i or 0))
        names = labels(grain, ids)
        ids = sorted(ids, key=lambda i: (names.get(i) is None, names.get(i) or "", i if i is not None else 0))
    rows = []
    for pk in ids:
        values = {**dict.fromkeys(measures, 0), **folded.get((pk,), {})}
        rows.append({"id": pk, "name": names.get(pk) or UNNAMED.get(grain, "（未填写）"),
                     "drill": {"level": grain, "id": pk} if pk is not None else None, **values})
    return rows


UNNAMED = {COMMUNITY: "（未填写村、社区）"}


def labels(grain: str, ids: Iterable) -> dict:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    model = {PARTY_ORG: PartyOrganization, UNIT: Organization, COMMUNITY: Area, TOWNSHIP: Area}[grain]
    return dict(model._base_manager.filter(pk__in=ids).values_list("pk", "name"))


def township_note(scope: Scope) -> list[str]:
    if scope.township is not None and scope.snapshot is not None:
        return ["快照只保存乡镇（街道）汇总数，不能按党组织、单位细分。"]
    return []


def kind_note(scope: Scope, *, applies: bool) -> list[str]:
    if scope.kind and not applies:
        return ["本图不区分单位类别（筛选条件“单位类别”对本图不适用）。"]
    return []
