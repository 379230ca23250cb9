"""The seed's Remote API end to end, over a real SSH server on 127.0.0.1 (asyncssh).

For each version a fresh viewer of that version (its own HOME, so its own known_hosts)
logs in to the SSH server, whose exec requests run here with a PATH leading to the same
version's venv. The "remote" storage is written by that version's SDK and holds other
runs than the local one. Every process the remote viewer starts is stopped by PID.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api._local_viewer import free_port
from runicorn_api.testing import Manifest
from runicorn_api.testing.copies import expected_rows, specs_for, write_runs
from tests.support.counting import counting
from tests.support.examples import run_example
from tests.support.ssh_server import SSHTestServer
from tests.support.viewers import ViewerEnv

PASSWORD = "correct horse battery staple"
USER = "alice"


@dataclass
class Remote:
    server: SSHTestServer
    client: api.RunicornClient
    manifest: Manifest
    generation: str
    sessions: list[api.RemoteSession]

    @property
    def root(self) -> str:
        return self.manifest.storage

    def login(self, **extra: Any) -> dict[str, Any]:
        return {
            "host": "127.0.0.1",
            "port": self.server.port,
            "username": USER,
            "password": PASSWORD,
            **extra,
        }

    def connect(self, **extra: Any) -> api.RemoteConnection:
        """A password login, confirming the host key where the viewer asks (0.7.x)."""
        fingerprint = self.server.host_key_fingerprint if self.generation == "0.7" else None
        return self.client.remote.connect(**self.login(**extra), host_key_fingerprint=fingerprint)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[-1][:1] != "Z"  # a zombie is gone for our purposes
    return True


def _serving(root: Path) -> list[int]:
    """PIDs of processes whose command line names this module's own temporary folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if str(root).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait(predicate: Any, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


def _viewer_logs() -> list[Path]:
    """Where remote viewers log: fixed paths under /tmp in both generations."""
    return [
        *Path("/tmp").glob("runicorn_viewer_*.log"),
        *Path("/tmp/runicorn-viewer/sessions").glob("*"),
    ]


