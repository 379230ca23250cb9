"""A real SSH server on 127.0.0.1 for the remote-viewer tests (asyncssh).

Exec requests run as local shell commands with the given environment (a temp HOME
and a PATH that leads to the viewer venv of the version under test), so a viewer's
"remote" host is this machine. Port forwarding is allowed to loopback only. Users
log in with a password or with a key from ``authorized_keys``.

Two quirks of paramiko clients (the 0.5.x viewer's, and 0.7.x's fallback) are
tolerated: an ``SSH_MSG_IGNORE`` sent without its string field as a keep-alive
probe, and a second ``SSH_MSG_SERVICE_REQUEST`` when it falls back between
authentication methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import asyncssh
from asyncssh.connection import SSHConnection
from asyncssh.constants import MSG_IGNORE, MSG_SERVICE_ACCEPT, MSG_SERVICE_REQUEST
from asyncssh.packet import SSHPacket, String

logging.getLogger("asyncssh").setLevel(logging.WARNING)  # the server is not under test

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _tolerant_ignore(self: Any, pkttype: int, pktid: int, packet: SSHPacket) -> None:
    """Accept an IGNORE packet whatever its payload (paramiko sends none)."""


def _tolerant_service_request(self: Any, pkttype: int, pktid: int, packet: SSHPacket) -> None:
    if self.is_server() and getattr(self, "_auth_in_progress", False):
        # A repeated request for the authentication service already granted.
        service = packet.get_string()
        packet.check_end()
        if service != b"ssh-userauth":
            raise asyncssh.ServiceNotAvailable("Unexpected service in service request")
        self.send_packet(MSG_SERVICE_ACCEPT, String(service))
        return
    _original_service_request(self, pkttype, pktid, packet)


_original_service_request = SSHConnection._process_service_request
SSHConnection._packet_handlers[MSG_IGNORE] = _tolerant_ignore
SSHConnection._packet_handlers[MSG_SERVICE_REQUEST] = _tolerant_service_request


class _Server(asyncssh.SSHServer):
    def __init__(self, owner: SSHTestServer) -> None:
        self._owner = owner

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._owner.connections += 1

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self._owner.passwords.get(username) == password

    def kbdint_auth_supported(self) -> bool:
        return False

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        return dest_host in _LOOPBACK

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        return False


class SSHTestServer:
    """Start with :meth:`start`, stop with :meth:`stop`; ``port`` is the listening port."""

    def __init__(
        self,
        folder: Path,
        env: Mapping[str, str],
        passwords: Mapping[str, str],
    ) -> None:
        self.folder = folder
        self.env = dict(env)
        self.passwords = dict(passwords)
        self.connections = 0
        self.commands: list[str] = []
        self.port = 0
        self.client_key_path = folder / "id_ed25519"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._children: set[asyncio.subprocess.Process] = set()

    def start(self) -> SSHTestServer:
        host_key = asyncssh.generate_private_key("ssh-ed25519")
        client_key = asyncssh.generate_private_key("ssh-ed25519")
        client_key.write_private_key(str(self.client_key_path))
        os.chmod(self.client_key_path, 0o600)
        self.host_key = host_key
        self._thread.start()

        async def listen() -> asyncssh.SSHAcceptor:
            return await asyncssh.create_server(
                lambda: _Server(self),
                "127.0.0.1",
                0,
                server_host_keys=[host_key],
                authorized_client_keys=asyncssh.import_authorized_keys(
                    client_key.export_public_key().decode()
                ),
                process_factory=self._run,
                sftp_factory=True,
                encoding=None,
                allow_scp=False,
                agent_forwarding=False,
                x11_forwarding=False,
                keepalive_interval=0,
            )

        future = asyncio.run_coroutine_threadsafe(listen(), self._loop)
        self._acceptor = future.result(timeout=30)
        self.port = self._acceptor.sockets[0].getsockname()[1]
        return self

    @property
    def host_key_fingerprint(self) -> str:
        """``SHA256:...``, as ``ssh-keygen -l`` and the viewer print it."""
        return str(self.host_key.get_fingerprint("sha256"))

    async def _run(self, process: asyncssh.SSHServerProcess[bytes]) -> None:
        command = process.command or "true"
        self.commands.append(command)
        child = await asyncio.create_subprocess_shell(
            command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env,
            cwd=self.env.get("HOME"),
        )
        self._children.add(child)
        assert child.stdin is not None
        assert child.stdout is not None
        assert child.stderr is not None

        async def pump(source: asyncio.StreamReader, sink: Any) -> None:
            while chunk := await source.read(65536):
                sink.write(chunk)

        async def feed() -> None:
            assert child.stdin is not None
            with contextlib.suppress(ConnectionError, asyncssh.Error):
                while chunk := await process.stdin.read(65536):
                    child.stdin.write(chunk)
                    await child.stdin.drain()
            child.stdin.close()

        feeder = asyncio.ensure_future(feed())
        try:
            # All output is sent before the exit status (a redirect could lose the tail).
            await asyncio.gather(pump(child.stdout, process.stdout),
                                 pump(child.stderr, process.stderr))  # fmt: skip
            process.exit(await child.wait())
        finally:
            feeder.cancel()
            self._children.discard(child)

    def stop(self) -> None:
        async def shutdown() -> None:
            for child in list(self._children):
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                await child.wait()
            if self._acceptor is not None:
                self._acceptor.close()
                await self._acceptor.wait_closed()

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=30)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
        self._loop.close()
