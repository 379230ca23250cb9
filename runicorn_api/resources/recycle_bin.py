"""``client.recycle_bin``: soft-deleted runs (both generations)."""

from __future__ import annotations

from collections.abc import Iterable

from .._exceptions import InvalidArgumentError
from .._types import NOT_GIVEN, Timeout
from ..models.runs import BatchResult, DeletedRun
from ._base import Resource

__all__ = ["RecycleBinResource"]


class RecycleBinResource(Resource):
    """``client.recycle_bin``: soft-deleted runs (both generations)."""

    def list(self, *, timeout: Timeout = NOT_GIVEN) -> list[DeletedRun]:
        """:calls: ``GET /api/recycle-bin``"""
        data = self._get("/api/recycle-bin", timeout=timeout)
        items = data.get("deleted_runs", []) if isinstance(data, dict) else data
        out = []
        for raw in items if isinstance(items, list) else []:
            merged = {**raw, **self._adapter.run_identity(raw)}
            out.append(self._model(DeletedRun, merged, context="GET /api/recycle-bin"))
        return out

    def restore(self, run_ids: str | Iterable[str]) -> BatchResult:
        """Bring runs back from the recycle bin.

        :calls: ``POST /api/recycle-bin/restore`` (in batches of 100)
        """
        return self._post_batches("/api/recycle-bin/restore", run_ids, "restore")

    def empty(self, *, confirm: bool = False) -> BatchResult:
        """Delete every run in the recycle bin for good.

        :calls: ``POST /api/recycle-bin/empty {"confirm": true}``

        Raises:
            ValueError: Without ``confirm=True`` (nothing is sent).
        """
        if confirm is not True:
            raise InvalidArgumentError("empty() deletes runs permanently; pass confirm=True")
        return self._post("/api/recycle-bin/empty", BatchResult, json_body={"confirm": True})
