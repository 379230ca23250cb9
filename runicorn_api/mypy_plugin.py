"""A mypy plugin that reports misspelled literal keys of the models' dict-style access.

Each model types ``model["key"]`` and ``model.get("key")`` with one overload per known
key, and a last overload for a key held in a plain ``str``. mypy cannot tell the literal
``"idd"`` from a plain ``str`` there (it reads ``LiteralString`` as ``str``), so it would
take a misspelled literal for a ``str`` key. This plugin reports such a key instead::

    [mypy]
    plugins = runicorn_api.mypy_plugin

pyright needs no plugin: it types a misspelled literal key as ``NotAKey``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from mypy.nodes import Decorator, FuncDef, OverloadedFuncDef
from mypy.plugin import MethodContext, Plugin
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    LiteralType,
    Type,
    UnionType,
    get_proper_type,
)

__all__ = ["plugin"]

_PACKAGE = "runicorn_api.models."


def _literal(value: Type) -> str | None:
    proper = get_proper_type(value)
    if isinstance(proper, LiteralType) and isinstance(proper.value, str):
        return proper.value
    if isinstance(proper, Instance) and proper.last_known_value is not None:
        known = proper.last_known_value.value
        return known if isinstance(known, str) else None
    return None


def _known_keys(owner: Instance, method: str) -> set[str] | None:
    """The literal keys the overloads of ``method`` name; ``None`` when the last overload
    gives a meaning to every other key (a run's metrics by name)."""
    found = owner.type.get(method)
    node = found.node if found is not None else None
    if not isinstance(node, OverloadedFuncDef):
        return None
    keys: set[str] = set()
    last: Type | None = None
    for item in node.items:
        func = item.func if isinstance(item, Decorator) else item
        signature = func.type if isinstance(func, FuncDef) else None
        if not isinstance(signature, CallableType) or len(signature.arg_types) < 2:
            continue
        key_type = get_proper_type(signature.arg_types[1])
        options = key_type.items if isinstance(key_type, UnionType) else [key_type]
        for option in options:
            literal = _literal(option)
            if literal is not None:
                keys.add(literal)
        last = signature.ret_type
    if last is None or not isinstance(get_proper_type(last), AnyType):
        return None  # the str overload means something (a metric's name): no misspelling
    return keys or None


def _check(method: str) -> Callable[[MethodContext], Type]:
    def hook(ctx: MethodContext) -> Type:
        owner = get_proper_type(ctx.type)
        if not isinstance(owner, Instance) or not ctx.arg_types or not ctx.arg_types[0]:
            return ctx.default_return_type
        key = _literal(ctx.arg_types[0][0])
        keys = _known_keys(owner, method)
        if key is not None and keys is not None and key not in keys:
            close = difflib.get_close_matches(key, sorted(keys), n=3)
            hint = f"; did you mean {' or '.join(repr(k) for k in close)}?" if close else ""
            ctx.api.fail(f'"{owner.type.name}" has no key "{key}"{hint}', ctx.context)
        return ctx.default_return_type

    return hook


class _RunicornPlugin(Plugin):
    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        if fullname.startswith(_PACKAGE):
            method = fullname.rsplit(".", 1)[-1]
            if method in ("__getitem__", "get"):
                return _check(method)
        return None


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return _RunicornPlugin
