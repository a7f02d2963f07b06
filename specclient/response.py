"""Decoding responses by content type and validating them against their declared schema."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, Literal

import requests

from .errors import (
    ClientError,
    RedirectError,
    ResponseDecodeError,
    ServerError,
    ValidationError,
    Violation,
)
from .model import Operation, is_json
from .redaction import Redactor
from .request import PreparedRequest

__all__ = ["Response", "decode", "ResponseValidation"]

log = logging.getLogger("specclient")

ResponseValidation = Literal["strict", "warn", "off"]
MODES = ("strict", "warn", "off")


class Response:
    """The API's answer: ``status_code``, ``headers``, ``data`` (decoded JSON, text, or None for
    an empty body) and ``http`` (the underlying :class:`requests.Response`). ``redactor``
    knows the secrets the request carried: :meth:`redacted_headers` and :meth:`redacted_data`
    are what may be shown (logged, printed, written to a results file)."""

    __slots__ = ("operation", "status_code", "headers", "data", "http", "attempts", "redactor")

    def __init__(self, operation: str, http: requests.Response, data: Any, attempts: int = 1,
                 redactor: Redactor | None = None):
        self.operation = operation
        self.redactor = redactor if redactor is not None else Redactor()
        self.http = http
        self.status_code: int = http.status_code
        self.headers: Mapping[str, str] = http.headers
        self.data = data
        self.attempts = attempts

    @property
    def ok(self) -> bool:
        """True for a 2xx answer: never for a redirect that was not followed, nor an error."""
        return self.status_code < 300

    @property
    def text(self) -> str:
        return self.http.text

    def redacted_headers(self) -> dict[str, str]:
        """The response's headers, with any secret the server echoed shown as ``***``."""
        return self.redactor.headers(self.headers)

    def redacted_data(self) -> Any:
        """``data``, with any secret the server echoed shown as ``***``."""
        return self.redactor.value(self.data)

    def __repr__(self) -> str:
        return f"<Response {self.operation}: {self.status_code}>"


def decode(op: Operation, http: requests.Response,
           request: PreparedRequest | None = None) -> Any:
    """The body as a Python value: JSON when the response (or the spec) says JSON, else text;
    None when empty. A body declared JSON that is not JSON raises :class:`ResponseDecodeError`
    for success statuses; for error statuses the text is kept so the API error is not masked.
    ``request`` (as sent) lets the error's excerpt of the body hide any secret echoed back."""
    raw = http.content
    if not raw or not raw.strip():
        return None
    declared = op.response_for(http.status_code)
    got = http.headers.get("Content-Type", "")
    want_json = is_json(got) or (declared is not None and is_json(declared.content_type))
    if not want_json:
        return http.text
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
