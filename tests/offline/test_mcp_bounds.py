"""The MCP server's answers are bounded, escaped and free of secrets, and say what they
cut (``runicorn_api.mcp_server.bounds``; no ``mcp`` package needed)."""

from __future__ import annotations

import json
import math

import pytest

import runicorn_api as api
from runicorn_api.mcp_server.bounds import MAX_ANSWER, MAX_ITEMS, MAX_KEYS, MAX_TEXT, Bounded
from runicorn_api.mcp_server.tools import Condition


def test_long_values_are_cut_and_the_cuts_are_said() -> None:
    out = Bounded()
    config = {f"k{i}": "x" * (MAX_TEXT + 5 if i == 0 else 1) for i in range(MAX_KEYS + 3)}
    answer = out.answer(config=config, points=list(range(MAX_ITEMS + 7)))
    assert len(answer["config"]) == MAX_KEYS
    assert len(answer["config"]["k0"]) == MAX_TEXT
    assert len(answer["points"]) == MAX_ITEMS
    notes = answer["truncated"]
    assert "config: 3 more keys not shown" in notes
    assert "points: 7 more not shown" in notes
    assert "config.k0: 5 characters cut" in notes


def test_server_text_is_escaped_and_secrets_redacted() -> None:
    out = Bounded(["s3cret"])
    answer = out.answer(
        name="run\x1b]0;pwned\x07", note="at http://u:s3cret@host", nan=math.nan, ok=1.5
    )
    assert answer == {
        "name": "run\\x1b]0;pwned\\x07",
        "note": "at http://u:***@host",
        "nan": None,
        "ok": 1.5,
    }
    assert "truncated" not in answer


def test_an_answer_too_large_even_cut_is_refused_with_a_hint() -> None:
    rows = [{"text": "y" * MAX_TEXT} for _ in range(MAX_ANSWER // MAX_TEXT + 1)]
    with pytest.raises(api.InvalidArgumentError, match="limit"):
        Bounded().answer(runs=rows)
    assert len(json.dumps(Bounded().answer(runs=rows[:10]))) < MAX_ANSWER


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"key": "config.lr", "op": "<"}, "needs a value"),
        ({"key": "status", "op": "in", "value": "finished"}, "must be a list"),
        ({"key": "metrics.loss.mean", "op": ">", "value": 1}, "mean"),
    ],
)
def test_a_bad_condition_is_refused_before_any_request(
    condition: dict[str, object], message: str
) -> None:
    with pytest.raises(api.InvalidArgumentError, match=message):
        Condition.model_validate(condition).expr()
