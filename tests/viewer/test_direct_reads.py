"""Direct reads of run folders against both real viewers.

The viewer's own HTTP answer is the reference: a client that reads ``events.jsonl`` itself
must give exactly the same metrics for every run of the data set, edge cases included.
Expected values for the edge cases come from what the fixture's writer logged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.models.metrics import RunMetrics
from runicorn_api.testing.copies import expected_rows
from runicorn_api.testing.writer import (
    DUPLICATE_EVERY,
    RAW_STEPS,
    SPARSE_EVERY,
    SPECIALS,
    metric_row,
    overridden_loss,
)
from tests.support.counting import counting
from tests.support.rewriting_proxy import rewriting_proxy
from tests.support.viewers import ViewerEnv


@pytest.fixture
def over_http(viewer: ViewerEnv) -> Iterator[api.RunicornClient]:
    client = api.connect(viewer.base_url, direct_reads="never")
    yield client
    client.close()


def assert_same(direct: RunMetrics, http: RunMetrics) -> None:
    """Everything a reader can see is identical (floats compared exactly)."""
    assert direct.names == http.names
    assert direct.steps == http.steps
    assert direct.timestamps == http.timestamps
    for name in http.names:
        assert direct.columns[name] == http.columns[name], name
        assert direct[name].null_steps == http[name].null_steps, name
        assert direct[name].steps == http[name].steps, name
    assert direct.text_columns == http.text_columns
    assert (direct.total, direct.sampled, direct.last_step) == (
        http.total,
        http.sampled,
        http.last_step,
    )


def test_every_run_reads_the_same_directly_and_over_http(
    viewer: ViewerEnv, over_http: api.RunicornClient
) -> None:
    for run in viewer.manifest.runs:
        direct = viewer.client.get_metrics(run.run_id)
        http = over_http.get_metrics(run.run_id)
        assert direct.source == "storage", run.key
        assert http.source == "viewer", run.key
        assert_same(direct, http)
        assert len(direct.steps) > 0, run.key
    # Many runs at once: fresh folders are parsed together, several per polars call.
    with api.connect(viewer.base_url) as fresh:
        together = fresh.experiments.filter().metrics().to_list()
    alone = over_http.experiments.filter().metrics().to_list()
    assert [m.run_id for m in together] == [m.run_id for m in alone]
    assert len(together) == len(viewer.manifest.runs)
    for direct, http in zip(together, alone, strict=True):
        assert direct.source == "storage"
        assert_same(direct, http)


def test_the_edge_cases_are_what_was_logged(viewer: ViewerEnv) -> None:
    client = viewer.client
    specials = viewer.manifest["edge-specials"]
    metrics = client.get_metrics(specials.run_id)
    assert metrics["loss"].null_steps == sorted(SPECIALS)  # NaN, +Inf and -Inf → null
    sparse = [s for s in range(1, specials.steps + 1) if s % SPARSE_EVERY == 0]
    assert metrics["eval_acc"].steps == sparse
    assert metrics["eval_acc"].values == [s / specials.steps for s in sparse]
    assert metrics["eval_acc"].null_steps == []

    dup = viewer.manifest["edge-duplicates"]
    metrics = client.get_metrics(dup.run_id)
    assert metrics.steps == list(range(1, dup.steps + 1))
    tenth = list(range(DUPLICATE_EVERY, dup.steps + 1, DUPLICATE_EVERY))
    assert metrics["extra"].steps == tenth
    assert metrics["extra"].values == [2.0 * s for s in tenth]
    loss = dict(zip(metrics["loss"].steps, metrics["loss"].values, strict=True))
    for step in range(1, dup.steps + 1):
        logged = metric_row(dup.seed, step, dup.steps, None, dup.skill)["loss"]
        assert loss[step] == (overridden_loss(logged) if step % DUPLICATE_EVERY == 0 else logged)

    raw = viewer.manifest["edge-raw-steps"]
    metrics = client.get_metrics(raw.run_id)
    assert metrics.steps == list(range(1, raw.steps + RAW_STEPS + 1))  # torn line skipped
    tail = [metric_row(raw.seed, s, raw.steps, None, raw.skill)["accuracy"]
            for s in range(raw.steps + 1, raw.steps + RAW_STEPS + 1)]  # fmt: skip
    assert metrics["accuracy"].values[-RAW_STEPS:] == tail

    text = viewer.manifest["edge-text"]
    metrics = client.get_metrics(text.run_id)
    half = text.steps // 2
    assert metrics.text_columns["stage"] == ["train"] * half + ["val"] * (text.steps - half)
    assert metrics["loss"].values == [
        metric_row(text.seed, s, text.steps, None, text.skill)["loss"]
        for s in range(1, text.steps + 1)
    ]


def test_the_seed_reads_a_series_as_points(viewer: ViewerEnv) -> None:
    run = viewer.manifest["resnet-s0"]
    metrics = viewer.client.get_metrics(run.run_id, metric_names=["accuracy", "loss"])
    points = metrics["metrics"]["accuracy"]
    assert points is metrics["accuracy"]
    expected = [r["accuracy"] for r in expected_rows(run)]
    assert max(p["value"] for p in points) == max(expected)
    assert [p.step for p in points] == list(range(1, run.steps + 1))
    assert len(points) == run.steps
    assert points[0]["value"] == expected[0]
    assert points[-1].timestamp == metrics.timestamps[-1]
    assert points[10:20].steps == list(range(11, 21))
    for name, series in metrics["metrics"].items():
        values = [p["value"] for p in series]
        assert min(values) == series.min_value(), name


def test_downsample_is_the_viewers_lttb(viewer: ViewerEnv, over_http: api.RunicornClient) -> None:
    run = viewer.manifest["big"]
    direct = viewer.client.get_metrics(run.run_id, downsample=500)
    assert_same(direct, over_http.get_metrics(run.run_id, downsample=500))
    assert direct.sampled == 500
    assert direct.total == run.steps


def test_a_growing_run_reads_whole_rows_and_only_new_bytes(viewer: ViewerEnv) -> None:
    client, live = viewer.client, viewer.live
    record = live.record
    first = client.get_metrics(record.run_id)
    assert first.source == "storage"
    events = Path(record.run_dir) / "events.jsonl"
    reader = client.metrics._files.get(events)
    assert reader.offset == events.stat().st_size
    fed: list[int] = []
    real_feed = reader.rows.feed

    def counting_feed(chunk: bytes) -> None:
        fed.append(len(chunk))
        real_feed(chunk)

    reader.rows.feed = counting_feed  # type: ignore[method-assign]
    before = events.stat().st_size
    steps_written = 60

    def write() -> None:
        for _ in range(steps_written):
            live.log_step()

    writer = threading.Thread(target=write)
    writer.start()
    seen = []
    try:
        while writer.is_alive() or not seen:
            metrics = client.get_metrics(record.run_id)
            last = metrics.steps[-1]
            assert metrics.steps == list(range(1, last + 1))  # never a torn or missing row
            for name in ("loss", "accuracy", "lr"):
                assert metrics.columns[name][-1] is not None, (name, last)
            seen.append(last)
    finally:
        writer.join(timeout=120)
    final = client.get_metrics(record.run_id)
    assert final.steps[-1] == record.last_step
    assert seen == sorted(seen)
    expected = expected_rows(record)
    assert final["loss"].values == [r["loss"] for r in expected]
    assert sum(fed) == events.stat().st_size - before  # each byte parsed once
    with api.connect(viewer.base_url, direct_reads="never") as http:
        assert_same(final, http.get_metrics(record.run_id))


def test_many_runs_read_directly_with_no_metrics_request(
    viewer: ViewerEnv, over_http: api.RunicornClient
) -> None:
    coll = viewer.client.experiments.filter(project="vision")
    with counting(viewer.client) as sent:
        frame = coll.metrics(["loss", "val_loss"]).to_polars()
    assert not [s for s in sent if "/metrics" in s or s.startswith("GET /api/runs/")]
    http = over_http.experiments.filter(project="vision").metrics(["loss", "val_loss"])
    assert frame.equals(http.to_polars())
    assert [m.source for m in coll.metrics()] == ["storage"] * len(coll)


def test_runs_parsed_together_are_read_without_the_pool(
    viewer: ViewerEnv, over_http: api.RunicornClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs whose folders were just parsed together are read in the calling thread;
    the pool is for runs asked from the viewer."""
    submitted: list[Any] = []
    submit = ThreadPoolExecutor.submit

    def counted(pool: ThreadPoolExecutor, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        submitted.append(fn)
        return submit(pool, fn, *args, **kwargs)

    monkeypatch.setattr(ThreadPoolExecutor, "submit", counted)
    runs = viewer.client.experiments.filter(project="vision").to_list()
    direct = viewer.client.experiments.filter(project="vision").metrics().to_list()
    assert [m.source for m in direct] == ["storage"] * len(runs)
    assert submitted == []
    http = over_http.experiments.filter(project="vision").metrics().to_list()
    assert len(submitted) == len(runs)
    for d, h in zip(direct, http, strict=True):
        assert_same(d, h)


def test_a_folder_replaced_after_its_proof_is_proven_again(
    viewer: ViewerEnv, over_http: api.RunicornClient, tmp_path: Path
) -> None:
    """A client remembers a folder's proof only while its meta.json is unchanged: a decoy
    swapped in afterwards is noticed, and the viewer asked."""
    copy = tmp_path / "storage"
    shutil.copytree(viewer.prepared.storage, copy, symlinks=True)
    run, other = viewer.manifest["resnet-s1"], viewer.manifest["vit-s0"]
    folder = copy / Path(run.run_dir).relative_to(viewer.prepared.storage)
    truth = over_http.get_metrics(run.run_id)
    with (
        rewriting_proxy(viewer.base_url, str(viewer.prepared.storage), str(copy)) as url,
        api.connect(url) as client,
    ):
        assert client.get_metrics(run.run_id).source == "storage"
        (folder / "meta.json").write_text(Path(other.run_dir, "meta.json").read_text())
        (folder / "events.jsonl").write_bytes(Path(other.run_dir, "events.jsonl").read_bytes())
        got = client.get_metrics(run.run_id)
        assert got.source == "viewer"
        assert_same(got, truth)


def decoy(viewer: ViewerEnv, root: Path, *, same_id: bool) -> None:
    """A copy of the storage at ``root`` in which each run folder holds other data: another
    run's files (``same_id=False``), or the same run id made at another time and by
    another process."""
    shutil.copytree(viewer.prepared.storage, root, symlinks=True)
    runs = viewer.manifest.runs
    for run, other in zip(runs, runs[1:] + runs[:1], strict=True):
        here = root / Path(run.run_dir).relative_to(viewer.prepared.storage)
        there = Path(other.run_dir)
        (here / "events.jsonl").write_bytes((there / "events.jsonl").read_bytes())
        meta = json.loads((here / "meta.json").read_text())
        if same_id:
            meta["created_at"] = meta["created_at"] - 3600
            meta["pid"] = (meta.get("pid") or 0) + 1
        else:
            meta = json.loads((there / "meta.json").read_text())
        (here / "meta.json").write_text(json.dumps(meta))


@pytest.mark.parametrize("same_id", [False, True], ids=["other-run", "same-id-other-time"])
def test_a_decoy_folder_at_the_same_path_is_never_read(
    viewer: ViewerEnv, over_http: api.RunicornClient, tmp_path: Path, same_id: bool
) -> None:
    """A remote viewer's run_dir that exists here with other data: "auto" must notice and
    ask the viewer. The proxy makes the viewer report paths under the decoy folder."""
    fake = tmp_path / "storage"
    decoy(viewer, fake, same_id=same_id)
    storage = str(viewer.prepared.storage)
    run = viewer.manifest["resnet-s1"]
    truth = over_http.get_metrics(run.run_id)
    with rewriting_proxy(viewer.base_url, storage, str(fake)) as url:
        with api.connect(url) as client:
            got = client.get_metrics(run.run_id)
            assert got.source == "viewer"
            assert_same(got, truth)
            many = client.experiments.filter(project="vision").metrics(["loss"]).to_list()
            assert {m.source for m in many} == {"viewer"}
        with (
            api.connect(url, direct_reads="always") as client,
            pytest.raises(api.UnsupportedFeatureError, match="names another"),
        ):
            client.get_metrics(run.run_id)


def test_always_raises_where_the_storage_is_not_here(
    viewer: ViewerEnv, over_http: api.RunicornClient, tmp_path: Path
) -> None:
    storage = str(viewer.prepared.storage)
    run = viewer.manifest["vit-s0"]
    with rewriting_proxy(viewer.base_url, storage, str(tmp_path / "elsewhere")) as url:
        with api.connect(url, direct_reads="always") as client:
            assert client.server.direct_reads == "always"
            with pytest.raises(api.UnsupportedFeatureError, match="does not exist on this"):
                client.get_metrics(run.run_id)
        with api.connect(url) as client:
            assert_same(client.get_metrics(run.run_id), over_http.get_metrics(run.run_id))
    with pytest.raises(ValueError, match="direct_reads must be one of auto, always, never"):
        api.connect(viewer.base_url, direct_reads="sometimes")  # type: ignore[arg-type]


# Storage paths opened by this process while a "never" client works (see the audit hook).
_OPENED: list[str] = []
_WATCH: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _WATCH and event in ("open", "os.listdir", "os.scandir") and args:
        path = os.fsdecode(args[0]) if isinstance(args[0], str | bytes | os.PathLike) else ""
        if path.startswith(_WATCH[0]):
            _OPENED.append(path)


sys.addaudithook(_audit)


def test_a_never_client_opens_no_storage_file(viewer: ViewerEnv, tmp_path: Path) -> None:
    run = viewer.manifest["bert-s1"]
    _WATCH.append(str(viewer.prepared.storage))
    try:
        with api.connect(viewer.base_url, direct_reads="never", cache_dir=tmp_path) as client:
            client.get_metrics(run.run_id)
            client.get_metrics(run.run_id)  # a cache hit, checked over HTTP
            client.experiments.filter(project="nlp").metrics().to_list()
            client.list_experiments()
    finally:
        _WATCH.clear()
    assert _OPENED == []


NEVER_SCRIPT = """
import json, sys
import runicorn_api as api
url, run_id, cache = sys.argv[1:4]
out = {}
with api.connect(url, direct_reads="never", cache_dir=cache) as client:
    m = client.get_metrics(run_id)
    again = client.get_metrics(run_id)
    out["never"] = [m.source, again.source, m.steps[-1], m["loss"].values[-1], len(m.names)]
    many = client.experiments.filter(project="nlp").metrics(["loss"]).to_list()
    out["many"] = sorted({x.source for x in many})
with api.connect(url) as client:
    m = client.get_metrics(run_id)
    out["auto"] = [m.source, m.steps[-1]]
with api.connect(url, direct_reads="always") as client:
    try:
        client.get_metrics(run_id)
        out["always"] = "read"
    except api.UnsupportedFeatureError as err:
        out["always"] = str(err)
print(json.dumps(out))
"""


def hidden_storage(storage: Path, *command: str) -> list[str]:
    """``command`` in its own mount namespace, where an empty tmpfs covers ``storage``: the
    process cannot see the storage while the viewer (outside) keeps serving it."""
    mount = 'mount -t tmpfs -o mode=000 none "$0" && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", mount,
            str(storage), *command]  # fmt: skip


