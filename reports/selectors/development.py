"""Figures of the development pipeline, read from the dossiers' key dates.

Flows count the dossiers whose key date falls in the period (applied, designated
activist, designated candidate, approved as probationary member, made full member).
Stocks are read at the end of the period from the same dates: an activist "on hand"
on day D was designated by D, not yet made a candidate by D, and not ended by D — so a
past year's stock does not depend on what happened afterwards.  A dossier counts where
it is developed now (its party organization after any transfer), as the scoping does.
"""
from django.db.models import Count, Q

from members.choices import ActivistSource, DossierState, EndReason, Stage
from members.models import Alert, AlertKind, Dossier, overdue_condition
from members.models.dossiers import OPEN_STATES

from ..figures import CATEGORY, PARTY_ORG, TOWNSHIP, Column, Figure, percent
from .common import Scope, count_cube, fold, group_rows, memo, rollup, snapshot_cube, sum_rows, township_note

FLOWS = ("applied", "activists", "candidates", "probationary", "full")
STOCKS = ("stock_applicant", "stock_activist", "stock_candidate", "stock_probationary")
STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)


def dossiers(scope: Scope):
    """The dossiers a figure counts: visible to the user, developed by a party
    organization of a township in scope, of the chosen kind of unit."""
    queryset = Dossier.objects.visible_to(scope.user).filter(party_org__area_id__in=scope.township_ids)
    if scope.kind:
        queryset = queryset.filter(unit__kind=scope.kind)
    return queryset


def dossier_dims(scope: Scope, prefix: str = "", *, by_party_org: bool = True, **extra) -> dict:
    dims = {"township": f"{prefix}party_org__area_id", **extra}
    if scope.kind_dimension:
        dims["kind"] = f"{prefix}unit__kind"
    if scope.drilled and by_party_org:
        dims["group"] = f"{prefix}party_org_id"
    return dims


def _key(scope: Scope) -> tuple[str]:
    return ("group",) if scope.drilled else ("township",)


def _grain(scope: Scope) -> str:
    return PARTY_ORG if scope.drilled else TOWNSHIP


def _between(field: str, scope: Scope) -> Q:
    return Q(**{f"{field}__gte": scope.period.start, f"{field}__lte": scope.period.end})


def _not_ended(day) -> Q:
    return Q(ended_on__isnull=True) | Q(ended_on__gt=day)


def _reached(field: str, next_field: str | None, day) -> Q:
    """Reached the stage of ``field`` by ``day`` and not the next one (nor ended)."""
    condition = Q(**{f"{field}__lte": day}) & _not_ended(day)
    if next_field:
        condition &= Q(**{f"{next_field}__isnull": True}) | Q(**{f"{next_field}__gt": day})
    return condition


def pipeline_measures(scope: Scope) -> dict[str, Q]:
    day = scope.as_of
    return {
        "applied": _between("applied_on", scope),
        "activists": _between("activist_on", scope),
        "candidates": _between("candidate_on", scope),
        "probationary": _between("approved_on", scope),
        "full": _between("full_on", scope),
        "stock_applicant": _reached("applied_on", "activist_on", day),
        "stock_activist": _reached("activist_on", "candidate_on", day),
        "stock_candidate": _reached("candidate_on", "approved_on", day),
        "stock_probationary": _reached("approved_on", "full_on", day),
        **lost_contact_measures(day),
    }


def lost_contact_measures(day) -> dict[str, Q]:
    """Lost contact at ``day`` by stage, and the dossiers in cultivation that day (applied,
    not yet a full member, not ended) — counted in the pipeline's one scan."""
    lost = Q(state=DossierState.LOST_CONTACT, lost_contact_since__lte=day)
    measures = {f"lost_{stage}": lost & Q(stage=stage) for stage in STAGES}
    measures["lost"] = lost
    measures["open"] = Q(applied_on__lte=day) & _not_ended(day) & (Q(full_on__isnull=True) | Q(full_on__gt=day))
    return measures


def ended_measures(scope: Scope) -> dict[str, Q]:
    """Dossiers ended (中止) in the period, by the stage they had reached."""
    ended = _between("ended_on", scope) & Q(state=DossierState.ENDED)
    return {f"ended_{stage}": ended & Q(stage=stage) for stage in STAGES} | {"ended": ended}


def _in_pipeline(scope: Scope):
    # A dossier ended before the period counts in no flow and in no stock.
    return dossiers(scope).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=scope.period.start))


def dossier_cube(scope: Scope) -> list[dict]:
    """The one pass over the dossiers behind the funnel, lost contact, dossiers ended
    early and activists by source: every measure a filtered count, per township (and
    kind), activist source, end reason and stage — plain columns of a few values each, so
    the planner aggregates in a hash table (it cannot tell how few values an expression
    has).  The stage is a dimension rather than a condition of eight more counts (lost
    contact and ended, by stage): each count costs a test of every dossier.  Drilled into
    one township the figures read their own, narrower queries instead: rows per party
    organization by source, reason and stage would be thousands, and the few ended
    dossiers or new activists are found faster on their own."""
    def compute():
        measures = {name: condition for name, condition in (pipeline_measures(scope) | ended_measures(scope)).items()
                    if not name.startswith(("lost_", "ended_"))}
        dims = dossier_dims(scope, by_party_org=False, source="source", reason="end_reason", stage="stage")
        rows = count_cube(_in_pipeline(scope), dims, measures)
        for row in rows:      # the by-stage counts, from the stage of the row
            for stage in STAGES:
                row[f"lost_{stage}"] = row["lost"] if row["stage"] == stage else 0
                row[f"ended_{stage}"] = row["ended"] if row["stage"] == stage else 0
        return rows
    return memo(scope, "dossiers", compute)


