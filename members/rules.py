"""The kinds of rule a rule set can use, one function each.

A rule gets its parameters (``spec``, from the rule set's data) and a
:class:`RuleContext`, and returns the problems it finds — a stable code, a Chinese
message, the article from the data and, where the only obstacle is time, the date the
step becomes possible.  No rule reads the database or the clock.
"""
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .choices import ActivistSource, Membership
from .facts import DossierFacts, Problem
from .periods import WorkingCalendar, add_months, add_years

INACTIVE_STATES = {"in_transit": "档案正在转接中，转接完成前不能办理。", "ended": "发展程序已终止。",
                   "completed": "材料已归档，发展程序已完成。"}
FULL_VOTE_OUTCOMES = {"full": "按期转为正式党员", "extend": "延长预备期", "cancel": "取消预备党员资格"}
CHOICES = {"activist_source": dict(ActivistSource.choices), "full_vote_outcome": FULL_VOTE_OUTCOMES}


@dataclass
class RuleContext:
    rule_set: object          # procedure.RuleSet
    facts: DossierFacts
    step: object              # procedure.Step
    on: date
    data: dict
    people: dict
    calendar: WorkingCalendar

    def number(self, name: str, default=None):
        return self.rule_set.numbers.get(name, default)


def _d(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


# ---- checks every step gets ------------------------------------------------------------

def clean_data(step, data: dict) -> tuple[dict, list[Problem]]:
    """Convert the step's input to typed values; problems name the field in Chinese."""
    cleaned, problems = {}, []
    for spec in step.fields:
        name, label, kind = spec["name"], spec["label"], spec["type"]
        raw = data.get(name)
        if raw in (None, "", []):
            if spec.get("required"):
                problems.append(Problem("field_required", f"请填写“{label}”。", ""))
            continue
        try:
            cleaned[name] = _convert(kind, raw, spec)
        except (ValueError, TypeError, InvalidOperation):
            problems.append(Problem("field_invalid", f"“{label}”填写有误。", ""))
    return cleaned, problems


def _convert(kind: str, raw, spec):
    if kind == "text":
        return str(raw).strip()
    if kind == "int":
        if isinstance(raw, bool):
            raise ValueError
        value = raw if isinstance(raw, int) else int(str(raw).strip())
        if value < 0:
            raise ValueError
        return value
    if kind == "decimal":
        value = Decimal(str(raw))
        if value < 0:
            raise ValueError
        return value
    if kind == "date":
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    if kind == "choice":
        if raw not in CHOICES[spec["choices"]]:
            raise ValueError
        return raw
    if kind == "party_org":
        return int(raw)
    if kind == "persons":
        ids = raw if isinstance(raw, (list, tuple)) else [raw]
        return [int(i) for i in ids]
    raise ValueError(kind)


def common_problems(context: RuleContext) -> Iterator[Problem]:
    facts, step, on = context.facts, context.step, context.on
    if facts.state in INACTIVE_STATES:
        yield Problem("dossier_not_active", INACTIVE_STATES[facts.state])
    if facts.today and on > facts.today:
        yield Problem("date_in_future", f"办理日期{_d(on)}晚于今天，不能预先登记。")
    if not step.repeatable and facts.taken(step.code):
        yield Problem("already_taken", f"“{step.label}”已于{_d(facts.last(step.code).on)}办理。")
    labels = {s.code: s.label for s in context.rule_set.steps}
    for code in step.requires:
        done = facts.last(code)
        if done is None:
            yield Problem("prerequisite_missing", f"须先完成“{labels.get(code, code)}”。")
        elif on < done.on:
            yield Problem("date_before_prerequisite",
                          f"办理日期不能早于“{labels.get(code, code)}”的日期（{_d(done.on)}）。",
                          available_from=done.on)


# ---- rule kinds ---------------------------------------------------------------------

def min_age(spec, context):
    years = spec["years"]
    birthday = add_years(context.facts.birth_date, years)
    if context.on < birthday:
        return [Problem("under_age", f"申请人{_d(context.on)}未满{years}周岁（{_d(birthday)}满{years}周岁）。",
                        spec.get("article", ""), available_from=birthday)]
    return []


def full_members(spec, context):
    field, low, high = spec["field"], spec["min"], spec["max"]
    label = next((f["label"] for f in context.step.fields if f["name"] == field), field)
    ids = context.data.get(field, [])
    article = spec.get("article", "")
    problems = []
    if len(set(ids)) != len(ids):
        problems.append(Problem("person_repeated", f"{label}不能重复。", article))
    count = len(set(ids))
    if not low <= count <= high:
        wanted = f"{low}名" if low == high else f"{low}至{high}名"
        problems.append(Problem(f"{field}_count", f"{label}应为{wanted}正式党员（现为{count}名）。", article))
    for person_id in ids:
        person = context.people.get(person_id)
        if person is None:
            problems.append(Problem("person_unknown", f"{label}中有不存在的人员（编号{person_id}）。", article))
        elif person.membership != Membership.FULL:
            problems.append(Problem("not_full_member",
                                    f"{person.name}不是正式党员（预备党员和受留党察看处分期间的党员不能担任{label}）。",
                                    article))
    return problems


def min_cultivation(spec, context):
    start = context.facts.cultivation_start
    if start is None:
        return [Problem("cultivation_not_started", "尚未确定为入党积极分子。", spec.get("article", ""))]
    ready = add_months(start, spec["months"])
    if context.on < ready:
        return [Problem("cultivation_too_short",
                        f"培养教育考察未满{spec['months'] // 12 if spec['months'] % 12 == 0 else spec['months']}"
                        f"{'年' if spec['months'] % 12 == 0 else '个月'}（自{_d(start)}起，{_d(ready)}期满）。",
                        spec.get("article", ""), available_from=ready)]
    return []


def review_interval(spec, context):
    """Examined at least every ``months``: no gap longer than that from the start of
    cultivation through each review to the date of this step."""
    start = context.facts.cultivation_start
    if start is None:
        return []
    marks = [start] + sorted(r.on for r in context.facts.taken(spec["step"]) if r.on >= start) + [context.on]
    for earlier, later in zip(marks, marks[1:]):
        if later > add_months(earlier, spec["months"]):
            return [Problem("review_gap", f"{_d(earlier)}至{_d(later)}之间超过{spec['months']}个月没有考察记录"
                                         f"（应至少每半年考察一次）。", spec.get("article", ""))]
    return []


def political_review(spec, context):
    article = spec.get("article", "")
    # A side is concluded when its reply, with a verdict, came in by the step date.
    concluded = [s for s in context.facts.review_sides
                 if s.concluded_on and s.concluded_on <= context.on and s.passed is not None]
    failed = [s for s in concluded if s.passed is False]
    if failed:
        return [Problem("political_review_failed", "政治审查结论为不合格，不能继续发展。", article)]
    sides = {s.side for s in concluded}
    if context.facts.is_migrant:
        missing = [name for side, name in (("residence", "户籍所在地"), ("employer", "工作单位")) if side not in sides]
        if missing:
            return [Problem("dual_review_outstanding",
                            f"流动人员须经户籍所在地和工作单位双方政治审查，{'、'.join(missing)}一方尚未作出结论。", article)]
    elif not sides:
        return [Problem("political_review_missing", "政治审查尚未作出结论。", article)]
    return []


def training(spec, context):
    days = context.facts.training_days + Decimal(str(context.data.get("days") or 0))
    hours = context.facts.training_hours + Decimal(str(context.data.get("hours") or 0))
    if days >= spec["min_days"] or hours >= spec["min_hours"]:
        return []
    return [Problem("training_insufficient", f"集中培训应不少于{spec['min_days']}天或{spec['min_hours']}学时"
                                             f"（现为{days.normalize():f}天、{hours.normalize():f}学时）。",
                    spec.get("article", ""))]


def publicity(spec, context):
    article = spec.get("article", "")
    start, end = context.data.get("publicity_start"), context.data.get("publicity_end")
    if not (start and end):
        return []   # field_required already says so
    problems = []
    after = context.facts.last(spec["after"])
    if end < start:
        problems.append(Problem("publicity_dates", "公示结束日期不能早于开始日期。", article))
    if after and start < after.on:
        problems.append(Problem("publicity_dates", f"公示不能早于上一步骤（{_d(after.on)}）开始。", article))
    if end > context.on:
        problems.append(Problem("publicity_not_ended", f"公示{_d(end)}结束，须在公示期满后办理。", article,
                                available_from=end))
    days = context.calendar.working_days(start, end) if end >= start else 0
    if days < spec["working_days"]:
        problems.append(Problem("publicity_too_short",
                                f"公示期应不少于{spec['working_days']}个工作日（{_d(start)}至{_d(end)}只有{days}个工作日）。",
                                article))
    return problems


def vote(spec, context):
    """Quorum: more than half of the members with a vote present; approval: more than
    half of ALL members with a vote (probationary members have none)."""
    article = spec.get("article", "")
    voting, present, in_favor = (context.data.get(k) for k in ("voting_members", "present", "in_favor"))
    if None in (voting, present, in_favor):
        return []
    if voting == 0 or present > voting or in_favor > present:
        return [Problem("vote_numbers", "表决人数有误：赞成票不能多于到会人数，到会人数不能多于有表决权的正式党员数。",
                        article)]
    problems = []
    if present * 2 <= voting:
        problems.append(Problem("vote_no_quorum", f"到会有表决权的党员{present}人，未超过应到会{voting}人的半数，会议无效。",
                                article))
    if in_favor * 2 <= voting:
        problems.append(Problem("vote_no_majority", f"赞成{in_favor}票，未超过有表决权的正式党员{voting}人的半数。", article))
    return problems


def deadline(spec, context):
    start = context.facts.last(spec["after"])
    if start is None:
        return []
    article, months, max_months = spec.get("article", ""), spec["months"], spec["max_months"]
    limit, hard_limit = add_months(start.on, months), add_months(start.on, max_months)
    if context.on <= limit:
        return []
    if context.on > hard_limit or not spec.get("reason_field"):
        return [Problem("deadline_passed", f"已超过审批期限（{_d(start.on)}起{max_months}个月，至{_d(hard_limit)}）。",
                        article)]
    if not context.data.get(spec["reason_field"]):
        return [Problem("late_reason_required",
                        f"超过{months}个月（{_d(limit)}）审批，须注明原因；最长不超过{max_months}个月。", article)]
    return []


def approval_authority(spec, context):
    approver = context.facts.approver
    if approver is None or not (approver.is_committee and approver.has_authority):
        name = approver.name if approver else "上级党组织"
        return [Problem("no_approval_authority", f"{name}没有审批权限：只有具有审批权限的党委可以审批，"
                                                  f"党总支、党支部不能审批。", spec.get("article", ""))]
    return []


def probation_over(spec, context):
    end = context.rule_set.probation_end(context.facts)
    if end and context.on < end:
        return [Problem("probation_not_over", f"预备期至{_d(end)}期满，期满前不能讨论转正。", spec.get("article", ""),
                        available_from=end)]
    return []


def full_vote_outcome(spec, context):
    article = spec.get("article", "")
    if context.data.get("outcome") != "extend":
        return []
    low = context.number("probation_extension_min_months", 6)
    high = context.number("probation_extension_max_months", 12)
    months = context.data.get("extension_months")
    problems = []
    if months is None or not low <= months <= high:
        problems.append(Problem("extension_months", f"延长预备期应为{low}至{high}个月。", article))
    done = sum(1 for r in context.facts.taken("full_vote") if r.data.get("outcome") == "extend")
    if done >= context.number("probation_extensions_allowed", 1):
        problems.append(Problem("extension_repeated", "预备期只能延长一次。", article))
    return problems


def last_vote_made_full(spec, context):
    vote_record = context.facts.last("full_vote")
    if vote_record is not None and vote_record.data.get("outcome") != "full":
        return [Problem("vote_not_full", f"最近一次支部大会的决议是“{FULL_VOTE_OUTCOMES.get(vote_record.data.get('outcome'), '')}”，"
                                         f"不能审批转正。", spec.get("article", ""))]
    return []


RULES = {
    "min_age": min_age, "full_members": full_members, "min_cultivation": min_cultivation,
    "review_interval": review_interval, "political_review": political_review, "training": training,
    "publicity": publicity, "vote": vote, "deadline": deadline, "approval_authority": approval_authority,
    "probation_over": probation_over, "full_vote_outcome": full_vote_outcome,
    "last_vote_made_full": last_vote_made_full,
}
