"""``runicorn-api`` run as a subprocess (stdout a pipe, not a TTY) against the real viewers.

Its JSON and CSV output is parsed and compared with what the data set's writer logged.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import socket
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import runicorn_api as api
from runicorn_api.testing.copies import expected_rows
from tests.support.cli import CLI, run_cli
from tests.support.expected import expected_versions
from tests.support.viewers import ViewerEnv


def ok(*args: str, url: str | None = None) -> str:
    done = run_cli(*args, url=url)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout  # no colour when piped
    return done.stdout


def as_json(*args: str, url: str | None = None) -> Any:
    return json.loads(ok(*args, "--format", "json", url=url))


def as_csv(*args: str, url: str | None = None) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(ok(*args, "--format", "csv", url=url))))


def test_health_in_every_format(viewer: ViewerEnv) -> None:
    url = viewer.base_url
    (row,) = as_json("health", "--url", url)
    assert row["status"] == "ok"
    assert row["generation"] == viewer.generation
    assert row["version"] == viewer.client.server.version
    assert row["storage"] is None or Path(row["storage"]) == viewer.prepared.storage
    (by_env,) = as_csv("health", url=url)  # $RUNICORN_VIEWER_URL
    assert by_env["generation"] == viewer.generation
    assert by_env["url"] == url.rstrip("/")
    table = ok("health", "--url", url)
    assert viewer.generation in table
    assert "status" in table


def test_projects(viewer: ViewerEnv) -> None:
    rows = as_json("projects", "--url", viewer.base_url)
    assert {r.project for r in viewer.manifest.runs} == {r["name"] for r in rows}
    by_name = {r["name"]: r for r in rows}
    finished = [r for r in viewer.manifest.runs if r.project == "vision" and r.status == "finished"]
    assert by_name["vision"]["finished"] == len(finished)


def test_runs_ls_filters_and_formats(viewer: ViewerEnv) -> None:
    url = viewer.base_url
    rows = as_json("runs", "ls", "--url", url, "--project", "vision", "--status", "finished")
    assert {r["id"] for r in rows} == viewer.manifest.ids(project="vision", status="finished")
    created = [r["created_at"] for r in rows]
    assert created == sorted(created, reverse=True)  # newest first
    two = as_csv("runs", "ls", "--url", url, "--status", "finished", "--status", "failed",
                 "--limit", "2")  # fmt: skip
    assert [r["id"] for r in two] == [r["id"] for r in as_json(
        "runs", "ls", "--url", url, "--status", "finished", "--status", "failed")][:2]  # fmt: skip
    nested = as_json("runs", "ls", "--url", url, "--path-prefix", "vision/vit")
    assert {r["id"] for r in nested} == {r.run_id for r in viewer.manifest.runs
                                         if f"{r.path}/".startswith("vision/vit/")}  # fmt: skip
    tagged = as_json("runs", "ls", "--url", url, "--tag", "baseline")
    assert {r["id"] for r in tagged} == {r.run_id for r in viewer.manifest.runs
                                         if "baseline" in r.tags}  # fmt: skip
    assert as_json("runs", "ls", "--url", url, "--created-after", "2999-01-01") == []
    everything = {r.run_id for r in viewer.manifest.runs}
    since = min(r.created_time for r in viewer.manifest.runs)
    iso = datetime.fromtimestamp(since - 1, timezone.utc).isoformat()
    assert {r["id"] for r in as_json("runs", "ls", "--url", url, "--created-after", iso)} >= (
        everything - viewer.manifest.ids(live=True)
    )
    table = ok("runs", "ls", "--url", url, "--project", "vision")
    assert table.splitlines()[0].split()[:3] == ["id", "path", "status"]  # plain, in a pipe


def test_runs_show(viewer: ViewerEnv) -> None:
    run = viewer.manifest["resnet-s0"]
    (shown,) = as_json("runs", "show", run.run_id, "--url", viewer.base_url)
    assert shown["id"] == run.run_id
    assert shown["path"] == run.path
    assert shown["status"] == run.status
    assert shown["summary"]["optimizer"] == run.summary["optimizer"]
    assert run.run_id in ok("runs", "show", run.run_id, "--url", viewer.base_url)


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b))


def test_metrics_in_csv_json_and_parquet(viewer: ViewerEnv, tmp_path: Path) -> None:
    a, b = viewer.manifest["resnet-s0"], viewer.manifest["vit-s0"]
    url = viewer.base_url
    rows = as_csv("metrics", a.run_id, "--metric", "loss", "--url", url)
    expected = [r["loss"] for r in expected_rows(a)]
    assert [int(r["step"]) for r in rows] == list(range(1, a.steps + 1))
    assert {r["metric"] for r in rows} == {"loss"}
    assert all(_close(float(r["value"]), e) for r, e in zip(rows, expected, strict=True))
    js = as_json("metrics", a.run_id, b.run_id, "--metric", "val_loss", "--url", url)
    assert {r["run_id"] for r in js} == {a.run_id, b.run_id}
    got_b = [r["value"] for r in js if r["run_id"] == b.run_id]
    assert got_b == pytest.approx([r["val_loss"] for r in expected_rows(b) if r["val_loss"]])
    out = tmp_path / "m.parquet"
    ok("metrics", a.run_id, "--url", url, "--format", "parquet", "--out", str(out))
    frame = pl.read_parquet(out)
    assert set(frame["metric"].unique()) == {"loss", "accuracy", "lr", "val_loss"}
    assert frame.filter(pl.col("metric") == "accuracy").height == a.steps


def test_export(viewer: ViewerEnv, tmp_path: Path) -> None:
    run = viewer.manifest["resnet-s1"]
    body = json.loads(ok("export", run.run_id, "--url", viewer.base_url))
    assert json.dumps(body).count(run.run_id) >= 1
    out = tmp_path / "run.csv"
    ok("export", run.run_id, "--url", viewer.base_url, "--format", "csv", "--out", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len([r for r in rows if r["metric"] == "loss"]) == run.steps


def test_artifacts_ls_versions_download(viewer: ViewerEnv, tmp_path: Path) -> None:
    url = viewer.base_url
    expected = expected_versions(viewer)
    listed = as_json("artifacts", "ls", "--url", url)
    assert set(expected) <= {a["name"] for a in listed}
    models = as_csv("artifacts", "ls", "--url", url, "--type", "model")
    assert {a["type"] for a in models} == {"model"}
    versions = as_json("artifacts", "versions", "resnet-model", "--url", url)
    assert sorted(v["version"] for v in versions) == [v.version for v in expected["resnet-model"]]
    latest = expected["resnet-model"][-1]
    assert latest.files is not None
    printed = ok("artifacts", "download", "resnet-model", str(tmp_path / "w"), "--url", url)
    paths = [Path(p) for p in printed.split()]
    assert sorted(p.name for p in paths) == sorted(Path(f).name for f in latest.files)
    for rel, text in latest.files.items():
        assert (tmp_path / "w" / rel).read_text() == text


def _one_line_error(done: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("runicorn-api: error: ")
    for word in words:
        assert word in lines[0]


def test_exit_codes_and_one_line_errors(viewer: ViewerEnv) -> None:
    url = viewer.base_url
    _one_line_error(run_cli("nonsense"), 2, "nonsense")
    _one_line_error(run_cli("runs", "ls", "--url", url, "--limit", "0"), 2, "--limit")
    _one_line_error(run_cli("runs", "ls", "--url", url, "--status", "bogus"), 2, "bogus")
    _one_line_error(run_cli("health", "--url", url, "--format", "xml"), 2, "--format")
    _one_line_error(run_cli("runs", "ls", "--url", url, "--created-after", "May"), 2, "May")
    _one_line_error(run_cli("runs", "show", "20990101_000000_abcdef", "--url", url), 1, "404")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"  # bound, not listening
        _one_line_error(run_cli("projects", url=closed), 1, closed.split("//")[1])
    assert run_cli("--help").returncode == 0


def test_local_serves_until_interrupted(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    storage.mkdir()
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config")}
    proc = subprocess.Popen([str(CLI), "local", str(storage)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith(f"Serving {storage} at http://127.0.0.1:"), line
        url = line.split(" at ")[1].split()[0]
        with api.connect(url) as client:
            assert client.health_check().status == "ok"
            assert client.list_experiments() == []
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)  # also closes the pipes
        assert proc.returncode == 0, err
        with pytest.raises(api.APIConnectionError), api.connect(url, max_retries=0):
            pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_every_command_fails_in_one_line(viewer: ViewerEnv, tmp_path: Path) -> None:
    """No traceback for a bad argument, a missing run or metric, or a file problem."""
    url = viewer.base_url
    run = viewer.manifest["resnet-s0"]
    done = run_cli("metrics", run.run_id, "--metric", "los", "--url", url)
    _one_line_error(done, 2, "'los'", run.run_id, "loss")  # it names the run's metrics
    _one_line_error(run_cli("metrics", "20990101_000000_abcdef", "--url", url), 1, "404")
    _one_line_error(run_cli("runs", "show", "../etc", "--url", url), 2, "../etc")
    missing_dir = tmp_path / "no" / "such" / "out.csv"
    _one_line_error(
        run_cli("metrics", run.run_id, "--out", str(missing_dir), "--url", url), 1, "no/such"
    )
    _one_line_error(run_cli("artifacts", "versions", "no-such-artifact", "--url", url), 1)
    dest = tmp_path / "dest"
    _one_line_error(
        run_cli("artifacts", "download", "no-such-artifact", str(dest), "--url", url), 1
    )
    assert not dest.exists()
    _one_line_error(run_cli("copy", "--from", url, "--to", url), 2, "same viewer")
    _one_line_error(run_cli("export", run.run_id, "--format", "xml", "--url", url), 2, "xml")
    _one_line_error(run_cli("health", url="ftp://alice:s3cret@127.0.0.1:1"), 2, "***@")
    # This venv has the viewer; the mcp extra cannot live beside it (see pyproject.toml).
    _one_line_error(run_cli("mcp", "--url", url), 1, "runicorn-api[mcp]")


def test_version() -> None:
    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"runicorn-api, version {api.__version__}"


def test_tables_in_a_pipe_are_plain_and_unwrapped(viewer: ViewerEnv) -> None:
    out = ok("runs", "ls", "--url", viewer.base_url)
    lines = out.splitlines()
    assert lines[0].split() == [
        "id",
        "path",
        "status",
        "alias",
        "tags",
        "created_at",
        "best_metric",
    ]
    assert not any(c in out for c in "┏┃│━─")  # no box drawing
    shown = [line.split()[0] for line in lines[1:]]
    listed = [r.run_id for r in viewer.manifest.runs]
    assert set(shown) <= set(listed)  # every id whole, at the start of its own line
    assert len(set(shown)) == len(shown) == len(viewer.client.list_experiments())
    assert any(len(line) > 80 for line in lines)  # not wrapped at 80 columns


def test_runs_show_times_and_durations_for_people(viewer: ViewerEnv) -> None:
    run = viewer.manifest["resnet-s0"]
    exp = viewer.client.get_experiment(run.run_id)
    assert exp.duration is not None
    assert exp.created_at is not None
    table = ok("runs", "show", run.run_id, "--url", viewer.base_url)
    fields = dict(line.split(None, 1) for line in table.splitlines()[1:] if " " in line.strip())
    assert fields["created_at"].strip() == exp.created_at.isoformat(timespec="seconds")
    assert fields["duration"].strip().endswith((" s", " min", " h"))
    assert "e+09" not in table
    (raw,) = as_json("runs", "show", run.run_id, "--url", viewer.base_url)
    assert raw["duration"] == pytest.approx(exp.duration)  # JSON keeps the number


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_local_stops_its_viewer_on_sigterm_and_sighup(tmp_path: Path, signum: int) -> None:
    storage = tmp_path / "storage"
    storage.mkdir()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config")}
    proc = subprocess.Popen([str(CLI), "local", str(storage), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"at http://127.0.0.1:{port} " in line, line
        with api.connect(f"http://127.0.0.1:{port}") as client:
            assert client.health_check().status == "ok"
        proc.send_signal(signum)
        proc.communicate(timeout=60)
        assert proc.returncode == 0
        with pytest.raises(api.APIConnectionError):
            api.connect(f"http://127.0.0.1:{port}", max_retries=0)  # the viewer is gone
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_a_process_that_never_closes_local_stops_its_viewer(
    viewer: ViewerEnv, tmp_path: Path
) -> None:
    storage = tmp_path / "storage"
    storage.mkdir()
    script = (
        "import runicorn_api as api, sys\n"
        f"client = api.local({str(storage)!r}, python={str(viewer.prepared.python)!r})\n"
        "print(client.base_url, client.viewer.pid, flush=True)\n"
        "sys.exit(0)  # no close(), no with block\n"
    )
    import sys

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    url, pid = done.stdout.split()
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid), 0)
    with pytest.raises(api.APIConnectionError):
        api.connect(url, max_retries=0)
