"""A run's ``events.jsonl`` → its metrics, by the viewer's own rules, read incrementally.

Both viewer generations build ``/api/runs/{id}/metrics`` from this file, and so does this
module, giving the same answer:

* only ``{"type": "metrics", "data": {...}}`` lines count; a line that is not JSON is
  skipped;
* the step is ``data.global_step``, else ``data.step`` (a line with neither is skipped);
  the keys ``global_step``, ``step`` and ``epoch`` are not metrics;
* rows are merged per step by dict update: a later value for the same key overwrites;
* numbers are kept (NaN and ±Inf become null), strings and nulls are kept, anything else
  (lists, objects) is ignored;
* columns are ``global_step`` then the keys sorted; rows are sorted by step.

Two implementations of those rules: :mod:`.fast` hands the bytes to polars a few
megabytes at a time, and is used only when the chunk proves it cannot differ from the
rules (every key captured, numbers only, no overwrite that a null could hide); otherwise
the file is read by :mod:`.reference`, a line-by-line port of the viewer's parser.

Reading (:mod:`.reader`) is incremental, as the viewer's own cache is: the byte offset
and the merged rows are kept per file, so reading a growing run again parses only the
new bytes. Only whole lines are consumed; a last line without its newline is taken only
if it is complete JSON, so a row being written is never read torn.
"""

from __future__ import annotations

from .reader import EventsFile, EventsFiles

__all__ = ["EventsFile", "EventsFiles"]
