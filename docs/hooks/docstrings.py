"""griffe extension: the SDK's docstrings as the reference pages show them.

The docstrings name other objects the Sphinx way (``:class:`Experiment```,
``:meth:`~Collection.filter```) and the HTTP call of a method as a ``:calls:`` field.
Markdown knows neither, so the pages showed them as typed. This extension rewrites
each role into the object's name as code, linked where the name is one the reference
renders (an optional autorefs link: a name the pages do not show stays plain code), and
a ``:calls:`` field, on a line of its own or after a summary, into a bold "Calls:".
The source docstrings stay as they are. A model's bases leave out its generated
``<Model>Keys`` class, which only types its dict-style access.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(class|attr|meth|func|data|mod|exc|obj):`(~?)([^`]+)`")
CALLS = re.compile(r":calls:\s*")


class SphinxRoles(griffe.Extension):
    """Rewrites every docstring of the package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = rewrite(obj, obj.docstring.value)
            if isinstance(obj, griffe.Class):  # a model's generated keys class types only
                obj.bases = [b for b in obj.bases if KEYS not in _path(b)]


KEYS = "runicorn_api.models._keys."


def _path(base: str | griffe.Expr) -> str:
    return str(getattr(base, "canonical_path", base))


def _objects(obj: griffe.Object) -> list[griffe.Object]:
    found = [obj]
    for member in obj.members.values():
        if not member.is_alias and isinstance(member, griffe.Object):
            found += _objects(member)
    return found


def rewrite(obj: griffe.Object, text: str) -> str:
    def role(match: re.Match[str]) -> str:
        kind, short, target = match.groups()
        target = target.strip()
        shown = target.rsplit(".", 1)[-1] if short else target.lstrip(".")
        if kind in ("meth", "func") and not shown.endswith(")"):
            shown += "()"
        identifier = _resolve(obj, target.removesuffix("()"))
        if identifier is None:
            return f"`{shown}`"
        code = f"<code>{escape(shown)}</code>"
        return f'<autoref identifier="{escape(identifier)}" optional>{code}</autoref>'

    return CALLS.sub("**Calls:** ", ROLE.sub(role, text))


def _resolve(obj: griffe.Object, target: str) -> str | None:
    """The full path of ``target`` as seen from ``obj``'s scope, or None."""
    if target.startswith("runicorn_api"):
        return target
    if target.startswith("."):  # relative to the docstring's module, as Sphinx reads it
        return f"{obj.module.path}{target}"
    head, _, rest = target.partition(".")
    try:
        found = obj.resolve(head)  # griffe looks in the enclosing scopes too
    except griffe.NameResolutionError:
        return None
    return f"{found}.{rest}" if rest else found
