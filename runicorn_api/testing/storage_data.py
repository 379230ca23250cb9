"""Writing the data set: ``writer.py`` run in a version's venv, once per run, and the
helpers that copy a storage and tag its runs.

:func:`write_dataset` runs the writer for :func:`~runicorn_api.testing.specs.dataset_specs`
and returns the :class:`~runicorn_api.testing.manifest.Manifest` of what was written.
Tests take expected values from the manifest (and from
:func:`~runicorn_api.testing.manifest.expected_rows`), never from the client under test.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .manifest import Manifest, RunRecord, expected_rows
from .specs import BIG_STEPS, STEPS, WRITER, dataset_specs, generation_of

__all__ = ["LiveRun", "copy_storage", "set_tags", "write_dataset", "write_runs"]


class LiveRun:
    """The writer process of the ``running`` run; it logs one step per :meth:`log_step`."""

    def __init__(self, process: subprocess.Popen[str], record: RunRecord) -> None:
        self.process = process
        self.record = record

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_step(self) -> int:
        """Log one more step and return it, once the writer has written it."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        step = int(json.loads(self.process.stdout.readline())["step"])
        self.record.extra_steps = step - self.record.steps
        if self.record.best_metric_name is not None:
            # An SDK that tracks the primary metric while running (0.7.x) has a new best.
            self.record.best_metric_value = max(
                float(r["accuracy"])
                for r in expected_rows(self.record)
                if r["accuracy"] is not None
            )
        return step

    def finish(self) -> None:
        """Finish the run (status ``finished``) and let the writer exit."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("finish\n")
        self.process.stdin.flush()
        json.loads(self.process.stdout.readline())
        self.process.wait(timeout=60)
        self.record.status = "finished"

    def stop(self) -> None:
        """End the writer (this process started it; it is ended by its own PID)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def _write_run(
    python: Path,
    generation: str,
    storage: Path,
    spec: dict[str, Any],
    scratch: Path,
    env: dict[str, str],
) -> subprocess.Popen[str]:
    run_env = dict(env)
    if spec.get("env_packages"):
        # Distributions that only this run sees: pip freeze lists them in its capture.
        site = scratch / f"site-{spec['key']}"
        for name, version in spec["env_packages"].items():
            info = site / f"{name.replace('-', '_')}-{version}.dist-info"
            info.mkdir(parents=True, exist_ok=True)
            (info / "METADATA").write_text(
                f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            )
        run_env["PYTHONPATH"] = str(site)
    if not spec["modern_storage"]:
        run_env["RUNICORN_DISABLE_MODERN_STORAGE"] = "1"
    payload = json.dumps({**spec, "scratch": str(scratch)})
    # The live writer outlives this call: its stderr goes to a file, since a pipe that
    # nobody reads would block it once full.
    with open(scratch / f"{spec['key']}.stderr", "w") as err_file:
        return subprocess.Popen(
            [str(python), str(WRITER), generation, str(storage), payload],
            env=run_env,
            cwd=scratch,
            stdin=subprocess.PIPE if spec["live"] else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err_file,
            text=True,
        )


def _stderr(scratch: Path, spec: dict[str, Any]) -> str:
    return (scratch / f"{spec['key']}.stderr").read_text(errors="replace")[-3000:]


