"""``specclient.AsyncClient``: the same calls as :class:`~specclient.Client`, awaited.

It is a :class:`~specclient.Client` whose I/O methods are coroutines: ``await call(...)``,
``await prepare(...)``, ``await client.thirdwatch.order_status(body=...)``, ``async for`` over
``paginate(...)``, ``async with``. Binding, building, validation, auth and signing, the
exchange (retries, the 401 round, redirects: :mod:`specclient.transport.flow`), decoding,
validation of the answer and redaction are the client's own code; only the I/O differs:
:class:`~specclient.aio.transport.AsyncTransport` (aiohttp), ``asyncio.sleep`` between
attempts, and OAuth2 tokens fetched once however many tasks wait (one ``asyncio.Lock`` per
token). ``verify_webhook`` does no I/O and is the client's own, not a coroutine.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import requests

from ..auth.oauth2 import TokenFetch
from ..client import Client
from ..errors import MissingCredentialError, PaginationError, SpecClientError
from ..model import Operation
from ..pagination import PageWalk, Pagination
from ..prepare.binding import MISSING
from ..request import PreparedRequest
from ..response import Response
from ..transport.flow import Flow, Send, Sent, advance, perform
from ..transport.limits import Limits
from .transport import AsyncTransport

__all__ = ["AsyncClient", "AsyncPaginator", "arun"]


async def arun(flow: Flow, send: Callable[[Send], Awaitable[Any]],
               authenticate: Callable[[PreparedRequest], Awaitable[None]]) -> Sent:
    """Drive an exchange flow with async I/O: :func:`specclient.transport.flow.run`, each
    action's I/O awaited."""
    result: Any = None
    while not isinstance(step := advance(flow, result), Sent):
        result = await perform(step, send, authenticate, asyncio.sleep)
    return step


