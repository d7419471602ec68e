"""The demo county's development plans (``seed_demo``'s quotas part).

Runs after the members part (INSTALLED_APPS order), which planned every dossier and
stopped those that reach the county pre-review or admission approval this year — and a
few others it replays through the services — before their first gated step, since
those steps need a seat (``quotas.seats``, "无计划不发展").  Here:

1. party-building grades (党建考评等次) for the last two years;
2. the plans of past years, issued, with each party organization's seats entered from
   what it actually used (historical plans are records, not recomputed: today's demand
   says nothing about 2021), plus a spare seat here and there, so last year's plan
   completion differs between units; the seats the members part wrote in bulk become
   Seat rows and counters;
3. this year's plan, allocated by the recompute job — the job's body, with the demo's
   fixed today instead of the real one so the result never changes — and issued.  The
   alert job has not run yet (the members part runs it once every dossier is written):
   the dossiers waiting for this year's seats would look overdue or lost, as if the
   plan had been computed in November rather than in February, so the weight's overdue
   term is neutral for the demo's plan;
4. the waiting steps go through ``members.services.take_step``, the earliest first: the
   seat gates reserve and use this year's seats for real, and refuse when a party
   organization has none left; those organizations file a request for more seats,
   which stays pending;
5. past years' plans are closed.

Everything is written by the ``admin`` account and drawn from ``context.rng``.
"""
import math
from collections import Counter, defaultdict
from datetime import date

from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from members.demo import DEMO_TODAY, FIRST_YEAR
from members.models import Dossier

from . import services
from .models import (EvaluationGrade, JobStatus, PlanStatus, QuotaAllocation, QuotaPlan, QuotaRequest, RecomputeJob,
                     Seat, SeatState, TownshipAllocation)
from .recompute import recompute_allocation

CHANGE_REASON = "演示数据"
GRADES = [("A", 25), ("B", 45), ("C", 22), ("D", 8)]


def build_demo_quotas(context) -> None:
    """``QuotasConfig.demo_builder``."""
    members_demo = getattr(context, "members_demo", None)
    histories = members_demo.seat_histories() if members_demo else []
    year = DEMO_TODAY.year
    _grades(context, (year - 2, year - 1))
    past, allocations = _past_plans(context, histories, year)
    _written_seats(context, [h for h in histories if h.written and _years(h) and max(_years(h)) < year], allocations)
    if members_demo:    # earlier years' approvals replayed through the gates: last year's completion counts them
        members_demo.finish(before=date(year, 1, 1))
    plan = _this_years_plan(context, histories, year)
    current = [h for h in histories if h.written and _years(h) and max(_years(h)) == year]
    if current:     # no gates were registered, so the members part wrote this year's seats too
        _written_seats(context, current, {**allocations, **_current_allocations(context, plan, current)})
    refusals = members_demo.finish() if members_demo else []
    requests = _requests(context, plan, refusals)
    for old in past:
        old.status = PlanStatus.CLOSED
        old._history_user, old._change_reason = context.admin, "年度结束"
        old.save()
    _notes(context, past, plan, requests, refusals)


def reset_demo_quotas() -> None:
    """``QuotasConfig.demo_reset``: seats and plans go before the dossiers and party organizations."""
    Seat.objects.all().delete()
    QuotaRequest.objects.all().delete()
    QuotaAllocation.objects.all().delete()
    TownshipAllocation.objects.all().delete()
    QuotaPlan.objects.all().delete()
    EvaluationGrade.objects.all().delete()


# ---- the parts ---------------------------------------------------------------------------

def _years(history) -> list[int]:
    return [d.year for d in (history.reserved_on, history.used_on) if d]


def _grades(context, years) -> None:
    rng = context.rng
    grades, values = [g for g, _ in GRADES], [w for _, w in GRADES]
    rows = [EvaluationGrade(party_org=po, year=year, grade=rng.choices(grades, values)[0])
            for year in years for po in context.party_organizations]
    bulk_create_with_history(rows, EvaluationGrade, default_user=context.admin, default_change_reason=CHANGE_REASON)


def _needs(histories, year: int) -> Counter:
    """Seats each (year, party organization) handed out before ``year``: a reservation and
    an approval in the same year are one seat."""
    needs = Counter()
    for h in histories:
        if h.reserved_on and h.reserved_on.year < year:
            needs[(h.reserved_on.year, h.party_org_id)] += 1
        if h.used_on and h.used_on.year < year and not (h.reserved_on and h.reserved_on.year == h.used_on.year):
            needs[(h.used_on.year, h.party_org_id)] += 1
    return needs


