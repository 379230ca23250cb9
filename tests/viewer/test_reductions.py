"""Per-run metric reductions as keys (``metrics.<name>.last`` and friends) against both
real viewers, read directly and over HTTP only: the values are the logged ones
(re-derived from the data set's manifest, never from the client under test), ``last``
needs no full read, and a second query reads nothing again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

import runicorn_api as api
from runicorn_api.filters import F
from runicorn_api.testing.copies import RunRecord, expected_rows
from tests.support.counting import metric_requests
from tests.support.viewers import ViewerEnv

KEYS = [
    "metrics.loss.last",
    "metrics.loss.last_step",
    "metrics.loss.min",
    "metrics.val_loss.max",
    "metrics.val_loss.count",
]


@pytest.fixture(params=["auto", "never"])
def reader(viewer: ViewerEnv, request: pytest.FixtureRequest) -> Iterator[api.RunicornClient]:
    with api.connect(viewer.base_url, direct_reads=request.param) as client:
        yield client


def _logged(run: RunRecord, name: str) -> list[tuple[int, float]]:
    rows = expected_rows(run)
    return [(int(r["global_step"] or 0), v) for r in rows if (v := r[name]) is not None]


def _expected(run: RunRecord) -> dict[str, Any]:
    loss, val = _logged(run, "loss"), _logged(run, "val_loss")
    return {
        "metrics.loss.last": loss[-1][1],
        "metrics.loss.last_step": loss[-1][0],
        "metrics.loss.min": min(v for _, v in loss),
        "metrics.val_loss.max": max(v for _, v in val),
        "metrics.val_loss.count": len(val),
    }


def _plain_runs(viewer: ViewerEnv) -> list[RunRecord]:
    """Finished runs that log the writer's own rows (no edge case, not growing)."""
    return [r for r in viewer.manifest.runs if r.edge is None and not r.live]


def test_reduction_columns_hold_the_logged_values(
    viewer: ViewerEnv, reader: api.RunicornClient
) -> None:
    plain = _plain_runs(viewer)
    runs = reader.experiments.filter(id=[r.run_id for r in plain])
    frame = runs.to_polars(columns=["id", *KEYS])
    assert frame.columns == ["id", *KEYS]
    assert str(frame.schema["metrics.loss.last_step"]) == "Int64"
    got = {row["id"]: row for row in frame.to_dicts()}
    assert set(got) == {r.run_id for r in plain}
    for run in plain:
        want = _expected(run)
        for key in KEYS:
            assert got[run.run_id][key] == pytest.approx(want[key]), (run.key, key)
    exp = runs[0]
    assert set(exp.metric_summaries) == {"loss", "val_loss"}
    assert exp.metric_summaries["loss"].count is not None


