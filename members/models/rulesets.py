from django.db import models
from simple_history.models import HistoricalRecords

from ..procedure import RuleSet


class RuleSetVersionQuerySet(models.QuerySet):
    def current(self) -> "RuleSetVersion":
        return self.filter(is_current=True).order_by("-version").first()

    def chosen_or_current(self, chosen) -> "RuleSetVersion | None":
        """The version ``chosen`` names (a primary key from a query string) or, with none
        given, the current version; ``None`` for a malformed or unknown choice."""
        if chosen in (None, ""):
            return self.current()
        if not str(chosen).isdigit():
            return None
        return self.filter(pk=chosen).first()


class RuleSetVersion(models.Model):
    """One version of the procedure's rules, as data.  A new version is a new row; a
    dossier keeps the version it was started under."""

    code = models.CharField("规则代码", max_length=50)
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=200)
    data = models.JSONField("规则数据")
    is_current = models.BooleanField("新档案使用此版本", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = RuleSetVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "发展党员规则版本"
        verbose_name_plural = "发展党员规则版本"
        unique_together = [("code", "version")]
        ordering = ["code", "-version"]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"

    @property
    def rules(self) -> RuleSet:
        cached = getattr(self, "_rules", None)
        if cached is None:
            cached = self._rules = RuleSet(self.data)
        return cached
