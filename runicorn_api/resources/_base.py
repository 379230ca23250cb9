"""The base of every resource: it names paths, parameters and models, nothing more."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from .._types import NOT_GIVEN, Timeout
from ..models._base import RunicornModel, validate_model

if TYPE_CHECKING:
    from .._adapters import Adapter
    from .._client import RunicornClient

M = TypeVar("M", bound=RunicornModel)
T = TypeVar("T")
R = TypeVar("R")


class Resource:
    """One group of endpoints, built on first access by the client."""

    def __init__(self, client: RunicornClient) -> None:
        self._client = client

    @property
    def _adapter(self) -> Adapter:
        return self._client._adapter

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> Any:
        return self._client._transport.request(
            method, path, params=params, json_body=json_body, timeout=timeout
        )

    def _concurrently(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``[fn(item) for item in items]`` on a pool of the client's ``max_workers``
        threads (the one mechanism for bulk requests), results in the items' order."""
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=min(self._client.max_workers, len(items))) as pool:
            return list(pool.map(fn, items))

    def _model(self, model: type[M], data: Any, *, context: str) -> M:
        return validate_model(model, data, strict=self._client.strict, context=context)

    def _models(self, model: type[M], items: Any, *, context: str) -> list[M]:
        if not isinstance(items, list):
            return [self._model(model, items, context=context)]  # raises: not a list
        return [self._model(model, item, context=context) for item in items]
