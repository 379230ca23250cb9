"""The experiments DataFrame schema: base columns, then ``summary.*`` and ``config.*``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .._common.reductions import reduction_key
from .frame import Frame, Logical, flatten, infer_type

if TYPE_CHECKING:
    from ..models.experiment import Experiment

__all__ = ["DETAIL_KEYS", "EXPERIMENT_COLUMNS", "experiments_frame", "needs_details"]

DETAIL_KEYS = frozenset({"summary", "config", "duration", "updated_at", "updated_datetime"})
"""Fields that are not in the viewer's run lists (see :class:`~runicorn_api.Experiment`)."""

EXPERIMENT_COLUMNS: dict[str, Logical] = {
    "id": "str",
    "project": "str",
    "name": "str",
    "path": "str",
    "alias": "str",
    "status": "str",
    "created_at": "time",
    "updated_at": "time",
    "duration": "float",
    "pid": "int",
    "tags": "list",
    "best_metric_name": "str",
    "best_metric_value": "float",
    "run_dir": "str",
    "assets_count": "int",
    "artifacts_created_count": "int",
    "artifacts_used_count": "int",
}
"""The base columns of ``to_pandas()`` / ``to_polars()``, then ``summary.*`` and ``config.*``."""


def needs_details(keys: Iterable[str]) -> bool:
    """Whether any of these field keys (``-key`` too) is a detail-only field."""
    return any(k.lstrip("-").split(".")[0] in DETAIL_KEYS for k in keys)


def experiments_frame(
    items: Sequence[Experiment],
    columns: Sequence[str] | None,
    load_details: Callable[[Sequence[Experiment]], None] | None,
) -> Frame:
    """The documented experiment schema: base columns, then ``summary.*``, ``config.*``.

    ``load_details`` fetches the detail-only fields in bulk, when the columns need them.
    """
    wanted_details = columns is None or needs_details(columns)
    if wanted_details and load_details is not None:
        load_details(list(items))
    # Only the base columns asked for are read (a run's fields are pydantic attributes:
    # reading all of them for a thousand runs costs more than the columns asked for).
    base = [n for n in EXPERIMENT_COLUMNS if columns is None or n in columns]
    data: dict[str, list[Any]] = {name: [] for name in base}
    extra: list[dict[str, Any]] = []
    for exp in items:
        best = (
            exp.best_metric if "best_metric_name" in data or "best_metric_value" in data else None
        )
        row = {
            "best_metric_name": best.name if best else None,
            "best_metric_value": best.value if best else None,
        }
        for name in base:
            if name in row:
                data[name].append(row[name])
            elif name in DETAIL_KEYS and not wanted_details:
                data[name].append(None)
            else:
                data[name].append(getattr(exp, name))
        flat: dict[str, Any] = {}
        if wanted_details:
            flatten("summary", exp.summary, flat)
            flatten("config", exp.config, flat)
        extra.append(flat)
    types: dict[str, Logical] = {name: EXPERIMENT_COLUMNS[name] for name in base}
    for name in sorted({k for flat in extra for k in flat}):
        data[name] = [flat.get(name) for flat in extra]
        types[name] = infer_type(data[name])
    for key in columns or ():
        reduced = reduction_key(key)
        if reduced is not None:
            name, reduction = reduced
            found = [exp.metric_summaries.get(name) for exp in items]
            data[key] = [getattr(s, reduction) if s is not None else None for s in found]
            types[key] = "int" if reduction in ("last_step", "count") else "float"
    unknown = [c for c in columns or () if c not in data]
    if unknown:
        raise KeyError(
            f"Unknown column {', '.join(map(repr, unknown))}; available: "
            + ", ".join([*EXPERIMENT_COLUMNS, *(n for n in data if n not in EXPERIMENT_COLUMNS)])
            + ", metrics.<name>.<reduction>"
        )
    return Frame(data, types).select(columns)
