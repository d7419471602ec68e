"""转接: dossiers sent out and received in the period, and how long they waited.

A transfer counts as "out" for the sending township and "in" for the receiving one.
Waiting time belongs to the side that decides: the receiver inside the county, or the
sender recording a receiver outside it.  Days are calendar days from the request to
the decision; a pending transfer's age is counted to the end of the period.
"""
from datetime import timedelta

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Q, Sum, Value

from members.models import Transfer
from members.models.transfers import TransferState

from ..figures import PARTY_ORG, TOWNSHIP, Column, Figure, ratio
from .common import Scope, count_cube, fold, group_rows, in_scope, memo, rollup, snapshot_cube, sum_rows, township_note
from .development import _between

MEASURES = ("out", "out_of_county", "incoming", "pending", "pending_days", "decided", "wait_days")


def transfer_cube(scope: Scope) -> list[dict]:
    if scope.snapshot is not None:
        return snapshot_cube(scope, "transfers")
    return memo(scope, "transfers", lambda: _count_transfers(scope))


def _days(later) -> ExpressionWrapper:
    return ExpressionWrapper(later - F("requested_on"), output_field=DurationField())


def _count_transfers(scope: Scope) -> list[dict]:
    """One aggregate query per (sending, receiving) township — or party organization —
    pair; each pair's counts then go to the side they belong to."""
    queryset = Transfer.objects.visible_to(scope.user).filter(_between("requested_on", scope))
    if scope.kind:
        queryset = queryset.filter(dossier__unit__kind=scope.kind)
    dims = {"from_township": "from_party_org__area_id", "to_township": "to_party_org__area_id"}
    if scope.drilled:
        dims |= {"from_group": "from_party_org_id", "to_group": "to_party_org_id"}
    if scope.kind_dimension:
        dims["kind"] = "dossier__unit__kind"
    pending = Q(state=TransferState.REQUESTED)
    decided = ~pending & Q(decided_on__isnull=False)
    measures = {"transfers": Count("id"), "pending": pending, "decided": decided,
                # a request dated after the end of the period has waited 0 days by then
                "pending_days": Sum(_days(Value(scope.as_of, output_field=DateField())),
                                    filter=pending & Q(requested_on__lte=scope.as_of)),
                "wait_days": Sum(_days(F("decided_on")), filter=decided)}
    rows = []
    for pair in count_cube(queryset, dims, measures):
        kind = pair.get("kind") if scope.kind_dimension else scope.kind
        inside = pair["to_township"] is not None      # received by a party organization of the county
        sender = {"township": pair["from_township"], "group": pair.get("from_group"), "kind": kind,
                  "out": pair["transfers"], "out_of_county": 0 if inside else pair["transfers"]}
        rows.append(sender)
        decider = sender
        if inside:
            decider = {"township": pair["to_township"], "group": pair.get("to_group"), "kind": kind,
                       "incoming": pair["transfers"]}
            rows.append(decider)
        decider.update(pending=pair["pending"], decided=pair["decided"],
                       pending_days=_whole_days(pair["pending_days"]), wait_days=_whole_days(pair["wait_days"]))
    keys = ("township",) + (("kind",) if scope.kind_dimension else ()) + (("group",) if scope.drilled else ())
    return rollup(in_scope(scope, rows), keys, MEASURES)


def _whole_days(total) -> int:
    return total.days if isinstance(total, timedelta) else int(total or 0)


def transfers(scope: Scope) -> Figure:
    key = ("group",) if scope.drilled else ("township",)
    grain = PARTY_ORG if scope.drilled else TOWNSHIP
    cube = transfer_cube(scope)
    if scope.drilled:
        cube = [r for r in cube if r["township"] == scope.township.pk]
    rows = group_rows(scope, fold(cube, key, MEASURES), grain=grain)
    totals = sum_rows(rows, MEASURES)
    for row in rows + [totals]:
        row["average_wait"] = ratio(row["wait_days"], row["decided"], 1)
        row["average_pending"] = ratio(row["pending_days"], row["pending"], 1)
    columns = [Column("name", "党组织" if scope.drilled else "乡镇（街道）", "text"), Column("out", "转出"),
               Column("out_of_county", "其中转往县外"), Column("incoming", "转入"), Column("decided", "已办结"),
               Column("average_wait", "平均办理天数", "decimal"), Column("pending", "待接收"),
               Column("average_pending", "待接收平均已等天数", "decimal")]
    return Figure(key="transfers", title="培养关系转接", columns=columns, rows=rows, totals=totals, grain=grain,
                  charts=[{"type": "bar", "category": "name", "series": ["out", "incoming", "pending"]},
                          {"type": "bar", "category": "name", "series": ["average_wait"]}],
                  notes=[f"{scope.period.label}内提出的转接；办理天数由决定接收（或登记县外回执）的一方计。"]
                  + township_note(scope))
