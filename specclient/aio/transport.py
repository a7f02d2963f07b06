"""The async transport: every request of an :class:`~specclient.AsyncClient` — API calls and
token requests alike — on one ``aiohttp.ClientSession``, with the same last checks, limits,
timeouts and hooks as the blocking :class:`~specclient.transport.Transport`.

Its answer is a ``requests.Response`` holding the body read (within the limits), so that
decoding, validation, status errors and redaction are the very code the blocking client runs;
its failures are ``requests``' exception kinds, so the one exchange flow
(:mod:`specclient.transport.flow`) decides retries the same way. A connection that was never
made is marked ``never_connected`` (always safe to retry).

Why aiohttp: measured at concurrency 64 against the same loopback server (bench/), a bare
aiohttp loop made ~9,000 calls/s and a bare httpx ``AsyncClient`` loop ~450 (its pool
serialises under load); see docs/scale.md.
"""

from __future__ import annotations

import datetime
import io
import math
import os
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Any

import aiohttp
import certifi  # requests' own dependency: the same trust store as the blocking client
import requests
from requests.utils import get_encoding_from_headers
from yarl import URL

from ..request import Headers, PreparedRequest
from ..transport.environment import proxy_settings
from ..transport.flow import Failed, Send
from ..transport.limits import DEFAULT_LIMITS, Limits, last_checks
from ..transport.policy import Timeout
from ..transport.send import too_large

if TYPE_CHECKING:
    from ..hooks import Observer
    from ..mock import MockApp

__all__ = ["AsyncTransport"]

_CHUNK = 64 * 1024


