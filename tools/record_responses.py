"""Record what real viewers answer, for the offline tests' mock viewer.

For each pinned runicorn version: write the test data set with that version's own SDK
(:func:`runicorn_api.testing.write_dataset`, small), start its viewer on 127.0.0.1, send
every ``GET`` route of :data:`runicorn_api.ROUTES` that the generation serves (with its
placeholders filled from the data set's manifest), plus a few refusals, and write the
answers to ``tests/offline/recorded/runicorn-<version>.json``. The file names its source;
folder paths in the answers are rewritten under ``/srv/runicorn`` so no machine's paths
are kept. Requests go through :mod:`urllib`, not the client under test.

Usage: ``python tools/record_responses.py [VERSION ...]`` (default: the pinned versions).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import runicorn_api as api
from runicorn_api.routes import ROUTES
from runicorn_api.testing import DEFAULT_VERSIONS, set_tags, viewer_python, write_dataset
from runicorn_api.testing.manifest import Manifest

OUT = Path(__file__).resolve().parents[1] / "tests" / "offline" / "recorded"
ROOT = "/srv/runicorn"
KEPT_HEADERS = ("content-type", "x-row-count", "x-total-count", "x-last-step")
QUERIES: dict[str, dict[str, str]] = {
    "/api/paths": {"include_stats": "true"},
    "/api/paths/runs": {"path": "{path}"},
    "/api/paths/export": {"path": "{path}", "format": "json"},
    "/api/config/storage-candidates": {"scan_root": "{storage}"},
    "/api/diagnostics/logs": {"source": "{source}", "lines": "5"},
}
"""Routes that need a query to answer; ``{path}`` and ``{storage}`` come from the data set."""
SKIPPED = {
    "/api/runs/{run_id}/assets/download",  # a file, not JSON
    "/api/remote/fs/list",  # needs an SSH connection
    "/api/remote/fs/exists",
    "/api/remote/conda-envs",
    "/api/remote/config",
    "/api/remote/env-configs",
    "/api/remote/storage-candidates",
}


def _fill(template: str, values: dict[str, str]) -> str | None:
    path = template
    for key, value in values.items():
        path = path.replace("{" + key + "}", quote(value, safe=""))
    return None if "{" in path else path


def _values(manifest: Manifest) -> dict[str, str]:
    run = min(
        (r for r in manifest.runs if not r.live and r.status == "finished" and r.steps <= 100),
        key=lambda r: r.steps,
    )
    values = {
        "run_id": run.run_id,
        "project": run.project,
        "name": run.name,
        "path": run.path,
        "storage": manifest.storage,
        "key": "nobody@nowhere:22",
    }
    artifact = next((a for r in manifest.runs for a in r.artifacts), None)
    if artifact is not None:
        values.update(artifact_name=artifact["name"], name=run.name, version="1")
    return values


def _get(base: str, path: str, query: dict[str, str] | None) -> dict[str, Any]:
    url = base + path + (f"?{urlencode(query)}" if query else "")
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            status, headers, data = answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as err:
        status, headers, data = err.code, dict(err.headers), err.read()
    headers = {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    kind = headers.get("content-type", headers.get("Content-Type", ""))
    body: Any = json.loads(data) if "json" in kind else data.decode("utf-8", "replace")
    return {"method": "GET", "path": path, "query": query or {}, "status": status,
            "headers": headers, "body": body}  # fmt: skip


def _per_item(base: str, manifest: Manifest, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a client asks about each artifact and each run beyond the one run above:
    every artifact's versions and their details (0.5.x), every run's artifacts or
    assets."""
    seen = {(a["path"], json.dumps(a["query"])) for a in answers}
    paths: list[str] = []
    if manifest.generation == "0.5":
        for item in _get(base, "/api/artifacts", None)["body"]:
            name = quote(item["name"], safe="")
            paths.append(f"/api/artifacts/{name}/versions")
            for version in range(1, int(item["num_versions"]) + 1):
                for tail in ("", "/files", "/lineage"):
                    paths.append(f"/api/artifacts/{name}/v{version}{tail}")
    per_run = "/artifacts" if manifest.generation == "0.5" else "/assets"
    paths += [f"/api/runs/{r.run_id}{per_run}" for r in manifest.runs]
    return [_get(base, p, None) for p in dict.fromkeys(paths) if (p, "{}") not in seen]


def _scrub(text: str, root: Path) -> str:
    return text.replace(str(root), ROOT)


def record(version: str) -> Path:
    python = viewer_python(version)
    root = Path(tempfile.mkdtemp(prefix=f"runicorn-record-{version}-"))
    try:
        manifest, live = write_dataset(
            python, version, root / "storage", scratch=root / "scratch", home=root / "home",
            big_steps=120,
        )  # fmt: skip
        live.stop()
        with api.local(root / "storage", python=python, home=root / "home") as client:
            if manifest.generation == "0.7":
                set_tags(client.base_url, manifest)
            base = client.base_url
            values = _values(manifest)
            if manifest.generation == "0.7":
                values["source"] = _get(base, "/api/diagnostics/sources", None)["body"][
                    "defaultSource"
                ]
            answers = []
            for route in ROUTES:
                if route.method != "GET" or route.path in SKIPPED:
                    continue
                if manifest.generation not in route.versions:
                    continue
                named = dict(values)
                if route.path.startswith("/api/artifacts/") and "artifact_name" in values:
                    named["name"] = values["artifact_name"]  # an artifact's name, not a run's
                path = _fill(route.path, named)
                if path is None:
                    continue
                query = {k: v.format(**named) for k, v in QUERIES.get(route.path, {}).items()}
                answers.append(_get(base, path, query))
            run = values["run_id"]
            answers.extend(_per_item(base, manifest, answers))
            answers.append(_get(base, f"/api/runs/{run}/metrics", {"downsample": "100"}))
            answers.append(_get(base, f"/api/runs/{run[:-1]}0", None))  # an unknown run
            answers.append(_get(base, "/api/runs/not-a-run-id", None))
            answers.append(_get(base, f"/api/runs/{run}/metrics", {"downsample": "5"}))  # 422
        document = {
            "source": (
                f"runicorn {version} (PyPI wheel) viewer serving the test data set "
                "(runicorn_api.testing.write_dataset, big_steps=120), recorded by "
                "tools/record_responses.py"
            ),
            "version": version,
            "runs": [
                {"key": r.key, "run_id": r.run_id, "path": r.path, "status": r.status}
                for r in manifest.runs
            ],
            "values": values,
            "responses": answers,
        }
        OUT.mkdir(parents=True, exist_ok=True)
        out = OUT / f"runicorn-{version}.json"
        text = json.dumps(document, indent=1, sort_keys=False)
        out.write_text(_scrub(text, root) + "\n", encoding="utf-8")
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    for version in argv or list(DEFAULT_VERSIONS):
        print(record(version))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
