"""One call's exchange, without I/O: attempts, retries, the 401 round and redirects as a
generator that says what to do next, for a driver to do it.

The flow yields actions and is sent their results:

- :class:`Authenticate` ``(request)``: apply auth and signing to this attempt's copy (a token
  may have to be fetched first); sent back: None;
- :class:`Send` ``(request, attempt, session_auth, stream)``: send it once; sent back: the
  response, or a :class:`Failed` wrapping the ``requests``-style exception when no response
  came (the flow decides whether that is retried);
- :class:`Sleep` ``(seconds)``: wait before the next attempt; sent back: None.

It returns a :class:`Sent`. The synchronous client drives it with :func:`run` (blocking
sends, ``time.sleep``); :class:`specclient.AsyncClient` drives the same flow with ``await``
(:mod:`specclient.aio`). So retries, the 401 round and the redirect rule exist once, in this
file, whatever the I/O (the shape of httpx's auth flows and of h11).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Generator
from typing import Any, NamedTuple

import requests
import urllib3

from ..errors import ConnectionError, TimeoutError, TransportError
from ..request import PreparedRequest
from .limits import Limits
from .policy import RetryPolicy, Timeout, parse_retry_after
from .redirects import MAX_HOPS, next_hop

__all__ = ["Authenticate", "Send", "Sleep", "Failed", "Sent", "Flow", "attempts",
           "exchange_flow", "advance", "perform", "run", "transport_error"]

log = logging.getLogger("specclient")


class Authenticate:
    """Apply auth and signing to ``request`` (this attempt's own copy)."""

    __slots__ = ("request",)

    def __init__(self, request: PreparedRequest):
        self.request = request


class Send:
    """Send ``request`` once; answer with the response or :class:`Failed`."""

    __slots__ = ("request", "attempt", "session_auth", "stream")

    def __init__(self, request: PreparedRequest, attempt: int, session_auth: bool,
                 stream: bool):
        self.request = request
        self.attempt = attempt
        self.session_auth = session_auth
        self.stream = stream


class Sleep:
    """Wait ``seconds`` before the next attempt."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float):
        self.seconds = seconds


class Failed:
    """No response came: the exception the transport raised (``requests``' kinds)."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException):
        self.error = error


class Sent(NamedTuple):
    """The outcome of an exchange."""

    response: Any  # requests.Response (the async client builds one too)
    attempts: int
    request: PreparedRequest  # the last attempt, as sent (it knows which values are secret)
    #: Why a 3xx answer was not followed (None when the answer is not a 3xx).
    not_followed: str | None = None


Action = Authenticate | Send | Sleep
Flow = Generator[Action, Any, Sent]


def attempts(
    operation: str,
    make: Callable[[int], PreparedRequest],
    policy: RetryPolicy,
    idempotent: bool,
    *,
    authenticate: bool = False,
    session_auth: bool = False,
    stream: bool = False,
    timeout: Timeout = (5.0, 30.0),
    limits: Limits | None = None,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    on_retry: Callable[..., None] | None = None,
) -> Flow:
    """Send ``make(attempt)`` until it succeeds, may not be retried, or the budget is spent.

    ``make`` builds each attempt's request (same body bytes); with ``authenticate`` each is
    authenticated and signed afresh (a timestamped signature or a refreshed token is valid on
    every attempt). Retried: a connection never established (always), and, only when
    ``idempotent``, timeouts, resets, truncated bodies and the statuses in
    ``policy.statuses``, honouring a capped ``Retry-After``. Returns the final response (any
    status); raises :class:`TransportError` when no response came."""
    start = clock()
    attempt = 0
    while True:
        attempt += 1
        req = make(attempt)
        if authenticate:
            yield Authenticate(req)
        result = yield Send(req, attempt, session_auth, stream)
        if isinstance(result, Failed):
            exc = result.error
            safe = idempotent or never_connected(exc)
            rng = rng or random.Random()  # made only when needed: seeding one costs ~10 us
            delay = policy.delay(attempt, None, rng)
            if not safe or attempt >= policy.attempts or clock() - start + delay \
                    > policy.total_timeout:
                hint = "" if safe else ("not retried: the request may have reached the server "
                                        "and the operation is not declared idempotent")
                left = limits.remaining() if limits is not None else None
                if left is not None and left <= 0:  # the whole call's deadline, not a socket's
                    raise TimeoutError(
                        operation, f"the call's total deadline (retries.total_timeout = "
                                   f"{policy.total_timeout:g}s) passed ({req.method} "
                                   f"{req.secrets.url(req.url)}): "
                                   f"{req.secrets.text(_short(exc))}", attempt) from None
                raise transport_error(operation, req, exc, timeout, attempt, hint) from None
            log.info("%s: attempt %d failed (%s); retrying in %.2fs", operation, attempt,
                     type(exc).__name__, delay)
            if on_retry is not None:
                on_retry(operation, req, attempt, delay, error=exc)
            yield Sleep(delay)
            continue
        resp = result
        if resp.status_code in policy.statuses and idempotent and attempt < policy.attempts:
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            rng = rng or random.Random()
            delay = policy.delay(attempt, retry_after, rng)
            if clock() - start + delay <= policy.total_timeout:
                log.info("%s: HTTP %d on attempt %d; retrying in %.2fs", operation,
                         resp.status_code, attempt, delay)
                if on_retry is not None:
                    on_retry(operation, req, attempt, delay, resp=resp)
                resp.close()
                yield Sleep(delay)
                continue
        return Sent(resp, attempt, req)


def exchange_flow(
    operation: str,
    base: PreparedRequest,
    policy: RetryPolicy,
    idempotent: bool,
    *,
    should_retry: Callable[[PreparedRequest, Any], bool] = lambda q, r: False,
    redirects: str = "same_origin",
    session_auth: bool = False,
    max_hops: int = MAX_HOPS,
    stream: bool = False,
    timeout: Timeout = (5.0, 30.0),
    limits: Limits | None = None,
    on_retry: Callable[..., None] | None = None,
) -> Flow:
    """One call, start to end: ``base`` (built and validated, not yet authenticated) sent with
    retries (:func:`attempts`), each attempt a copy authenticated and signed afresh.

    After a 401, ``should_retry(request, response)`` (the auth schemes' answer) may ask for one
    more round, freshly authenticated. A 3xx answer is followed as :func:`.redirects.next_hop`
    allows (``redirects``: the service's setting), at most ``max_hops`` times; credentials and
    signatures go only to ``base``'s own origin. A 3xx that is not followed is returned with
    :attr:`Sent.not_followed` saying why. ``stream``: a 2xx body is left for the caller."""
    target = base
    credentials = True  # auth, signing and the session's auth go to base's origin only
    total = 0
    hops = 0
    while True:
        def make(attempt: int, target: PreparedRequest = target) -> PreparedRequest:
            return target.copy()

        def round_(credentials: bool = credentials) -> Flow:
            return attempts(operation, make, policy, idempotent, authenticate=credentials,
                            session_auth=session_auth and credentials, stream=stream,
                            timeout=timeout, limits=limits, on_retry=on_retry)

        sent = yield from round_()
        total += sent.attempts
        if sent.response.status_code == 401 and credentials \
                and should_retry(sent.request, sent.response):
            sent.response.close()
            sent = yield from round_()
            total += sent.attempts
        if not 300 <= sent.response.status_code < 400:
            return sent._replace(attempts=total)
        hop = next_hop(base, sent.request, sent.response, idempotent=idempotent,
                       redirects=redirects, hops=hops, max_hops=max_hops)
        if isinstance(hop, str):
            return sent._replace(attempts=total, not_followed=hop)
        sent.response.close()
        target, credentials = hop
        hops += 1
        log.info("%s: HTTP %d, following to %s", operation, sent.response.status_code,
                 sent.request.secrets.url(target.url))


def advance(flow: Flow, result: Any) -> Action | Sent:
    """The flow's next action, given the last one's result; or, once it is done, its
    :class:`Sent`."""
    try:
        return flow.send(result)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def perform(action: Action, send: Callable[[Send], Any],
            authenticate: Callable[[PreparedRequest], Any], sleep: Callable[[float], Any]) -> Any:
    """Do what ``action`` asks with the driver's I/O and give its result (with async I/O: the
    awaitable of it). ``send`` answers with the response, or :class:`Failed` when none came."""
    if isinstance(action, Send):
        return send(action)
    if isinstance(action, Authenticate):
        return authenticate(action.request)
    return sleep(action.seconds)


def run(flow: Flow, send: Callable[[Send], Any], authenticate: Callable[[PreparedRequest], None],
        sleep: Callable[[float], None] = time.sleep) -> Sent:
    """Drive ``flow`` with blocking I/O (:func:`perform` each action until it is done)."""
    result: Any = None
    while not isinstance(step := advance(flow, result), Sent):
        result = perform(step, send, authenticate, sleep)
    return step


def never_connected(exc: BaseException) -> bool:
    """True when the connection was never established, so nothing was sent."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    seen = set()
    cur: Any = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, urllib3.exceptions.NewConnectionError):
            return True
        if getattr(cur, "never_connected", False):  # the async transport's own mark
            return True
        reason = getattr(cur, "reason", None)
        nxt = reason if isinstance(reason, BaseException) else None
        if nxt is None and cur.args and isinstance(cur.args[0], BaseException):
            nxt = cur.args[0]
        cur = nxt or cur.__cause__ or cur.__context__
    return False


def transport_error(operation: str, req: PreparedRequest, exc: BaseException,
                    timeout: Timeout, attempt: int, hint: str = "") -> TransportError:
    """The exception for a request that got no usable response; secrets redacted."""
    target = f"{req.method} {req.secrets.url(req.url)}"
    if isinstance(exc, requests.exceptions.Timeout):
        phase = "connecting" if isinstance(exc, requests.exceptions.ConnectTimeout) \
            else "waiting for the response"
        return TimeoutError(operation, f"timed out {phase} ({target}; timeout "
                                       f"connect={timeout[0]}s read={timeout[1]}s)", attempt, hint)
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ContentDecodingError)):
        return ConnectionError(operation, f"the response body was cut short or garbled "
                                          f"({target}): {req.secrets.text(_short(exc))}",
                               attempt, hint)
    return ConnectionError(operation, f"connection failed ({target}): "
                                      f"{req.secrets.text(_short(exc))}", attempt, hint)


def _short(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Caused by ", "(Caused by "):
        if marker in text:
            text = text.split(marker, 1)[1].rstrip(")")
    return text[:300]
