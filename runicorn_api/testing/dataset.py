"""The deterministic data set, written with each runicorn version's own SDK.

:func:`dataset_specs` says what to write; :func:`write_dataset` runs ``writer.py`` in the
version's venv once per run and returns the :class:`Manifest` of what was written. Tests
take expected values from the manifest (and from :func:`expected_rows`, which re-derives
every logged value from the same formula the writer used).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .writer import metric_row, val_loss

__all__ = [
    "LiveRun",
    "Manifest",
    "RunRecord",
    "benchmark_specs",
    "dataset_specs",
    "expected_rows",
    "generation_of",
    "set_tags",
    "write_dataset",
    "write_runs",
]

WRITER = Path(__file__).with_name("writer.py")
BIG_STEPS = 200_000
STEPS = 2_000


def generation_of(version: str) -> str:
    """``"0.5"`` for runicorn before 0.6, else ``"0.7"``."""
    major, minor = (int(p) for p in version.split(".")[:2])
    return "0.5" if (major, minor) < (0, 6) else "0.7"


def _files(tag: str, size: int) -> dict[str, str]:
    return {"weights.bin": (tag * size)[:size], "meta/info.txt": f"{tag}\n"}


_RESNET50: dict[str, Any] = {
    "kind": "pretrained",
    "name": "resnet50-imagenet",
    "files": {"weights.pt": "w" * 30000, "config.json": '{"depth": 50}\n'},
}
_BERT: dict[str, Any] = {
    "kind": "pretrained",
    "name": "bert-base-uncased",
    "uri": "hf://bert-base-uncased",
    "save": False,
    "source_type": "huggingface",
}
_IMAGENET_VAL: dict[str, Any] = {
    "kind": "dataset", "name": "imagenet-val", "save": False,
    "files": {f"val/{i:03d}.jpg": "j" * (1000 + i) for i in range(12)},
}  # fmt: skip


def reference_files(ref: dict[str, Any]) -> dict[str, str]:
    """The files a reference of the data set was written with (empty for a bare URI)."""
    files: dict[str, str] = ref.get("files", {})
    return files


# key, project, tail (0.7 path after project), status, seed, alias, tags, logs, uses
_RUNS: list[dict[str, Any]] = [
    {"key": "resnet-s0", "project": "vision", "tail": "resnet", "status": "finished", "seed": 0,
     "alias": "resnet-baseline", "tags": ["baseline", "resnet"],
     "env_packages": {"planted-pkg": "1.0"},
     "log_lines": ["epoch 1 start", "", "epoch 1 done: loss=0.5 | acc=0.9", "ünïcode ✓"],
     "images": [
         {"key": "samples", "step": 10, "size": [4, 3], "rgb": [255, 0, 0]},
         {"key": "samples", "step": 20, "size": [4, 3], "rgb": [0, 255, 0]},
         {"key": "confusion", "step": 20, "size": [5, 5], "rgb": [0, 0, 255],
          "caption": "epoch 2"},
     ],
     "artifacts": [
         {"name": "cifar10", "type": "dataset", "files": _files("c", 4096),
          "description": "CIFAR-10 subset"},
         {"name": "resnet-model", "type": "model", "files": _files("r", 20000),
          "description": "ResNet weights", "metadata": {"arch": "resnet18"}},
     ]},
    {"key": "resnet-s1", "project": "vision", "tail": "resnet", "status": "finished", "seed": 1,
     "tags": ["resnet"], "uses": ["cifar10:latest"],
     "env_packages": {"planted-pkg": "2.0", "extra-pkg": "0.1"},
     "artifacts": [
         {"name": "cifar10", "type": "dataset", "files": _files("c", 4096),
          "description": "CIFAR-10 subset"},
         {"name": "resnet-model", "type": "model", "files": _files("R", 30000),
          "description": "ResNet weights, seed 1", "metadata": {"arch": "resnet18"}},
     ]},
    {"key": "resnet-s2", "project": "vision", "tail": "resnet", "status": "failed", "seed": 2,
     "tags": ["resnet"], "uses": ["cifar10:latest"]},
    {"key": "vit-s0", "project": "vision", "tail": "vit", "status": "finished", "seed": 0,
     "alias": "vit-base", "tags": ["baseline", "vit"], "uses": ["cifar10:latest"],
     "artifacts": [
         {"name": "vit-model", "type": "model", "files": _files("v", 25000),
          "description": "ViT weights"},
     ]},
    {"key": "vit-ablation", "project": "vision", "tail": "vit/ablation",
     "status": "interrupted", "seed": 1, "tags": ["ablation", "vit"]},
    {"key": "bert-s0", "project": "nlp", "tail": "bert", "status": "finished", "seed": 0,
     "alias": "bert-base", "tags": ["baseline", "nlp"],
     "artifacts": [
         {"name": "wikitext", "type": "dataset", "files": _files("w", 8192),
          "description": "WikiText sample"},
     ]},
    {"key": "bert-s1", "project": "nlp", "tail": "bert", "status": "failed", "seed": 1,
     "tags": ["nlp"], "nan_step": 100},
    {"key": "gpt-s0", "project": "nlp", "tail": "gpt", "status": "finished", "seed": 0,
     "tags": ["nlp"], "outputs": {"gpt.ckpt": "g" * 5000},
     "code": {"train.py": "print('train gpt')\n", "conf/base.yaml": "lr: 0.1\n"}},
    {"key": "ppo-s0", "project": "rl", "tail": "ppo", "status": "interrupted", "seed": 0},
    {"key": "ppo-s1", "project": "rl", "tail": "ppo", "status": "finished", "seed": 1},
    {"key": "dqn-s0", "project": "rl", "tail": "dqn", "status": "finished", "seed": 0},
    # Edge cases of the metrics rules (see writer.log_edge): NaN/±Inf and a sparse metric,
    # two log calls at one step, events keyed by `step` plus a torn last line, text values.
    {"key": "edge-specials", "project": "edge", "tail": "specials", "status": "finished",
     "seed": 0, "steps": 400, "edge": "specials"},
    {"key": "edge-duplicates", "project": "edge", "tail": "duplicates", "status": "finished",
     "seed": 1, "steps": 300, "edge": "duplicates"},
    {"key": "edge-raw-steps", "project": "edge", "tail": "raw-steps", "status": "finished",
     "seed": 2, "steps": 200, "edge": "raw_steps"},
    {"key": "edge-text", "project": "edge", "tail": "text", "status": "finished",
     "seed": 3, "steps": 200, "edge": "text"},
    # 0.7.x assets logged again: an archived model re-logged unsaved, a bare reference
    # logged by several runs, an unsaved dataset (see writer.log_reference).
    {"key": "zoo-a", "project": "zoo", "tail": "a", "status": "finished", "seed": 0,
     "steps": 50, "refs": [_RESNET50 | {"save": True}, _BERT, _IMAGENET_VAL]},
    {"key": "zoo-b", "project": "zoo", "tail": "b", "status": "finished", "seed": 1,
     "steps": 50, "refs": [_RESNET50 | {"save": False}, _BERT]},
    {"key": "zoo-c", "project": "zoo", "tail": "c", "status": "finished", "seed": 2,
     "steps": 50, "refs": [_RESNET50 | {"save": False}, _BERT]},
]  # fmt: skip


def dataset_specs(generation: str, *, big_steps: int = BIG_STEPS) -> list[dict[str, Any]]:
    """The runs to write for a generation, in creation order; the live run is last."""
    runs = [*_RUNS,
            {"key": "big", "project": "bench", "tail": "big", "status": "finished", "seed": 0,
             "steps": big_steps},
            {"key": "live", "project": "vision", "tail": "resnet", "status": "running",
             "seed": 3, "steps": 100, "live": True}]  # fmt: skip
    return specs_for(generation, runs)


def benchmark_specs(
    generation: str, *, runs: int = 48, steps: int = STEPS, big_steps: int = BIG_STEPS
) -> list[dict[str, Any]]:
    """``runs`` finished runs of ``steps`` steps, then one run of ``big_steps`` steps."""
    grid = [
        {"key": f"grid-{i}", "project": "grid", "tail": f"lr{i % 6}", "status": "finished",
         "seed": i % 4, "steps": steps}
        for i in range(runs)
    ]  # fmt: skip
    big = {"key": "big", "project": "bench", "tail": "big", "status": "finished", "seed": 0,
           "steps": big_steps}  # fmt: skip
    return specs_for(generation, [*grid, big])


def specs_for(generation: str, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Complete writer specs from short run descriptions (key, project, tail, ...)."""
    specs: list[dict[str, Any]] = []
    for i, run in enumerate(runs):
        seed = run["seed"]
        steps = run.get("steps", STEPS)
        name = run["tail"] if generation == "0.7" else run["tail"].replace("/", "-")
        spec: dict[str, Any] = {
            "key": run["key"],
            "run_id": f"2025{1 + i // 28:02d}{1 + i % 28:02d}_120000_{i:06x}",
            "project": run["project"],
            # 0.5.x names are single folders: "vit/ablation" is written as "vit-ablation".
            "name": name,
            "path": f"{run['project']}/{name}",
            "status": run["status"],
            "seed": seed,
            "steps": steps,
            "val_every": 50,
            "nan_step": run.get("nan_step"),
            "edge": run.get("edge"),
            "live": run.get("live", False),
            "alias": run.get("alias") if generation == "0.7" else None,
            "tags": sorted(run.get("tags", [])) if generation == "0.7" else [],
            "summary": {
                "seed": seed,
                "optimizer": "adam" if seed % 2 == 0 else "sgd",
                "final_accuracy": metric_row(seed, steps, steps, None)["accuracy"],
            },
            "config": {"lr": 0.1, "batch_size": 32 * (seed + 1), "seed": seed,
                       "model": run["tail"].split("/")[0]} if generation == "0.7" else None,
            "artifacts": run.get("artifacts", []),
            # Captured environment, with these packages planted on its PYTHONPATH.
            "env_packages": run.get("env_packages"),
            # Console lines, written with the SDK's log_text (the live run adds one a step).
            "log_lines": run.get("log_lines"),
            # Small PNGs written with the SDK's log_image (see writer.png).
            "images": run.get("images"),
            "uses": run.get("uses", []) if generation == "0.5" else [],
            # 0.7.x only: outputs (scan_outputs_once) and a code snapshot.
            "outputs": run.get("outputs") if generation == "0.7" else None,
            "refs": run.get("refs") if generation == "0.7" else None,
            "code": run.get("code") if generation == "0.7" else None,
            # 0.7.x: the big run skips the SDK's SQLite dual write, whose per-step COUNT(*)
            # makes 200k steps take half an hour; the viewer imports it from the run folder
            # at start-up. Runs that share an asset fingerprint keep the dual write: when
            # the viewer imports such a run itself, it leaves a SQLite transaction open and
            # every later write of the viewer (PATCH tags, ...) stalls 10 s and is lost.
            "modern_storage": True,
        }  # fmt: skip
        spec["modern_storage"] = steps <= STEPS
        specs.append(spec)
    return specs


