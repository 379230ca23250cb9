"""``runicorn-api mcp`` against both real viewers, driven by the ``mcp`` package's own
client over stdio (``tests/support/mcp_client.py``, run by the ``mcp`` extra's venv).

Expected values come from the data set's manifest; each tool is called, errors come
back as tool errors, and nothing changes a run without ``--allow-writes``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from runicorn_api._local_viewer import free_port
from runicorn_api.testing.copies import RunRecord, expected_rows
from tests.support.mcp_env import mcp_python
from tests.support.viewers import ViewerEnv, copy_viewer

CLIENT = Path(__file__).resolve().parents[1] / "support" / "mcp_client.py"
READ_TOOLS = {"list_projects", "list_runs", "get_run", "metric_summary", "compare_runs",
              "best_runs"}  # fmt: skip


@pytest.fixture(scope="module")
def mcp_env() -> Path:
    return mcp_python()


def session(
    python: Path, tmp_path: Path, urls: list[str], calls: list[dict[str, Any]],
    *, writes: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """One client session: the server started, the calls made, the answers."""
    command = [str(python.parent / "runicorn-api"), "mcp"]
    for url in urls:
        command += ["--url", url]
    if writes:
        command.append("--allow-writes")
    script = tmp_path / "script.json"
    stderr = tmp_path / "server-stderr.txt"
    script.write_text(json.dumps({"command": command, "calls": calls, "stderr": str(stderr),
                                  "env": {"HOME": str(tmp_path)}}))  # fmt: skip
    done = subprocess.run([str(python), str(CLIENT), str(script)], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr + stderr.read_text()
    answers: dict[str, Any] = json.loads(done.stdout)
    answers["stderr"] = stderr.read_text()
    return answers


def tool(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def structured(result: dict[str, Any]) -> dict[str, Any]:
    assert not result.get("is_error"), result
    data: dict[str, Any] = result["structured_content"]
    assert json.loads(result["content"][0]["text"]) == data  # the text says the same
    return data


def error_text(result: dict[str, Any]) -> str:
    assert result.get("is_error") is True, result
    return str(result["content"][0]["text"])


def _logged(run: RunRecord, name: str) -> list[tuple[int, float]]:
    return [(int(r["global_step"] or 0), v) for r in expected_rows(run) if (v := r[name])
            is not None]  # fmt: skip


def _plain(viewer: ViewerEnv) -> list[RunRecord]:
    return [r for r in viewer.manifest.runs if r.edge is None and not r.live]


def test_every_tool_answers_from_the_written_data(
    viewer: ViewerEnv, mcp_env: Path, tmp_path: Path
) -> None:
    runs = viewer.manifest.runs
    record = {r.run_id: r for r in runs}
    plain = _plain(viewer)
    one = plain[0]
    pair = [plain[0].run_id, plain[1].run_id]
    loss_min = {r.run_id: min(v for _, v in _logged(r, "loss")) for r in plain}
    best3 = sorted(loss_min, key=loss_min.__getitem__)[:3]
    project = one.project
    calls = [
        tool("list_projects"),
        tool("list_runs", limit=1000),
        tool("list_runs", project=project, columns=["summary.seed", "metrics.loss.last"]),
        tool("get_run", run_id=one.run_id),
        tool("metric_summary", run_id=one.run_id, metric_names=["loss"], points=20),
        tool("compare_runs", run_ids=pair, metric_names=["loss"]),
        tool(
            "best_runs",
            metric="loss",
            reduction="min",
            n=3,
            where=[{"key": "id", "op": "in", "value": list(loss_min)}],
        ),
        {"kind": "resource", "uri": f"runicorn://runs/{one.run_id}"},
        {"kind": "prompt", "name": "analyse_sweep", "arguments": {"path": project}},
        # errors, each a tool error that says what to fix
        tool("get_run", run_id="0123456789abcdef0123456789abcdef"),
        tool("list_runs", where=[{"key": "sumary.seed", "op": ">", "value": 0}]),
        tool("metric_summary", run_id=one.run_id, metric_names=["acuracy"]),
        tool("list_runs", limit=0),
        tool("update_run", run_id=one.run_id, tags=["x"]),
    ]
    got = session(mcp_env, tmp_path, [viewer.base_url], calls)
    answers = got["calls"]

    tools = {t["name"]: t for t in got["tools"]}
    assert set(tools) == READ_TOOLS  # read-only: no tool that changes a run
    for t in tools.values():
        assert t["description"].strip()
        assert t["input_schema"]["type"] == "object"
        assert t["annotations"]["read_only_hint"] is True
    limit = tools["list_runs"]["input_schema"]["properties"]["limit"]
    assert (limit["type"], limit["default"]) == ("integer", 100)
    assert [p["name"] for p in got["prompts"]["prompts"]] == ["analyse_sweep"]
    assert [t["uri_template"] for t in got["templates"]["resource_templates"]] == [
        "runicorn://runs/{run_id}"
    ]

    projects = {p["name"]: p for p in structured(answers[0])["projects"]}
    assert sorted(projects) == sorted({r.project for r in runs})
    for name, p in projects.items():
        mine = [r for r in runs if r.project == name]
        assert p["runs"] == len(mine)
        assert p["failed"] == sum(r.status == "failed" for r in mine)

    listed = structured(answers[1])
    assert {r["id"] for r in listed["runs"]} == {r.run_id for r in runs}
    assert listed["total"] == len(runs)
    by_id = {r["id"]: r for r in listed["runs"]}
    for run in runs:
        row = by_id[run.run_id]
        assert (row["path"], row["status"], row["alias"]) == (run.path, run.status, run.alias)
        assert row["tags"] == run.tags

    chosen = structured(answers[2])
    mine = [r for r in runs if r.project == project]
    assert {r["id"] for r in chosen["runs"]} == {r.run_id for r in mine}
    for row in chosen["runs"]:
        run = record[row["id"]]
        assert row["values"]["summary.seed"] == run.summary.get("seed")
        if run in plain:
            assert row["values"]["metrics.loss.last"] == pytest.approx(_logged(run, "loss")[-1][1])

    detail = structured(answers[3])["run"]
    assert detail["id"] == one.run_id
    assert detail["summary"] == one.summary
    assert detail["config"] == ({"note": one.key, **one.config} if one.config else {})
    assert detail["duration_s"] is not None
    assert detail["duration_s"] >= 0
    resource = json.loads(answers[7]["contents"][0]["text"])
    assert resource["run"]["id"] == one.run_id

    loss = structured(answers[4])["metrics"]["loss"]
    logged = _logged(one, "loss")
    assert loss["last"] == pytest.approx(logged[-1][1])
    assert loss["last_step"] == logged[-1][0]
    assert loss["min"] == pytest.approx(min(v for _, v in logged))
    assert loss["max"] == pytest.approx(max(v for _, v in logged))
    assert loss["count"] == len(logged)
    assert 3 <= len(loss["sketch"]) <= 20
    assert all(s in dict(logged) for s, _ in loss["sketch"])

    compared = {r["id"]: r for r in structured(answers[5])["runs"]}
    assert list(compared) == pair
    for run_id in pair:
        want = _logged(record[run_id], "loss")
        assert compared[run_id]["metrics"]["loss"]["min"] == pytest.approx(min(v for _, v in want))

    best = structured(answers[6])
    # Runs of one seed tie: the values are the three lowest, each its run's own.
    got_best = [(r["id"], r["metrics.loss.min"]) for r in best["runs"]]
    assert [v for _, v in got_best] == pytest.approx([loss_min[i] for i in best3])
    assert all(v == pytest.approx(loss_min[i]) for i, v in got_best)
    assert best["matched"] == len(loss_min)
    assert best["goal"] == "minimize"

    prompt = answers[8]["messages"][0]["content"]["text"]
    assert project in prompt
    assert "best_runs" in prompt

    assert "0123456789abcdef0123456789abcdef" in error_text(answers[9])
    assert "summary.seed" in error_text(answers[10])  # the closest key is suggested
    assert "loss" in error_text(answers[11])  # the run's metrics are listed
    assert "limit" in error_text(answers[12])
    assert "update_run" in error_text(answers[13])
    assert "Traceback" not in got["stderr"]


def test_writes_need_allow_writes(viewer: ViewerEnv, mcp_env: Path, tmp_path: Path) -> None:
    client, _ = copy_viewer(viewer, "mcp-writes")
    run = _plain(viewer)[0]
    calls = [tool("update_run", run_id=run.run_id, tags=["checked", "mcp"])]
    got = session(mcp_env, tmp_path, [client.base_url], calls, writes=True)
    assert {"update_run", "delete_runs"} <= {t["name"] for t in got["tools"]}
    result = got["calls"][0]
    if viewer.generation == "0.5":
        assert "tags" in error_text(result)  # 0.5.x viewers keep no tags
        assert client.experiments.get(run.run_id).tags == run.tags
        return
    changed = structured(result)["changed"]["tags"]
    assert (changed["before"], changed["after"]) == (run.tags, ["checked", "mcp"])
    assert client.experiments.get(run.run_id).tags == ["checked", "mcp"]


def test_several_viewers_and_one_unreachable(
    viewer: ViewerEnv, mcp_env: Path, tmp_path: Path
) -> None:
    dead = f"http://someone:s3cret-pw@127.0.0.1:{free_port()}"
    calls = [tool("list_runs", limit=1000)]
    got = session(mcp_env, tmp_path, [f"here={viewer.base_url}", f"gone={dead}"], calls)
    listed = structured(got["calls"][0])
    assert {r["id"] for r in listed["runs"]} == {r.run_id for r in viewer.manifest.runs}
    assert {r["viewer"] for r in listed["runs"]} == {"here"}
    assert set(listed["unavailable_viewers"]) == {"gone"}

    alone = session(mcp_env, tmp_path, [dead], [tool("list_projects")])
    text = error_text(alone["calls"][0])
    assert "127.0.0.1" in text
    assert "s3cret-pw" not in json.dumps(alone) + json.dumps(got)


def test_the_mcp_extra_installs_alone(mcp_env: Path) -> None:
    """The extra resolved into a venv of its own (``pip check`` passed when it was
    built); it brings mcp 2.x and no runicorn, whose uvicorn pin it cannot share."""
    probe = subprocess.run(
        [str(mcp_env), "-c", "import importlib.metadata as m, importlib.util as u; "
         "print(m.version('mcp'), u.find_spec('runicorn') is None)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    version, no_runicorn = probe.stdout.split()
    assert version.startswith("2.")
    assert no_runicorn == "True"
