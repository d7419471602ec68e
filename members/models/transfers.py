from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ..querysets import TransferQuerySet


class TransferState(models.TextChoices):
    REQUESTED = "requested", "待接收"
    ACCEPTED = "accepted", "已接收"
    REJECTED = "rejected", "已拒收"
    RETURNED = "returned", "已退回"


class Transfer(models.Model):
    """培养关系/组织关系转接: the dossier moves from the sending to the receiving
    organization with its whole history.  Outside the county the receiver is a name."""

    dossier = models.ForeignKey("members.Dossier", verbose_name="发展档案", on_delete=models.CASCADE,
                                related_name="transfers")
    from_party_org = models.ForeignKey("organizations.PartyOrganization", verbose_name="转出党组织",
                                       on_delete=models.PROTECT, related_name="transfers_out")
    to_party_org = models.ForeignKey("organizations.PartyOrganization", verbose_name="接收党组织", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="transfers_in")
    to_outside = models.CharField("县外接收党组织", max_length=200, blank=True)
    new_unit = models.ForeignKey("organizations.Organization", verbose_name="新工作单位", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    state = models.CharField("状态", max_length=16, choices=TransferState.choices, default=TransferState.REQUESTED)
    reason = models.CharField("转接原因", max_length=200, blank=True)
    requested_on = models.DateField("转出日期")
    decided_on = models.DateField("处理日期", null=True, blank=True)
    carry_cultivation = models.BooleanField("认可已培养时间", null=True, blank=True)
    decision_note = models.CharField("处理意见", max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()
    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = "转接"
        verbose_name_plural = "转接"
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier"], condition=models.Q(state="requested"),
                                    name="one_pending_transfer_per_dossier"),
            models.CheckConstraint(condition=models.Q(to_party_org__isnull=False) | ~models.Q(to_outside=""),
                                   name="transfer_has_receiver"),
        ]

    def __str__(self):
        return f"{self.dossier.person.name}：{self.from_party_org} → {self.to_party_org or self.to_outside}"
