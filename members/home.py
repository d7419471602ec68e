"""What the home pages show of the development procedure (registered in
MembersConfig.ready; the home view asks every app for its panels)."""
from django.db.models import Case, Count, When
from django.urls import reverse
from django.utils import timezone

from .alerts import AlertStatus
from .models import NOTICE_KINDS, Alert, AlertKind, overdue_condition

URGENT_LIMIT = 10


def alert_counts(*, user, today) -> list[dict]:
    """Per kind of alert in the user's scope: how many are overdue and due soon (one query)."""
    labels = dict(AlertKind.choices)
    rows = (Alert.objects.visible_to(user).values("kind").order_by("kind")
            .annotate(overdue=Count("id", filter=overdue_condition(today)),
                      due_soon=Count("id", filter=~overdue_condition(today))))
    list_url = reverse("members:alert-list")
    return [{"kind": row["kind"], "label": labels.get(row["kind"], row["kind"]), "overdue": row["overdue"],
             "due_soon": row["due_soon"], "url": f"{list_url}?kind={row['kind']}"}
            for row in sorted(rows, key=lambda r: (-r["overdue"], -r["due_soon"], r["kind"]))]


def urgent_alerts(*, user, today, limit: int = URGENT_LIMIT) -> list[Alert]:
    """The most urgent alerts in the user's scope: the overdue ones (the longest overdue
    first), then the deadlines coming up, then the notices (培养满一年), each by date."""
    urgency = Case(When(overdue_condition(today), then=0), When(kind__in=NOTICE_KINDS, then=2), default=1)
    alerts = list(Alert.objects.visible_to(user).select_related("dossier__person", "dossier__party_org")
                  .order_by(urgency, "due_on", "id")[:limit])
    for alert in alerts:
        alert.when = alert.status_on(today)
        alert.overdue = alert.is_overdue(today)
    return alerts


def home_panels(user) -> dict:
    today = timezone.localdate()
    counts = alert_counts(user=user, today=today)
    list_url = reverse("members:alert-list")
    return {
        "member_alert_counts": counts,
        "member_alert_totals": {"overdue": sum(r["overdue"] for r in counts),
                                "due_soon": sum(r["due_soon"] for r in counts),
                                "overdue_url": f"{list_url}?status={AlertStatus.OVERDUE}",
                                "due_soon_url": f"{list_url}?status={AlertStatus.DUE_SOON}"},
        "member_urgent_alerts": urgent_alerts(user=user, today=today),
    }
