"""``client.experiments``: runs as lazy collections (:mod:`.collection`, compiled by
:mod:`.query`), single models, writes, and console logs (:mod:`.logs`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload
from urllib.parse import quote

from ..._core import ClientCore
from ..._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ..._frames.experiments import DETAIL_KEYS, EXPERIMENT_COLUMNS
from ..._types import NOT_GIVEN, NotGiven, Timeout
from ..._validation import RUN_ID, check_bool, check_run_id, id_list
from ...filters import Expr
from ...models.archives import PermanentDeletion
from ...models.contents import Environment, Progress
from ...models.experiment import Experiment
from ...models.runs import BatchResult
from .._runs import RunLookup
from .archive import ArchiveMixin
from .collection import ExperimentCollection
from .logs import LogsMixin
from .query import RunFilters, keyword_filter

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ..metrics import MetricsResource

__all__ = [
    "DETAIL_KEYS",
    "EXPERIMENT_COLUMNS",
    "ExperimentCollection",
    "ExperimentsResource",
    "keyword_filter",
]


class ExperimentsResource(LogsMixin, ArchiveMixin):
    """``client.experiments``: runs, as lazy collections and single models."""

    def __init__(self, core: ClientCore, runs: RunLookup, metrics: MetricsResource) -> None:
        super().__init__(core)
        self._runs = runs
        self._metrics = metrics

    # -- collections ---------------------------------------------------------------

    def all(self) -> ExperimentCollection:
        """Every run. :calls: ``GET /api/runs`` (on first use)."""
        return ExperimentCollection(self._runs, self._metrics)

    def filter(self, *exprs: Expr, **kw: Unpack[RunFilters]) -> ExperimentCollection:
        """Runs matching the filters; see :meth:`ExperimentCollection.filter`.

        :calls: ``GET /api/runs``, or ``GET /api/paths/runs`` (0.7.x, by path) or
        ``GET /api/projects/{p}/names/{n}/runs`` (0.5.x, by project and name)
        """
        return self.all().filter(*exprs, **kw)

    def exclude(self, *exprs: Expr, **kw: Unpack[RunFilters]) -> ExperimentCollection:
        """Runs not matching the filters. :calls: ``GET /api/runs``"""
        return self.all().exclude(*exprs, **kw)

    def order_by(self, *keys: str) -> ExperimentCollection:
        """Every run, sorted. :calls: ``GET /api/runs``"""
        return self.all().order_by(*keys)

    def list(
        self,
        *,
        project: str | None = None,
        name: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Experiment]:
        """The original client's ``list_experiments``: filtered, then sliced, as a list.

        :calls: ``GET /api/runs`` (or a narrower listing; see :meth:`filter`)

        The viewer honours none of these parameters on ``/api/runs``; filtering and
        ``limit``/``offset`` are applied here. ``name`` is the 0.5.x name or the 0.7.x
        path after the project segment.
        """
        return self.filter(project=project, name=name, status=status).page(limit, offset)

    def get(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Experiment:
        """One run, with its details loaded.

        :calls: ``GET /api/runs/{run_id}``, then the run's listing (for the fields only
        listings carry: tags, creation time)
        """
        return self._runs.get(run_id, timeout=timeout)

    def folder(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Path | None:
        """The run's folder on this machine, where the client may read storage files
        (``direct_reads``) and has proven the folder is the one the viewer serves; else
        ``None``.

        :calls: ``GET /api/runs/{run_id}`` (none with ``direct_reads="never"``)

        Raises:
            UnsupportedFeatureError: ``direct_reads="always"`` and the folder is not
                readable here.
        """
        return self._runs.folder(run_id, "the run folder", timeout)

    def environment(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Environment:
        """What the run's SDK captured about its environment (packages, python, git);
        ``captured`` is False for a run started without capture.

        :calls: ``GET /api/environment/{run_id}``
        """
        check_run_id(run_id)
        path = f"/api/environment/{quote(run_id)}"
        return self._get(path, Environment, timeout=timeout)

    def progress(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Progress:
        """The viewer's progress report for a run (0.5.x and 0.7.x viewers report
        ``available=False`` for every run: they track no progress).

        :calls: ``GET /api/runs/{run_id}/progress``
        """
        check_run_id(run_id)
        return self._get(f"/api/runs/{quote(run_id)}/progress", Progress, timeout=timeout)

    # -- writes --------------------------------------------------------------------

    def update(
        self,
        run_id: str,
        *,
        tags: Sequence[str] | NotGiven = NOT_GIVEN,
        alias: str | NotGiven | None = NOT_GIVEN,
    ) -> Experiment:
        """Replace a run's tags and/or set its alias (``None`` or ``""`` clears it).

        :calls: ``PATCH /api/runs/{run_id}`` (0.7.x), then :meth:`get`

        Raises:
            UnsupportedFeatureError: Before any request, on a 0.5.x viewer.
            ValueError: Before any request, for an id the viewer would refuse.
        """
        body: dict[str, Any] = {}
        if not isinstance(tags, NotGiven):
            self._adapter.require("tags")
            if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
                raise InvalidArgumentTypeError(f"tags must be a list of strings, got {tags!r}")
            body["tags"] = list(tags)
        if not isinstance(alias, NotGiven):
            self._adapter.require("alias")
            if alias is not None and not isinstance(alias, str):
                raise InvalidArgumentTypeError(f"alias must be a string or None, got {alias!r}")
            body["alias"] = alias or ""
        if not body:
            raise InvalidArgumentError("update() needs tags= and/or alias=")
        self._check_patchable(run_id)
        self._patch(f"/api/runs/{quote(run_id)}", json_body=body)
        return self.get(run_id)

    @overload
    def delete(
        self,
        run_ids: str | Iterable[str],
        *,
        permanent: Literal[False] = False,
        dry_run: Literal[False] = False,
        confirm: bool = False,
    ) -> BatchResult: ...
    @overload
    def delete(
        self,
        run_ids: str | Iterable[str],
        *,
        permanent: Literal[True],
        dry_run: bool = False,
        confirm: bool = False,
    ) -> PermanentDeletion: ...
    def delete(
        self,
        run_ids: str | Iterable[str],
        *,
        permanent: bool = False,
        dry_run: bool = False,
        confirm: bool = False,
    ) -> BatchResult | PermanentDeletion:
        """Move runs to the recycle bin (:meth:`RecycleBinResource.restore` brings them
        back), or with ``permanent=True`` remove them from disk with the assets only they
        use (0.7.x).

        :calls: ``POST /api/runs/soft-delete`` (in batches of 100), or with
            ``permanent=True`` ``POST /api/runs/permanent-delete`` (in batches of 50)

        A permanent delete cannot be undone: ``dry_run=True`` reports what it would
        remove (runs, blobs, bytes) and removes nothing; without it, ``confirm=True`` is
        required.

        Raises:
            InvalidArgumentError: Before any request, a permanent delete without
                ``dry_run`` or ``confirm``, or ``dry_run`` without ``permanent``.
            UnsupportedFeatureError: Before any request, ``permanent`` on 0.5.x.
            RunicornAPIError: The viewer could not delete (or check) some runs; it names
                them, and the result is the error's ``body``.
        """
        check_bool("permanent", permanent)
        if permanent:
            return self._delete_permanently(run_ids, dry_run=dry_run, confirm=confirm)
        if dry_run is not False or confirm is not False:
            raise InvalidArgumentError(
                "dry_run and confirm apply to a permanent delete (permanent=True); a soft "
                "delete can be undone with client.recycle_bin.restore"
            )
        return self._post_batches("/api/runs/soft-delete", run_ids, "delete")

    def move(self, run_ids: str | Iterable[str], target_path: str) -> BatchResult:
        """Move runs to another path.

        :calls: ``POST /api/runs/move`` (0.7.x)
        """
        self._adapter.require("move")
        target = target_path.strip().strip("/") if isinstance(target_path, str) else ""
        if not target:
            raise InvalidArgumentError(f"target_path must be a non-empty path, got {target_path!r}")
        ids = id_list(run_ids)
        data = self._post("/api/runs/move", json_body={"run_ids": ids, "target_path": target})
        result = self._model(BatchResult, _move_results(data), context="POST /api/runs/move")
        result.raise_for_failures("move")
        return result

    def load_details(self, items: Sequence[Experiment]) -> None:
        """Fetch summary, config, duration and updated_at of the runs that lack them.

        :calls: ``GET /api/runs/{id}`` per run on 0.7.x, from a bounded thread pool;
        reads the run folders on 0.5.x
        """
        self._runs.load_details(items)

    def _check_patchable(self, run_id: str) -> None:
        check_run_id(run_id)
        if not RUN_ID.match(run_id):
            raise InvalidArgumentError(
                f"{self._core.server} can only update runs whose id looks like "
                f"YYYYMMDD_HHMMSS_xxxxxx, got {run_id!r}"
            )


def _move_results(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {"results": {}}
    results = {
        m.get("run_id") if isinstance(m, dict) else str(m): (
            {"success": True, **m} if isinstance(m, dict) else {"success": True}
        )
        for m in data.get("moved") or []
    }
    for f in data.get("failed") or []:
        run_id = f.get("run_id") if isinstance(f, dict) else str(f)
        results[run_id] = {
            "success": False,
            "error": f.get("error") if isinstance(f, dict) else None,
        }
    return {**data, "results": results}
