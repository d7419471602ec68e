"""Models of the development procedure, one module per concept."""
from .alerts import NOTICE_KINDS, Alert, AlertKind, ContactRecord, has_overdue_alert, overdue_condition
from .calendar import HolidayDay
from .dossiers import Dossier, StepRecord
from .materials import Issuer, Material, MaterialRequirement, MaterialScope
from .people import Person
from .reviews import PoliticalReview, ReviewSide
from .rulesets import RuleSetVersion
from .training import Attendance, CourseKind, TrainingCourse
from .transfers import Transfer, TransferState

__all__ = [
    "NOTICE_KINDS", "Alert", "AlertKind", "Attendance", "ContactRecord", "CourseKind", "Dossier", "HolidayDay", "Issuer", "Material", "MaterialRequirement",
    "MaterialScope", "Person",
    "PoliticalReview", "ReviewSide", "RuleSetVersion", "StepRecord", "TrainingCourse", "Transfer",
    "TransferState", "has_overdue_alert", "overdue_condition",
]
