"""500 requests from 16 threads through one client against the viewer's own rate limiter:
every one completes with its own answer, after waiting out Retry-After."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import runicorn_api as api
from tests.support.reliability import report
from tests.support.viewers import ViewerEnv, rate_limits

REQUESTS = 500
THREADS = 16


def test_a_429_storm_loses_nothing(viewer: ViewerEnv) -> None:
    client = viewer.start_viewer(
        "storm", max_retries=30, retry_deadline=120,
        # 120 run details a second (burst 40): a storm of 500 must wait several times.
        config_files={"rate_limits.json": rate_limits("/api/runs", max_requests=120, window=1,
                                                      burst=40)},
    )  # fmt: skip
    runs = [r.run_id for r in viewer.manifest.runs]
    wanted = [runs[i % len(runs)] for i in range(REQUESTS)]
    stats = client._transport.stats
    calls_before = stats.calls
    started = time.monotonic()

    def detail(run_id: str) -> str:
        return str(client._transport.request("GET", f"/api/runs/{run_id}")["id"])

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        got = list(pool.map(detail, wanted))
    elapsed = time.monotonic() - started
    assert got == wanted  # every request answered, each with its own run, none twice
    assert stats.calls - calls_before == REQUESTS
    assert stats.retries > 0  # the limiter answered 429 and the client waited it out
    # The limiter lets about 120 a second through: the storm cannot finish much sooner.
    assert elapsed >= (REQUESTS - 40) / 120 * 0.8
    report(viewer, f"429 storm ({THREADS} threads, viewer's own limiter)", stats.retries,
           REQUESTS, stats.retries, 0, elapsed)  # fmt: skip
    with api.connect(client.base_url, max_retries=0) as impatient:
        assert impatient._transport.stats.retries == 0
