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


def metric_requests(client: api.RunicornClient) -> list[str]:
    """The URLs of the ``.../metrics`` requests ``client`` sends from now on."""
    seen: list[str] = []

    def hook(response: Any, *args: Any, **kwargs: Any) -> None:
        if response.url.split("?")[0].endswith("/metrics"):
            seen.append(response.url)

    client.session.hooks["response"].append(hook)
    return seen
