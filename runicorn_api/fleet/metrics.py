"""A fleet's metrics: the runs' metrics with the viewer of each (:class:`FleetMetrics`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .._frames.metric_tables import metrics_frame
from ..models.metrics import RunMetrics

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow

__all__ = ["FleetMetrics"]


class FleetMetrics:
    """The metrics of a fleet's runs, in their order; frames have a ``viewer`` column."""

    def __init__(self, runs: list[tuple[str, RunMetrics]]) -> None:
        self._runs = runs

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self) -> Iterator[RunMetrics]:
        return (metrics for _, metrics in self._runs)

    def __getitem__(self, index: int) -> RunMetrics:
        return self._runs[index][1]

    @property
    def viewers(self) -> list[str]:
        """The viewer of each item, in order."""
        return [name for name, _ in self._runs]

    def to_list(self) -> list[RunMetrics]:
        return [metrics for _, metrics in self._runs]

    def _groups(self) -> list[tuple[str, list[RunMetrics]]]:
        groups: list[tuple[str, list[RunMetrics]]] = []
        for name, metrics in self._runs:
            if groups and groups[-1][0] == name:
                groups[-1][1].append(metrics)
            else:
                groups.append((name, [metrics]))
        return groups

    def to_polars(self, *, wide: bool = False) -> polars.DataFrame:
        """``viewer``, then the columns of ``runs.metrics(...).to_polars()``."""
        import polars as pl

        parts = [
            metrics_frame(items, wide=wide)
            .to_polars()
            .select(pl.lit(name, dtype=pl.String).alias("viewer"), pl.all())
            for name, items in self._groups()
        ]
        if not parts:
            empty = metrics_frame([], wide=wide).to_polars()
            return empty.select(pl.lit(None, dtype=pl.String).alias("viewer"), pl.all())
        joined: polars.DataFrame = pl.concat(parts, how="diagonal" if wide else "vertical")
        return joined

    def to_pandas(self, *, wide: bool = False) -> pandas.DataFrame:
        """The columns and types of :meth:`to_polars`, in pandas."""
        import pandas as pd

        parts = []
        for name, items in self._groups() or [("", [])]:
            frame = metrics_frame(items, wide=wide).to_pandas()
            frame.insert(0, "viewer", pd.Series([name] * len(frame), dtype=pd.StringDtype()))
            parts.append(frame)
        joined: pandas.DataFrame = pd.concat(parts, ignore_index=True)
        return joined

    def to_arrow(self, *, wide: bool = False) -> pyarrow.Table:
        """The columns and types of :meth:`to_polars`, as a :class:`pyarrow.Table`."""
        import pyarrow as pa

        tables = []
        for name, items in self._groups() or [("", [])]:
            table = metrics_frame(items, wide=wide).to_arrow()
            kind = table.schema.field("run_id").type
            tables.append(table.add_column(0, "viewer", pa.array([name] * table.num_rows, kind)))
        joined: pyarrow.Table = pa.concat_tables(tables, promote_options="default")
        return joined

    def __repr__(self) -> str:
        return f"<FleetMetrics of {len(self._runs)} runs on {len(set(self.viewers))} viewers>"
