"""Alerts (提醒): what is due or overdue on each open dossier, and lost contact (失联).

Two halves:

* :func:`due_items` is pure: one dossier's snapshot, its rule set and a date in, the
  due items out.  The procedure deadlines come from the rule set's ``deadlines``; the
  other kinds (one year of cultivation, publicity, probation, transfers, political
  review letters, lost contact) read their windows from the rule set's ``numbers``
  with the defaults in :data:`ALERT_NUMBERS`.
* :func:`compute_alerts` and :func:`mark_lost_contacts` are the services of the daily
  job (``members.tasks.compute_alerts``, 02:00 Asia/Shanghai): they read in bulk, call
  the pure part and write in bulk.  Both are idempotent — a second run the same day
  changes nothing — and a cache lock refuses a concurrent run.
"""
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import django_filters
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from organizations.choices import OrganizationStatus
from organizations.models import Area
from organizations.querysets import townships_for
from organizations.search import name_condition

from .choices import DossierState, Stage
from .facts import StepFact
from .models import (Alert, AlertKind, Dossier, PoliticalReview, ReviewSide, RuleSetVersion, StepRecord, Transfer,
                     overdue_condition)
from .models.dossiers import OPEN_STATES
from .models.transfers import TransferState
from .periods import add_months
from .procedure import RuleSet

# Windows of the non-procedure alerts, in days.  A rule set may override each one in
# its "numbers"; "alert_warning_days" (default: the rule set's approval_warning_days)
# is how early a procedure deadline starts to show.
ALERT_NUMBERS = {
    "one_year_notice_days": 30,       # cultivation reaches one year within this many days
    "publicity_notice_days": 3,       # a recorded publicity ends within this many days
    "probation_notice_days": 30,      # probation ends within this many days, no full vote yet
    "transfer_waiting_days": 7,       # a transfer still pending after this many days
    "review_outstanding_days": 30,    # a political-review letter unanswered after this many days
}
DEFAULT_WARNING_DAYS = 15
DEFAULT_LOST_CONTACT_MONTHS = 6
# A deadline counted from these steps runs only when the step's record says so: an
# approval of full membership is due only after a vote that made the member full
# (a vote to extend probation or to cancel it starts no approval).
DEADLINE_CONDITIONS = {"full_vote": {"outcome": "full"}}
BATCH_SIZE = 500
LOCK_KEY = "members:alert-job"
LOCK_SECONDS = 3600


