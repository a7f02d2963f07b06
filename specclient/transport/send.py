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
from typing import Any

import requests
import urllib3
from requests.cookies import extract_cookies_to_jar
from requests.hooks import dispatch_hook

from ..errors import ResponseTooLargeError
from ..hooks import Observer
from ..request import PreparedRequest
from .environment import proxy_settings, tls_settings
from .flow import Failed, Send, Sent, attempts, exchange_flow, run
from .limits import CURRENT_LIMITS, DEFAULT_LIMITS, Limits, last_checks
from .policy import RetryPolicy, Timeout
from .redirects import MAX_HOPS
from .wire import adopt, to_requests

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
        last_checks(req, limits)
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

    def sender(self, timeout: Timeout,
               limits: Limits | None) -> Callable[[Send], requests.Response | Failed]:
        """What sends a flow's :class:`~.flow.Send` actions through this transport: the
        response, or :class:`~.flow.Failed` when none came."""
        def send(action: Send) -> requests.Response | Failed:
            try:
                return self.send(action.request, timeout, session_auth=action.session_auth,
                                 limits=limits, stream=action.stream, attempt=action.attempt)
            except requests.RequestException as exc:  # no answer: the flow decides
                return Failed(exc)
        return send

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
                    raise too_large(operation, req, limit)
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
                    raise too_large(operation, req, limit)
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


def too_large(operation: str, req: PreparedRequest | None, limit: int) -> ResponseTooLargeError:
    where = f" ({req.method} {req.secrets.url(req.url)})" if req is not None else ""
    return ResponseTooLargeError(
        operation, f"the response body{where} is larger than {limit:,} bytes (decoded); "
                   f"not read further. If the API really sends this much, raise the limit: "
                   f"max_response_bytes in the operation or the service's defaults, "
                   f"Client(max_response_bytes=...) or --max-response-bytes", limit)


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
    """Send ``make(attempt)`` with retries (:func:`.flow.attempts`), blocking. ``transport``
    may be a bare session (wrapped in a :class:`Transport` with ``verify``)."""
    if not isinstance(transport, Transport):
        transport = Transport(transport, verify)
    flow = attempts(operation, make, policy, idempotent, session_auth=session_auth,
                    stream=stream, timeout=timeout, limits=limits, clock=clock, rng=rng,
                    on_retry=transport.observer.retry if transport.observer else None)
    return run(flow, transport.sender(timeout, limits), lambda req: None, sleep)


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
    """One call's whole exchange (:func:`.flow.exchange_flow`), blocking: ``authenticate``
    applies auth and signing to each attempt's copy."""
    flow = exchange_flow(operation, base, policy, idempotent, should_retry=should_retry,
                         redirects=redirects, session_auth=session_auth, max_hops=max_hops,
                         stream=stream, timeout=timeout, limits=limits,
                         on_retry=transport.observer.retry if transport.observer else None)
    return run(flow, transport.sender(timeout, limits), authenticate)
