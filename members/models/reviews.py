from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ..querysets import DossierChildQuerySet


class ReviewSide(models.TextChoices):
    RESIDENCE = "residence", "户籍所在地"
    EMPLOYER = "employer", "工作单位"


class PoliticalReview(models.Model):
    """One side of the political review (政治审查): the household-registration place or
    the employer.  Migrants need both sides concluded (双政审)."""

    dossier = models.ForeignKey("members.Dossier", verbose_name="发展档案", on_delete=models.CASCADE,
                                related_name="political_reviews")
    side = models.CharField("审查方", max_length=16, choices=ReviewSide.choices)
    addressee = models.CharField("函调单位", max_length=100, blank=True)
    requested_on = models.DateField("发函日期")
    replied_on = models.DateField("回函日期", null=True, blank=True)
    passed = models.BooleanField("审查结论合格", null=True, blank=True)
    conclusion = models.CharField("审查结论", max_length=500, blank=True)
    document = models.FileField("回函材料", upload_to="political-reviews/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()
    objects = DossierChildQuerySet.as_manager()

    class Meta:
        verbose_name = "政治审查"
        verbose_name_plural = "政治审查"
        ordering = ["requested_on", "id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "side"], name="one_review_per_side")]

    def __str__(self):
        return f"{self.get_side_display()}政审"

    @property
    def is_outstanding(self) -> bool:
        return self.replied_on is None
