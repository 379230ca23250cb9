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
    _check_batch(batch)


numbers = st.one_of(st.integers(-5, 5), st.floats(-10, 10), st.sampled_from([1.5, 2]))


@st.composite
def numeric_line(draw: st.DrawFn) -> str:
    """A metrics line with a step and mostly numbers: the shape a batch's schema probe
    sees, with a value now and then of a type the probe may not have seen."""
    data: dict[str, Any] = {"global_step": draw(st.integers(0, 30))}
    for name in draw(st.lists(st.sampled_from(["loss", "acc", "lr", "epoch"]), max_size=3,
                              unique=True)):  # fmt: skip
        data[name] = draw(st.one_of(numbers, numbers, numbers, st.sampled_from(["t", [1], True])))
    return json.dumps({"ts": 1.0, "type": "metrics", "data": data})


numeric_files = st.lists(numeric_line(), min_size=1, max_size=12).map(
    lambda lines: ("\n".join(lines) + "\n").encode()
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(st.one_of(numeric_files, files), min_size=2, max_size=5))
def test_runs_that_log_different_numbers_parsed_together_give_their_reference(
    batch: list[bytes],
) -> None:
    """Runs that log different keys, with ints and floats mixed and the odd text, list
    or boolean, where the schema from a few lines of each file may not foresee a later
    value: each file still reads as the reference reads it."""
    _check_batch(batch)


def _check_batch(batch: list[bytes]) -> None:
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


def _write_runs(tmp_path: Path, logged: dict[str, list[str]], steps: int) -> list[Path]:
    """One events.jsonl per run, logging its keys at every step (value: step / 8)."""
    paths = []
    for name, keys in logged.items():
        lines = [
            json.dumps({"type": "metrics", "data": {"global_step": s, **{k: s / 8 for k in keys}}})
            for s in range(1, steps + 1)
        ]
        path = tmp_path / name / "events.jsonl"
        path.parent.mkdir()
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def _reads_sources_with_a_schema(pl: Any) -> bool:
    """Whether polars reads a list of sources with a schema, taking an integer into a
    float column. polars 1.27, the lower bound, does neither: there the batch is parsed
    with every row deciding, to the same values."""
    try:
        pl.read_ndjson([io.BytesIO(b'{"a": 1}\n')], schema={"a": pl.Float64})
    except (TypeError, pl.exceptions.PolarsError):
        return False
    return True


@pytest.mark.parametrize("mid_file", [False, True])
def test_runs_that_log_different_metrics_are_not_inferred_from_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mid_file: bool
) -> None:
    """The retry for runs that log different keys takes its schema from the first and
    last line of every file: one parse, where inferring from every row costs about
    three. A key that first shows in the middle of a file is dropped by that parse; the
    count of keys sees it, and every row decides. The values are the same either way."""
    pl = pytest.importorskip("polars")
    logged = {"a": ["loss"], "b": ["acc", "loss"], "c": ["val_loss"]}
    paths = _write_runs(tmp_path, logged, 300)
    if mid_file:  # a key that only a line in the middle of run c writes
        lines = paths[2].read_text().splitlines()
        middle = json.loads(lines[150])
        middle["data"]["spike"] = 2.5
        lines[150] = json.dumps(middle)
        paths[2].write_text("\n".join(lines) + "\n")
    total = sum(p.stat().st_size for p in paths)
    every_row = []  # the parses that inferred the schema from all of the batch's rows
    real = pl.read_ndjson

    def spy(source: Any, **kwargs: Any) -> Any:
        sources = source if isinstance(source, list) else [source]
        size = sum(len(s.getvalue()) for s in sources)
        if kwargs.get("schema") is None and kwargs.get("infer_schema_length", 0) is None:
            every_row.append(size)
        return real(source, **kwargs)

    monkeypatch.setattr(pl, "read_ndjson", spy)
    registry = EventsFiles()
    parsed, _ = registry.prime(paths)
    monkeypatch.setattr(pl, "read_ndjson", real)
    for path, (name, keys) in zip(paths, logged.items(), strict=True):
        run = parsed[str(path)].taken(name) or registry.get(path).read(name)
        wanted = [*keys, "spike"] if mid_file and name == "c" else keys
        assert sorted(run.names) == sorted(wanted)
        assert run.steps.to_list() == list(range(1, 301))
        for key in keys:
            assert run.columns[key].to_list() == [s / 8 for s in range(1, 301)]
    if mid_file:
        assert run.columns["spike"].to_list() == [2.5 if s == 151 else None for s in range(1, 301)]
        assert total in every_row  # the probe missed the key: every row decided
    elif _reads_sources_with_a_schema(pl):
        assert total not in every_row
        assert all(parsed[str(p)].taken(n) is not None for p, n in zip(paths, logged, strict=True))


def test_a_polars_panic_sends_the_batch_to_the_exact_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """polars 1.27 panics, rather than raising, on a line that is not JSON when it is
    given a schema; a panic is no Exception. Should a release panic so, the files are
    read by the exact parser, with the reference's values, and the panic goes no
    further."""
    pl = pytest.importorskip("polars")
    paths = _write_runs(tmp_path, {"a": ["loss"], "b": ["acc"]}, 20)

    def panics(source: Any, **kwargs: Any) -> Any:
        raise pl.exceptions.PanicException("range start index 41 out of range")

    monkeypatch.setattr(pl, "read_ndjson", panics)
    registry = EventsFiles()
    parsed, _ = registry.prime(paths)
    assert all(parsed[str(p)].taken("r") is None for p in paths)  # the batch was refused
    for path in paths:
        assert same(registry.get(path).read("r"), reference(path.read_bytes()))


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
