"""The one path every HTTP request of a client takes: :class:`Transport`.

API calls and OAuth2 token requests alike are sent by :meth:`Transport.send`: the last header
check, the conversion to ``requests`` (the user's session honoured: headers, cookies, hooks,
auth, proxies, TLS, mounted adapters), one TLS and proxy policy (:mod:`.environment`), no
redirect ever followed by ``requests`` itself, and the response body read in one place
(:meth:`Transport.read`).

On top of it, :func:`send_with_retries` is the retry loop (:mod:`.policy`) and :func:`exchange`
one call's whole exchange: attempts with auth and signing applied afresh, one more round when
an auth scheme asks for it after a 401 (the scheme decides: see
:meth:`specclient.auth.AuthScheme.should_retry`), and redirects as :mod:`.redirects` allows.
"""

from __future__ import annotations

import io
import logging
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

import requests
import urllib3
from requests.cookies import extract_cookies_to_jar
from requests.hooks import dispatch_hook

from ..errors import ConnectionError, ResponseTooLargeError, TimeoutError, TransportError
from ..hooks import Observer
from ..request import PreparedRequest
from .environment import proxy_settings, tls_settings
from .limits import CURRENT_LIMITS, DEFAULT_LIMITS, Limits, check_secure
from .policy import RetryPolicy, Timeout, parse_retry_after
from .redirects import MAX_HOPS, next_hop
from .wire import adopt, check_headers, to_requests

__all__ = ["Transport", "Sent", "send_with_retries", "exchange"]

log = logging.getLogger("specclient")


class Transport:
    """Sends requests for one client over its ``requests.Session``.

    ``verify``: the client's own TLS setting (None: the session's, else the environment's;
    see :mod:`specclient.transport.environment` for the one precedence rule).
    """

    __slots__ = ("session", "verify", "observer")

    def __init__(self, session: requests.Session, verify: bool | str | None = None,
                 observer: Observer | None = None):
        self.session = session
        self.verify = verify
        #: told about each request and answer (event hooks, telemetry); None: nobody is
        self.observer = observer

    def adopt(self, req: PreparedRequest) -> None:
        """Merge what the session adds to every request's URL (its ``params``) into ``req``,
        before auth and signing see it."""
        adopt(req, self.session)

    def send(self, req: PreparedRequest, timeout: Timeout, *, session_auth: bool = False,
             limits: Limits | None = None, stream: bool = False,
             attempt: int = 1) -> requests.Response:
        """Send ``req`` once, exactly as built; never follow a redirect. Returns the response
        with its body read (within ``limits``); raises ``requests``' exceptions when no
        response came (the caller decides what they mean: see :func:`send_with_retries`),
        :class:`InsecureTransportError` (nothing sent) for credentials bound for plain http,
        :class:`ResponseTooLargeError` for a body past the size limit.

        ``stream``: a 2xx answer's body is left unread, for the caller to read as it arrives
        (see :meth:`specclient.Response.iter_bytes`); any other answer's body is read."""
        if limits is None:  # e.g. a token request: the limits of the call it is made for
            limits = CURRENT_LIMITS.get()
        check_headers(req.operation, req)
        check_secure(req, limits)
        left = limits.remaining()
        if left is not None and left <= 0:
            raise requests.exceptions.Timeout(
                "the call's total deadline (retries.total_timeout) passed before this request")
        session = self.session
        wire = to_requests(req, session, session_auth=session_auth)
        settings = {"timeout": limits.timeout(timeout),
                    "proxies": proxy_settings(session, wire.url),
                    **tls_settings(session, wire.url, self.verify)}
        observer = self.observer
        if observer is None or not observer.active:
            return self._exchange(session, wire, settings, req, limits, stream)
        observer.request(req.operation, req, attempt)
        with observer.attempt_span(req, attempt):
            resp = self._exchange(session, wire, settings, req, limits, stream)
            observer.response(req.operation, req, resp, attempt)
        return resp

    def _exchange(self, session: requests.Session, wire: requests.PreparedRequest,
                  settings: dict[str, Any], req: PreparedRequest, limits: Limits,
                  stream: bool) -> requests.Response:
        if type(session).send is not _SESSION_SEND:  # a session that sends its own way (a
            wire.prepare_cookies(session.cookies)  # cache, a recorder): asked as requests would
            resp = session.send(wire, allow_redirects=False, stream=True, **settings)
        else:
            resp = _send(session, wire, settings)
        if not (stream and 200 <= resp.status_code < 300):
            self.read(resp, req, limits)
        return resp

    @staticmethod
    def read(resp: requests.Response, req: PreparedRequest | None = None,
             limits: Limits = DEFAULT_LIMITS) -> bytes:
        """The response body: the one place a body comes off the wire. Read a chunk at a time
        as it arrives, counted on the decoded bytes (``limits.max_response_bytes``) and cut off
        at ``limits.deadline``; afterwards ``resp.content`` holds it."""
        limit = limits.max_response_bytes
        raw = resp.raw
        operation = req.operation if req is not None else "request"
        chunks: list[bytes] = []
        total = 0
        try:
            if not isinstance(raw, urllib3.HTTPResponse) or raw.tell():
                # another adapter's body (no stream), or a response hook already read it
                data = resp.content
                if len(data) > limit:
                    raise _too_large(operation, req, limit)
                return data
            while True:
                left = limits.remaining()
                if left is not None and left <= 0:
                    raise requests.exceptions.ReadTimeout(
                        f"the call's total deadline (retries.total_timeout) passed while "
                        f"reading the response body ({total} bytes read)")
                chunk = raw.read1(_CHUNK, decode_content=True)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise _too_large(operation, req, limit)
                chunks.append(chunk)
        except urllib3.exceptions.HTTPError as exc:  # as requests itself would raise them
            resp.close()
            if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
                raise requests.exceptions.ConnectionError(exc) from None
            if isinstance(exc, urllib3.exceptions.DecodeError):
                raise requests.exceptions.ContentDecodingError(exc) from None
            raise requests.exceptions.ChunkedEncodingError(exc) from None
        except BaseException:
            resp.close()
            raise
        data = b"".join(chunks)
        raw.release_conn()
        # resp.content reads its raw body: the bytes read, already decoded
        resp.raw = urllib3.HTTPResponse(body=io.BytesIO(data), headers={}, status=raw.status,
                                        preload_content=False, decode_content=False)
        return data

    def __repr__(self) -> str:
        return f"<Transport verify={self.verify!r}>"


