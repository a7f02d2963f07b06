"""How long to wait and how often to try: timeouts, the retry policy and ``Retry-After``.

A request is retried only when that cannot duplicate it: the method is idempotent, or the
operation declares ``idempotent: true``. A connection that was never established is the one
failure retried for every request, since nothing was sent.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping
from typing import Any

from ..record import Record

__all__ = ["IDEMPOTENT_METHODS", "DEFAULT_TIMEOUT", "Timeout", "resolve_timeout", "RetryPolicy",
           "parse_retry_after"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
DEFAULT_TIMEOUT = (10.0, 30.0)

Timeout = tuple[float, float]


def resolve_timeout(*candidates: Any) -> Timeout:
    """The first given timeout among ``candidates`` (most specific first), as (connect, read).

    A number means both; a mapping may give ``connect`` and ``read`` apart (a missing half falls
    back to the next candidate). Never None: the built-in default is (10, 30) seconds.
    """
    connect: float | None = None
    read: float | None = None
    for c in (*candidates, DEFAULT_TIMEOUT):
        if c is None:
            continue
        if isinstance(c, (int, float)) and not isinstance(c, bool):
            c = (c, c)
        if isinstance(c, Mapping):
            unknown = sorted(str(k) for k in c if k not in ("connect", "read"))
            if unknown:
                raise ValueError(f"unknown timeout key(s) {', '.join(map(repr, unknown))}; "
                                 f"known: connect, read")
            c = (c.get("connect"), c.get("read"))
        try:
            cc, rr = c
        except (TypeError, ValueError):
            raise ValueError(f"a timeout must be seconds or (connect, read), not {c!r}") \
                from None
        for half in (cc, rr):
            if half is not None and (isinstance(half, bool)
                                     or not isinstance(half, (int, float))):
                raise ValueError(f"a timeout must be a number of seconds, not {half!r}")
        connect = connect if connect is not None else cc
        read = read if read is not None else rr
        if connect is not None and read is not None:
            break
    assert connect is not None and read is not None
    if connect <= 0 or read <= 0:
        raise ValueError("timeouts must be positive")
    return (float(connect), float(read))


class RetryPolicy(Record):
    """How often and how long to retry. ``attempts`` counts the first try."""

    __slots__ = ("attempts", "backoff", "max_backoff", "max_retry_after", "total_timeout",
                 "statuses")
    _fields = __slots__

    def __init__(self, attempts: int = 3, backoff: float = 0.5, max_backoff: float = 30.0,
                 max_retry_after: float = 60.0, total_timeout: float = 120.0,
                 statuses: frozenset[int] = frozenset({429, 502, 503, 504})):
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.total_timeout = total_timeout
        self.statuses = statuses
        self._check()

    def _check(self) -> None:
        if not isinstance(self.attempts, int) or isinstance(self.attempts, bool) \
                or self.attempts < 1:
            raise ValueError(f"retries: attempts must be an integer >= 1, not {self.attempts!r}")
        for name in ("backoff", "max_backoff", "max_retry_after", "total_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"retries: {name} must be a number >= 0, not {value!r}")

    @classmethod
    def from_spec(cls, *layers: Mapping[str, Any] | None) -> RetryPolicy:
        """Merge layers, least specific first; unknown keys are a ValueError."""
        merged: dict[str, Any] = {}
        for layer in layers:
            if layer:
                merged.update(layer)
        known = set(cls._fields)
        unknown = sorted(set(merged) - known)
        if unknown:
            raise ValueError(f"unknown retries setting(s) {', '.join(map(repr, unknown))}; "
                             f"known: {', '.join(sorted(known))}")
        if "statuses" in merged:
            statuses = merged["statuses"]
            if not isinstance(statuses, (list, tuple, set, frozenset)) or not all(
                    isinstance(s, int) and not isinstance(s, bool) for s in statuses):
                raise ValueError(f"retries: statuses must be a list of HTTP status codes, not "
                                 f"{statuses!r}")
            merged["statuses"] = frozenset(statuses)
        return cls(**merged)

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (full jitter, or Retry-After)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return rng.uniform(0, min(self.max_backoff, self.backoff * (2 ** (attempt - 1))))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds, from either form (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
