"""Experiments and projects against both real viewers; expected values from the manifest."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.filters import F
from runicorn_api.resources.experiments import ExperimentCollection
from runicorn_api.testing import RunRecord
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv

Case = tuple[str, Callable[[Any], ExperimentCollection], Callable[[RunRecord], bool]]


def created(run: RunRecord) -> datetime:
    return datetime.fromtimestamp(run.created_time, tz=timezone.utc)


def segment_prefix(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def cases(viewer: ViewerEnv) -> list[Case]:
    m = viewer.manifest
    pivot = m["vit-s0"]
    return [
        ("all", lambda e: e.all(), lambda r: True),
        ("project", lambda e: e.filter(project="vision"), lambda r: r.project == "vision"),
        ("project+name", lambda e: e.filter(project="vision", name="resnet"),
         lambda r: (r.project, r.name) == ("vision", "resnet")),
        ("path", lambda e: e.filter(path="nlp/bert"), lambda r: r.path == "nlp/bert"),
        ("path_prefix", lambda e: e.filter(path_prefix="vision/vit"),
         lambda r: segment_prefix(r.path, "vision/vit")),
        ("status", lambda e: e.filter(status="failed"), lambda r: r.status == "failed"),
        ("statuses", lambda e: e.filter(status=["interrupted", "running"]),
         lambda r: r.status in ("interrupted", "running")),
        ("tags all", lambda e: e.filter(tags=["baseline", "resnet"]),
         lambda r: {"baseline", "resnet"} <= set(r.tags)),
        ("tags any", lambda e: e.filter(tags_any=["vit", "nlp"]),
         lambda r: bool({"vit", "nlp"} & set(r.tags))),
        ("alias", lambda e: e.filter(alias="vit-base"), lambda r: r.alias == "vit-base"),
        ("created_after", lambda e: e.filter(created_after=created(pivot)),
         lambda r: r.created_time >= pivot.created_time),
        ("created_before iso", lambda e: e.filter(created_before=created(pivot).isoformat()),
         lambda r: r.created_time < pivot.created_time),
        ("summary ==", lambda e: e.filter(F("summary.seed") == 1),
         lambda r: r.summary["seed"] == 1),
        ("summary str", lambda e: e.filter(F("summary.optimizer") == "adam", project="nlp"),
         lambda r: r.summary["optimizer"] == "adam" and r.project == "nlp"),
        ("expr & ~", lambda e: e.filter((F("summary.final_accuracy") > 97) & ~F("tags").contains(
            "baseline")),
         lambda r: r.summary["final_accuracy"] > 97 and "baseline" not in r.tags),
        ("expr |", lambda e: e.filter((F("status") == "running") | (F("project") == "rl")),
         lambda r: r.status == "running" or r.project == "rl"),
        ("config", lambda e: e.filter(F("config.batch_size") >= 64),
         lambda r: bool(r.config) and r.config["batch_size"] >= 64),
        ("exclude", lambda e: e.exclude(project="rl"), lambda r: r.project != "rl"),
        ("filter+exclude", lambda e: e.filter(project="vision").exclude(status="finished"),
         lambda r: r.project == "vision" and r.status != "finished"),
        ("exists", lambda e: e.filter(F("summary.nope").exists()), lambda r: False),
    ]  # fmt: skip


def test_filters_match_the_manifest_with_and_without_push_down(viewer: ViewerEnv) -> None:
    repo = viewer.client.experiments
    for label, build, expected in cases(viewer):
        want = {r.run_id for r in viewer.manifest.runs if expected(r)}
        pushed = build(repo)
        local = build(repo).push_down(False)
        assert set(pushed.ids()) == want, label
        assert set(local.ids()) == want, label
        assert len(pushed) == len(want), label


def test_order_by_matches_the_manifest(viewer: ViewerEnv) -> None:
    runs = viewer.manifest.runs
    repo = viewer.client.experiments
    by_time = [r.run_id for r in sorted(runs, key=lambda r: r.created_time)]
    assert repo.order_by("created_at").ids() == by_time
    assert repo.order_by("-created_at").ids() == by_time[::-1]
    by_seed = sorted(runs, key=lambda r: r.created_time, reverse=True)
    by_seed.sort(key=lambda r: r.summary["seed"])
    assert repo.order_by("summary.seed", "-created_at").ids() == [r.run_id for r in by_seed]
    by_best = sorted(runs, key=lambda r: r.created_time)
    by_best.sort(key=lambda r: -(r.best_metric_value or 0))
    by_best.sort(key=lambda r: r.best_metric_value is None)  # missing values go last
    assert repo.order_by("-best_metric.value", "created_at").ids() == [r.run_id for r in by_best]
    vision = repo.filter(project="vision").order_by("-summary.final_accuracy", "created_at")
    expected = sorted((r for r in runs if r.project == "vision"), key=lambda r: r.created_time)
    expected.sort(key=lambda r: r.summary["final_accuracy"], reverse=True)
    assert vision.ids() == [r.run_id for r in expected]


def test_server_order(viewer: ViewerEnv) -> None:
    """0.7.x lists newest first; 0.5.x groups by project, then name."""
    listed = viewer.client.experiments.all().to_list()
    assert {e.id for e in listed} == viewer.manifest.ids()
    if viewer.generation == "0.7":
        newest_first = sorted(viewer.manifest.runs, key=lambda r: r.created_time, reverse=True)
        assert [e.id for e in listed] == [r.run_id for r in newest_first]
    else:
        keys = [(e.project or "", e.name or "") for e in listed]
        assert keys == sorted(keys)


def test_collections_are_lazy_and_cached(viewer: ViewerEnv) -> None:
    client = viewer.client
    with counting(client) as sent:
        coll = client.experiments.filter(project="vision").exclude(status="failed")
        sliced = coll.order_by("-created_at")[1:3]
        repr(coll)
        assert sent == []
        first = list(coll)
        assert len(sent) == 1
        second = list(coll)
        assert len(coll) == len(first)
        assert coll[0] is first[0]
        assert sent == sent[:1]
        assert [e.id for e in second] == [e.id for e in first]
        coll.refresh()
        list(coll)
        assert len(sent) == 2
        assert len(sliced) == 2
        assert len(sent) == 3


def test_slicing_len_first_and_pages(viewer: ViewerEnv) -> None:
    ordered = [r.run_id for r in sorted(viewer.manifest.runs, key=lambda r: r.created_time)]
    coll = viewer.client.experiments.order_by("created_at")
    assert len(coll) == len(ordered)
    assert coll[0].id == ordered[0]
    assert coll[-1].id == ordered[-1]
    assert coll[2:5].ids() == ordered[2:5]
    assert coll[::3].ids() == ordered[::3]
    assert coll[-3:].ids() == ordered[-3:]
    assert coll.order_by("created_at")[3:].first().id == ordered[3]  # type: ignore[union-attr]
    assert viewer.client.experiments.filter(project="no-such").first() is None
    pages = list(coll.iter_pages(page_size=5))
    assert [len(p) for p in pages] == [5] * (len(ordered) // 5) + (
        [len(ordered) % 5] if len(ordered) % 5 else []
    )
    assert [e.id for p in pages for e in p] == ordered
    with pytest.raises(IndexError, match="out of range"):
        coll[len(ordered)]
    with pytest.raises(ValueError, match="page_size"):
        next(coll.iter_pages(page_size=0))


def test_list_experiments_seed_arguments(viewer: ViewerEnv) -> None:
    client = viewer.client
    m = viewer.manifest
    assert {e.id for e in client.list_experiments()} == m.ids()
    assert {e.id for e in client.list_experiments(project="vision")} == m.ids(project="vision")
    assert {e.id for e in client.list_experiments(status="running")} == m.ids(status="running")
    assert {e.id for e in client.list_experiments(project="nlp", name="bert")} == m.ids(
        project="nlp", name="bert"
    )
    everything = [e.id for e in client.list_experiments()]
    pages = [client.list_experiments(limit=5, offset=o) for o in range(0, len(everything), 5)]
    assert [e.id for page in pages for e in page] == everything
    assert all(len(p) == 5 for p in pages[:-1])
    assert client.list_experiments(limit=0) == []
    assert client.list_experiments(offset=len(everything)) == []
    with pytest.raises(ValueError, match="offset must be >= 0"):
        client.list_experiments(offset=-1)
    with pytest.raises(ValueError, match="Unknown status 'done'"):
        client.list_experiments(status="done")


def test_get_experiment(viewer: ViewerEnv) -> None:
    for run in viewer.manifest.runs:
        exp = viewer.client.get_experiment(run.run_id)
        assert exp.id == run.run_id
        assert (exp.project, exp.name, exp.path) == (run.project, run.name, run.path)
        assert exp["status"] == run.status
        assert exp.created_at == created(run)
        assert exp.tags == run.tags
        assert exp.alias == run.alias
        assert exp.summary == run.summary
        expected_config = {**{"note": run.key}, **run.config} if run.config else {}
        assert exp.config == expected_config
        # The 0.5.x SDK writes the best metric at finish(), which the live run never calls.
        best = exp.best_metric
        assert (best.name if best else None) == run.best_metric_name
        assert (best.value if best else None) == run.best_metric_value
        assert exp.is_running == run.live
        if not run.live:
            assert exp.duration is not None
            assert exp.duration >= 0
            assert exp.updated_at is not None
            assert exp.updated_at >= created(run)
    assert viewer.client.get_run is not None
    with pytest.raises(api.NotFoundError, match="Run not found"):
        viewer.client.get_run("20990101_000000_abcdef")
    with pytest.raises(ValueError, match="path separator"):
        viewer.client.get_run("../etc")


def test_details_load_lazily_and_in_bulk(viewer: ViewerEnv) -> None:
    client = viewer.client
    coll = client.experiments.all()
    items = coll.to_list()
    assert not any(e.details_loaded for e in items)
    threads: set[int] = set()
    original = client._transport.request

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.add(threading.get_ident())
        return original(*args, **kwargs)

    client._transport.request = spy  # type: ignore[method-assign]
    try:
        seeds = {e.id: e.summary["seed"] for e in client.experiments.filter(
            F("summary.seed") >= 0)}  # fmt: skip
    finally:
        del client._transport.request
    assert seeds == {r.run_id: r.summary["seed"] for r in viewer.manifest.runs}
    if viewer.generation == "0.7":
        assert len(threads) > 1  # the detail requests ran on the pool, not one by one
    single = items[0]
    assert not single.details_loaded
    assert single.summary == next(r.summary for r in viewer.manifest.runs if r.run_id == single.id)
    assert single.details_loaded


def test_list_projects_counts(viewer: ViewerEnv) -> None:
    projects = {p.name: p for p in viewer.client.list_projects()}
    names = sorted({r.project for r in viewer.manifest.runs})
    assert sorted(projects) == names
    for name in names:
        runs = [r for r in viewer.manifest.runs if r.project == name]
        project = projects[name]
        assert project["experiment_count"] == len(runs)
        for status in ("running", "finished", "failed", "interrupted"):
            assert getattr(project, status) == sum(r.status == status for r in runs), (
                name,
                status,
            )


def test_frames_are_identical_in_pandas_and_polars(viewer: ViewerEnv) -> None:
    coll = viewer.client.experiments.order_by("created_at")
    pdf = coll.to_pandas()
    pldf = coll.to_polars()
    assert list(pdf.columns) == pldf.columns
    dtype_names = {
        "string": "String", "Int64": "Int64", "float64": "Float64", "boolean": "Boolean",
        "datetime64[us, UTC]": "Datetime(time_unit='us', time_zone='UTC')",
        "object": "List(String)",
    }  # fmt: skip
    for column, dtype in zip(pldf.columns, pldf.dtypes, strict=True):
        assert dtype_names[str(pdf[column].dtype)] == str(dtype), column
    for column in pldf.columns:
        left = [None if _isna(v) else _plain(v) for v in pdf[column].tolist()]
        right = [_plain(v) for v in pldf[column].to_list()]
        assert left == right, column
    runs = sorted(viewer.manifest.runs, key=lambda r: r.created_time)
    assert pldf["id"].to_list() == [r.run_id for r in runs]
    assert pldf["summary.seed"].to_list() == [r.summary["seed"] for r in runs]
    assert pldf["summary.optimizer"].to_list() == [r.summary["optimizer"] for r in runs]
    assert pldf["tags"].to_list() == [r.tags for r in runs]
    if viewer.generation == "0.7":
        assert pldf["config.batch_size"].to_list() == [r.config["batch_size"] for r in runs]
    else:
        assert not any(c.startswith("config.") for c in pldf.columns)
    narrow = coll.to_polars(columns=["id", "status"])
    assert narrow.columns == ["id", "status"]
    assert narrow["status"].to_list() == [r.status for r in runs]
    with pytest.raises(KeyError, match="Unknown column 'nope'"):
        coll.to_pandas(columns=["id", "nope"])


def _isna(value: Any) -> bool:
    import pandas as pd

    return not isinstance(value, list) and bool(pd.isna(value))


def _plain(value: Any) -> Any:
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def test_writes_tags_alias_and_move(viewer: ViewerEnv) -> None:
    client = viewer.client
    run = viewer.manifest["gpt-s0"]
    if viewer.generation == "0.5":
        with counting(client) as sent:
            with pytest.raises(api.UnsupportedFeatureError, match=r"0\.7\.x viewer only"):
                client.experiments.update(run.run_id, tags=["x"])
            with pytest.raises(api.UnsupportedFeatureError, match=r"runicorn 0\.5"):
                client.experiments.move(run.run_id, "nlp/elsewhere")
        assert sent == []
        return
    exp = client.get_run(run.run_id)
    try:
        exp.set_tags(["  fresh ", "nlp", ""])
        assert exp.tags == ["fresh", "nlp"]
        exp.set_alias("gpt-renamed")
        assert exp.alias == "gpt-renamed"
        assert client.experiments.filter(tags="fresh").ids() == [run.run_id]
        assert client.experiments.filter(alias="gpt-renamed").ids() == [run.run_id]
        exp.move_to("nlp/gpt-moved")
        assert exp.path == "nlp/gpt-moved"
        assert client.experiments.filter(path="nlp/gpt-moved").ids() == [run.run_id]
    finally:
        client.experiments.move(run.run_id, run.path)
        client.experiments.update(run.run_id, tags=run.tags, alias=run.alias)
    restored = client.get_run(run.run_id)
    assert (restored.path, restored.tags, restored.alias) == (run.path, run.tags, run.alias)
    with pytest.raises(ValueError, match="YYYYMMDD_HHMMSS"):
        client.experiments.update("not_an_id", tags=[])


def test_soft_delete_and_restore(viewer: ViewerEnv) -> None:
    client = viewer.client
    run = viewer.manifest["ppo-s1"]
    result = client.experiments.delete(run.run_id)
    try:
        assert result.succeeded == [run.run_id]
        assert run.run_id not in client.experiments.all().ids()
        binned = {d.id: d for d in client.recycle_bin.list()}
        assert run.run_id in binned
        assert binned[run.run_id].original_status == run.status
        assert binned[run.run_id].path == run.path
        with pytest.raises(api.NotFoundError):
            client.get_run(run.run_id)
    finally:
        restored = client.recycle_bin.restore(run.run_id)
    assert restored.succeeded == [run.run_id]
    assert run.run_id in client.experiments.all().ids()
    with pytest.raises(api.RunicornAPIError, match="Could not delete 1 of 1 runs"):
        client.experiments.delete("20990101_000000_abcdef")
    with pytest.raises(ValueError, match="confirm=True"):
        client.recycle_bin.empty()


def test_bad_filters_fail_before_any_request(viewer: ViewerEnv) -> None:
    client = viewer.client
    with counting(client) as sent:
        with pytest.raises(TypeError, match="Unknown filter 'colour'"):
            client.experiments.filter(colour="red")
        with pytest.raises(ValueError, match="naive datetime"):
            client.experiments.filter(created_after=datetime(2025, 1, 1))
        with pytest.raises(TypeError, match="and/or/not"):
            client.experiments.filter((F("status") == "failed") and (F("project") == "rl"))
        with pytest.raises(TypeError, match=r"F\(\.\.\.\) expressions"):
            client.experiments.filter("status == failed")  # type: ignore[arg-type]
    assert sent == []


def test_reprs(viewer: ViewerEnv) -> None:
    run = viewer.manifest["bert-s0"]
    coll = viewer.client.experiments.filter(path="nlp/bert")
    assert repr(coll) == "<ExperimentCollection where F('path') == 'nlp/bert' (not fetched yet)>"
    assert "not fetched yet" in coll._repr_html_()
    ids = coll.ids()
    assert f"{len(ids)} experiments" in repr(coll)
    assert f"{len(ids)} experiments" in coll._repr_html_()
    exp = viewer.client.get_run(run.run_id)
    assert repr(exp).startswith(f"Experiment(id='{run.run_id}', path='{run.path}'")
    assert f"<td style='text-align:left'>{run.run_id}</td>" in exp._repr_html_()
    assert repr(coll[1:]).endswith("[1:] (not fetched yet)>")


def test_a_key_no_run_has_is_named_not_silently_empty(viewer: ViewerEnv) -> None:
    runs = viewer.client.experiments.filter(project="vision")
    with pytest.raises(
        api.InvalidArgumentError, match=r"'sumary\.seed' \(did you mean 'summary\.seed'"
    ) as info:
        runs.filter(F("sumary.seed") > 0).to_list()
    assert "F(key).exists()" in str(info.value)
    with pytest.raises(
        api.InvalidArgumentError,
        match=r"order_by: .*'best_metic\.value' \(did you mean 'best_metric\.value'",
    ):
        runs.order_by("-best_metic.value").to_list()
    # asked on purpose, a key no run has is simply absent
    assert runs.filter(F("summary.no_such_key").exists()).to_list() == []
    assert len(runs.exclude(F("summary.no_such_key").exists())) == len(runs)
    # a key some runs have keeps its SQL-NULL meaning for the others
    seeded = [r for r in viewer.manifest.runs if r.project == "vision" and "seed" in r.summary]
    assert {e.id for e in runs.filter(F("summary.seed") >= 0)} >= {
        r.run_id for r in seeded if not r.live
    }
