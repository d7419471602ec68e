"""Benchmark of the plan recompute job over a large county, on PostgreSQL.

    DATABASE_URL=postgres://… python tests/benchmarks/bench_recompute.py \
        [--orgs 200000] [--dossiers 300000] [--seats 20000] [--sample 5000] [--out FILE]

1. A dedicated database (``--database``, default ``bench_lianxin``, created next to the
   one DATABASE_URL names, then migrated) holds a generated county
   (tests/benchmarks/generate.py): 12 townships, ``--orgs`` party organizations and
   ``--dossiers`` development dossiers, plus last year's plan, grades, alerts and admissions.
   It is reused when it already has that size (``--regenerate`` forces a new one).
2. The recompute job end to end — ``quotas.services.start_recompute`` → the Celery task
   (run eagerly, in this process) → job row → load with values() → engine → bulk
   write with history → commit — for a draft plan of ``--seats`` seats, three times:
   "create" writes one allocation per organization; "update" (new candidate and
   activist weights, so every row changes) rewrites them all; "rerun" repeats the same
   inputs, which must write nothing (idempotent, no audit rows for unchanged rows).
   The goal (10 s) holds for each run.  Before each run the quota tables get the
   VACUUM ANALYZE that autovacuum would give them (untimed).  Besides wall time, the
   CPU seconds of this process and of its PostgreSQL backend are reported: on a busy
   shared machine their sum is the better estimate of the time on an idle one.
3. The same work as a plain per-row ORM loop: per organization, ORM queries for its
   candidates, activists, open and overdue dossiers, last year's allocation, grade and
   last admission, the weight computed in Python, the engine called once, then one
   ``.save()`` per allocation (with its history row).  It runs on ``--sample``
   organizations (evenly spread; 0 = all of them) and is extrapolated linearly to all
   of them — the output says so.  Its demand figures are checked against the job's.
4. Prints the figures and the ratio, and appends a JSON line (figures + machine) to
   ``--out`` (default ``bench-results/recompute.json``).

Exit status 1 when the job misses the goal (10 s), 2 when DATABASE_URL is not PostgreSQL.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # running as a script from anywhere
    sys.path.insert(0, str(PROJECT_ROOT))

GOAL_SECONDS = 10.0
DEFAULT_OUT = PROJECT_ROOT / "bench-results" / "recompute.json"
PLAN_NAME = "基准测试计划"
RUNS = (  # name, plan parameters, what the run does
    ("create", {}, "first run: one allocation per organization"),
    ("update", {"candidate_weight": 1.1, "activist_weight": 0.6}, "new weights: every row changes"),
    ("rerun", {"candidate_weight": 1.1, "activist_weight": 0.6}, "same inputs again: nothing to write"),
)
QUOTA_TABLES = ("quotas_quotaplan", "quotas_quotaallocation", "quotas_historicalquotaallocation",
                "quotas_townshipallocation", "quotas_recomputejob")
BASELINE_YEAR_OFFSET = 1000     # the per-row loop writes to its own plan, year + 1000


# ---- database ---------------------------------------------------------------------------------

def bench_database_url(url: str, name: str) -> str:
    """DATABASE_URL pointed at the benchmark database, created if missing (psycopg2)."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        raise SystemExit(2)
    params = {"host": parts.hostname or "localhost", "port": parts.port or 5432,
              "user": parts.username or "postgres", "dbname": parts.path.lstrip("/") or "postgres"}
    if parts.password:
        params["password"] = parts.password
    connection = psycopg2.connect(**params)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    connection.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from config.celery import app

    app.conf.task_always_eager = True       # the job runs here, whatever REDIS_URL says


# ---- machine ----------------------------------------------------------------------------------

def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    import django
    import numpy
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0]
        cursor.execute("SHOW autovacuum")
        info["postgresql_autovacuum"] = cursor.fetchone()[0]
    info["django"], info["numpy"] = django.get_version(), numpy.__version__
    return info


# ---- the job ----------------------------------------------------------------------------------

def _delete_plan(year: int) -> None:
    """Remove a benchmark plan with everything hanging from it, by SQL (fast)."""
    from django.db import connection

    from quotas.models import QuotaAllocation, QuotaPlan, RecomputeJob, TownshipAllocation

    plan_ids = list(QuotaPlan.objects.filter(year=year).values_list("pk", flat=True))
    if not plan_ids:
        return
    history = QuotaAllocation.history.model._meta.db_table
    with connection.cursor() as cursor:
        for table in (history, QuotaAllocation._meta.db_table, TownshipAllocation._meta.db_table,
                      RecomputeJob._meta.db_table):
            cursor.execute(f'DELETE FROM "{table}" WHERE plan_id = ANY(%s)', [plan_ids])
    QuotaPlan.history.filter(id__in=plan_ids).delete()
    QuotaPlan.objects.filter(pk__in=plan_ids).delete()