def _d(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


# ---- the pure part ------------------------------------------------------------------------

@dataclass(frozen=True)
class DossierSnapshot:
    """What the alert rules read about one open dossier."""

    id: int
    name: str
    stage: str
    state: str
    records: tuple[StepFact, ...] = ()
    cultivation_start: date | None = None
    probation_ends_on: date | None = None
    lost_contact_since: date | None = None
    pending_transfer_on: date | None = None
    outstanding_reviews: tuple[tuple[str, date], ...] = ()     # (side, requested_on)

    def taken(self, code: str) -> list[StepFact]:
        return [r for r in self.records if r.code == code]

    def last(self, *codes: str) -> StepFact | None:
        found = [r for r in self.records if r.code in codes]
        return found[-1] if found else None        # records come in date order


@dataclass(frozen=True)
class Due:
    kind: str
    due_on: date
    message: str


def number(rules: RuleSet, name: str) -> int:
    if name == "alert_warning_days":
        return rules.numbers.get(name, rules.numbers.get("approval_warning_days", DEFAULT_WARNING_DAYS))
    if name == "lost_contact_months":
        return rules.numbers.get(name, DEFAULT_LOST_CONTACT_MONTHS)
    return rules.numbers.get(name, ALERT_NUMBERS[name])


def due_items(snapshot: DossierSnapshot, rules: RuleSet, today: date) -> list[Due]:
    """Everything due soon or overdue on one dossier on ``today``."""
    items = [item for spec in rules.deadlines if (item := _deadline(spec, snapshot, rules, today))]
    items += filter(None, [_one_year(snapshot, rules, today), _probation_ending(snapshot, rules, today),
                           _transfer_waiting(snapshot, rules, today), _lost_contact(snapshot, today)])
    items += _publicity_ending(snapshot, rules, today)
    items += _reviews_outstanding(snapshot, rules, today)
    return _merged(items)


def _label(rules: RuleSet, code: str) -> str:
    step = rules.step(code)
    return step.label if step else code


def _deadline(spec: Mapping, snap: DossierSnapshot, rules: RuleSet, today: date) -> Due | None:
    """A step due ``months`` after the latest of the ``after`` steps (for a repeating
    deadline the step itself is among them), until the ``until`` step is taken."""
    afters = spec["after"] if isinstance(spec["after"], list) else [spec["after"]]
    start = snap.last(*afters)
    if start is None or (spec.get("until") and snap.taken(spec["until"])):
        return None
    condition = spec.get("when", DEADLINE_CONDITIONS.get(start.code, {}))
    if any(start.data.get(key) != value for key, value in condition.items()):
        return None
    if not spec.get("repeat") and any(r.on >= start.on for r in snap.taken(spec["step"])):
        return None
    due_on = add_months(start.on, spec["months"])
    if due_on > today + timedelta(days=number(rules, "alert_warning_days")):
        return None
    label = spec.get("label") or dict(AlertKind.choices).get(spec["kind"], spec["kind"])
    return Due(spec["kind"], due_on,
               f"{snap.name}：{label}——自“{_label(rules, start.code)}”（{_d(start.on)}）起{spec['months']}个月内"
               f"应办理“{_label(rules, spec['step'])}”，{_d(due_on)}到期。")


def _cultivation_months(rules: RuleSet) -> int:
    step = rules.step("designate_candidate")
    for rule in step.rules if step else ():
        if rule["kind"] == "min_cultivation":
            return rule["months"]
    return 12


def _one_year(snap: DossierSnapshot, rules: RuleSet, today: date) -> Due | None:
    if snap.stage != Stage.ACTIVIST or snap.cultivation_start is None or snap.taken("designate_candidate"):
        return None
    months = _cultivation_months(rules)
    ready = add_months(snap.cultivation_start, months)
    if ready > today + timedelta(days=number(rules, "one_year_notice_days")):
        return None
    return Due(AlertKind.ONE_YEAR_REACHED, ready,
               f"{snap.name}：自{_d(snap.cultivation_start)}起培养，{_d(ready)}满{months}个月，"
               f"可按程序确定为发展对象。")


def _publicity_ending(snap: DossierSnapshot, rules: RuleSet, today: date) -> list[Due]:
    """A publicity recorded on a step (pre-review, full-membership vote) that ends in the
    next few days while the step after it has not been taken."""
    notice = number(rules, "publicity_notice_days")
    items = []
    for step in rules.steps:
        if not any(rule["kind"] == "publicity" for rule in step.rules):
            continue
        record = snap.last(step.code)
        end = _as_date(record.data.get("publicity_end")) if record else None
        if end is None or not today <= end <= today + timedelta(days=notice):
            continue
        following = [s.code for s in rules.steps if step.code in s.requires]
        if any(r.on >= record.on for code in following for r in snap.taken(code)):
            continue
        items.append(Due(AlertKind.PUBLICITY_ENDING, end,
                         f"{snap.name}：“{step.label}”的公示{_d(end)}结束，期满后请及时办理下一步骤。"))
    return items


def _probation_ending(snap: DossierSnapshot, rules: RuleSet, today: date) -> Due | None:
    end = snap.probation_ends_on
    if snap.stage != Stage.PROBATIONARY or end is None:
        return None
    vote = snap.last("full_vote")
    if vote is not None and vote.data.get("outcome") != "extend":
        return None
    if end > today + timedelta(days=number(rules, "probation_notice_days")):
        return None
    return Due(AlertKind.PROBATION_ENDING, end,
               f"{snap.name}：预备期{_d(end)}期满，请及时提出转正申请并召开支部大会讨论。")


def _transfer_waiting(snap: DossierSnapshot, rules: RuleSet, today: date) -> Due | None:
    if snap.pending_transfer_on is None:
        return None
    due_on = snap.pending_transfer_on + timedelta(days=number(rules, "transfer_waiting_days"))
    if due_on >= today:
        return None
    return Due(AlertKind.TRANSFER_WAITING, due_on,
               f"{snap.name}：{_d(snap.pending_transfer_on)}转出，超过{number(rules, 'transfer_waiting_days')}天"
               f"仍未接收或退回，请接收方尽快处理。")


def _reviews_outstanding(snap: DossierSnapshot, rules: RuleSet, today: date) -> list[Due]:
    wait = number(rules, "review_outstanding_days")
    by_due = defaultdict(list)
    for side, requested_on in snap.outstanding_reviews:
        due_on = requested_on + timedelta(days=wait)
        if due_on < today:
            by_due[(due_on, requested_on)].append(ReviewSide(side).label if side in ReviewSide.values else side)
    return [Due(AlertKind.REVIEW_OUTSTANDING, due_on,
                f"{snap.name}：{'、'.join(sides)}政审函调{_d(requested_on)}发出，超过{wait}天未回函，请催办。")
            for (due_on, requested_on), sides in sorted(by_due.items())]


def _lost_contact(snap: DossierSnapshot, today: date) -> Due | None:
    if snap.state != DossierState.LOST_CONTACT:
        return None
    since = snap.lost_contact_since or today
    return Due(AlertKind.LOST_CONTACT, since,
               f"{snap.name}：自{_d(since)}起失联，请尽快联系本人并登记联系记录。")


def _merged(items: Iterable[Due]) -> list[Due]:
    """One item per (kind, due date), as the table keeps them."""
    merged: dict[tuple[str, date], Due] = {}
    for item in items:
        key = (str(item.kind), item.due_on)
        if key in merged:
            item = Due(key[0], item.due_on, f"{merged[key].message}；{item.message}")
        merged[key] = Due(key[0], item.due_on, item.message[:300])
    return sorted(merged.values(), key=lambda d: (d.due_on, d.kind))


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def lost_contact_due(*, last_activity: date | None, months: int, unit_dissolved_on: date | None,
                     today: date) -> tuple[date, str] | None:
    """When (and why) a dossier became lost contact, or ``None``: ``months`` without any
    activity, or the person's unit dissolved after the last activity."""
    found = []
    if unit_dissolved_on is not None and unit_dissolved_on <= today and (
            last_activity is None or unit_dissolved_on > last_activity):
        found.append((unit_dissolved_on, "现工作单位已注销（撤销），自动标记为失联"))
    if last_activity is not None:
        due_on = add_months(last_activity, months)
        if due_on <= today:
            found.append((due_on, f"超过{months}个月没有办理步骤、联系记录或政审往来，自动标记为失联"))
    return min(found) if found else None


# ---- the services of the daily job -------------------------------------------------------

@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    by_kind: dict = field(default_factory=lambda: defaultdict(int))


class _JobLock:
    """At most one alert job at a time, across workers (the cache is Redis when
    REDIS_URL is set)."""

    def __enter__(self):
        self.held = cache.add(LOCK_KEY, "1", LOCK_SECONDS)
        return self.held

    def __exit__(self, *exc):
        if self.held:
            cache.delete(LOCK_KEY)


def run_daily_job(*, today: date | None = None) -> dict:
    """The nightly job: mark lost contacts first (they are an alert kind), then alerts."""
    today = today or timezone.localdate()
    with _JobLock() as held:
        if not held:
            return {"today": today.isoformat(), "skipped": True}
        marked = _mark_lost_contacts(today)
        summary = _compute_alerts(today)
    return {**summary, "lost_contact_marked": marked["marked"]}


def compute_alerts(*, today: date | None = None) -> dict:
    """Recompute every open dossier's alerts for ``today``; returns a summary."""
    today = today or timezone.localdate()
    with _JobLock() as held:
        if not held:
            return {"today": today.isoformat(), "skipped": True}
        return _compute_alerts(today)


def mark_lost_contacts(*, today: date | None = None) -> dict:
    """Mark active dossiers with no activity for the rule set's ``lost_contact_months``
    (or whose unit dissolved) as lost contact; returns ``{"marked": n, "dossiers": ids}``."""
    today = today or timezone.localdate()
    with _JobLock() as held:
        if not held:
            return {"today": today.isoformat(), "skipped": True, "marked": 0, "dossiers": []}
        return _mark_lost_contacts(today)


def _rule_sets() -> dict[int, RuleSet]:
    return {version.pk: version.rules for version in RuleSetVersion.objects.all()}


def _compute_alerts(today: date) -> dict:
    rules_by_id = _rule_sets()
    dossiers = list(Dossier.objects.filter(state__in=OPEN_STATES).order_by("id").values(
        "id", "person__name", "stage", "state", "rule_set_id", "cultivation_start", "probation_ends_on",
        "lost_contact_since"))
    counts = _Counts()
    for start in range(0, len(dossiers), BATCH_SIZE):
        _write_batch(dossiers[start:start + BATCH_SIZE], rules_by_id, today, counts)
    with transaction.atomic():
        closed, _ = Alert.objects.exclude(dossier__state__in=OPEN_STATES).delete()
    counts.deleted += closed
    return {"today": today.isoformat(), "dossiers": len(dossiers), "alerts": sum(counts.by_kind.values()),
            "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged,
            "deleted": counts.deleted, "by_kind": dict(sorted(counts.by_kind.items()))}


def _snapshots(rows: list[dict]) -> list[DossierSnapshot]:
    """Five queries for a whole batch of dossiers."""
    ids = [row["id"] for row in rows]
    records, transfers, reviews = defaultdict(list), {}, defaultdict(list)
    for dossier_id, step, taken_on, data in (StepRecord.objects.filter(dossier_id__in=ids)
                                             .order_by("taken_on", "id")
                                             .values_list("dossier_id", "step", "taken_on", "data")):
        records[dossier_id].append(StepFact(step, taken_on, data or {}))
    for dossier_id, requested_on in (Transfer.objects.filter(dossier_id__in=ids, state=TransferState.REQUESTED)
                                     .values_list("dossier_id", "requested_on")):
        transfers[dossier_id] = requested_on
    for dossier_id, side, requested_on in (PoliticalReview.objects.filter(dossier_id__in=ids,
                                                                          replied_on__isnull=True)
                                           .order_by("requested_on", "side")
                                           .values_list("dossier_id", "side", "requested_on")):
        reviews[dossier_id].append((side, requested_on))
    return [DossierSnapshot(id=row["id"], name=row["person__name"], stage=row["stage"], state=row["state"],
                            records=tuple(records[row["id"]]), cultivation_start=row["cultivation_start"],
                            probation_ends_on=row["probation_ends_on"],
                            lost_contact_since=row["lost_contact_since"],
                            pending_transfer_on=transfers.get(row["id"]),
                            outstanding_reviews=tuple(reviews[row["id"]]))
            for row in rows]


@transaction.atomic
def _write_batch(rows: list[dict], rules_by_id: dict[int, RuleSet], today: date, counts: _Counts) -> None:
    rule_set_of = {row["id"]: row["rule_set_id"] for row in rows}
    wanted: dict[tuple[int, str, date], str] = {}
    for snapshot in _snapshots(rows):
        for item in due_items(snapshot, rules_by_id[rule_set_of[snapshot.id]], today):
            wanted[(snapshot.id, item.kind, item.due_on)] = item.message
    existing = {(a["dossier_id"], a["kind"], a["due_on"]): a for a in
                Alert.objects.filter(dossier_id__in=list(rule_set_of)).values("id", "dossier_id", "kind", "due_on",
                                                                               "message", "computed_on")}
    stale = [a["id"] for key, a in existing.items() if key not in wanted]
    if stale:
        counts.deleted += Alert.objects.filter(pk__in=stale).delete()[0]
    changed = []
    for key, message in wanted.items():
        counts.by_kind[key[1]] += 1
        old = existing.get(key)
        if old is None:
            counts.created += 1
        elif old["message"] != message or old["computed_on"] != today:
            counts.updated += 1
        else:
            counts.unchanged += 1
            continue
        changed.append(Alert(dossier_id=key[0], kind=key[1], due_on=key[2], message=message, computed_on=today))
    Alert.objects.bulk_create(changed, batch_size=BATCH_SIZE, update_conflicts=True,
                              unique_fields=["dossier", "kind", "due_on"], update_fields=["message", "computed_on"])


@transaction.atomic
def _mark_lost_contacts(today: date) -> dict:
    rules_by_id = _rule_sets()
    # Only active tracks: one in transit is the transfer's business, one already lost
    # stays as it is, and a full member waiting for the archive is no longer cultivated.
    candidates = Dossier.objects.filter(state=DossierState.ACTIVE).exclude(stage=Stage.FULL_MEMBER)
    activity = _review_and_transfer_activity(candidates)
    due = {}
    for row in candidates.values("id", "rule_set_id", "applied_on", "last_step_on", "last_contact_on",
                                 "person__current_unit__status", "person__current_unit__dissolved_on"):
        found = _lost_contact_for(row, activity.get(row["id"]), rules_by_id[row["rule_set_id"]], today)
        if found:
            due[row["id"]] = found
    if not due:
        return {"today": today.isoformat(), "marked": 0, "dossiers": []}
    # Lock what is about to change and judge again with fresh values: a contact or a
    # step recorded meanwhile (members.services locks the dossier too) wins.
    locked = list(Dossier.objects.select_for_update(of=("self",)).filter(pk__in=list(due),
                                                                         state=DossierState.ACTIVE)
                  .select_related("person__current_unit"))
    changed, now = [], timezone.now()
    for dossier in locked:
        unit = dossier.person.current_unit
        row = {"applied_on": dossier.applied_on, "last_step_on": dossier.last_step_on,
               "last_contact_on": dossier.last_contact_on, "person__current_unit__status": unit and unit.status,
               "person__current_unit__dissolved_on": unit and unit.dissolved_on}
        found = _lost_contact_for(row, activity.get(dossier.pk), rules_by_id[dossier.rule_set_id], today)
        if not found:
            continue
        dossier.state, dossier.lost_contact_since, dossier.updated_at = DossierState.LOST_CONTACT, found[0], now
        dossier._change_reason = found[1][:100]
        changed.append(dossier)
    bulk_update_with_history(changed, Dossier, ["state", "lost_contact_since", "updated_at"], batch_size=BATCH_SIZE)
    return {"today": today.isoformat(), "marked": len(changed), "dossiers": sorted(d.pk for d in changed)}


def _review_and_transfer_activity(dossiers) -> dict[int, date]:
    """The latest political-review letter or reply and transfer of each dossier."""
    latest: dict[int, date] = {}
    rows = list(PoliticalReview.objects.filter(dossier__in=dossiers).values("dossier_id").order_by()
                .annotate(requested=Max("requested_on"), replied=Max("replied_on")))
    rows += list(Transfer.objects.filter(dossier__in=dossiers).values("dossier_id").order_by()
                 .annotate(requested=Max("requested_on"), replied=Max("decided_on")))
    for row in rows:
        dates = [d for d in (row["requested"], row["replied"], latest.get(row["dossier_id"])) if d]
        if dates:
            latest[row["dossier_id"]] = max(dates)
    return latest


def _lost_contact_for(row: dict, other_activity: date | None, rules: RuleSet, today: date):
    dates = [d for d in (row["applied_on"], row["last_step_on"], row["last_contact_on"], other_activity) if d]
    dissolved = row["person__current_unit__status"] == OrganizationStatus.DISSOLVED
    return lost_contact_due(last_activity=max(dates) if dates else None,
                            months=number(rules, "lost_contact_months"),
                            unit_dissolved_on=(row["person__current_unit__dissolved_on"] or today) if dissolved
                            else None,
                            today=today)


# ---- filters (page, export and API) -------------------------------------------------------

class AlertStatus:
    OVERDUE, DUE_SOON = "overdue", "due_soon"
    CHOICES = [(OVERDUE, "已逾期"), (DUE_SOON, "未逾期（即将到期、提示）")]


def _townships(request):
    return townships_for(request.user if request else None, Area.objects.all())


class AlertFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名/拼音首字母")
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices, label="提醒类型")
    status = django_filters.ChoiceFilter(choices=AlertStatus.CHOICES, method="filter_status", label="到期情况")
    township = django_filters.ModelChoiceFilter(field_name="dossier__party_org__area", queryset=_townships,
                                                label="乡镇（街道）")

    class Meta:
        model = Alert
        fields = ["q", "kind", "status", "township"]

    def search(self, queryset, name, value):
        return queryset.filter(name_condition(value, name_field="dossier__person__name",
                                              initials_field="dossier__person__name_initials"))

    def filter_status(self, queryset, name, value):
        overdue = overdue_condition(timezone.localdate())
        return queryset.filter(overdue) if value == AlertStatus.OVERDUE else queryset.exclude(overdue)
