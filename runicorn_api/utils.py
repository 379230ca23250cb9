"""The original client's ``utils`` helpers, plus grouped aggregation across runs.

pandas (or polars, with ``library="polars"``) is imported only when a helper is called.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from ._common.deps import require
from ._common.progress import ProgressOption
from ._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ._frames.experiments import experiments_frame, needs_details
from ._frames.metric_tables import metrics_frame
from .filters import MISSING, resolve
from .formats import check_format, metrics_csv, render, safe_filename, write_inside
from .models.contents import EnvironmentDiff
from .models.metrics import RunMetrics
from .models.transfer import CopyReport
from .plots import axes_for, check_smooth, plot_band, plot_series

if TYPE_CHECKING:
    import pandas
    import polars
    from matplotlib.axes import Axes

    from ._client import RunicornClient
    from .models.experiment import Experiment

__all__ = [
    "aggregate_runs",
    "compare_environments",
    "compare_runs",
    "copy_runs",
    "experiments_to_dataframe",
    "export_experiments",
    "export_metrics_to_csv",
    "metrics_to_dataframe",
    "plot_runs",
    "run_labels",
    "runs_to_dataframe",
    "safe_filename",
]

Library = Literal["pandas", "polars"]


@overload
def metrics_to_dataframe(
    metrics: RunMetrics | Iterable[RunMetrics],
    *,
    wide: bool = False,
    library: Literal["pandas"] = "pandas",
) -> pandas.DataFrame: ...
@overload
def metrics_to_dataframe(
    metrics: RunMetrics | Iterable[RunMetrics], *, wide: bool = False, library: Literal["polars"]
) -> polars.DataFrame: ...
def metrics_to_dataframe(
    metrics: RunMetrics | Iterable[RunMetrics],
    *,
    wide: bool = False,
    library: Library = "pandas",
) -> pandas.DataFrame | polars.DataFrame:
    """Metrics of one or more runs as a DataFrame: long (run_id, step, metric, value,
    timestamp) by default, or wide (one column per metric)."""
    runs = [metrics] if isinstance(metrics, RunMetrics) else list(metrics)
    frame = metrics_frame(runs, wide=wide)
    return frame.to_polars() if library == "polars" else frame.to_pandas()


@overload
def experiments_to_dataframe(
    experiments: Iterable[Experiment],
    *,
    columns: Sequence[str] | None = None,
    library: Literal["pandas"] = "pandas",
) -> pandas.DataFrame: ...
@overload
def experiments_to_dataframe(
    experiments: Iterable[Experiment],
    *,
    columns: Sequence[str] | None = None,
    library: Literal["polars"],
) -> polars.DataFrame: ...
def experiments_to_dataframe(
    experiments: Iterable[Experiment],
    *,
    columns: Sequence[str] | None = None,
    library: Library = "pandas",
) -> pandas.DataFrame | polars.DataFrame:
    """Experiments as a DataFrame, in the schema of ``collection.to_pandas()``.

    Details (summary, config, ...) are fetched in bulk when the columns need them.
    """
    items = list(experiments)
    home = items[0].link.home if items else None
    frame = experiments_frame(items, columns, home.experiments.load_details if home else None)
    return frame.to_polars() if library == "polars" else frame.to_pandas()


runs_to_dataframe = experiments_to_dataframe
"""runicorn 0.7's client's name for :func:`experiments_to_dataframe`."""


def export_metrics_to_csv(
    client: RunicornClient,
    run_id: str,
    output_path: str | Path,
    metric_names: list[str] | None = None,
) -> str:
    """Write the run's metrics (long table) to ``output_path`` and return the path.

    :calls: ``GET /api/runs/{run_id}/metrics``
    """
    metrics = client.get_metrics(run_id, metric_names)
    path = Path(output_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(metrics_csv([metrics]))
    return str(path)


def compare_environments(client: RunicornClient, run_a: str, run_b: str) -> EnvironmentDiff:
    """What differs between two runs' captured environments: packages added, removed or
    changed (``run_a`` → ``run_b``), the python version, the git commit and whether the
    tree was dirty. A run that captured nothing shows in ``captured``; it is not an error.

    :calls: ``GET /api/environment/{run_id}`` for each run
    """
    a, b = (client.experiments.environment(r) for r in (run_a, run_b))
    return EnvironmentDiff.between(run_a, a, run_b, b)


def copy_runs(
    source: RunicornClient | str,
    target: RunicornClient | str,
    runs: str | Iterable[str] | Iterable[Experiment],
    *,
    mode: Literal["merge", "isolate"] = "merge",
    progress: ProgressOption = None,
) -> CopyReport:
    """Copy runs from one viewer into a 0.7.x viewer, and prove each copy whole.

    ``source`` and ``target`` are clients or URLs (a URL is connected with the default
    options and closed afterwards; pass a client for ``auth=``, ``verify=`` and the
    rest). ``runs`` is run ids or runs of ``source`` (a collection such as
    ``source.experiments.filter(path="vision")``). ``mode="merge"`` places the runs at
    their own paths; ``"isolate"`` under ``imports/<timestamp>/`` on the target.

    :calls: ``GET /api/runs`` on both; on a 0.7.x source ``POST /api/runs/export`` per
        batch of 20 runs, on a 0.5.x source nothing more where its run folders are read
        directly, else each run's metrics and log; on the target ``POST
        /api/import/preview`` and ``POST /api/import/archive`` per batch; then both
        viewers' view of every run (``GET /api/runs/{id}``, its metrics, log and images)

    The source may be either generation; a 0.5.x storage copied into a 0.7.x viewer is
    how one upgrades (``project/name`` becomes the path). After the import every run is
    compared on the two viewers: id, path, alias, tags, status, summary, every metric
    value (and the log and image list where both viewers serve them). Each run ends up
    in the report as:

    * ``copied``: imported and equal;
    * ``skipped``: the target already had it, with the same content; a second copy of
      the same runs copies nothing;
    * ``failed``, with a ``reason``: not on the source, still running, already on the
      target with other content (never overwritten), or imported but different, in
      which case the half-imported copy is removed from the target again (the viewer's
      import logs files it cannot write and goes on, so only the comparison can tell).

    What of a run the copy cannot carry is named in its ``not_carried`` (0.5.x artifacts,
    0.7.x assets kept outside the run folder, and, when a 0.5.x source's folders cannot
    be read here, what that viewer serves only from them). ``progress`` shows a bar of
    runs (``True``, a factory, or ``None``: from 50 runs on a terminal).

    Raises:
        InvalidArgumentError: Before any request, no runs, an unknown mode, or the same
            viewer twice.
        UnsupportedFeatureError: Before any request to it, a 0.5.x target.
    """
    from ._client import connect
    from ._transfer import copy_runs as copy

    opened: list[RunicornClient] = []

    def client(given: RunicornClient | str) -> RunicornClient:
        if not isinstance(given, str):
            return given
        opened.append(connect(given))
        return opened[-1]

    try:
        return copy(client(source), client(target), runs, mode=mode, progress=progress)
    finally:
        for each in opened:
            each.close()


@overload
def compare_runs(
    client: RunicornClient,
    run_ids: Sequence[str],
    metric_name: str,
    *,
    library: Literal["pandas"] = "pandas",
) -> pandas.DataFrame: ...
@overload
def compare_runs(
    client: RunicornClient, run_ids: Sequence[str], metric_name: str, *, library: Literal["polars"]
) -> polars.DataFrame: ...
def compare_runs(
    client: RunicornClient,
    run_ids: Sequence[str],
    metric_name: str,
    *,
    library: Library = "pandas",
) -> pandas.DataFrame | polars.DataFrame:
    """One metric of several runs side by side: ``step`` plus one column per run id.

    Steps are the union over the runs (outer join), sorted; a run without a value at a
    step has null there. Runs are fetched concurrently.

    :calls: ``GET /api/runs/{id}/metrics`` per run
    """
    if isinstance(run_ids, str):
        raise InvalidArgumentTypeError("run_ids must be a list of run ids")
    fetched = client.metrics.many(list(run_ids), [metric_name]).to_list()
    if library == "polars":
        pl = require("polars")
        frame = pl.DataFrame({"step": pl.Series([], dtype=pl.Int64)})
        for run in fetched:
            series = run.series[metric_name]
            part = pl.DataFrame(
                {
                    "step": series.steps.to_polars(),
                    run.run_id: series.values.to_polars(),
                }
            )
            frame = frame.join(part, on="step", how="full", coalesce=True)
        joined: polars.DataFrame = frame.sort("step")
        return joined
    pd = require("pandas")
    table = pd.DataFrame({"step": pd.Series([], dtype="Int64")})
    for run in fetched:
        series = run.series[metric_name]
        part = pd.DataFrame(
            {
                "step": pd.array(series.steps.to_numpy(), dtype="Int64"),
                run.run_id: series.values.to_numpy(),
            }
        )
        table = table.merge(part, on="step", how="outer")
    merged: pandas.DataFrame = table.sort_values("step", ignore_index=True)
    return merged


@overload
def aggregate_runs(
    experiments: Iterable[Experiment],
    metric_name: str,
    *,
    by: str | None = None,
    library: Literal["pandas"] = "pandas",
) -> pandas.DataFrame: ...
@overload
def aggregate_runs(
    experiments: Iterable[Experiment],
    metric_name: str,
    *,
    by: str | None = None,
    library: Literal["polars"],
) -> polars.DataFrame: ...
def aggregate_runs(
    experiments: Iterable[Experiment],
    metric_name: str,
    *,
    by: str | None = None,
    library: Library = "pandas",
) -> pandas.DataFrame | polars.DataFrame:
    """Mean, std, min, max and count of a metric per step across runs, per group.

    ``by`` is a field key such as ``"config.lr"`` or ``"summary.optimizer"``: runs with
    the same value form a group (e.g. the seeds of one setting). Without ``by``, all
    runs form one group. Columns: ``group`` (as text), ``step``, ``mean``, ``std``
    (sample, null for one run), ``min``, ``max``, ``count``.

    :calls: ``GET /api/runs/{id}/metrics`` per run, concurrently (and the run details
    when ``by`` needs them)
    """
    items = list(experiments)
    if not items:
        raise InvalidArgumentError("aggregate_runs needs at least one experiment")
    home = items[0].link.home
    if home is None:
        raise InvalidArgumentError("the experiments were not fetched through a client")
    if by is not None and needs_details([by]):
        home.experiments.load_details(items)
    groups = {}
    for exp in items:
        value = resolve(exp, by) if by is not None else "all"
        groups[exp.id] = "<missing>" if value is MISSING or value is None else str(value)
    runs = home.metrics.many([e.id for e in items], [metric_name]).to_list()
    pl = require("polars") if library == "polars" else None
    if pl is not None:
        long = metrics_frame(runs).to_polars()
        keyed = long.with_columns(pl.col("run_id").replace_strict(groups).alias("group"))
        return (
            keyed.group_by("group", "step")
            .agg(
                mean=pl.col("value").mean(),
                std=pl.col("value").std(),
                min=pl.col("value").min(),
                max=pl.col("value").max(),
                count=pl.col("value").count().cast(pl.Int64),
            )
            .sort("group", "step")
        )
    pd = require("pandas")
    rows = metrics_frame(runs).to_pandas()
    rows["group"] = rows["run_id"].map(groups).astype(pd.StringDtype())
    table: pandas.DataFrame = (
        rows.groupby(["group", "step"], sort=True)["value"]
        .agg(["mean", "std", "min", "max", "count"])
        .reset_index()
    )
    table["count"] = table["count"].astype("Int64")
    return table


def export_experiments(
    client: RunicornClient,
    run_ids: Iterable[str],
    folder: str | Path,
    *,
    format: str = "json",
) -> list[Path]:
    """Export runs into ``folder`` as ``<path>_<id>.<format>`` files with safe names.

    Names are sanitised (``vision/vit/ablation`` → ``vision_vit_ablation``); nothing is
    written outside ``folder``.
    """
    check_format(format)
    written = []
    for run_id in run_ids:
        exp = client.get_experiment(run_id)
        data = render(format, client.get_metrics(run_id), exp)
        written.append(
            write_inside(folder, f"{exp.path or exp.name or 'run'}_{run_id}.{format}", data)
        )
    return written


def run_labels(experiments: Iterable[Experiment]) -> dict[str, str]:
    """``{run id: label}`` for legends: the alias, else the path, else the id; where two
    runs would share a label, each of them gets its id in parentheses."""
    items = list(experiments)
    names = {e.id: e.alias or e.path or e.id for e in items}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {i: (n if counts[n] == 1 or n == i else f"{n} ({i})") for i, n in names.items()}


def plot_runs(
    client: RunicornClient,
    run_ids: Sequence[str],
    metric: str,
    *,
    group_by: str | None = None,
    smooth: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One metric of several runs on one Axes (the ``plot`` extra); returns it.

    Without ``group_by`` each run is a line labelled with its alias, else its path, else
    its id (the id is added in parentheses where two runs would share a label). With ``group_by`` (a
    field such as ``"config.lr"`` or ``"summary.optimizer"``) each group of runs is its
    mean line, labelled with the group's value, and a band of ± one standard deviation,
    from :func:`aggregate_runs`.

    :calls: ``GET /api/runs/{id}/metrics`` per run, concurrently (the run folders where
        they are read directly), and the runs' listing (``GET /api/runs``) for their
        names; with ``group_by`` the runs and their details
    """
    ids = [run_ids] if isinstance(run_ids, str) else list(run_ids)
    if not ids:
        raise InvalidArgumentError("plot_runs needs at least one run id")
    check_smooth(smooth)
    ax = axes_for(ax)
    if group_by is None:
        labels = run_labels(client.experiments.filter(ids=ids).to_list())
        for run in client.metrics.many(ids, [metric]).to_list():
            if metric not in run.names:
                raise InvalidArgumentError(f"run {run.run_id} has no metric {metric!r}")
            plot_series(run[metric], ax, smooth=smooth, label=labels.get(run.run_id, run.run_id))
    else:
        experiments = [client.experiments.get(i) for i in ids]
        table = aggregate_runs(experiments, metric, by=group_by, library="polars")
        for (group,), rows in table.sort("step").group_by(["group"], maintain_order=True):
            plot_band(
                rows["step"].to_list(),
                rows["mean"].to_list(),
                rows["std"].to_list(),
                ax,
                smooth=smooth,
                label=f"{group_by}={group}",
            )
    ax.set_xlabel("step")
    ax.set_ylabel(metric)
    ax.legend(fontsize="small")
    return ax