def fresh_plan(year: int, seats: int, name: str = PLAN_NAME):
    from quotas.models import QuotaPlan

    _delete_plan(year)
    return QuotaPlan.objects.create(year=year, name=name, total_seats=seats)


def _server_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (local server only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")    # utime + stime


def vacuum() -> None:
    """Before each timed run, what autovacuum does after large changes (it may be off on a
    test server: then dead rows of earlier runs and stale statistics would be measured)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in QUOTA_TABLES:
            cursor.execute(f'VACUUM ANALYZE "{table}"')


def run_job(plan) -> dict:
    """start_recompute (job row, on-commit task, eager) timed end to end.  Besides the
    wall time, the CPU time of this process and of its PostgreSQL backend: on a busy
    shared machine their sum is close to what the wall time is on an idle one."""
    from quotas import services
    from quotas.models import JobStatus, QuotaAllocation

    server_before, client_before = _server_cpu(), time.process_time()
    started = time.perf_counter()
    job = services.start_recompute(plan=plan, by=None)
    seconds = time.perf_counter() - started
    client = time.process_time() - client_before
    server = None if server_before is None else _server_cpu() - server_before
    job.refresh_from_db()
    if job.status != JobStatus.DONE:
        raise SystemExit(f"recompute job {job.pk} ended {job.status}: {job.error}")
    return {"seconds": round(seconds, 3), "job_seconds": job.seconds, "stages": job.timings,
            "cpu_seconds": {"client": round(client, 2), "server": None if server is None else round(server, 2)},
            "seats": plan.total_seats, "allocations": QuotaAllocation.objects.filter(plan=plan).count(),
            "written": job.result.get("written"), "load_average": round(os.getloadavg()[0], 2),
            "result": {k: v for k, v in job.result.items() if k != "timings"}}


# ---- the plain per-row loop --------------------------------------------------------------------

def per_row_loop(*, year: int, seats: int, parameters: dict, sample: int, total_orgs: int) -> dict:
    """The same work, one organization at a time through the ORM."""
    import numpy as np
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from members.models import Alert, Dossier, StepRecord
    from organizations.models import PartyOrganization
    from quotas.allocation import AllocationInput, allocate
    from quotas.weights import WEIGHT_SCALE
    from quotas.models import EvaluationGrade, QuotaAllocation

    plan = fresh_plan(year + BASELINE_YEAR_OFFSET, seats, name="逐行基线（基准测试）")
    plan.parameters = parameters
    plan.save(update_fields=["parameters"])
    p = plan.effective_parameters
    today = timezone.localdate()
    ids = list(PartyOrganization.objects.order_by("id").values_list("id", flat=True))
    if sample and sample < len(ids):
        ids = ids[:: len(ids) // sample][:sample]
    plan_seats = max(1, round(seats * len(ids) / total_orgs))
    open_states = ("active", "lost_contact")

    started = time.perf_counter()
    rows = []
    for org in PartyOrganization.objects.filter(pk__in=ids).order_by("id"):
        active = Dossier.objects.filter(party_org=org, state="active")
        candidates = active.filter(stage="candidate").exclude(political_reviews__passed=False).count()
        activists = active.filter(stage="activist", cultivation_start__lte=dt.date(year - 1, 12, 31)).count()
        open_count = Dossier.objects.filter(party_org=org, state__in=open_states).count()
        overdue = (Alert.objects.filter(dossier__party_org=org, due_on__lt=today, dossier__state__in=open_states)
                   .values("dossier").distinct().count())
        last = QuotaAllocation.objects.filter(plan__year=year - 1, party_org=org).first()
        grade_row = EvaluationGrade.objects.filter(party_org=org, year=year - 1).first()
        last_admission = StepRecord.objects.filter(party_org=org, step="admission_approval").aggregate(
            last=Max("taken_on"))["last"]

        grade = grade_row.grade if grade_row else "B"
        grade_factor = p["grade_factors"].get(grade, 1.0)
        overdue_share = overdue / open_count if open_count else 0.0
        overdue_term = 1 - p["overdue_penalty"] * overdue_share
        total = (last.seats + last.extra_seats) if last else 0
        completion = last.used / total if total else None
        completion_term = 1.0 if completion is None else \
            1 - p["completion_weight"] + p["completion_weight"] * min(completion, 1.0)
        quality = grade_factor * overdue_term * completion_term
        base = p["candidate_weight"] * candidates + p["activist_weight"] * activists
        good = grade in p["good_standing_grades"] and quality >= p["minimum_quality"]
        years_without = 3 if last_admission is None else max(0, min(3, year - 1 - last_admission.year))
        rows.append({"org": org, "candidates": candidates, "activists": activists, "ready": candidates + activists,
                     "base": base, "grade": grade, "quality": quality, "weight": base * quality,
                     "minimum": int(candidates > 0 and good), "years_without": years_without,
                     "overdue_share": overdue_share, "completion": completion})
    demand_seconds = time.perf_counter() - started

    mark = time.perf_counter()
    result = allocate(AllocationInput(
        township=np.array([r["org"].area_id for r in rows], dtype=np.int64),
        weight=np.array([round(r["weight"] * WEIGHT_SCALE) for r in rows], dtype=np.int64),
        minimum=np.array([r["minimum"] for r in rows], dtype=np.int64),
        maximum=np.array([max(r["ready"], r["minimum"]) for r in rows], dtype=np.int64),
        hard_minimum=np.zeros(len(rows), dtype=np.int64)),
        plan_seats, township_method=plan.township_method, org_method=plan.org_method)
    engine_seconds = time.perf_counter() - mark

    mark = time.perf_counter()
    with transaction.atomic():
        for i, r in enumerate(rows):
            if r["ready"] == 0 and result.seats[i] == 0:
                continue   # as the job: nothing to say about this organization this year
            allocation = QuotaAllocation(
                plan=plan, party_org=r["org"], area_id=r["org"].area_id, candidates_ready=r["candidates"],
                activists_ready=r["activists"], ready_demand=r["ready"], quality_factor=round(r["quality"], 4),
                weight=round(r["weight"], 4), minimum=r["minimum"], maximum=max(r["ready"], r["minimum"]),
                seats=int(result.seats[i]), years_without_new_member=r["years_without"],
                breakdown={"candidates": r["candidates"], "activists": r["activists"], "base": round(r["base"], 3),
                           "grade": r["grade"], "quality": round(r["quality"], 3),
                           "overdue_share": round(r["overdue_share"], 3),
                           "completion": None if r["completion"] is None else round(r["completion"], 3),
                           "weight": round(r["weight"], 3), "standard_quota": round(float(result.standard_quotas[i]), 3)})
            allocation._change_reason = "重新计算名额"
            allocation.save()
    write_seconds = time.perf_counter() - mark

    measured = demand_seconds + engine_seconds + write_seconds
    scale = total_orgs / len(rows)
    figures = {
        "organizations": len(rows), "seats": plan_seats, "extrapolated": scale != 1,
        "demand_seconds": round(demand_seconds, 3), "engine_seconds": round(engine_seconds, 3),
        "write_seconds": round(write_seconds, 3), "seconds": round(measured, 3),
        "ms_per_org": round(1000 * (demand_seconds + write_seconds) / len(rows), 3),
        # Linear in the organizations: the per-row queries and saves; the engine, run
        # once on the sample, is counted as measured (it is a few milliseconds).
        "seconds_for_all": round((demand_seconds + write_seconds) * scale + engine_seconds, 1),
        "check": _cross_check(rows, year),
    }
    _delete_plan(plan.year)
    return figures


def _cross_check(rows, year: int) -> dict:
    """The loop's demand must equal what the job stored for the same organizations."""
    from quotas.models import QuotaAllocation

    stored = {a["party_org_id"]: a for a in QuotaAllocation.objects.filter(plan__year=year, party_org__in=[
        r["org"].pk for r in rows]).values("party_org_id", "candidates_ready", "activists_ready", "weight",
                                           "years_without_new_member")}
    nothing = {"candidates_ready": 0, "activists_ready": 0, "weight": 0.0, "years_without_new_member": None}
    mismatched = []
    for r in rows:
        s = stored.get(r["org"].pk, nothing)     # the job keeps no row for a unit with nothing
        if (s["candidates_ready"], s["activists_ready"]) != (r["candidates"], r["activists"]) \
                or abs(s["weight"] - round(r["weight"], 4)) > 1e-6 \
                or s["years_without_new_member"] not in (None, r["years_without"]):
            mismatched.append(r["org"].pk)
    return {"compared": len(rows), "mismatched": len(mismatched), "examples": mismatched[:5]}


# ---- main -------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=200_000, help="party organizations in the generated county")
    parser.add_argument("--dossiers", type=int, default=300_000, help="open dossiers (at least --orgs)")
    parser.add_argument("--townships", type=int, default=12)
    parser.add_argument("--seats", type=int, default=20_000, help="seats of the recomputed plan")
    parser.add_argument("--sample", type=int, default=5_000,
                        help="organizations for the per-row loop, extrapolated linearly (0 = all)")
    parser.add_argument("--year", type=int, default=dt.date.today().year, help="plan year")
    parser.add_argument("--database", default="bench_lianxin", help="dedicated benchmark database (created)")
    parser.add_argument("--regenerate", action="store_true", help="generate the county even if one of the size exists")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON-lines file to append to")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        print("bench_recompute: DATABASE_URL must point at PostgreSQL (postgres://user@host:port/db); "
              "the benchmark creates its own database next to it. "
              f"Got {'nothing' if not url else urlsplit(url).scheme + '://…'}.", file=sys.stderr)
        return 2
    setup_django(bench_database_url(url, args.database))

    from django.core.management import call_command

    from tests.benchmarks.generate import CountySize, existing_size, generate_county

    call_command("migrate", verbosity=0, interactive=False)
    size = CountySize(townships=args.townships, party_orgs=args.orgs, dossiers=args.dossiers)
    generation = None
    if args.regenerate or existing_size() != size:
        print(f"generating the county in {args.database}: {size}")
        started = time.perf_counter()
        generation = generate_county(size, year=args.year)
        generation["seconds"] = round(time.perf_counter() - started, 1)
    else:
        print(f"reusing the county in {args.database}: {size}")

    plan = fresh_plan(args.year, args.seats)
    print(f"recompute job, {args.orgs:,} party organizations …")
    runs = {}
    for name, parameters, what in RUNS:
        plan.parameters = parameters
        plan.save(update_fields=["parameters"])
        load_before = round(os.getloadavg()[0], 2)
        vacuum()
        runs[name] = {**run_job(plan), "load_average_before": load_before}
        r = runs[name]
        cpu = r["cpu_seconds"]
        print(f"  {name:<8}{r['seconds']:>7.2f} s  {r['written']:,} rows written ({what})\n"
              f"          stages {r['stages']}; CPU {cpu['client']} s here + {cpu['server']} s in PostgreSQL; "
              f"load average {r['load_average_before']} before, {r['load_average']} after")

    print(f"plain per-row ORM loop on {args.sample or args.orgs:,} organizations …")
    loop = per_row_loop(year=args.year, seats=args.seats, parameters=plan.parameters, sample=args.sample,
                        total_orgs=args.orgs)
    note = (f"measured on {loop['organizations']:,} organizations, extrapolated linearly to {args.orgs:,}"
            if loop["extrapolated"] else "measured on every organization")
    print(f"  {loop['seconds']:.2f} s ({loop['ms_per_org']:.2f} ms per organization: demand "
          f"{loop['demand_seconds']:.2f} s, engine {loop['engine_seconds']:.3f} s, save {loop['write_seconds']:.2f} s)")
    print(f"  → {loop['seconds_for_all']:,.1f} s for {args.orgs:,} organizations ({note})")
    if loop["check"]["mismatched"]:
        print(f"  WARNING: the loop's demand differs from the job's for {loop['check']}")

    slowest = max(r["seconds"] for r in runs.values())
    all_orgs = loop["seconds_for_all"]
    record = {
        "benchmark": "recompute",
        "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "party_orgs": args.orgs, "dossiers": args.dossiers, "townships": args.townships, "seats": args.seats,
        "year": args.year, "generation": generation, "job": runs,
        "per_row_loop": {**loop, "note": note},
        "ratio": {name: round(all_orgs / r["seconds"], 1) for name, r in runs.items()},
        "goal_seconds": GOAL_SECONDS,
        "within_goal": slowest <= GOAL_SECONDS,
        "machine": machine(),
    }
    print()
    print(f"{'':<36}{'seconds':>10}{'ratio':>9}")
    for name, r in runs.items():
        print(f"{'recompute job, ' + name:<36}{r['seconds']:>10.2f}{record['ratio'][name]:>8.1f}×")
    label = "per-row ORM loop" + (" (extrapolated)" if loop["extrapolated"] else "")
    print(f"{label:<36}{all_orgs:>10.1f}")
    verdict = "ok" if record["within_goal"] else f"SLOW (> {GOAL_SECONDS} s)"
    print(f"goal ≤ {GOAL_SECONDS} s per job run: {verdict}   (slowest run {slowest:.2f} s)")
    m = record["machine"]
    print(f"machine: {m.get('cpu_model', '?')}, {m['cpus']} cores, {m.get('memory_gb', '?')} GB, "
          f"PostgreSQL {m['postgresql']}, Python {m['python']}; load average {m['load_average']}")
    # Judged before the first run: afterwards the benchmark's own two processes (this one
    # and its PostgreSQL backend) are in the load average.
    record["busy"] = runs["create"]["load_average_before"] > (m["cpus"] or 1)
    if record["busy"]:
        print("note: the machine was busy before the runs (load average above the core count): the wall "
              "times are pessimistic; the CPU seconds are the better guide")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"\nappended 1 record to {args.out}")
    return 0 if record["within_goal"] else 1


if __name__ == "__main__":
    sys.exit(main())
