"""A run's console log: read whole, or followed as it grows (from the run folder, or the
viewer's WebSocket)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import quote

from ..._common.follow import Follower, follow
from ..._http.websocket import ViewerStream
from ..._storage.run_folder import FileTail, read_lines
from ..._types import NOT_GIVEN, Timeout
from ..._validation import check_run_id, check_seconds, check_timeout
from ...models.contents import RunLog
from .._base import Resource
from .._runs import RunLookup

__all__ = ["LogsMixin"]


class LogsMixin(Resource):
    """``client.experiments.logs`` and ``follow_logs``."""

    _runs: RunLookup

    def logs(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> RunLog:
        """The run's console log (``logs.txt``).

        :calls: ``GET /api/runs/{run_id}`` and its listing, then reads ``logs.txt`` from
            the run folder where it is proven to be the viewer's (``direct_reads``), else
            the WebSocket ``/api/runs/{run_id}/logs/ws`` (needs the ``logs`` extra)

        The viewer's stream has no end marker: its first burst is taken as whole once it
        is quiet for half a second. See :class:`RunLog` for what it leaves out.
        """
        folder = self._runs.folder(run_id, "the console log", timeout)
        if folder is not None:
            return RunLog(run_id=run_id, lines=read_lines(folder, "logs.txt"), source="storage")
        stream = self._log_stream(run_id, timeout)
        try:
            lines = stream.burst(self._core.timeout_for(timeout))
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
        folder = self._runs.folder(run_id, "the console log", NOT_GIVEN)

        def running() -> bool:
            return self._runs.status(run_id) == "running"

        if folder is not None:
            tail = FileTail(folder, "logs.txt", from_start=from_start)

            def from_file(wait: float) -> list[str]:
                lines = tail.lines()
                if not lines and wait:
                    time.sleep(wait)
                return lines

            return Follower(follow(from_file, running, timeout=timeout, poll=poll))
        stream = self._log_stream(run_id, NOT_GIVEN)
        try:
            first = stream.burst(self._core.timeout_for(NOT_GIVEN))  # what is already written
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

    def _log_stream(self, run_id: str, timeout: Timeout) -> ViewerStream:
        check_run_id(run_id)
        socket = self._core.websocket(f"/api/runs/{quote(run_id)}/logs/ws", timeout=timeout)
        return ViewerStream(socket, run_id)
