"""Recompute a plan's allocation in bulk: load with values(), call the pure engine,
write with bulk operations.  Idempotent — the same inputs give the same rows, and only
rows whose values change are written (each with its audit row) — and locked (the plan
row while writing, plus a unique constraint on active jobs).

Three phases, so that a Celery worker's progress is visible while the job runs:

1. **read** — demand, the plan's settings, approved requests and seats in use, outside
   any transaction; the job row's progress commits between the steps;
2. **apportion** — the pure engine (:mod:`quotas.allocation`);
3. **write** — one short transaction under the plan's row lock.  It reads again what
   may have changed meanwhile (the plan's settings, approved requests, seats used or
   reserved, a rebalance) and apportions again with the locked figures when anything
   did, so the written allocation always agrees with what the lock holds.  A seat taken
   in the instant between that check and the write is caught by the allocations' check
   constraint: nothing is written and the job says why.

On PostgreSQL the allocation rows go through COPY into a temporary table and two
set-based statements (update what changed, insert what is new) that also write the
history rows: 200,000 organizations in a few seconds, where model instances and
bulk_update's CASE WHEN … statements took minutes (tests/benchmarks/bench_recompute.py).
Other databases (the embedded SQLite default) use the ORM bulk operations.
"""
import io
import json
import time
from dataclasses import dataclass

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .allocation import AllocationInput, AllocationResult, allocate
from .county_seats import approved_extra_seats, seats_held, seats_in_use, shareable_seats
from .demand import demand_columns, seat_columns
from .errors import QuotaError
from .models import PlanStatus, QuotaAllocation, QuotaPlan, TownshipAllocation
from .weights import WEIGHT_SCALE, demand_weights

BATCH = 5000
COPY_CHUNK = 1 << 20
CHANGE_REASON = "重新计算名额"
# What a recompute writes; ``used`` and ``reserved`` only ever change through quotas.seats.
WRITTEN = ["area_id", "candidates_ready", "activists_ready", "ready_demand", "quality_factor", "weight",
           "breakdown", "minimum", "maximum", "seats", "extra_seats", "years_without_new_member"]
BREAKDOWN = ("candidates", "activists", "base", "grade", "grade_factor", "overdue_share", "overdue_term",
             "completion", "completion_term", "quality", "weight", "standard_quota")


def recompute_refusal(plan: QuotaPlan) -> QuotaError | None:
    """Why this plan may not be recomputed (None: it may).

    After a mid-year rebalance (调剂) the allocation is the rebalanced one: units were told
    what they lost and gained, and some planned on it.  A recompute apportions every seat
    not used or reserved afresh by demand, so it would silently undo the rebalance, and
    re-applying the rebalance on top of a fresh allocation would count the same unmet need
    twice.  So it is refused; approved requests still reach units at once (quotas.services
    .decide_request), and another rebalance can move seats again."""
    if plan.status == PlanStatus.CLOSED:
        return QuotaError("已结束的计划不能重新计算。", code="plan_closed")
    last = plan.reallocations.order_by("-on", "-id").first()
    if last is not None:
        on = last.on
        return QuotaError(
            f"该计划已于{on.year}年{on.month}月{on.day}日进行年中调剂，各党组织的名额以调剂结果为准，不能再重新计算："
            f"重新计算会按当前需求重新分配全部未使用的名额，推翻调剂结果。批准的追加名额申请会立即计入，"
            f"如需再次调整请进行年中调剂。", code="plan_rebalanced", plan=plan.pk, rebalanced_on=on.isoformat())
    return None


@dataclass(frozen=True)
class PlanInputs:
    """What a recompute takes from the plan besides demand — read once before the engine
    and again under the lock, where any difference means apportioning again."""

    total_seats: int
    reserve_seats: int
    township_method: str
    org_method: str
    parameters: dict
    in_use: dict       # party organization id → (used, reserved)
    approved: dict     # party organization id → extra seats granted by approved requests

    @classmethod
    def read(cls, plan: QuotaPlan) -> "PlanInputs":
        return cls(total_seats=plan.total_seats, reserve_seats=plan.reserve_seats,
                   township_method=plan.township_method, org_method=plan.org_method,
                   parameters=plan.effective_parameters, in_use=seats_in_use(plan=plan),
                   approved=approved_extra_seats(plan=plan))

    @property
    def approved_total(self) -> int:
        return sum(self.approved.values())


