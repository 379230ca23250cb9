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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._frames import require

if TYPE_CHECKING:
    from .models.metrics import RunMetrics

__all__ = ["metrics_frame"]


class MetricsFrame:
    """Runs' metrics, ready to become a pandas or polars DataFrame."""

    def __init__(self, runs: Sequence[RunMetrics], *, wide: bool) -> None:
        self.runs = list(runs)
        self.wide = wide

    def metric_names(self) -> list[str]:
        names: dict[str, None] = {}
        for run in self.runs:
            names.update(dict.fromkeys(run.columns))
        return list(names)

    def to_polars(self) -> Any:
        pl = require("polars")

        def to_time(seconds: Any) -> Any:
            # floor(seconds * 1e6 + 0.5) microseconds, as the pandas path computes it.
            return (seconds * 1e6 + 0.5).floor().cast(pl.Int64).cast(pl.Datetime("us", "UTC"))

        def stamps(values: Sequence[float | None]) -> Any:
            return to_time(pl.Series(values, dtype=pl.Float64))

        parts = []
        if self.wide:
            names = self.metric_names()
            for run in self.runs:
                n = len(run.steps)
                cols: dict[str, Any] = {
                    "run_id": pl.repeat(run.run_id, n, dtype=pl.String, eager=True),
                    "step": pl.Series(run.steps, dtype=pl.Int64),
                    "timestamp": stamps(run.timestamps),
                }
                for name in names:
                    column = run.columns.get(name)
                    cols[name] = pl.Series(column if column is not None else [None] * n,
                                           dtype=pl.Float64)  # fmt: skip
                parts.append(pl.DataFrame(cols))
        else:
            for run in self.runs:
                names = list(run.columns)
                rows = run._polars_rows
                if rows is None:
                    rows = pl.DataFrame({
                        "global_step": pl.Series(run.steps, dtype=pl.Int64),
                        "time": pl.Series(run.timestamps, dtype=pl.Float64),
                        **{n: pl.Series(run.columns[n], dtype=pl.Float64) for n in names},
                    })  # fmt: skip
                # Metric by metric, each in step order, nulls dropped: the same points
                # as run.series, without building them.
                long = rows.unpivot(
                    index=["global_step", "time"], on=names, variable_name="metric",
                    value_name="value",
                ).drop_nulls("value")  # fmt: skip
                parts.append(long.select(
                    pl.lit(run.run_id, dtype=pl.String).alias("run_id"),
                    pl.col("global_step").cast(pl.Int64).alias("step"),
                    pl.col("metric").cast(pl.String),
                    pl.col("value").cast(pl.Float64),
                    to_time(pl.col("time")).alias("timestamp"),
                ))  # fmt: skip
        if not parts:
            types = {"str": pl.String, "int": pl.Int64, "float": pl.Float64,
                     "time": pl.Datetime("us", "UTC")}  # fmt: skip
            return pl.DataFrame(schema={k: types[t] for k, t in self.schema().items()})
        return pl.concat(parts, how="vertical")

    def schema(self) -> dict[str, str]:
        """Column → logical type (``str``, ``int``, ``float``, ``time``)."""
        if self.wide:
            return {"run_id": "str", "step": "int", "timestamp": "time",
                    **dict.fromkeys(self.metric_names(), "float")}  # fmt: skip
        return {"run_id": "str", "step": "int", "metric": "str", "value": "float",
                "timestamp": "time"}  # fmt: skip

    def to_pandas(self) -> Any:
        pd = require("pandas")
        np = require("numpy")

        def stamps(values: Sequence[float | None]) -> Any:
            seconds = np.array([np.nan if v is None else v for v in values], dtype="float64")
            micros = pd.array(np.floor(seconds * 1e6 + 0.5), dtype="Float64").astype("Int64")
            return pd.to_datetime(micros, unit="us", utc=True).astype("datetime64[us, UTC]")

        def floats(values: Sequence[float | None]) -> Any:
            return np.array([np.nan if v is None else v for v in values], dtype="float64")

        parts = []
        if self.wide:
            names = self.metric_names()
            for run in self.runs:
                n = len(run.steps)
                cols: dict[str, Any] = {
                    "run_id": pd.array([run.run_id] * n, dtype=pd.StringDtype()),
                    "step": pd.array(run.steps, dtype="Int64"),
                    "timestamp": stamps(run.timestamps),
                }
                for name in names:
                    column = run.columns.get(name)
                    cols[name] = floats(column if column is not None else [None] * n)
                parts.append(pd.DataFrame(cols))
        else:
            for run in self.runs:
                for name, series in run.series.items():
                    n = len(series)
                    parts.append(pd.DataFrame({
                        "run_id": pd.array([run.run_id] * n, dtype=pd.StringDtype()),
                        "step": pd.array(series.steps, dtype="Int64"),
                        "metric": pd.array([name] * n, dtype=pd.StringDtype()),
                        "value": np.asarray(series.values, dtype="float64"),
                        "timestamp": stamps(series.timestamps),
                    }))  # fmt: skip
        if not parts:
            types = {"str": pd.StringDtype(), "int": "Int64", "float": "float64",
                     "time": "datetime64[us, UTC]"}  # fmt: skip
            return pd.DataFrame({k: pd.Series(dtype=types[t]) for k, t in self.schema().items()})
        return pd.concat(parts, ignore_index=True)


def metrics_frame(runs: Sequence[RunMetrics], *, wide: bool = False) -> MetricsFrame:
    """Runs' metrics as a frame builder; see the module docs for the schema."""
    return MetricsFrame(runs, wide=wide)
