"""Development plans (发展党员计划): plans, allocations, seats, jobs, requests, reallocations."""
from .plans import EvaluationGrade, PartyBuildingGrade, PlanStatus, QuotaAllocation, QuotaPlan, TownshipAllocation
from .seats import Seat, SeatState
from .work import JobStatus, QuotaRequest, Reallocation, RecomputeJob, RequestStatus

__all__ = [
    "EvaluationGrade", "JobStatus", "PartyBuildingGrade", "PlanStatus", "QuotaAllocation", "QuotaPlan",
    "QuotaRequest", "Reallocation", "RecomputeJob", "RequestStatus", "Seat", "SeatState", "TownshipAllocation",
]