def _township_keys(scope: Scope) -> tuple[str, ...]:
    return tuple(k for k in ("township", "kind") if k in dossier_dims(scope))


def pipeline_cube(scope: Scope) -> list[dict]:
    """The pipeline's measures per township — or, drilled into a township, per party
    organization (a query of its own: by source, reason and stage too it would be
    thousands of rows)."""
    if scope.snapshot is not None:
        return snapshot_cube(scope, "pipeline")
    if scope.drilled:
        return memo(scope, "pipeline", lambda: count_cube(_in_pipeline(scope), dossier_dims(scope),
                                                          pipeline_measures(scope)))
    return memo(scope, "pipeline", lambda: rollup(dossier_cube(scope), _township_keys(scope),
                                                  list(pipeline_measures(scope))))


def pipeline_funnel(scope: Scope) -> Figure:
    """发展漏斗: applicants → activists → candidates → probationary → full in the period,
    and what is on hand at its end, per township (or per party organization)."""
    measures = FLOWS + STOCKS
    rows = group_rows(scope, fold(pipeline_cube(scope), _key(scope), measures), grain=_grain(scope))
    totals = sum_rows(rows, measures)
    columns = [Column("name", "乡镇（街道）" if not scope.drilled else "党组织", "text"),
               Column("applied", "递交入党申请"), Column("activists", "确定积极分子"),
               Column("candidates", "确定发展对象"), Column("probationary", "发展党员（预备）"),
               Column("full", "转为正式党员"), Column("stock_applicant", "期末申请人"),
               Column("stock_activist", "期末积极分子"), Column("stock_candidate", "期末发展对象"),
               Column("stock_probationary", "期末预备党员")]
    return Figure(
        key="pipeline", title="发展党员漏斗", columns=columns, rows=rows, totals=totals, grain=_grain(scope),
        charts=[{"type": "funnel", "series": list(FLOWS)},
                {"type": "bar", "category": "name", "series": list(FLOWS)}],
        notes=[f"本期为{scope.period.label}，期末在册数截至{scope.as_of:%Y年%m月%d日}。"] + township_note(scope))


# ---- lost contact and dossiers ended early --------------------------------------------------

LOST_MEASURES = tuple(f"lost_{s}" for s in STAGES) + ("lost", "open")


def lost_contact_cube(scope: Scope) -> list[dict]:
    """The lost-contact columns of the pipeline's cube (its own cube in a snapshot)."""
    if scope.snapshot is not None:
        return snapshot_cube(scope, "lost_contact")
    dims = [k for k in ("township", "kind", "group") if k in dossier_dims(scope)]
    return [{k: row[k] for k in (*dims, *LOST_MEASURES)} for row in pipeline_cube(scope)]


def lost_contact(scope: Scope) -> Figure:
    """失联档案 at the end of the period, per stage, and their share of open dossiers."""
    measures = [f"lost_{s}" for s in STAGES] + ["lost", "open"]
    rows = group_rows(scope, fold(lost_contact_cube(scope), _key(scope), measures), grain=_grain(scope))
    totals = sum_rows(rows, measures)
    for row in rows + [totals]:
        row["share"] = percent(row["lost"], row["open"])
    columns = [Column("name", "乡镇（街道）" if not scope.drilled else "党组织", "text")]
    columns += [Column(f"lost_{s}", f"失联{Stage(s).label}") for s in STAGES]
    columns += [Column("lost", "失联合计"), Column("open", "在培养档案"), Column("share", "失联占比（%）", "percent")]
    return Figure(key="lost_contact", title="失联档案", columns=columns, rows=rows, totals=totals,
                  grain=_grain(scope), charts=[{"type": "bar", "category": "name", "stack": True,
                                                "series": [f"lost_{s}" for s in STAGES]}],
                  notes=[f"截至{scope.as_of:%Y年%m月%d日}仍处于失联状态的档案。"] + township_note(scope))


def ended_early_cube(scope: Scope) -> list[dict]:
    if scope.snapshot is not None:
        return snapshot_cube(scope, "ended_early")
    if scope.drilled:      # one township: a query of the few dossiers ended in the period
        queryset = dossiers(scope).filter(_between("ended_on", scope), state=DossierState.ENDED)
        dims = dossier_dims(scope, by_party_org=False, reason="end_reason")
        return memo(scope, "ended_early", lambda: count_cube(queryset, dims, ended_measures(scope)))
    return rollup(dossier_cube(scope), _township_keys(scope) + ("reason",), list(ended_measures(scope)),
                  nonzero="ended")


