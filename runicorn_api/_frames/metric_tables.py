"""Metrics as DataFrames: one schema, built column-wise in pandas and polars alike.

Long (the default), one row per logged value::

    run_id: string | step: Int64 | metric: string | value: Float64 | timestamp: Datetime(us, UTC)

Wide, one row per (run, step) with one column per metric (null where not logged)::

    run_id: string | step: Int64 | timestamp: Datetime(us, UTC) | <metric>: Float64 ...

Metric payloads are large (a 200,000-step run has 800,000 values), so the frames are built
from the columns the decoder already holds, never from per-row dicts, and timestamps are
converted by the DataFrame library (``floor(seconds * 1e6 + 0.5)`` microseconds in both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .._common.deps import require
from .._exceptions import ResponseValidationError
from .arrow import to_arrow
from .columns import Column, owner_index


class SeriesColumns(Protocol):
    """One metric's columns (a :class:`~runicorn_api.MetricSeries`)."""

    @property
    def steps(self) -> Column: ...
    @property
    def values(self) -> Column: ...
    @property
    def timestamps(self) -> Column: ...


class MetricTable(Protocol):
    """What a frame reads of one run's metrics (a :class:`~runicorn_api.MetricTable`)."""

    @property
    def run_id(self) -> str | None: ...
    @property
    def steps(self) -> Column: ...
    @property
    def timestamps(self) -> Column: ...
    @property
    def columns(self) -> Mapping[str, Column]: ...
    @property
    def series(self) -> Mapping[str, SeriesColumns]: ...


if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow

__all__ = ["metrics_frame"]


