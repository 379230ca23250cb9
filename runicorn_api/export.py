"""Deprecated name of :mod:`runicorn_api.formats` (it collided with ``client.exports``);
its names still answer here, with a ``DeprecationWarning``, until 1.0."""

from ._common.moved import moved

__getattr__ = moved(__name__, "runicorn_api.formats")
