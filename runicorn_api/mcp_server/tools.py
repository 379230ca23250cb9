"""What each tool of the MCP server does, over a :class:`~runicorn_api.Fleet`; no MCP here.

Every answer is small JSON: runs as rows of a few fields, metrics as their reductions and
a sketch of a few dozen points, never a whole series. What a viewer or a storage folder
sent is data: strings have their control characters escaped and are cut at
:data:`MAX_TEXT` characters, lists at their stated limits, and whatever is cut is said in
the answer's ``truncated`` list (see :mod:`runicorn_api.mcp_server.bounds`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import Unpack

from .._exceptions import InvalidArgumentError, UnsupportedFeatureError
from ..filters import MISSING, Expr, F, resolve, to_utc
from ..fleet import Fleet, FleetRuns
from ..models.experiment import Experiment
from ..resources.experiments.query import RunFilters, load_for_keys
from .bounds import Bounded

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Condition", "Filters", "Tools"]

DEFAULT_LIMIT = 100
"""Runs ``list_runs`` returns unless asked: a whole project of a usual size."""
MAX_LIMIT = 1000
"""The most runs one answer lists."""
MAX_RUNS_COMPARED = 20
MAX_METRICS = 20
"""The most metrics one answer reduces (``metric_summary``, ``compare_runs``)."""
MAX_POINTS = 100
"""The most points of a metric's sketch."""
SAMPLE = 100
"""Rows of the viewer's downsampled answer a sketch is thinned from (its least)."""

Op = Literal["==", "!=", "<", "<=", ">", ">=", "in", "contains", "startswith", "exists"]
Reduction = Literal["last", "min", "max"]


