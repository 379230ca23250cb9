"""Text stays text: a hostile viewer's run names, paths and error details reach the
terminal as visible escapes, never as control sequences or rich markup, and the markdown
report escapes HTML and links."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest

import runicorn_api as api
from tests.support.cli import run_cli
from tests.support.hostile import HostileViewer, send_json

RUN = "20250101_000000_aaaaaa"
ESC_PATH = "vision/\x1b[2J\x1b]0;pwned\x07title\x9b31m"
MARKUP_PATH = "[link=https://evil.example/]click[/link]"
ALIAS = "[/] <img src=x onerror=alert(1)> ![t](http://evil.example/t.png) \u202eexe.txt"


def _run(run_id: str, path: str, alias: str) -> dict[str, object]:
    return {"id": run_id, "path": path, "alias": alias, "status": "finished", "tags": [],
            "created_time": 1735689600.0, "run_dir": None}  # fmt: skip


@pytest.fixture
def hostile() -> Iterator[str]:
    runs = [_run(RUN, ESC_PATH, ALIAS), _run("20250101_000000_bbbbbb", MARKUP_PATH, "[/]")]
    viewer = HostileViewer()
    viewer.on("GET", "/api/runs", lambda h: send_json(h, runs))
    viewer.on("GET", f"/api/runs/{RUN}", lambda h: send_json(h, runs[0]))
    viewer.on("GET", "/api/paths/runs", lambda h: send_json(h, runs[:1]))
    bad = {"detail": "no such run \x1b]8;;https://evil.example\x07here\x1b]8;;\x07 [bold]x[/]"}
    viewer.on("GET", "/api/runs/20250101_000000_cccccc", lambda h: send_json(h, bad, 404))
    metrics = {"columns": ["global_step", "loss"], "rows": [{"global_step": 1, "loss": 0.5}],
               "total": 1, "sampled": 1}  # fmt: skip
    viewer.on("GET", f"/api/runs/{RUN}/metrics", lambda h: send_json(h, metrics))
    with viewer.running() as url:
        yield url


def _assert_inert(text: str) -> None:
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in text, repr(text)


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_runs_ls_shows_server_text_as_text(hostile: str, fmt: str) -> None:
    done = run_cli("runs", "ls", "--format", fmt, url=hostile, columns=400)
    assert done.returncode == 0, done.stderr
    _assert_inert(done.stdout)
    if fmt == "json":
        rows = json.loads(done.stdout)  # JSON escapes them itself, and keeps them exact
        assert {r["path"] for r in rows} == {ESC_PATH, MARKUP_PATH}
        return
    assert "\\x1b[2J" in done.stdout  # visible, not executed
    assert "\\x9b31m" in done.stdout
    assert "\\u202e" in done.stdout
    assert "[link=" in done.stdout
    assert "[/link]" in done.stdout


def test_the_table_is_not_rich_markup_on_a_terminal(hostile: str) -> None:
    """On a real terminal (script(1)'s pseudo-terminal) rich would turn markup into an
    OSC 8 hyperlink; it must print the text instead."""
    from tests.support.cli import CLI

    command = f"COLUMNS=400 {CLI} runs ls --url {hostile}"
    done = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout
    assert "\x1b]8;" not in done.stdout  # no hyperlink escape
    assert "evil.example" in done.stdout
    assert "\\x1b[2J" in done.stdout


def test_an_error_detail_reaches_stderr_inert(hostile: str) -> None:
    done = run_cli("runs", "show", "20250101_000000_cccccc", url=hostile)
    assert done.returncode == 1
    assert done.stderr.startswith("runicorn-api: error: 404")
    _assert_inert(done.stderr)
    assert "\\x1b]8;;https://evil.example\\x07here" in done.stderr
    assert "[bold]x[/]" in done.stderr


def test_the_markdown_report_escapes_html_and_links(hostile: str) -> None:
    with api.connect(hostile, max_retries=0, direct_reads="never") as client:
        exp = client.get_experiment(RUN)
        from runicorn_api.formats import run_report

        report = run_report("markdown", exp, client.get_metrics(RUN)).decode()
    assert "<img" not in report
    assert "&lt;img src=x onerror=alert(1)&gt;" in report
    assert "![t](" not in report
    assert "!\\[t\\](http://evil.example/t.png)" in report
    assert "\x1b" not in report
