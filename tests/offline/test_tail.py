"""The backwards read of ``events.jsonl`` (``metrics.<name>.last``): each file is written
here line by line, and the expected last values are the ones these lines set by the
viewer's rules (the last write at a step wins, NaN is no value)."""

from __future__ import annotations

import json
from pathlib import Path

from runicorn_api._reading.events import tail


def last_values(path: Path, names: list[str]) -> dict[str, tuple[int, float]] | None:
    with path.open("rb") as file:
        return tail.last_values(file, names)


def _write(path: Path, events: list[dict[str, object]], *, torn: str = "") -> Path:
    lines = [json.dumps({"type": "metrics", "data": e}) for e in events]
    path.write_text("\n".join(lines) + "\n" + torn)
    return path


def test_the_last_value_of_each_metric_across_blocks(tmp_path: Path) -> None:
    # 5,000 lines (about 300 KB): the reader crosses several blocks for val_loss.
    events: list[dict[str, object]] = [{"global_step": s, "loss": 1.0 / s} for s in range(1, 5001)]
    events[9]["val_loss"] = 0.5  # step 10: the only val_loss
    path = _write(tmp_path / "events.jsonl", events)
    assert last_values(path, ["loss", "val_loss", "absent"]) == {
        "loss": (5000, 1.0 / 5000),
        "val_loss": (10, 0.5),
    }


def test_a_later_null_at_the_same_step_wins(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "events.jsonl",
        [
            {"global_step": 1, "loss": 3.0},
            {"global_step": 2, "loss": 2.0},
            {"global_step": 2, "loss": float("nan")},  # json.dumps writes NaN
            {"global_step": 3, "acc": 0.5},
        ],
    )
    assert last_values(path, ["loss", "acc"]) == {"loss": (1, 3.0), "acc": (3, 0.5)}


def test_step_keys_other_lines_and_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        json.dumps({"type": "metrics", "data": {"step": 7, "loss": 0.25}})
        + "\n"
        + json.dumps({"type": "log", "data": {"global_step": 9, "loss": 9.0}})
        + "\nnot json\n"
        + '{"type": "metrics", "data": {"global_step": 8, "loss": 0.1'  # being written
    )
    assert last_values(path, ["loss"]) == {"loss": (7, 0.25)}


def test_an_escaped_name_is_found(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"type": "metrics", "data": {"global_step": 4, "l\\u006fss": 1.5}}\n')
    assert last_values(path, ["loss"]) == {"loss": (4, 1.5)}
    _write(path, [{"global_step": 1, "精度": 0.75}])
    assert last_values(path, ["精度"]) == {"精度": (1, 0.75)}


def test_steps_that_go_back_or_text_values_give_up(tmp_path: Path) -> None:
    # Read from the end: step 3 has no value, then step 5 comes before it in the file,
    # so the steps go back; the viewer's answer (step 5) needs the whole file.
    back = _write(
        tmp_path / "back.jsonl",
        [{"global_step": 5, "loss": 1.0}, {"global_step": 3, "loss": float("nan")}],
    )
    assert last_values(back, ["loss"]) is None
    text = _write(tmp_path / "text.jsonl", [{"global_step": 1, "loss": "high"}])
    assert last_values(text, ["loss"]) is None


def test_an_empty_file_has_no_values(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"")
    assert last_values(path, ["loss"]) == {}