class AsyncClient(Client):
    """An asyncio client: the same arguments as :class:`~specclient.Client` (``session`` aside:
    requests' sessions do no async I/O), plus ``connections``: how many may be open at once.
    Use it in ``async with``, or ``await client.aclose()``."""

    def __init__(self, *args: Any, connections: int = 100, **kwargs: Any):
        if kwargs.get("session") is not None:
            raise TypeError("AsyncClient takes no requests.Session (it sends with aiohttp)")
        super().__init__(*args, **kwargs)
        self.atransport = AsyncTransport(self._verify, observer=self._observer,
                                         mock=self.mock, limit=connections,
                                         proxies_from=self.session)
        self._token_locks: dict[Any, asyncio.Lock] = {}

    @classmethod
    def twin_of(cls, client: Client, *, connections: int = 100) -> AsyncClient:
        """An async client sharing ``client``'s specs, credentials, settings, plans, hooks and
        token cache (a batch run on the async engine for a blocking client's caller)."""
        twin = cls.__new__(cls)
        twin.__dict__.update(vars(client))
        twin.atransport = AsyncTransport(client._verify, observer=client._observer,
                                         mock=client.mock, limit=connections,
                                         proxies_from=client.session)
        twin._token_locks = {}
        return twin

    # ------------------------------------------------------------------ calling

    async def call(self, name: str, /, body: Any = MISSING, *,  # type: ignore[override]
                   timeout: float | tuple[float, float] | None = None,
                   response_validation: str | None = None, raise_for_status: bool = True,
                   extra_headers: Mapping[str, str] | None = None,
                   environment: str | None = None, base_url: str | None = None,
                   stream: bool = False, **params: Any) -> Response:
        """:meth:`specclient.Client.call`, awaited. With ``stream=True`` a 2xx body is left
        unread: ``async for chunk in resp.aiter_bytes()`` reads it as it arrives (within
        ``max_response_bytes``), and ``await resp.aclose()`` (or ``async with resp``) gives
        the connection back early."""
        op, mode, t = self._call_settings(name, response_validation, timeout)
        observer = self._observer
        try:
            base = self._build(op, body, params, extra_headers, environment, base_url)
            if not observer.active:
                return await self._asend(op, base, t, mode, raise_for_status, base_url, stream)
            with observer.call_span(op.full_name, base, base.base_url + op.path) as span:
                resp = await self._asend(op, base, t, mode, raise_for_status, base_url, stream)
                observer.ended(span, resp)
            return resp
        except SpecClientError as exc:
            if observer.active:
                observer.error(op.full_name, exc)
            raise

    async def _asend(self, op: Operation, base: PreparedRequest, t: tuple[float, float],
                     mode: str, raise_for_status: bool, base_url: str | None,
                     stream: bool = False) -> Response:
        ctx, flow, limits = self._exchange(op, base, t, base_url, stream)
        outcome = await arun(flow, self.atransport.sender(t, limits),
                             lambda req: self._aauthenticate(op, req, ctx, limits))
        return self._finish(op, outcome, mode, raise_for_status, stream)

    async def prepare(self, name: str, /, body: Any = MISSING, *,  # type: ignore[override]
                      extra_headers: Mapping[str, str] | None = None,
                      environment: str | None = None, base_url: str | None = None,
                      dry_run: bool = False, **params: Any) -> PreparedRequest:
        """:meth:`specclient.Client.prepare`, awaited (an OAuth2 token is fetched with
        async I/O unless ``dry_run``)."""
        op = self._catalog.operation(name)
        req = self._build(op, body, params, extra_headers, environment, base_url)
        t = self._timeout_for(op)
        ctx = self._auth_context(op, t, dry_run, base_url)
        await self._aauthenticate(op, req, ctx, self._limits(op, None))
        return req

    async def _aauthenticate(self, op: Operation, req: PreparedRequest, ctx: Any,
                             limits: Limits) -> None:
        """Each auth scheme's flow, its token fetches awaited; then signing (no I/O)."""
        try:
            for scheme in op.auth:
                flow = scheme.flow(req, ctx)
                result: Any = None
                while True:
                    try:
                        fetch = flow.send(result)
                    except StopIteration:
                        break
                    result = await self._token(fetch, limits)
            for signer in op.signing:
                signer.sign(req, self._credentials)
        except MissingCredentialError as exc:
            raise self._all_missing(op, exc) from None

    async def _token(self, fetch: TokenFetch, limits: Limits) -> str:
        """A token fetched once however many tasks need it (single flight per key)."""
        lock = self._token_locks.get(fetch.key)
        if lock is None:
            lock = self._token_locks[fetch.key] = asyncio.Lock()
        async with lock:
            token = fetch.cached()  # fetched by another task while this one waited
            if token is not None:
                return token
            req = fetch.request()
            try:
                resp = await self.atransport.send(req, fetch.ctx.timeout, limits=limits)
            except requests.RequestException as exc:
                raise fetch.failed(req, exc) from None
            return fetch.accept(req, resp)

    def paginate(self, name: str, /, body: Any = MISSING, *,  # type: ignore[override]
                 max_items: int | None = None, max_pages: int | None = None,
                 **kwargs: Any) -> AsyncPaginator:
        """:meth:`specclient.Client.paginate` as an async iterator of items (``async for``);
        ``.pages()`` iterates the responses."""
        op = self._catalog.operation(name)
        if op.pagination is None:
            raise PaginationError(f"{op.full_name} declares no pagination (add a pagination: "
                                  f"entry to the operation or its service's defaults)")
        return AsyncPaginator(self, op, body, kwargs, op.pagination, max_items, max_pages)

    # ------------------------------------------------------------------ lifecycle

    async def aclose(self) -> None:
        """Close the connections (and the session this client made)."""
        await self.atransport.aclose()
        self.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<specclient.AsyncClient: {len(self._catalog.service_names())} services>"


class AsyncPaginator:
    """Items of every page, fetched as they are iterated (``async for item in ...``);
    :meth:`pages` gives the responses. The next-page rule is the blocking client's
    (:class:`~specclient.pagination.Pagination`), and so is the refusal of a link to another
    origin."""

    def __init__(self, client: AsyncClient, op: Operation, body: Any, kwargs: dict[str, Any],
                 pagination: Pagination, max_items: int | None, max_pages: int | None):
        self._client = client
        self._op = op
        self._body = body
        self._kwargs = kwargs
        self.pagination = pagination
        self.max_items = max_items
        self.max_pages = max_pages

    async def pages(self) -> AsyncIterator[Response]:
        client, op = self._client, self._op
        kwargs = dict(self._kwargs)
        t = client._timeout_for(op, kwargs.pop("timeout", None))
        mode = kwargs.pop("response_validation", None) or client.response_validation
        base_url = kwargs.pop("base_url", None)
        extra_headers = kwargs.pop("extra_headers", None)
        environment = kwargs.pop("environment", None)
        first = client._build(op, self._body, kwargs, extra_headers, environment, base_url)
        walk = PageWalk(op.full_name, self.pagination, first)
        count = 0
        while True:
            resp = await client._asend(op, walk.request, t, mode, True, base_url)
            yield resp
            count += 1
            if self.max_pages is not None and count >= self.max_pages:
                return
            if not walk.advance(resp):
                return

    async def __aiter__(self) -> AsyncIterator[Any]:
        count = 0
        async for resp in self.pages():
            for item in self.pagination.items_of(resp.data):
                yield item
                count += 1
                if self.max_items is not None and count >= self.max_items:
                    return
