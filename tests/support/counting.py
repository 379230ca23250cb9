"""Counting the requests a client sends."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import runicorn_api as api


@contextlib.contextmanager
def counting(client: api.RunicornClient) -> Iterator[list[str]]:
    """The requests ``client`` sends inside the block, as ``"METHOD /path?query"``."""
    sent: list[str] = []

    def hook(response: Any, *args: Any, **kwargs: Any) -> None:
        sent.append(f"{response.request.method} {response.request.path_url}")

    client.session.hooks["response"].append(hook)
    try:
        yield sent
    finally:
        client.session.hooks["response"].remove(hook)
