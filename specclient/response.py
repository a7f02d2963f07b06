"""Decoding responses by content type and validating them against their declared schema."""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, Literal, NamedTuple

import requests
import urllib3

from .errors import (
    ClientError,
    ConnectionError,
    RedirectError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    ValidationError,
    Violation,
)
from .model import Operation, is_binary, is_json
from .redaction import Redactor
from .request import PreparedRequest

__all__ = ["Response", "RequestView", "decode", "ResponseValidation"]

log = logging.getLogger("specclient")

ResponseValidation = Literal["strict", "warn", "off"]
MODES = ("strict", "warn", "off")


class Response:
    """The API's answer: ``status_code``, ``headers``, ``data`` and ``http`` (the underlying
    :class:`requests.Response`).

    ``data`` is the decoded body: JSON as Python values, text for a textual content type,
    ``bytes`` for a binary one (``image/png``, ``application/pdf``, ``application/octet-stream``
    ...; see :func:`decode`), None for an empty body — or for a streamed one (``stream=True``),
    read with :meth:`iter_bytes`. ``redactor`` knows the secrets the request carried:
    :meth:`redacted_headers`, :meth:`redacted_data` and :attr:`request` are what may be shown
    (logged, printed, written to a results file)."""

    __slots__ = ("operation", "status_code", "headers", "data", "http", "attempts", "redactor",
                 "streamed", "_sent", "_limit")

    def __init__(self, operation: str, http: requests.Response, data: Any, attempts: int = 1,
                 redactor: Redactor | None = None, *, sent: PreparedRequest | None = None,
                 streamed: bool = False, limit: int | None = None):
        self.operation = operation
        self.redactor = redactor if redactor is not None else Redactor()
        self.http = http
        self.status_code: int = http.status_code
        self.headers: Mapping[str, str] = http.headers
        self.data = data
        self.attempts = attempts
        #: True when the body was left unread for :meth:`iter_bytes` (``stream=True``).
        self.streamed = streamed
        self._sent = sent
        self._limit = limit

    @property
    def ok(self) -> bool:
        """True for a 2xx answer: never for a redirect that was not followed, nor an error."""
        return self.status_code < 300

    @property
    def text(self) -> str:
        return self.http.text

    @property
    def url(self) -> str:
        """The URL the answer came from (after any redirect followed), with every secret it
        carries (an API key in the query) shown as ``***``."""
        url = self._sent.url if self._sent is not None else (self.http.url or "")
        return self.redactor.url(url)

    @property
    def elapsed(self) -> datetime.timedelta:
        """Time from sending the (last) request to the answer's headers."""
        return self.http.elapsed

    @property
    def links(self) -> dict[str, dict[str, str]]:
        """The ``Link`` header parsed, by ``rel``: ``resp.links["next"]["url"]`` (as
        ``requests`` parses it; empty without one)."""
        return self.http.links

    @property
    def request(self) -> RequestView | None:
        """The request as sent (the last attempt), every secret shown as ``***``."""
        if self._sent is None:
            return None
        view = self._sent.redacted()
        return RequestView(view["method"], view["url"], view["headers"], view["body"])

    def iter_bytes(self, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        """The body as it arrives, decoded (gzip...) in chunks, for ``stream=True``; without
        streaming, the body read already, in one chunk. The connection is released at the
        end (or by :meth:`close`). A limit set with ``max_response_bytes`` (client, operation
        or service) still holds: :class:`ResponseTooLargeError` past it."""
        if not self.streamed:
            if self.http.content:
                yield self.http.content
            return
        if hasattr(self.http, "achunks"):
            raise TypeError("this body streams from an AsyncClient: read it with "
                            "`async for chunk in resp.aiter_bytes()`")
        total = 0
        raw = self.http.raw
        chunks = _arriving(raw, chunk_size) if isinstance(raw, urllib3.HTTPResponse) \
            else self.http.iter_content(chunk_size)
        try:
            for chunk in chunks:
                total += len(chunk)
                self._within_limit(total)
                yield chunk
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise self._cut_short(exc) from None
        finally:
            self.http.close()

    def _within_limit(self, total: int) -> None:
        if self._limit is not None and total > self._limit:
            raise ResponseTooLargeError(
                self.operation, f"the streamed response body is larger than "
                                f"{self._limit:,} bytes (decoded); not read further",
                self._limit, self.attempts)

    def _cut_short(self, exc: BaseException) -> ConnectionError:
        return ConnectionError(self.operation, f"the response body was cut short "
                                               f"({self.url}): "
                               f"{self.redactor.text(type(exc).__name__ + ': ' + str(exc))}",
                               self.attempts)

    async def aiter_bytes(self, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """:meth:`iter_bytes` for a response of an :class:`~specclient.AsyncClient` called
        with ``stream=True``: the body, decoded, in chunks as they arrive; the connection is
        given back at the end (or by :meth:`aclose`). ``max_response_bytes`` still holds."""
        if not self.streamed or not hasattr(self.http, "achunks"):
            for chunk in self.iter_bytes(chunk_size):
                yield chunk
            return
        total = 0
        try:
            async for chunk in self.http.achunks(chunk_size):
                total += len(chunk)
                self._within_limit(total)
                yield chunk
        except requests.RequestException as exc:
            raise self._cut_short(exc) from None
        finally:
            self.http.close()

    def close(self) -> None:
        """Release the connection (a streamed body not read to its end is dropped)."""
        self.http.close()

    async def aclose(self) -> None:
        """:meth:`close`, for ``await`` (an AsyncClient's streamed response)."""
        self.http.close()

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.http.close()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def redacted_headers(self) -> dict[str, str]:
        """The response's headers, with any secret the server echoed shown as ``***``."""
        return self.redactor.headers(self.headers)

    def redacted_data(self) -> Any:
        """``data``, with any secret the server echoed shown as ``***``."""
        if isinstance(self.data, bytes):
            return self.data
        return self.redactor.value(self.data)

    def __repr__(self) -> str:
        return f"<Response {self.operation}: {self.status_code}>"


def _arriving(raw: urllib3.HTTPResponse, size: int) -> Iterator[bytes]:
    """A body's bytes as they arrive (at most ``size`` at a time, decoded): never waiting for
    a whole chunk when some bytes are there already."""
    while True:
        chunk = raw.read1(size, decode_content=True)
        if not chunk:
            return
        yield chunk


class RequestView(NamedTuple):
    """A request as sent, for showing: every secret value shown as ``***``. ``body`` is the
    decoded JSON value when the body is JSON, else text, else None."""

    method: str
    url: str
    headers: dict[str, str]
    body: Any


def decode(op: Operation, http: requests.Response,
           request: PreparedRequest | None = None) -> Any:
    """The body as a Python value: JSON when the response (or the spec) says JSON; bytes for a
    binary content type (:func:`is_binary`, the response's own else the spec's; with none, the
    bytes when they are not UTF-8); else text. None when empty. A body declared JSON that is
    not JSON raises :class:`ResponseDecodeError`
    for success statuses; for error statuses the text is kept so the API error is not masked.
    ``request`` (as sent) lets the error's excerpt of the body hide any secret echoed back."""
    raw = http.content
    if not raw:
        return None
    declared = op.response_for(http.status_code)
    got = http.headers.get("Content-Type", "")
    want_json = is_json(got) or (declared is not None and is_json(declared.content_type))
    if not want_json:
        if is_binary(got or (declared.content_type if declared is not None else None)):
            return raw  # an image, a PDF, a download: the bytes as received
        if not got:  # no content type: text if it is UTF-8, else the bytes
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw
            return text if text.strip() else None
        return http.text if raw.strip() else None
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        if http.status_code >= 400:
            return http.text
        why = "nested too deeply to decode" if isinstance(exc, RecursionError) else str(exc)
        ctype = f"Content-Type {got}" if got else "no Content-Type"
        declared_ct = declared.content_type if declared is not None else None
        want = f"declared {declared_ct}" if declared_ct else "JSON by its Content-Type"
        raise ResponseDecodeError(
            op.full_name,
            f"HTTP {http.status_code} response body is not JSON ({want}; got {ctype}; "
            f"{len(raw)} bytes): {why}; body starts with "
            f"{(request.secrets if request is not None else Redactor()).excerpt(raw)}",
            http.status_code,
        ) from None


def validate(op: Operation, status: int, data: Any, mode: str,
             validators: Any, redactor: Redactor | None = None) -> None:
    """Check ``data`` against the schema declared for ``status``, by ``mode``; the violations
    (raised or logged) show the secrets ``redactor`` knows as ``***``."""
    if mode == "off":
        return
    validator = validators.response(status)
    if validator is None:
        return
    if isinstance(data, (bytes, bytearray)):
        # a binary body (an image, an archive): its schema can only say "a string of bytes"
        # (type: string, format: binary), which JSON Schema cannot check on bytes
        return
    try:
        violations = validator.violations(data, "response")
    except RecursionError:
        violations = [Violation("response", "nested too deeply to validate", "depth")]
    if not violations:
        return
    if redactor is not None:
        violations = redactor.violations(violations)
    err = ValidationError(op.full_name, violations, what=f"HTTP {status} response")
    if mode == "strict":
        raise err
    log.warning("%s", err)


def check_status(op: Operation, resp: Response, request: PreparedRequest | None = None, *,
                 not_followed: str | None = None) -> None:
    """Raise :class:`RedirectError` / :class:`ClientError` / :class:`ServerError` for a 3xx
    (not followed: ``not_followed`` says why) / 4xx / 5xx response.

    ``request`` (the request as sent) names the method and URL in the message and redacts any
    secret the API echoed back in its error body or its ``Location``."""
    if resp.status_code < 300:
        return
    text = resp.http.text
    where = ""
    if request is not None:
        text = request.secrets.text(text)
        where = f"{request.method} {request.secrets.url(request.url)}"
    if resp.status_code < 400:
        location = resp.headers.get("Location")
        if location is not None and request is not None:
            location = request.secrets.url(location)
        raise RedirectError(op.full_name, resp.status_code, resp.headers, resp.data,
                            location=location, why=not_followed or "not a redirect to follow",
                            response=resp, attempts=resp.attempts, request=where,
                            reason=resp.http.reason or "")
    cls = ClientError if resp.status_code < 500 else ServerError
    raise cls(op.full_name, resp.status_code, resp.headers, resp.data, text=text,
              response=resp, attempts=resp.attempts, request=where,
              reason=resp.http.reason or "")
