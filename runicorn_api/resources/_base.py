"""The base of every resource: a group of endpoints over a :class:`ClientCore`.

A resource sees its client's core (calls, adapter, storage policy, options) and the
sibling resources it is given by name, never the client itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, TypeVar

from .._common.downloads import file_in_place, updater
from .._common.progress import ProgressOption, open_bar
from .._core import ClientCore
from .._generations import Adapter
from .._types import NOT_GIVEN, Timeout
from .._validation import id_list
from ..models._base import RunicornModel
from ..models.runs import BatchResult

__all__ = ["Resource"]

M = TypeVar("M", bound=RunicornModel)
BATCH = 100  # the viewer's largest run_ids list per request


class Resource:
    """One group of endpoints, built on first access by the client."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        # A resource's one way into HTTP is the core's, bound here once (as openai-python's
        # resources bind their client's get/post): a route and the model it answers with.
        self._get = core.get
        self._post = core.post
        self._patch = core.patch
        self._delete = core.delete
        # For a body that must be reshaped before validation:
        self._model = core.model
        self._models = core.models

    @property
    def _adapter(self) -> Adapter:
        return self._core.adapter

    def _post_batches(self, path: str, run_ids: str | Iterable[str], verb: str) -> BatchResult:
        """``POST path {"run_ids": [...]}`` in batches of the viewer's largest list; the
        per-run results merged, and :class:`RunicornAPIError` naming any run that failed."""
        ids = id_list(run_ids)
        results: dict[str, Any] = {}
        for start in range(0, len(ids), BATCH):
            data = self._post(path, json_body={"run_ids": ids[start : start + BATCH]})
            part = self._model(
                BatchResult, data if isinstance(data, dict) else {}, context=f"POST {path}"
            )
            results.update(part.results)
        result = BatchResult(results=results)
        result.raise_for_failures(verb)
        return result

    def _save_file(
        self,
        path: str,
        dest: str | os.PathLike[str],
        default_name: str,
        *,
        progress: ProgressOption,
        desc: str,
        method: Literal["GET", "POST"] = "GET",
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> Path:
        """A file the viewer answers with, streamed to ``dest`` (or ``dest/default_name``
        for a folder) through a temporary file moved into place when whole."""
        bar = open_bar(progress, None, unit="B", desc=desc)
        try:
            return file_in_place(
                dest,
                default_name,
                lambda sink: self._core.download(
                    path,
                    sink,
                    method=method,
                    params=params,
                    json_body=json_body,
                    timeout=timeout,
                    on_chunk=updater(bar),
                ),
            )
        finally:
            if bar is not None:
                bar.close()
