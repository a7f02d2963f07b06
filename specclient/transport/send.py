"""Sending: timeouts, bounded retries with backoff, and the conversion to ``requests``.

A request is retried only when that cannot duplicate it: the method is idempotent, or the
operation declares ``idempotent: true``. A connection that was never established is the one
failure retried for every request, since nothing was sent.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlparse

import requests
import requests.utils
import urllib3
from requests.sessions import merge_setting

from ..errors import ArgumentError, ConnectionError, TimeoutError, TransportError
from ..request import PreparedRequest, merged_headers

__all__ = ["RetryPolicy", "Timeout", "Sent", "send_with_retries", "to_requests",
           "IDEMPOTENT_METHODS", "resolve_timeout", "parse_retry_after", "tls_settings",
           "proxy_settings", "check_headers"]

log = logging.getLogger("specclient")

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


@dataclass
class RetryPolicy:
    """How often and how long to retry. ``attempts`` counts the first try."""

    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 60.0
    total_timeout: float = 120.0
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({429, 502, 503, 504}))

    def __post_init__(self) -> None:
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
        known = set(cls.__dataclass_fields__)
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


def to_requests(req: PreparedRequest, session: requests.Session) -> requests.PreparedRequest:
    """Our request as a ``requests.PreparedRequest``, bytes untouched (no re-encoding)."""
    p = requests.PreparedRequest()
    p.method = req.method
    p.url = req.url
    headers = merged_headers(session.headers, req.headers)
    if req.body is not None:
        headers["Content-Length"] = str(len(req.body))
    elif req.method not in ("GET", "HEAD"):
        headers["Content-Length"] = "0"
    p.headers = headers
    p.body = req.body
    return p


def _sendable(text: str) -> bool:
    """Whether header text can go on the wire: no CR, LF or NUL, nothing beyond Latin-1.
    (Not a regex: a character class up to U+10FFFF takes ~10 ms to compile at start-up.)"""
    if "\r" in text or "\n" in text or "\0" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def check_headers(operation: str, req: PreparedRequest) -> None:
    """Refuse a header that cannot go on the wire as it is: a line break or NUL (often a
    secret read from a file with its trailing newline), or characters outside Latin-1.
    Checked after auth and signing, and the value is never shown (it may be a secret)."""
    if _sendable("".join([v for _, v in req.headers.lower_items()])):
        return  # the usual case: one scan of all the values, then which header is found below
    for name, value in req.headers.items():
        if any(c in value for c in "\r\n\0"):
            why = "contains a line break (CR/LF) or NUL"
        else:
            try:
                value.encode("latin-1")
                continue
            except UnicodeEncodeError:
                why = "has characters HTTP headers cannot carry (only Latin-1)"
        raise ArgumentError(operation, f"header {name!r} {why}; refused, nothing was sent. If "
                                       f"auth or signing sets it, check that secret's value "
                                       f"(a trailing newline?)", name)


def tls_settings(session: requests.Session, url: str,
                 verify: bool | str | None) -> dict[str, Any]:
    """``verify`` and ``cert`` for one request, as ``requests.Session.request`` would choose them.

    An explicit ``verify`` (False, or a CA bundle path) wins; then the session's own setting if
    the user changed it; then ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` (when the session
    trusts the environment); else True. Verification is never turned off here.

    Read afresh on every call (the environment and the session may change between calls). For
    a plain :class:`requests.Session` these are the rules of its ``merge_environment_settings``
    for ``verify`` and ``cert``, applied without the environment proxy lookup that method also
    does (it scans the whole environment twice, and its proxies would be thrown away here:
    :func:`proxy_settings` chooses them). A session class with its own
    ``merge_environment_settings`` is asked as before.
    """
    if verify is None and session.verify is not True:
        verify = session.verify  # the user configured their session: keep it over the env
    if type(session).merge_environment_settings is not _MERGE_ENVIRONMENT_SETTINGS:
        merged = session.merge_environment_settings(url, {}, None, verify, None)
        return {"verify": merged["verify"], "cert": merged["cert"]}
    if session.trust_env and (verify is True or verify is None):
        verify = (os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                  or verify)
    return {"verify": merge_setting(verify, session.verify),
            "cert": merge_setting(None, session.cert)}


_MERGE_ENVIRONMENT_SETTINGS = requests.Session.merge_environment_settings


def proxy_settings(session: requests.Session, url: str) -> dict[str, str]:
    """The proxies for one request to ``url``: what ``requests.Session.send`` works out itself
    (``requests.utils.resolve_proxies``) when given none, for the session and environment as
    they are now.

    The session's own ``proxies`` win over the environment's (``http_proxy``, ``all_proxy``...,
    when the session trusts the environment), and ``no_proxy`` (the session's, else the
    environment's) exempts matching hosts. Computed here, and passed to ``send``, because
    ``resolve_proxies`` scans the whole environment three times per request (~0.1 ms each
    for a typical environment). The answer depends only on the URL's scheme and host, the
    session's ``proxies`` and ``trust_env``, and ``os.environ`` (where proxies come from the
    environment alone, as on Linux; elsewhere the system's settings are asked every time), so
    it is remembered for as long as ``os.environ`` stays equal to a copy taken with it.
    """
    proxies = session.proxies if session.proxies is not None else {}
    if not session.trust_env:
        return proxies.copy()
    env = getattr(os.environ, "_data", None)  # what getproxies_environment() reads
    key: tuple[Any, ...] | None = None
    if type(env) is dict and _proxies_from_environment_only():
        try:
            # scheme://host:port and the rest up to the path: all of the URL the answer uses
            key = ("/".join(url.split("/", 3)[:3]), tuple(proxies.items()))
            hash(key)
        except TypeError:  # odd values in session.proxies: not remembered
            key = None
    if key is None:
        return _resolve_proxies(proxies, url)
    snapshot, known = _PROXY_CACHE
    if env == snapshot:
        hit = known.get(key)
        if hit is not None:
            return hit.copy()
    before = dict(env)
    chosen = _resolve_proxies(proxies, url)
    with _PROXY_CACHE_LOCK:
        if env == before:  # the environment did not change while we looked
            snapshot, known = _PROXY_CACHE
            if snapshot != before or len(known) >= _PROXY_CACHE_SIZE:
                known = {}
                _set_proxy_cache(before, known)
            known[key] = chosen.copy()
    return chosen


def _resolve_proxies(proxies: Mapping[str, str], url: str) -> dict[str, str]:
    """``requests.utils.resolve_proxies`` for a session that trusts the environment, without
    its second, identical ``should_bypass_proxies`` check (inside ``get_environ_proxies``)."""
    chosen = dict(proxies)
    if not requests.utils.should_bypass_proxies(url, no_proxy=proxies.get("no_proxy")):
        env = requests.utils.getproxies()
        scheme = urlparse(url).scheme
        proxy = env.get(scheme, env.get("all"))
        if proxy:
            chosen.setdefault(scheme, proxy)
    return chosen


def _proxies_from_environment_only() -> bool:
    """True where requests' proxy lookups read nothing but ``os.environ`` (not the Windows
    registry or macOS system settings, which can change without the environment changing)."""
    return (requests.utils.getproxies is urllib.request.getproxies_environment
            and requests.utils.proxy_bypass is urllib.request.proxy_bypass_environment)


def _set_proxy_cache(snapshot: dict[bytes, bytes], known: dict[Any, dict[str, str]]) -> None:
    global _PROXY_CACHE
    _PROXY_CACHE = (snapshot, known)


#: (a copy of os.environ's data, {(URL scheme and host, session proxies): proxies}).
_PROXY_CACHE: tuple[dict[bytes, bytes] | None, dict[Any, dict[str, str]]] = (None, {})
_PROXY_CACHE_LOCK = threading.Lock()
_PROXY_CACHE_SIZE = 256


class Sent(NamedTuple):
    """The outcome of :func:`send_with_retries`."""

    response: requests.Response
    attempts: int
    request: PreparedRequest  # the last attempt, as sent (it knows which values are secret)


def _never_connected(exc: BaseException) -> bool:
    """True when the connection was never established, so nothing was sent."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    seen = set()
    cur: Any = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, urllib3.exceptions.NewConnectionError):
            return True
        reason = getattr(cur, "reason", None)
        nxt = reason if isinstance(reason, BaseException) else None
        if nxt is None and cur.args and isinstance(cur.args[0], BaseException):
            nxt = cur.args[0]
        cur = nxt or cur.__cause__ or cur.__context__
    return False


def send_with_retries(
    operation: str,
    make: Callable[[int], PreparedRequest],
    session: requests.Session,
    timeout: Timeout,
    policy: RetryPolicy,
    idempotent: bool,
    verify: bool | str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
) -> Sent:
    """Send ``make(attempt)`` until it succeeds, may not be retried, or the budget is spent.

    ``make`` rebuilds the request for each attempt (same body bytes; auth and signatures
    applied afresh, so a timestamped signature or a refreshed token is valid on every attempt).
    Retried: a connection never established (always), and, only when ``idempotent``, timeouts,
    resets, truncated bodies and the statuses in ``policy.statuses``, honouring a capped
    ``Retry-After``. Returns the final response (any status), the number of attempts and the
    last request; raises :class:`TransportError` when no response came.
    """
    start = clock()
    attempt = 0
    while True:
        attempt += 1
        req = make(attempt)
        check_headers(operation, req)
        wire = to_requests(req, session)
        kwargs: dict[str, Any] = {"timeout": timeout, "allow_redirects": False,
                                  "proxies": proxy_settings(session, wire.url),
                                  **tls_settings(session, wire.url, verify)}
        try:
            resp = session.send(wire, **kwargs)
        except requests.RequestException as exc:
            safe = idempotent or _never_connected(exc)
            rng = rng or random.Random()  # made only when needed: seeding one costs ~10 us
            delay = policy.delay(attempt, None, rng)
            if not safe or attempt >= policy.attempts or clock() - start + delay \
                    > policy.total_timeout:
                hint = "" if safe else ("not retried: the request may have reached the server "
                                        "and the operation is not declared idempotent")
                raise _transport_error(operation, req, exc, timeout, attempt, hint) from None
            log.info("%s: attempt %d failed (%s); retrying in %.2fs", operation, attempt,
                     type(exc).__name__, delay)
            sleep(delay)
            continue
        if resp.status_code in policy.statuses and idempotent and attempt < policy.attempts:
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            rng = rng or random.Random()
            delay = policy.delay(attempt, retry_after, rng)
            if clock() - start + delay <= policy.total_timeout:
                log.info("%s: HTTP %d on attempt %d; retrying in %.2fs", operation,
                         resp.status_code, attempt, delay)
                resp.close()
                sleep(delay)
                continue
        return Sent(resp, attempt, req)


def _transport_error(operation: str, req: PreparedRequest, exc: requests.RequestException,
                     timeout: Timeout, attempt: int, hint: str = "") -> TransportError:
    """The exception for a request that got no usable response; secrets redacted."""
    target = f"{req.method} {req.redact(req.url)}"
    if isinstance(exc, requests.exceptions.Timeout):
        phase = "connecting" if isinstance(exc, requests.exceptions.ConnectTimeout) \
            else "waiting for the response"
        return TimeoutError(operation, f"timed out {phase} ({target}; timeout "
                                       f"connect={timeout[0]}s read={timeout[1]}s)", attempt, hint)
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ContentDecodingError)):
        return ConnectionError(operation, f"the response body was cut short or garbled "
                                          f"({target}): {req.redact(_short(exc))}", attempt, hint)
    return ConnectionError(operation, f"connection failed ({target}): "
                                      f"{req.redact(_short(exc))}", attempt, hint)


def _short(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Caused by ", "(Caused by "):
        if marker in text:
            text = text.split(marker, 1)[1].rstrip(")")
    return text[:300]
