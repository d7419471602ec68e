"""Benchmark of the apportionment engine on a million units.

    python tests/benchmarks/bench_apportionment.py [--out FILE] [--units N] [--repeat R] [--seed S]

Random integer weights 1..5000 (fixed seed); 200,000 seats for Hamilton, Jefferson and Webster,
2,000,000 for Adams and Huntington–Hill (which first give every unit one seat).  Each timing is
the full ``apportion`` call, exact decisions and explanation data included.  The first call per
method is reported separately ("cold": page faults, caches); the figure compared with the goal
(0.5 s) is the median of the following ``--repeat`` calls.

Prints a table and appends one JSON line per method to FILE (default
``bench-results/apportionment.json`` in the project root; the directory is created).
Importable: :func:`run_benchmarks` returns the records without printing or writing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # running as a script from anywhere
    sys.path.insert(0, str(PROJECT_ROOT))

from quotas.apportionment import apportion  # noqa: E402

GOAL_SECONDS = 0.5
DEFAULT_OUT = PROJECT_ROOT / "bench-results" / "apportionment.json"
CASES = (  # method, seats for 1,000,000 units (scaled with --units)
    ("hamilton", 200_000),
    ("jefferson", 200_000),
    ("webster", 200_000),
    ("adams", 2_000_000),
    ("huntington_hill", 2_000_000),
)


def make_weights(units: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 5001, size=units, dtype=np.int64)


def _check(result, seats: int) -> None:
    """Cheap sanity checks so that a fast but wrong engine cannot pass the benchmark."""
    assert int(result.seats.sum()) == seats
    if result.last_awarded is not None and result.first_refused is not None:
        assert result.last_awarded.exact_square >= result.first_refused.exact_square
        assert (result.tie is not None) == (result.last_awarded.exact_square == result.first_refused.exact_square)


def run_benchmarks(units: int = 1_000_000, repeat: int = 5, seed: int = 20240601) -> list[dict]:
    weights = make_weights(units, seed)
    records = []
    for method, seats_per_million in CASES:
        seats = seats_per_million * units // 1_000_000
        start = time.perf_counter()
        result = apportion(weights, seats, method)
        cold = time.perf_counter() - start
        _check(result, seats)
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            apportion(weights, seats, method)
            timings.append(time.perf_counter() - start)
        median = statistics.median(timings) if timings else cold
        records.append({
            "benchmark": "apportionment",
            "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "method": method,
            "units": units,
            "seats": seats,
            "seed": seed,
            "repeat": repeat,
            "seconds_cold": round(cold, 4),
            "seconds_median": round(median, 4),
            "seconds_min": round(min(timings), 4) if timings else round(cold, 4),
            "goal_seconds": GOAL_SECONDS,
            "within_goal": median <= GOAL_SECONDS,
            "tie_units": 0 if result.tie is None else int(len(result.tie.units)),
            "tie_seats": 0 if result.tie is None else int(result.tie.seats),
            "divisor": None if result.divisor is None else str(result.divisor),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
        })
    return records


def format_table(records: list[dict]) -> str:
    header = f"{'method':<16}{'units':>10}{'seats':>11}{'cold s':>9}{'median s':>10}{'min s':>8}  {'tie':>9}  goal"
    lines = [header, "-" * len(header)]
    for r in records:
        tie = f"{r['tie_seats']}/{r['tie_units']}" if r["tie_units"] else "-"
        verdict = "ok" if r["within_goal"] else f"SLOW (> {r['goal_seconds']} s)"
        lines.append(
            f"{r['method']:<16}{r['units']:>10,}{r['seats']:>11,}{r['seconds_cold']:>9.3f}"
            f"{r['seconds_median']:>10.3f}{r['seconds_min']:>8.3f}  {tie:>9}  {verdict}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON-lines file to append to")
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)

    records = run_benchmarks(args.units, args.repeat, args.seed)
    print(format_table(records))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"\nappended {len(records)} records to {args.out}")
    return 0 if all(r["within_goal"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
