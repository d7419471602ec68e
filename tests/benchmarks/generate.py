"""A large generated county for the benchmarks, written with PostgreSQL COPY.

    generate_county(CountySize(party_orgs=200_000, dossiers=300_000), year=2026)

Only for a dedicated benchmark database: it empties the tables it fills (TRUNCATE …
CASCADE) before writing.  Rows are what the services would have saved, with the
minimum fields filled and every NOT NULL column given its model default:

* one county (code ``BENCH_COUNTY_CODE``) and ``townships`` townships;
* ``party_orgs`` party organizations (branches), spread unevenly over the townships;
* ``dossiers`` development dossiers, one person each (valid, unique 身份证号 from
  ``tests.factories.make_id_number``): every organization has at least one ready one
  (a candidate or an activist of more than a year), the rest follow a skewed
  (log-normal) distribution, in a mix of applicants, activists and candidates, a few
  lost contact or ended;
* the record the quality factor reads: last year's closed plan with allocations for
  part of the organizations, last year's party-building grades, overdue alerts,
  political reviews (some failed), and past admissions (completed dossiers with an
  ``admission_approval`` record) for the "years without a new member" flag.

Deterministic for a given size, year and seed.  :func:`existing_size` tells whether a
database already holds a county of the wanted size, so the benchmark can reuse it.
"""
from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.db import connection, models
from django.utils import timezone

from members.models import Alert, Dossier, Person, PoliticalReview, RuleSetVersion, StepRecord
from organizations.models import Area, PartyOrganization
from quotas.models import EvaluationGrade, PlanStatus, QuotaAllocation, QuotaPlan
from tests.factories import make_id_number

BENCH_COUNTY_CODE = "339900000000"
COPY_CHUNK = 50_000


@dataclass(frozen=True)
class CountySize:
    townships: int = 12
    party_orgs: int = 200_000
    dossiers: int = 300_000      # development dossiers (at least one per organization; 5 % lost contact or ended)

    def __post_init__(self):
        if self.dossiers < self.party_orgs:
            raise ValueError("每个党组织至少需要一份档案：--dossiers 不能少于 --orgs。")


# ---- COPY --------------------------------------------------------------------------------

