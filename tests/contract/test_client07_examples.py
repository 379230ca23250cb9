"""runicorn 0.7's own client document, its examples run on this SDK against both real
viewers with only the import changed.

The document is read at test time (see :mod:`tests.support.client07_doc`). Besides the
import, the runner swaps the values that name the author's machine: the viewer URL (the
harness's viewer listens on a free port), the example run id (a run of the data set) and
the Windows storage root (the data set's own root, so the viewer keeps its runs). The
"Remote API" section runs against the test SSH server in ``tests/viewer/test_remote_ssh.py``.
Expected values come from the data set's manifest.
"""

from __future__ import annotations

import ast
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import RunRecord
from runicorn_api.testing.copies import expected_rows
from tests.support.client07_doc import Section, find_doc, sections
from tests.support.examples import run_example
from tests.support.viewers import ViewerEnv

DOC = find_doc()
pytestmark = pytest.mark.skipif(
    DOC is None,
    reason="runicorn 0.7's client document (shared/reference/runicorn-client-0.7.md) is not "
    "beside this repository; set RUNICORN_CLIENT_DOC to its path",
)
SECTIONS: dict[str, Section] = {s.title: s for s in sections(DOC)} if DOC else {}
EXAMPLE_RUN = "20260328_120000_abcd12"
EXAMPLE_ROOT = 'r"E:\\runs"'


ONLY_07 = ("get_storage_stats",)
"""Calls of concepts 0.5.x lacks: on a 0.5.x viewer their block raises
:class:`UnsupportedFeatureError` (before any request)."""


def _run(viewer: ViewerEnv, title: str, client: api.RunicornClient) -> tuple[str, dict[str, Any]]:
    """Every block of one section in one namespace (``client`` bound, as the document's
    snippets assume); the printed output and the namespace."""
    namespace: dict[str, Any] = {"client": client}
    run_id = _first(viewer, "vision").run_id
    output = []
    for block in SECTIONS[title].blocks:
        code = block.replace(EXAMPLE_RUN, run_id)
        code = code.replace(EXAMPLE_ROOT, repr(viewer.manifest.storage))
        if viewer.generation == "0.5" and any(call in code for call in ONLY_07):
            with pytest.raises(api.UnsupportedFeatureError, match=r"0\.7"):
                run_example(viewer, code, namespace)
            continue
        output.append(run_example(viewer, code, namespace))
    return "".join(output), namespace


def _under(viewer: ViewerEnv, path: str) -> list[RunRecord]:
    return [r for r in viewer.manifest.runs if r.path == path or r.path.startswith(path + "/")]


def _first(viewer: ViewerEnv, path: str) -> RunRecord:
    return _under(viewer, path)[0]


def _columns(run: RunRecord) -> list[str]:
    keys = set(expected_rows(run, upto=1)[0]) - {"global_step"}
    return ["global_step", *sorted(keys | {"time"})]


def test_the_document_has_its_sections() -> None:
    assert set(SECTIONS) >= {
        "Quick Start",
        "Core Client",
        "Experiment Management",
        "Metrics Data",
        "Configuration And Health",
        "Remote API",
        "Utility Functions",
        "Error Handling",
    }


def test_quick_start(viewer: ViewerEnv) -> None:
    output, ns = _run(viewer, "Quick Start", viewer.client)
    lines = output.splitlines()
    vision = _under(viewer, "vision")
    assert lines[0] == f"Matched runs: {len(vision)}"
    first = next(r for r in vision if r.run_id == ns["runs"][0]["id"])
    assert ast.literal_eval(lines[1]) == _columns(first)
    rows = ast.literal_eval(lines[2])
    expected = expected_rows(first)
    assert [r["global_step"] for r in rows] == [1, rows[1]["global_step"]]
    assert rows[0]["loss"] == pytest.approx(expected[0]["loss"])
    step = rows[1]["global_step"]
    assert rows[1]["accuracy"] == pytest.approx(expected[step - 1]["accuracy"])
    assert ns["metrics"]["total"] == first.last_step
    assert ns["metrics"]["sampled"] <= min(500, first.last_step)


def test_core_client(viewer: ViewerEnv) -> None:
    output, ns = _run(viewer, "Core Client", viewer.client)
    assert output.splitlines() == ["ok"]
    assert isinstance(ns["client"], api.RunicornClient)
    assert ns["client"].timeout == 30
    ns["client"].close()


def test_experiment_management(viewer: ViewerEnv) -> None:
    output, ns = _run(viewer, "Experiment Management", viewer.client)
    assert {r["id"] for r in ns["runs"]} == viewer.manifest.ids()
    run = _first(viewer, "vision")
    assert output.splitlines()[0] == f"{run.path} {run.status}"
    assert set(ns["path_info"].keys()) >= {"paths", "tree", "stats"}
    assert {r["id"] for r in ns["vision_runs"]} == {r.run_id for r in _under(viewer, "vision")}
    assert ns["baseline_runs"] == []  # the data set has no vision/baseline


def test_metrics_data(viewer: ViewerEnv) -> None:
    _, ns = _run(viewer, "Metrics Data", viewer.client)
    run = _first(viewer, "vision")
    assert ns["metrics"]["columns"] == _columns(run)
    assert ns["metrics"]["sampled"] <= 1000
    csv_lines = ns["csv_bytes"].decode().splitlines()
    assert csv_lines[0].split(",") == _columns(run)
    assert len(csv_lines) == 1 + run.last_step
    report = ns["report_bytes"].decode()
    assert report.startswith("<!DOCTYPE html>")
    assert run.run_id in report
    assert "accuracy" in report


def test_configuration_and_health(viewer: ViewerEnv) -> None:
    client = viewer.start_viewer("client07-config")
    _, ns = _run(viewer, "Configuration And Health", client)
    assert ns["config"]["storage"] == viewer.manifest.storage
    assert ns["updated"]["ok"] is True
    assert ns["health"]["status"] == "ok"
    assert ns["gpu"]["available"] is False
    assert ns["result"]["checked"] >= 1  # the data set's live run is running
    if viewer.generation == "0.7":
        assert ns["stats"]["total_bytes"] > 0
    # set_user_root_dir was given the data set's own root: the runs are all still there.
    assert {e.id for e in client.list_runs()} == viewer.manifest.ids()


def test_utility_functions(viewer: ViewerEnv) -> None:
    _, ns = _run(viewer, "Utility Functions", viewer.client)
    assert set(ns["runs_df"]["id"]) == viewer.manifest.ids()
    first = next(r for r in viewer.manifest.runs if r.run_id == ns["runs"][0]["id"])
    rows = [r for r in expected_rows(first) if r["accuracy"] is not None]
    long = ns["metrics_df"]
    assert len(long[long["metric"] == "accuracy"]) == len(rows)


def test_error_handling(viewer: ViewerEnv) -> None:
    output, _ = _run(viewer, "Error Handling", viewer.client)
    assert output.splitlines() == ["Run not found"]


def test_the_imported_names_exist() -> None:
    names = set()
    for section in SECTIONS.values():
        for block in section.blocks:
            for node in ast.walk(ast.parse(block)):
                if isinstance(node, ast.ImportFrom) and node.module == "runicorn_api":
                    names |= {a.name for a in node.names}
    assert names >= {"RunicornClient", "HostKeyConfirmationRequiredError", "NotFoundError"}
    assert [n for n in names if not hasattr(api, n)] == []
