"""An embedded viewer: ``runicorn viewer`` in a subprocess on a free loopback port."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from ._client import RunicornClient
from ._common.deps import available, install_hint
from ._exceptions import (
    APIConnectionError,
    InvalidArgumentError,
    MissingDependencyError,
    RunicornAPIError,
)
from ._options import ClientOptions, ConnectOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["LocalViewer", "local"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def check_storage(folder: Path, *, create: bool) -> None:
    """Refuse a storage folder that is missing (unless ``create``: then make it) or that
    is the inside of a storage, where the viewer would quietly serve no run."""
    if not folder.exists():
        if create:
            folder.mkdir(parents=True)
            return
        raise InvalidArgumentError(
            f"The storage folder {folder} does not exist. Pass the folder runicorn writes "
            "to (runicorn.init(storage=...), or $RUNICORN_DIR), or create=True to start an "
            "empty storage there."
        )
    if not folder.is_dir():
        raise InvalidArgumentError(f"The storage {folder} is not a folder.")
    if (folder / "meta.json").is_file():
        runs = next((p for p in folder.parents if p.name == "runs"), None)
        hint = (
            f"; its storage is most likely {runs.parent} (0.7.x: <storage>/runs/<path>/<id>) "
            f"or {runs.parent.parent.parent} (0.5.x: <storage>/<project>/<name>/runs/<id>)"
            if runs is not None
            else ""
        )
        raise InvalidArgumentError(
            f"{folder} is a run folder (it holds meta.json), not a storage folder{hint}."
        )
    if folder.name == "runs" and not (folder / "runs").is_dir() and _holds_runs(folder, 3):
        raise InvalidArgumentError(
            f"{folder} is the runs/ folder inside a storage, not the storage itself: "
            f"pass {folder.parent}."
        )


def _holds_runs(folder: Path, depth: int) -> bool:
    """Whether a run folder (one with a ``meta.json``) lies within ``depth`` levels."""
    level = [folder]
    for _ in range(depth):
        level = [c for p in level for c in p.iterdir() if c.is_dir() and not c.is_symlink()]
        if any((c / "meta.json").is_file() for c in level):
            return True
    return False


class LocalViewer:
    """A ``python -m runicorn viewer`` subprocess that this process started and owns.

    The viewer listens on 127.0.0.1 only. Unless ``home`` is given, it runs with ``HOME``
    and ``XDG_CONFIG_HOME`` in a temporary folder, so it neither reads nor changes your
    runicorn configuration (a 0.7.x viewer saves its storage root there). Temporary
    folders it made are removed by :meth:`stop`.

    Args:
        storage: The storage folder to serve (it must exist, unless ``create``); a new
            empty temporary one if ``None``.
        python: The interpreter whose ``runicorn`` runs the viewer; this one by default
            (install ``runicorn-api[viewer]``).
        port: The port; a free one if ``None``.
        home: A folder to use as ``HOME`` (its ``.config`` as ``XDG_CONFIG_HOME``).
        env: Extra environment variables for the viewer (e.g. a ``PATH``).
        create: Make ``storage`` (and its parents) if it does not exist.

    Raises:
        InvalidArgumentError: ``storage`` does not exist (and ``create`` is false), is
            not a folder, or is the inside of a storage (its ``runs/`` folder, or a run
            folder); the message names the folder to pass instead.
    """

    def __init__(
        self,
        storage: str | os.PathLike[str] | None = None,
        *,
        python: str | os.PathLike[str] | None = None,
        port: int | None = None,
        home: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        create: bool = False,
    ) -> None:
        if storage is not None:
            check_storage(Path(storage), create=create)
        if python is None and not available("runicorn"):
            raise MissingDependencyError(
                f"runicorn_api.local() needs the runicorn viewer: {install_hint('runicorn')}, "
                "or pass python= an interpreter that has runicorn installed."
            )
        self.python: str = str(python or sys.executable)
        self._scratch = Path(tempfile.mkdtemp(prefix="runicorn-local-"))
        self.storage: Path = Path(storage) if storage is not None else self._scratch / "storage"
        self.storage.mkdir(parents=True, exist_ok=True)
        self.home: Path = Path(home) if home is not None else self._scratch / "home"
        self.port = port
        self._fixed_port = port is not None
        self._extra_env = dict(env or {})
        self.log_path: Path = self._scratch / "viewer.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._at_exit = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        config_home = self.home / ".config"
        config_home.mkdir(parents=True, exist_ok=True)
        # The viewer's own temporary files (zips it builds for downloads, which it leaves
        # behind when it is stopped mid-answer) go into the folder removed with it.
        temp = self._scratch / "tmp"
        temp.mkdir(exist_ok=True)
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(config_home),
            RUNICORN_DIR=str(self.storage),
            PYTHONUNBUFFERED="1",
            TMPDIR=str(temp),
        )
        env.update(self._extra_env)
        return env

    def start(
        self, *, startup_timeout: float = 60.0, **options: Unpack[ConnectOptions]
    ) -> RunicornClient:
        """Start the viewer, wait until ``/api/health`` answers, and return a client
        (``options`` as :class:`~runicorn_api._options.ConnectOptions` names them, checked
        before the viewer starts).

        Closing the client stops the viewer.

        Raises:
            APIConnectionError: The viewer exited or did not answer in ``startup_timeout``;
                the message ends with the tail of its log.
        """
        chosen = ClientOptions.of(**options)  # refuse a bad option before starting anything
        for _attempt in range(3):
            if not self._fixed_port:
                self.port = free_port()
            self._spawn()
            try:
                self._wait(startup_timeout)
            except APIConnectionError:
                exited = self.process is not None and self.process.poll() is not None
                self.stop(remove=False)
                # Another process may have taken the free port between the check and the
                # bind; only then is a new port worth a try.
                if exited and not self._fixed_port and "address already in use" in self.log():
                    continue
                raise
            except BaseException:
                self.stop(remove=False)
                raise
            more = {f.name: getattr(chosen, f.name) for f in fields(chosen)}
            del more["timeout"], more["max_retries"]
            client = RunicornClient(
                self.base_url,
                chosen.timeout,
                chosen.max_retries,
                **more,  # every option given, none dropped
            )
            client.viewer = self
            client.add_close_hook(self.stop)
            return client
        raise APIConnectionError(f"Could not find a free port for the viewer:\n{self.log()}")

    def restart(self, *, startup_timeout: float = 60.0) -> None:
        """Stop the viewer (by its PID) and start it again on the same port and storage.

        Clients connected to it keep working: their connection pools open new
        connections on the next call.

        Raises:
            APIConnectionError: The viewer did not come back within ``startup_timeout``.
        """
        port = self.port
        self.stop(remove=False)
        self.port = port
        self._spawn()
        try:
            self._wait(startup_timeout)
        except BaseException:
            self.stop(remove=False)
            raise

    def _spawn(self) -> None:
        if not self._at_exit:
            # A process that ends without closing its client still stops its viewer.
            atexit.register(self.stop)
            self._at_exit = True
        cmd = [
            self.python,
            "-m",
            "runicorn",
            "viewer",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--storage",
            str(self.storage),
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                cmd,
                env=self.environment(),
                cwd=self._scratch,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait(self, startup_timeout: float) -> None:
        deadline = time.monotonic() + startup_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = self.process.returncode if self.process else None
                raise APIConnectionError(
                    f"The viewer exited with code {code} before answering:\n{self.log()}"
                )
            try:
                RunicornClient(self.base_url, timeout=2, max_retries=0).close()
                return
            except APIConnectionError as err:
                last = err
                time.sleep(0.1)
            except RunicornAPIError as err:
                raise APIConnectionError(
                    f"The viewer at {self.base_url} started but failed: {err}\n{self.log()}"
                ) from err
        raise APIConnectionError(
            f"The viewer at {self.base_url} did not answer within {startup_timeout}s "
            f"({last}):\n{self.log()}"
        )

    def log(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the viewer's output."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, *, remove: bool = True) -> None:
        """Stop the viewer this object started (by its PID) and remove its temporary folders."""
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if remove:
            with contextlib.suppress(OSError):
                shutil.rmtree(self._scratch)

    def __repr__(self) -> str:
        state = "running" if self.process and self.process.poll() is None else "stopped"
        return f"<LocalViewer {self.base_url} pid={self.pid} {state}>"


def local(
    storage: str | os.PathLike[str] | None = None,
    *,
    python: str | os.PathLike[str] | None = None,
    port: int | None = None,
    home: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    startup_timeout: float = 60.0,
    create: bool = False,
    **options: Unpack[ConnectOptions],
) -> RunicornClient:
    """Start a viewer on ``storage`` and return a client connected to it.

    The client reads run folders directly by default (``direct_reads="auto"``): the
    viewer is on this machine, so metrics come from ``events.jsonl`` without HTTP.

    For notebooks and pipelines that have a storage folder but no running viewer. The
    viewer is a subprocess on a free 127.0.0.1 port; closing the client (or leaving its
    ``with`` block) stops it. See :class:`LocalViewer` for the arguments, and
    :class:`~runicorn_api._options.ConnectOptions` for ``options``; they are checked
    before the viewer starts. ``storage`` must exist: ``create=True`` makes a new, empty
    one, and a folder inside a storage (its ``runs/``, a run folder) is refused with the
    folder to pass instead.

    Example::

        with runicorn_api.local("./.runicorn") as client:
            print(client.list_projects())
    """
    ClientOptions.of(**options)  # refuse a bad option before making any folder
    viewer = LocalViewer(storage, python=python, port=port, home=home, env=env, create=create)
    try:
        return viewer.start(startup_timeout=startup_timeout, **options)
    except BaseException:
        viewer.stop()
        raise
