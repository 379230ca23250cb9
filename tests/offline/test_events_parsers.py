"""The fast (polars) events parser against the line-by-line port of the viewer's rules.

Offline property tests: for any ``events.jsonl`` hypothesis draws, the fast path either
refuses (``NeedPython``) or gives exactly the reference's rows; and a reader, which falls
back on refusal, always gives the reference's answer, read whole or in growing pieces.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runicorn_api._reading.events.fast import FastRows, NeedPython
from runicorn_api._reading.events.reader import EventsFile, EventsFiles
from runicorn_api._reading.events.reference import ViewerRows
from runicorn_api.models.metrics import RunMetrics

pytest.importorskip("polars")

KEYS = ["loss", "acc", "lr", "val_loss", "step", "global_step", "epoch", "note"]
values = st.one_of(
    st.integers(-1000, 1000),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.none(),
    st.sampled_from(["text", "", "a: b"]),
    st.lists(st.integers(), max_size=2),
)
steps = st.one_of(st.integers(0, 40), st.none(), st.sampled_from([1.5, "3", True]))


@st.composite
def metrics_line(draw: st.DrawFn) -> str:
    data: dict[str, Any] = {}
    key = draw(st.sampled_from(["global_step", "step", None]))
    if key is not None:
        data[key] = draw(steps)
    for name in draw(st.lists(st.sampled_from(KEYS), max_size=4, unique=True)):
        data.setdefault(name, draw(values))
    event = {"ts": 1.0, "type": "metrics", "data": data}
    return json.dumps(event)  # NaN and ±Inf written as Python's json writes them


other_line = st.sampled_from([
    json.dumps({"type": "log", "data": {"msg": "hello"}}),
    json.dumps({"type": "image", "data": {"path": "x.png", "step": 1}}),
    "not json at all",
    "",
    json.dumps({"type": "metrics", "data": "oops"}),
])  # fmt: skip
files = st.lists(st.one_of(metrics_line(), other_line), max_size=30).map(
    lambda lines: ("\n".join(lines) + "\n").encode()
)


def _fast(data: bytes) -> RunMetrics:
    rows = FastRows()
    rows.feed(data)
    rows.settle()
    return rows.result("r")


def reference(data: bytes, run_id: str = "r") -> RunMetrics:
    rows = ViewerRows()
    rows.feed(data)
    rows.settle()
    return rows.result(run_id)


def same(a: RunMetrics, b: RunMetrics) -> bool:
    def plain(values: list[Any]) -> list[Any]:
        return [None if isinstance(v, float) and math.isnan(v) else v for v in values]

    return (
        a.steps.to_list() == b.steps.to_list()
        and sorted(a.columns) == sorted(b.columns)
        and all(plain(a.columns[n].to_list()) == plain(b.columns[n].to_list()) for n in a.columns)
        and a.text_columns == b.text_columns
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files)
def test_the_fast_parser_refuses_or_agrees_with_the_reference(data: bytes) -> None:
    fast = FastRows()
    try:
        fast.feed(data)
        fast.settle()
    except NeedPython:
        return  # refused: the reader then uses the reference, tested below
    assert same(fast.result("r"), reference(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=files, pieces=st.integers(1, 4))
def test_a_reader_gives_the_reference_whole_or_in_pieces(data: bytes, pieces: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.jsonl"
        path.write_bytes(b"")
        reader = EventsFile(path)
        cut = [len(data) * i // pieces for i in range(pieces + 1)]
        for start, stop in itertools.pairwise(cut):
            with path.open("ab") as handle:
                handle.write(data[start:stop])
            reader.read("r")  # a growing file, read as it grows (a torn last line waits)
        assert same(reader.read("r"), reference(data))


def test_the_fast_parser_is_used_for_plain_numeric_files() -> None:
    lines = [json.dumps({"type": "metrics", "data": {"global_step": s, "loss": 1.0 / s}})
             for s in range(1, 50)]  # fmt: skip
    fast = FastRows()
    fast.feed(("\n".join(lines) + "\n").encode())  # raises NeedPython if it refused
    fast.settle()
    result = fast.result("r")
    assert result.steps.to_list() == list(range(1, 50))
    assert result.columns["loss"].to_list() == [1.0 / s for s in range(1, 50)]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(files, min_size=2, max_size=5))
def test_files_parsed_together_each_give_their_reference(batch: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, data in enumerate(batch):
            path = Path(folder) / f"run{index}" / "events.jsonl"
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
        registry = EventsFiles()
        registry.prime(paths)  # one polars parse for all of them, where it can prove it
        for path, data in zip(paths, batch, strict=True):
            assert same(registry.get(path).read("r"), reference(data))


def test_runs_that_log_different_metrics_are_parsed_together(tmp_path: Path) -> None:
    """polars infers the schema of several sources from the first alone: a metric that
    only a later run logs must still come out of the batch's parse (not send every
    run of the batch to a read of its own)."""
    pl = pytest.importorskip("polars")
    logged = {"a": ["loss"], "b": ["acc", "loss"], "c": ["val_loss"]}
    paths = []
    for name, keys in logged.items():
        lines = [
            json.dumps({"type": "metrics", "data": {"global_step": s, **{k: s / 8 for k in keys}}})
            for s in range(1, 200)
        ]
        path = tmp_path / name / "events.jsonl"
        path.parent.mkdir()
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    # polars before 2 (1.27, the lower bound) infers nested keys from the first rows
    # even when asked for all: there the runs are read on their own, with the same values.
    joined = io.BytesIO(b"".join(p.read_bytes() for p in paths))
    data = pl.read_ndjson(joined, infer_schema_length=None)["data"]
    infers_all = "val_loss" in data.struct.fields
    registry = EventsFiles()
    parsed, size = registry.prime(paths)
    assert size == sum(p.stat().st_size for p in paths)
    for path, (name, keys) in zip(paths, logged.items(), strict=True):
        run = parsed[str(path)].taken(name)
        if infers_all:
            assert run is not None, f"{name} was not parsed with the others"
        run = run or registry.get(path).read(name)
        assert run.names == keys
        assert run.steps.to_list() == list(range(1, 200))
        for key in keys:
            assert run.columns[key].to_list() == [s / 8 for s in range(1, 200)]


@pytest.mark.parametrize("word", [b"NaN", b"Infinity", b"-Infinity"])
def test_a_step_written_as_a_bare_word_drops_its_line_as_the_viewer_does(
    word: bytes, tmp_path: Path
) -> None:
    """Found by the property above: ``global_step`` NaN or ±Inf (with ``step`` beside it)
    is no integer step to the viewer, which drops the line; made a null, it would fall
    back to ``step``."""
    first = b'{"ts": 1.0, "type": "metrics", "data": {"step": 0, "global_step": %s}}\n' % word
    data = first + b'{"ts": 2.0, "type": "metrics", "data": {"global_step": 3, "loss": 0.5}}\n'
    path = tmp_path / "events.jsonl"
    path.write_bytes(data)
    read = EventsFile(path).read("r")
    assert read.steps.to_list() == [3]
    assert read.columns["loss"].to_list() == [0.5]
    with pytest.raises(NeedPython):  # the fast parser leaves the file to the exact one
        _fast(data)
