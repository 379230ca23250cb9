"""Network faults between the client and a real viewer, through a loopback fault proxy.

The rules: GETs are retried and succeed; POST and PATCH are never repeated; a truncated
body raises and is never parsed; a stall ends at the per-call timeout and the whole call
within the retry deadline. Each test counts what it injected and what was lost (0), and
adds a row to the reliability report (see ``benchmarks/reliability.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

import runicorn_api as api
from tests.support.fault_proxy import FaultProxy
from tests.support.reliability import report
from tests.support.viewers import ViewerEnv

BOGUS = "19990101_000000_ffffff"  # a run id no storage holds: writes to it change nothing


@pytest.fixture
def proxy(viewer: ViewerEnv) -> Iterator[FaultProxy]:
    port = urlsplit(viewer.base_url).port
    assert port is not None
    started = FaultProxy(("127.0.0.1", port)).start()
    try:
        yield started
    finally:
        started.stop()


def _clean(viewer: ViewerEnv) -> api.RunicornClient:
    return api.connect(viewer.base_url, direct_reads="never")


def _finished(viewer: ViewerEnv) -> list[str]:
    return [r.run_id for r in viewer.manifest.runs if r.status == "finished" and r.steps <= 2000]


def _read_all(client: api.RunicornClient, runs: list[str]) -> list[Any]:
    """Each run's detail and metrics, as plain data."""
    out: list[Any] = []
    for run_id in runs:
        out.append(client.get_experiment(run_id).model_dump())  # the fields served over HTTP
        out.append(client.get_metrics(run_id).to_polars().to_dicts())
    return out


@pytest.mark.parametrize("kind", ["reset", "503"])
def test_gets_are_retried_and_lose_nothing(viewer: ViewerEnv, proxy: FaultProxy, kind: str) -> None:
    runs = _finished(viewer)[:4]  # each retry waits its backoff (0.5 s, then 1 s)
    with _clean(viewer) as clean:
        expected = _read_all(clean, runs)
    with api.connect(proxy.url, direct_reads="never", max_retries=3) as client:
        # Every detail and metrics GET fails once (a 503 burst: twice) before it succeeds.
        per_call = 2 if kind == "503" else 1
        proxy.inject(
            kind, per_call * 2 * len(runs), method="GET", path="/api/runs/", burst=per_call
        )
        retries_before = client._transport.stats.retries
        started = time.monotonic()
        got = _read_all(client, runs)
        elapsed = time.monotonic() - started
        retried = client._transport.stats.retries - retries_before
    lost = sum(1 for a, b in zip(got, expected, strict=True) if a != b)
    injected = proxy.injected(kind)
    report(viewer, f"{kind} on GET", injected, len(got), retried, lost, elapsed)
    assert injected == per_call * 2 * len(runs)
    assert proxy.pending() == 0
    assert retried == injected
    assert lost == 0


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_writes_are_never_repeated(viewer: ViewerEnv, proxy: FaultProxy, method: str) -> None:
    path = "/api/runs/soft-delete" if method == "POST" else f"/api/runs/{BOGUS}"
    body: Any = {"run_ids": [BOGUS]} if method == "POST" else {"tags": []}
    started = time.monotonic()
    with api.connect(proxy.url, direct_reads="never", max_retries=5) as client:
        transport = client._transport
        # The viewer does the work, and the answer is lost: the client must not send it again.
        proxy.inject("reset", method=method, path=path)
        with pytest.raises(api.APIConnectionError):
            transport.request(method, path, json_body=body)
        # A 503 for a write is reported, not retried.
        proxy.inject("503", method=method, path=path)
        with pytest.raises(api.ServerError) as refused:
            transport.request(method, path, json_body=body)
        assert refused.value.status_code == 503
        retried = transport.stats.retries
    sent = [r for r in proxy.log if r.method == method]
    report(viewer, f"reset/503 on {method}", proxy.injected(), len(sent), retried, 0,
           time.monotonic() - started)  # fmt: skip
    assert [r.fault for r in sent] == ["reset", "503"]  # each write sent exactly once
    assert proxy.seen_upstream(method, path) == 1  # the reset one reached the viewer, once
    assert retried == 0


def test_a_truncated_body_raises_and_is_never_parsed(viewer: ViewerEnv, proxy: FaultProxy) -> None:
    run = _finished(viewer)[0]
    started = time.monotonic()
    with api.connect(proxy.url, direct_reads="never", max_retries=3) as client:
        for path, call in (
            (f"/api/runs/{run}/metrics", lambda: client.get_metrics(run)),  # the buffer path
            (f"/api/runs/{run}", lambda: client.get_experiment(run)),  # the JSON path
        ):
            proxy.inject("truncate", method="GET", path=path)
            result = None
            with pytest.raises(api.APIConnectionError, match="incomplete") as torn:
                result = call()
            assert result is None
            assert "not parsed" in str(torn.value)
        # The same client goes on working.
        with _clean(viewer) as clean:
            assert client.get_metrics(run).to_polars().equals(clean.get_metrics(run).to_polars())
    report(viewer, "truncated body", proxy.injected("truncate"), len(proxy.log), 0, 0,
           time.monotonic() - started)  # fmt: skip
    assert proxy.injected("truncate") == 2


def test_a_stall_ends_at_the_timeout_and_the_call_at_the_deadline(
    viewer: ViewerEnv, proxy: FaultProxy
) -> None:
    run = _finished(viewer)[0]
    timeout, deadline = 1.0, 2.5
    with api.connect(proxy.url, direct_reads="never", timeout=timeout, max_retries=10,
                     retry_deadline=deadline) as client:  # fmt: skip
        proxy.inject("stall", 100, method="GET", path=f"/api/runs/{run}")
        started = time.monotonic()
        with pytest.raises(api.APITimeoutError):
            client.get_experiment(run)
        elapsed = time.monotonic() - started
        retried = client._transport.stats.retries
    attempts = proxy.injected("stall")
    report(viewer, "stall (1 s timeout, 2.5 s deadline)", attempts, 1, retried, 0, elapsed)
    assert attempts >= 2  # a read timeout of a GET is retried...
    assert retried == attempts - 1
    # ...each attempt ends at the timeout, and no retry starts after the deadline.
    assert elapsed >= attempts * timeout * 0.9
    assert elapsed < deadline + timeout + 1.0


def test_a_slow_drip_completes(viewer: ViewerEnv, proxy: FaultProxy) -> None:
    runs = _finished(viewer)[:3]
    with _clean(viewer) as clean:
        expected = [clean.get_metrics(r).to_polars() for r in runs]
    # 256 bytes every 2 ms: far slower than the viewer, yet never silent for long, and
    # whole within the timeout, which bounds the whole body (not each read).
    with api.connect(proxy.url, direct_reads="never", timeout=15.0, max_retries=0) as client:
        proxy.inject("drip", len(runs), method="GET", path="/api/runs/")
        started = time.monotonic()
        got = [client.get_metrics(r).to_polars() for r in runs]
        elapsed = time.monotonic() - started
    lost = sum(1 for a, b in zip(got, expected, strict=True) if not a.equals(b))
    report(viewer, "slow drip (256 B / 2 ms)", proxy.injected("drip"), len(runs), 0, lost, elapsed)
    assert proxy.injected("drip") == len(runs)
    assert lost == 0