def _no_progress(percent: int, stage: str) -> None:
    pass


def recompute_allocation(*, plan: QuotaPlan, by=None, today=None, progress=_no_progress) -> dict:
    """Returns a summary with timings; raises ApportionmentError or QuotaError (Chinese
    message) on infeasible input or a refused recompute, leaving the previous allocation
    untouched.  ``progress(percent, stage)`` is called between the phases, outside the
    write transaction, so what it records can be committed at once."""
    timings, started = {}, time.perf_counter()
    today = today or timezone.localdate()
    progress(5, "读取需求数据")
    columns = demand_columns(year=plan.year, today=today)
    progress(30, "读取已使用的名额和批准的追加申请")
    inputs = PlanInputs.read(QuotaPlan.objects.get(pk=plan.pk))
    # order_by(): the model's default ordering joins areas and organizations and sorts.
    with_rows = np.fromiter(QuotaAllocation.objects.filter(plan=plan).order_by()
                            .values_list("party_org_id", flat=True), dtype=np.int64)
    timings["load"] = round(time.perf_counter() - started, 3)

    progress(40, "按方法分配名额")
    mark = time.perf_counter()
    table, result = apportion_plan(columns, inputs)
    timings["apportion"] = round(time.perf_counter() - mark, 3)

    progress(60, "写入分配结果")
    mark = time.perf_counter()
    try:
        with transaction.atomic():
            plan = QuotaPlan.objects.select_for_update().get(pk=plan.pk)
            refusal = recompute_refusal(plan)
            if refusal is not None:
                raise refusal
            locked = PlanInputs.read(plan)
            if locked != inputs:
                # A request approved, a seat used or reserved or the plan changed while the
                # job read: apportion again with what the lock now holds (the engine is fast).
                inputs = locked
                table, result = apportion_plan(columns, inputs)
                timings["apportioned_again"] = True
            written = _write_allocations(plan, table, result, with_rows, by=by)
            _write_townships(plan, result, table)
            plan.computed_at = timezone.now()
            plan.unallocated_seats = plan.total_seats - int(result.seats.sum()) - inputs.approved_total
            plan.save(update_fields=["computed_at", "unallocated_seats"])
    except IntegrityError:
        raise QuotaError("计算期间有党组织占用了名额，本次分配结果未保存，请重新计算。",
                         code="seats_changed_during_recompute", plan=plan.pk)
    timings["write"] = round(time.perf_counter() - mark, 3)
    timings["total"] = round(time.perf_counter() - started, 3)
    progress(100, "完成")
    return {"party_orgs": int(len(table["ids"])), "allocated": int(result.seats.sum()),
            "extra": inputs.approved_total, "unallocated": plan.unallocated_seats,
            "dropped_minimums": result.dropped_minimums, "written": written, "timings": timings}


def apportion_plan(columns: dict, inputs: PlanInputs) -> tuple[dict, AllocationResult]:
    """Pure: weigh the demand columns under the plan's parameters and share the seats the
    job may apportion over townships, then party organizations."""
    held = seats_held(in_use=inputs.in_use, approved=inputs.approved)
    table = {**columns, **demand_weights(columns, inputs.parameters), **seat_columns(columns["ids"], held)}
    seats = shareable_seats(total_seats=inputs.total_seats, reserve_seats=inputs.reserve_seats,
                            approved_total=inputs.approved_total)
    result = allocate(
        AllocationInput(township=table["area"], weight=table["weight_int"], minimum=table["minimum"],
                        maximum=table["maximum"], hard_minimum=table["hard_minimum"]),
        seats, township_method=inputs.township_method, org_method=inputs.org_method)
    return table, result


