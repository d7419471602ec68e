"""Recompute a plan's allocation in bulk: load with values(), call the pure engine,
write with bulk operations.  Idempotent — the same inputs give the same rows — and
run under a lock (the plan row, plus a unique constraint on active jobs)."""
import time

import numpy as np
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .allocation import AllocationInput, allocate
from .demand import demand_table
from .models import QuotaAllocation, QuotaPlan, QuotaRequest, RequestStatus, TownshipAllocation

BATCH = 5000


def recompute_allocation(*, plan: QuotaPlan, by=None, today=None, progress=lambda percent, stage: None) -> dict:
    """Returns a summary with timings; raises ApportionmentError (Chinese message) on
    infeasible input, leaving the previous allocation untouched."""
    timings, started = {}, time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        plan = QuotaPlan.objects.select_for_update().get(pk=plan.pk)
        progress(5, "读取需求数据")
        existing = {row["party_org_id"]: row for row in QuotaAllocation.objects.filter(plan=plan).values(
            "id", "party_org_id", "used", "reserved", "extra_seats", "seats")}
        approved = dict(QuotaRequest.objects.filter(plan=plan, status=RequestStatus.APPROVED)
                        .values_list("party_org").annotate(n=Sum("approved_seats"))
                        .values_list("party_org", "n"))
        current = {pk: (row["used"], row["reserved"], approved.get(pk, 0)) for pk, row in existing.items()}
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
        _write_allocations(plan, table, result, existing, by=by)
        _write_townships(plan, result, table)
        plan.computed_at = timezone.now()
        plan.unallocated_seats = result.unallocated + plan.reserve_seats
        plan.save(update_fields=["computed_at", "unallocated_seats"])
        timings["write"] = round(time.perf_counter() - mark, 3)
    timings["total"] = round(time.perf_counter() - started, 3)
    progress(100, "完成")
    return {"party_orgs": int(len(table["ids"])), "allocated": int(result.seats.sum()),
            "unallocated": plan.unallocated_seats, "dropped_minimums": result.dropped_minimums, "timings": timings}


def _breakdown(table, i: int, standard_quota: float) -> dict:
    completion = table["completion"][i]
    return {
        "candidates": int(table["candidates"][i]), "activists": int(table["activists"][i]),
        "base": round(float(table["base"][i]), 3), "grade": table["grade"][i],
        "grade_factor": round(float(table["grade_factor"][i]), 3),
        "overdue_share": round(float(table["overdue_share"][i]), 3),
        "overdue_term": round(float(table["overdue_term"][i]), 3),
        "completion": None if np.isnan(completion) else round(float(completion), 3),
        "completion_term": round(float(table["completion_term"][i]), 3),
        "quality": round(float(table["quality"][i]), 3), "weight": round(float(table["weight"][i]), 3),
        "standard_quota": round(standard_quota, 3),
    }


def _write_allocations(plan, table, result, existing, *, by) -> None:
    """Update changed rows, create new ones, delete rows of organizations that have
    neither seats nor consumption any more — no duplicates however often it runs."""
    to_create, to_update = [], []
    keep = set()
    fields = ["area_id", "candidates_ready", "activists_ready", "ready_demand", "quality_factor", "weight",
              "breakdown", "minimum", "maximum", "seats", "extra_seats", "years_without_new_member"]
    for i, pk in enumerate(table["ids"].tolist()):
        seats, extra = int(result.seats[i]), int(table["extra"][i])
        row = existing.get(pk)
        if seats == 0 and extra == 0 and table["ready"][i] == 0 and row is None:
            continue   # nothing to say about this organization this year
        values = {
            "area_id": int(table["area"][i]), "candidates_ready": int(table["candidates"][i]),
            "activists_ready": int(table["activists"][i]), "ready_demand": int(table["ready"][i]),
            "quality_factor": round(float(table["quality"][i]), 4), "weight": round(float(table["weight"][i]), 4),
            "breakdown": _breakdown(table, i, float(result.standard_quotas[i])),
            "minimum": int(max(table["minimum"][i], table["hard_minimum"][i])), "maximum": int(table["maximum"][i]),
            "seats": seats, "extra_seats": extra, "years_without_new_member": int(table["years_without"][i]),
        }
        keep.add(pk)
        if row is None:
            to_create.append(QuotaAllocation(plan=plan, party_org_id=pk, **values))
        else:
            to_update.append(QuotaAllocation(pk=row["id"], plan=plan, party_org_id=pk, **values))
    # Bulk writes that still leave an audit row per allocation (who recomputed, when).
    bulk_create_with_history(to_create, QuotaAllocation, batch_size=BATCH, default_user=by,
                             default_change_reason="重新计算名额")
    bulk_update_with_history(to_update, QuotaAllocation, fields, batch_size=BATCH, default_user=by,
                             default_change_reason="重新计算名额")
    stale = [row["id"] for pk, row in existing.items() if pk not in keep and not row["used"] and not row["reserved"]]
    QuotaAllocation.objects.filter(pk__in=stale).delete()


def _write_townships(plan, result, table) -> None:
    ready = np.bincount(np.searchsorted(result.townships, table["area"]), weights=table["ready"],
                        minlength=len(result.townships))
    TownshipAllocation.objects.filter(plan=plan).delete()
    TownshipAllocation.objects.bulk_create([
        TownshipAllocation(plan=plan, area_id=int(area), seats=int(result.township_seats[t]),
                           weight=float(result.township_weight[t]) / 1000, ready_demand=int(ready[t]))
        for t, area in enumerate(result.townships.tolist())
    ])
