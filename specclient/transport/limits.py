"""What a server (or a spec) may cost a call, enforced where bytes move: how large a response
may be, the deadline by which the whole exchange ends, and where credentials may go.

- **Response size.** A body is read in chunks and counted on its *decoded* bytes (a 512 KB
  gzip bomb counts as what it inflates to); past ``max_response_bytes`` the read stops with
  :class:`~specclient.errors.ResponseTooLargeError`. Default :data:`DEFAULT_MAX_RESPONSE_BYTES`;
  ``Client(max_response_bytes=...)``, an operation's ``max_response_bytes`` or the service's
  ``defaults.max_response_bytes`` change it.
- **A deadline.** ``retries.total_timeout`` bounds the whole exchange, as curl's
  ``--max-time`` does: every attempt, token request and redirect, and the reading of each body.
  Each socket wait is shortened to what is left, and a body dripped a byte at a time is cut off
  when the time is up (:class:`~specclient.errors.TimeoutError`).
- **Credentials over TLS only.** A request carrying a secret (an API key, a token, a client
  secret, a basic-auth header — anything an auth scheme registered) is never sent over plain
  ``http://`` to a host other than this machine (``localhost``, 127.0.0.0/8, ``::1``): nothing
  is sent and :class:`~specclient.errors.InsecureTransportError` says why. A service may opt
  out with ``allow_insecure_http: true`` in its YAML, a client with
  ``Client(allow_insecure_http=True)`` (``--allow-insecure-http``); each such send is logged
  as a warning.
  A signature is not a secret (the key never leaves): a signed webhook may go to an
  ``http://`` receiver.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import time
from contextvars import ContextVar
from urllib.parse import urlsplit

import requests

from ..errors import InsecureTransportError
from ..record import FrozenRecord
from ..request import PreparedRequest
from .wire import check_headers

__all__ = ["Limits", "DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_LIMITS", "CURRENT_LIMITS",
           "is_loopback", "check_secure", "last_checks"]

log = logging.getLogger("specclient")

#: The largest response body read by default (decoded bytes): 64 MiB.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class Limits(FrozenRecord):
    """The limits of one exchange. ``deadline``: a :func:`time.monotonic` instant by which it
    must end (None: none beyond each socket timeout)."""

    __slots__ = ("max_response_bytes", "deadline", "allow_insecure_http")
    _fields = __slots__

    def __init__(self, max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
                 deadline: float | None = None, allow_insecure_http: bool = False):
        self.max_response_bytes = max_response_bytes
        self.deadline = deadline
        self.allow_insecure_http = allow_insecure_http

    def remaining(self) -> float | None:
        """Seconds left before the deadline (may be <= 0), or None without one."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def timeout(self, timeout: tuple[float, float]) -> tuple[float, float]:
        """``timeout`` (connect, read) shortened to what is left of the deadline."""
        left = self.remaining()
        if left is None:
            return timeout
        left = max(left, 0.001)
        return (min(timeout[0], left), min(timeout[1], left))


DEFAULT_LIMITS = Limits()

#: The limits of the call in progress in this thread (or task): a request an auth scheme
#: sends for the call (a token) is held to them too.
CURRENT_LIMITS: ContextVar[Limits] = ContextVar("specclient_limits", default=DEFAULT_LIMITS)


@functools.lru_cache(maxsize=256)
def is_loopback(host: str | None) -> bool:
    """True for a host name or address that stays on this machine."""
    if not host:
        return False
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=256)
def _host(url: str) -> str | None:
    return urlsplit(url).hostname


def check_secure(req: PreparedRequest, limits: Limits) -> None:
    """Refuse ``req`` when it would carry one of its secrets over plain http to another
    machine (unless the service allows it, with a warning)."""
    if not req.secrets or not req.base_url[:5].lower() == "http:":
        return
    host = _host(req.base_url)
    if is_loopback(host):
        return
    carried = req.secrets.carried_in(req.url, req.headers, req.body)
    if not carried:
        return
    if limits.allow_insecure_http:
        log.warning("%s: sending credentials over plain http to %s (allow_insecure_http): "
                    "anyone on the network can read them", req.operation, host)
        return
    raise InsecureTransportError(
        req.operation, f"refused to send credentials ({carried}) over plain http to {host}: "
                       f"nothing was sent. Use https, or accept the risk: allow_insecure_http: "
                       f"true in the service's YAML, Client(allow_insecure_http=True) or "
                       f"--allow-insecure-http")


def last_checks(req: PreparedRequest, limits: Limits) -> None:
    """What every request passes just before it goes, whatever sends it: each header can go
    on the wire (:func:`~.wire.check_headers`), its credentials go only over TLS
    (:func:`check_secure`), and the call's deadline has not passed (``requests``'
    ``Timeout``, as if the socket had timed out)."""
    check_headers(req.operation, req)
    check_secure(req, limits)
    left = limits.remaining()
    if left is not None and left <= 0:
        raise requests.exceptions.Timeout(
            "the call's total deadline (retries.total_timeout) passed before this request")
