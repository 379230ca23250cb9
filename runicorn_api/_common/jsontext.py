"""JSON from a viewer or a storage folder, parsed without Python's stack.

``json.loads`` recurses on the interpreter's stack: a body nested 100,000 deep raises
``RecursionError`` only after the stack is nearly exhausted, and any finalizer the
garbage collector runs at that depth fails too. pydantic-core's parser (already a
dependency, and 2-3x faster on a 200,000-step metrics body) stops at a fixed nesting
depth with a ``ValueError``.
"""

from __future__ import annotations

from typing import Any

import pydantic_core


def parse_json(data: bytes | bytearray | str) -> Any:
    """The value of the JSON text ``data``; ``NaN`` and ``Infinity`` are accepted, as
    ``json.loads`` accepts them.

    Raises:
        ValueError: ``data`` is not JSON, or is nested deeper than pydantic-core's limit.
    """
    return pydantic_core.from_json(data, allow_inf_nan=True)
