"""Deprecated name of :mod:`runicorn_api.testing.copies` (it collided with
:mod:`runicorn_api.dataset`); its names still answer here, with a
``DeprecationWarning``, until 1.0."""

from .._common.moved import moved

__getattr__ = moved(__name__, "runicorn_api.testing.copies")
