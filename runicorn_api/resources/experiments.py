"""Runs and projects: repositories that return lazy, filterable collections."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from .._adapters._base import RunsRequest
from .._collection import Collection, Page
from .._exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    ResponseValidationError,
    UnsupportedFeatureError,
    reading,
)
from .._follow import Follower, follow
from .._frames import Frame, Logical, flatten, infer_type
from .._logs import FileTail, ViewerStream, read_lines
from .._progress import ProgressOption
from .._run_folder import read_json
from .._storage import RunLocation
from .._transport import check_seconds, check_timeout
from .._types import NOT_GIVEN, NotGiven, Timeout
from ..filters import MISSING, Expr, F, resolve, to_utc
from ..models.contents import Environment, PathTree, Progress, RunLog
from ..models.experiment import BatchResult, DeletedRun, Experiment, Project, RunStatus
from ..models.metrics import RunMetrics
from ._base import Resource
from .metrics import MetricsCollection

if TYPE_CHECKING:
    from .._client import RunicornClient
    from ..dataset import DatasetWrite

__all__ = [
    "EXPERIMENT_COLUMNS",
    "ExperimentCollection",
    "ExperimentsResource",
    "ProjectsResource",
    "RecycleBinResource",
]

# Fields that are not in the viewer's run lists (see Experiment).
DETAIL_KEYS = frozenset({"summary", "config", "duration", "updated_at", "updated_datetime"})
RUN_ID = re.compile(r"^\d{8}_\d{6}_[a-f0-9]{6}$")
BATCH = 100  # the viewer's largest run_ids list per request

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


def check_run_id(run_id: object) -> str:
    """Refuse, before any request, a run id that cannot name a run."""
    if not isinstance(run_id, str) or not run_id.strip():
        raise InvalidArgumentError(f"run_id must be a non-empty string, got {run_id!r}")
    if "/" in run_id or "\\" in run_id:
        raise InvalidArgumentError(f"run_id must not contain a path separator, got {run_id!r}")
    return run_id


def check_page(limit: int | None, offset: int | None) -> None:
    for label, value in (("limit", limit), ("offset", offset)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise InvalidArgumentTypeError(f"{label} must be an int or None, got {value!r}")
        if value is not None and value < 0:
            raise InvalidArgumentError(f"{label} must be >= 0, got {value}")


def _strings(value: str | Iterable[str], label: str) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    if not items or not all(isinstance(v, str) and v for v in items):
        raise InvalidArgumentError(
            f"{label} must be a non-empty string or list of strings, got {value!r}"
        )
    return items


def _statuses(value: str | Iterable[str]) -> list[str]:
    items = _strings(value, "status")
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
            exprs.append(F("id").isin(_strings(value, key)))
        elif key == "status":
            exprs.append(F("status").isin(_statuses(value)))
        elif key == "tags":
            for tag in _strings(value, key):
                exprs.append(F("tags").contains(tag))
        elif key == "tags_any":
            exprs.append(_has_any_tag(set(_strings(value, key))))
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
        combined = expr if combined is None else combined & expr
    return combined, pushed


def _has_any_tag(wanted: set[str]) -> Expr:
    def test(exp: Any) -> bool:
        return bool(wanted & set(exp.tags))

    return Expr(test, f"tags_any={sorted(wanted)}", frozenset({"tags"}))


def _needs_details(keys: Iterable[str]) -> bool:
    return any(k.lstrip("-").split(".")[0] in DETAIL_KEYS for k in keys)


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


class ExperimentCollection(Collection[Experiment]):
    """A lazy, filterable, orderable collection of runs.

    Built by ``client.experiments.filter(...)`` and friends; nothing is requested until
    it is iterated, indexed, measured or converted. Filters the viewer can apply (a path
    on 0.7.x, a project and name on 0.5.x) are sent to it; every filter is also applied
    here, so the result is the same either way (see :meth:`push_down`).
    """

    _noun = "experiment"

    def __init__(
        self,
        repo: ExperimentsResource,
        *,
        where: Expr | None = None,
        pushed: dict[str, Any] | None = None,
        order: tuple[str, ...] = (),
        push_down: bool = True,
        base: ExperimentCollection | None = None,
    ) -> None:
        super().__init__()
        self._repo = repo
        self._where = where
        self._pushed = pushed or {}
        self._order = order
        self._push_down = push_down
        # A fully fetched collection this one narrows: its items are filtered here
        # instead of listing again (the result is the same; see push_down()).
        self._base = base

    def _derive(
        self,
        *,
        where: Expr | NotGiven | None = NOT_GIVEN,
        pushed: dict[str, Any] | None = None,
        order: tuple[str, ...] | None = None,
        push_down: bool | None = None,
    ) -> ExperimentCollection:
        self._check_unsliced()
        return ExperimentCollection(
            self._repo,
            where=self._where if isinstance(where, NotGiven) else where,
            pushed=self._pushed if pushed is None else pushed,
            order=self._order if order is None else order,
            push_down=self._push_down if push_down is None else push_down,
            base=self if self._done else self._base,
        )

    # -- building ------------------------------------------------------------------

    def filter(self, *exprs: Expr, **kw: Any) -> ExperimentCollection:
        """Keep runs matching every expression and keyword (see :func:`keyword_filter`)."""
        where, pushed = self._combine(exprs, kw)
        merged = dict(self._pushed)
        for key, value in pushed.items():
            merged.setdefault(key, value)
        return self._derive(where=_and(self._where, where), pushed=merged)

    def exclude(self, *exprs: Expr, **kw: Any) -> ExperimentCollection:
        """Drop runs matching all the given expressions and keywords."""
        where, _ = self._combine(exprs, kw)
        if where is None:
            return self._derive()
        return self._derive(where=_and(self._where, ~where))

    def order_by(self, *keys: str) -> ExperimentCollection:
        """Sort by fields (``"-created_at"`` descends); missing values go last."""
        for key in keys:
            F(key.lstrip("-"))  # validates the key
        return self._derive(order=tuple(keys))

    def all(self) -> ExperimentCollection:
        """An unfetched copy of this collection (it reuses items already fetched)."""
        return self._derive()

    def refresh(self) -> ExperimentCollection:
        """Forget fetched items (and any collection this one narrows); list again next."""
        self._base = None
        super().refresh()
        return self

    def _clone(self) -> ExperimentCollection:
        return self._derive()

    def push_down(self, enabled: bool = True) -> ExperimentCollection:
        """Let the viewer apply the filters it can (the default), or filter all here."""
        return self._derive(push_down=enabled)

    def ids(self) -> list[str]:
        """The run ids, in order."""
        return [e.id for e in self]

    def follow(
        self,
        metric_names: Sequence[str] | None = None,
        *,
        interval: float = 1.0,
        timeout: float | None = None,
        from_start: bool = False,
    ) -> Follower[RunMetrics]:
        """Follow these runs' metrics as they grow: see :meth:`MetricsResource.follow`
        (each item is one run's new rows; it ends when none of them is running).

        :calls: the listing, then what ``client.metrics.follow`` calls per run
        """
        ids = self.ids()
        if not ids:
            return Follower(iter(()))  # nothing runs: nothing to follow
        return self._repo._client.metrics.follow(
            ids, metric_names, interval=interval, timeout=timeout, from_start=from_start
        )

    def metrics(
        self,
        metric_names: Sequence[str] | None = None,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressOption = False,
    ) -> MetricsCollection:
        """The metrics of these runs, in their order; lazy like the collection.

        Run folders on this machine that are proven to be the viewer's are read directly,
        in parallel, with no request beyond the listing (see ``direct_reads``).

        :calls: the listing, then ``GET /api/runs/{id}/metrics`` per run that is not read
        from its folder, on a thread pool of the client's ``max_workers``;
        ``progress=True`` shows a tqdm bar.
        """
        from .metrics import location_of

        def locations() -> list[RunLocation]:
            return [location_of(e) for e in self]

        return self._repo._client.metrics.many(
            locations, metric_names, downsample=downsample, start=start, end=end,
            progress=progress,
        )  # fmt: skip

    def write_dataset(
        self,
        folder: str | Path,
        *,
        metric_names: list[str] | None = None,
        partition_by: Literal["project", "path"] = "project",
        progress: ProgressOption = False,
    ) -> DatasetWrite:
        """Write these runs and their metrics as a hive-partitioned parquet dataset that
        polars, DuckDB and Spark read lazily; a later call rewrites only the runs that
        are new or changed. See :mod:`runicorn_api.dataset` for the layout.

        :calls: the listing; per run, what tells whether it changed (the size of
            ``events.jsonl`` under direct reads, else the headers of ``GET
            /api/runs/{id}/metrics?downsample=100``); the metrics of the changed runs
        """
        from ..dataset import write_dataset

        return write_dataset(self, folder, metric_names=metric_names,
                             partition_by=partition_by, progress=progress)  # fmt: skip

    @staticmethod
    def _combine(exprs: Sequence[Expr], kw: dict[str, Any]) -> tuple[Expr | None, dict[str, Any]]:
        for expr in exprs:
            if not isinstance(expr, Expr):
                raise InvalidArgumentTypeError(f"filter() takes F(...) expressions, got {expr!r}")
        where, pushed = keyword_filter(**kw)
        for expr in exprs:
            where = _and(where, expr)
        return where, pushed

    # -- producing -----------------------------------------------------------------

    def _request(self) -> RunsRequest:
        return self._repo._adapter.runs_request(self._pushed if self._push_down else {})

    def _source_pages(self) -> Iterator[Page[Experiment]]:
        base = self._base
        if base is not None and base._done:
            yield Page(list(base._cache), total=len(base._cache))
        else:
            yield from self._repo._pages(self._request())

    def _produce(self) -> Iterator[Experiment]:
        where = self._where
        needs = where is not None and _needs_details(where.keys)
        kept: list[Experiment] = []
        for page in self._source_pages():
            items = page.items
            if needs:
                self._repo.load_details(items)
            matched = [e for e in items if where is None or where(e)]
            if not self._order:
                yield from matched
            kept.extend(matched)
        if self._order:
            if _needs_details(self._order):
                self._repo.load_details(kept)
            yield from sort_experiments(kept, self._order)

    def _frame(self, items: list[Experiment], columns: Sequence[str] | None) -> Frame:
        return experiments_frame(items, columns, self._repo)

    def _describe(self) -> str:
        if self._parent is not None:
            return self._parent._describe() + self._window_text()
        parts = []
        if self._where is not None:
            parts.append(f"where {self._where!r}")
        if self._order:
            parts.append(f"order_by {', '.join(self._order)}")
        return " ".join(parts)


def _and(left: Expr | None, right: Expr | None) -> Expr | None:
    if left is None:
        return right
    if right is None:
        return left
    return left & right


def experiments_frame(
    items: Sequence[Experiment], columns: Sequence[str] | None, repo: ExperimentsResource | None
) -> Frame:
    """The documented experiment schema: base columns, then ``summary.*``, ``config.*``."""
    wanted_details = columns is None or _needs_details(columns)
    if wanted_details and repo is not None:
        repo.load_details(list(items))
    data: dict[str, list[Any]] = {name: [] for name in EXPERIMENT_COLUMNS}
    extra: list[dict[str, Any]] = []
    for exp in items:
        best = exp.best_metric
        row = {
            "best_metric_name": best.name if best else None,
            "best_metric_value": best.value if best else None,
        }
        for name in EXPERIMENT_COLUMNS:
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
    types: dict[str, Logical] = dict(EXPERIMENT_COLUMNS)
    for name in sorted({k for flat in extra for k in flat}):
        data[name] = [flat.get(name) for flat in extra]
        types[name] = infer_type(data[name])
    return Frame(data, types).select(columns)


class ExperimentsResource(Resource):
    """``client.experiments``: runs, as lazy collections and single models."""

    def __init__(self, client: RunicornClient) -> None:
        super().__init__(client)

    # -- collections ---------------------------------------------------------------

    def all(self) -> ExperimentCollection:
        """Every run. :calls: ``GET /api/runs`` (on first use)."""
        return ExperimentCollection(self)

    def filter(self, *exprs: Expr, **kw: Any) -> ExperimentCollection:
        """Runs matching the filters; see :meth:`ExperimentCollection.filter`.

        :calls: ``GET /api/runs``, or ``GET /api/paths/runs`` (0.7.x, by path) or
        ``GET /api/projects/{p}/names/{n}/runs`` (0.5.x, by project and name)
        """
        return self.all().filter(*exprs, **kw)

    def exclude(self, *exprs: Expr, **kw: Any) -> ExperimentCollection:
        """Runs not matching the filters. :calls: ``GET /api/runs``"""
        return self.all().exclude(*exprs, **kw)

    def order_by(self, *keys: str) -> ExperimentCollection:
        """Every run, sorted. :calls: ``GET /api/runs``"""
        return self.all().order_by(*keys)

    def list(
        self,
        *,
        project: str | None = None,
        name: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Experiment]:
        """The seed's ``list_experiments``: filtered, then sliced, as a list.

        :calls: ``GET /api/runs`` (or a narrower listing; see :meth:`filter`)

        The viewer honours none of these parameters on ``/api/runs``; filtering and
        ``limit``/``offset`` are applied here. ``name`` is the 0.5.x name or the 0.7.x
        path after the project segment.
        """
        check_page(limit, offset)
        start = offset or 0
        stop = None if limit is None else start + limit
        return self.filter(project=project, name=name, status=status)[start:stop].to_list()

    def get(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Experiment:
        """One run, with its details loaded.

        :calls: ``GET /api/runs/{run_id}``, then the run's listing (for the fields only
        listings carry: tags, creation time)
        """
        check_run_id(run_id)
        detail = self._request("GET", f"/api/runs/{quote(run_id)}", timeout=timeout)
        if not isinstance(detail, dict):
            raise ResponseValidationError(f"GET /api/runs/{run_id}: expected an object")
        with reading("GET /api/runs/{id}", detail):
            listing = self._adapter.sibling_request(detail)
        siblings = self._request("GET", listing.path, params=listing.params, timeout=timeout)
        if not isinstance(siblings, list):
            siblings = []  # the listing only adds tags and times; the detail is the run
        raw = next((i for i in siblings if isinstance(i, dict) and i.get("id") == run_id), {})
        # The detail wins where both have a field (a 0.5.x per-name listing reports
        # artifact counts as 0; the detail has the real ones).
        exp = self._experiment({**raw, **detail}, "GET /api/runs/{id}")
        if self._adapter.detail_source == "http":
            with reading("GET /api/runs/{id}", detail):
                exp._details = self._adapter.details_from_detail(detail)
        return exp

    def environment(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Environment:
        """What the run's SDK captured about its environment (packages, python, git);
        ``captured`` is False for a run started without capture.

        :calls: ``GET /api/environment/{run_id}``
        """
        check_run_id(run_id)
        path = f"/api/environment/{quote(run_id)}"
        data = self._request("GET", path, timeout=timeout)
        return self._model(Environment, data, context="GET /api/environment/{run_id}")

    def progress(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Progress:
        """The viewer's progress report for a run (0.5.x and 0.7.x viewers report
        ``available=False`` for every run: they track no progress).

        :calls: ``GET /api/runs/{run_id}/progress``
        """
        check_run_id(run_id)
        data = self._request("GET", f"/api/runs/{quote(run_id)}/progress", timeout=timeout)
        return self._model(Progress, data, context="GET /api/runs/{id}/progress")

    def logs(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> RunLog:
        """The run's console log (``logs.txt``).

        :calls: ``GET /api/runs/{run_id}`` and its listing, then reads ``logs.txt`` from
            the run folder where it is proven to be the viewer's (``direct_reads``), else
            the WebSocket ``/api/runs/{run_id}/logs/ws`` (needs the ``logs`` extra)

        The viewer's stream has no end marker: its first burst is taken as whole once it
        is quiet for half a second. See :class:`RunLog` for what it leaves out.
        """
        folder = self._folder(run_id, "the console log", timeout)
        if folder is not None:
            return RunLog(run_id=run_id, lines=read_lines(folder / "logs.txt"), source="storage")
        stream = self._log_stream(run_id, timeout)
        try:
            lines = stream.burst(self._wait(timeout))
        finally:
            stream.close()
        return RunLog(run_id=run_id, lines=lines, source="viewer", truncated=stream.truncated)

    def follow_logs(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        poll: float = 0.2,
        from_start: bool = False,
    ) -> Follower[str]:
        """An iterator of the run's log lines written from this call on, each once and
        in order (``from_start=True``: the lines already written first).

        :calls: what :meth:`logs` calls, then ``GET /api/runs/{run_id}`` about once a
            second to see whether the run still runs

        It ends when the run leaves ``running`` (after the lines written before that) or
        after ``timeout`` seconds. Breaking out of a ``for`` loop and calling ``close()``
        (or leaving its ``with`` block) closes the file or socket. Over the viewer's
        WebSocket, blank lines are not sent.
        """
        check_timeout(timeout)
        check_seconds("poll", poll, 60)
        folder = self._folder(run_id, "the console log", NOT_GIVEN)

        def running() -> bool:
            return self._status(run_id) == "running"

        if folder is not None:
            tail = FileTail(folder / "logs.txt", from_start=from_start)

            def from_file(wait: float) -> list[str]:
                lines = tail.lines()
                if not lines and wait:
                    time.sleep(wait)
                return lines

            return Follower(follow(from_file, running, timeout=timeout, poll=poll))
        stream = self._log_stream(run_id, NOT_GIVEN)
        try:
            first = stream.burst(self._wait(NOT_GIVEN))  # what is already written
        except BaseException:
            stream.close()
            raise

        def from_socket(wait: float) -> list[str] | None:
            got = stream.receive(wait)
            if got is None:
                return None if stream.finished_empty else []
            return got

        def lines() -> Iterator[str]:
            if from_start:
                yield from first
            yield from follow(from_socket, running, timeout=timeout, poll=poll)

        return Follower(lines(), on_close=stream.close)

    def _folder(self, run_id: str, purpose: str, timeout: Timeout) -> Path | None:
        """The run folder, when the client may and can prove it is the viewer's.

        :calls: :meth:`get`, unless the client may read no storage file
        """
        check_run_id(run_id)
        storage = self._client._storage
        if not storage.allowed:
            return None
        from .metrics import location_of

        folder: Path | None = storage.run_folder(
            location_of(self.get(run_id, timeout=timeout)), purpose=purpose
        )
        return folder

    def _log_stream(self, run_id: str, timeout: Timeout) -> ViewerStream:
        check_run_id(run_id)
        socket = self._client._transport.websocket(
            f"/api/runs/{quote(run_id)}/logs/ws", timeout=self._wait(timeout)
        )
        return ViewerStream(socket, run_id)

    def _wait(self, timeout: Timeout) -> float | None:
        return self._client.timeout if isinstance(timeout, NotGiven) else timeout

    # -- writes --------------------------------------------------------------------

    def update(
        self,
        run_id: str,
        *,
        tags: Sequence[str] | NotGiven = NOT_GIVEN,
        alias: str | NotGiven | None = NOT_GIVEN,
    ) -> Experiment:
        """Replace a run's tags and/or set its alias (``None`` or ``""`` clears it).

        :calls: ``PATCH /api/runs/{run_id}`` (0.7.x), then :meth:`get`

        Raises:
            UnsupportedFeatureError: Before any request, on a 0.5.x viewer.
            ValueError: Before any request, for an id the viewer would refuse.
        """
        body: dict[str, Any] = {}
        if not isinstance(tags, NotGiven):
            self._adapter.require("tags")
            if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
                raise InvalidArgumentTypeError(f"tags must be a list of strings, got {tags!r}")
            body["tags"] = list(tags)
        if not isinstance(alias, NotGiven):
            self._adapter.require("alias")
            if alias is not None and not isinstance(alias, str):
                raise InvalidArgumentTypeError(f"alias must be a string or None, got {alias!r}")
            body["alias"] = alias or ""
        if not body:
            raise InvalidArgumentError("update() needs tags= and/or alias=")
        self._check_patchable(run_id)
        self._request("PATCH", f"/api/runs/{quote(run_id)}", json_body=body)
        return self.get(run_id)

    def delete(self, run_ids: str | Iterable[str]) -> BatchResult:
        """Move runs to the recycle bin (soft delete; :meth:`RecycleBinResource.restore`).

        :calls: ``POST /api/runs/soft-delete`` (in batches of 100)

        Raises:
            RunicornAPIError: If the viewer could not delete some of them (it names them).
        """
        return self._client.recycle_bin._batch("/api/runs/soft-delete", run_ids, "delete")

    def move(self, run_ids: str | Iterable[str], target_path: str) -> BatchResult:
        """Move runs to another path.

        :calls: ``POST /api/runs/move`` (0.7.x)
        """
        self._adapter.require("move")
        if not isinstance(target_path, str) or not target_path.strip("/"):
            raise InvalidArgumentError(f"target_path must be a non-empty path, got {target_path!r}")
        ids = _id_list(run_ids)
        data = self._request(
            "POST",
            "/api/runs/move",
            json_body={"run_ids": ids, "target_path": target_path.strip("/")},
        )
        result = self._model(BatchResult, _move_results(data), context="POST /api/runs/move")
        result.raise_for_failures("move")
        return result

    # -- plumbing for collections ---------------------------------------------------

    def _pages(self, request: RunsRequest, *, timeout: Timeout = NOT_GIVEN
               ) -> Iterator[Page[Experiment]]:  # fmt: skip
        """The runs of one listing, as pages (today the viewer sends a single page)."""
        data = self._request("GET", request.path, params=request.params, timeout=timeout)
        if not isinstance(data, list):
            raise ResponseValidationError(
                f"GET {request.path} answered {type(data).__name__}, expected a JSON array",
                body=data,
            )
        items = []
        for raw in data:
            exp = self._experiment(raw, f"GET {request.path}")
            if not request.counts_known:
                exp.artifacts_created_count = exp.artifacts_used_count = None
            items.append(exp)
        yield Page(items, total=len(items))

    def _status(self, run_id: str) -> str:
        """A run's status alone, for followers. :calls: ``GET /api/runs/{run_id}``"""
        detail = self._request("GET", f"/api/runs/{quote(run_id)}")
        status: str = self._experiment(detail, "GET /api/runs/{id}").status
        return status

    def _experiment(self, raw: Any, context: str) -> Experiment:
        """A raw run (list item or detail) as an :class:`Experiment`."""
        if not isinstance(raw, dict):
            raise ResponseValidationError(
                f"{context}: a run is {type(raw).__name__}, expected an object", body=raw
            )
        with reading(context, raw):
            data = self._adapter.normalize_run(raw)
        exp: Experiment = self._model(Experiment, data, context=context)
        exp._bind(self._client, self._load_one)
        return exp

    def _load_one(self, exp: Experiment) -> dict[str, Any]:
        self.load_details([exp])
        return exp._details or {}

    def load_details(self, items: Sequence[Experiment]) -> None:
        """Fetch summary, config, duration and updated_at of the runs that lack them.

        :calls: ``GET /api/runs/{id}`` per run on 0.7.x, from a bounded thread pool;
        reads the run folders on 0.5.x
        """
        if (
            isinstance(items, str | bytes)
            or not isinstance(items, Sequence)
            or not all(isinstance(e, Experiment) for e in items)
        ):
            raise InvalidArgumentTypeError("load_details takes a sequence of Experiment objects")
        todo = [e for e in items if e._details is None]
        if not todo:
            return
        if self._adapter.detail_source == "run_folder":
            for exp in todo:
                exp._details = self._details_from_folder(exp)
            return

        def fetch(exp: Experiment) -> dict[str, Any]:
            detail = self._request("GET", f"/api/runs/{quote(exp.id)}")
            return self._adapter.details_from_detail(detail if isinstance(detail, dict) else {})

        for exp, details in zip(todo, self._concurrently(fetch, todo), strict=True):
            exp._details = details

    def _details_from_folder(self, exp: Experiment) -> dict[str, Any]:
        from .metrics import location_of

        storage = self._client._storage
        folder = storage.run_folder(location_of(exp), purpose="the summary")
        if folder is None:
            why = (
                "this client was told never to read storage files (direct_reads='never')"
                if not storage.allowed
                else f"the run folder is not readable from this machine ({exp.run_dir})"
            )
            raise UnsupportedFeatureError(
                f"{self._client.server} serves no run summary, config or end time over "
                f"HTTP; they are read from the run folder, and {why}."
            )
        details: dict[str, Any] = self._adapter.details_from_files(
            read_json(folder, "summary.json"),
            read_json(folder, "status.json"),
            read_json(folder, "meta.json"),
        )
        return details

    def _check_patchable(self, run_id: str) -> None:
        check_run_id(run_id)
        if not RUN_ID.match(run_id):
            raise InvalidArgumentError(
                f"{self._client.server} can only update runs whose id looks like "
                f"YYYYMMDD_HHMMSS_xxxxxx, got {run_id!r}"
            )