@dataclass
class RunRecord:
    """What the fixture wrote for one run."""

    key: str
    run_id: str
    project: str
    name: str
    path: str
    status: str
    seed: int
    steps: int
    val_every: int
    nan_step: int | None
    edge: str | None
    """Which metrics edge case the run logs (see ``writer.log_edge``), if any."""
    live: bool
    alias: str | None
    tags: list[str]
    summary: dict[str, Any]
    config: dict[str, Any] | None
    artifacts: list[dict[str, Any]]
    uses: list[str]
    run_dir: str = ""
    created_time: float = 0.0
    extra_steps: int = 0
    """Steps the live run logged after the data set was written."""
    outputs: dict[str, str] | None = None
    """0.7.x: files the run archived as outputs."""
    code: dict[str, str] | None = None
    """0.7.x: the workspace files of the run's code snapshot."""
    refs: list[dict[str, Any]] | None = None
    """0.7.x: pretrained models and datasets logged by path or URI (see ``_RESNET50``)."""
    log_lines: list[str] | None = None
    """Lines written with ``log_text`` after ``init`` (the SDK prefixes each with a time)."""
    images: list[dict[str, Any]] | None = None
    """Images logged with ``log_image``: key, step, size, rgb, caption, and the ``path``
    (relative to the run folder), ``bytes`` and ``sha256`` the writer saw."""
    env_packages: dict[str, str] | None = None
    """Packages planted in the run's environment capture (``None``: no capture)."""
    best_metric_name: str | None = None
    best_metric_value: float | None = None
    """The primary metric's best as the SDK recorded it (summary.json, else runicorn.db)."""

    @property
    def last_step(self) -> int:
        return self.steps + self.extra_steps


