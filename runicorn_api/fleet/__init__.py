"""Several viewers as one: :func:`connect_many` and :class:`Fleet`.

Runicorn is local-first: a lab that trains on several machines has a viewer on each. A
fleet asks all of them at once (concurrently, each with the filters it can apply
itself) and answers as one collection, in which every run knows its viewer::

    with api.connect_many({"gpu1": "http://gpu1:23300", "gpu2": "http://gpu2:23300"}) as fleet:
        best = fleet.experiments.filter(project="sweep").order_by("-metrics.acc.max")[:5]
        print(best.to_polars(["viewer", "id", "metrics.acc.max"]))

* Runs are told apart by viewer and id: the same run id on two viewers (a copied run)
  is two runs. A run is named ``"viewer:run_id"`` where one name must say both.
* A viewer that does not answer is never silently missing: with ``on_error="warn"``
  (the default) the answer holds the others' results and a :class:`FleetWarning` names
  each failed viewer and why (kept in :attr:`Fleet.errors`); with ``on_error="raise"``
  a :class:`FleetError` names them and carries the others' results.
"""

from __future__ import annotations

from .core import Fleet, FleetError, FleetWarning, OnError, connect_many, named_viewers
from .metrics import FleetMetrics
from .runs import FleetRuns

__all__ = [
    "Fleet",
    "FleetError",
    "FleetMetrics",
    "FleetRuns",
    "FleetWarning",
    "OnError",
    "connect_many",
    "named_viewers",
]
