"""The seed document's examples, run against both real viewers.

Each example is the seed's text with one change, its import (``runicorn.api`` →
``runicorn_api``). The seed hard-codes the default viewer URL; the harness's viewer
listens on a free port, so the runner points ``http://127.0.0.1:23300`` (and
``localhost:23300``) at it and sets ``RUNICORN_VIEWER_URL`` for ``api.connect()``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runicorn_api.testing import RunRecord
from runicorn_api.testing.copies import expected_rows
from tests.support.examples import run_example
from tests.support.viewers import ViewerEnv

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


EXAMPLE_1 = """
import runicorn_api as api
import pandas as pd

with api.connect() as client:
    # Get all vision experiments
    experiments = client.list_experiments(project="vision")

    # Find best experiment
    best_run = None
    best_acc = 0

    for exp in experiments:
        # Get metrics
        metrics = client.get_metrics(exp["id"])

        if "accuracy" in metrics["metrics"]:
            acc_points = metrics["metrics"]["accuracy"]
            max_acc = max(p["value"] for p in acc_points)

            if max_acc > best_acc:
                best_acc = max_acc
                best_run = exp

    if best_run:
        print(f"Best experiment: {best_run['name']}")
        print(f"Accuracy: {best_acc:.2f}%")
        print(f"Run ID: {best_run['id']}")
"""

EXAMPLE_2 = """
import runicorn_api as api
from pathlib import Path

output_dir = Path("exports")
output_dir.mkdir(exist_ok=True)

with api.connect() as client:
    experiments = client.list_experiments(project="nlp", limit=10)

    for exp in experiments:
        # Export as JSON
        data = client.export_experiment(exp["id"], format="json")

        # Save file
        filename = f"{exp['name']}_{exp['id']}.json"
        filepath = output_dir / filename
        filepath.write_bytes(data)

        print(f"✓ Exported: {filename}")
"""

EXAMPLE_3 = """
import runicorn_api as api
from runicorn_api import utils
import matplotlib.pyplot as plt

with api.connect() as client:
    run_ids = ["run1", "run2", "run3"]

    # Compare loss
    df = utils.compare_runs(client, run_ids, "loss")

    # Plot
    plt.figure(figsize=(10, 6))
    for run_id in run_ids:
        plt.plot(df["step"], df[run_id], label=run_id)

    plt.xlabel("Step")
    plt.ylabel("Loss")
    plt.legend()
    plt.title("Loss Comparison")
    plt.show()
"""


def test_example_1_best_accuracy(viewer: ViewerEnv) -> None:
    vision = [r for r in viewer.manifest.runs if r.project == "vision"]

    def best_accuracy(run: RunRecord) -> float:
        return max(float(v["accuracy"]) for v in expected_rows(run) if v["accuracy"] is not None)

    best_acc = max(best_accuracy(r) for r in vision)
    # Runs of the same seed tie; the example keeps the first in listing order.
    tied = {(r.name, r.run_id) for r in vision if best_accuracy(r) == best_acc}
    name_line, acc_line, id_line = run_example(viewer, EXAMPLE_1).splitlines()
    assert acc_line == f"Accuracy: {best_acc:.2f}%"
    assert (name_line.removeprefix("Best experiment: "), id_line.removeprefix("Run ID: ")) in tied


def test_example_2_export_to_json(
    viewer: ViewerEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = run_example(viewer, EXAMPLE_2).splitlines()
    nlp = [r for r in viewer.manifest.runs if r.project == "nlp"]
    assert len(lines) == len(nlp)
    for run in nlp:
        name = f"{run.name}_{run.run_id}.json"
        assert f"✓ Exported: {name}" in lines
        document = json.loads((tmp_path / "exports" / name).read_bytes())
        assert document["experiment"]["id"] == run.run_id
        assert document["metrics"]["steps"][-1] == run.steps


def test_example_3_compare_runs_plot(viewer: ViewerEnv, tmp_path: Path) -> None:
    """The seed's run ids are placeholders and plt.show() needs a screen: the runner fills
    in three real ids and saves the figure to a file instead. Nothing else changes."""
    import matplotlib

    matplotlib.use("Agg")
    runs = [viewer.manifest[k] for k in ("resnet-s0", "resnet-s1", "vit-s0")]
    figure = tmp_path / "loss.png"
    code = EXAMPLE_3.replace('["run1", "run2", "run3"]', repr([r.run_id for r in runs]))
    code = code.replace("plt.show()", f"plt.savefig({str(figure)!r})")
    namespace: dict[str, Any] = {}
    run_example(viewer, code, namespace)
    assert figure.stat().st_size > 10_000
    df = namespace["df"]
    assert list(df.columns) == ["step", *[r.run_id for r in runs]]
    assert df["step"].tolist() == list(range(1, 2001))
    for run in runs:
        expected = [v["loss"] for v in expected_rows(run, upto=run.steps)]
        got = [None if v != v else v for v in df[run.run_id].tolist()]
        assert got == pytest.approx(expected)
    import matplotlib.pyplot as plt

    plt.close("all")
