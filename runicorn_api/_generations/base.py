"""What every generation adapter provides."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from .._exceptions import UnsupportedFeatureError
from .._types import DirectReads
from ..models._base import epoch_to_datetime
from ..models.server import FEATURES, Generation, ServerInfo

# Keys the SDK writes into summary.json for the primary metric; surfaced as best_metric.
BEST_KEYS = ("best_metric_name", "best_metric_value", "best_metric_step", "best_metric_mode")


class RunsRequest:
    """Which endpoint lists the runs for a set of pushed-down filters."""

    def __init__(
        self, path: str, params: dict[str, Any] | None = None, *, counts_known: bool = True
    ) -> None:
        self.path = path
        self.params: dict[str, Any] = params or {}
        self.counts_known = counts_known
        """False where the endpoint reports artifact counts as 0 whatever they are."""


class Adapter:
    """Maps one viewer generation onto the shared models.

    Subclasses set :attr:`generation`, :attr:`features` and :attr:`detail_source`, and
    implement :meth:`run_identity`, :meth:`runs_request` and the detail readers.
    """

    generation: ClassVar[Generation]
    features: ClassVar[frozenset[str]]
    detail_source: ClassVar[Literal["http", "run_folder"]]
    # What to use instead when a feature is missing, for UnsupportedFeatureError messages.
    alternatives: ClassVar[dict[str, str]] = {}

    def __init__(self, version: str, *, direct_reads: DirectReads = "auto") -> None:
        self.version = version
        self.server: ServerInfo = ServerInfo(
            version=version,
            generation=self.generation,
            features=self.features,
            direct_reads=direct_reads,
        )

    def require(self, feature: str) -> None:
        """Raise :class:`UnsupportedFeatureError` before any request if ``feature`` is missing."""
        if feature in self.features:
            return
        message = (
            f"runicorn {self.version} (the {self.generation}.x generation) has no "
            f"{FEATURES[feature]}."
        )
        if feature in self.alternatives:
            message += f" {self.alternatives[feature]}"
        raise UnsupportedFeatureError(message)

    def run_identity(self, item: dict[str, Any]) -> dict[str, Any]:
        """``project``, ``name`` and ``path`` of a raw run item."""
        raise NotImplementedError

    def runs_request(self, pushed: dict[str, Any]) -> RunsRequest:
        """The endpoint that lists runs, narrowed by the filters the server can apply."""
        raise NotImplementedError

    def sibling_request(self, item: dict[str, Any]) -> RunsRequest:
        """The narrowest listing that contains the run ``item`` (for list-only fields)."""
        raise NotImplementedError

    def normalize_run(self, item: dict[str, Any]) -> dict[str, Any]:
        """A raw run (list item or detail) of this generation → :class:`Experiment` data."""
        data = dict(item)
        data.update(self.run_identity(item))
        created = data.pop("created_time", None)
        if created is None:
            created = data.get("start_time")
        data["created_at"] = epoch_to_datetime(created)
        raw_summary = item.get("summary")
        summary: dict[str, Any] = raw_summary if isinstance(raw_summary, dict) else {}
        best = {
            "name": item.get("best_metric_name", summary.get("best_metric_name")),
            "value": item.get("best_metric_value", summary.get("best_metric_value")),
            "step": summary.get("best_metric_step"),
            "mode": summary.get("best_metric_mode"),
        }
        for key in ("best_metric_name", "best_metric_value", "summary", "assets"):
            data.pop(key, None)
        data["best_metric"] = best if best["name"] is not None else None
        if data.get("tags") is None:
            data["tags"] = []
        return data

    def details_from_detail(self, detail: dict[str, Any]) -> dict[str, Any]:
        """Detail-only fields from ``GET /api/runs/{id}``."""
        raise NotImplementedError

    @staticmethod
    def details_from_files(
        summary: dict[str, Any], status: dict[str, Any], meta: dict[str, Any]
    ) -> dict[str, Any]:
        """Detail-only fields from a run folder's summary.json, status.json and meta.json."""
        started = status.get("started_at", meta.get("created_at"))
        ended = status.get("ended_at")
        duration = None
        if isinstance(started, int | float) and isinstance(ended, int | float):
            duration = float(ended) - float(started)
        return {
            "summary": user_summary(summary),
            "config": {},
            "duration": duration,
            "updated_at": epoch_to_datetime(ended),
        }


def user_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without the SDK's primary-metric keys (they are ``best_metric``)."""
    return {k: v for k, v in summary.items() if k not in BEST_KEYS}


def end_time(start: Any, duration: Any) -> datetime | None:
    if isinstance(start, int | float) and isinstance(duration, int | float):
        return epoch_to_datetime(float(start) + float(duration))
    return None
