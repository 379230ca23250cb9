"""Reading runs: the one place that asks ``GET /api/runs/{id}`` and turns listings into
:class:`Experiment` models, shared by the experiments, metrics, images and projects
resources."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .._common.collection import Page
from .._exceptions import InvalidArgumentTypeError, ResponseValidationError, UnsupportedFeatureError
from .._generations.base import RunsRequest
from .._storage.access import RunLocation, location_of
from .._storage.run_folder import read_json
from .._types import NOT_GIVEN, Timeout
from .._validation import check_run_id
from ..models._base import reading
from ..models.experiment import Experiment, RunLink
from ._base import Resource

__all__ = ["NEVER_READS", "RunLookup"]

NEVER_READS = "this client was told never to read storage files (direct_reads='never')"
"""Why a storage file is not read, when the client may read none."""


class RunLookup(Resource):
    """A run's detail, status, folder and detail-only fields; listings as pages."""

    def detail(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> dict[str, Any]:
        """The viewer's detail of one run. :calls: ``GET /api/runs/{run_id}``"""
        data = self._fetch(run_id, timeout)
        if not isinstance(data, dict):
            raise ResponseValidationError(f"GET /api/runs/{run_id}: expected an object", body=data)
        return data

    def _fetch(self, run_id: str, timeout: Timeout) -> Any:
        check_run_id(run_id)
        return self._get(f"/api/runs/{quote(run_id)}", timeout=timeout)

    def get(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Experiment:
        """One run, with its details loaded.

        :calls: ``GET /api/runs/{run_id}``, then the run's listing (for the fields only
        listings carry: tags, creation time)
        """
        detail = self.detail(run_id, timeout=timeout)
        with reading("GET /api/runs/{id}", detail):
            listing = self._adapter.sibling_request(detail)
        siblings = self._get(listing.path, params=listing.params, timeout=timeout)
        if not isinstance(siblings, list):
            siblings = []  # the listing only adds tags and times; the detail is the run
        raw = next((i for i in siblings if isinstance(i, dict) and i.get("id") == run_id), {})
        # The detail wins where both have a field (a 0.5.x per-name listing reports
        # artifact counts as 0; the detail has the real ones).
        exp = self.experiment({**raw, **detail}, "GET /api/runs/{id}")
        if self._adapter.detail_source == "http":
            with reading("GET /api/runs/{id}", detail):
                exp.link.details = self._adapter.details_from_detail(detail)
        return exp

    def status(self, run_id: str) -> str:
        """A run's status alone, for followers. :calls: ``GET /api/runs/{run_id}``"""
        return self.experiment(self.detail(run_id), "GET /api/runs/{id}").status

    def location(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> RunLocation:
        """Where the viewer says the run's folder is. :calls: ``GET /api/runs/{run_id}``"""
        data = self._fetch(run_id, timeout)  # a location is only a hint: no shape required
        return RunLocation.from_viewer(run_id, data if isinstance(data, dict) else {})

    def folder(self, run_id: str, purpose: str, timeout: Timeout) -> Path | None:
        """The run folder, when the client may and can prove it is the viewer's.

        :calls: :meth:`get`, unless the client may read no storage file
        """
        check_run_id(run_id)
        storage = self._core.storage
        if not storage.allowed:
            return None
        return storage.run_folder(location_of(self.get(run_id, timeout=timeout)), purpose=purpose)

    def listing(self, pushed: dict[str, Any]) -> RunsRequest:
        """The endpoint that lists runs, narrowed by the filters the viewer can apply."""
        return self._adapter.runs_request(pushed)

    def pages(
        self, request: RunsRequest, *, timeout: Timeout = NOT_GIVEN
    ) -> Iterator[Page[Experiment]]:
        """The runs of one listing, as pages (today the viewer sends a single page)."""
        data = self._get(request.path, params=request.params, timeout=timeout)
        if not isinstance(data, list):
            raise ResponseValidationError(
                f"GET {request.path} answered {type(data).__name__}, expected a JSON array",
                body=data,
            )
        items = []
        for raw in data:
            exp = self.experiment(raw, f"GET {request.path}")
            if not request.counts_known:
                exp.artifacts_created_count = exp.artifacts_used_count = None
            items.append(exp)
        yield Page(items, total=len(items))

    def experiment(self, raw: Any, context: str) -> Experiment:
        """A raw run (list item or detail) as an :class:`Experiment` linked to the client."""
        if not isinstance(raw, dict):
            raise ResponseValidationError(
                f"{context}: a run is {type(raw).__name__}, expected an object", body=raw
            )
        with reading(context, raw):
            data = self._adapter.normalize_run(raw)
        return self._model(Experiment, data, context=context, link=RunLink(self._core.home))

    def load_details(self, items: Sequence[Experiment]) -> None:
        """Fetch summary, config, duration and updated_at of the runs that lack them.

        :calls: ``GET /api/runs/{id}`` per run on 0.7.x, from a bounded thread pool;
        reads the run folders on 0.5.x
        """
        if (
            isinstance(items, str | bytes)
            or not isinstance(items, Sequence)
            or not all(isinstance(e, Experiment) for e in items)
        ):
            raise InvalidArgumentTypeError("load_details takes a sequence of Experiment objects")
        todo = [e for e in items if not e.details_loaded]
        if not todo:
            return
        if self._adapter.detail_source == "run_folder":
            for exp in todo:
                exp.link.details = self._details_from_folder(exp)
            return

        def fetch(exp: Experiment) -> dict[str, Any]:
            detail = self._fetch(exp.id, NOT_GIVEN)
            return self._adapter.details_from_detail(detail if isinstance(detail, dict) else {})

        for exp, details in zip(todo, self._core.concurrently(fetch, todo), strict=True):
            exp.link.details = details

    def _details_from_folder(self, exp: Experiment) -> dict[str, Any]:
        storage = self._core.storage
        folder = storage.run_folder(location_of(exp), purpose="the summary")
        if folder is None:
            why = (
                NEVER_READS
                if not storage.allowed
                else f"the run folder is not readable from this machine ({exp.run_dir})"
            )
            raise UnsupportedFeatureError(
                f"{self._core.server} serves no run summary, config or end time over "
                f"HTTP; they are read from the run folder, and {why}."
            )
        details: dict[str, Any] = self._adapter.details_from_files(
            read_json(folder, "summary.json"),
            read_json(folder, "status.json"),
            read_json(folder, "meta.json"),
        )
        return details
