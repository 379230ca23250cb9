"""Runs moved from one viewer to another: the archive (:mod:`.archive`), the proof that
the target holds what the source held (:mod:`.snapshot`), and the copy (:mod:`.copy`)."""

from .copy import copy_runs

__all__ = ["copy_runs"]
