"""What every generation adapter provides."""

from __future__ import annotations

from typing import Any, ClassVar

from .._exceptions import UnsupportedFeatureError
from ..models.experiment import epoch_to_datetime
from ..models.server import FEATURES, Generation, ServerInfo


class Adapter:
    """Maps one viewer generation onto the shared models.

    Subclasses set :attr:`generation` and :attr:`features` and override
    :meth:`run_identity`, the one place where a generation names its runs.
    """

    generation: ClassVar[Generation]
    features: ClassVar[frozenset[str]]
    # What to use instead when a feature is missing, for UnsupportedFeatureError messages.
    alternatives: ClassVar[dict[str, str]] = {}

    def __init__(self, version: str) -> None:
        self.version = version
        self.server = ServerInfo(
            version=version, generation=self.generation, features=self.features
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
        for key in ("best_metric_name", "best_metric_value"):
            data.pop(key, None)
        data["best_metric"] = best if best["name"] is not None else None
        if data.get("tags") is None:
            data["tags"] = []
        return data
