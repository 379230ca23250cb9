"""Every route of every supported viewer version, and what the SDK does with it.

:data:`ROUTES` is the table: one :class:`Route` per method and path template, with the
viewer generations that serve it and either ``sdk``, the dotted name of the public
callable that calls it (``client.`` names start at a :class:`~runicorn_api.RunicornClient`,
others at the :mod:`runicorn_api` package), or ``reason``, why it is deliberately not
wrapped. A contract test reads each live viewer's ``/openapi.json`` and WebSocket routes
and fails on a route this table lacks, so a new viewer version's routes are found on its
first run. Resources call :func:`require` before a request that only some generations serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ._exceptions import UnsupportedFeatureError

__all__ = ["ROUTES", "Route", "find", "require"]

Method = Literal["GET", "POST", "PATCH", "DELETE", "WS"]
Generation = Literal["0.5", "0.7"]

BOTH: tuple[Generation, ...] = ("0.5", "0.7")
V05: tuple[Generation, ...] = ("0.5",)
V07: tuple[Generation, ...] = ("0.7",)


@dataclass(frozen=True)
class Route:
    """One route of the viewer.

    Attributes:
        method: The HTTP method, or ``"WS"`` for a WebSocket.
        path: The path template, as the viewer's OpenAPI document spells it.
        versions: The generations that serve it: ``"0.5"`` (0.5.x) and/or ``"0.7"`` (0.7.x).
        sdk: The public callable that calls it (``"client.experiments.delete"``).
        reason: Why the SDK does not wrap it, where ``sdk`` is ``None``.
    """

    method: Method
    path: str
    versions: tuple[Generation, ...]
    sdk: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if (self.sdk is None) == (self.reason is None):
            raise ValueError(f"{self.method} {self.path}: give exactly one of sdk and reason")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _r(method: Method, path: str, versions: tuple[Generation, ...], sdk: str) -> Route:
    return Route(method, path, versions, sdk=sdk)


def _no(method: Method, path: str, versions: tuple[Generation, ...], reason: str) -> Route:
    return Route(method, path, versions, reason=reason)


_UI = "a preference of the web viewer's own pages, not experiment data"
_LEGACY = (
    "the legacy experiment-metadata store: 501 on 0.5.x, and on 0.7.x a separate file the "
    "runs never see; tags, alias and deletion go through client.experiments instead"
)
_V2 = (
    "reads the v2 SQLite index, which the published 0.5.3 wheel never fills (its schema "
    "file is missing), so it is always empty; the SDK reads /api/runs"
)

ROUTES: tuple[Route, ...] = (
    # -- health, configuration, machine ---------------------------------------------------
    _r("GET", "/api/health", BOTH, "client.health_check"),
    _r("POST", "/api/status/check", BOTH, "client.check_status"),
    _r("GET", "/api/config", BOTH, "client.get_config"),
    _r("POST", "/api/config/user_root_dir", BOTH, "client.set_user_root_dir"),
    _r("GET", "/api/config/storage-candidates", V07, "client.system.storage_candidates"),
    _no("GET", "/api/config/column-widths", BOTH, _UI),
    _no("POST", "/api/config/column-widths", BOTH, _UI),
    _no("DELETE", "/api/config/column-widths", BOTH, _UI),
    _no("POST", "/api/config/column-widths/reset", BOTH, _UI),
    _no("GET", "/api/config/dismissed-alerts", BOTH, _UI),
    _no("POST", "/api/config/dismissed-alerts/dismiss", BOTH, _UI),
    _no("POST", "/api/config/dismissed-alerts/undismiss", BOTH, _UI),
    _no("POST", "/api/config/dismissed-alerts/clear", BOTH, _UI),
    _r("GET", "/api/config/ssh_connections", BOTH, "client.remote.ssh_connections"),
    _r("POST", "/api/config/ssh_connections", BOTH, "client.remote.save_ssh_connection"),
    _r(
        "GET",
        "/api/config/ssh_connections/{key}/details",
        BOTH,
        "client.remote.ssh_connection",
    ),
    _r("DELETE", "/api/config/ssh_connections/{key}", BOTH, "client.remote.delete_ssh_connection"),
    _r("GET", "/api/gpu/telemetry", BOTH, "client.get_gpu_info"),
    _r("GET", "/api/gpu/telemetry/history", V07, "client.system.gpu_history"),
    _r("GET", "/api/gpu/telemetry/config", V07, "client.system.gpu_config"),
    _r("POST", "/api/gpu/telemetry/config", V07, "client.system.set_gpu_config"),
    _r("GET", "/api/system/monitor", BOTH, "client.system.monitor"),
    _r("GET", "/api/system/temperatures", BOTH, "client.system.temperatures"),
    _r("GET", "/api/storage/stats", V07, "client.get_storage_stats"),
    _r("GET", "/api/metrics/cache/stats", BOTH, "client.system.metrics_cache_stats"),
    _r("GET", "/api/diagnostics/sources", V07, "client.diagnostics.sources"),
    _r("GET", "/api/diagnostics/logs", V07, "client.diagnostics.logs"),
    _r("WS", "/api/diagnostics/logs/ws", V07, "client.diagnostics.follow"),
    # -- runs -----------------------------------------------------------------------------
    _r("GET", "/api/runs", BOTH, "client.list_runs"),
    _r("GET", "/api/runs/{run_id}", BOTH, "client.get_run"),
    _r("PATCH", "/api/runs/{run_id}", V07, "client.experiments.update"),
    _r("POST", "/api/runs/soft-delete", BOTH, "client.experiments.delete"),
    _r("POST", "/api/runs/permanent-delete", V07, "client.experiments.delete"),
    _no(
        "DELETE",
        "/api/runs/{run_id}/permanent",
        V07,
        "the batch route does the same for one run; client.experiments.delete(run_id, "
        "permanent=True) calls POST /api/runs/permanent-delete",
    ),
    _r("POST", "/api/runs/move", V07, "client.experiments.move"),
    _r("POST", "/api/runs/export", V07, "client.experiments.export_archive"),
    _r("GET", "/api/runs/{run_id}/metrics", BOTH, "client.get_metrics"),
    _r("GET", "/api/runs/{run_id}/metrics_step", BOTH, "client.metrics.get"),
    _r("GET", "/api/runs/{run_id}/progress", BOTH, "client.experiments.progress"),
    _r("WS", "/api/runs/{run_id}/logs/ws", BOTH, "client.experiments.logs"),
    _r("GET", "/api/runs/{run_id}/images", V07, "client.images.list"),
    _r("GET", "/api/environment/{run_id}", BOTH, "client.experiments.environment"),
    _r("GET", "/api/runs/{run_id}/artifacts", V05, "client.artifacts.for_run"),
    _r("GET", "/api/runs/{run_id}/assets", V07, "client.artifacts.list_artifacts"),
    _r("GET", "/api/runs/{run_id}/assets/download", V07, "client.artifacts.download"),
    _r("GET", "/api/runs/{run_id}/assets/refs", V07, "client.experiments.asset_refs"),
    _r("GET", "/api/recycle-bin", BOTH, "client.recycle_bin.list"),
    _r("POST", "/api/recycle-bin/restore", BOTH, "client.recycle_bin.restore"),
    _r("POST", "/api/recycle-bin/empty", BOTH, "client.recycle_bin.empty"),
    _r("GET", "/api/export/{run_id}/csv", BOTH, "client.export_csv"),
    _r("GET", "/api/export/{run_id}/report", BOTH, "client.export_report"),
    _r("POST", "/api/import/preview", V07, "client.import_archive"),
    _r("POST", "/api/import/archive", BOTH, "client.import_archive"),
    # -- projects and paths ---------------------------------------------------------------
    _no(
        "GET",
        "/api/projects",
        BOTH,
        "project names without counts; client.projects.list gives the names with run "
        "counts per status (from /api/paths or /api/runs)",
    ),
    _r("GET", "/api/projects/{project}/names", BOTH, "client.projects.names"),
    _r("GET", "/api/projects/{project}/names/{name}/runs", BOTH, "client.experiments.filter"),
    _r("GET", "/api/paths", V07, "client.list_paths"),
    _r("GET", "/api/paths/tree", V07, "client.projects.tree"),
    _r("GET", "/api/paths/runs", V07, "client.list_runs_by_path"),
    _r("POST", "/api/paths/create", V07, "client.paths.create"),
    _r("POST", "/api/paths/soft-delete", V07, "client.paths.delete"),
    _r("GET", "/api/paths/export", V07, "client.paths.export"),
    # -- legacy experiment management and the 0.5.x v2 index ------------------------------
    _no("POST", "/api/experiments/tag", BOTH, _LEGACY),
    _no("GET", "/api/experiments/search", BOTH, _LEGACY),
    _no("DELETE", "/api/experiments/delete", BOTH, _LEGACY),
    _no("GET", "/api/v2/experiments", V05, _V2),
    _no("GET", "/api/v2/experiments/{exp_id}", V05, _V2),
    _no("GET", "/api/v2/experiments/{exp_id}/metrics/fast", V05, _V2),
    _no(
        "POST",
        "/api/v2/experiments/batch-delete",
        V05,
        "answers success and deletes nothing in the published 0.5.3 wheel; "
        "client.experiments.delete uses /api/runs/soft-delete",
    ),
    _no("GET", "/api/v2/analytics/overview", V05, _V2),
    _no("GET", "/api/v2/analytics/projects", V05, _V2),
    _no("GET", "/api/v2/analytics/performance-trends", V05, _V2),
    _no("GET", "/api/v2/analytics/health", V05, _V2),
    # -- artifacts (0.5.x) ----------------------------------------------------------------
    _r("GET", "/api/artifacts", V05, "client.artifacts.list_artifacts"),
    _r("GET", "/api/artifacts/stats", V05, "client.artifacts.stats"),
    _r("GET", "/api/artifacts/{artifact_name}/versions", V05, "client.artifacts.list_versions"),
    _r("GET", "/api/artifacts/{artifact_name}/v{version}", V05, "client.artifacts.get_artifact"),
    _r(
        "DELETE",
        "/api/artifacts/{artifact_name}/v{version}",
        V05,
        "client.artifacts.delete_version",
    ),
    _r("GET", "/api/artifacts/{artifact_name}/v{version}/files", V05, "client.artifacts.files"),
    _r("GET", "/api/artifacts/{artifact_name}/v{version}/lineage", V05, "client.artifacts.lineage"),
    _r("POST", "/api/artifacts/{name}/v{version}/promote", V05, "client.artifacts.promote"),
    _r("POST", "/api/artifacts/{name}/v{version}/evaluate", V05, "client.artifacts.evaluate"),
    _r("GET", "/api/artifacts/{name}/evaluations", V05, "client.artifacts.evaluations"),
    _r(
        "GET",
        "/api/artifacts/{name}/performance-history",
        V05,
        "client.artifacts.performance_history",
    ),
    _r("GET", "/api/artifacts/{name}/training-metrics", V05, "client.artifacts.training_metrics"),
    # -- remote (SSH) ---------------------------------------------------------------------
    _r("POST", "/api/remote/connect", BOTH, "client.remote.connect"),
    _r("POST", "/api/remote/disconnect", BOTH, "client.remote.disconnect"),
    _r("GET", "/api/remote/sessions", BOTH, "client.remote.list_sessions"),
    _r("GET", "/api/remote/status", BOTH, "client.remote.get_remote_status"),
    _r("GET", "/api/remote/config", BOTH, "client.remote.config"),
    _r("GET", "/api/remote/conda-envs", BOTH, "client.remote.conda_envs"),
    _r("GET", "/api/remote/env-configs", V07, "client.remote.env_configs"),
    _r("GET", "/api/remote/storage-candidates", V07, "client.remote.storage_candidates"),
    _r("GET", "/api/remote/fs/list", V05, "client.remote.list_dir"),
    _r("GET", "/api/remote/fs/exists", V05, "client.remote.path_exists"),
    _r("GET", "/api/remote/connections/saved", BOTH, "client.remote.saved_connections"),
    _no(
        "POST",
        "/api/remote/connections/saved",
        BOTH,
        "replaces the web viewer's whole list of saved servers as its settings page edits "
        "it; client.remote.save_ssh_connection saves one connection",
    ),
    _r("GET", "/api/remote/known-hosts/list", V07, "client.remote.known_hosts"),
    _r("POST", "/api/remote/known-hosts/accept", V07, "client.remote.confirm_host_key"),
    _r("POST", "/api/remote/known-hosts/remove", V07, "client.remote.remove_host_key"),
    _r("POST", "/api/remote/viewer/start", BOTH, "client.remote.start_viewer"),
    _r("POST", "/api/remote/viewer/stop", BOTH, "client.remote.stop_viewer"),
    _r("GET", "/api/remote/viewer/sessions", BOTH, "client.remote.list_viewer_sessions"),
    _r("GET", "/api/remote/viewer/status/{session_id}", BOTH, "client.remote.viewer_status"),
)
"""Every route of every supported viewer version; see :class:`Route`."""

_BY_KEY: dict[tuple[str, str], Route] = {(r.method, r.path): r for r in ROUTES}


def find(method: str, path: str) -> Route:
    """The table's entry for ``method path`` (the path as a template).

    Raises:
        KeyError: No such route in the table.
    """
    return _BY_KEY[(method.upper(), path)]


def require(method: str, path: str, generation: str, version: str) -> None:
    """Raise :class:`UnsupportedFeatureError`, before any request, if the viewer's
    generation does not serve ``method path``."""
    route = find(method, path)
    if generation in route.versions:
        return
    served = " and ".join(f"{v}.x" for v in route.versions)
    raise UnsupportedFeatureError(
        f"runicorn {version} (the {generation}.x generation) has no {route}: only "
        f"{served} viewers serve it. No request was sent."
    )