def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` (tuples in ``columns`` order, attnames) into ``model``'s table; every
    other NOT NULL column gets the model's default (now for auto_now fields)."""
    now = timezone.now()
    column_of = {field.attname: field.column for field in model._meta.concrete_fields}
    defaults = []
    for field in model._meta.concrete_fields:
        if field.attname in columns or field.primary_key:   # an id not given comes from its sequence
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        if value is None and not field.null:
            raise ValueError(f"{model.__name__}.{field.attname} needs a value")
        defaults.append((field.column, _text(value)))
    names = [column_of[c] for c in columns] + [c for c, _ in defaults]
    tail = "".join("\t" + v for _, v in defaults)
    quoted = ", ".join(f'"{name}"' for name in names)
    sql = f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN'
    total = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        buffer, count = io.StringIO(), 0
        for row in rows:
            buffer.write("\t".join(_text(v) for v in row) + tail + "\n")
            count += 1
            if count == COPY_CHUNK:
                buffer.seek(0)
                raw.copy_expert(sql, buffer)
                total, buffer, count = total + count, io.StringIO(), 0
        if count:
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
            total += count
    return total


def _reset_sequence(model: type[models.Model]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                       f"GREATEST((SELECT MAX(id) FROM \"{table}\"), 1))")


# ---- the county ----------------------------------------------------------------------------

def existing_size() -> CountySize | None:
    county = Area.objects.filter(code=BENCH_COUNTY_CODE).first()
    if county is None:
        return None
    return CountySize(townships=Area.objects.filter(parent=county).count(),
                      party_orgs=PartyOrganization.objects.count(),
                      dossiers=Dossier.objects.exclude(state="completed").count())


def _empty_tables() -> None:
    tables = [m._meta.db_table for m in (Area, PartyOrganization, Person, Dossier, QuotaPlan, EvaluationGrade)]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in tables) + " RESTART IDENTITY CASCADE")


def generate_county(size: CountySize, *, year: int, seed: int = 20260101, log=print) -> dict:
    """Fill the (dedicated) database with a county of ``size``; returns seconds per part."""
    rng = np.random.default_rng(seed)
    timings, started = {}, time.perf_counter()

    def lap(name):
        nonlocal started
        timings[name] = round(time.perf_counter() - started, 2)
        log(f"  {name}: {timings[name]} s")
        started = time.perf_counter()

    _empty_tables()
    county = Area.objects.create(code=BENCH_COUNTY_CODE, name="基准县", level="county")
    townships = [Area.objects.create(code=f"339900{t + 1:03d}000", name=f"基准第{t + 1}镇", level="township",
                                     parent=county) for t in range(size.townships)]
    rule_set = RuleSetVersion.objects.current()
    if rule_set is None:
        raise RuntimeError("no current rule set: run migrate first")

    # Party organizations: townships of uneven size (some industrial parks are big).
    n_orgs = size.party_orgs
    township_share = rng.dirichlet(np.full(size.townships, 2.0))
    org_township = np.sort(rng.choice(size.townships, size=n_orgs, p=township_share))
    org_area = np.array([t.pk for t in townships], dtype=np.int64)[org_township]
    org_ids = np.arange(1, n_orgs + 1)
    copy_rows(PartyOrganization, ["id", "name", "name_initials", "org_type", "formation", "area_id", "path",
                                  "secretary_name", "full_member_count"],
              ((i, f"基准单位{i}党支部", "jzdwdzb", "branch", "standalone", int(a), f"/{i}/", "张书记", 3 + i % 20)
               for i, a in zip(org_ids.tolist(), org_area.tolist())))
    _reset_sequence(PartyOrganization)
    lap("party_orgs")

    # Open dossiers: one ready dossier per organization, the rest skewed over them.
    n_extra = size.dossiers - n_orgs
    popularity = rng.lognormal(0.0, 1.2, size=n_orgs)
    extra_org = rng.choice(org_ids, size=n_extra, p=popularity / popularity.sum())
    dossier_org = np.concatenate([org_ids, extra_org])
    stage = np.concatenate([
        np.where(rng.random(n_orgs) < 0.5, "candidate", "activist"),
        rng.choice(["applicant", "activist", "candidate"], size=n_extra, p=[0.25, 0.45, 0.30]),
    ])
    # Cultivation since: ready activists began before last year's end; others anywhere
    # in the last three years.
    days = np.concatenate([rng.integers(365, 3 * 365, size=n_orgs), rng.integers(0, 3 * 365, size=n_extra)])
    year_end = date(year - 1, 12, 31)
    cultivation = [None if s == "applicant" else year_end - timedelta(days=int(d) - 365)
                   for s, d in zip(stage.tolist(), days.tolist())]
    state = np.concatenate([np.full(n_orgs, "active"),
                            rng.choice(["active", "lost_contact", "ended"], size=n_extra, p=[0.95, 0.03, 0.02])])
    # Past admissions: completed dossiers with an approval record, on a tenth of the units.
    n_admitted = n_orgs // 10
    admitted_org = rng.choice(org_ids, size=n_admitted, replace=False)
    admitted_on = [date(year - 1 - int(k), 7, 1) for k in rng.integers(0, 4, size=n_admitted)]

    n_people = size.dossiers + n_admitted
    _copy_people(n_people)
    _reset_sequence(Person)
    lap("people")

    copy_rows(Dossier, ["id", "person_id", "party_org_id", "rule_set_id", "stage", "state", "cultivation_start",
                        "current_step", "end_kind"],
              ((i + 1, i + 1, o, rule_set.pk, s, st, c, "", "withdrawn" if st == "ended" else "")
               for i, (o, s, st, c) in enumerate(zip(dossier_org.tolist(), stage.tolist(), state.tolist(),
                                                     cultivation))))
    first_admitted = size.dossiers + 1
    copy_rows(Dossier, ["id", "person_id", "party_org_id", "rule_set_id", "stage", "state", "approved_on"],
              ((first_admitted + k, first_admitted + k, o, rule_set.pk, "full_member", "completed", on)
               for k, (o, on) in enumerate(zip(admitted_org.tolist(), admitted_on))))
    _reset_sequence(Dossier)
    copy_rows(StepRecord, ["dossier_id", "step", "taken_on", "party_org_id", "data", "note"],
              ((first_admitted + k, "admission_approval", on, o, {}, "")
               for k, (o, on) in enumerate(zip(admitted_org.tolist(), admitted_on))))
    lap("dossiers")

    # The organizations' record: reviews, alerts, grades, last year's plan.
    candidates = np.flatnonzero(stage == "candidate") + 1
    reviewed = rng.choice(candidates, size=len(candidates) // 2, replace=False)
    failed = rng.random(len(reviewed)) < 0.03
    copy_rows(PoliticalReview, ["dossier_id", "side", "requested_on", "replied_on", "passed", "conclusion"],
              ((int(d), "residence", date(year - 1, 3, 1), date(year - 1, 4, 1), not f, "不合格" if f else "合格")
               for d, f in zip(reviewed.tolist(), failed.tolist())))
    open_ids = np.flatnonzero(state != "ended") + 1
    overdue = rng.choice(open_ids, size=len(open_ids) // 25, replace=False)
    today = timezone.localdate()
    copy_rows(Alert, ["dossier_id", "kind", "due_on", "message", "computed_on"],
              ((int(d), "talk_due", today - timedelta(days=int(k)), "谈话已逾期", today)
               for d, k in zip(overdue.tolist(), rng.integers(1, 120, size=len(overdue)).tolist())))
    graded = rng.choice(org_ids, size=int(n_orgs * 0.6), replace=False)
    copy_rows(EvaluationGrade, ["party_org_id", "year", "grade", "note"],
              ((int(o), year - 1, g, "") for o, g in
               zip(graded.tolist(), rng.choice(list("ABCD"), size=len(graded), p=[0.2, 0.5, 0.25, 0.05]).tolist())))
    last_plan = QuotaPlan.objects.create(year=year - 1, name=f"{year - 1}年发展党员计划（基准）", total_seats=n_orgs // 10,
                                         status=PlanStatus.CLOSED, computed_at=timezone.now())
    planned = np.sort(rng.choice(org_ids, size=int(n_orgs * 0.4), replace=False))
    last_seats = rng.integers(1, 4, size=len(planned))
    last_used = np.minimum(last_seats, rng.integers(0, 4, size=len(planned)))
    copy_rows(QuotaAllocation, ["plan_id", "party_org_id", "area_id", "seats", "used", "breakdown"],
              ((last_plan.pk, int(o), int(org_area[o - 1]), int(s), int(u), {})
               for o, s, u in zip(planned.tolist(), last_seats.tolist(), last_used.tolist())))
    lap("record")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    lap("analyze")
    return {"size": asdict(size), "people": n_people, "admitted": n_admitted, "timings": timings}


def _copy_people(count: int) -> None:
    """``count`` people with distinct valid ID numbers: 1,000 per birth date (500 serials
    × 2 sexes), one birth date every three days from 1 January 1985."""
    born0 = date(1985, 1, 1)

    def rows():
        birth = None
        for i in range(count):
            block, within = divmod(i, 1000)
            if within == 0:
                birth = born0 + timedelta(days=3 * block)
            male = within % 2 == 1
            id_number = make_id_number(birth, within // 2, male=male)
            yield (i + 1, f"基准{i + 1}", "jz", "male" if male else "female", id_number, id_number[-4:], birth,
                   "bachelor")

    copy_rows(Person, ["id", "name", "name_initials", "sex", "id_number", "id_last4", "birth_date", "education"],
              rows())
