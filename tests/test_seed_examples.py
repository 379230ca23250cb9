"""The seed document's examples, run against both real viewers.

Each example is the seed's text with one change, its import (``runicorn.api`` →
``runicorn_api``). The seed hard-codes the default viewer URL; the harness's viewer
listens on a free port, so the runner points ``http://127.0.0.1:23300`` (and
``localhost:23300``) at it and sets ``RUNICORN_VIEWER_URL`` for ``api.connect()``.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

import pytest

from runicorn_api.testing.dataset import expected_rows
from tests.conftest import ViewerEnv

QUICK_START = """
import runicorn_api as api

# Connect to Viewer
client = api.connect("http://127.0.0.1:23300")

# List experiments
experiments = client.list_experiments(project="vision")
print(f"Found {len(experiments)} experiments")

# Get metrics
for exp in experiments[:3]:
    metrics = client.get_metrics(exp["id"])
    print(f"{exp['name']}: {list(metrics['metrics'].keys())}")

# Close connection
client.close()
"""

CONTEXT_MANAGER = """
import runicorn_api as api

# Automatically manage connection lifecycle
with api.connect() as client:
    experiments = client.list_experiments()
    # ... use client
# Automatically calls client.close()
"""

GET_ALL_EXPERIMENTS = """
def get_all_experiments(client):
    offset = 0
    limit = 100
    all_exps = []

    while True:
        batch = client.list_experiments(limit=limit, offset=offset)
        if not batch:
            break
        all_exps.extend(batch)
        offset += limit

    return all_exps
"""

ERROR_HANDLING = """
from runicorn_api import (
    RunicornClient,
    ConnectionError,
    NotFoundError,
    BadRequestError
)

try:
    client = RunicornClient("http://localhost:23300")
    run = client.get_run("nonexistent_id")

except ConnectionError as e:
    print(f"Cannot connect to Viewer: {e}")
    print("Make sure Viewer is running: runicorn viewer")

except NotFoundError as e:
    print(f"Resource not found: {e}")

except BadRequestError as e:
    print(f"Invalid parameters: {e}")
"""

SYSTEM = """
import runicorn_api as api
client = api.connect()

health = client.health_check()
print(f"status: {health['status']}")
print(f"version: {health.get('version', 'unknown')}")

config = client.get_config()
print(f"storage root: {config['user_root']}")
print(f"port: {config.get('port', 23300)}")

gpu_info = client.get_gpu_info()
if gpu_info.get("available"):
    print(f"GPU: {gpu_info['devices'][0]['name']}")
    print(f"memory: {gpu_info['devices'][0]['memory_total']} MB")
else:
    print("no GPU")

projects = client.list_projects()
for proj in projects:
    print(f"{proj['name']}: {proj['experiment_count']} experiments")
"""


def run_example(viewer: ViewerEnv, code: str, namespace: dict[str, Any] | None = None) -> str:
    for default in ("http://127.0.0.1:23300", "http://localhost:23300"):
        code = code.replace(default, viewer.base_url)
    out = io.StringIO()
    previous = os.environ.get("RUNICORN_VIEWER_URL")
    os.environ["RUNICORN_VIEWER_URL"] = viewer.base_url
    try:
        with contextlib.redirect_stdout(out):
            exec(
                compile(code, "<seed example>", "exec"), namespace if namespace is not None else {}
            )
    finally:
        if previous is None:
            del os.environ["RUNICORN_VIEWER_URL"]
        else:
            os.environ["RUNICORN_VIEWER_URL"] = previous
    return out.getvalue()


def test_quick_start(viewer: ViewerEnv) -> None:
    output = run_example(viewer, QUICK_START).splitlines()
    vision = [r for r in viewer.manifest.runs if r.project == "vision"]
    assert output[0] == f"Found {len(vision)} experiments"
    assert len(output) == 1 + min(3, len(vision))
    names = {r.name for r in vision}
    for line in output[1:]:
        name, _, keys = line.partition(": ")
        assert name in names
        assert sorted(eval(keys)) == ["accuracy", "loss", "lr", "val_loss"]


def test_context_manager(viewer: ViewerEnv) -> None:
    namespace: dict[str, Any] = {}
    run_example(viewer, CONTEXT_MANAGER, namespace)
    assert {e["id"] for e in namespace["experiments"]} == viewer.manifest.ids()
    assert namespace["client"]._closed


def test_best_practice_4_get_all_experiments(viewer: ViewerEnv) -> None:
    namespace: dict[str, Any] = {}
    run_example(viewer, GET_ALL_EXPERIMENTS, namespace)
    everything = namespace["get_all_experiments"](viewer.client)
    assert [e["id"] for e in everything] == [e.id for e in viewer.client.list_experiments()]
    assert {e["id"] for e in everything} == viewer.manifest.ids()


def test_error_handling(viewer: ViewerEnv) -> None:
    output = run_example(viewer, ERROR_HANDLING)
    assert output.startswith("Resource not found: 404 Not Found")
    assert "Run not found" in output


def test_system_examples(viewer: ViewerEnv) -> None:
    lines = run_example(viewer, SYSTEM).splitlines()
    assert lines[0] == "status: ok"
    assert lines[1] == f"version: {viewer.client.server.version}"
    assert lines[2] == f"storage root: {viewer.manifest.storage}"
    assert lines[3] == "port: 23300"
    assert lines[4] == "no GPU"
    counts = {r.project: 0 for r in viewer.manifest.runs}
    for r in viewer.manifest.runs:
        counts[r.project] += 1
    assert lines[5:] == [f"{p}: {n} experiments" for p, n in sorted(counts.items())]


@pytest.mark.parametrize("metric", ["loss", "accuracy"])
def test_get_metrics_seed_shape(viewer: ViewerEnv, metric: str) -> None:
    """``metrics["metrics"][name]`` is a list of points readable as ``p["value"]``."""
    run = viewer.manifest["bert-s1"]
    metrics = viewer.client.get_metrics(run.run_id, metric_names=[metric])
    assert list(metrics["metrics"]) == [metric]
    rows = [r for r in expected_rows(run) if r[metric] is not None]
    points = metrics["metrics"][metric]
    assert [p["step"] for p in points] == [r["global_step"] for r in rows]
    assert [p["value"] for p in points] == pytest.approx([r[metric] for r in rows])
