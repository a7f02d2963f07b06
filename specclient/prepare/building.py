"""Building the HTTP request from bound, validated arguments."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

from ..errors import ArgumentError
from ..model import Operation, is_json
from ..request import Headers, PreparedRequest
from ..version import __version__
from .binding import BoundCall
from .jsoncodec import dumps
from .styles import header_text, path_text, query_pairs, scalar

__all__ = ["build", "base_headers", "encode_body", "USER_AGENT"]

USER_AGENT = f"specclient/{__version__}"
_BAD_HEADER_CHARS = ("\r", "\n", "\0")
#: RFC 9110 token characters: what a header name may contain.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
#: Header names already found to be valid tokens (bounded: names come from specs and callers).
_GOOD_NAMES: set[str] = set()
_NONE: frozenset[str] = frozenset()
#: Deeper JSON than this is refused before encoding or validation (which recurse per level).
MAX_DEPTH = 100


def json_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply ``value`` nests lists and dicts, counted without recursion; stops counting
    once past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, (list, tuple)):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _too_deep(operation: str, value: Any, raw: bytes | None = None) -> None:
    """Refuse ``value`` if it nests more than :data:`MAX_DEPTH` levels.

    ``raw``, when given, is ``value`` as JSON text: each list or dict in ``value`` is one
    ``[`` or ``{`` there (text inside strings can only add to the count), so when there are
    at most MAX_DEPTH of them the value cannot be too deep and is not walked at all.
    """
    if raw is not None and raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return
    if json_depth(value) > MAX_DEPTH:
        raise ArgumentError(operation, f"body is nested more than {MAX_DEPTH} levels deep; "
                                       f"refused", "body")


_scalar = scalar


def _simple(value: Any) -> str:
    """OpenAPI's ``simple`` style: lists joined with commas."""
    if isinstance(value, (list, tuple)):
        return ",".join(_scalar(v) for v in value)
    return _scalar(value)


def encode_body(operation: str, content_type: str, body: Any,
                encoding: Mapping[str, Any] | None = None) -> tuple[bytes, Any]:
    """The body's bytes for ``content_type``, and its decoded JSON value (None if not JSON).

    Bytes and str are sent as given (for JSON they are parsed only to be validated and signed,
    so a body received from elsewhere goes out byte for byte unchanged).
    """
    if is_json(content_type):
        if isinstance(body, (bytes, str)):
            raw = body.encode() if isinstance(body, str) else body
            try:
                value = json.loads(raw)
            except RecursionError:
                raise ArgumentError(operation, f"body is nested more than {MAX_DEPTH} levels "
                                               f"deep; refused", "body") from None
            except ValueError as exc:
                raise ArgumentError(operation, f"body is not valid JSON: {exc}", "body") \
                    from None
            _too_deep(operation, value, raw)
            return raw, value
        try:
            raw = dumps(body)  # compact, UTF-8 as is, no NaN
        except RecursionError:
            _too_deep(operation, body)
            raise  # pragma: no cover - only a body nested too deeply exhausts the stack
        except (TypeError, ValueError) as exc:
            _too_deep(operation, body)  # a body too deep (or circular) says so first
            raise ArgumentError(operation, f"body cannot be sent as JSON: {exc}", "body") \
                from None
        _too_deep(operation, body, raw)  # encoded first: the JSON text bounds the depth
        return raw, body
    if isinstance(body, bytes):
        return body, None
    if isinstance(body, str):
        return body.encode(), None
    if is_multipart(content_type) and isinstance(body, Mapping):
        from .multipart import MultipartError  # the encoder only for such a body (start-up)
        from .multipart import encode as encode_multipart  # (start-up)

        # the fields as validation sees them (a file as "<file NAME, N bytes>") go with it
        try:
            raw, _, view = encode_multipart(body)
        except MultipartError as exc:
            raise ArgumentError(operation, f"cannot send the body as multipart/form-data: "
                                           f"{exc}", "body") from None
        return raw, view
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        if not isinstance(body, Mapping):
            raise ArgumentError(operation, "a form body must be a mapping", "body")
        from .form import encode as encode_form  # only for a form body (start-up)

        return encode_form(operation, body, encoding), None
    raise ArgumentError(operation, f"cannot encode a {type(body).__name__} as {content_type}; "
                                   f"pass bytes or str", "body")


@functools.lru_cache(maxsize=512)  # a few content types, asked on every call
def is_multipart(content_type: str | None) -> bool:
    """Whether a Content-Type is ``multipart/form-data`` (the encoder itself is imported only
    for such a body)."""
    return bool(content_type) and \
        content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"  # type: ignore[union-attr]


def _content_type(declared: str, body: bytes) -> str:
    """The declared Content-Type; for multipart without a boundary, with the one the body
    starts with (``--BOUNDARY`` on the first line, as the encoder writes it)."""
    if not is_multipart(declared) or "boundary=" in declared.lower() or body[:2] != b"--":
        return declared
    first = body.split(b"\r\n", 1)[0][2:]
    if not first or len(first) > 70 or not _BOUNDARY.match(first):
        return declared
    return f"{declared}; boundary={first.decode('ascii')}"


#: RFC 2046 boundary characters (without the space, which may not end one).
_BOUNDARY = re.compile(rb"^[0-9A-Za-z'()+_,./:=?-]+$")


def base_headers(op: Operation) -> Headers:
    """The headers every request of ``op`` starts with: User-Agent, Accept (when a response is
    JSON) and the service's default headers (which may replace either)."""
    headers = Headers()
    headers["User-Agent"] = USER_AGENT
    if any(is_json(r.content_type) for r in op.responses.values()):
        headers["Accept"] = "application/json"
    for k, v in (op.service.defaults.get("headers") or {}).items():
        headers[k] = v
    return headers


def build(
    bound: BoundCall,
    base_url: str,
    body_bytes: bytes | None,
    body_json: Any,
    extra_headers: Mapping[str, str] | None = None,
    base: Headers | None = None,
) -> PreparedRequest:
    """The request for ``bound``: URL with encoded path and query, headers, body bytes.

    ``base``: ``base_headers(bound.operation)``, when the caller keeps it per operation (it is
    copied, never changed)."""
    op = bound.operation
    name = op.full_name

    params = op.parameters_by_name
    path = op.path
    for pname, value in bound.path.items():
        p = params[pname]
        if p.style or value.__class__ in (list, tuple, dict) or isinstance(value, Mapping):
            text = path_text(p, value)  # a style's delimiters literal, each value encoded
        else:
            text = quote(_scalar(value), safe="")
        if text in ("", ".", ".."):
            raise ArgumentError(name, f"path parameter {pname!r} cannot be "
                                      f"{unquote(text)!r}", pname)
        # Every reserved character in a value is escaped ("/" too), so a value stays inside
        # its segment; a whole "." or ".." (the only values that could still move the path) is
        # refused.
        path = path.replace("{" + pname + "}", text)

    query: list[tuple[str, str]] = []
    for pname, value in bound.query.items():
        p = params[pname]
        if p.style or p.explode is not None or isinstance(value, Mapping):
            query.extend(query_pairs(name, p, value))
        elif isinstance(value, (list, tuple)):
            query.extend((pname, _scalar(v)) for v in value)
        else:
            query.append((pname, _scalar(value)))

    headers = (base if base is not None else base_headers(op)).copy()
    if body_bytes is not None and op.body is not None:
        headers["Content-Type"] = _content_type(op.body.content_type, body_bytes)
    explicit = bound.header
    if extra_headers:
        explicit = {**explicit, **extra_headers}
    for hname, value in explicit.items():
        if value.__class__ is str:
            text = value
        elif isinstance(value, Mapping) and hname in bound.header:
            text = header_text(params[hname], value)
        else:
            text = _simple(value)
        if hname not in _GOOD_NAMES:
            if not _TOKEN.match(hname):
                raise ArgumentError(name, f"header name {hname!r} is not a valid HTTP token; "
                                          f"refused", hname)
            if len(_GOOD_NAMES) < 4096:
                _GOOD_NAMES.add(hname)
        if "\r" in text or "\n" in text or "\0" in text:  # _BAD_HEADER_CHARS
            raise ArgumentError(name, f"header {hname!r}: the value contains a line break "
                                      f"(CR/LF) or NUL; refused (header injection)", hname)
        if not text.isascii():
            try:
                text.encode("latin-1")
            except UnicodeEncodeError:
                raise ArgumentError(name, f"header {hname!r}: the value has characters HTTP "
                                          f"headers cannot carry (only Latin-1); refused",
                                    hname) from None
        headers[hname] = text

    return PreparedRequest(
        operation=name, method=op.method, base_url=base_url, path=path, query=query,
        headers=headers, body=body_bytes,
        json_body=body_json if body_bytes is not None else None,
        explicit_headers=frozenset(map(str.lower, explicit)) if explicit else _NONE,
        path_params=dict(bound.path),
    )

