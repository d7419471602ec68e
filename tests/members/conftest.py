import pytest

from members import procedure


@pytest.fixture(autouse=True)
def without_quota_gates(monkeypatch):
    """Members tests judge the procedure alone; tests/quotas covers the seat gates
    (pre_review reserves, admission_approval uses) with real plans."""
    monkeypatch.setattr(procedure, "_gates", {})
