"""Server text made safe to show: control characters as visible escapes
(:func:`clean`), and values as plain JSON data (:func:`plain`).

Every value a server or a storage folder sent is text, never terminal control:
:func:`clean` shows control characters (C0, DEL, C1, and the bidirectional overrides
that reorder what a reader sees) as visible escapes such as ``\\x1b``.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

__all__ = ["clean", "plain"]

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as a visible escape (``\\x1b``),
    so no server value can move the cursor, retitle the terminal or hide a link."""
    if keep_newlines:
        return "\n".join(_CONTROL.sub(_escape, line) for line in text.split("\n"))
    return _CONTROL.sub(_escape, text)


def plain(value: Any) -> Any:
    """A JSON-ready value: datetimes as ISO text, sets and tuples as lists, non-finite
    floats as ``None`` (JSON has no NaN or Infinity), anything else as its text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
