"""``client.exports``: a run as one file, the viewer's where it has a working export and
otherwise written here (the published viewers answer their export routes with 501)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .._exceptions import APIStatusError, InvalidArgumentError
from .._types import NOT_GIVEN, Timeout
from .._validation import check_run_id
from ..formats import REPORT_FORMATS, check_format, render, rows_csv, run_report
from ._base import Resource

if TYPE_CHECKING:
    from .._core import ClientCore
    from .experiments import ExperimentsResource
    from .metrics import MetricsResource

__all__ = ["ExportsResource"]


class ExportsResource(Resource):
    """``client.exports``: one run as JSON, CSV, parquet, a zip, or a report."""

    def __init__(
        self, core: ClientCore, metrics: MetricsResource, experiments: ExperimentsResource
    ) -> None:
        super().__init__(core)
        self._metrics = metrics
        self._experiments = experiments

    def run(self, run_id: str, format: str = "json", *, include_media: bool = False) -> bytes:
        """The seed's ``export_experiment``: ``json`` (the run and its metric columns),
        ``csv`` or ``parquet`` (the long metrics table), built here; with
        ``include_media`` the viewer's zip of the run folder (0.7.x).

        :calls: ``GET /api/runs/{run_id}`` and ``GET /api/runs/{run_id}/metrics``, or
            ``POST /api/runs/export``
        """
        check_run_id(run_id)
        check_format(format)
        if include_media:
            self._adapter.require("export_zip")  # names the formats 0.5.x can export
            return self._experiments.export_zip(run_id)
        metrics = self._metrics.get(run_id)
        experiment = self._experiments.get(run_id) if format == "json" else None
        return render(format, metrics, experiment)

    def csv(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> bytes:
        """The run's metrics as CSV, one line per step under the viewer's ``columns``.

        :calls: ``GET /api/export/{run_id}/csv``; on its 501,
            ``GET /api/runs/{run_id}/metrics`` and the CSV is written here
        """
        check_run_id(run_id)
        served = self._viewer_export(f"/api/export/{quote(run_id)}/csv", None, timeout)
        if served is not None:
            return served
        return rows_csv(self._metrics.get(run_id, timeout=timeout))

    def report(
        self, run_id: str, format: str = "markdown", *, timeout: Timeout = NOT_GIVEN
    ) -> bytes:
        """A report of the run, ``"markdown"`` or ``"html"``.

        :calls: ``GET /api/export/{run_id}/report?format=``; on its 501,
            ``GET /api/runs/{run_id}`` and ``GET /api/runs/{run_id}/metrics``, and the
            report is written here
        """
        check_run_id(run_id)
        if format not in REPORT_FORMATS:
            raise InvalidArgumentError(f"format must be 'markdown' or 'html', got {format!r}")
        path = f"/api/export/{quote(run_id)}/report"
        served = self._viewer_export(path, {"format": format}, timeout)
        if served is not None:
            return served
        experiment = self._experiments.get(run_id, timeout=timeout)
        return run_report(format, experiment, self._metrics.get(run_id, timeout=timeout))

    def _viewer_export(
        self, path: str, params: dict[str, Any] | None, timeout: Timeout
    ) -> bytes | None:
        """The viewer's own export, or ``None`` where it answers 501 (not available)."""
        try:
            return self._core.raw("GET", path, params=params, timeout=timeout, expect="bytes")
        except APIStatusError as err:
            if err.status_code == 501:
                return None
            raise
