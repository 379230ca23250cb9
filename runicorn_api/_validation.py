"""Every refusal made before a request is sent: arguments that cannot be right.

Each check raises :class:`InvalidArgumentTypeError` (a ``TypeError``) for a value of the
wrong type and :class:`InvalidArgumentError` (a ``ValueError``) for a value out of range,
with a message that names the argument. Nothing here does I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from ._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ._types import NotGiven, Timeout

__all__ = [
    "MAX_TIMEOUT",
    "check_bool",
    "check_host_port",
    "check_int",
    "check_page",
    "check_port",
    "check_run_id",
    "check_seconds",
    "check_timeout",
    "id_list",
    "strings",
]

MAX_TIMEOUT = 7 * 24 * 3600.0
"""The longest ``timeout=`` accepted: a week (pass ``None`` to wait forever)."""

RUN_ID = re.compile(r"^\d{8}_\d{6}_[a-f0-9]{6}$")
"""The shape of the ids runicorn's SDK gives runs (``YYYYMMDD_HHMMSS_xxxxxx``)."""


def is_int(value: object) -> bool:
    """An ``int`` that is not a ``bool`` (``True`` is an int to Python, not to us)."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_int(
    name: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Refuse a value that is not an int within ``[minimum, maximum]``; return it."""
    if not is_int(value):
        raise InvalidArgumentTypeError(f"{name} must be an int, got {value!r}")
    assert isinstance(value, int)
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        raise InvalidArgumentError(f"{name} must be within {minimum}-{maximum}, got {value}")
    if minimum is not None and value < minimum:
        raise InvalidArgumentError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise InvalidArgumentError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_bool(name: str, value: object) -> bool:
    """Refuse anything but ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise InvalidArgumentTypeError(f"{name} must be a bool, got {value!r}")
    return value


def check_seconds(name: str, value: object, maximum: float, *, extra: str = "") -> None:
    """Refuse a duration that is not seconds in ``(0, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentTypeError(f"{name} must be seconds (a number){extra}, got {value!r}")
    if not math.isfinite(value) or not 0 < value <= maximum:
        raise InvalidArgumentError(
            f"{name} must be within (0, {maximum:g}] seconds{extra}; got {value!r}"
        )


def check_timeout(timeout: Timeout) -> None:
    """Refuse a ``timeout=`` the socket layer cannot take."""
    if isinstance(timeout, NotGiven) or timeout is None:
        return
    check_seconds("timeout", timeout, MAX_TIMEOUT, extra=", or None to wait forever")


def check_run_id(run_id: object) -> str:
    """Refuse a run id that cannot name a run; return it."""
    if not isinstance(run_id, str) or not run_id.strip():
        raise InvalidArgumentError(f"run_id must be a non-empty string, got {run_id!r}")
    if "/" in run_id or "\\" in run_id:
        raise InvalidArgumentError(f"run_id must not contain a path separator, got {run_id!r}")
    return run_id


def id_list(run_ids: str | Iterable[str]) -> list[str]:
    """One run id or several, as a non-empty list of checked ids."""
    ids = [run_ids] if isinstance(run_ids, str) else list(run_ids)
    if not ids:
        raise InvalidArgumentError("run_ids is empty")
    return [check_run_id(i) for i in ids]


def check_page(limit: int | None, offset: int | None) -> None:
    """Refuse a ``limit``/``offset`` that is not ``None`` or an int >= 0."""
    for label, value in (("limit", limit), ("offset", offset)):
        if value is not None and not is_int(value):
            raise InvalidArgumentTypeError(f"{label} must be an int or None, got {value!r}")
        if value is not None and value < 0:
            raise InvalidArgumentError(f"{label} must be >= 0, got {value}")


def strings(value: str | Iterable[str], label: str) -> list[str]:
    """One non-empty string or several, as a non-empty list."""
    items = [value] if isinstance(value, str) else list(value)
    if not items or not all(isinstance(v, str) and v for v in items):
        raise InvalidArgumentError(
            f"{label} must be a non-empty string or list of strings, got {value!r}"
        )
    return items


def check_port(name: str, port: object) -> int:
    """Refuse a TCP port outside 1-65535."""
    return check_int(name, port, minimum=1, maximum=65535)


def check_host_port(host: object, port: object) -> None:
    """Refuse an empty host or a bad port."""
    if not isinstance(host, str) or not host.strip():
        raise InvalidArgumentError(f"host must be a non-empty string, got {host!r}")
    check_port("port", port)


_SAFE_PATH = re.compile(r"^[A-Za-z0-9_/\-. ]+$")


def check_path(name: str, value: object, *, creating: bool = False) -> str:
    """A run path (``"vision/resnet"``) without its outer slashes; refuse an empty one,
    and, for a path to create, ``..`` and characters the viewer refuses."""
    if not isinstance(value, str):
        raise InvalidArgumentTypeError(f"{name} must be a string, got {value!r}")
    path = value.strip().strip("/")
    if not path:
        raise InvalidArgumentError(f"{name} must be a non-empty path such as 'vision/resnet'")
    if creating and (".." in path or "//" in path or not _SAFE_PATH.match(path)):
        raise InvalidArgumentError(
            f"{name} {value!r} is not a path the viewer creates: use letters, digits, "
            "'_', '-', '.', spaces and single '/', and no '..'"
        )
    return path
