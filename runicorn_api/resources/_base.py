"""The base of every resource: a group of endpoints over a :class:`ClientCore`.

A resource sees its client's core (transport, adapter, storage policy, options) and the
sibling resources it is given by name, never the client itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from .._core import ClientCore
from .._generations import Adapter
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
        # A resource's view of HTTP and validation is the core's, bound here once (as
        # openai-python's resources bind their client's get/post).
        self._request = core.request
        self._model = core.model

    @property
    def _adapter(self) -> Adapter:
        return self._core.adapter

    def _models(self, model: type[M], items: Any, *, context: str, link: object = None) -> list[M]:
        if not isinstance(items, list):
            return [self._model(model, items, context=context)]  # raises: not a list
        return [self._model(model, item, context=context, link=link) for item in items]

    def _post_batches(self, path: str, run_ids: str | Iterable[str], verb: str) -> BatchResult:
        """``POST path {"run_ids": [...]}`` in batches of the viewer's largest list; the
        per-run results merged, and :class:`RunicornAPIError` naming any run that failed."""
        ids = id_list(run_ids)
        results: dict[str, Any] = {}
        for start in range(0, len(ids), BATCH):
            data = self._request("POST", path, json_body={"run_ids": ids[start : start + BATCH]})
            part = self._model(
                BatchResult, data if isinstance(data, dict) else {}, context=f"POST {path}"
            )
            results.update(part.results)
        result = BatchResult(results=results)
        result.raise_for_failures(verb)
        return result