class Condition(BaseModel):
    """One condition on a run: ``key op value``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    key: str = Field(
        description=(
            "A run key: config.<name>, summary.<name>, metrics.<metric>.<last|last_step|"
            "min|max|count>, best_metric.value, status, path, alias, tags, created_at."
        )
    )
    op: Op = Field(default="==", description="How to compare; 'exists' takes no value.")
    value: Any = Field(default=None, description="What to compare with ('in': a list).")

    def expr(self) -> Expr:
        field = F(self.key)
        if self.op == "exists":
            return field.exists()
        if self.op == "in":
            if not isinstance(self.value, list):
                raise InvalidArgumentError(f"{self.key} in ...: the value must be a list")
            return field.isin(self.value)  # pyright: ignore[reportUnknownArgumentType]
        if self.value is None:
            raise InvalidArgumentError(f"{self.key} {self.op} needs a value")
        compare: dict[str, Callable[[Any], Expr]] = {
            "==": lambda v: field == v,
            "!=": lambda v: field != v,
            "<": lambda v: field < v,
            "<=": lambda v: field <= v,
            ">": lambda v: field > v,
            ">=": lambda v: field >= v,
            "contains": field.contains,
            "startswith": field.startswith,
        }
        return compare[self.op](self.value)


class Filters(TypedDict, total=False):
    """The run filters of ``list_runs`` and ``best_runs`` (see the server's schemas)."""

    project: str | None
    path_prefix: str | None
    status: list[str] | None
    tags: list[str] | None
    created_after: str | None
    created_before: str | None
    where: Sequence[Condition | dict[str, Any]] | None


class Tools:
    """The tools, each a method returning JSON-ready data.

    Args:
        fleet: Opens (or returns the open) fleet of viewers the tools ask.
        several: Whether there are several viewers (rows then name their viewer).
        secrets: Text never to show (the passwords of the viewers' URLs).
    """

    def __init__(
        self, fleet: Callable[[], Fleet], *, several: bool, secrets: Sequence[str] = ()
    ) -> None:
        self._fleet = fleet
        self._several = several
        self._secrets = secrets

    def _answer(self) -> Bounded:
        return Bounded(self._secrets)

    # -- reading ---------------------------------------------------------------------------

    def list_projects(self) -> dict[str, Any]:
        """Projects (0.7.x: top-level paths) with their run counts by status.

        :calls: what ``fleet.list_projects()`` calls, on each viewer
        """
        out = self._answer()
        rows = [
            {
                "name": p.name,
                "runs": p.experiment_count,
                "running": p.running,
                "finished": p.finished,
                "failed": p.failed,
                "interrupted": p.interrupted,
            }
            for p in self._fleet().list_projects()
        ]
        return out.answer(projects=out.items(rows, MAX_LIMIT, "projects"))

    def list_runs(
        self,
        *,
        order_by: list[str] | None = None,
        columns: list[str] | None = None,
        limit: int = DEFAULT_LIMIT,
        **filters: Unpack[Filters],
    ) -> dict[str, Any]:
        """Runs matching the filters, newest first unless ``order_by`` says otherwise.

        :calls: each viewer's listing (``GET /api/runs``), and the details and metric
            reductions the keys need (see ``client.experiments.filter``)
        """
        _check_limit(limit, MAX_LIMIT)
        runs = self._runs(**filters).order_by(*(order_by or ["-created_at"]))
        found = runs.to_list()
        shown = found[:limit]
        keys = list(columns or ())
        load_for_keys(shown, ["duration", *keys])
        out = self._answer()
        rows = [self._row(e, keys) for e in shown]
        if len(found) > limit:
            out.cut(f"runs: {len(found) - limit} more match; raise limit or narrow the filters")
        return out.answer(total=len(found), runs=rows)

    def get_run(self, run_id: str) -> dict[str, Any]:
        """One run's details: config, summary, tags, status and its environment.

        :calls: ``GET /api/runs/{id}`` (of every viewer, for a bare id of a fleet), its
            details, and ``GET /api/environment/{id}``
        """
        run = self._fleet().get_experiment(run_id)
        load_for_keys([run], ["duration"])
        out = self._answer()
        row = self._row(run, [])
        row.update(
            project=run.project,
            name=run.name,
            updated_at=run.updated_at,
            config=out.value(run.config, "config"),
            summary=out.value(run.summary, "summary"),
            environment=self._environment(run),
        )
        return out.answer(run=row)

    def metric_summary(
        self, run_id: str, metric_names: list[str] | None = None, points: int = 40
    ) -> dict[str, Any]:
        """Per metric of a run: last, last_step, min, max, count and a sketch of it.

        :calls: ``GET /api/runs/{id}``, ``GET /api/runs/{id}/metrics?downsample=100``,
            and the whole metrics where the reductions need them (a run folder on this
            machine is read directly instead)
        """
        _check_limit(points, MAX_POINTS, what="points")
        fleet = self._fleet()
        run = fleet.get_experiment(run_id)
        names = _names(metric_names)
        sketch = fleet.get_metrics(run, names, downsample=SAMPLE)
        out = self._answer()
        found = names if names is not None else sketch.names
        if names is None and len(found) > MAX_METRICS:
            out.cut(f"metrics: {len(found) - MAX_METRICS} more; name the ones wanted")
            found = found[:MAX_METRICS]
        load_for_keys([run], [f"metrics.{n}.min" for n in found])
        steps = sketch.steps.to_list()
        metrics: dict[str, Any] = {}
        for name in found:
            summary = run.metric_summaries.get(name)
            column = sketch.columns.get(name)
            values = column.to_list() if column is not None else []
            pairs = [[s, v] for s, v in zip(steps, values, strict=False) if v is not None]
            metrics[name] = {
                **(summary.to_dict() if summary is not None else {"count": 0}),
                "sketch": _thin(pairs, points),
            }
            metrics[name].pop("name", None)
        return out.answer(run_id=run.id, metrics=out.value(metrics, "metrics"))

    def compare_runs(
        self,
        run_ids: list[str],
        metric_names: list[str] | None = None,
        config_keys: list[str] | None = None,
    ) -> dict[str, Any]:
        """Several runs side by side: chosen config keys and each metric's reductions.

        :calls: per run, ``GET /api/runs/{id}``, its details and its metric reductions
        """
        if not run_ids:
            raise InvalidArgumentError("run_ids is empty: name the runs to compare")
        if len(run_ids) > MAX_RUNS_COMPARED:
            raise InvalidArgumentError(
                f"{len(run_ids)} runs: compare at most {MAX_RUNS_COMPARED} at a time"
            )
        fleet = self._fleet()
        runs = [fleet.get_experiment(r) for r in run_ids]
        names = _names(metric_names)
        if names is None:
            names = sorted({n for r in runs for n in fleet.get_metrics(r, downsample=SAMPLE).names})
        out = self._answer()
        if len(names) > MAX_METRICS:
            out.cut(f"metrics: {len(names) - MAX_METRICS} more; name the ones wanted")
            names = names[:MAX_METRICS]
        load_for_keys(runs, ["config", *(f"metrics.{n}.min" for n in names)])
        keys = config_keys if config_keys is not None else _differing_config(runs)
        rows = []
        for run in runs:
            row = self._row(run, [])
            row["config"] = {k: _get(run.config, k) for k in keys}
            row["metrics"] = {
                n: {r: getattr(s, r) for r in ("last", "last_step", "min", "max", "count")}
                for n in names
                if (s := run.metric_summaries.get(n)) is not None
            }
            rows.append(row)
        return out.answer(runs=out.value(rows, "runs"))

    def best_runs(
        self,
        metric: str,
        reduction: Reduction = "min",
        n: int = 5,
        goal: Literal["minimize", "maximize"] | None = None,
        **filters: Unpack[Filters],
    ) -> dict[str, Any]:
        """The ``n`` best runs by one reduction of a metric.

        :calls: each viewer's listing, and each listed run's metric reductions
        """
        if reduction not in ("last", "min", "max"):
            raise InvalidArgumentError(f"reduction must be last, min or max, got {reduction!r}")
        _check_limit(n, MAX_LIMIT, what="n")
        if goal is None:
            goal = "maximize" if reduction == "max" else "minimize"
        key = f"metrics.{metric}.{reduction}"
        F(key)  # a bad metric name is refused before any request
        runs = self._runs(**filters).filter(F(key).exists())
        ordered = runs.order_by(("-" if goal == "maximize" else "") + key).to_list()
        out = self._answer()
        load_for_keys(ordered[:n], ["duration"])
        rows = [{**self._row(e, []), key: resolve(e, key)} for e in ordered[:n]]
        return out.answer(key=key, goal=goal, matched=len(ordered), runs=rows)

    # -- writing -----------------------------------------------------------------------------

    def update_run(
        self, run_id: str, tags: list[str] | None = None, alias: str | None = None
    ) -> dict[str, Any]:
        """Set a run's tags and/or alias (0.7.x viewers).

        :calls: ``GET /api/runs/{id}``, ``PATCH /api/runs/{id}``, ``GET /api/runs/{id}``
        """
        if tags is None and alias is None:
            raise InvalidArgumentError("give tags, alias or both: nothing to change")
        fleet = self._fleet()
        name, bare = fleet.locate(run_id)
        before = fleet[name].experiments.get(bare)
        client = fleet[name]
        if tags is not None and alias is not None:
            after = client.experiments.update(bare, tags=tags, alias=alias)
        elif tags is not None:
            after = client.experiments.update(bare, tags=tags)
        else:
            after = client.experiments.update(bare, alias=alias)
        changed = {
            k: {"before": getattr(before, k), "after": getattr(after, k)}
            for k, given in (("tags", tags), ("alias", alias))
            if given is not None
        }
        return self._answer().answer(run_id=bare, changed=changed)

    def delete_runs(self, run_ids: list[str]) -> dict[str, Any]:
        """Move runs to the viewer's recycle bin (restorable there).

        :calls: ``POST /api/runs/soft-delete`` on each run's viewer
        """
        if not run_ids:
            raise InvalidArgumentError("run_ids is empty: name the runs to delete")
        fleet = self._fleet()
        by_viewer: dict[str, list[str]] = {}
        for run in run_ids:
            name, bare = fleet.locate(run)
            by_viewer.setdefault(name, []).append(bare)
        done: list[str] = []
        failed: dict[str, str] = {}
        for name, ids in by_viewer.items():
            result = fleet[name].experiments.delete(ids)
            done += result.succeeded
            failed.update(result.failed)
        return self._answer().answer(moved_to_recycle_bin=done, failed=failed)

    # -- helpers -----------------------------------------------------------------------------

    def _runs(self, **filters: Unpack[Filters]) -> FleetRuns:
        chosen: RunFilters = {
            "project": filters.get("project"),
            "path_prefix": filters.get("path_prefix"),
            "status": filters.get("status") or None,
            "tags": filters.get("tags") or None,
            "created_after": _when(filters.get("created_after"), "created_after"),
            "created_before": _when(filters.get("created_before"), "created_before"),
        }
        exprs = [Condition.model_validate(c).expr() for c in filters.get("where") or ()]
        return self._fleet().experiments.filter(*exprs, **chosen)

    def _row(self, run: Experiment, keys: Sequence[str]) -> dict[str, Any]:
        best = run.best_metric
        row: dict[str, Any] = {"id": run.id}
        if self._several:
            row["viewer"] = run.viewer
        row.update(
            path=run.path,
            alias=run.alias,
            status=run.status,
            tags=list(run.tags),
            created_at=run.created_at,
            duration_s=run.duration,
            best_metric=(
                {"name": best.name, "value": best.value, "step": best.step}
                if best is not None
                else None
            ),
        )
        if keys:
            row["values"] = {k: _present(resolve(run, k)) for k in keys}
        return row

    @staticmethod
    def _environment(run: Experiment) -> dict[str, Any] | None:
        try:
            env = run.environment()
        except UnsupportedFeatureError:
            return None
        if not env.captured:
            return {"captured": False}
        git = env.git or {}
        return {
            "captured": True,
            "python": env.python_version,
            "platform": env.platform,
            "packages": len(env.pip_packages),
            "git": {k: git.get(k) for k in ("branch", "commit", "is_dirty") if k in git},
        }


def _names(names: list[str] | None) -> list[str] | None:
    if names is None:
        return None
    if not names:
        raise InvalidArgumentError("metric_names is empty: leave it out for every metric")
    if len(names) > MAX_METRICS:
        raise InvalidArgumentError(f"{len(names)} metrics: ask for at most {MAX_METRICS}")
    return list(dict.fromkeys(names))


def _thin(pairs: list[list[Any]], points: int) -> list[list[Any]]:
    """At most ``points`` of ``pairs``, evenly spaced, the first and last kept."""
    if len(pairs) <= points:
        return pairs
    if points == 1:
        return pairs[-1:]
    last = len(pairs) - 1
    return [pairs[round(i * last / (points - 1))] for i in range(points)]


def _check_limit(value: int, most: int, *, what: str = "limit") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise InvalidArgumentError(f"{what} must be a whole number from 1 to {most}, got {value!r}")


def _when(text: str | None, label: str) -> datetime | None:
    return None if text is None else to_utc(text, label=label)


def _present(value: Any) -> Any:
    return None if value is MISSING else value


def _get(config: dict[str, Any], key: str) -> Any:
    value: Any = config
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)  # pyright: ignore[reportUnknownMemberType]
    return value


def _differing_config(runs: Sequence[Experiment]) -> list[str]:
    """The top-level config keys whose values differ between ``runs`` (at most 20)."""
    keys = sorted({k for r in runs for k in r.config})
    differ = [k for k in keys if len({repr(r.config.get(k)) for r in runs}) > 1]
    return differ[:20]
