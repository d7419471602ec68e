"""Recompute a plan's allocation in bulk: load with values(), call the pure engine,
write with bulk operations.  Idempotent — the same inputs give the same rows, and only
rows whose values change are written (each with its audit row) — and run under a lock
(the plan row, plus a unique constraint on active jobs).

On PostgreSQL the allocation rows go through COPY into a temporary table and two
set-based statements (update what changed, insert what is new) that also write the
history rows: 200,000 organizations in a few seconds, where model instances and
bulk_update's CASE WHEN … statements took minutes (tests/benchmarks/bench_recompute.py).
Other databases (the embedded SQLite default) use the ORM bulk operations.
"""
import io
import json
import time

import numpy as np
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .allocation import AllocationInput, allocate
from .demand import demand_table
from .models import QuotaAllocation, QuotaPlan, QuotaRequest, RequestStatus, TownshipAllocation

BATCH = 5000
CHANGE_REASON = "重新计算名额"
# What a recompute writes; ``used`` and ``reserved`` only ever change through quotas.seats.
WRITTEN = ["area_id", "candidates_ready", "activists_ready", "ready_demand", "quality_factor", "weight",
           "breakdown", "minimum", "maximum", "seats", "extra_seats", "years_without_new_member"]
BREAKDOWN = ("candidates", "activists", "base", "grade", "grade_factor", "overdue_share", "overdue_term",
             "completion", "completion_term", "quality", "weight", "standard_quota")


def recompute_allocation(*, plan: QuotaPlan, by=None, today=None, progress=lambda percent, stage: None) -> dict:
    """Returns a summary with timings; raises ApportionmentError (Chinese message) on
    infeasible input, leaving the previous allocation untouched."""
    timings, started = {}, time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        plan = QuotaPlan.objects.select_for_update().get(pk=plan.pk)
        progress(5, "读取需求数据")
        # order_by(): the model's default ordering joins areas and organizations and sorts.
        existing = {pk: (row_id, used, reserved) for pk, row_id, used, reserved in QuotaAllocation.objects
                    .filter(plan=plan).order_by().values_list("party_org_id", "id", "used", "reserved")}
        approved = dict(QuotaRequest.objects.filter(plan=plan, status=RequestStatus.APPROVED)
                        .values_list("party_org").annotate(n=Sum("approved_seats"))
                        .values_list("party_org", "n"))
        current = {pk: (used, reserved, approved.get(pk, 0)) for pk, (_, used, reserved) in existing.items()}
        for pk, extra in approved.items():
            current.setdefault(pk, (0, 0, extra))
        table = demand_table(year=plan.year, parameters=plan.effective_parameters, today=today, current=current)
        timings["load"] = round(time.perf_counter() - started, 3)

        progress(40, "按方法分配名额")
        mark = time.perf_counter()
        result = allocate(
            AllocationInput(township=table["area"], weight=table["weight_int"], minimum=table["minimum"],
                            maximum=table["maximum"], hard_minimum=table["hard_minimum"]),
            plan.total_seats - plan.reserve_seats, township_method=plan.township_method, org_method=plan.org_method)
        timings["apportion"] = round(time.perf_counter() - mark, 3)

        progress(60, "写入分配结果")
        mark = time.perf_counter()
        written = _write_allocations(plan, table, result, existing, by=by)
        _write_townships(plan, result, table)
        plan.computed_at = timezone.now()
        plan.unallocated_seats = result.unallocated + plan.reserve_seats
        plan.save(update_fields=["computed_at", "unallocated_seats"])
        timings["write"] = round(time.perf_counter() - mark, 3)
    timings["total"] = round(time.perf_counter() - started, 3)
    progress(100, "完成")
    return {"party_orgs": int(len(table["ids"])), "allocated": int(result.seats.sum()),
            "unallocated": plan.unallocated_seats, "dropped_minimums": result.dropped_minimums, "written": written,
            "timings": timings}


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


def _write_allocations(plan, table, result, existing, *, by) -> int:
    """Update changed rows, create new ones, delete rows of organizations that have
    neither seats nor consumption any more — no duplicates however often it runs, and
    no audit row for a row that did not change.  Returns the rows written."""
    has_row = np.isin(table["ids"], np.fromiter(existing, dtype=np.int64, count=len(existing)))
    # An organization with no demand, no seat and no row says nothing this year.
    keep = (result.seats > 0) | (table["extra"] > 0) | (table["ready"] > 0) | has_row
    columns, parts = _columns(table, result, np.flatnonzero(keep))
    if connection.vendor == "postgresql":
        written = _write_with_copy(plan, columns, parts, by=by)
    else:
        written = _write_with_orm(plan, columns, parts, by=by)
    kept = set(columns["party_org_id"])
    stale = [row_id for pk, (row_id, used, reserved) in existing.items()
             if pk not in kept and not used and not reserved]
    QuotaAllocation.objects.filter(pk__in=stale).delete()
    return written


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


def _breakdown_json(parts, *, escape=lambda text: text) -> list[str]:
    """The breakdown of every row as JSON text, without a dict per row: Python's repr
    of an int or a float is its JSON form; strings (the grade) pass through ``escape``."""
    def literals(key):
        if key == "grade":
            cache = {}
            return [cache[v] if v in cache else cache.setdefault(v, escape(json.dumps(v, ensure_ascii=False)))
                    for v in parts[key]]
        if key == "completion":
            return ["null" if v is None else repr(v) for v in parts[key]]
        return list(map(repr, parts[key]))

    template = "{" + ", ".join(f'"{key}": %s' for key in BREAKDOWN) + "}"
    return [template % values for values in zip(*(literals(key) for key in BREAKDOWN))]


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
    values = {**columns, "breakdown": _breakdown_json(parts, escape=_copy_escape)}
    line = "\t".join(["%s"] * len(incoming)) + "\n"     # ints, floats (repr) and JSON: nothing to escape
    data = "".join([line % row for row in zip(*(values[name] for name in ["party_org_id", *WRITTEN]))])

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
        if hasattr(raw, "copy_expert"):      # psycopg2
            raw.copy_expert(copy, io.StringIO(data))
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
                           weight=float(result.township_weight[t]) / 1000, ready_demand=int(ready[t]))
        for t, area in enumerate(result.townships.tolist())
    ])
