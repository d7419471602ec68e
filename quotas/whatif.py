"""What-if: one plan's allocation under several scenarios, side by side, writing nothing.

A scenario is a level-1 method (townships), a level-2 method (party organizations),
optional overrides of the plan's weight parameters and an optional number of seats to
distribute.  The demand table is read once (:func:`load_table`, the only database
access); every scenario then weighs the table's columns with
:func:`quotas.weights.demand_weights` and runs :func:`quotas.allocation.allocate` — the
very code of the recompute job — so a scenario with the plan's own settings reproduces
what a recompute would give.

Two paradoxes a planner must see (domain.md §3) are flagged per unit and scenario:

* **Alabama paradox** — the unit holds fewer seats when the total grows by one.  Found
  by running the scenario again with one more seat.  Divisor methods are house
  monotone, so with a divisor method at both levels this flag never appears; Hamilton
  (largest remainders) can show it.
* **Outside its quota** — the unit's seats are below the floor or above the ceiling of
  its quota within its township.  The quota respects the bounds every unit has (at most
  its ready demand, at least the seats it has used or reserved and its guaranteed seat):
  it is the *bounded* quota ``clamp(λ·w, min, max)`` that sums to the township's seats.
  A unit whose quota sits on one of its bounds is held there by the bound, not by the
  method: it is never flagged, but shown as *bound* when the bound moved it outside its
  plain proportional share.
"""
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from organizations.models import Area

from .allocation import AllocationInput, AllocationResult, allocate, feasible_minimums
from .apportionment import HAMILTON, METHOD_LABELS, ApportionmentError, apportion, normalize_method
from .county_seats import approved_extra_seats, seats_held, seats_in_use
from .demand import demand_table
from .weights import demand_weights

MAX_SCENARIOS = 4
CHART_UNITS = 30
# Quotas are floats; a quota within this distance of an integer counts as that integer,
# so float noise never turns "exactly 3 seats for a quota of 3" into a violation.
QUOTA_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Scenario:
    township_method: str
    org_method: str
    overrides: dict = field(default_factory=dict)
    seats: int | None = None          # None: the plan's seats less the county reserve
    label: str = ""

    def title(self, number: int) -> str:
        if self.label:
            return self.label
        methods = (METHOD_LABELS[normalize_method(self.township_method)].split("（")[0] + " / "
                   + METHOD_LABELS[normalize_method(self.org_method)].split("（")[0])
        return f"方案{number}：{methods}"


@dataclass
class ScenarioResult:
    scenario: Scenario
    title: str
    seats_to_distribute: int
    parameters: dict
    error: str = ""
    seats: np.ndarray | None = None
    quota: np.ndarray | None = None        # bounded quota within the township
    alabama: np.ndarray | None = None
    outside: np.ndarray | None = None
    bound: np.ndarray | None = None
    distributed: int = 0
    unallocated: int = 0

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class Comparison:
    table: dict
    results: list[ScenarioResult]

    def rows(self, *, visible_ids=None) -> list[dict]:
        """One row per party organization that holds or could hold a seat in any scenario,
        limited to ``visible_ids`` (the caller's scope) when given."""
        table, results = self.table, self.results
        ids = table["ids"]
        relevant = (table["ready"] > 0) | (table["hard_minimum"] > 0)
        for result in results:
            if result.ok:
                relevant |= result.seats > 0
        if visible_ids is not None:
            relevant &= np.isin(ids, np.fromiter(visible_ids, dtype=np.int64))
        baseline = results[0] if results and results[0].ok else None
        area_names = table.get("area_names", {})
        rows = []
        for i in np.flatnonzero(relevant).tolist():
            cells = []
            for result in results:
                if not result.ok:
                    cells.append(None)
                    continue
                seats = int(result.seats[i])
                cells.append({
                    "seats": seats,
                    "change": None if baseline is None else seats - int(baseline.seats[i]),
                    "quota": round(float(result.quota[i]), 3),
                    "alabama": bool(result.alabama[i]),
                    "outside": bool(result.outside[i]),
                    "bound": bool(result.bound[i]),
                })
            changes = [abs(c["change"]) for c in cells[1:] if c is not None and c["change"] is not None]
            rows.append({"party_org": int(ids[i]), "name": table["names"][i],
                         "area": area_names.get(int(table["area"][i]), ""),
                         "ready": int(table["ready"][i]), "weight": round(float(table["weight"][i]), 3),
                         "cells": cells, "largest_change": max(changes, default=0)})
        return rows


# ---- the only database access ------------------------------------------------------------

def load_table(*, plan, today: date) -> dict:
    """The demand table of ``plan`` as a recompute would read it today: seats already used
    or reserved stay (hard minimums) and approved requests count as extra seats."""
    current = seats_held(in_use=seats_in_use(plan=plan), approved=approved_extra_seats(plan=plan))
    table = demand_table(year=plan.year, parameters=plan.effective_parameters, today=today, current=current)
    table["area_names"] = dict(Area.objects.filter(pk__in=set(table["area"].tolist())).values_list("pk", "name"))
    return table


# ---- pure from here ----------------------------------------------------------------------

def merge_parameters(base: dict, overrides: dict | None) -> dict:
    """The plan's parameters with a scenario's overrides (grade factors merged per grade)."""
    merged = {**base, **(overrides or {})}
    merged["grade_factors"] = {**base["grade_factors"], **(overrides or {}).get("grade_factors", {})}
    return merged


