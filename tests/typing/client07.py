"""The examples of runicorn 0.7's own client document that this SDK serves, as a type
checker sees them (checked by mypy --strict and pyright in ``make lint``; never run)."""

from __future__ import annotations

from typing_extensions import assert_type

import runicorn_api as client_mod


def core_client() -> None:
    client = client_mod.connect(base_url="http://127.0.0.1:23300", timeout=30, max_retries=3)
    assert_type(client, client_mod.RunicornClient)
    direct = client_mod.RunicornClient(base_url="http://127.0.0.1:23300", timeout=30, max_retries=3)
    with client_mod.connect() as context:
        health = context.health_check()
        assert_type(health["status"], str)
    run = direct.get_run("20260101_000000_abcdef")
    assert_type(run["path"], str | None)
    assert_type(run["status"], str)
