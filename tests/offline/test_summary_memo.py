"""The memo of per-run reductions is bounded: a long-lived client that queries ever more
runs keeps the runs used last, and drops the least recently used."""

from __future__ import annotations

from runicorn_api import MetricSummary
from runicorn_api._reading.summaries import SummaryMemo

NAMES = frozenset({"loss"})


def _found(run: int) -> dict[str, MetricSummary]:
    return {"loss": MetricSummary(name="loss", last=float(run), last_step=run)}


def test_the_least_recently_used_run_is_dropped_first() -> None:
    memo = SummaryMemo(capacity=3)
    for run in range(3):
        memo.put(f"r{run}", ("file", run), NAMES, False, _found(run))
    assert memo.get("r0", ("file", 0), NAMES, False) == _found(0)  # r0 used: r1 is oldest
    memo.put("r3", ("file", 3), NAMES, False, _found(3))
    assert len(memo) == 3
    assert memo.get("r1", ("file", 1), NAMES, False) is None
    for run in (0, 2, 3):
        assert memo.get(f"r{run}", ("file", run), NAMES, False) == _found(run)


def test_many_runs_stay_within_the_capacity() -> None:
    memo = SummaryMemo(capacity=100)
    for run in range(1_000):
        memo.put(f"r{run}", ("file", run), NAMES, True, _found(run))
    assert len(memo) == 100
    assert memo.get("r899", ("file", 899), NAMES, True) is None
    assert memo.get("r999", ("file", 999), NAMES, True) == _found(999)