class AsyncTransport:
    """Sends requests for one async client. ``verify``: False, a CA bundle path, or None/True
    (certifi's bundle as requests uses, unless ``REQUESTS_CA_BUNDLE`` says otherwise).
    ``mock``: answer every request in process from the built-in mock (nothing is sent).
    ``limit``: connections open at once (aiohttp's pool)."""

    def __init__(self, verify: bool | str | None = None, *, observer: Observer | None = None,
                 mock: MockApp | None = None, limit: int = 100,
                 proxies_from: requests.Session | None = None):
        self.verify = verify
        self.observer = observer
        self.mock = mock
        self.limit = limit
        #: whose proxy settings apply (its ``proxies``, then the environment's when it trusts
        #: the environment: the blocking client's one rule, remembered per origin)
        self.proxies_from = proxies_from if proxies_from is not None else requests.Session()
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[float, str | None]] = {}
        self._timeouts: dict[Any, aiohttp.ClientTimeout] = {}

    def _session_now(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or session.closed:
            connector = aiohttp.TCPConnector(limit=self.limit, ssl=_ssl_context(self.verify))
            # trust_env off: aiohttp would look proxies and .netrc up in a thread for every
            # request; the proxies are chosen here instead (proxy_settings), once per origin
            session = self._session = aiohttp.ClientSession(
                connector=connector, trust_env=False, auto_decompress=True,
                skip_auto_headers=("User-Agent",))
        return session

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def sender(self, timeout: Timeout, limits: Limits | None) -> Callable[[Send], Any]:
        """What sends a flow's :class:`~specclient.transport.flow.Send` actions: the
        response, or :class:`~specclient.transport.flow.Failed` when none came."""
        async def send(action: Send) -> requests.Response | Failed:
            try:
                return await self.send(action.request, timeout, limits=limits,
                                       attempt=action.attempt, stream=action.stream)
            except requests.RequestException as exc:  # no answer: the flow decides
                return Failed(exc)
        return send

    def _timeout(self, t: Timeout, left: float | None) -> aiohttp.ClientTimeout:
        """aiohttp's timeout for one request: connect and read as given, and the total cut to
        what is left of the call's deadline, rounded down to a tenth of a second (so one
        object serves many requests; never a moment longer than the deadline)."""
        total = None if left is None else max(math.floor(left * 10) / 10, 0.001)
        key = (t, total)
        hit = self._timeouts.get(key)
        if hit is None:
            if len(self._timeouts) > 1024:
                self._timeouts.clear()
            hit = self._timeouts[key] = aiohttp.ClientTimeout(total=total, sock_connect=t[0],
                                                              sock_read=t[1])
        return hit

    #: Seconds a URL origin's proxy choice is kept before the environment is read again.
    PROXY_TTL = 1.0

    def _proxy(self, url: str) -> str | None:
        """The proxy for ``url`` by the blocking client's rule (:func:`proxy_settings`: the
        session's ``proxies``, then the environment's), kept per origin for
        :data:`PROXY_TTL` seconds: a proxy variable changed while the process runs applies
        within a second."""
        origin = "/".join(url.split("/", 3)[:3])
        now = time.monotonic()
        hit = self._proxies.get(origin)
        if hit is not None and hit[0] > now:
            return hit[1]
        proxies = proxy_settings(self.proxies_from, url)
        proxy = (proxies.get(url.split(":", 1)[0].lower()) or proxies.get("all")) \
            if proxies else None
        if len(self._proxies) > 256:
            self._proxies.clear()
        self._proxies[origin] = (now + self.PROXY_TTL, proxy)
        return proxy

    async def send(self, req: PreparedRequest, timeout: Timeout, *,
                   limits: Limits | None = None, attempt: int = 1,
                   stream: bool = False) -> requests.Response:
        """Send ``req`` once, exactly as built, never following a redirect; the answer with
        its body read within ``limits`` (``stream``: a 2xx answer's body left unread, a
        :class:`StreamedAnswer`). Raises ``requests``' exception kinds when no answer
        came, :class:`InsecureTransportError` (nothing sent), :class:`ResponseTooLargeError`."""
        limits = limits or DEFAULT_LIMITS
        last_checks(req, limits)
        observer = self.observer
        if observer is not None and observer.active:
            observer.request(req.operation, req, attempt)
            with observer.attempt_span(req, attempt):
                resp = await self._exchange(req, timeout, limits, stream)
                observer.response(req.operation, req, resp, attempt)
            return resp
        return await self._exchange(req, timeout, limits, stream)

    async def _exchange(self, req: PreparedRequest, timeout: Timeout,
                        limits: Limits, stream: bool = False) -> requests.Response:
        url = req.url
        if self.mock is not None:  # answered in process: nothing leaves the machine
            status, headers, body = self.mock.handle(req.method, url, dict(req.headers.items()),
                                                     req.body)
            if stream and 200 <= status < 300:
                return StreamedAnswer(url, status, "", list(headers.items()), 0.0,
                                      _chunks_of(body), _nothing)
            if len(body) > limits.max_response_bytes:
                raise too_large(req.operation, req, limits.max_response_bytes)
            return _response(url, status, "", list(headers.items()), body, 0.0)
        client_timeout = self._timeout(limits.timeout(timeout), limits.remaining())
        session = self._session_now()
        proxy = self._proxy(url)
        start = time.perf_counter()
        try:
            r = await session.request(req.method, URL(url, encoded=True), data=req.body,
                                      headers=dict(req.headers.items()), proxy=proxy,
                                      allow_redirects=False, timeout=client_timeout)
            if stream and 200 <= r.status < 300:  # the caller reads it, and releases it
                return StreamedAnswer(url, r.status, r.reason or "", list(r.headers.items()),
                                      time.perf_counter() - start, _arriving(r), r.release)
            try:
                limit = limits.max_response_bytes
                size = r.content_length
                if size is not None and size <= limit and "Content-Encoding" not in r.headers:
                    body = await r.read()  # its length is known and within the limit
                else:
                    body = await _read_within(r, limit, req)
                return _response(url, r.status, r.reason or "", r.headers.items(), body,
                                 time.perf_counter() - start)
            finally:
                r.release()  # read to its end (or refused): the connection goes back
        except aiohttp.ClientConnectorError as exc:  # never connected: safe to retry
            raise _never_connected(exc) from None
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            if isinstance(exc, aiohttp.ConnectionTimeoutError):
                raise _never_connected(exc, requests.exceptions.ConnectTimeout) from None
            raise requests.exceptions.ReadTimeout(f"{type(exc).__name__}: {exc}") from None
        except aiohttp.ClientPayloadError as exc:
            raise requests.exceptions.ChunkedEncodingError(f"{exc}") from None
        except aiohttp.ClientError as exc:
            raise requests.exceptions.ConnectionError(f"{type(exc).__name__}: {exc}") from None


class StreamedAnswer(requests.Response):
    """A 2xx answer whose body is left unread (``stream=True``): :meth:`achunks` reads it as
    it arrives (:meth:`specclient.Response.aiter_bytes`), :meth:`arelease` gives the
    connection back. Its headers and status are those of any answer."""

    def __init__(self, url: str, status: int, reason: str, headers: list[tuple[str, str]],
                 elapsed: float, chunks: Callable[[int], AsyncIterator[bytes]],
                 release: Callable[[], Any]):
        super().__init__()
        head = _response(url, status, reason, headers, b"", elapsed)
        self.status_code, self.reason, self.headers = status, reason, head.headers
        self.url, self.encoding, self.elapsed = url, head.encoding, head.elapsed
        self._chunks = chunks
        self._release = release

    def achunks(self, size: int) -> AsyncIterator[bytes]:
        """The body, decoded, in chunks of at most ``size`` bytes as they arrive."""
        return self._chunks(size)

    def arelease(self) -> None:
        """Give the connection back (a body not read to its end is dropped)."""
        self._release()

    def close(self) -> None:
        self._release()


async def _read_within(r: aiohttp.ClientResponse, limit: int, req: PreparedRequest) -> bytes:
    """The body, decoded, read in chunks and refused once past ``limit`` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = await r.content.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise too_large(req.operation, req, limit)
        chunks.append(chunk)


def _arriving(r: aiohttp.ClientResponse) -> Callable[[int], AsyncIterator[bytes]]:
    async def chunks(size: int) -> AsyncIterator[bytes]:
        try:
            while True:
                chunk = await r.content.read(size)
                if not chunk:
                    return
                yield chunk
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise requests.exceptions.ChunkedEncodingError(
                f"{type(exc).__name__}: {exc}") from None
    return chunks


def _chunks_of(body: bytes) -> Callable[[int], AsyncIterator[bytes]]:
    async def chunks(size: int) -> AsyncIterator[bytes]:
        for i in range(0, len(body), size):
            yield body[i:i + size]
    return chunks


def _nothing() -> None:
    return None


def _never_connected(exc: BaseException,
                     kind: type[requests.RequestException] = requests.exceptions.ConnectionError,
                     ) -> requests.RequestException:
    out = kind(f"{type(exc).__name__}: {exc}")
    out.never_connected = True  # type: ignore[attr-defined]
    return out


def _response(url: str, status: int, reason: str, headers: Iterable[tuple[str, str]], body: bytes,
              elapsed: float) -> requests.Response:
    """The answer as a ``requests.Response`` with its body read: what the shared decoding,
    validation and status checks take."""
    resp = requests.Response()
    resp.status_code = status
    resp.reason = reason
    merged = Headers()
    for name, value in headers:  # repeated headers joined as requests joins them
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    resp.headers = merged
    resp.url = url
    resp.encoding = get_encoding_from_headers(merged)
    resp.elapsed = datetime.timedelta(seconds=elapsed)
    resp.raw = io.BytesIO(body)  # read by resp.content: the body, already decoded
    return resp


def _ssl_context(verify: bool | str | None) -> ssl.SSLContext | bool:
    if verify is False:
        return False
    bundle = verify if isinstance(verify, str) else (
        os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE"))
    if bundle:
        return ssl.create_default_context(cafile=bundle)
    return ssl.create_default_context(cafile=certifi.where())