def _id_list(run_ids: str | Iterable[str]) -> list[str]:
    ids = [run_ids] if isinstance(run_ids, str) else list(run_ids)
    if not ids:
        raise InvalidArgumentError("run_ids is empty")
    return [check_run_id(i) for i in ids]


def _move_results(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {"results": {}}
    results = {m.get("run_id"): {"success": True, **m} for m in data.get("moved") or []}
    for f in data.get("failed") or []:
        run_id = f.get("run_id") if isinstance(f, dict) else str(f)
        results[run_id] = {"success": False, "error": f.get("error") if isinstance(f, dict)
                           else None}  # fmt: skip
    return {**data, "results": results}


class RecycleBinResource(Resource):
    """``client.recycle_bin``: soft-deleted runs (both generations)."""

    def list(self, *, timeout: Timeout = NOT_GIVEN) -> list[DeletedRun]:
        """:calls: ``GET /api/recycle-bin``"""
        data = self._request("GET", "/api/recycle-bin", timeout=timeout)
        items = data.get("deleted_runs", []) if isinstance(data, dict) else data
        out = []
        for raw in items if isinstance(items, list) else []:
            merged = {**raw, **self._adapter.run_identity(raw)}
            out.append(self._model(DeletedRun, merged, context="GET /api/recycle-bin"))
        return out

    def restore(self, run_ids: str | Iterable[str]) -> BatchResult:
        """Bring runs back from the recycle bin.

        :calls: ``POST /api/recycle-bin/restore`` (in batches of 100)
        """
        return self._batch("/api/recycle-bin/restore", run_ids, "restore")

    def empty(self, *, confirm: bool = False) -> BatchResult:
        """Delete every run in the recycle bin for good.

        :calls: ``POST /api/recycle-bin/empty {"confirm": true}``

        Raises:
            ValueError: Without ``confirm=True`` (nothing is sent).
        """
        if confirm is not True:
            raise InvalidArgumentError("empty() deletes runs permanently; pass confirm=True")
        data = self._request("POST", "/api/recycle-bin/empty", json_body={"confirm": True})
        return self._model(BatchResult, data if isinstance(data, dict) else {},
                           context="POST /api/recycle-bin/empty")  # fmt: skip

    def _batch(self, path: str, run_ids: str | Iterable[str], verb: str) -> BatchResult:
        ids = _id_list(run_ids)
        results: dict[str, Any] = {}
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            data = self._request("POST", path, json_body={"run_ids": chunk})
            part = self._model(BatchResult, data if isinstance(data, dict) else {},
                               context=f"POST {path}")  # fmt: skip
            results.update(part.results)
        result = BatchResult(results=results)
        result.raise_for_failures(verb)
        return result


class ProjectsResource(Resource):
    """``client.projects``: projects (0.5.x) or top-level paths (0.7.x), with run counts."""

    def tree(self, *, timeout: Timeout = NOT_GIVEN) -> PathTree:
        """Every run path as a nested tree (0.7.x).

        :calls: ``GET /api/paths/tree``
        """
        self._adapter.require("paths")
        data = self._request("GET", "/api/paths/tree", timeout=timeout)
        return self._model(PathTree, data, context="GET /api/paths/tree")

    def list(self, *, timeout: Timeout = NOT_GIVEN) -> list[Project]:
        """Every project with its run counts per status, sorted by name.

        :calls: ``GET /api/paths?include_stats=true`` (0.7.x; ``interrupted`` is the
        total less the other counts, since the viewer counts it in the total only) or
        ``GET /api/runs`` (0.5.x, whose ``/api/projects`` has no counts: counted here)
        """
        if self._client.server.supports("paths"):
            data = self._request("GET", "/api/paths", params={"include_stats": "true"},
                                 timeout=timeout)  # fmt: skip
            stats = data.get("stats") if isinstance(data, dict) else None
            if not isinstance(stats, dict):
                raise ResponseValidationError("GET /api/paths: no 'stats' object", body=data)
            projects = []
            for path, counts in sorted(stats.items()):
                if "/" in path or not isinstance(counts, dict):
                    continue
                total = int(counts.get("total", 0))
                known = {s: int(counts.get(s, 0)) for s in ("running", "finished", "failed")}
                projects.append(
                    Project(
                        name=path,
                        experiment_count=total,
                        interrupted=total - sum(known.values()),
                        **known,
                    )
                )
            return projects
        totals: dict[str, dict[str, int]] = {}
        for page in self._client.experiments._pages(RunsRequest("/api/runs"), timeout=timeout):
            for run in page.items:
                if run.project is None:
                    continue
                counts = totals.setdefault(run.project, {s.value: 0 for s in RunStatus})
                if run.status in counts:
                    counts[run.status] += 1
                counts["experiment_count"] = counts.get("experiment_count", 0) + 1
        return [Project(name=name, **counts) for name, counts in sorted(totals.items())]
