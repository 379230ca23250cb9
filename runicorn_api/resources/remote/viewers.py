"""Remote viewers: started, listed, stopped, and opened as clients through their tunnel."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import urlsplit

from ..._core import ClientCore, ListOf
from ..._exceptions import APIStatusError, InvalidArgumentError
from ..._options import MoreOptions
from ..._types import NOT_GIVEN, Timeout
from ..._validation import check_port
from ...models.remote import RemoteResult, RemoteSession
from .logins import RemoteBase, slow

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["OpenClient", "ViewersMixin", "session_id_of"]

C = TypeVar("C")
OpenClient = Callable[[str, RemoteSession, "Callable[[], None] | None", MoreOptions], C]
"""Makes a client for a remote viewer's tunnel: ``(url, session, stop, options)``, where
``stop`` (if given) is called when that client closes. The composition root provides it."""


class ViewersMixin(RemoteBase, Generic[C]):
    """``client.remote``'s remote viewers."""

    def __init__(self, core: ClientCore, *, open_client: OpenClient[C]) -> None:
        super().__init__(core)
        self._open_client = open_client

    # -- remote viewers ------------------------------------------------------------------

    def start_viewer(
        self,
        connection_id: str | None = None,
        remote_root: str | None = None,
        local_port: int | None = None,
        remote_port: int | None = None,
        conda_env: str | None = None,
        *,
        host: str | None = None,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        private_key_path: str | None = None,
        passphrase: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> RemoteSession:
        """Start a viewer on the remote host over ``remote_root`` and tunnel it to
        ``local_port`` on the viewer's machine (each port is chosen when not given).

        :calls: ``POST /api/remote/viewer/start`` (3-50 s: it logs in and runs commands;
            the default timeout is 180 s)

        The connection is the seed's ``connection_id`` (or bare host) of a
        :meth:`connect`, or runicorn 0.7's ``host=``, ``port=`` and ``username=`` (with
        ``password=`` or ``private_key_path=`` where no :meth:`connect` kept a login).
        The session answers the original client's ``session["local_port"]``.
        """
        if not isinstance(remote_root, str) or not remote_root.strip():
            raise InvalidArgumentError("remote_root must be the remote storage folder's path")
        for name, value in (("local_port", local_port), ("remote_port", remote_port)):
            if value is not None:
                check_port(name, value)
        login = self._address(
            connection_id,
            host=host,
            port=port,
            username=username,
            password=password,
            private_key_path=private_key_path,
            passphrase=passphrase,
        )
        body = {
            **login.body(),
            "remote_root": remote_root,
            "local_port": local_port,
            "remote_port": remote_port,
            "conda_env": conda_env,
        }
        session: RemoteSession = self._remote(
            "POST",
            "/api/remote/viewer/start",
            login,
            RemoteSession,
            body=body,
            timeout=slow(timeout),
        )
        return session

    def list_viewer_sessions(self, *, timeout: Timeout = NOT_GIVEN) -> list[RemoteSession]:
        """The remote viewers the viewer runs.

        :calls: ``GET /api/remote/viewer/sessions``
        """
        return self._get(
            "/api/remote/viewer/sessions", ListOf(RemoteSession, key="sessions"), timeout=timeout
        )

    def viewer_status(self, session_id: str, *, timeout: Timeout = NOT_GIVEN) -> RemoteSession:
        """One remote viewer's state.

        :calls: ``GET /api/remote/viewer/status/{session_id}``
        """
        path = f"/api/remote/viewer/status/{session_id_of(session_id)}"
        return self._get(path, RemoteSession, timeout=timeout)

    def stop_viewer(self, session_id: str, *, timeout: Timeout = NOT_GIVEN) -> RemoteResult:
        """Stop a remote viewer and its tunnel.

        :calls: ``POST /api/remote/viewer/stop {"session_id"}``
        """
        body = {"session_id": session_id_of(session_id)}
        return self._post("/api/remote/viewer/stop", RemoteResult, json_body=body, timeout=timeout)

    def open(
        self,
        connection_id: str,
        remote_root: str,
        local_port: int | None = None,
        remote_port: int | None = None,
        conda_env: str | None = None,
        *,
        timeout: Timeout = NOT_GIVEN,
        **options: Unpack[MoreOptions],
    ) -> C:
        """A client for the remote storage, through a remote viewer and its tunnel.

        :calls: ``GET /api/remote/viewer/sessions``, then ``POST /api/remote/viewer/start``
            unless a viewer of this connection already serves ``remote_root``

        The returned client is a context manager: closing it stops the remote viewer if
        this call started it. Its ``direct_reads`` is ``"never"``: the remote's paths are
        not this machine's. ``options`` are the new client's (see ``MoreOptions``).
        """
        login = self._login(connection_id)
        if "direct_reads" in options:
            raise InvalidArgumentError(
                "a client for a remote viewer reads over HTTP only (direct_reads='never')"
            )
        reused = next(
            (
                s
                for s in self.list_viewer_sessions(timeout=timeout)
                if s.connection_id == login.connection_id
                and s.remote_root == remote_root
                and s.is_active is not False
                and local_port in (None, s.local_port)
            ),
            None,
        )
        session = reused or self.start_viewer(
            login.connection_id, remote_root, local_port, remote_port, conda_env, timeout=timeout
        )
        viewer_host = urlsplit(self._core.base_url).hostname or "127.0.0.1"
        if ":" in viewer_host:
            viewer_host = f"[{viewer_host}]"
        stop = None if reused is not None else partial(self._stop_quietly, session.session_id)
        try:
            return self._open_client(
                f"http://{viewer_host}:{session.local_port}", session, stop, options
            )
        except BaseException:
            if stop is not None:
                stop()
            raise

    def _stop_quietly(self, session_id: str) -> None:
        # Closing a client must not fail because the session is already gone.
        with contextlib.suppress(APIStatusError):
            self.stop_viewer(session_id)


def session_id_of(session_id: str) -> str:
    """Refuse a session id that cannot name a session."""
    if not isinstance(session_id, str) or not session_id.strip() or "/" in session_id:
        raise InvalidArgumentError(f"session_id must be a non-empty id, got {session_id!r}")
    return session_id
