"""Bounded answers: a hostile viewer's body cannot grow without end, trickle past the
timeout, claim a size it then allocates, run past the size it declared, or make the
parser recurse; each ends in a typed error, quickly.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import runicorn_api as api
from tests.support.hostile import HostileViewer, chunked, send_json

RUN = "20250101_000000_aaaaaa"
MiB = 1 << 20


def _client(url: str, **options: object) -> api.RunicornClient:
    return api.connect(url, max_retries=0, direct_reads="never", **options)  # type: ignore[arg-type]


def test_an_endless_body_stops_at_the_cap() -> None:
    viewer = HostileViewer()
    viewer.on("GET", "/api/runs", chunked(itertools.repeat(b" " * 65536)))
    with viewer.running() as url, _client(url, max_response_bytes=4 * MiB, timeout=20) as client:
        started = time.monotonic()
        with pytest.raises(api.ResponseTooLargeError) as info:
            client.list_experiments()
    assert time.monotonic() - started < 10
    assert info.value.limit == 4 * MiB
    assert "max_response_bytes" in str(info.value)
    assert isinstance(info.value, api.ResponseValidationError)


@pytest.mark.parametrize("framing", ["chunked", "content-length"])
def test_a_trickling_body_ends_within_the_timeout(framing: str) -> None:
    viewer = HostileViewer()
    if framing == "chunked":
        viewer.on("GET", "/api/runs", chunked(itertools.repeat(b" "), delay=0.1))
    else:

        def trickle(h: object) -> None:
            from http.server import BaseHTTPRequestHandler

            assert isinstance(h, BaseHTTPRequestHandler)
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            try:
                for _ in range(100000):
                    h.wfile.write(b" ")
                    h.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass

        viewer.on("GET", "/api/runs", trickle)
    with viewer.running() as url, _client(url, timeout=1.0) as client:
        started = time.monotonic()
        with pytest.raises(api.APITimeoutError, match="overall deadline"):
            client.list_experiments()
        elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 4  # one second of body, not a read timeout that never fires


def test_a_false_content_length_allocates_nothing() -> None:
    viewer = HostileViewer()

    def liar(h: object) -> None:
        from http.server import BaseHTTPRequestHandler

        assert isinstance(h, BaseHTTPRequestHandler)
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(2 << 30))
        h.end_headers()
        h.wfile.write(b"[]")

    viewer.on("GET", "/api/runs", liar)
    viewer.on("GET", f"/api/runs/{RUN}/metrics", liar)
    with viewer.running() as url, _client(url, timeout=5) as client:
        tracemalloc.start()
        try:
            with pytest.raises(api.ResponseTooLargeError, match="announces 2147483648 bytes"):
                client.list_experiments()
            with pytest.raises(api.ResponseTooLargeError):
                client.get_metrics(RUN)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 16 * MiB


def test_a_download_stops_at_the_size_the_viewer_listed(tmp_path: Path) -> None:
    viewer = HostileViewer()

    def images(h: object) -> None:
        send_json(h, {"images": [{"key": "img", "step": 1, "path": "media/a.png"}]})  # type: ignore[arg-type]

    download = chunked(itertools.repeat(b"\x89PNG" + b"\0" * 4092), ctype="image/png")
    state = {"probed": False}

    def asset(h: object) -> None:
        # The size probe is answered with a small Content-Length; the download never ends.
        if not state["probed"]:
            state["probed"] = True
            send_json(h, b"\x89PNG" + b"\0" * 96)  # type: ignore[arg-type]
        else:
            download(h)  # type: ignore[arg-type]

    viewer.on("GET", f"/api/runs/{RUN}/images", images)
    viewer.on("GET", f"/api/runs/{RUN}/assets/download", asset)
    dest = tmp_path / "images"
    with (
        viewer.running() as url,
        _client(url, timeout=10) as client,
        pytest.raises(api.APIConnectionError, match="more than the 100"),
    ):
        client.images.download(RUN, dest)
    assert not dest.exists()  # nothing kept, not even the folder


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@contextlib.contextmanager
def _no_recursion_error() -> Iterator[None]:
    """Fail if a RecursionError is raised anywhere in this thread, even one caught: a
    parser that recurses on Python's stack leaves no room for the finalizers the
    garbage collector may run at that depth (their failures surface later)."""
    seen: list[str] = []

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "exception" and issubclass(arg[0], RecursionError):
            seen.append(f"{frame.f_code.co_filename}:{frame.f_lineno}")
        return tracer

    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(None)
    assert not seen, f"RecursionError raised at {seen[0]}"


def test_hostile_json_raises_typed_errors() -> None:
    viewer = HostileViewer()
    viewer.on("GET", "/api/runs", lambda h: send_json(h, _deep(100_000)))
    body = b'{"columns":' + _deep(100_000) + b',"rows":[],"total":0,"sampled":0}'
    viewer.on("GET", f"/api/runs/{RUN}/metrics", lambda h: send_json(h, body))
    viewer.on("GET", f"/api/runs/{RUN}", lambda h: send_json(h, _deep(100_000), 404))
    huge = b'{"paths": [1' + b"0" * 100_000 + b"]}"
    viewer.on("GET", "/api/paths", lambda h: send_json(h, huge))
    with viewer.running() as url, _client(url, timeout=5) as client, _no_recursion_error():
        with pytest.raises(api.ResponseValidationError, match="recursion"):
            client.list_experiments()
        with pytest.raises(api.ResponseValidationError):
            client.get_metrics(RUN)
        with pytest.raises(api.NotFoundError):
            client.get_experiment(RUN)
        with pytest.raises(api.ResponseValidationError):
            client.list_projects()  # a 100,000-digit number where a path goes


def test_deep_json_in_a_storage_folder_reads_as_unreadable(tmp_path: Path) -> None:
    from runicorn_api._storage.run_folder import image_events, read_json

    deep = _deep(100_000)
    (tmp_path / "meta.json").write_bytes(deep)
    image = b'{"type":"image","data":{"path":"a.png","x":' + deep + b"}}"
    (tmp_path / "events.jsonl").write_bytes(image + b"\n")
    (tmp_path / "a.png").write_bytes(b"png")
    with _no_recursion_error():
        assert read_json(tmp_path, "meta.json") == {}
        assert image_events(tmp_path) == []


@pytest.mark.parametrize("header", ["12abc", "1e3", "9" * 50, ""])
def test_a_malformed_header_is_a_validation_error(header: str) -> None:
    viewer = HostileViewer()
    body = (
        b'{"columns":["global_step","loss"],"rows":[{"global_step":1,"loss":0.5}],'
        b'"total":1,"sampled":1}'
    )
    viewer.on("GET", f"/api/runs/{RUN}/metrics", lambda h: send_json(h, body, X_Last_Step=header))
    with (
        viewer.running() as url,
        _client(url, timeout=5) as client,
        pytest.raises(api.ResponseValidationError, match="X-Last-Step"),
    ):
        client.get_metrics(RUN)
