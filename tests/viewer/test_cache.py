"""The on-disk metrics cache against both real viewers, including a run that keeps logging."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.cache import CacheStamp, MetricsCache
from runicorn_api.testing.copies import expected_rows
from tests.support.counting import counting
from tests.support.reliability import report
from tests.support.viewers import ViewerEnv


def metric_requests(sent: list[str]) -> list[str]:
    return [s for s in sent if "/metrics" in s]


@pytest.fixture(params=["auto", "never"])
def cached(viewer: ViewerEnv, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """A client with a cache, reading run folders directly ("auto") or over HTTP only."""
    client = api.connect(viewer.base_url, cache_dir=tmp_path / "cache", direct_reads=request.param)
    yield client
    client.close()


def events_stamp(run_dir: str) -> tuple[int, int]:
    stat = (Path(run_dir) / "events.jsonl").stat()
    return stat.st_size, stat.st_mtime_ns


def test_a_finished_run_is_served_from_disk(viewer: ViewerEnv, cached: Any) -> None:
    run = viewer.manifest["resnet-s0"]
    direct = cached.direct_reads == "auto"
    with counting(cached) as sent:
        first = cached.get_metrics(run.run_id)
    assert first.source == ("storage" if direct else "viewer")
    assert len(metric_requests(sent)) == (0 if direct else 1)
    assert run.run_id in cached.metrics_cache
    with counting(cached) as sent:
        again = cached.get_metrics(run.run_id)
        narrow = cached.get_metrics(run.run_id, ["val_loss"], start=100, end=300)
    assert again.source == "cache"
    if direct:
        assert sent == []  # checked against events.jsonl in the proven folder
    else:
        assert sent == [f"GET /api/runs/{run.run_id}/metrics?downsample=100"] * 2
    assert again.steps == first.steps
    assert again.columns == first.columns
    assert again.timestamps == first.timestamps
    rows = expected_rows(run)
    assert again["loss"].values == pytest.approx([r["loss"] for r in rows])
    assert narrow.names == ["val_loss"]
    assert narrow["val_loss"].steps == [100, 150, 200, 250, 300]
    with pytest.raises(KeyError, match="no metric 'nope'"):
        cached.get_metrics(run.run_id, ["nope"])


def test_a_running_run_is_never_stale(viewer: ViewerEnv, cached: Any) -> None:
    live = viewer.live
    run_id = live.record.run_id
    before = cached.get_metrics(run_id)
    assert run_id not in cached.metrics_cache  # running: not stored
    # Even an entry planted while it was at this step is not served once it logs on.
    size, mtime = events_stamp(live.record.run_dir)
    cache: MetricsCache = cached.metrics_cache
    cache.store(before, CacheStamp(before.total, before.last_step, size, mtime))
    step = live.log_step()
    after = cached.get_metrics(run_id)
    assert after.source != "cache"
    assert after.steps[-1] == step == before.steps[-1] + 1
    assert after["loss"].values[-1] == pytest.approx(expected_rows(live.record)[-1]["loss"])


def test_a_stale_entry_is_refetched(viewer: ViewerEnv, cached: Any) -> None:
    run = viewer.manifest["resnet-s1"]
    cache: MetricsCache = cached.metrics_cache
    fresh = cached.get_metrics(run.run_id)
    short = cached.get_metrics(run.run_id, limit=5)
    # An entry from when the run had 5 rows, checked through the viewer's headers...
    cache.store(short, CacheStamp(total=5, last_step=5))
    with counting(cached) as sent:
        served = cached.get_metrics(run.run_id)
    if cached.direct_reads == "never":
        assert any("downsample=100" in s for s in sent)
    assert served.source != "cache"
    assert served.steps == fresh.steps
    # ... and one whose events.jsonl has changed since, checked on disk.
    size, mtime = events_stamp(run.run_dir)
    where = cache.stamp(run.run_id)
    cache.store(short, CacheStamp(5, 5, size - 1, mtime, location=where and where.location))
    assert cached.get_metrics(run.run_id).steps == fresh.steps
    loaded = cache.load(run.run_id)
    assert loaded is not None
    assert loaded[0].steps == fresh.steps


def test_a_corrupted_entry_is_fetched_again(viewer: ViewerEnv, cached: Any) -> None:
    run = viewer.manifest["vit-s0"]
    cached.get_metrics(run.run_id)
    path = cached.metrics_cache.path(run.run_id)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    started = time.monotonic()
    again = cached.get_metrics(run.run_id)
    report(viewer, f"corrupted cache file ({cached.direct_reads})", 1, 1, 0, 0,
           time.monotonic() - started)  # fmt: skip
    assert again.source != "cache"
    assert again.steps == list(range(1, run.steps + 1))
    assert cached.metrics_cache.load(run.run_id) is not None  # stored afresh


WORKER = """
import json, sys
import runicorn_api as api
with api.connect(sys.argv[1], cache_dir=sys.argv[2]) as client:
    m = client.get_metrics(sys.argv[3])
    print(json.dumps({"n": len(m.steps), "last": m["loss"].values[-1]}))
"""


def test_two_processes_share_the_cache(viewer: ViewerEnv, tmp_path: Path) -> None:
    run = viewer.manifest["vit-s0"]
    folder = tmp_path / "shared"
    args = [sys.executable, "-c", WORKER, viewer.base_url, str(folder), run.run_id]
    started = time.monotonic()
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    report(viewer, "3 processes fill one cache entry at once", 0, 3, 0, 0,
           time.monotonic() - started)  # fmt: skip
    assert all(p.returncode == 0 for p in procs)
    expected_last = expected_rows(run)[-1]["loss"]
    for out in outputs:
        assert out["n"] == run.steps
        assert out["last"] == pytest.approx(expected_last)
    assert [p.name for p in folder.iterdir()] == [f"{run.run_id}.parquet"]  # no temp left
    loaded = MetricsCache(folder).load(run.run_id)
    assert loaded is not None
    assert loaded[0].steps[-1] == run.steps
