from config.errors import DomainError


class QuotaExhausted(DomainError):
    code, status = "quota_exhausted", 409


class QuotaError(DomainError):
    code, status = "quota_error", 400


class RecomputeRunning(DomainError):
    code, status = "recompute_running", 409
