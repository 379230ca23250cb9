"""Write a deterministic Runicorn data set with the installed runicorn SDK.

This script runs inside a venv that has one pinned ``runicorn`` version and
uses only that version's own SDK plus the standard library. It is driven by
:mod:`runicorn_api.testing.storage_data`, which starts one process per run: the
0.7.x SDK leaves a SQLite transaction open after logging an already-known
asset fingerprint, stalling every later write in the same process.

Usage::

    python writer.py <generation> <storage> <spec-json>

``spec-json`` describes one run; the script prints one JSON line describing
what it wrote (the manifest entry). With ``"live": true`` the run stays
``running``: after the manifest line the process logs one more step for each
line it reads on stdin, and finishes the run on a ``finish`` line; at the end of stdin
it leaves without ``finish()``, as a crashed trainer would.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import struct
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any


def metric_row(
    seed: int, step: int, steps: int, nan_step: int | None, skill: float = 1.0
) -> dict[str, float]:
    """The values logged at ``step``; the manifest re-derives them from the same formula.

    Plausible curves: the loss stays positive and the accuracy within (0, 100); ``skill``
    (one per run, see ``specs_for``) keeps runs from ending at the same accuracy.
    """
    frac = step / steps
    loss = 2.0 * math.exp(-3.0 * frac) + 0.01 * seed + 0.001 * (step % 7)
    row = {
        "loss": float("nan") if step == nan_step else loss,
        "accuracy": 100.0 * skill * (1.0 - math.exp(-4.0 * frac)) - 0.5 * seed * min(frac, 1.0),
        "lr": 0.1 * (0.5 ** (step // max(1, steps // 4))),
    }
    return row


def val_loss(seed: int, step: int, steps: int) -> float:
    return 2.2 * math.exp(-2.5 * step / steps) + 0.02 * seed


def log_metrics(run: Any, spec: dict[str, Any], start: int, stop: int) -> None:
    steps, seed, every = spec["steps"], spec["seed"], spec.get("val_every", 50)
    nan_step, skill = spec.get("nan_step"), spec.get("skill", 1.0)
    for step in range(start, stop + 1):
        row: dict[str, float] = metric_row(seed, step, steps, nan_step, skill)
        if every and step % every == 0:
            row["val_loss"] = val_loss(seed, step, steps)
        run.log(row, step=step)


SPECIALS = {100: float("nan"), 200: float("inf"), 300: float("-inf")}
"""Steps at which the ``specials`` edge run logs NaN, +Inf and -Inf as its loss."""
SPARSE_EVERY = 37
"""The ``specials`` edge run logs ``eval_acc`` every 37 steps (a sparse metric)."""
DUPLICATE_EVERY = 10
"""The ``duplicates`` edge run logs twice at every tenth step: an override and a new key."""
RAW_STEPS = 25
"""The ``raw_steps`` edge run appends this many events keyed by ``step``, not global_step."""
TRUNCATED_TAIL = '{"ts": 1.0, "type": "metrics", "data": {"global_step": 99999, "loss"'
"""The torn last line the ``raw_steps`` edge run ends its events.jsonl with."""


def log_edge(run: Any, spec: dict[str, Any]) -> None:
    """The edge cases of the metrics rules, by the SDK's own ``log`` where it can."""
    edge, steps, seed, skill = spec["edge"], spec["steps"], spec["seed"], spec.get("skill", 1.0)
    for step in range(1, steps + 1):
        row: dict[str, Any] = dict(metric_row(seed, step, steps, None, skill))
        if edge == "specials":
            row["loss"] = SPECIALS.get(step, row["loss"])
            if step % SPARSE_EVERY == 0:
                row["eval_acc"] = step / steps
        if edge == "text":
            run.log(row, step=step, stage="train" if step <= steps // 2 else "val")
            continue
        run.log(row, step=step)
        if edge == "duplicates" and step % DUPLICATE_EVERY == 0:
            # A second call at the same step: one key overwritten, one key added.
            run.log({"loss": overridden_loss(row["loss"]), "extra": 2.0 * step}, step=step)


def overridden_loss(logged: float) -> float:
    """The loss the ``duplicates`` edge run logs again at the same step (it wins)."""
    return 0.5 * logged


def append_raw_steps(events: Path, spec: dict[str, Any]) -> None:
    """Events written as an older writer would, keyed by ``step``; then a torn line."""
    steps, seed, skill = spec["steps"], spec["seed"], spec.get("skill", 1.0)
    with open(events, "a", encoding="utf-8") as handle:
        for step in range(steps + 1, steps + RAW_STEPS + 1):
            data = {
                **metric_row(seed, step, steps, None, skill),
                "step": step,
                "time": 1.7e9 + step,
            }
            handle.write(json.dumps({"ts": 1.7e9 + step, "type": "metrics", "data": data}) + "\n")
        handle.write(TRUNCATED_TAIL)


def log_reference(run: Any, ref: dict[str, Any], scratch: Path) -> None:
    """0.7.x: log a pretrained model or a dataset, archived (``save``) or only referenced.

    ``files`` are written once under ``<scratch>/shared/<name>``, so that runs logging
    the same name log the same path; without ``files`` the ``uri`` is logged as is.
    """
    where: str = ref.get("uri") or str(write_files(scratch / "shared" / ref["name"], ref["files"]))
    if ref["kind"] == "dataset":
        run.log_dataset(ref["name"], where, save=ref["save"], description=ref.get("description"))
    else:
        run.log_pretrained(
            ref["name"],
            path_or_uri=where,
            save=ref["save"],
            source_type=ref.get("source_type", "local"),
        )


def png(width: int, height: int, rgb: list[int]) -> bytes:
    """A valid PNG of one colour, from the standard library alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def log_images(run: Any, images: list[dict[str, Any]]) -> list[dict[str, Any]]:
    logged = []
    for image in images:
        width, height = image["size"]
        data = png(width, height, image["rgb"])
        rel = run.log_image(image["key"], data, step=image["step"], caption=image.get("caption"))
        logged.append(
            {**image, "path": rel, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        )
    return logged


def write_files(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def main() -> None:
    generation, storage, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    import runicorn as rn

    scratch = Path(tempfile.mkdtemp(prefix="writer-", dir=spec.get("scratch")))
    entry: dict[str, Any] = {"key": spec["key"]}
    if generation == "0.5":
        run = rn.init(
            project=spec["project"],
            name=spec["name"],
            run_id=spec["run_id"],
            storage=storage,
            capture_env=False,
        )
        if spec.get("env_packages"):
            # 0.5.3's init(capture_env=True) imports a module that moved to extensions/
            # and silently captures nothing; its extension writes the same file.
            from runicorn.extensions.environment import capture_for_run

            capture_for_run(Path(run.run_dir))
    else:
        code = spec.get("code")
        workspace = write_files(scratch / "workspace", code) if code else None
        run = rn.init(
            path=spec["path"],
            alias=spec.get("alias"),
            run_id=spec["run_id"],
            storage=storage,
            capture_console=False,
            capture_env=bool(spec.get("env_packages")),
            snapshot_code=bool(code),
            workspace_root=str(workspace) if workspace else None,
        )
        if spec.get("config"):
            run.log_config(args=spec["config"], extra={"note": spec["key"]})
    for line in spec.get("log_lines") or []:
        run.log_text(line)
    if spec.get("images"):
        entry["images"] = log_images(run, spec["images"])
    run.set_primary_metric("accuracy", mode="max")
    if spec.get("edge"):
        log_edge(run, spec)
    else:
        log_metrics(run, spec, 1, spec["steps"])
    if spec.get("summary"):
        run.summary(spec["summary"])

    entry["artifacts"] = []
    for art in spec.get("artifacts", []):
        # "source": a folder made by the caller (files too big for a command line).
        src = (
            Path(art["source"])
            if art.get("source")
            else write_files(scratch / art["name"], art["files"])
        )
        if generation == "0.5":
            a = rn.Artifact(
                art["name"],
                type=art["type"],
                description=art.get("description", ""),
                metadata=art.get("metadata", {}),
            )
            a.add_dir(str(src))
            version = run.log_artifact(a)
            entry["artifacts"].append({**art, "version": version})
        elif art["type"] == "dataset":
            run.log_dataset(art["name"], str(src), save=True, description=art.get("description"))
            entry["artifacts"].append(art)
        elif art["type"] == "model":
            run.log_pretrained(
                art["name"],
                path_or_uri=str(src),
                save=True,
                source_type="local",
                description=art.get("description"),
            )
            entry["artifacts"].append(art)
    for ref in spec.get("refs") or [] if generation == "0.7" else []:
        log_reference(run, ref, Path(spec["scratch"]))
    outputs = spec.get("outputs")
    if outputs and generation == "0.7":
        folder = write_files(scratch / "outputs", outputs)
        run.scan_outputs_once(output_dirs=[str(folder)], stable_required=1, min_age_sec=0)
        entry["artifacts"].extend(
            {"name": Path(rel).name, "type": "output", "files": {Path(rel).name: text}}
            for rel, text in outputs.items()
        )
    if spec.get("code") and generation == "0.7":
        # A zip of the workspace; its bytes depend on file times, so only its presence
        # and its own digest are known in advance.
        entry["artifacts"].append({"name": "code", "type": "code", "files": None})
    for use in spec.get("uses", []):
        if generation == "0.5":
            run.use_artifact(use)

    entry["run_dir"] = str(run.run_dir)
    if spec.get("live"):
        print(json.dumps(entry), flush=True)
        step = spec["steps"]
        for line in sys.stdin:
            if line.strip() == "finish":
                run.finish("finished")
                print(json.dumps({"finished": step}), flush=True)
                os._exit(0)
            step += 1
            log_metrics(run, spec, step, step)
            run.log_text(f"step {step}")
            print(json.dumps({"step": step}), flush=True)
        # stdin closed: leave without finish(), as a crashed trainer would.
        os._exit(0)
    run.finish(spec["status"])
    if spec.get("edge") == "raw_steps":
        append_raw_steps(Path(run.run_dir) / "events.jsonl", spec)
    print(json.dumps(entry), flush=True)


if __name__ == "__main__":
    main()