def _past_plans(context, histories, year):
    rng, admin = context.rng, context.admin
    needs = _needs(histories, year)
    by_id = {po.pk: po for po in context.party_organizations}
    developing = sorted({h.party_org_id for h in histories})
    first = min([y for y, _ in needs] or [year - 1])
    plans, allocations = [], {}
    for plan_year in range(max(first, FIRST_YEAR), year):
        seats = {pk: n + (1 if rng.random() < 0.2 else 0) for (y, pk), n in sorted(needs.items()) if y == plan_year}
        for pk in developing:   # a seat that was never used
            if pk not in seats and rng.random() < 0.05:
                seats[pk] = 1
        reserve = rng.randint(2, 6)
        plan = services.create_plan(by=admin, data={
            "year": plan_year, "name": f"{plan_year}年度发展党员计划", "total_seats": sum(seats.values()) + reserve,
            "reserve_seats": reserve})
        rows = []
        for pk, n in sorted(seats.items()):
            used = needs.get((plan_year, pk), 0)
            rows.append(QuotaAllocation(
                plan=plan, party_org_id=pk, area_id=by_id[pk].area_id, candidates_ready=used, ready_demand=n,
                weight=float(n), maximum=n, seats=n, breakdown={
                    "candidates": used, "activists": 0, "base": float(n), "grade": "B", "grade_factor": 1.0,
                    "overdue_share": 0.0, "overdue_term": 1.0, "completion": None, "completion_term": 1.0,
                    "quality": 1.0, "weight": float(n), "standard_quota": float(n)}))
        for allocation in bulk_create_with_history(rows, QuotaAllocation, default_user=admin,
                                                   default_change_reason="补录历史年度计划"):
            allocations[(plan_year, allocation.party_org_id)] = allocation
        townships = defaultdict(int)
        for row in rows:
            townships[row.area_id] += row.seats
        TownshipAllocation.objects.bulk_create([TownshipAllocation(plan=plan, area_id=area, seats=n, weight=float(n),
                                                                   ready_demand=n)
                                                for area, n in sorted(townships.items())])
        plan.computed_at, plan.unallocated_seats = timezone.now(), reserve
        plan.save(update_fields=["computed_at", "unallocated_seats"])
        plans.append(services.issue_plan(plan=plan, by=admin))
    return plans, allocations


def _written_seats(context, histories, allocations) -> None:
    """Seat rows, as the gates would have left them, for histories written in bulk."""
    seats = []
    for h in histories:
        reserved = h.reserved_on
        if reserved and h.used_on and reserved.year == h.used_on.year:
            seats.append(Seat(allocation=allocations[(reserved.year, h.party_org_id)], dossier_id=h.dossier_id,
                              state=SeatState.USED, reserved_on=reserved, used_on=h.used_on))
            continue
        if reserved:
            released = h.used_on or h.released_on   # use_seat releases another year's reservation
            seats.append(Seat(allocation=allocations[(reserved.year, h.party_org_id)], dossier_id=h.dossier_id,
                              state=SeatState.RELEASED if released else SeatState.RESERVED, reserved_on=reserved,
                              released_on=released))
        if h.used_on:
            seats.append(Seat(allocation=allocations[(h.used_on.year, h.party_org_id)], dossier_id=h.dossier_id,
                              state=SeatState.USED, used_on=h.used_on))
    bulk_create_with_history(seats, Seat, default_user=context.admin, default_change_reason=CHANGE_REASON)
    counts = Counter((s.allocation.pk, s.state) for s in seats)
    for pk in sorted({s.allocation.pk for s in seats}):
        QuotaAllocation.objects.filter(pk=pk).update(used=F("used") + counts[(pk, SeatState.USED)],
                                                     reserved=F("reserved") + counts[(pk, SeatState.RESERVED)])


