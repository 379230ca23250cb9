"""Small shared types."""

from __future__ import annotations

from typing import Final, Literal, TypeAlias


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
