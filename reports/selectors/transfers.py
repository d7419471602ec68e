"""转接: dossiers sent out and received in the period, and how long they waited.

A transfer counts as "out" for the sending township and "in" for the receiving one.
Waiting time belongs to the side that decides: the receiver inside the county, or the
sender recording a receiver outside it.  Days are calendar days from the request to
the decision; a pending transfer's age is counted to the end of the period.
"""
from members.models import Transfer
from members.models.transfers import TransferState

from ..figures import PARTY_ORG, TOWNSHIP, Column, Figure, ratio
from .common import Scope, fold, group_rows, in_scope, memo, snapshot_cube, sum_rows, township_note
from .development import _between

MEASURES = ("out", "out_of_county", "incoming", "pending", "pending_days", "decided", "wait_days")


def transfer_cube(scope: Scope) -> list[dict]:
    """One query for the period's transfers (few compared with dossiers), counted here."""
    if scope.snapshot is not None:
        return snapshot_cube(scope, "transfers")
    return memo(scope, "transfers", lambda: _count_transfers(scope))


def _count_transfers(scope: Scope) -> list[dict]:
    queryset = Transfer.objects.visible_to(scope.user).filter(_between("requested_on", scope))
    if scope.kind:
        queryset = queryset.filter(dossier__person__current_unit__kind=scope.kind)
    fields = ["from_party_org_id", "from_party_org__area_id", "to_party_org_id", "to_party_org__area_id", "state",
              "requested_on", "decided_on"]
    if scope.kind_dimension:
        fields.append("dossier__person__current_unit__kind")
    rows = []
    for t in queryset.order_by().values(*fields):
        kind = t.get("dossier__person__current_unit__kind") if scope.kind_dimension else scope.kind
        inside = t["to_party_org_id"] is not None
        sender = {"township": t["from_party_org__area_id"], "group": t["from_party_org_id"], "kind": kind,
                  "out": 1, "out_of_county": int(not inside)}
        rows.append(sender)
        decider = sender
        if inside:
            decider = {"township": t["to_party_org__area_id"], "group": t["to_party_org_id"], "kind": kind,
                       "incoming": 1}
            rows.append(decider)
        if t["state"] == TransferState.REQUESTED:
            decider["pending"] = 1
            decider["pending_days"] = max((scope.as_of - t["requested_on"]).days, 0)
        elif t["decided_on"]:
            decider["decided"] = 1
            decider["wait_days"] = (t["decided_on"] - t["requested_on"]).days
    keys = ("township",) + (("kind",) if scope.kind_dimension else ()) + (("group",) if scope.drilled else ())
    return [{**dict(zip(keys, key)), **values} for key, values in fold(in_scope(scope, rows), keys, MEASURES).items()]


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