def ended_early(scope: Scope) -> Figure:
    """中止的发展档案 in the period by reason (离职 above all) and by the stage reached."""
    measures = [f"ended_{s}" for s in STAGES] + ["ended"]
    folded = fold(ended_early_cube(scope), ("reason",), measures)
    labels = dict(EndReason.choices)
    totals = sum_rows(folded.values(), measures)
    rows = []
    for (reason,), values in sorted(folded.items(), key=lambda item: (-item[1]["ended"], item[0][0] or "")):
        rows.append({"id": reason or "", "name": labels.get(reason, "未填写原因"), "drill": None, **values,
                     "share": percent(values["ended"], totals["ended"])})
    totals["share"] = 100.0 if totals["ended"] else None
    columns = [Column("name", "中止原因", "text")] + [Column(f"ended_{s}", Stage(s).label) for s in STAGES]
    columns += [Column("ended", "合计"), Column("share", "占比（%）", "percent")]
    return Figure(key="ended_early", title="中止的发展档案（按原因）", columns=columns, rows=rows, totals=totals,
                  grain=CATEGORY, charts=[{"type": "bar", "category": "name", "horizontal": True, "stack": True,
                                           "series": [f"ended_{s}" for s in STAGES]}],
                  notes=[f"{scope.period.label}内终止的档案，按终止时所处阶段。"] + township_note(scope))


# ---- activists by source ------------------------------------------------------------------

def activist_sources_cube(scope: Scope) -> list[dict]:
    """The funnel's "activists" flow by source (the same dossiers, so the totals agree)."""
    if scope.snapshot is not None:
        return snapshot_cube(scope, "activist_sources")
    if scope.drilled:      # one township: a query of the few made activists in the period
        queryset = _in_pipeline(scope).filter(_between("activist_on", scope))
        dims = dossier_dims(scope, by_party_org=False, source="source")
        return memo(scope, "activist_sources", lambda: count_cube(queryset, dims, {"activists": Count("id")}))
    return rollup(dossier_cube(scope), _township_keys(scope) + ("source",), ["activists"], nonzero="activists")


def activist_sources(scope: Scope) -> Figure:
    """新确定的积极分子 by how they came (团组织推优、工会推优、党员推荐、个人申请)."""
    folded = fold(activist_sources_cube(scope), ("source",), ["activists"])
    total = sum(v["activists"] for v in folded.values())
    rows = [{"id": code, "name": label, "drill": None, "activists": folded.get((code,), {}).get("activists", 0),
             "share": percent(folded.get((code,), {}).get("activists", 0), total)}
            for code, label in ActivistSource.choices]
    missing = folded.get(("",), {}).get("activists", 0) + folded.get((None,), {}).get("activists", 0)
    if missing:
        rows.append({"id": "", "name": "未填写", "drill": None, "activists": missing, "share": percent(missing, total)})
    return Figure(key="activist_sources", title="积极分子来源", grain=CATEGORY, rows=rows,
                  totals={"activists": total, "share": 100.0 if total else None},
                  columns=[Column("name", "产生方式", "text"), Column("activists", "确定积极分子"),
                           Column("share", "占比（%）", "percent")],
                  charts=[{"type": "pie", "category": "name", "series": ["activists"]}],
                  notes=[f"{scope.period.label}内确定的入党积极分子。"] + township_note(scope))


# ---- overdue steps ------------------------------------------------------------------------

def overdue_cube(scope: Scope) -> list[dict]:
    if scope.snapshot is not None:
        return snapshot_cube(scope, "overdue")
    queryset = Alert.objects.visible_to(scope.user).filter(
        dossier__party_org__area_id__in=scope.township_ids, dossier__state__in=OPEN_STATES)
    if scope.kind:
        queryset = queryset.filter(dossier__unit__kind=scope.kind)
    measures = {"overdue": overdue_condition(scope.today), "due": ~overdue_condition(scope.today)}
    return memo(scope, "overdue",
                lambda: count_cube(queryset, dossier_dims(scope, "dossier__", alert="kind"), measures))


def overdue_steps(scope: Scope) -> Figure:
    """逾期事项 by kind of alert (as the daily alert job left them)."""
    folded = fold(overdue_cube(scope), ("alert",), ["overdue", "due"])
    rows = [{"id": code, "name": label, "drill": None, **folded.get((code,), {"overdue": 0, "due": 0})}
            for code, label in AlertKind.choices]
    rows.sort(key=lambda r: (-r["overdue"], -r["due"]))
    return Figure(key="overdue", title="逾期事项（按类型）", grain=CATEGORY, rows=rows,
                  totals=sum_rows(rows, ["overdue", "due"]),
                  columns=[Column("name", "提醒类型", "text"), Column("overdue", "已逾期"), Column("due", "未逾期")],
                  charts=[{"type": "bar", "category": "name", "horizontal": True, "series": ["overdue", "due"]}],
                  notes=[f"按{scope.today:%Y年%m月%d日}的提醒计算（每日凌晨更新），不随年度筛选变化。"]
                  + township_note(scope))
