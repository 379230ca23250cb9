"""Getting a run's metrics: where they come from, and how bytes become columns.

* :mod:`.sources`: one :class:`~.sources.MetricsSource` interface, with the viewer over
  HTTP and the run folder on this machine as its two implementations, and the parquet
  cache in front of either.
* :mod:`.body`: the viewer's JSON body → columns. :mod:`.events`: ``events.jsonl`` →
  the same columns, by the viewer's own rules, incrementally.
* :mod:`.table`: the columns → :class:`~runicorn_api.models.metrics.RunMetrics`, and the
  narrowing to some metrics and a window of rows that every source shares.
"""
