"""Building the HTTP request from bound, validated arguments."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from requests.structures import CaseInsensitiveDict

from . import __version__
from .binding import BoundCall
from .errors import ArgumentError
from .model import is_json
from .request import PreparedRequest

__all__ = ["build", "encode_body", "USER_AGENT"]

USER_AGENT = f"specclient/{__version__}"
_BAD_HEADER_VALUE = re.compile("[\r\n\0]")
_BAD_HEADER_NAME = re.compile("[:\r\n\0 ]")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _simple(value: Any) -> str:
    """OpenAPI's ``simple`` style: lists joined with commas."""
    if isinstance(value, (list, tuple)):
        return ",".join(_scalar(v) for v in value)
    return _scalar(value)


def encode_body(operation: str, content_type: str, body: Any) -> tuple[bytes, Any]:
    """The body's bytes for ``content_type``, and its decoded JSON value (None if not JSON).

    Bytes and str are sent as given (for JSON they are parsed only to be validated and signed,
    so a body received from elsewhere goes out byte for byte unchanged).
    """
    if is_json(content_type):
        if isinstance(body, (bytes, str)):
            raw = body.encode() if isinstance(body, str) else body
            try:
                return raw, json.loads(raw)
            except ValueError as exc:
                raise ArgumentError(operation, f"body is not valid JSON: {exc}", "body") \
                    from None
        try:
            raw = json.dumps(body, ensure_ascii=False, separators=(",", ":"),
                             allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise ArgumentError(operation, f"body cannot be sent as JSON: {exc}", "body") \
                from None
        return raw, body
    if isinstance(body, bytes):
        return body, None
    if isinstance(body, str):
        return body.encode(), None
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        if not isinstance(body, Mapping):
            raise ArgumentError(operation, "a form body must be a mapping", "body")
        pairs = []
        for k, v in body.items():
            for item in (v if isinstance(v, (list, tuple)) else [v]):
                pairs.append((k, _scalar(item)))
        return urlencode(pairs).encode(), None
    raise ArgumentError(operation, f"cannot encode a {type(body).__name__} as {content_type}; "
                                   f"pass bytes or str", "body")


def build(
    bound: BoundCall,
    base_url: str,
    body_bytes: bytes | None,
    body_json: Any,
    extra_headers: Mapping[str, str] | None = None,
) -> PreparedRequest:
    """The request for ``bound``: URL with encoded path and query, headers, body bytes."""
    op = bound.operation
    name = op.full_name

    path = op.path
    for pname, value in bound.path.items():
        text = _simple(value)
        if text in ("", ".", ".."):
            raise ArgumentError(name, f"path parameter {pname!r} cannot be {text!r}", pname)
        path = path.replace("{" + pname + "}", quote(text, safe=""))

    query: list[tuple[str, str]] = []
    for pname, value in bound.query.items():
        if isinstance(value, (list, tuple)):
            query.extend((pname, _scalar(v)) for v in value)
        else:
            query.append((pname, _scalar(value)))

    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    headers["User-Agent"] = USER_AGENT
    if any(is_json(r.content_type) for r in op.responses.values()):
        headers["Accept"] = "application/json"
    for k, v in (op.service.defaults.get("headers") or {}).items():
        headers[k] = v
    if body_bytes is not None and op.body is not None:
        headers["Content-Type"] = op.body.content_type
    explicit = dict(bound.header)
    explicit.update(extra_headers or {})
    for hname, value in explicit.items():
        text = _simple(value)
        if _BAD_HEADER_VALUE.search(text) or _BAD_HEADER_NAME.search(hname):
            raise ArgumentError(name, f"header {hname!r} contains a line break, NUL or bad "
                                      f"character; refused", hname)
        headers[hname] = text

    return PreparedRequest(
        operation=name, method=op.method, base_url=base_url, path=path, query=query,
        headers=headers, body=body_bytes,
        json_body=body_json if body_bytes is not None else None,
        explicit_headers=frozenset(h.lower() for h in explicit),
        path_params=dict(bound.path),
    )

