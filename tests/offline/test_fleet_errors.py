"""``fleet.errors`` is per thread: calls made at the same time (an MCP server's tools
run so) each see the viewers that failed in their own call, not in another's."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest

from runicorn_api import RunicornAPIError
from runicorn_api.fleet.core import Fleet


@pytest.mark.filterwarnings("ignore::runicorn_api.FleetWarning")
def test_each_thread_sees_the_failures_of_its_own_call() -> None:
    fleet = Fleet({"a": cast(Any, None), "b": cast(Any, None)}, owned=set(), on_error="warn")
    both_asked = threading.Barrier(2, timeout=30)
    seen: dict[str, tuple[dict[str, str], dict[str, str]]] = {}

    def call(failing: str) -> None:
        def ask(name: str, _client: Any) -> str:
            if name == failing:
                raise RunicornAPIError(f"{name} is down")
            return name

        answered = fleet.gather("experiments", ask)
        both_asked.wait()  # the other thread's call has ended too
        seen[failing] = (
            {n: str(e) for n, e in fleet.errors.items()},
            {n: str(v) for n, v in answered.items()},
        )

    threads = [threading.Thread(target=call, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert seen["a"] == ({"a": "a is down"}, {"b": "b"})
    assert seen["b"] == ({"b": "b is down"}, {"a": "a"})
    assert fleet.errors == {}  # this thread made no call, and every viewer opened


def test_before_any_call_errors_are_the_viewers_that_did_not_open() -> None:
    down = RunicornAPIError("refused")
    with pytest.warns(Warning, match="connect_many: 1 of 2 viewers failed"):
        fleet = Fleet({"a": cast(Any, None)}, owned=set(), on_error="warn", failed={"b": down})
    assert fleet.errors == {"b": down}
    found: list[dict[str, Exception]] = []
    worker = threading.Thread(target=lambda: found.append(fleet.errors))
    worker.start()
    worker.join(timeout=30)
    assert found == [{"b": down}]  # another thread sees them too until it makes a call
