"""Benchmark of the statistics dashboards and the county report on PostgreSQL.

    python tests/benchmarks/bench_reports.py [--out FILE] [--units N] [--people N] [--repeat R] [--regenerate]

Builds (once; kept between runs) a generated county in its own PostgreSQL database —
12 townships, 5,000 units, 150,000 people, about 60 % of them with a development dossier
spread over 2019–today, alerts, transfers, plans, training records, a snapshot at the
end of last year — then measures, through the real URLs and services:

* the county dashboard (all 16 figures, county administrator) — goal ≤ 200 ms server time —
  both computed (刷新, or the first view after the figure cache expired) and cached (what
  every other view within reports.figure_cache.CACHE_SECONDS gets);
* a township dashboard (township worker, rows per party organization / unit), the same two ways;
* the county report job for this year (every sheet, workbook, checksum, and the PDF of the
  print page where WeasyPrint is installed — its layout time is recorded apart) — goal ≤ 3 s;
* the monthly snapshot job.

Each timing is the median of ``--repeat`` runs after one warm-up run (reported as
"cold").  The database is its own — ``BENCH_REPORTS_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/bench_reports`` (created if missing) — never
``DATABASE_URL``: generating empties the tables, so the script refuses a database that
holds anything but its own county.  Prints a table and appends one JSON line per
measurement to FILE (default ``bench-results/reports.json``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/bench_reports"
DEFAULT_OUT = PROJECT_ROOT / "bench-results" / "reports.json"
GOALS = {"dashboard_county_cached": 0.2, "dashboard_county_computed": 0.2, "dashboard_township_cached": 0.2,
         "dashboard_township_computed": 0.2, "report_job": 3.0}
SEED = 20240601


BENCH_COUNTY_CODE = "339900000000"


def _database_url() -> str:
    url = os.environ.get("BENCH_REPORTS_DATABASE_URL") or DEFAULT_DATABASE
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench_reports needs PostgreSQL: set BENCH_REPORTS_DATABASE_URL=postgres://…")
    return url


def _refuse_foreign_data() -> None:
    """Generating truncates the tables: only ever in an empty database or our own."""
    from organizations.models import Area, Organization

    if Organization.objects.exists() and not Area.objects.filter(code=BENCH_COUNTY_CODE).exists():
        raise SystemExit("this database holds data that is not the benchmark county; "
                         "point BENCH_REPORTS_DATABASE_URL at a database of its own")


def _ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist yet."""
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(parts._replace(path="/postgres").geturl())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)          # the report job runs eagerly, in this process
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.MEDIA_ROOT = PROJECT_ROOT / "var" / "bench-media"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ---- the generated county ---------------------------------------------------------------

