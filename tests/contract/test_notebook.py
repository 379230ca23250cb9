"""``examples/analysis.ipynb`` executed by nbclient in a real Jupyter kernel against a
real viewer, as a reader would run it; expected values come from the data set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.viewers import ViewerEnv

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "analysis.ipynb"


def _cells() -> list[dict[str, Any]]:
    cells: list[dict[str, Any]] = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def _text(cell: Any, kind: str) -> str:
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text if kind == "text/plain" else "")
        elif kind in out.get("data", {}):
            parts.append(out["data"][kind])
    return "".join(parts)


def test_the_notebook_is_committed_without_outputs() -> None:
    for cell in _cells():
        assert cell["outputs"] == []
        assert cell["execution_count"] is None


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_notebook_runs(
    viewer: ViewerEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("RUNICORN_VIEWER_URL", viewer.base_url)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend
    book = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    code = [c for c in book.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    finished = sorted(
        (
            r
            for r in viewer.manifest.runs
            if r.path.startswith("vision/") and r.status == "finished"
        ),
        key=lambda r: r.created_time,
    )
    connect, listing, pandas_frame, polars_frame, one, metrics, plot, _ = code
    assert viewer.client.server.version in _text(connect, "text/plain")
    assert f"{len(finished)} finished vision runs" in _text(listing, "text/plain")
    for run in finished:
        assert run.run_id in _text(pandas_frame, "text/html")
        assert run.run_id in _text(polars_frame, "text/html")
    first = finished[0]
    assert first.run_id in _text(one, "text/html")  # the run's HTML view
    assert f"{first.steps} steps of" in _text(metrics, "text/plain")
    assert "<table" in _text(metrics, "text/html")
    assert _text(plot, "image/png")  # the figure, drawn