class MetricsFrame:
    """Runs' metrics, ready to become a pandas or polars DataFrame."""

    def __init__(self, runs: Sequence[MetricTable], *, wide: bool) -> None:
        self.runs = list(runs)
        self.wide = wide

    def metric_names(self) -> list[str]:
        names: dict[str, None] = {}
        for run in self.runs:
            names.update(dict.fromkeys(run.columns))
        return list(names)

    def to_arrow(self) -> pyarrow.Table:
        """The frame as an Arrow table (see :mod:`.arrow`)."""
        return to_arrow(self)

    def to_polars(self) -> polars.DataFrame:
        pl = require("polars")

        def to_time(seconds: Any) -> Any:
            # floor(seconds * 1e6 + 0.5) microseconds, as the pandas path computes it.
            return (seconds * 1e6 + 0.5).floor().cast(pl.Int64).cast(pl.Datetime("us", "UTC"))

        if not self.wide:
            together = self._long_together(pl, to_time)
            if together is not None:
                return together
        parts = []
        for run in self.runs:
            _check_times(run, run.timestamps.to_polars().abs().max())
            # The run's columns as one frame; polars-held columns are not copied.
            names = list(run.columns) if not self.wide else self.metric_names()
            n = len(run.steps)
            rows = pl.DataFrame(
                {
                    "global_step": run.steps.to_polars(),
                    "time": run.timestamps.to_polars(),
                    **{
                        name: (
                            run.columns[name].to_polars()
                            if name in run.columns
                            else pl.repeat(None, n, dtype=pl.Float64, eager=True)
                        )
                        for name in names
                    },
                }
            )
            if self.wide:
                parts.append(
                    rows.select(
                        pl.lit(run.run_id, dtype=pl.String).alias("run_id"),
                        pl.col("global_step").alias("step"),
                        to_time(pl.col("time")).alias("timestamp"),
                        *names,
                    )
                )
                continue
            # Metric by metric, each in step order, nulls dropped: the same points as
            # run.series, without building them.
            long = rows.unpivot(
                index=["global_step", "time"],
                on=names,
                variable_name="metric",
                value_name="value",
            ).drop_nulls("value")
            parts.append(
                long.select(
                    pl.lit(run.run_id, dtype=pl.String).alias("run_id"),
                    pl.col("global_step").cast(pl.Int64).alias("step"),
                    pl.col("metric").cast(pl.String),
                    pl.col("value").cast(pl.Float64),
                    to_time(pl.col("time")).alias("timestamp"),
                )
            )
        if not parts:
            types = {
                "str": pl.String,
                "int": pl.Int64,
                "float": pl.Float64,
                "time": pl.Datetime("us", "UTC"),
            }
            empty: polars.DataFrame = pl.DataFrame(
                schema={k: types[t] for k, t in self.schema().items()}
            )
            return empty
        joined: polars.DataFrame = pl.concat(parts, how="vertical")
        return joined

    def _long_together(self, pl: Any, to_time: Any) -> polars.DataFrame | None:
        """The long frame of every run in one pass: the runs' columns stacked (not
        copied where polars holds them), unpivoted once and put back in run order.
        ``None`` when a run's metrics are not in the order of the first runs (they are
        then framed run by run)."""
        union = self.metric_names()
        if not self.runs or not union:
            return None
        # Each column of every run, stacked as one Series (a DataFrame per run would cost
        # more than the rows of a small run); a metric a run lacks is nulls there.
        parts: dict[str, list[Any]] = {"global_step": [], "time": [], **{n: [] for n in union}}
        lengths = []
        for run in self.runs:
            names = list(run.columns)
            if names != [n for n in union if n in run.columns]:
                return None
            n = len(run.steps)
            lengths.append(n)
            parts["global_step"].append(run.steps.to_polars())
            parts["time"].append(run.timestamps.to_polars())
            for name in union:
                column = run.columns.get(name)
                parts[name].append(
                    pl.repeat(None, n, dtype=pl.Float64, eager=True)
                    if column is None
                    else column.to_polars()
                )
        stacked = pl.DataFrame(
            [_stack(pl, key, series, pl.Int64 if key == "global_step" else pl.Float64)
             for key, series in parts.items()]
        )  # fmt: skip
        largest = stacked["time"].abs().max()
        if largest is not None and largest == largest and float(largest) > _MAX_SECONDS:
            for run in self.runs:  # name the run
                _check_times(run, run.timestamps.to_polars().abs().max())
        ids = pl.Series("run_id", [run.run_id for run in self.runs], dtype=pl.String)
        indexed = stacked.with_columns(owner_index(lengths, "run", pl.UInt32))
        if len(union) == 1:  # already in run order: no unpivot, no sort
            long = indexed.select(
                "run", "global_step", "time", pl.lit(union[0]).alias("metric"),
                pl.col(union[0]).alias("value"),
            ).drop_nulls("value")  # fmt: skip
        else:
            long = (
                indexed.unpivot(
                    index=["run", "global_step", "time"],
                    on=union,
                    variable_name="metric",
                    value_name="value",
                )
                .drop_nulls("value")
                .sort("run", maintain_order=True)
            )
        result: polars.DataFrame = long.select(
            ids.gather(long["run"]).alias("run_id"),
            pl.col("global_step").cast(pl.Int64).alias("step"),
            pl.col("metric").cast(pl.String),
            pl.col("value").cast(pl.Float64),
            to_time(pl.col("time")).alias("timestamp"),
        )
        return result

    def schema(self) -> dict[str, str]:
        """Column → logical type (``str``, ``int``, ``float``, ``time``)."""
        if self.wide:
            return {
                "run_id": "str",
                "step": "int",
                "timestamp": "time",
                **dict.fromkeys(self.metric_names(), "float"),
            }
        return {
            "run_id": "str",
            "step": "int",
            "metric": "str",
            "value": "float",
            "timestamp": "time",
        }

    def to_pandas(self) -> pandas.DataFrame:
        pd = require("pandas")
        np = require("numpy")

        def stamps(seconds: Any) -> Any:
            micros = pd.array(np.floor(seconds * 1e6 + 0.5), dtype="Float64").astype("Int64")
            return pd.to_datetime(micros, unit="us", utc=True).astype("datetime64[us, UTC]")

        def strings(value: str | None, n: int) -> Any:
            return pd.array(np.full(n, value, dtype=object), dtype=pd.StringDtype())

        parts = []
        for run in self.runs:
            seconds = run.timestamps.to_numpy()
            _check_times(run, np.nanmax(np.abs(seconds)) if len(seconds) else None)
            if self.wide:
                n = len(run.steps)
                cols: dict[str, Any] = {
                    "run_id": strings(run.run_id, n),
                    "step": pd.array(run.steps.to_numpy(), dtype="Int64"),
                    "timestamp": stamps(run.timestamps.to_numpy()),
                }
                for name in self.metric_names():
                    column = run.columns.get(name)
                    cols[name] = (
                        column.to_numpy()
                        if column is not None
                        else np.full(n, np.nan, dtype="float64")
                    )
                parts.append(pd.DataFrame(cols))
                continue
            for name, series in run.series.items():
                n = len(series.steps)
                parts.append(
                    pd.DataFrame(
                        {
                            "run_id": strings(run.run_id, n),
                            "step": pd.array(series.steps.to_numpy(), dtype="Int64"),
                            "metric": strings(name, n),
                            "value": series.values.to_numpy(),
                            "timestamp": stamps(series.timestamps.to_numpy()),
                        }
                    )
                )
        if not parts:
            types = {
                "str": pd.StringDtype(),
                "int": "Int64",
                "float": "float64",
                "time": "datetime64[us, UTC]",
            }
            none: pandas.DataFrame = pd.DataFrame(
                {k: pd.Series(dtype=types[t]) for k, t in self.schema().items()}
            )
            return none
        stacked: pandas.DataFrame = pd.concat(parts, ignore_index=True)
        return stacked


class SeriesTable:
    """One metric's series seen as a run with that one metric (the frame of a
    :class:`~runicorn_api.MetricSeries`)."""

    def __init__(self, run_id: str | None, name: str, series: SeriesColumns) -> None:
        self.run_id = run_id
        self.steps = series.steps
        self.timestamps = series.timestamps
        self.columns: Mapping[str, Column] = {name: series.values}
        self.series: Mapping[str, SeriesColumns] = {name: series}


def _stack(pl: Any, name: str, series: list[Any], dtype: Any) -> Any:
    """``series`` end to end as one Series of ``dtype`` named ``name`` (not rechunked)."""
    same = [s if s.dtype == dtype else s.cast(dtype) for s in series]
    return pl.concat(same, rechunk=False).alias(name)


def metrics_frame(runs: Sequence[MetricTable], *, wide: bool = False) -> MetricsFrame:
    """Runs' metrics as a frame builder; see the module docs for the schema."""
    return MetricsFrame(runs, wide=wide)


_MAX_SECONDS = 9.2e12
"""Unix seconds that still fit a microsecond datetime (pandas' and polars' Int64 range)."""


def _check_times(run: MetricTable, largest: Any) -> None:
    """Refuse a ``time`` no datetime can hold: it is not a time the viewer could send."""
    if largest is not None and largest == largest and float(largest) > _MAX_SECONDS:
        raise ResponseValidationError(
            f"Run {run.run_id}: a 'time' of {float(largest):g} s is outside any datetime; "
            "the metrics' timestamps are not Unix seconds."
        )