def test_never_works_where_the_storage_is_unreadable(viewer: ViewerEnv, tmp_path: Path) -> None:
    storage = viewer.prepared.storage
    probe_code = f"import os; print(os.listdir({str(storage)!r}))"
    probe = subprocess.run(hidden_storage(storage, sys.executable, "-c", probe_code),
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    if probe.returncode != 0:
        pytest.skip(f"cannot hide the storage in a mount namespace here: {probe.stderr[-300:]}")
    assert probe.stdout.strip() == "[]"  # the storage is out of this process's reach
    assert os.listdir(storage)  # ... while the viewer's is intact
    run = viewer.manifest["resnet-s0"]
    done = subprocess.run(
        hidden_storage(storage, sys.executable, "-c", NEVER_SCRIPT, viewer.base_url,
                       run.run_id, str(tmp_path / "cache")),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    last = expected_rows(run)[-1]
    assert out["never"][:3] == ["viewer", "cache", run.steps]
    assert out["never"][3] == last["loss"]
    assert out["never"][4] == 4
    assert out["many"] == ["viewer"]
    assert out["auto"] == ["viewer", run.steps]
    assert f"direct_reads='always' cannot read metrics of run {run.run_id}" in out["always"]


def test_without_polars_columns_are_arrays_and_answers_the_same(
    viewer: ViewerEnv, over_http: api.RunicornClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without polars the columns are stdlib arrays, the body goes through pydantic-core
    and events.jsonl through the exact parser: the same answers either way."""
    from runicorn_api._common import deps

    runs = [viewer.manifest[k] for k in ("bert-s1", "edge-duplicates", "edge-text")]
    with_polars = [over_http.get_metrics(r.run_id) for r in runs]
    monkeypatch.setitem(deps._AVAILABLE, "polars", False)
    with (
        api.connect(viewer.base_url) as direct,
        api.connect(viewer.base_url, direct_reads="never") as http,
    ):
        for run, reference in zip(runs, with_polars, strict=True):
            for client, source in ((direct, "storage"), (http, "viewer")):
                metrics = client.get_metrics(run.run_id)
                assert metrics.source == source
                assert not metrics.steps.is_polars
                assert all(not c.is_polars for c in metrics.columns.values())
                assert_same(metrics, reference)
                frame = metrics.to_pandas(wide=True)
                assert frame["step"].tolist() == reference.steps.to_list()