@dataclass
class Manifest:
    """Everything the fixture wrote, in creation order."""

    version: str
    generation: str
    storage: str
    runs: list[RunRecord] = field(default_factory=list)

    def __getitem__(self, key: str) -> RunRecord:
        for run in self.runs:
            if run.key == key:
                return run
        raise KeyError(key)

    def ids(self, **equal: Any) -> set[str]:
        """Ids of the runs whose attributes equal ``equal``."""
        return {r.run_id for r in self.runs if all(getattr(r, k) == v for k, v in equal.items())}

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def expected_rows(run: RunRecord, *, upto: int | None = None) -> list[dict[str, float | None]]:
    """The rows the writer logged for ``run`` (NaN as ``None``, as the viewer sends it)."""
    rows: list[dict[str, float | None]] = []
    for step in range(1, (upto or run.last_step) + 1):
        values: dict[str, float | None] = dict(metric_row(run.seed, step, run.steps, run.nan_step))
        if values["loss"] != values["loss"]:
            values["loss"] = None
        values["val_loss"] = (
            val_loss(run.seed, step, run.steps) if step % run.val_every == 0 else None
        )
        values["global_step"] = step
        rows.append(values)
    return rows


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
) -> tuple[Manifest, LiveRun]:
    """Write the data set into ``storage`` with the SDK of ``python``'s runicorn.

    See :func:`write_runs`; the live run (last) is left running: stop its writer with
    :meth:`LiveRun.stop`.
    """
    specs = dataset_specs(generation_of(version), big_steps=big_steps)
    manifest, live = write_runs(python, version, storage, specs, scratch=scratch, home=home)
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
) -> tuple[Manifest, LiveRun | None]:
    """Write runs described by ``specs`` (see :func:`dataset_specs`) into ``storage``.

    Runs of up to 2,000 steps are written one process each, in order (creation order and
    artifact versions depend on it), while larger ones are written beside them. A spec
    with ``"live": true`` (at most one) is written last and its writer left running.
    """
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
        for spec, future in zip(big, futures, strict=True):
            results[spec["key"]] = future.result()
    live_proc = None
    for live_spec in live_specs[:1]:
        live_proc = _write_run(python, generation, storage, live_spec, scratch, env)
        assert live_proc.stdout is not None
        line = live_proc.stdout.readline()
        if not line:
            live_proc.communicate(timeout=60)
            raise RuntimeError(f"live writer failed:\n{_stderr(scratch, live_spec)}")
        results[live_spec["key"]] = json.loads(line)
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
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master "
                                                 "WHERE type = 'table'")]  # fmt: skip
            for table in tables:
                columns = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
                for column in (c[1] for c in columns if str(c[2]).upper() == "TEXT"):
                    conn.execute(
                        f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, ?) '
                        f'WHERE instr("{column}", ?) > 0', (old, new, old),
                    )  # fmt: skip


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