def _finish(proc: subprocess.Popen[str], spec: dict[str, Any], scratch: Path) -> dict[str, Any]:
    out, _ = proc.communicate(timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(
            f"writer failed for {spec['key']} ({proc.returncode}):\n{_stderr(scratch, spec)}"
        )
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def write_dataset(
    python: Path,
    version: str,
    storage: Path,
    *,
    scratch: Path,
    home: Path,
    big_steps: int = BIG_STEPS,
    progress: Callable[[str], None] | None = None,
) -> tuple[Manifest, LiveRun]:
    """Write the data set into ``storage`` with the SDK of ``python``'s runicorn.

    See :func:`write_runs`; the live run (last) is left running: stop its writer with
    :meth:`LiveRun.stop`.
    """
    specs = dataset_specs(generation_of(version), big_steps=big_steps)
    manifest, live = write_runs(
        python, version, storage, specs, scratch=scratch, home=home, progress=progress
    )
    assert live is not None
    return manifest, live


def write_runs(
    python: Path,
    version: str,
    storage: Path,
    specs: list[dict[str, Any]],
    *,
    scratch: Path,
    home: Path,
    progress: Callable[[str], None] | None = None,
) -> tuple[Manifest, LiveRun | None]:
    """Write runs described by ``specs`` (see :func:`dataset_specs`) into ``storage``.

    Runs of up to 2,000 steps are written one process each, in order (creation order and
    artifact versions depend on it), while larger ones are written beside them. A spec
    with ``"live": true`` (at most one) is written last and its writer left running.
    ``progress`` is called with each run's path once it is written.
    """
    done = progress or (lambda path: None)
    generation = generation_of(version)
    scratch.mkdir(parents=True, exist_ok=True)
    (home / ".config").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), RUNICORN_DIR=str(storage))
    manifest = Manifest(version=version, generation=generation, storage=str(storage))
    results: dict[str, dict[str, Any]] = {}
    big = [s for s in specs if s["steps"] > STEPS and not s["live"]]
    small = [s for s in specs if s["steps"] <= STEPS and not s["live"]]
    live_specs = [s for s in specs if s["live"]]
    with ThreadPoolExecutor(max_workers=max(1, len(big))) as pool:
        futures = [
            pool.submit(
                _finish, _write_run(python, generation, storage, s, scratch, env), s, scratch
            )
            for s in big
        ]
        for spec in small:
            proc = _write_run(python, generation, storage, spec, scratch, env)
            results[spec["key"]] = _finish(proc, spec, scratch)
            done(spec["path"])
        for spec, future in zip(big, futures, strict=True):
            results[spec["key"]] = future.result()
            done(spec["path"])
    live_proc = None
    for live_spec in live_specs[:1]:
        live_proc = _write_run(python, generation, storage, live_spec, scratch, env)
        assert live_proc.stdout is not None
        line = live_proc.stdout.readline()
        if not line:
            live_proc.communicate(timeout=60)
            raise RuntimeError(f"live writer failed:\n{_stderr(scratch, live_spec)}")
        results[live_spec["key"]] = json.loads(line)
        done(live_spec["path"])
    live: LiveRun | None = None
    db_rows = _sqlite_rows(storage)
    for spec in specs:
        fields = {k: spec[k] for k in RunRecord.__dataclass_fields__ if k in spec}
        record = RunRecord(**fields)
        record.run_dir = results[spec["key"]]["run_dir"]
        # What the writer logged, with the version numbers the 0.5.x SDK assigned.
        record.artifacts = results[spec["key"]].get("artifacts", record.artifacts)
        record.images = results[spec["key"]].get("images", record.images)
        meta = json.loads((Path(record.run_dir) / "meta.json").read_text())
        # A 0.7.x viewer reports the creation time the SDK wrote into runicorn.db (a few
        # microseconds off meta.json's); runs the SDK kept out of the database (the big
        # one) are imported by the viewer from meta.json.
        db_created, db_best_name, db_best_value = db_rows.get(record.run_id, (None, None, None))
        record.created_time = float(
            db_created or meta.get("created_at") or meta.get("start_time") or 0.0
        )
        summary = json.loads((Path(record.run_dir) / "summary.json").read_text())
        record.best_metric_name = summary.get("best_metric_name", db_best_name)
        record.best_metric_value = summary.get("best_metric_value", db_best_value)
        manifest.runs.append(record)
        if spec["live"] and live_proc is not None:
            live = LiveRun(live_proc, record)
    return manifest, live


def copy_storage(source: Path, target: Path) -> None:
    """Copy a storage folder so that a viewer of the copy serves the copy: the absolute
    paths that 0.7.x keeps (run folders in runicorn.db, archive paths in JSON files) are
    moved from ``source`` to ``target``."""
    shutil.copytree(source, target, symlinks=True)
    old, new = str(source), str(target)
    for path in target.rglob("*.json"):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        if old in text:
            escaped = json.dumps(old)[1:-1], json.dumps(new)[1:-1]
            text = text.replace(escaped[0], escaped[1])
            path.write_text(text, encoding="utf-8", errors="surrogateescape")
    for db in target.rglob("*.db"):
        with contextlib.closing(sqlite3.connect(db)) as conn, conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            for table in tables:
                columns = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
                for column in (c[1] for c in columns if str(c[2]).upper() == "TEXT"):
                    conn.execute(
                        f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, ?) '
                        f'WHERE instr("{column}", ?) > 0',
                        (old, new, old),
                    )


def _sqlite_rows(storage: Path) -> dict[str, tuple[float | None, str | None, float | None]]:
    """``id → (created_at, best_metric_name, best_metric_value)`` from a 0.7.x runicorn.db."""
    db = storage / "runicorn.db"
    if not db.exists():
        return {}
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT id, created_at, best_metric_name, best_metric_value FROM experiments"
        ).fetchall()
    return {str(r[0]): (r[1], r[2], r[3]) for r in rows}


def set_tags(base_url: str, manifest: Manifest) -> None:
    """Give 0.7.x runs their tags through the viewer (the 0.7 SDK has no tags API).

    Uses the standard library, not the client under test.
    """
    for run in manifest.runs:
        if not run.tags:
            continue
        request = urllib.request.Request(
            f"{base_url}/api/runs/{run.run_id}",
            data=json.dumps({"tags": run.tags}).encode(),
            headers={"Content-Type": "application/json"},
            method="PATCH",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        if sorted(answer.get("tags") or []) != run.tags:
            raise RuntimeError(f"PATCH tags of {run.run_id} answered {answer}")
