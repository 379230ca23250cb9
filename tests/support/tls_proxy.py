"""A real nginx with TLS and basic auth in front of a real viewer, as teams deploy one.

The CA, the server certificate (for ``127.0.0.1``) and the password file are made by
``openssl`` at test time in a temporary folder; nginx (Debian's ``nginx-light``) runs in
the foreground as a child of the test, with every file it writes in that folder, and is
stopped by its PID. The CA of a second, unrelated authority is made too: a client that
trusts only it must refuse the proxy.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TLSProxy", "nginx_binary", "start_tls_proxy"]

_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
USER = "team"
PASSWORD = "s3cret-Pa55word"


def nginx_binary() -> str | None:
    """Where nginx is (``/usr/sbin`` is not on every PATH), or ``None``."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


@dataclass
class TLSProxy:
    url: str
    """``https://127.0.0.1:<port>``."""
    ca: Path
    """The CA bundle that signed the proxy's certificate."""
    other_ca: Path
    """A CA that did not."""
    user: str
    password: str
    process: subprocess.Popen[bytes]
    root: Path

    def access_log(self) -> str:
        path = self.root / "access.log"
        return path.read_text() if path.exists() else ""

    def logged(self, text: str, timeout: float = 10.0) -> bool:
        """Whether ``text`` shows in the access log within ``timeout`` seconds: nginx
        writes a request's line when it ends, a WebSocket's once both sides closed."""
        deadline = time.monotonic() + timeout
        while text not in self.access_log():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # our own child, by its PID
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.process.stderr is not None:
            self.process.stderr.close()


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _make_ca(root: Path, name: str) -> None:
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", f"{name}.key", "-out", f"{name}.pem", "-subj", f"/CN=runicorn-api {name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=root,
    )  # fmt: skip


def _make_server_cert(root: Path) -> None:
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
        "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=root,
    )  # fmt: skip
    (root / "server.ext").write_text(
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        cwd=root,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _config(root: Path, port: int, upstream: str) -> str:
    temp = "\n".join(f"  {kind}_temp_path {root / kind};" for kind in _TEMP_DIRS)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read this folder
    return f"""{user}worker_processes 1;
pid {root / "nginx.pid"};
error_log {root / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
  log_format test '$request_method $uri $status user=$remote_user x_test="$http_x_runicorn_test"';
  access_log {root / "access.log"} test;
{temp}
  client_max_body_size 0;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {root / "server.pem"};
    ssl_certificate_key {root / "server.key"};
    auth_basic "runicorn team viewer";
    auth_basic_user_file {root / "htpasswd"};
    location / {{
      proxy_pass {upstream};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 600s;
    }}
  }}
}}
"""


def start_tls_proxy(upstream: str, root: Path) -> TLSProxy:
    """nginx on a free 127.0.0.1 port, TLS with a test CA and basic auth, proxying to
    ``upstream`` (a viewer's ``http://`` URL); the caller stops it."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    root.mkdir(parents=True, exist_ok=True)
    _make_ca(root, "ca")
    _make_ca(root, "other-ca")
    _make_server_cert(root)
    hashed = subprocess.run(
        ["openssl", "passwd", "-apr1", PASSWORD], check=True, capture_output=True, text=True
    ).stdout.strip()
    (root / "htpasswd").write_text(f"{USER}:{hashed}\n")
    for kind in _TEMP_DIRS:
        (root / kind).mkdir(exist_ok=True)
    port = _free_port()
    conf = root / "nginx.conf"
    conf.write_text(_config(root, port, upstream.rstrip("/")))
    process = subprocess.Popen(
        [binary, "-p", str(root), "-e", str(root / "error.log"), "-c", str(conf),
         "-g", "daemon off; master_process on;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    proxy = TLSProxy(
        f"https://127.0.0.1:{port}", root / "ca.pem", root / "other-ca.pem", USER, PASSWORD,
        process, root,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"nginx exited with {process.returncode}: {err}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return proxy
        except OSError:
            time.sleep(0.1)
    proxy.stop()
    raise RuntimeError("nginx did not listen within 15 s")
