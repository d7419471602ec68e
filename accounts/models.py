from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "县委组织部管理员"
    TOWNSHIP_WORKER = "township_worker", "乡镇（街道）党务工作者"
    SECRETARY = "secretary", "党组织书记"
    INSTRUCTOR = "instructor", "党建指导员"
    AUDITOR = "auditor", "审计员（只读）"
    API_CLIENT = "api_client", "接口账号"


# Roles that register units, party organizations, instructors and party workers
# in their scope.  Secretaries maintain their own records but do not add new ones.
REGISTERING_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_WORKER, Role.API_CLIENT})
COUNTY_WIDE_ROLES = frozenset({Role.COUNTY_ADMIN, Role.AUDITOR})


class User(AbstractUser):
    """An account.  What it may see is decided by its role and by the scope
    assignments that ``organizations`` keeps (areas, party organizations, instructor)."""

    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.TOWNSHIP_WORKER)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self):
        return self.full_name or self.username

    @property
    def sees_whole_county(self) -> bool:
        return self.is_superuser or self.role in COUNTY_WIDE_ROLES

    @property
    def is_county_admin(self) -> bool:
        return self.is_superuser or self.role == Role.COUNTY_ADMIN

    @property
    def is_read_only(self) -> bool:
        return not self.is_superuser and self.role == Role.AUDITOR

    @property
    def may_register(self) -> bool:
        """May create new registry records (units, party organizations, …) in scope."""
        return self.is_superuser or self.role in REGISTERING_ROLES