def test_filter_and_order_by_a_reduction(viewer: ViewerEnv, reader: api.RunicornClient) -> None:
    plain = _plain_runs(viewer)
    expected = {r.run_id: _expected(r) for r in plain}
    cut = sorted(e["metrics.loss.min"] for e in expected.values())[len(expected) // 2]
    runs = reader.experiments.filter(id=list(expected))
    below = runs.filter(F("metrics.loss.min") < cut)
    assert set(below.ids()) == {i for i, e in expected.items() if e["metrics.loss.min"] < cut}
    assert 0 < len(below) < len(expected)
    ordered = runs.order_by("-metrics.loss.last").ids()
    lasts = [expected[i]["metrics.loss.last"] for i in ordered]
    assert sorted(ordered) == sorted(expected)
    assert lasts == sorted(lasts, reverse=True)  # runs of one seed tie
    assert len(set(lasts)) > 2


def test_last_needs_no_full_read(viewer: ViewerEnv, reader: api.RunicornClient) -> None:
    plain = _plain_runs(viewer)
    runs = reader.experiments.filter(id=[r.run_id for r in plain])
    runs.ids()  # the listing
    seen = metric_requests(reader)
    frame = runs.to_polars(columns=["id", "metrics.loss.last", "metrics.loss.last_step"])
    by_id = {r.run_id: r for r in plain}
    for row in frame.to_dicts():
        assert (
            row["metrics.loss.last_step"] == _expected(by_id[row["id"]])["metrics.loss.last_step"]
        )
    if reader.direct_reads == "never":
        # One downsampled answer per run holds the last row: no whole table is read.
        assert len(seen) == len(plain)
        assert all("downsample=100" in url for url in seen)
    else:
        assert seen == []  # the end of each events.jsonl
    # Only last and last_step were read (a run of at most 100 rows came whole over HTTP).
    for exp in runs:
        if by_id[exp.id].steps > 100 or reader.direct_reads != "never":
            assert exp.metric_summaries["loss"].count is None
        else:
            assert exp.metric_summaries["loss"].count == by_id[exp.id].steps


def test_a_second_query_reads_nothing_again(viewer: ViewerEnv, reader: api.RunicornClient) -> None:
    ids = [r.run_id for r in _plain_runs(viewer)]
    first = reader.experiments.filter(id=ids).order_by("metrics.loss.min").ids()
    seen = metric_requests(reader)
    again = reader.experiments.filter(id=ids).order_by("metrics.loss.min").ids()
    assert again == first
    # Over HTTP, only what says the run is unchanged: one small answer per run.
    assert all("downsample=100" in url for url in seen)
    assert len(seen) == (len(ids) if reader.direct_reads == "never" else 0)


def test_direct_and_http_reductions_agree_on_every_run(viewer: ViewerEnv) -> None:
    """The edge cases too (overwrites at a step, NaN and Inf, a torn last line, text)."""
    frames = []
    for mode in ("auto", "never"):
        with api.connect(viewer.base_url, direct_reads=mode) as client:
            runs = client.experiments.exclude(status="running")
            frames.append(runs.to_polars(columns=["id", *KEYS]).sort("id"))
    assert frames[0].equals(frames[1])
    assert frames[0].height == len([r for r in viewer.manifest.runs if not r.live])


def test_a_metric_key_no_run_has_names_the_closest(viewer: ViewerEnv) -> None:
    with api.connect(viewer.base_url) as client:
        runs = client.experiments.filter(project="vision")
        with pytest.raises(api.InvalidArgumentError, match=r"metrics\.loss\.last"):
            runs.filter(F("metrics.los.last") < 1).ids()
        with pytest.raises(
            api.InvalidArgumentError,
            match=r"'metrics\.acuracy\.min' \(did you mean 'metrics\.accuracy\.min'",
        ):
            runs.order_by("metrics.acuracy.min").ids()


@pytest.mark.parametrize("key", ["metrics.loss.mean", "metrics.loss", "metrics..last"])
def test_a_bad_reduction_key_is_refused_before_any_request(key: str) -> None:
    with pytest.raises(api.InvalidArgumentError):
        F(key)


@pytest.mark.parametrize("mode", ["auto", "never"])
def test_reductions_are_kept_in_the_metrics_cache(
    viewer: ViewerEnv, tmp_path: Path, mode: Literal["auto", "never"]
) -> None:
    """A new client on the same cache folder answers min/max/count with no whole read;
    a run whose events.jsonl changed is read again."""
    plain = [r for r in _plain_runs(viewer) if r.steps > 100]
    ids = [r.run_id for r in plain]
    keys = ["id", "metrics.loss.min", "metrics.val_loss.count"]
    with api.connect(viewer.base_url, cache_dir=tmp_path, direct_reads=mode) as client:
        first = client.experiments.filter(id=ids).to_polars(columns=keys).sort("id")
    assert len(list(tmp_path.glob("*.summaries.json"))) == len(ids)
    with api.connect(viewer.base_url, cache_dir=tmp_path, direct_reads=mode) as client:
        seen = metric_requests(client)
        again = client.experiments.filter(id=ids).to_polars(columns=keys).sort("id")
    assert again.equals(first)
    assert all("downsample=100" in url for url in seen)
    by_id = {r.run_id: r for r in plain}
    for row in again.to_dicts():
        assert row["metrics.loss.min"] == pytest.approx(
            _expected(by_id[row["id"]])["metrics.loss.min"]
        )