def _columns(table, result, index: np.ndarray) -> tuple[dict[str, list], dict[str, list]]:
    """The written columns of the organizations at ``index`` as lists, and the parts of
    their weight (the breakdown shown on the plan page), one list per key — rounded
    here, vectorized, so the write paths only move values."""
    def rounded(values, digits):
        return np.round(values[index], digits).tolist()

    parts = {
        "candidates": table["candidates"][index].tolist(), "activists": table["activists"][index].tolist(),
        "base": rounded(table["base"], 3), "grade": [table["grade"][i] for i in index.tolist()],
        "grade_factor": rounded(table["grade_factor"], 3), "overdue_share": rounded(table["overdue_share"], 3),
        "overdue_term": rounded(table["overdue_term"], 3),
        # NaN: no plan last year, shown as "no figure"
        "completion": [None if c != c else c for c in rounded(table["completion"], 3)],
        "completion_term": rounded(table["completion_term"], 3), "quality": rounded(table["quality"], 3),
        "weight": rounded(table["weight"], 3), "standard_quota": rounded(result.standard_quotas, 3),
    }
    columns = {
        "party_org_id": table["ids"][index].tolist(), "area_id": table["area"][index].tolist(),
        "candidates_ready": parts["candidates"], "activists_ready": parts["activists"],
        "ready_demand": table["ready"][index].tolist(), "quality_factor": rounded(table["quality"], 4),
        "weight": rounded(table["weight"], 4),
        "minimum": np.maximum(table["minimum"], table["hard_minimum"])[index].tolist(),
        "maximum": table["maximum"][index].tolist(), "seats": result.seats[index].tolist(),
        "extra_seats": table["extra"][index].tolist(),
        "years_without_new_member": table["years_without"][index].tolist(),
    }
    return columns, parts


def _write_allocations(plan, table, result, with_rows: np.ndarray, *, by) -> int:
    """Update changed rows and create new ones — no duplicates however often it runs, and
    no audit row for a row that did not change.  An organization that has a row keeps it
    (its seats may drop to zero), so its history stays on its page.  Returns the rows
    written."""
    has_row = np.isin(table["ids"], with_rows)
    # An organization with no demand, no seat and no row says nothing this year.
    keep = (result.seats > 0) | (table["extra"] > 0) | (table["ready"] > 0) | has_row
    columns, parts = _columns(table, result, np.flatnonzero(keep))
    if connection.vendor == "postgresql":
        return _write_with_copy(plan, columns, parts, by=by)
    return _write_with_orm(plan, columns, parts, by=by)


def _write_with_orm(plan, columns, parts, *, by) -> int:
    stored = {row["party_org_id"]: row for row in QuotaAllocation.objects.filter(plan=plan).order_by().values(
        "id", "party_org_id", "used", "reserved", *WRITTEN)}
    breakdowns = [dict(zip(BREAKDOWN, values)) for values in zip(*(parts[key] for key in BREAKDOWN))]
    plain = [name for name in WRITTEN if name != "breakdown"]
    to_create, to_update = [], []
    for i, pk in enumerate(columns["party_org_id"]):
        values = {name: columns[name][i] for name in plain}
        values["breakdown"] = breakdowns[i]
        row = stored.get(pk)
        if row is None:
            to_create.append(QuotaAllocation(plan=plan, party_org_id=pk, **values))
        elif any(row[name] != value for name, value in values.items()):
            # used/reserved from the row, so its audit row shows the real consumption
            to_update.append(QuotaAllocation(pk=row["id"], plan=plan, party_org_id=pk, used=row["used"],
                                             reserved=row["reserved"], **values))
    # Bulk writes that still leave an audit row per allocation (who recomputed, when).
    bulk_create_with_history(to_create, QuotaAllocation, batch_size=BATCH, default_user=by,
                             default_change_reason=CHANGE_REASON)
    bulk_update_with_history(to_update, QuotaAllocation, WRITTEN, batch_size=BATCH, default_user=by,
                             default_change_reason=CHANGE_REASON)
    return len(to_create) + len(to_update)


def _copy_data(columns, parts) -> str:
    """Every row in COPY's text format, in one formatting pass: ``%s`` writes an int or a
    float as Python's repr, which is also its JSON form, so the breakdown is written inline
    as JSON text without a dict per row.  Strings (the grade) are JSON- and COPY-escaped once
    per distinct value."""
    grades = {}
    breakdown_args = {
        **parts,
        "grade": [grades[g] if g in grades else grades.setdefault(g, _copy_escape(json.dumps(g, ensure_ascii=False)))
                  for g in parts["grade"]],
        "completion": ["null" if c is None else c for c in parts["completion"]],
    }
    breakdown = "{" + ", ".join(f'"{key}": %s' for key in BREAKDOWN) + "}"
    names = ["party_org_id", *WRITTEN]
    line = "\t".join(breakdown if name == "breakdown" else "%s" for name in names) + "\n"
    sources = []
    for name in names:
        if name == "breakdown":
            sources.extend(breakdown_args[key] for key in BREAKDOWN)
        else:
            sources.append(columns[name])
    return "".join([line % row for row in zip(*sources)])


