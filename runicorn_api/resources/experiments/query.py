"""Keyword filters and orderings of runs, compiled to :class:`~runicorn_api.filters.Expr`
(and the part of them the viewer can apply itself: see ``push_down``)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypedDict

from ..._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ..._frames.experiments import needs_details
from ..._storage.access import RunLocation, location_of
from ..._validation import strings
from ...filters import MISSING, Expr, F, reduction_key, resolve, to_utc
from ...models.experiment import Experiment, RunHome, RunLink, RunStatus
from ...models.metrics import REDUCTIONS, RunMetrics


class RunMetricsReader(Protocol):
    """What suggesting metric keys reads: ``client.metrics.many``."""

    def many(self, runs: Sequence[RunLocation], /) -> Iterable[RunMetrics]: ...


__all__ = [
    "RunFilters",
    "and_",
    "check_keys",
    "keyword_filter",
    "load_for_keys",
    "metric_names_of",
    "refuse_keys",
    "sort_experiments",
    "unknown_keys",
]


class RunFilters(TypedDict, total=False):
    """The keyword filters of ``client.experiments.filter(...)`` (and ``exclude``).

    Attributes:
        id: One run id, or several (``ids`` too).
        project: The 0.5.x project, or the first segment of a 0.7.x path.
        name: The 0.5.x name, or the 0.7.x path after its first segment.
        path: The exact path (0.5.x: ``project/name``).
        path_prefix: A path and everything under it, by whole segments.
        status: One status or several (``running``, ``finished``, ``failed``, ...).
        tags: Tags a run has all of; ``tags_any``: tags it has one of.
        alias: The exact alias (0.7.x).
        created_after: Runs started at or after this (datetime, ISO string or epoch).
        created_before: Runs started before this.

    A filter given as ``None`` is left out, as if it were not given.
    """

    id: str | Iterable[str] | None
    ids: str | Iterable[str] | None
    project: str | None
    name: str | None
    path: str | None
    path_prefix: str | None
    status: str | Iterable[str] | None
    tags: str | Iterable[str] | None
    tags_any: str | Iterable[str] | None
    alias: str | None
    created_after: datetime | str | float | None
    created_before: datetime | str | float | None


def _statuses(value: str | Iterable[str]) -> list[str]:
    items = strings(value, "status")
    known = {s.value for s in RunStatus}
    unknown = [s for s in items if s not in known]
    if unknown:
        raise InvalidArgumentError(
            f"Unknown status {', '.join(map(repr, unknown))}; use one of "
            f"{', '.join(sorted(known))} (or F('status') == '...' for a custom one)"
        )
    return items


def keyword_filter(**kw: Any) -> tuple[Expr | None, dict[str, Any]]:
    """Keyword filters → one expression, plus those the server may apply itself.

    Supported: ``id``/``ids``, ``project``, ``name``, ``path`` (exact), ``path_prefix``
    (whole segments), ``status`` (one or several), ``tags`` (has all), ``tags_any`` (has
    one), ``alias``, ``created_after``/``created_before`` (datetime, ISO string or epoch).
    """
    exprs: list[Expr] = []
    pushed: dict[str, Any] = {}
    for key, value in kw.items():
        if value is None:
            continue
        if key in ("project", "name", "path", "alias"):
            if not isinstance(value, str):
                raise InvalidArgumentTypeError(f"{key} must be a string, got {value!r}")
            exprs.append(F(key) == value)
            if key != "alias":
                pushed[key] = value
        elif key == "path_prefix":
            prefix = str(value).strip("/")
            exprs.append((F("path") == prefix) | F("path").startswith(prefix + "/"))
            pushed[key] = prefix
        elif key in ("id", "ids"):
            exprs.append(F("id").isin(strings(value, key)))
        elif key == "status":
            exprs.append(F("status").isin(_statuses(value)))
        elif key == "tags":
            exprs.extend(F("tags").contains(tag) for tag in strings(value, key))
        elif key == "tags_any":
            exprs.append(_has_any_tag(set(strings(value, key))))
        elif key == "created_after":
            exprs.append(F("created_at") >= to_utc(value, label=key))
        elif key == "created_before":
            exprs.append(F("created_at") < to_utc(value, label=key))
        else:
            raise InvalidArgumentTypeError(
                f"Unknown filter {key!r}; use id, ids, project, name, path, path_prefix, "
                "status, tags, tags_any, alias, created_after, created_before, or F(...) "
                "expressions"
            )
    combined: Expr | None = None
    for expr in exprs:
        combined = and_(combined, expr)
    return combined, pushed


def _has_any_tag(wanted: set[str]) -> Expr:
    def test(exp: Any) -> bool:
        return bool(wanted & set(exp.tags))

    return Expr(test, f"tags_any={sorted(wanted)}", frozenset({"tags"}))


def sort_experiments(items: list[Experiment], keys: Sequence[str]) -> list[Experiment]:
    """Stable multi-key sort; ``-key`` descends; missing values go last either way."""
    for key in reversed(keys):
        field = key.lstrip("-")
        present = [i for i in items if resolve(i, field) not in (MISSING, None)]
        absent = [i for i in items if resolve(i, field) in (MISSING, None)]
        try:
            present.sort(key=lambda i: resolve(i, field), reverse=key.startswith("-"))
        except TypeError as err:
            raise InvalidArgumentTypeError(
                f"order_by({key!r}): values of different types: {err}"
            ) from None
        items = present + absent
    return items


def check_keys(
    items: Sequence[Experiment],
    keys: Iterable[str],
    what: str,
    metric_names: Callable[[], Iterable[str]] | None = None,
) -> None:
    """Refuse a key that none of ``items`` has (a typo, most likely), naming the closest
    keys they do have; nothing is checked when there are no items. ``metric_names``
    gives, only when a key is refused, metric names of the runs to suggest keys from.

    Raises:
        InvalidArgumentError: ``what`` (``filter`` or ``order_by``) names such a key.
    """
    refuse_keys(items, unknown_keys(items, keys), what, metric_names)


def unknown_keys(items: Sequence[Experiment], keys: Iterable[str]) -> list[str]:
    """The keys none of ``items`` has (none when there are no items)."""
    return [
        k
        for k in sorted(set(keys))
        if items
        and all(resolve(i, k) is MISSING for i in items)
        # a field empty in every run (0.5.x serves no config) shows no keys to go by
        and not all(resolve(i, k.partition(".")[0]) in (None, {}, []) for i in items)
    ]


def refuse_keys(
    items: Sequence[Experiment],
    unknown: Sequence[str],
    what: str,
    metric_names: Callable[[], Iterable[str]] | None = None,
    *,
    where: str = "listed",
) -> None:
    """Raise the error :func:`check_keys` raises for ``unknown`` keys, if there are any,
    suggesting the closest keys ``items`` have."""
    if not unknown:
        return
    known = _known_keys(items)
    if metric_names is not None and any(reduction_key(k) for k in unknown):
        known += [f"metrics.{n}.{r}" for n in metric_names() for r in REDUCTIONS]
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        hints.append(f"{key!r}{hint}")
    raise InvalidArgumentError(
        f"{what}: no run of the {len(items)} {where} has the key {'; '.join(hints)}. "
        "Use F(key).exists() to ask for a key that runs may lack.",
        checked_after="listing the runs",
    )


_SUGGEST_FROM = 3  # runs whose metric names an unknown metric key is compared with


def metric_names_of(
    metrics: RunMetricsReader, items: Sequence[Experiment]
) -> Callable[[], list[str]]:
    """The metric names of a few of ``items``, read when called (to suggest keys)."""

    def names() -> list[str]:
        sample = [location_of(e) for e in items[:_SUGGEST_FROM]]
        return sorted({n for m in metrics.many(sample) for n in m.columns})

    return names


def load_for_keys(items: Sequence[Experiment], keys: Iterable[str]) -> None:
    """Load what ``keys`` read of ``items``, from each run's own client: the detail-only
    fields, and the metric reductions of ``metrics.<name>.<reduction>`` keys (into
    ``metric_summaries``). Runs built by hand (no client) are left as they are."""
    keys = [k.lstrip("-") for k in keys]
    wanted = [r for r in map(reduction_key, keys) if r is not None]
    details = needs_details(keys)
    if not items or not (wanted or details):
        return
    groups: dict[int, tuple[RunHome, list[tuple[Experiment, RunLink]]]] = {}
    for exp in items:
        link = exp.link
        if link.home is not None:
            groups.setdefault(id(link.home), (link.home, []))[1].append((exp, link))
    names = sorted({name for name, _ in wanted})
    full = any(reduction not in ("last", "last_step") for _, reduction in wanted)
    for home, group in groups.values():
        if details:
            home.experiments.load_details([exp for exp, _ in group])
        if not names:
            continue
        found = home.metrics.summaries([e for e, _ in group], names, full=full)
        for (_, link), summaries in zip(group, found, strict=True):
            kept = link.summaries
            for name in names:
                kept.pop(name, None)
            kept.update(summaries)


def _known_keys(items: Sequence[Experiment]) -> list[str]:
    """The keys the items have: their fields and details, and one level into each
    dict-valued or model-valued one (``summary.seed``, ``best_metric.value``)."""
    known: set[str] = set()
    for item in items:
        for name in (*type(item).model_fields, "summary", "config", "duration", "updated_at"):
            known.add(name)
            value = resolve(item, name)
            if isinstance(value, dict):
                known.update(f"{name}.{k}" for k in value if isinstance(k, str))
            elif hasattr(type(value), "model_fields"):
                known.update(f"{name}.{k}" for k in type(value).model_fields)
    return sorted(known)


def and_(left: Expr | None, right: Expr | None) -> Expr | None:
    """Both expressions (either may be absent)."""
    if left is None:
        return right
    if right is None:
        return left
    return left & right
