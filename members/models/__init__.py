"""Models of the development procedure, one module per concept."""
from .alerts import Alert, AlertKind, ContactRecord
from .calendar import HolidayDay
from .dossiers import Dossier, StepDocument, StepRecord
from .people import Person
from .reviews import PoliticalReview, ReviewSide
from .rulesets import RuleSetVersion
from .training import Attendance, CourseKind, TrainingCourse
from .transfers import Transfer, TransferState

__all__ = [
    "Alert", "AlertKind", "Attendance", "ContactRecord", "CourseKind", "Dossier", "HolidayDay", "Person",
    "PoliticalReview", "ReviewSide", "RuleSetVersion", "StepDocument", "StepRecord", "TrainingCourse", "Transfer",
    "TransferState",
]
