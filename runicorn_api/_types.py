"""Small shared types: the "not given" sentinel, timeouts, the storage read policy."""

from __future__ import annotations

from typing import Any, Final, Literal, Protocol, TypeAlias


class NotGiven:
    """The "not given" state of an argument, distinct from ``None``.

    ``timeout=None`` means "wait forever"; leaving ``timeout`` out means "use the
    client's default". A sentinel keeps the two apart.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Timeout: TypeAlias = "float | NotGiven | None"
"""Seconds to wait for the viewer; ``None`` waits forever; ``NOT_GIVEN`` uses the default."""

JSON: TypeAlias = Any
"""A value of arbitrary JSON from the viewer (a run's summary or config, an artifact's
metadata): the one place the SDK's public types say ``Any``, and say why."""

DirectReads: TypeAlias = Literal["auto", "always", "never"]
"""How a client reads run data: from the storage folder where it is proven to be the
viewer's (``"auto"``), only from it (``"always"``), or only over HTTP (``"never"``)."""
DIRECT_READS: Final[tuple[DirectReads, ...]] = ("auto", "always", "never")


class ViewerProcess(Protocol):
    """A viewer process a client owns (:class:`~runicorn_api.LocalViewer`)."""

    @property
    def base_url(self) -> str: ...
    @property
    def pid(self) -> int | None: ...
    def stop(self, *, remove: bool = True) -> None: ...
