"""What the deterministic data set holds: one spec per run, per generation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .writer import metric_row

__all__ = ["benchmark_specs", "dataset_specs", "generation_of", "reference_files", "specs_for"]


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
    "kind": "dataset",
    "name": "imagenet-val",
    "save": False,
    "files": {f"val/{i:03d}.jpg": "j" * (1000 + i) for i in range(12)},
}


def reference_files(ref: dict[str, Any]) -> dict[str, str]:
    """The files a reference of the data set was written with (empty for a bare URI)."""
    files: dict[str, str] = ref.get("files", {})
    return files


# key, project, tail (0.7 path after project), status, seed, alias, tags, logs, uses
_RUNS: list[dict[str, Any]] = [
    {
        "key": "resnet-s0",
        "project": "vision",
        "tail": "resnet",
        "status": "finished",
        "seed": 0,
        "alias": "resnet-baseline",
        "tags": ["baseline", "resnet"],
        "env_packages": {"planted-pkg": "1.0"},
        "log_lines": ["epoch 1 start", "", "epoch 1 done: loss=0.5 | acc=0.9", "ünïcode ✓"],
        "images": [
            {"key": "samples", "step": 10, "size": [4, 3], "rgb": [255, 0, 0]},
            {"key": "samples", "step": 20, "size": [4, 3], "rgb": [0, 255, 0]},
            {
                "key": "confusion",
                "step": 20,
                "size": [5, 5],
                "rgb": [0, 0, 255],
                "caption": "epoch 2",
            },
        ],
        "artifacts": [
            {
                "name": "cifar10",
                "type": "dataset",
                "files": _files("c", 4096),
                "description": "CIFAR-10 subset",
            },
            {
                "name": "resnet-model",
                "type": "model",
                "files": _files("r", 20000),
                "description": "ResNet weights",
                "metadata": {"arch": "resnet18"},
            },
        ],
    },
    {
        "key": "resnet-s1",
        "project": "vision",
        "tail": "resnet",
        "status": "finished",
        "seed": 1,
        "tags": ["resnet"],
        "uses": ["cifar10:latest"],
        "env_packages": {"planted-pkg": "2.0", "extra-pkg": "0.1"},
        "artifacts": [
            {
                "name": "cifar10",
                "type": "dataset",
                "files": _files("c", 4096),
                "description": "CIFAR-10 subset",
            },
            {
                "name": "resnet-model",
                "type": "model",
                "files": _files("R", 30000),
                "description": "ResNet weights, seed 1",
                "metadata": {"arch": "resnet18"},
            },
        ],
    },
    {
        "key": "resnet-s2",
        "project": "vision",
        "tail": "resnet",
        "status": "failed",
        "seed": 2,
        "tags": ["resnet"],
        "uses": ["cifar10:latest"],
    },
    {
        "key": "vit-s0",
        "project": "vision",
        "tail": "vit",
        "status": "finished",
        "seed": 0,
        "alias": "vit-base",
        "tags": ["baseline", "vit"],
        "uses": ["cifar10:latest"],
        "artifacts": [
            {
                "name": "vit-model",
                "type": "model",
                "files": _files("v", 25000),
                "description": "ViT weights",
            },
        ],
    },
    {
        "key": "vit-ablation",
        "project": "vision",
        "tail": "vit/ablation",
        "status": "interrupted",
        "seed": 1,
        "tags": ["ablation", "vit"],
    },
    {
        "key": "bert-s0",
        "project": "nlp",
        "tail": "bert",
        "status": "finished",
        "seed": 0,
        "alias": "bert-base",
        "tags": ["baseline", "nlp"],
        "artifacts": [
            {
                "name": "wikitext",
                "type": "dataset",
                "files": _files("w", 8192),
                "description": "WikiText sample",
            },
        ],
    },
    {
        "key": "bert-s1",
        "project": "nlp",
        "tail": "bert",
        "status": "failed",
        "seed": 1,
        "tags": ["nlp"],
        "nan_step": 100,
    },
    {
        "key": "gpt-s0",
        "project": "nlp",
        "tail": "gpt",
        "status": "finished",
        "seed": 0,
        "tags": ["nlp"],
        "outputs": {"gpt.ckpt": "g" * 5000},
        "code": {"train.py": "print('train gpt')\n", "conf/base.yaml": "lr: 0.1\n"},
    },
    {"key": "ppo-s0", "project": "rl", "tail": "ppo", "status": "interrupted", "seed": 0},
    {"key": "ppo-s1", "project": "rl", "tail": "ppo", "status": "finished", "seed": 1},
    {"key": "dqn-s0", "project": "rl", "tail": "dqn", "status": "finished", "seed": 0},
    # Edge cases of the metrics rules (see writer.log_edge): NaN/±Inf and a sparse metric,
    # two log calls at one step, events keyed by `step` plus a torn last line, text values.
    {
        "key": "edge-specials",
        "project": "edge",
        "tail": "specials",
        "status": "finished",
        "seed": 0,
        "steps": 400,
        "edge": "specials",
    },
    {
        "key": "edge-duplicates",
        "project": "edge",
        "tail": "duplicates",
        "status": "finished",
        "seed": 1,
        "steps": 300,
        "edge": "duplicates",
    },
    {
        "key": "edge-raw-steps",
        "project": "edge",
        "tail": "raw-steps",
        "status": "finished",
        "seed": 2,
        "steps": 200,
        "edge": "raw_steps",
    },
    {
        "key": "edge-text",
        "project": "edge",
        "tail": "text",
        "status": "finished",
        "seed": 3,
        "steps": 200,
        "edge": "text",
    },
    # 0.7.x assets logged again: an archived model re-logged unsaved, a bare reference
    # logged by several runs, an unsaved dataset (see writer.log_reference).
    {
        "key": "zoo-a",
        "project": "zoo",
        "tail": "a",
        "status": "finished",
        "seed": 0,
        "steps": 50,
        "refs": [_RESNET50 | {"save": True}, _BERT, _IMAGENET_VAL],
    },
    {
        "key": "zoo-b",
        "project": "zoo",
        "tail": "b",
        "status": "finished",
        "seed": 1,
        "steps": 50,
        "refs": [_RESNET50 | {"save": False}, _BERT],
    },
    {
        "key": "zoo-c",
        "project": "zoo",
        "tail": "c",
        "status": "finished",
        "seed": 2,
        "steps": 50,
        "refs": [_RESNET50 | {"save": False}, _BERT],
    },
]


def dataset_specs(generation: str, *, big_steps: int = BIG_STEPS) -> list[dict[str, Any]]:
    """The runs to write for a generation, in creation order; the live run is last."""
    runs = [
        *_RUNS,
        {
            "key": "big",
            "project": "bench",
            "tail": "big",
            "status": "finished",
            "seed": 0,
            "steps": big_steps,
        },
        {
            "key": "live",
            "project": "vision",
            "tail": "resnet",
            "status": "running",
            "seed": 3,
            "steps": 100,
            "live": True,
        },
    ]
    return specs_for(generation, runs)


def benchmark_specs(
    generation: str, *, runs: int = 48, steps: int = STEPS, big_steps: int = BIG_STEPS
) -> list[dict[str, Any]]:
    """``runs`` finished runs of ``steps`` steps, then one run of ``big_steps`` steps."""
    grid = [
        {
            "key": f"grid-{i}",
            "project": "grid",
            "tail": f"lr{i % 6}",
            "status": "finished",
            "seed": i % 4,
            "steps": steps,
        }
        for i in range(runs)
    ]
    big = {
        "key": "big",
        "project": "bench",
        "tail": "big",
        "status": "finished",
        "seed": 0,
        "steps": big_steps,
    }
    return specs_for(generation, [*grid, big])


def specs_for(generation: str, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Complete writer specs from short run descriptions (key, project, tail, ...)."""
    specs: list[dict[str, Any]] = []
    for i, run in enumerate(runs):
        seed = run["seed"]
        steps = run.get("steps", STEPS)
        skill = round(1.0 - 0.004 * (i % 25), 3)  # no two runs of the data set tie
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
            "skill": skill,
            "nan_step": run.get("nan_step"),
            "edge": run.get("edge"),
            "live": run.get("live", False),
            "alias": run.get("alias") if generation == "0.7" else None,
            "tags": sorted(run.get("tags", [])) if generation == "0.7" else [],
            "summary": {
                "seed": seed,
                "optimizer": "adam" if seed % 2 == 0 else "sgd",
                "final_accuracy": metric_row(seed, steps, steps, None, skill)["accuracy"],
            },
            "config": {
                "lr": 0.1,
                "batch_size": 32 * (seed + 1),
                "seed": seed,
                "model": run["tail"].split("/")[0],
            }
            if generation == "0.7"
            else None,
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
        }
        spec["modern_storage"] = steps <= STEPS
        specs.append(spec)
    return specs
