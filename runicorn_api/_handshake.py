"""The first call of every client: ``GET /api/health``, and what answered instead of a
viewer (a proxy's login, a TLS endpoint, another server) named in the error."""

from __future__ import annotations

from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ResponseValidationError,
    UnsupportedFeatureError,
)
from ._http.transport import Transport
from ._http.url import not_a_viewer, speaks_tls
from .models._base import validate_model
from .models.system import Health

__all__ = ["handshake"]


def handshake(transport: Transport, *, strict: bool) -> Health:
    """``GET /api/health``, with what answered instead of a viewer named in the error.

    :calls: ``GET /api/health``
    """
    try:
        data = transport.request("GET", "/api/health")
        health = validate_model(Health, data, strict=strict, context="GET /api/health")
    except AuthenticationError:
        raise  # a proxy's login: what answered is not the question
    except (APIStatusError, UnsupportedFeatureError, ResponseValidationError) as err:
        message = not_a_viewer(transport.base_url, err.response)
        if message is None:
            raise
        raise APIConnectionError(message, method="GET", url=err.url) from err
    except APITimeoutError:
        raise
    except APIConnectionError as err:
        if transport.base_url.startswith("http://") and speaks_tls(transport.base_url):
            raise APIConnectionError(
                f"{transport.base_url} did not answer plain HTTP, but it completes a TLS "
                f"handshake: it is an https:// endpoint. A runicorn viewer speaks "
                f"plain HTTP; check the port, or use https:// if a proxy serves it.",
                method="GET",
                url=err.url,
            ) from err
        raise
    if not health.ok:
        raise APIConnectionError(
            f"The viewer at {transport.base_url} reports status {health.status!r}, not 'ok'."
        )
    return health