def generate(*, units: int, people: int, seed: int) -> dict:
    """Write the county with bulk inserts (no history rows: this is load, not use)."""
    from decimal import Decimal

    from django.db import connection, transaction

    from accounts.models import Role, User
    from members.models import Alert, Attendance, Dossier, Person, RuleSetVersion, TrainingCourse, Transfer
    from organizations.models import Area, Instructor, Organization, PartyOrganization, PartyWorker
    from quotas.models import PlanStatus, QuotaAllocation, QuotaPlan

    rng = random.Random(seed)
    today = dt.date.today()
    with transaction.atomic():
        with connection.cursor() as cursor:
            tables = [m._meta.db_table for m in (Alert, Transfer, Attendance, TrainingCourse, QuotaAllocation,
                                                 QuotaPlan, Dossier, Person, PartyWorker, Instructor,
                                                 PartyOrganization, Organization, Area)]
            tables += [Instructor.organizations.through._meta.db_table,
                       PartyOrganization.covered_organizations.through._meta.db_table,
                       "reports_reportrun", "reports_statisticssnapshot"]
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        county = Area(code=BENCH_COUNTY_CODE, name="基准县", level="county")
        county.save()
        townships = []
        for i in range(12):
            township = Area(code=f"339900{i + 1:03d}000", name=f"第{i + 1}镇", level="township" if i % 3 else "street",
                            parent=county)
            township.save()
            townships.append(township)

        orgs = []
        for n in range(units):
            social = rng.random() < 0.2
            employees = rng.choice([5, 10, 20, 30, 50, 80, 120, 300, 800])
            members = 0 if rng.random() < 0.35 else rng.randint(1, max(1, employees // 8))
            orgs.append(Organization(
                name=f"基准单位{n}", uscc=f"91339900{n:010d}", kind="social_org" if social else "enterprise",
                sub_kind="association" if social else "limited_company", industry="C",
                township=townships[n % len(townships)], employee_count=employees, party_member_count=members,
                status="dissolved" if rng.random() < 0.03 else "operating"))
        Organization.objects.bulk_create(orgs, batch_size=2000)
        orgs = list(Organization.objects.order_by("id"))

        party_orgs = []
        covered = [o for o in orgs if rng.random() < 0.66]
        for n, unit in enumerate(covered):
            party_orgs.append(PartyOrganization(name=f"基准单位{n}党支部", org_type="branch", formation="standalone",
                                                area_id=unit.township_id, full_member_count=rng.randint(3, 30),
                                                path=""))
        PartyOrganization.objects.bulk_create(party_orgs, batch_size=2000)
        party_orgs = list(PartyOrganization.objects.order_by("id"))
        PartyOrganization.objects.update(path="/")
        through = PartyOrganization.covered_organizations.through
        through.objects.bulk_create([through(partyorganization_id=p.pk, organization_id=u.pk)
                                     for p, u in zip(party_orgs, covered)], batch_size=5000)

        instructors = [Instructor(name=f"指导员{n}", area=townships[n % len(townships)]) for n in range(320)]
        Instructor.objects.bulk_create(instructors)
        instructors = list(Instructor.objects.order_by("id"))
        links = Instructor.organizations.through
        assignments = []
        for unit in orgs:
            local = [i for i in instructors if i.area_id == unit.township_id]
            assignments.append(links(instructor_id=rng.choice(local[: max(3, len(local) // 2)]).pk,
                                     organization_id=unit.pk))
        links.objects.bulk_create(assignments, batch_size=5000)
        workers = [PartyWorker(name=f"党务工作者{n}", area_id=p.area_id, party_organization=p)
                   for n, p in enumerate(party_orgs)]
        PartyWorker.objects.bulk_create(workers, batch_size=2000)

        rule_set = RuleSetVersion.objects.current()
        persons = []
        for n in range(people):
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 16000))
            unit = orgs[rng.randrange(len(orgs))]
            persons.append(Person(name=f"人员{n}", sex=rng.choice(["male", "female"]), id_number=f"{n:018d}",
                                  id_last4=f"{n % 10000:04d}", birth_date=birth,
                                  education=rng.choice(["postgraduate", "bachelor", "college", "secondary", "junior"]),
                                  occupation=rng.choice(["front_line", "front_line", "technical_backbone", "manager",
                                                         "professional", "other"]),
                                  current_unit=unit, ethnicity="汉族" if rng.random() < 0.93 else "回族"))
        Person.objects.bulk_create(persons, batch_size=5000)
        person_ids = list(Person.objects.order_by("id").values_list("id", "current_unit_id"))
        orgs_by_unit = {u.pk: p for p, u in zip(party_orgs, covered)}
        by_township = {}
        for p in party_orgs:
            by_township.setdefault(p.area_id, []).append(p)
        township_of = {o.pk: o.township_id for o in orgs}

        dossiers = []
        start = dt.date(2019, 1, 1)
        span = (today - start).days
        for person_id, unit_id in person_ids:
            if rng.random() > 0.6:
                continue
            party_org = orgs_by_unit.get(unit_id) or rng.choice(by_township[township_of[unit_id]])
            applied = start + dt.timedelta(days=rng.randint(0, span))
            dates, stage = {"applied_on": applied}, "applicant"
            step = applied
            for field, next_stage, gap in (("activist_on", "activist", (30, 200)),
                                           ("candidate_on", "candidate", (365, 500)),
                                           ("approved_on", "probationary", (90, 200)),
                                           ("full_on", "full_member", (365, 380))):
                if rng.random() < 0.55:
                    candidate = step + dt.timedelta(days=rng.randint(*gap))
                    if candidate <= today:
                        dates[field], stage, step = candidate, next_stage, candidate
                        continue
                break
            state, extra = "active", {}
            roll = rng.random()
            if stage == "full_member":
                state = "completed"
            elif roll < 0.08:
                state = "ended"
                extra = {"ended_on": min(today, step + dt.timedelta(days=rng.randint(10, 300))),
                         "end_kind": "withdrawn", "end_reason": rng.choice(["resigned", "resigned", "moved_away",
                                                                             "withdrew", "other"])}
            elif roll < 0.12:
                state = "lost_contact"
                extra = {"lost_contact_since": min(today, step + dt.timedelta(days=rng.randint(180, 400)))}
            dossiers.append(Dossier(person_id=person_id, unit_id=unit_id, party_org=party_org, rule_set=rule_set,
                                    stage=stage, state=state,
                                    source=rng.choice(["league", "trade_union", "members", "self"])
                                    if "activist_on" in dates else "", cultivation_start=dates.get("activist_on"),
                                    **dates, **extra))
        Dossier.objects.bulk_create(dossiers, batch_size=5000)
        open_dossiers = list(Dossier.objects.filter(state__in=("active", "lost_contact"))
                             .values_list("id", "party_org_id"))

        kinds = ["talk_due", "activist_review_due", "one_year_reached", "approval_deadline", "probation_ending",
                 "lost_contact"]
        alerts = [Alert(dossier_id=d, kind=rng.choice(kinds), due_on=today + dt.timedelta(days=rng.randint(-120, 30)),
                        message="基准提醒", computed_on=today) for d, _ in rng.sample(open_dossiers, 20000)]
        Alert.objects.bulk_create(alerts, batch_size=5000, ignore_conflicts=True)
        transfers = []
        for dossier_id, from_org in rng.sample(open_dossiers, 3000):
            requested = today - dt.timedelta(days=rng.randint(1, 700))
            decided = requested + dt.timedelta(days=rng.randint(1, 40))
            pending = decided > today or rng.random() < 0.1
            outside = rng.random() < 0.15
            transfers.append(Transfer(dossier_id=dossier_id, from_party_org_id=from_org,
                                      to_party_org=None if outside else rng.choice(party_orgs),
                                      to_outside="县外某党支部" if outside else "", requested_on=requested,
                                      state="requested" if pending else "accepted",
                                      decided_on=None if pending else decided))
        Transfer.objects.bulk_create(transfers, batch_size=2000)

        for year in (today.year - 1, today.year):
            plan = QuotaPlan.objects.create(year=year, name=f"{year}年发展党员计划", total_seats=2000,
                                            status=PlanStatus.ISSUED)
            QuotaAllocation.objects.bulk_create([
                QuotaAllocation(plan=plan, party_org=p, area_id=p.area_id, seats=(seats := rng.randint(0, 3)),
                                used=rng.randint(0, seats), ready_demand=rng.randint(0, 5))
                for p in party_orgs], batch_size=5000)

        course = TrainingCourse.objects.create(name="党务工作者培训", kind="party_worker", organizer="县委组织部",
                                               starts_on=dt.date(today.year, 3, 1), ends_on=dt.date(today.year, 3, 5),
                                               days=Decimal(5), hours=Decimal(40))
        workers = list(PartyWorker.objects.values_list("id", flat=True))
        Attendance.objects.bulk_create([Attendance(course=course, party_worker_id=w, days=Decimal(5),
                                                   hours=Decimal(rng.choice([8, 16, 24, 32, 40])))
                                        for w in rng.sample(workers, len(workers) // 2)], batch_size=5000)

        User.objects.filter(username__in=["bench-county", "bench-township"]).delete()
        admin = User.objects.create_user("bench-county", password="bench12345", role=Role.COUNTY_ADMIN)
        worker = User.objects.create_user("bench-township", password="bench12345", role=Role.TOWNSHIP_WORKER)
        worker.scope_areas.add(townships[0])
    vacuum()
    return {"units": len(orgs), "people": len(persons), "dossiers": len(dossiers),
            "party_organizations": len(party_orgs), "admin": admin.pk, "worker": worker.pk}


def vacuum() -> None:
    """What autovacuum does on a county's server after a load or a migration's rewrite of a
    table (untimed): fresh statistics, and the visibility map without which no index-only
    scan is planned."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def county_size() -> dict:
    from members.models import Dossier, Person
    from organizations.models import Organization, PartyOrganization

    return {"units": Organization.objects.count(), "people": Person.objects.count(),
            "dossiers": Dossier.objects.count(), "party_organizations": PartyOrganization.objects.count()}


# ---- measurements -----------------------------------------------------------------------

def _timed(action, repeat: int) -> tuple[float, float, list[float]]:
    start = time.perf_counter()
    action()
    cold = time.perf_counter() - start
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return cold, statistics.median(timings), timings


def measure(*, repeat: int) -> list[dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from reports import selectors, services, snapshots
    from reports.models import ReportRun, StatisticsSnapshot

    today = dt.date.today()
    admin = User.objects.get(username="bench-county")
    worker = User.objects.get(username="bench-township")
    last_year_end = dt.date(today.year - 1, 12, 31)
    StatisticsSnapshot.objects.filter(as_of=last_year_end).delete()
    cache.clear()
    records = []

    snapshot_cold = time.perf_counter()
    snapshots.take_snapshot(as_of=last_year_end)
    records.append(("snapshot_job", time.perf_counter() - snapshot_cold, None, [], None, None))

    url = reverse("reports:dashboard")
    for name, user in (("dashboard_county", admin), ("dashboard_township", worker)):
        client = Client()
        client.force_login(user)
        # "computed": every figure computed (刷新, or the first view after the cache expired);
        # "cached": what everyone else opening the page within CACHE_SECONDS gets.
        for variant, params in (("computed", {"year": today.year, "refresh": 1}), ("cached", {"year": today.year})):
            def get():
                response = client.get(url, params)
                assert response.status_code == 200, response.status_code

            cold, median, timings = _timed(get, repeat)
            with CaptureQueriesContext(connection) as queries:
                get()
            records.append((f"{name}_{variant}", cold, median, timings, len(queries), None))

    per_figure = {}
    for key in selectors.FIGURES:
        start = time.perf_counter()
        selectors.build_figure(key, selectors.make_scope(user=admin, year=today.year))
        per_figure[key] = round(time.perf_counter() - start, 4)

    def report():
        run = services.start_report(by=admin, start=dt.date(today.year, 1, 1), end=dt.date(today.year, 12, 31))
        run = services.run_report(run=ReportRun.objects.get(pk=run.pk))
        assert run.status == "done", run.error
        return run

    cold, median, timings = _timed(report, repeat)
    records.append(("report_job", cold, median, timings, None, None))
    last = ReportRun.objects.filter(status="done").order_by("-pk").first()
    # The PDF's layout is part of the job (WeasyPrint); 0 and a note when it is not installed.
    records.append(("report_job_pdf_layout", last.timings.get("pdf", 0.0), None, [], None,
                    "PDF stored" if last.pdf else f"no PDF: {last.pdf_note}"))
    return records, per_figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON-lines file to append to")
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the county even if it is there")
    args = parser.parse_args(argv)

    url = _database_url()
    _ensure_database(url)
    _setup(url)
    size = county_size()
    started = time.perf_counter()
    generated = False
    if args.regenerate or size["units"] != args.units or size["people"] != args.people:
        _refuse_foreign_data()
        print(f"generating the county ({args.units:,} units, {args.people:,} people)…", flush=True)
        generate(units=args.units, people=args.people, seed=SEED)
        size, generated = county_size(), True
    else:
        vacuum()
    generation_seconds = round(time.perf_counter() - started, 1)

    records, per_figure = measure(repeat=args.repeat)
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
               "platform": platform.platform(), "database": "postgresql",
               "load_average": [round(x, 2) for x in os.getloadavg()]}
    lines = []
    print(f"\ncounty: {size['units']:,} units, {size['people']:,} people, {size['dossiers']:,} dossiers, "
          f"{size['party_organizations']:,} party organizations"
          + (f" (generated in {generation_seconds} s)" if generated else ""))
    header = f"{'measurement':<28}{'cold s':>9}{'median s':>10}{'min s':>8}{'queries':>9}  goal"
    print(header + "\n" + "-" * len(header))
    for name, cold, median, timings, queries, note in records:
        goal = GOALS.get(name)
        value = median if median is not None else cold
        verdict = "-" if goal is None else ("ok" if value <= goal else f"SLOW (> {goal} s)")
        print(f"{name:<28}{cold:>9.3f}{(median if median is not None else cold):>10.3f}"
              f"{(min(timings) if timings else cold):>8.3f}{(queries if queries is not None else '-'):>9}  {verdict}"
              + (f"  {note}" if note else ""))
        lines.append({"benchmark": f"reports.{name}", "timestamp": stamp, **size, "repeat": len(timings),
                      "seconds_cold": round(cold, 4), "seconds_median": round(value, 4),
                      "seconds_min": round(min(timings), 4) if timings else round(cold, 4), "queries": queries,
                      "goal_seconds": goal, "within_goal": None if goal is None else value <= goal,
                      **({"note": note} if note else {}), **machine})
    lines.append({"benchmark": "reports.figures", "timestamp": stamp, **size, "seconds_per_figure": per_figure,
                  **machine})
    print("\nper figure (county, one run):", ", ".join(f"{k} {v:.3f}" for k, v in per_figure.items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"\nappended {len(lines)} records to {args.out}")
    return 0 if all(line.get("within_goal") in (None, True) for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