class Sent(NamedTuple):
    """The outcome of :func:`send_with_retries` and :func:`exchange`."""

    response: requests.Response
    attempts: int
    request: PreparedRequest  # the last attempt, as sent (it knows which values are secret)
    #: Why a 3xx answer was not followed (None when the answer is not a 3xx).
    not_followed: str | None = None


#: Bytes asked of the socket at a time (a gzip chunk this size inflates to at most ~1000x).
_CHUNK = 64 * 1024


_SESSION_SEND = requests.Session.send


def _send(session: requests.Session, wire: requests.PreparedRequest,
          settings: dict[str, Any]) -> requests.Response:
    """What ``requests.Session.send`` does for one request that follows no redirect: the
    session's adapter for the URL (mounted ones included), the response's ``elapsed``, the
    request's response hooks, and the cookies the response sets stored in the session's jar.
    Redirects are :func:`exchange`'s to follow or refuse (:mod:`.redirects`), so the next hop
    ``Session.send`` works out even when not following is not worked out here."""
    adapter = session.get_adapter(url=wire.url)
    start = time.perf_counter()
    resp = adapter.send(wire, stream=True, **settings)
    resp.elapsed = timedelta(seconds=time.perf_counter() - start)
    resp = dispatch_hook("response", wire.hooks, resp, stream=True, **settings)
    extract_cookies_to_jar(session.cookies, wire, resp.raw)
    return resp


