"""Schema drift: bodies that differ from what each endpoint documents.

A loopback proxy in front of a real viewer replaces one endpoint's body with a mutation of
the real one, drawn by hypothesis: a key removed, a value of another type at any depth
(null, bool, text, huge numbers, empty list or object), an extra key, or a whole body that
is HTML, not UTF-8, truncated or of another JSON type. Lenient clients return models or
raise ResponseValidationError; strict clients raise ResponseValidationError naming the
field path. No other exception may come out.
"""

from __future__ import annotations

import copy
import json
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runicorn_api as api
from tests.support.reliability import report
from tests.support.rewriting_proxy import tampering_proxy
from tests.support.viewers import ViewerEnv

Path_ = tuple[str | int, ...]

WHOLE_BODIES = [
    b"<!doctype html><html><body>Bad Gateway</body></html>",
    b"\xff\xfe\x00not utf-8 \xc3\x28",
    b"",
    b'{"truncated": [1, 2',
    b"[]",
    b"null",
    b"42",
    b'{"detail": {"nested": true}}',
]

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.just(10**400),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.just([]),
    st.just({}),
    st.just([{"x": None}]),
)


def _paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every path into a JSON value (the first two items of each list)."""
    found: list[Path_] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):
            found += _paths(item, (*prefix, index))
    return found


def _apply(base: Any, op: str, path: Path_, value: Any) -> Any:
    body = copy.deepcopy(base)
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if op == "delete":
        del parent[last]
    elif op == "extra" and isinstance(parent[last], dict):
        parent[last]["zz_unknown_field"] = value
    else:
        parent[last] = value
    return body


class Mutation(tuple[str, bytes]):
    """``(label, body)``, shown by its label (a metrics body is megabytes)."""

    def __repr__(self) -> str:
        return f"Mutation({self[0]!r})"


@st.composite
def mutations(draw: st.DrawFn, base: Any) -> Mutation:
    """``(description, body)``: a mutation of ``base``."""
    paths = _paths(base)
    op = draw(st.sampled_from(["delete", "replace", "extra", "whole"] if paths else ["whole"]))
    if op == "whole":
        raw = draw(st.sampled_from(WHOLE_BODIES))
        return Mutation((f"whole body {raw[:20]!r}", raw))
    path = draw(st.sampled_from(paths))
    value = draw(VALUES)
    label = f"{op} {'.'.join(map(str, path))} = {value!r:.40}"
    return Mutation((label, json.dumps(_apply(base, op, path, value)).encode()))


class Drift:
    """The body of one path, swapped for a mutation while ``body`` is set."""

    def __init__(self) -> None:
        self.path = ""
        self.body: bytes | None = None
        self.served = 0
        self.lock = threading.Lock()

    def __call__(self, path: str, body: bytes) -> tuple[bytes, int | None]:
        with self.lock:
            if self.body is not None and urlsplit(path).path == self.path:
                self.served += 1
                return self.body, None
        return body, None


def _endpoints(viewer: ViewerEnv) -> dict[str, Callable[[api.RunicornClient], Any]]:
    run = next(r for r in viewer.manifest.runs if r.status == "finished" and r.steps <= 2000)
    return {
        "/api/runs": lambda c: c.list_experiments(),
        f"/api/runs/{run.run_id}": lambda c: c.get_experiment(run.run_id),
        f"/api/runs/{run.run_id}/metrics": lambda c: c.get_metrics(run.run_id),
        "/api/projects": lambda c: c.list_projects(),
        "/api/config": lambda c: c.get_config(),
        "/api/remote/status": lambda c: c.remote.get_remote_status(),
    }


def _touch(result: Any) -> None:
    """Use what came back the way a reader would."""
    for item in result if isinstance(result, list) else [result]:
        repr(item)
        if isinstance(item, api.RunicornModel):
            # model_dump: an Experiment's to_dict() also loads details, which a 0.5.x
            # viewer does not serve over HTTP (an UnsupportedFeatureError by design).
            item.model_dump()
        if isinstance(item, api.RunMetrics):
            item.to_polars()
            list(item.names)


def _check_error(err: api.ResponseValidationError, strict: bool, label: str) -> None:
    assert str(err), label
    if strict and err.errors:  # strict names the field path of each problem
        assert all("loc" in e for e in err.errors), label
        assert any(".".join(map(str, e["loc"])) in str(err) for e in err.errors), label


@pytest.fixture(scope="module")
def drift(viewer: ViewerEnv) -> Iterator[tuple[Drift, api.RunicornClient, api.RunicornClient]]:
    tamper = Drift()
    with (
        tampering_proxy(viewer.base_url, tamper) as url,
        api.connect(url, direct_reads="never", max_retries=0) as lenient,
        api.connect(url, direct_reads="never", max_retries=0, strict=True) as strict,
    ):
        yield tamper, lenient, strict


@pytest.mark.parametrize("endpoint", range(6))
def test_drifted_bodies_give_models_or_validation_errors(
    viewer: ViewerEnv, drift: tuple[Drift, api.RunicornClient, api.RunicornClient],
    endpoint: int,
) -> None:  # fmt: skip
    tamper, lenient, strict = drift
    path, call = list(_endpoints(viewer).items())[endpoint]
    base = requests.get(viewer.base_url + path, timeout=60).json()

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(mutations(base))
    def check(mutation: Mutation) -> None:
        label, body = mutation
        with tamper.lock:
            tamper.path, tamper.body = path, body
        try:
            for client in (lenient, strict):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", api.ResponseValidationWarning)
                        _touch(call(client))
                except api.ResponseValidationError as err:
                    _check_error(err, client is strict, label)
        finally:
            with tamper.lock:
                tamper.body = None

    check()
    report(viewer, f"schema drift {path.replace(viewer.manifest.runs[0].run_id, '{id}')}",
           tamper.served, tamper.served, 0, 0, 0.0)  # fmt: skip
    assert tamper.served >= 40  # every example was served a drifted body


def test_strict_mode_names_the_field_path(
    viewer: ViewerEnv, drift: tuple[Drift, api.RunicornClient, api.RunicornClient]
) -> None:
    tamper, lenient, strict = drift
    base = requests.get(viewer.base_url + "/api/runs", timeout=60).json()
    items = base if isinstance(base, list) else base["runs"]
    items[1]["status"] = {"not": "a status"}
    with tamper.lock:
        tamper.path, tamper.body = "/api/runs", json.dumps(base).encode()
    try:
        with pytest.raises(api.ResponseValidationError) as info:
            strict.list_experiments()
        with pytest.warns(api.ResponseValidationWarning, match="status"):
            runs = lenient.list_experiments()
        assert len(runs) == len(items)
    finally:
        with tamper.lock:
            tamper.body = None
    assert "status" in str(info.value)
    assert any(e["loc"][-1] == "status" for e in info.value.errors)


def test_a_time_beyond_any_datetime_is_a_validation_error(
    viewer: ViewerEnv, drift: tuple[Drift, api.RunicornClient, api.RunicornClient]
) -> None:
    """Found by the drift suite: a ``time`` past the datetime range broke ``to_polars()``
    with a polars error."""
    tamper, lenient, _strict = drift
    run = next(r for r in viewer.manifest.runs if r.status == "finished" and r.steps <= 2000)
    path = f"/api/runs/{run.run_id}/metrics"
    base = requests.get(viewer.base_url + path, timeout=60).json()
    base["rows"][0]["time"] = 9223372036855.0
    with tamper.lock:
        tamper.path, tamper.body = path, json.dumps(base).encode()
    try:
        metrics = lenient.get_metrics(run.run_id)
    finally:
        with tamper.lock:
            tamper.body = None
    for convert in (metrics.to_polars, metrics.to_pandas):
        with pytest.raises(api.ResponseValidationError, match="outside any datetime"):
            convert()
