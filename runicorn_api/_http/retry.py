"""How calls are retried: which methods and statuses, the backoff, and a deadline per call."""

from __future__ import annotations

import contextvars
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

__all__ = ["CALL_DEADLINE", "IDEMPOTENT_METHODS", "RETRY_STATUSES", "RetryPolicy", "TransportStats"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# The deadline of the call in progress on this thread. urllib3 copies a Retry object on
# every attempt and knows nothing of the call that started it, so the absolute deadline
# travels beside it instead of inside it.
CALL_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "runicorn_apiCALL_DEADLINE", default=None
)


@dataclass(frozen=True)
class RetryPolicy:
    """How failed requests are retried.

    Only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) are retried on a status
    (429, 500, 502, 503, 504) or a read error; POST and PATCH never are, because the
    viewer may already have acted on them. A refused connection is retried for every
    method, since nothing reached the viewer.

    Attributes:
        max_retries: Retries after the first attempt.
        backoff_factor: The first wait; it doubles with each retry (0.5, 1, 2, 4, 8 s).
        backoff_max: The longest single wait.
        jitter: Each wait is scaled by a random factor in ``[1 - jitter, 1]``.
        deadline: Seconds from the start of a call after which no retry starts; a
            ``Retry-After`` that would end past it is not waited for.
    """

    max_retries: int = 3
    backoff_factor: float = 0.5
    backoff_max: float = 8.0
    jitter: float = 0.25
    deadline: float = 60.0

    def to_urllib3(self, stats: TransportStats | None = None) -> _DeadlineRetry:
        return _DeadlineRetry(
            stats=stats,
            total=self.max_retries,
            connect=self.max_retries,
            read=self.max_retries,
            status=self.max_retries,
            other=0,
            redirect=5,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=self.backoff_factor,
            backoff_max=self.backoff_max,
            backoff_jitter=self.jitter,
            respect_retry_after_header=True,
            raise_on_status=False,
        )


@dataclass
class TransportStats:
    """What one client sent: calls made, and retries among their attempts (for fault
    reports and tests; counted across threads)."""

    calls: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, *, calls: int = 0, retries: int = 0) -> None:
        with self._lock:
            self.calls += calls
            self.retries += retries


class _DeadlineRetry(Retry):
    """urllib3's Retry with the documented backoff, proportional jitter and a call deadline."""

    def __init__(self, *args: Any, stats: TransportStats | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stats = stats

    def new(self, **kw: Any) -> _DeadlineRetry:
        # urllib3 copies a Retry on every attempt from its known parameters only.
        new = super().new(**kw)
        new.stats = self.stats
        return new

    def get_backoff_time(self) -> float:
        # urllib3 waits 0 s before the first retry; the original client waits 0.5, 1, 2 s, ...
        errors = sum(1 for h in self.history if h.redirect_location is None)
        if errors == 0:
            return 0.0
        nominal = min(self.backoff_max, self.backoff_factor * 2 ** (errors - 1))
        return float(nominal * (1.0 - self.backoff_jitter * random.random()))

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> _DeadlineRetry:
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        deadline = CALL_DEADLINE.get()
        if deadline is not None:
            wait = new.get_backoff_time()
            if response is not None and self.respect_retry_after_header:
                retry_after = new.get_retry_after(response)
                if retry_after is not None:
                    wait = retry_after
            if time.monotonic() + wait > deadline:
                reason = error or ResponseError(
                    f"retry deadline reached (next wait {wait:.1f}s would pass it)"
                )
                raise MaxRetryError(_pool, url or "", reason)
        if new.stats is not None:
            new.stats.add(retries=1)
        return new
