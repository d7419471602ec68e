"""提醒: what is due or overdue on the dossiers in the user's scope (computed nightly by
members.tasks.compute_alerts), with search, filters, pagination and XLSX export."""
from django.utils import timezone

from accounts.pages import Column, ScopedListView

from ..alerts import AlertFilterSet
from ..models import Alert


class AlertListView(ScopedListView):
    model = Alert
    filterset_class = AlertFilterSet
    title = "提醒"
    template_name = "members/alert_list.html"
    columns = [
        Column("姓名", lambda a: a.dossier.person.name, link=True),
        Column("提醒类型", lambda a: a.get_kind_display()),
        Column("到期日期", lambda a: a.due_on),
        Column("到期情况", lambda a: a.status_on(timezone.localdate())),
        Column("阶段", lambda a: a.dossier.get_stage_display()),
        Column("发展党组织", lambda a: a.dossier.party_org.name),
        Column("乡镇（街道）", lambda a: a.dossier.party_org.area.name),
        Column("提醒内容", lambda a: a.message),
        Column("计算日期", lambda a: a.computed_on),
    ]

    def base_queryset(self):
        return Alert.objects.select_related("dossier__person", "dossier__party_org__area").order_by("due_on", "id")

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["members/alert_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = context["today"] = timezone.localdate()
        for alert, _ in context.get("rows", ()):
            alert.overdue = alert.is_overdue(today)
        return context