def _too_large(operation: str, req: PreparedRequest | None, limit: int) -> ResponseTooLargeError:
    where = f" ({req.method} {req.secrets.url(req.url)})" if req is not None else ""
    return ResponseTooLargeError(
        operation, f"the response body{where} is larger than {limit:,} bytes (decoded); "
                   f"not read further. If the API really sends this much, raise the limit: "
                   f"max_response_bytes in the operation or the service's defaults, "
                   f"Client(max_response_bytes=...) or --max-response-bytes", limit)


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
    transport: Transport | requests.Session,
    timeout: Timeout,
    policy: RetryPolicy,
    idempotent: bool,
    verify: bool | str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    session_auth: bool = False,
    limits: Limits | None = None,
    stream: bool = False,
) -> Sent:
    """Send ``make(attempt)`` until it succeeds, may not be retried, or the budget is spent.

    ``make`` rebuilds the request for each attempt (same body bytes; auth and signatures
    applied afresh, so a timestamped signature or a refreshed token is valid on every attempt).
    Retried: a connection never established (always), and, only when ``idempotent``, timeouts,
    resets, truncated bodies and the statuses in ``policy.statuses``, honouring a capped
    ``Retry-After``. Returns the final response (any status), the number of attempts and the
    last request; raises :class:`TransportError` when no response came. ``transport`` may be a
    bare session (wrapped in a :class:`Transport` with ``verify``).
    """
    if not isinstance(transport, Transport):
        transport = Transport(transport, verify)
    start = clock()
    attempt = 0
    while True:
        attempt += 1
        req = make(attempt)
        try:
            resp = transport.send(req, timeout, session_auth=session_auth, limits=limits,
                                  stream=stream, attempt=attempt)
        except requests.RequestException as exc:
            safe = idempotent or _never_connected(exc)
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
                raise _transport_error(operation, req, exc, timeout, attempt, hint) from None
            log.info("%s: attempt %d failed (%s); retrying in %.2fs", operation, attempt,
                     type(exc).__name__, delay)
            if transport.observer is not None:
                transport.observer.retry(operation, req, attempt, delay, error=exc)
            sleep(delay)
            continue
        if resp.status_code in policy.statuses and idempotent and attempt < policy.attempts:
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            rng = rng or random.Random()
            delay = policy.delay(attempt, retry_after, rng)
            if clock() - start + delay <= policy.total_timeout:
                log.info("%s: HTTP %d on attempt %d; retrying in %.2fs", operation,
                         resp.status_code, attempt, delay)
                if transport.observer is not None:
                    transport.observer.retry(operation, req, attempt, delay, resp=resp)
                resp.close()
                sleep(delay)
                continue
        return Sent(resp, attempt, req)


def exchange(
    operation: str,
    base: PreparedRequest,
    authenticate: Callable[[PreparedRequest], None],
    transport: Transport,
    timeout: Timeout,
    policy: RetryPolicy,
    idempotent: bool,
    *,
    should_retry: Callable[[PreparedRequest, requests.Response], bool] = lambda q, r: False,
    redirects: str = "same_origin",
    session_auth: bool = False,
    max_hops: int = MAX_HOPS,
    limits: Limits | None = None,
    stream: bool = False,
) -> Sent:
    """One call, start to end: ``base`` (built and validated, not yet authenticated) sent with
    retries, each attempt a copy authenticated and signed afresh by ``authenticate``.

    After a 401, ``should_retry(request, response)`` (the auth schemes' answer) may ask for one
    more round, freshly authenticated. A 3xx answer is followed as :func:`.redirects.next_hop`
    allows (``redirects``: the service's setting), at most ``max_hops`` times; credentials and
    signatures go only to ``base``'s own origin. A 3xx that is not followed is returned with
    :attr:`Sent.not_followed` saying why. ``stream``: a 2xx body is left for the caller to
    read (:meth:`Transport.send`)."""
    target = base
    credentials = True  # auth, signing and the session's auth go to base's origin only
    attempts = 0
    hops = 0
    while True:
        def make(attempt: int, target: PreparedRequest = target,
                 credentials: bool = credentials) -> PreparedRequest:
            req = target.copy()
            if credentials:
                authenticate(req)
            return req

        send_auth = session_auth and credentials
        sent = send_with_retries(operation, make, transport, timeout, policy, idempotent,
                                 session_auth=send_auth, limits=limits, stream=stream)
        attempts += sent.attempts
        if sent.response.status_code == 401 and credentials \
                and should_retry(sent.request, sent.response):
            sent.response.close()
            sent = send_with_retries(operation, make, transport, timeout, policy, idempotent,
                                     session_auth=send_auth, limits=limits, stream=stream)
            attempts += sent.attempts
        if not 300 <= sent.response.status_code < 400:
            return sent._replace(attempts=attempts)
        hop = next_hop(base, sent.request, sent.response, idempotent=idempotent,
                       redirects=redirects, hops=hops, max_hops=max_hops)
        if isinstance(hop, str):
            return sent._replace(attempts=attempts, not_followed=hop)
        sent.response.close()
        target, credentials = hop
        hops += 1
        log.info("%s: HTTP %d, following to %s", operation, sent.response.status_code,
                 sent.request.secrets.url(target.url))


def _transport_error(operation: str, req: PreparedRequest, exc: requests.RequestException,
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
