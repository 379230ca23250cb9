"""The base every model shares, and the one function that validates bodies into models."""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, ClassVar, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, PrivateAttr, ValidationError

from .._exceptions import ResponseValidationError, RunicornAPIError

__all__ = [
    "MYPY",
    "NotAKey",
    "ResponseValidationWarning",
    "RunicornModel",
    "epoch_to_datetime",
    "reading",
    "validate_model",
]

M = TypeVar("M", bound="RunicornModel")


MYPY = False
"""mypy takes a name ``MYPY`` as always true (its reachability rules); every other checker
reads this ``False``. The typed dict-style access uses it to give pyright an overload for
misspelled literal keys that mypy, which reads ``LiteralString`` as ``str``, must not see
(mypy reports those keys through ``runicorn_api.mypy_plugin``)."""


class NotAKey:
    """What a type checker says ``model["no_such_key"]`` is: a literal key the model does
    not have (at run time it raises ``KeyError``, naming the keys it has)."""

    __slots__ = ()


class ResponseValidationWarning(UserWarning):
    """A body did not validate; the model was built from it unvalidated (non-strict mode)."""


class RunicornModel(BaseModel):
    """Base of every response model.

    * ``extra="allow"``: fields a newer viewer adds are kept (``model.model_extra``) and
      never break a reader.
    * Read-only mapping access: ``model["name"]``, ``model.get("x", default)`` and ``"x" in
      model`` see fields, properties and extra keys, so code written against the original client's
      dict results keeps working.
    * :meth:`to_dict` / :meth:`to_json` give plain data back.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="allow",
        populate_by_name=True,
        frozen=False,
        # The viewer's own names (model_name, model_version) are fields; pydantic < 2.10
        # would warn about them on every import.
        protected_namespaces=(),
    )

    # Keys reachable through ``model[key]`` besides fields and extras: the computed
    # properties a subclass wants the original client's dict-style code to see.
    _mapping_properties: ClassVar[tuple[str, ...]] = ()
    _mapping_overrides: ClassVar[dict[str, str]] = {}
    """Keys that answer another attribute than their name (``key -> attribute``)."""

    def to_dict(self, *, exclude_none: bool = False) -> dict[str, Any]:
        """The model as plain Python data (fields and extra keys)."""
        return self.model_dump(mode="python", exclude_none=exclude_none)

    def to_json(self, *, indent: int | None = None) -> str:
        """The model as a JSON string."""
        return self.model_dump_json(indent=indent)

    def _mapping_keys(self) -> list[str]:
        keys = list(type(self).model_fields)
        keys.extend(self._mapping_properties)
        keys.extend(k for k in self._mapping_overrides if k not in keys)
        keys.extend(self.model_extra or {})
        return keys

    def __getitem__(self, key: str) -> Any:
        # Typed per model by its keys class (models/_keys.pyi); a model with other keys
        # (a series' indexes, a run's metric names) overrides _item.
        return self._item(key)

    def _item(self, key: Any) -> Any:
        if isinstance(key, str) and key in self._mapping_keys():
            return getattr(self, self._mapping_overrides.get(key, key))
        raise KeyError(
            f"{type(self).__name__} has no key {key!r}; available: "
            + ", ".join(sorted(self._mapping_keys()))
        )

    def get(self, key: str, default: Any = None) -> Any:
        """``model[key]`` if the key exists, else ``default`` (like ``dict.get``)."""
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._mapping_keys()

    def keys(self) -> list[str]:
        """The keys ``model[key]`` accepts."""
        return self._mapping_keys()

    def __str__(self) -> str:
        # pydantic's str() lists every field, which for a metrics payload is megabytes.
        return repr(self)

    def _repr_html_(self) -> str:
        """A two-column table of the fields, for notebooks."""
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(repr(v))}</td></tr>"
            for k, v in self.model_dump(mode="python").items()
        )
        return f"<b>{html.escape(type(self).__name__)}</b><table>{rows}</table>"


LINK = "runicorn_api.link"
"""The validation-context key under which :func:`validate_model` passes ``link``."""


class LinkedModel(RunicornModel):
    """A model whose methods act through the client that fetched it (``exp.metrics()``,
    ``image.open()``): the resource that validates it passes that client's interface as
    ``link``; a model built by hand has none, and its actions raise ``RuntimeError``."""

    _link: Any = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        if isinstance(context, dict):
            self._link = context.get(LINK)

    def _linked(self, what: str) -> Any:
        if self._link is None:
            raise RuntimeError(
                f"This {type(self).__name__} was not fetched through a client; use {what}"
            )
        return self._link


def validate_model(
    model: type[M], data: Any, *, strict: bool, context: str = "", link: object = None
) -> M:
    """Validate a parsed body into ``model``.

    With ``strict=True`` pydantic's strict mode applies (no type coercion) and a failure
    raises :class:`ResponseValidationError` naming each field path. Otherwise values are
    coerced where pydantic can; a field that still does not fit is left at its default,
    with a :class:`ResponseValidationWarning` naming it, so a reader keeps working against
    a viewer that changed shape. A required field that is missing or unreadable, or a
    body that is not an object, raises :class:`ResponseValidationError` in either mode:
    no model is ever built without its required fields.

    ``link`` is what a model's own methods call (see :class:`LinkedModel`).
    """
    given = None if link is None else {LINK: link}
    try:
        return model.model_validate(data, strict=strict or None, context=given)
    except ValidationError as err:
        message = _problems(model, err, context)
        if strict or not isinstance(data, Mapping):
            raise _invalid(message, err, data) from err
        repaired = dict(data)
        for error in err.errors():
            field = _field_of(model, error["loc"][0] if error["loc"] else None)
            if field is None or model.model_fields[field].is_required():
                raise _invalid(message, err, data) from err
            repaired.pop(error["loc"][0], None)
            repaired.pop(field, None)
        try:
            result = model.model_validate(repaired, context=given)
        except ValidationError as again:
            raise _invalid(_problems(model, again, context), again, data) from again
        warnings.warn(
            f"{message} (these fields are left at their defaults)",
            ResponseValidationWarning,
            stacklevel=3,
        )
        return result


def _field_of(model: type[RunicornModel], key: Any) -> str | None:
    """The field a body key (its name, alias or one of its validation aliases) fills."""
    for name, info in model.model_fields.items():
        names: list[Any] = [name, info.alias]
        choices = info.validation_alias
        if isinstance(choices, AliasChoices):
            names += choices.choices
        elif choices is not None:
            names.append(choices)
        if key in names:
            return name
    return None


def _problems(model: type[RunicornModel], err: ValidationError, context: str) -> str:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in err.errors()
    )
    where = f" in {context}" if context else ""
    return f"{model.__name__}{where} does not match the response: {problems}"


def _invalid(message: str, err: ValidationError, data: Any) -> ResponseValidationError:
    return ResponseValidationError(
        message, errors=[dict(e) for e in err.errors(include_url=False)], body=data
    )


@contextmanager
def reading(context: str, body: Any) -> Iterator[None]:
    """Turn a body that breaks the code reading it (a field of another type, a missing
    key, a number out of range) into :class:`ResponseValidationError`, in one place."""
    try:
        yield
    except RunicornAPIError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as err:
        raise ResponseValidationError(
            f"{context}: the viewer's answer could not be read ({type(err).__name__}: {err})",
            body=body,
        ) from err


def epoch_to_datetime(value: Any) -> datetime | None:
    """Unix seconds → an aware UTC datetime; ``None`` stays ``None``."""
    if value is None:
        return None
    return datetime.fromtimestamp(float(value), tz=timezone.utc)
