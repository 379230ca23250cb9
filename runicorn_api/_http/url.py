"""What a URL says and what answers at it: credentials in it, a TLS endpoint behind an
``http://`` URL, or something that is not a viewer at all."""

from __future__ import annotations

import re
import socket
import ssl
from urllib.parse import unquote, urlsplit

import requests

__all__ = ["not_a_viewer", "speaks_tls", "split_credentials"]


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``http://user:pass@host:port/x`` → (``http://host:port/x``, (user, pass))."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    clean = parts._replace(netloc=netloc).geturl()
    return clean, (unquote(parts.username or ""), unquote(parts.password or ""))


def speaks_tls(base_url: str, timeout: float = 3.0) -> bool:
    """Whether the host and port of ``base_url`` complete a TLS handshake: what a
    connection that an ``http://`` request saw aborted is most often talking to."""
    parts = urlsplit(base_url)
    if parts.hostname is None:
        return False
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((parts.hostname, parts.port or 80), timeout) as raw,
            context.wrap_socket(raw, server_hostname=parts.hostname),
        ):
            return True
    except (OSError, ssl.SSLError):
        return False


def not_a_viewer(base_url: str, response: requests.Response | None) -> str | None:
    """What answered ``GET /api/health`` where a viewer would have sent its JSON; ``None``
    for a JSON answer (a viewer whose body does not validate is not "not a viewer")."""
    if response is None:
        return None
    ctype = response.headers.get("Content-Type", "")
    if "json" in ctype and response.status_code < 400:
        return None
    what = f"{response.status_code} {response.reason or ''}".strip()
    if ctype:
        what += f" ({ctype.split(';')[0]})"
    server = response.headers.get("Server")
    text = response.text[:2000] if response.content else ""
    title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    snippet = (title.group(1) if title else text).strip().replace("\n", " ")[:100]
    return (
        f"{base_url} does not look like a Runicorn viewer: GET /api/health answered {what}"
        + (f" from {server!r}" if server else "")
        + (f": {snippet!r}" if snippet else "")
        + '. A viewer answers 200 with JSON such as {"status": "ok", "version": "0.7.2"}; '
        "check the URL and the port (runicorn viewer listens on 23300 by default)."
    )
