"""The last value of some metrics, read from the end of ``events.jsonl`` backwards.

The viewer's table of a run (see :mod:`.reference`) gives each metric, at each step, the
last value written there; a metric's *last* value is its value at the highest step that
has one. When the steps of the file never go back (a run that logs step after step),
that is the first line from the end that writes the metric a value, unless a later
line wrote a null at the same step. So the file is read backwards a block at a time,
and a line is parsed only if its bytes name a wanted metric, until every wanted metric
is found; on a run of thousands of steps that is a few kilobytes.

A line whose step is higher than that of a line after it shows the steps go back (a run
resumed from an earlier step, say); the read then gives up (``None``) and the caller
reads the whole file. Steps that go back only in the part not read cannot be seen from
the end: that is the one assumption of this reader, and it is documented where the
reductions are.
"""

from __future__ import annotations

import functools
import json
import os
from typing import BinaryIO

from ..._common.contain import read_at
from .reference import metrics_event

__all__ = ["last_values"]

_FIRST_BLOCK = 4 << 10
_MAX_BLOCK = 1 << 20
_MAX_LINE = 64 << 20  # a longer line is left to the whole-file reader and its bounds


def last_values(
    file: BinaryIO, names: list[str], *, size: int | None = None
) -> dict[str, tuple[int, float]] | None:
    """Per wanted metric that has a value, its last ``(step, value)``, from ``file``
    (``events.jsonl``, opened by the caller as a regular file inside its run folder;
    ``size``, its size where the caller has just taken its ``stat``).

    ``None`` when this read cannot be sure: the steps go back, a wanted metric holds
    text, or a line is too long; read the whole file then.

    Raises:
        OSError: The file cannot be read.
    """
    wanted = set(names)
    found: dict[str, tuple[int, float]] = {}
    decided: dict[str, set[int]] = {name: set() for name in names}  # steps a later line set
    needles = _needles(tuple(names))
    later: int | None = None  # the lowest step of the lines parsed so far (later in the file)
    position = os.fstat(file.fileno()).st_size if size is None else size
    block = _FIRST_BLOCK
    rest = b""
    while wanted and position > 0:
        take = min(block, position)
        position -= take
        lines = (read_at(file, take, position) + rest).split(b"\n")
        rest = lines.pop(0) if position > 0 else b""  # a line cut by the block's start
        if len(rest) > _MAX_LINE:
            return None
        block = min(block * 2, _MAX_BLOCK)
        for raw in reversed(lines):
            if needles is not None and b"\\" not in raw and not any(n in raw for n in needles):
                continue
            event = metrics_event(raw.decode("utf-8", errors="ignore").strip())
            if event is None:
                continue
            step, data = event
            if later is not None and step > later:
                return None  # the steps go back: the end alone cannot tell
            later = step
            for name in [n for n in wanted if n in data]:
                value = data[name]
                if isinstance(value, str):
                    return None
                if step in decided[name]:
                    continue  # a later line wrote this step
                decided[name].add(step)
                if value is not None:
                    found[name] = (step, float(value))
                    wanted.discard(name)
            if not wanted:
                break
    return found


@functools.lru_cache(maxsize=64)
def _needles(names: tuple[str, ...]) -> tuple[bytes, ...] | None:
    """The bytes a line naming a metric must hold (``"loss"``, quoted as JSON writes
    it), or ``None`` when a name could be written in more than one way (every line is
    then parsed; a line with an escape is always parsed)."""
    needles = []
    for name in names:
        quoted = json.dumps(name)
        if quoted != json.dumps(name, ensure_ascii=False) or "\\" in quoted:
            return None
        needles.append(quoted.encode())
    return tuple(needles)