def _copy_escape(text: str) -> str:
    """A value in COPY's text format."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _write_with_copy(plan, columns, parts, *, by) -> int:
    """PostgreSQL: COPY into a temporary table, then one statement that updates the
    rows that differ, inserts the missing ones and writes a history row for each —
    all under the plan's row lock taken by the caller."""
    quote = connection.ops.quote_name
    table = quote(QuotaAllocation._meta.db_table)
    history = QuotaAllocation.history.model
    column = {field.attname: field.column for field in QuotaAllocation._meta.concrete_fields}
    incoming = [column[name] for name in ["party_org_id", *WRITTEN]]
    written = [column[name] for name in WRITTEN]
    tracked = ", ".join(quote(field.column) for field in history.tracked_fields)
    returned = ", ".join(f"a.{quote(field.column)}" for field in history.tracked_fields)
    # Typed, so that a recompute nobody asked for (the nightly run: no user) writes NULL.
    user = f"CAST(%(user)s AS {history._meta.get_field('history_user').db_type(connection)})"
    data = _copy_data(columns, parts)

    names = ", ".join(map(quote, incoming))
    with connection.cursor() as cursor:
        # Hash joins and the CTEs over 200,000 rows fit in memory instead of spilling to
        # temporary files (the default 4 MB); SET LOCAL ends with the transaction.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DROP TABLE IF EXISTS quota_allocation_incoming")
        cursor.execute(f"CREATE TEMPORARY TABLE quota_allocation_incoming ON COMMIT DROP AS "
                       f"SELECT {names} FROM {table} WITH NO DATA")
        copy = f"COPY quota_allocation_incoming ({names}) FROM STDIN"
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):      # psycopg2, in 1 MB reads rather than the default 8 kB
            raw.copy_expert(copy, io.StringIO(data), size=COPY_CHUNK)
        else:                                 # psycopg 3
            with raw.copy(copy) as stream:
                stream.write(data)
        cursor.execute("ANALYZE quota_allocation_incoming (party_org_id)")    # row count for the planner
        cursor.execute(f"""
            WITH updated AS (
                UPDATE {table} AS a SET {", ".join(f"{quote(c)} = i.{quote(c)}" for c in written)}
                FROM quota_allocation_incoming AS i
                WHERE a.plan_id = %(plan)s AND a.party_org_id = i.party_org_id
                  AND ({", ".join(f"a.{quote(c)}" for c in written)})
                      IS DISTINCT FROM ({", ".join(f"i.{quote(c)}" for c in written)})
                RETURNING {returned}
            ), created AS (
                INSERT INTO {table} (plan_id, {names}, reserved, used)
                SELECT %(plan)s, {", ".join(f"i.{quote(c)}" for c in incoming)}, 0, 0
                FROM quota_allocation_incoming AS i
                WHERE NOT EXISTS (SELECT 1 FROM {table} AS a WHERE a.plan_id = %(plan)s
                                                              AND a.party_org_id = i.party_org_id)
                RETURNING {tracked}
            )
            INSERT INTO {quote(history._meta.db_table)}
                ({tracked}, history_date, history_change_reason, history_type, history_user_id)
            SELECT {tracked}, %(now)s, %(reason)s, '~', {user} FROM updated
            UNION ALL
            SELECT {tracked}, %(now)s, %(reason)s, '+', {user} FROM created
        """, {"plan": plan.pk, "now": timezone.now(), "reason": CHANGE_REASON, "user": getattr(by, "pk", None)})
        count = cursor.rowcount
        cursor.execute("DROP TABLE quota_allocation_incoming")
    return count


def _write_townships(plan, result, table) -> None:
    ready = np.bincount(np.searchsorted(result.townships, table["area"]), weights=table["ready"],
                        minlength=len(result.townships))
    TownshipAllocation.objects.filter(plan=plan).delete()
    TownshipAllocation.objects.bulk_create([
        TownshipAllocation(plan=plan, area_id=int(area), seats=int(result.township_seats[t]),
                           weight=float(result.township_weight[t]) / WEIGHT_SCALE, ready_demand=int(ready[t]))
        for t, area in enumerate(result.townships.tolist())
    ])