def _current_allocations(context, plan, histories) -> dict:
    """This year's allocations able to hold the seats of ``histories``.  Where the job gave
    a party organization fewer seats than it has already taken, its allocation (and its
    township's) is widened out of the seats the county holds — the plan grows only when
    those run out — so ``total = Σ seats + Σ extra seats + unallocated`` still holds."""
    wanted = Counter(h.party_org_id for h in histories)
    found, widened = {}, Counter()
    for pk, n in sorted(wanted.items()):
        allocation = QuotaAllocation.objects.filter(plan=plan, party_org_id=pk).first()
        if allocation is None:
            area = Dossier.objects.filter(party_org_id=pk).values_list("party_org__area_id", flat=True).first()
            allocation = QuotaAllocation.objects.create(plan=plan, party_org_id=pk, area_id=area, seats=n)
            widened[area] += n
        elif allocation.available < n:
            widened[allocation.area_id] += n - allocation.available
            allocation.seats += n - allocation.available
            allocation.save(update_fields=["seats"])
        found[(plan.year, pk)] = allocation
    for area, n in sorted(widened.items()):
        township, _ = TownshipAllocation.objects.get_or_create(plan=plan, area_id=area)
        TownshipAllocation.objects.filter(pk=township.pk).update(seats=F("seats") + n)
    if widened:
        more = sum(widened.values())
        from_county = min(more, plan.unallocated_seats)
        plan.unallocated_seats -= from_county
        plan.total_seats += more - from_county
        plan._history_user, plan._change_reason = context.admin, CHANGE_REASON
        plan.save(update_fields=["unallocated_seats", "total_seats"])
    return found


def _this_years_plan(context, histories, year: int) -> QuotaPlan:
    admin = context.admin
    wanted = sum(1 for h in histories if year in _years(h))
    total = math.ceil(wanted * 1.6) + 4
    plan = services.create_plan(by=admin, data={
        "year": year, "name": f"{year}年度发展党员计划", "total_seats": total, "reserve_seats": max(3, total // 20),
        "township_method": "webster", "org_method": "hamilton"})
    # The recompute job (quotas.tasks.recompute_plan → services.run_recompute), run here
    # in the build's transaction and with the demo's today.
    job = RecomputeJob.objects.create(plan=plan, requested_by=admin, status=JobStatus.RUNNING,
                                      started_at=timezone.now(), progress=1)
    summary = recompute_allocation(plan=plan, by=admin, today=DEMO_TODAY)
    RecomputeJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=timezone.now(), progress=100,
                                                  stage="完成", result=summary, timings=summary["timings"])
    plan.refresh_from_db()
    return services.issue_plan(plan=plan, by=admin)


def _requests(context, plan, refusals) -> list[QuotaRequest]:
    """Party organizations the gates turned away ask for more seats; one earlier request was declined."""
    users = context.users
    accounts = {context.townships[0].pk: users.get("township"), context.townships[1].pk: users.get("township2")}
    by_org = defaultdict(list)
    for dossier_plan, _message in refusals:
        dossier = Dossier.objects.select_related("party_org").get(pk=dossier_plan.dossier.pk)
        by_org[dossier.party_org].append(dossier)
    made = []
    for party_org, dossiers in sorted(by_org.items(), key=lambda item: item[0].pk):
        names = "、".join(d.person.name for d in dossiers[:3]) + ("等" if len(dossiers) > 3 else "")
        made.append(services.request_seats(
            plan=plan, party_org=party_org, seats=len(dossiers), by=accounts.get(party_org.area_id) or context.admin,
            reason=f"本支部{names}{len(dossiers)}名发展对象已完成支委会审查和公示，因本年度名额已用完未能接收，申请追加名额。"))
    spare = [a for a in QuotaAllocation.objects.filter(plan=plan, seats=0, candidates_ready__gt=0)
             .select_related("party_org").order_by("-candidates_ready", "party_org_id")[:2]]
    for allocation in spare:
        made.append(services.request_seats(
            plan=plan, party_org=allocation.party_org, seats=1, by=context.admin,
            reason=f"本单位有{allocation.candidates_ready}名发展对象，培养考察成熟，本年度未分配名额，申请增加1个名额。"))
    if len(made) > 2:
        declined = made.pop()
        services.decide_request(request=declined, approve=False, by=context.admin,
                                note="本年度名额已统筹分配完毕，请列入明年计划申报。")
    return made


def _notes(context, past, plan, requests, refusals) -> None:
    allocations = QuotaAllocation.objects.filter(plan=plan)
    used = sum(a.used for a in allocations)
    reserved = sum(a.reserved for a in allocations)
    with_seats = sum(1 for a in allocations if a.seats)
    if past:
        past_used = sum(a.used for a in QuotaAllocation.objects.filter(plan__in=past))
        context.notes.append(f"发展计划：{past[0].year}–{past[-1].year}年度计划已结束（共接收预备党员 {past_used} 名）")
    context.notes.append(
        f"  {plan.year}年度计划 {plan.total_seats} 个名额（县级预留 {plan.reserve_seats} 个），由名额计算任务分配到 "
        f"{with_seats} 个党组织并已下达；已使用 {used} 个、已预留 {reserved} 个；"
        f"因名额不足暂缓接收 {len(refusals)} 人，追加名额申请待审批 {len(requests)} 件")