def compare(table: dict, scenarios: list[Scenario], *, parameters: dict, default_seats: int) -> Comparison:
    """Run every scenario on the same table; the first one is the baseline."""
    if not 1 <= len(scenarios) <= MAX_SCENARIOS:
        raise ApportionmentError("invalid_scenarios", f"请选择1至{MAX_SCENARIOS}个方案进行比较。")
    results = [run_scenario(table, scenario, number=n, parameters=parameters, default_seats=default_seats)
               for n, scenario in enumerate(scenarios, start=1)]
    return Comparison(table=table, results=results)


def run_scenario(table: dict, scenario: Scenario, *, number: int, parameters: dict,
                 default_seats: int) -> ScenarioResult:
    params = merge_parameters(parameters, scenario.overrides)
    seats = default_seats if scenario.seats is None else scenario.seats
    result = ScenarioResult(scenario=scenario, title=scenario.title(number), seats_to_distribute=seats,
                            parameters=params)
    columns = demand_weights(table, params)
    data = AllocationInput(township=table["area"], weight=columns["weight_int"], minimum=columns["minimum"],
                           maximum=columns["maximum"], hard_minimum=table["hard_minimum"])
    methods = {"township_method": scenario.township_method, "org_method": scenario.org_method}
    try:
        outcome = allocate(data, seats, **methods)
        one_more = allocate(data, seats + 1, **methods)
        quota, held = bounded_quotas(data, outcome)
    except ApportionmentError as error:
        result.error = error.message
        return result
    result.seats, result.quota = outcome.seats, quota
    result.distributed, result.unallocated = outcome.distributed, outcome.unallocated
    result.alabama = one_more.seats < outcome.seats
    low = np.floor(quota + QUOTA_TOLERANCE).astype(np.int64)
    high = np.ceil(quota - QUOTA_TOLERANCE).astype(np.int64)
    result.outside = ~held & ((outcome.seats < low) | (outcome.seats > high))
    plain = outcome.standard_quotas
    plain_low = np.floor(plain + QUOTA_TOLERANCE).astype(np.int64)
    plain_high = np.ceil(plain - QUOTA_TOLERANCE).astype(np.int64)
    result.bound = held & ((outcome.seats < plain_low) | (outcome.seats > plain_high))
    return result


def bounded_quotas(data: AllocationInput, outcome: AllocationResult) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's bounded quota within its township, and whether it sits on a bound.

    The bounded quota is what bounded Hamilton computes (``Apportionment.bounded_quotas``),
    with the same effective bounds :func:`allocate` used for this outcome."""
    n = len(data.weight)
    maximum = np.maximum(data.maximum, np.maximum(data.minimum, data.hard_minimum))
    minimum, _ = feasible_minimums(data, outcome.distributed)
    quota = minimum.astype(np.float64)            # no seats or no weight: held at the minimum
    held = np.ones(n, dtype=bool)
    index = np.searchsorted(outcome.townships, data.township)
    for t in range(len(outcome.townships)):
        t_seats = int(outcome.township_seats[t])
        if t_seats == 0 or outcome.township_weight[t] == 0:
            continue
        members = np.flatnonzero(index == t)
        hamilton = apportion(data.weight[members], t_seats, HAMILTON,
                             minimum=minimum[members], maximum=maximum[members])
        share = np.asarray(hamilton.bounded_quotas, dtype=np.float64)
        quota[members] = share
        on_bound = ((share <= minimum[members]) & (minimum[members] > 0)) | (share >= maximum[members])
        held[members] = on_bound | (data.weight[members] == 0)
    return quota, held


# ---- presentation helpers (pure) -----------------------------------------------------------

def sort_rows(rows: list[dict], key: str) -> list[dict]:
    """``key``: ``change-N`` / ``-change-N`` (scenario N's change, ascending / descending),
    ``name``, or anything else for the largest change first."""
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name.startswith("change-") and name[7:].isdigit():
        column = int(name[7:]) - 1

        def change(row):
            cells = row["cells"]
            cell = cells[column] if 0 <= column < len(cells) else None
            return 0 if cell is None or cell["change"] is None else cell["change"]
        return sorted(rows, key=lambda r: (-change(r) if descending else change(r), r["name"]))
    if name == "name":
        return sorted(rows, key=lambda r: (r["area"], r["name"]))
    return sorted(rows, key=lambda r: (-r["largest_change"], r["area"], r["name"]))


def chart(rows: list[dict], results: list[ScenarioResult], *, limit: int = CHART_UNITS) -> dict:
    """Gains and losses against the baseline for the ``limit`` units that change most —
    the data of an ECharts bar chart (categories, one series per compared scenario)."""
    moved = [r for r in rows if r["largest_change"]]
    top = sorted(moved, key=lambda r: (-r["largest_change"], r["name"]))[:limit]
    series = []
    for number, result in enumerate(results[1:], start=1):
        data = [None if r["cells"][number] is None else r["cells"][number]["change"] for r in top]
        series.append({"name": result.title, "data": data})
    return {"categories": [r["name"] for r in top], "series": series}


def summary(results: list[ScenarioResult], rows: list[dict]) -> list[dict]:
    """Per scenario: seats distributed, how many units gain or lose, paradox counts."""
    out = []
    for number, result in enumerate(results):
        cells = [r["cells"][number] for r in rows if r["cells"][number] is not None]
        out.append({
            "title": result.title, "error": result.error, "seats": result.seats_to_distribute,
            "distributed": result.distributed, "unallocated": result.unallocated,
            "gainers": sum(1 for c in cells if (c["change"] or 0) > 0),
            "losers": sum(1 for c in cells if (c["change"] or 0) < 0),
            "alabama": sum(1 for c in cells if c["alabama"]),
            "outside": sum(1 for c in cells if c["outside"]),
            "bound": sum(1 for c in cells if c["bound"]),
        })
    return out