@pytest.fixture(scope="module")
def remote(viewer: ViewerEnv) -> Iterator[Remote]:
    root = Path(tempfile.mkdtemp(prefix=f"runicorn-api-ssh-{viewer.version}-"))
    sessions: list[api.RemoteSession] = []
    server: SSHTestServer | None = None
    client: api.RunicornClient | None = None
    viewer_tmp_existed = Path("/tmp/runicorn-viewer").exists()
    logs_before = set(_viewer_logs())
    try:
        runs = [
            {
                "key": f"remote-{i}",
                "project": "far",
                "tail": f"run{i}",
                "status": "finished",
                "seed": 7 + i,
                "steps": 40 + i,
            }
            for i in range(2)
        ]
        specs = specs_for(viewer.generation, runs)
        for spec in specs:  # ids that the local data set does not use
            spec["run_id"] = spec["run_id"].replace("2025", "2019", 1)
        manifest, _ = write_runs(
            viewer.prepared.python,
            viewer.version,
            root / "remote-storage",
            specs,
            scratch=root / "scratch",
            home=root / "writer-home",
        )
        home = root / "ssh-home"
        (home / ".config").mkdir(parents=True)
        env = {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "LANG": "C.UTF-8",
            "PATH": f"{viewer.prepared.python.parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        }
        server = SSHTestServer(root, env, {USER: PASSWORD, "bob": "bobs password"}).start()
        client = viewer.start_viewer(f"ssh-{viewer.version}")
        yield Remote(server, client, manifest, viewer.generation, sessions)
    finally:
        if client is not None:
            for session in client.remote.list_viewer_sessions():
                sessions.append(session)
                with contextlib.suppress(api.RunicornAPIError):
                    client.remote.stop_viewer(session.session_id)
            client.close()
        for session in sessions:  # remote viewers this module caused to start
            if session.remote_pid and _alive(session.remote_pid):
                os.kill(session.remote_pid, signal.SIGTERM)
        for pid in _serving(root):  # ...and any whose start failed before it said its PID
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for leftover in set(_viewer_logs()) - logs_before:  # the remote viewers' logs
            shutil.rmtree(leftover, ignore_errors=True)
            leftover.unlink(missing_ok=True)
        if not viewer_tmp_existed:
            with contextlib.suppress(OSError):
                os.rmdir("/tmp/runicorn-viewer/sessions")
                os.rmdir("/tmp/runicorn-viewer")
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_host_keys_are_confirmed_never_trusted_silently(remote: Remote) -> None:
    r = remote.client.remote
    if remote.generation == "0.5":
        # 0.5.x accepts any host key itself: a fingerprint cannot be checked there.
        with counting(remote.client) as sent:
            with pytest.raises(api.UnsupportedFeatureError, match="accept any SSH host key"):
                r.connect(**remote.login(), host_key_fingerprint="SHA256:abc")
            with pytest.raises(api.UnsupportedFeatureError):
                r.known_hosts()
        assert sent == []
        return
    fingerprint = remote.server.host_key_fingerprint
    assert fingerprint not in {k.fingerprint_sha256 for k in r.known_hosts()}
    with pytest.raises(api.HostKeyConfirmationRequired) as asked:
        r.connect(**remote.login())
    assert isinstance(asked.value, api.ConflictError)
    offered = asked.value.host_key
    assert (offered.host, offered.port, offered.key_type) == (
        "127.0.0.1",
        remote.server.port,
        "ssh-ed25519",
    )
    assert offered.fingerprint_sha256 == fingerprint
    assert fingerprint in str(asked.value)
    # A fingerprint that is not the offered key's: refused, nothing trusted, no second try.
    wrong = "SHA256:" + "A" * 43
    with counting(remote.client) as sent, pytest.raises(api.HostKeyMismatchError) as mismatch:
        r.connect(**remote.login(), host_key_fingerprint=wrong)
    assert "Nothing was trusted" in str(mismatch.value)
    assert mismatch.value.expected == wrong
    assert sent == ["POST /api/remote/connect"]
    assert fingerprint not in {k.fingerprint_sha256 for k in r.known_hosts()}
    # The right one: accepted, then connected.
    with counting(remote.client) as sent:
        connection = r.connect(**remote.login(), host_key_fingerprint=fingerprint)
    assert sent == [
        "POST /api/remote/connect",
        "POST /api/remote/known-hosts/accept",
        "POST /api/remote/connect",
    ]
    assert connection.connection_id == f"{USER}@127.0.0.1:{remote.server.port}"
    assert connection.connected
    trusted = [k for k in r.known_hosts() if k.fingerprint_sha256 == fingerprint]
    assert [(k.host, k.port) for k in trusted] == [("127.0.0.1", remote.server.port)]
    # Removed, it must be confirmed again; accept_host_key takes the offered key as a dict.
    assert r.remove_host_key("127.0.0.1", remote.server.port, "ssh-ed25519")["changed"] is True
    r.disconnect(connection.connection_id)
    with pytest.raises(api.HostKeyConfirmationRequired) as again:
        r.connect(**remote.login())
    assert r.accept_host_key(again.value.host_key.to_dict())["ok"] is True
    assert r.connect(**remote.login()).connection_id == connection.connection_id
    r.disconnect(connection.connection_id)


def test_a_wrong_password_is_an_authentication_error(
    remote: Remote, caplog: pytest.LogCaptureFixture
) -> None:
    if remote.generation == "0.7":
        remote.connect()  # the host key first; the viewer checks it before any login
    wrong = "not-bobs-password-xyzzy"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(api.AuthenticationError) as info:
        remote.client.remote.connect("127.0.0.1", remote.server.port, "bob", password=wrong)
    error = info.value
    assert f"bob@127.0.0.1:{remote.server.port}" in str(error)
    assert "password" in str(error)  # says what to check next
    texts = [str(error), repr(error), str(error.body), caplog.text]
    cause = error.__cause__ or error.__context__
    while cause is not None:
        texts += [str(cause), repr(cause)]
        cause = cause.__cause__ or cause.__context__
    assert not any(wrong in t for t in texts)
    assert "bob" not in {c.username for c in remote.client.remote.list_sessions()}


def test_connect_with_a_key(remote: Remote) -> None:
    r = remote.client.remote
    if remote.generation == "0.7":
        remote.connect()
    connection = r.connect(
        "127.0.0.1",
        remote.server.port,
        "carol",
        private_key_path=str(remote.server.client_key_path),
        use_agent=False,
    )
    assert connection.connection_id == f"carol@127.0.0.1:{remote.server.port}"
    assert connection.connection_id in {c.connection_id for c in r.list_sessions()}
    assert r.disconnect(connection.connection_id)["ok"] is True


def test_refused_port_names_host_and_port(remote: Remote) -> None:
    port = free_port()
    with counting(remote.client) as sent, pytest.raises(api.SSHConnectionRefusedError) as info:
        remote.client.remote.connect("127.0.0.1", port, USER, password=PASSWORD)
    assert sent == ["POST /api/remote/connect"]  # a POST is never repeated
    assert (info.value.host, info.value.port) == ("127.0.0.1", port)
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "Check the port" in str(info.value)
    assert isinstance(info.value, api.ServerError)
    assert PASSWORD not in str(info.value)


def test_a_silent_port_is_a_timeout(remote: Remote) -> None:
    """A port that accepts and never speaks SSH: the viewer gives up after its own SSH
    timeout (30 s), and the error says so."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        with pytest.raises(api.SSHTimeoutError) as info:
            remote.client.remote.connect("127.0.0.1", port, USER, password=PASSWORD)
    assert (info.value.host, info.value.port) == ("127.0.0.1", port)
    assert "did not answer in time" in str(info.value)


def test_the_whole_flow(remote: Remote, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    r = remote.client.remote
    connection = remote.connect()
    local_port, remote_port = free_port(), free_port()
    # The seed's call: the bare host names the connection.
    session = r.start_viewer("127.0.0.1", remote.root, local_port, remote_port)
    remote.sessions.append(session)
    assert session["local_port"] == session.local_port == local_port
    assert session["localPort"] == local_port  # the viewer's own key stays
    assert session.remote_port == remote_port
    assert session.session_id
    assert session["session_id"] == session.session_id
    assert session.status == "running"
    assert session.remote_pid
    assert _alive(session.remote_pid)
    assert session.url == f"http://localhost:{local_port}"
    assert session.uptime is not None
    assert session.uptime >= 0
    assert session.connection_id == connection.connection_id

    with api.connect(f"http://localhost:{session['local_port']}") as far:
        experiments = far.list_experiments()
        assert {e.id for e in experiments} == {run.run_id for run in remote.manifest.runs}
        for run in remote.manifest.runs:
            metrics = far.get_metrics(run.run_id)
            expected = expected_rows(run)
            assert metrics["accuracy"].steps == [int(row["global_step"]) for row in expected]  # type: ignore[arg-type]
            assert metrics["accuracy"].values == pytest.approx(
                [row["accuracy"] for row in expected]
            )

    assert [s.session_id for s in r.list_viewer_sessions()] == [session.session_id]
    assert r.viewer_status(session.session_id).local_port == local_port
    assert connection.connection_id in {c.connection_id for c in r.list_sessions()}
    status = r.get_remote_status()
    assert status.viewer_session_count == 1
    assert status.viewer_sessions[0].session_id == session.session_id

    assert r.stop_viewer(session.session_id)["ok"] is True
    closed = r.disconnect(connection.connection_id)
    assert closed["ok"] is True
    # 0.7.x drops the connection with its last session; 0.5.x waits for the disconnect.
    assert closed["already_closed"] is (remote.generation == "0.7")
    assert r.list_viewer_sessions() == []
    assert _wait(lambda: not _answers(local_port)), "the tunnel still answers"
    assert _wait(lambda: not _alive(session.remote_pid or 0)), "the remote viewer still runs"
    assert PASSWORD not in caplog.text
    assert PASSWORD not in repr(r._logins)
    assert PASSWORD not in str(connection.to_dict())


def test_open_is_a_client_for_the_remote(remote: Remote) -> None:
    r = remote.client.remote
    connection = remote.connect()
    port = free_port()
    with r.open(connection.connection_id, remote.root, local_port=port) as far:
        session = far.remote_session
        assert session is not None
        assert session.local_port == port
        remote.sessions.append(session)
        assert far.direct_reads == "never"  # the remote's paths are not this machine's
        assert {e.id for e in far.list_experiments()} == {
            run.run_id for run in remote.manifest.runs
        }
        run = remote.manifest.runs[0]
        metrics = far.get_metrics(run.run_id)
        assert metrics.source == "viewer"
        assert metrics["loss"].steps == [int(row["global_step"]) for row in expected_rows(run)]  # type: ignore[arg-type]
        # A second open of the same storage reuses the running viewer, and leaves it be.
        with r.open(connection.connection_id, remote.root) as again:
            assert again.remote_session is not None
            assert again.remote_session.session_id == session.session_id
        assert _answers(port)
    assert r.list_viewer_sessions() == []
    assert _wait(lambda: not _answers(port))
    assert _wait(lambda: not _alive(session.remote_pid or 0))
    if remote.generation == "0.5":
        r.disconnect(connection.connection_id)


def test_browsing_the_remote_host(remote: Remote) -> None:
    r = remote.client.remote
    connection = remote.connect()
    cid = connection.connection_id
    envs = r.conda_envs(cid)
    assert envs
    assert all(isinstance(e, api.models.CondaEnv) for e in envs)
    config = r.config(cid)
    assert config["ok"] is True
    if remote.generation == "0.5":
        listing = r.list_dir(cid, remote.root)
        on_disk = sorted(p.name for p in Path(remote.root).iterdir())
        assert sorted(item["name"] for item in listing.items) == on_disk
        assert r.path_exists(cid, remote.root)["is_dir"] is True
        assert r.path_exists(cid, remote.root + "/nope")["exists"] is False
        with pytest.raises(api.UnsupportedFeatureError):
            r.storage_candidates(cid)
    else:
        found = r.storage_candidates(cid, scan_root=str(Path(remote.root).parent), max_depth=2)
        assert remote.root in {c.get("path") for c in found["candidates"]}
        assert r.env_configs(cid)["ok"] is True
        with pytest.raises(api.UnsupportedFeatureError):
            r.list_dir(cid, remote.root)
    assert isinstance(r.saved_connections(), list)
    r.disconnect(cid)


def test_the_07_client_forms(remote: Remote) -> None:
    """runicorn 0.7's client names a connection by host, port and username."""
    r = remote.client.remote
    remote.connect()
    port = remote.server.port
    session = r.start_viewer(host="127.0.0.1", port=port, username=USER,
                             remote_root=remote.root)  # fmt: skip
    remote.sessions.append(session)
    assert session.connection_id == f"{USER}@127.0.0.1:{port}"
    with api.connect(f"http://localhost:{session.local_port}") as far:
        assert {e.id for e in far.list_runs()} == {run.run_id for run in remote.manifest.runs}
    assert r.stop_viewer(session.session_id)["ok"] is True
    if remote.generation == "0.7":  # the viewer closed the connection with its session
        found = r.list_remote_storage_candidates(
            remote.connect().connection_id, scan_root=str(Path(remote.root).parent), max_depth=2
        )
        assert remote.root in {c["path"] for c in found}
    closed = r.disconnect("127.0.0.1", port=port, username=USER)
    assert closed["ok"] is True
    with counting(remote.client) as sent:
        with pytest.raises(api.InvalidArgumentError, match="username"):
            r.disconnect(host="127.0.0.1", port=port)
        with pytest.raises(api.InvalidArgumentError, match="not both"):
            r.disconnect(f"{USER}@127.0.0.1:{port}", host="127.0.0.1")
    assert sent == []


def test_the_07_host_key_question(remote: Remote) -> None:
    if remote.generation != "0.7":
        pytest.skip("0.7.x asks to confirm host keys")
    r = remote.client.remote
    for known in r.known_hosts():
        if known.port == remote.server.port:
            r.remove_host_key(known.host, known.port, known.key_type)
    with pytest.raises(api.HostKeyConfirmationRequiredError) as asked:
        r.connect(**remote.login())
    key = asked.value.host_key
    assert asked.value.detail["code"] == "HOST_KEY_CONFIRMATION_REQUIRED"
    assert key["fingerprint_sha256"] == remote.server.host_key_fingerprint
    accepted = r.confirm_host_key(key.host, key.port, key.key_type, key.public_key,
                                  key.fingerprint_sha256)  # fmt: skip
    assert accepted["ok"] is True
    connection = r.connect(**remote.login())
    assert connection.connected
    r.disconnect(connection.connection_id)


def test_the_07_client_documents_remote_example(remote: Remote) -> None:
    """The "Remote API" section of runicorn 0.7's client document, its import changed
    and the author's host, port, key path, remote folder and conda environment replaced
    by the test server's."""
    from tests.support.client07_doc import find_doc, sections

    doc = find_doc()
    if doc is None:
        pytest.skip("runicorn 0.7's client document is not beside this repository")
    (code,) = next(s for s in sections(doc) if s.title == "Remote API").blocks
    for old, new in (
        ('"gpu-server"', '"127.0.0.1"'),
        ("port=22", f"port={remote.server.port}"),
        ('"C:/Users/alice/.ssh/id_ed25519"', repr(str(remote.server.client_key_path))),
        ('"/data/runicorn"', repr(remote.root)),
        ('"runicorn_dev"', '"system"'),
    ):
        assert old in code, old
        code = code.replace(old, new)
    if remote.generation == "0.7":
        remote.client.remote.disconnect(remote.connect().connection_id)  # the host key
    namespace: dict[str, Any] = {}
    output = run_example(remote.client.base_url, code, namespace)
    session = namespace["session"]
    remote.sessions.append(session)
    assert output.startswith("RemoteSession(")
    assert session.remote_root == remote.root
    with api.connect(f"http://localhost:{session.local_port}") as far:
        assert {e.id for e in far.list_runs()} == {run.run_id for run in remote.manifest.runs}
    r = remote.client.remote
    assert r.stop_viewer(session.session_id)["ok"] is True
    # the example's client kept the login; this one names the connection by its address
    assert r.disconnect("127.0.0.1", port=remote.server.port, username=USER)["ok"] is True
