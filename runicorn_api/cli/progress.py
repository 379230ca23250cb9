"""A rich progress bar on stderr, as the SDK's ``progress=`` factory."""

from __future__ import annotations

from typing import Any

from .output import clean

__all__ = ["rich_bar"]


class _RichBar:
    def __init__(self, total: int | None, unit: str, desc: str) -> None:
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        count = DownloadColumn() if unit == "B" else MofNCompleteColumn()
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            count,
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        # A description may be a server's name for a run or an artifact: text, not markup.
        self._task = self._progress.add_task(escape(clean(desc)), total=total)
        self._progress.start()

    def update(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def close(self) -> None:
        self._progress.stop()


def rich_bar(total: int | None, unit: str, desc: str) -> Any:
    """A bar drawn by rich on stderr, removed when closed."""
    return _RichBar(total, unit, desc)
