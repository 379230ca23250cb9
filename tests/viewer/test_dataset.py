"""``write_dataset``: a hive-partitioned parquet dataset read back lazily by polars and
DuckDB, compared with ``to_polars()`` and with what the writer logged; a second call
rewrites only the runs that are new or changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

import runicorn_api as api
from runicorn_api.testing.copies import expected_rows, specs_for, write_runs
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv

COLUMNS = ["run_id", "step", "metric", "value", "timestamp"]


def _scan(folder: Path) -> pl.DataFrame:
    lazy = pl.scan_parquet(folder / "metrics", hive_partitioning=True)
    return lazy.select(COLUMNS).sort("run_id", "step", "metric").collect()


@pytest.mark.parametrize("direct_reads", ["auto", "never"])
def test_dataset_round_trips_through_polars_and_duckdb(
    viewer: ViewerEnv, tmp_path: Path, direct_reads: str
) -> None:
    with api.connect(viewer.base_url, direct_reads=direct_reads) as client:  # type: ignore[arg-type]
        runs = client.experiments.filter(project="vision").exclude(status="running")
        blind = viewer.generation == "0.5" and direct_reads == "never"
        if blind:  # 0.5.x serves summary and config only from the run folders
            with pytest.warns(UserWarning, match="listing's columns"):
                report = runs.write_dataset(tmp_path / "ds")
        else:
            report = runs.write_dataset(tmp_path / "ds")
        assert report.details is not blind
        expected_ids = {r.run_id for r in viewer.manifest.runs
                        if r.project == "vision" and r.status != "running"}  # fmt: skip
        assert set(report.written) == expected_ids
        assert report.unchanged == []
        frame = runs.metrics().to_polars().select(COLUMNS).sort("run_id", "step", "metric")
    scanned = _scan(tmp_path / "ds")
    assert scanned.equals(frame)
    assert set(scanned["run_id"].unique()) == expected_ids
    partitions = pl.scan_parquet(tmp_path / "ds" / "metrics", hive_partitioning=True)
    assert set(partitions.select("project").unique().collect()["project"]) == {"vision"}
    glob = str(tmp_path / "ds" / "metrics" / "**" / "*.parquet")
    counts = dict(duckdb.sql(
        f"SELECT run_id, count(*) FROM read_parquet('{glob}', hive_partitioning = true) "
        "WHERE metric = 'loss' AND value IS NOT NULL GROUP BY run_id"
    ).fetchall())  # fmt: skip
    for run in viewer.manifest.runs:
        if run.run_id in expected_ids:
            assert counts[run.run_id] == sum(r["loss"] is not None for r in expected_rows(run))
    table = pl.read_parquet(tmp_path / "ds" / "runs.parquet")
    assert set(table["id"]) == expected_ids
    if not blind:
        optimizers = dict(zip(table["id"], table["summary.optimizer"], strict=True))
        assert optimizers == {r.run_id: r.summary["optimizer"] for r in viewer.manifest.runs
                              if r.run_id in expected_ids}  # fmt: skip


def test_dask_reads_the_dataset_on_a_local_cluster(viewer: ViewerEnv, tmp_path: Path) -> None:
    """Beyond one process: the dataset read back by dask.dataframe on a real
    distributed.LocalCluster with worker processes, holding the logged values."""
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    with api.connect(viewer.base_url) as client:
        runs = client.experiments.filter(project="vision", status="finished")
        runs.write_dataset(tmp_path / "ds", metric_names=["loss"])
        ids = set(runs.ids())
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):  # fmt: skip
        assert len(dask_client.scheduler_info()["workers"]) == 2
        points = dd.read_parquet(str(tmp_path / "ds" / "metrics"))
        loss = points[points["metric"] == "loss"]
        counts = loss.groupby("run_id")["value"].count().compute()
        last = loss.sort_values("step").groupby("run_id")["value"].last().compute()
    for run in viewer.manifest.runs:
        if run.run_id not in ids:
            continue
        logged = [r["loss"] for r in expected_rows(run) if r["loss"] is not None]
        assert counts[run.run_id] == len(logged)
        assert last[run.run_id] == pytest.approx(logged[-1])
    assert {str(i) for i in counts.index} == ids


def test_a_second_write_rewrites_only_new_or_changed_runs(
    viewer: ViewerEnv, tmp_path: Path
) -> None:
    spec = specs_for(viewer.generation, [
        {"key": "kept", "project": "ds", "tail": "a", "status": "finished", "seed": 0,
         "steps": 40},
        {"key": "gone", "project": "ds", "tail": "b", "status": "finished", "seed": 1,
         "steps": 40},
        {"key": "growing", "project": "ds", "tail": "c", "status": "running", "seed": 2,
         "steps": 30, "live": True},
    ])  # fmt: skip
    manifest, live = write_runs(viewer.prepared.python, viewer.version, tmp_path / "storage",
                                spec, scratch=tmp_path / "scratch",
                                home=tmp_path / "home")  # fmt: skip
    assert live is not None
    kept, gone, growing = (manifest[k].run_id for k in ("kept", "gone", "growing"))
    try:
        with api.local(tmp_path / "storage", python=viewer.prepared.python,
                       home=tmp_path / "viewer-home") as local:  # fmt: skip
            for mode in ("auto", "never"):
                folder = tmp_path / f"ds-{mode}"
                blind = viewer.generation == "0.5" and mode == "never"

                def write(runs: Any, folder: Path = folder, blind: bool = blind) -> Any:
                    if not blind:
                        return runs.write_dataset(folder, partition_by="path")
                    with pytest.warns(UserWarning, match="listing's columns"):
                        return runs.write_dataset(folder, partition_by="path")

                with api.connect(local.base_url, direct_reads=mode) as client:  # type: ignore[arg-type]
                    everything = client.experiments.filter(project="ds")
                    first = write(everything)
                    assert sorted(first.written) == sorted([kept, gone, growing])
                    files = {p.parent.name: p for p in (folder / "metrics").rglob("*.parquet")}
                    mtimes = {k: p.stat().st_mtime_ns for k, p in files.items()}
                    again = write(client.experiments.filter(project="ds"))
                    assert again.written == []
                    assert sorted(again.unchanged) == sorted([kept, gone, growing])
                    assert {k: p.stat().st_mtime_ns for k, p in files.items()} == mtimes
                    live.log_step()
                    narrower = client.experiments.filter(project="ds", ids=[kept, growing])
                    third = write(narrower)
                    assert third.written == [growing]
                    assert third.unchanged == [kept]
                    assert third.removed == [gone]
                    assert not files[f"run_id={gone}"].exists()
                    assert files[f"run_id={kept}"].stat().st_mtime_ns == mtimes[f"run_id={kept}"]
                    scanned = _scan(folder)
                    assert set(scanned["run_id"].unique()) == {kept, growing}
                    steps = scanned.filter(pl.col("run_id") == growing)["step"].max()
                    assert steps == manifest["growing"].last_step
                    paths = pl.scan_parquet(folder / "metrics", hive_partitioning=True)
                    assert set(paths.select("path").unique().collect()["path"]) == {
                        manifest["kept"].path, manifest["growing"].path}  # fmt: skip
    finally:
        live.stop()


def test_bad_dataset_arguments_fail_before_a_request(viewer: ViewerEnv, tmp_path: Path) -> None:
    runs = viewer.client.experiments.filter(project="vision")
    with counting(viewer.client) as sent, pytest.raises(api.InvalidArgumentError, match="path"):
        runs.write_dataset(tmp_path, partition_by="run")  # type: ignore[arg-type]
    assert sent == []
