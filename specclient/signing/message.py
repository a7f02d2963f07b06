"""The parts of a request a template reads (:class:`MessageParts`, and the received side's),
headers looked up case-insensitively, a form body's fields, and a precomputed HMAC key."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..prepare.jsoncodec import dumps
from ..record import Record
from .template import body_field

__all__ = ["MessageParts", "ReceivedParts", "HeaderLookup", "HmacKey", "to_bytes", "FORM",
           "is_form", "form_pairs", "form_fields", "form_sorted"]

FORM = "application/x-www-form-urlencoded"

_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class HmacKey:
    """HMAC (RFC 2104) under one key, with the key's inner and outer hash states computed once.

    ``digest(message)`` is ``hmac.new(key, message, algorithm).digest()``: H((K ^ opad) ||
    H((K ^ ipad) || message)), K the key padded to the hash's block size (hashed first if
    longer). Each message then costs two copies of a hash state and two short updates, instead
    of setting up an HMAC context again (the same construction as the standard library's own
    pure-Python HMAC; compared with ``hmac.new`` in tests/test_perf_signing.py).
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, algorithm: str, key: bytes):
        block = hashlib.new(algorithm).block_size
        if len(key) > block:
            key = hashlib.new(algorithm, key).digest()
        key = key.ljust(block, b"\0")
        self._inner = hashlib.new(algorithm, key.translate(_IPAD))
        self._outer = hashlib.new(algorithm, key.translate(_OPAD))

    def digest(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def __repr__(self) -> str:
        return "<HmacKey>"  # nothing about the key


def is_form(content_type: str | None) -> bool:
    """True when ``content_type`` is ``application/x-www-form-urlencoded`` (any parameters)."""
    return bool(content_type) and \
        str(content_type).split(";", 1)[0].strip().lower() == FORM


def form_pairs(raw: bytes) -> list[tuple[str, str]]:
    """A form body's (name, value) pairs, decoded (``+`` is a space), in order; blank values
    kept. Raises ValueError (UnicodeDecodeError) for bytes that are not UTF-8."""
    return parse_qsl(raw.decode("utf-8"), keep_blank_values=True)


def form_fields(raw: bytes) -> dict[str, Any]:
    """A form body as ``{body.X}`` reads it: each field's text; a field given more than once is
    the list of its values (``{body.tag[1]}``)."""
    out: dict[str, Any] = {}
    for name, value in form_pairs(raw):
        if name not in out:
            out[name] = value
        elif isinstance(out[name], list):
            out[name].append(value)
        else:
            out[name] = [out[name], value]
    return out


def form_sorted(raw: bytes) -> bytes:
    """``{form_sorted}``: each form parameter's name and value, concatenated, sorted by name
    (then value; a repeated identical pair counts once) -- what Twilio signs after the URL."""
    pairs = form_pairs(raw)
    return "".join(name + value for name, value in sorted(set(pairs))).encode()


class MessageParts(Record):
    """The parts of an HTTP message a signing template can refer to.

    ``body`` is the decoded JSON body, or None; a form body (by the ``Content-Type`` in
    ``headers``, else ``content_type``: the declared body type, when the headers carry none) is
    read from ``raw_body`` when a field needs it."""

    __slots__ = ("method", "url", "headers", "raw_body", "body", "generated", "content_type")
    _fields = __slots__

    def __init__(self, method: str, url: str, headers: Mapping[str, str], raw_body: bytes,
                 body: Any, generated: dict[str, str], content_type: str | None = None):
        self.method = method
        self.url = url
        self.headers = headers
        self.raw_body = raw_body
        self.body = body
        self.generated = generated
        self.content_type = content_type

    def lookup(self, name: str) -> bytes:
        if name[:5] == "body.":  # the commonest field; no other field's name starts so
            if self.body is None and self.raw_body and self._is_form():
                self.body = form_fields(self.raw_body)
            return to_bytes(body_field(self.body, name))
        if name == "raw_body":
            return self.raw_body
        if name == "form_sorted":  # nothing for no body; only a form has parameters
            if not self.raw_body:
                return b""
            if not self._is_form():
                raise KeyError(name)
            return form_sorted(self.raw_body)
        if name == "body_sha256":
            return hashlib.sha256(self.raw_body).hexdigest().encode()
        if name in self.generated:
            return self.generated[name].encode()
        if name == "method":
            return self.method.encode()
        if name == "url":
            return self.url.encode()
        if name == "path":
            return urlsplit(self.url).path.encode()
        if name == "query":
            return urlsplit(self.url).query.encode()
        if name.startswith("header."):
            value = self.headers.get(name[7:])
            if value is None:
                raise KeyError(name)
            try:
                return value.encode("latin-1")  # what HTTP carries
            except UnicodeEncodeError:
                return value.encode("utf-8")
        if name.startswith("body"):
            if self.body is None and self.raw_body and self._is_form():
                self.body = form_fields(self.raw_body)
            return to_bytes(body_field(self.body, name))
        raise KeyError(name)

    def _is_form(self) -> bool:
        given = self.headers.get("Content-Type")
        return is_form(given if given is not None else self.content_type)


class HeaderLookup(Mapping[str, str]):
    """Received headers, looked up case-insensitively, taken from whatever the caller has.

    Accepts a mapping, an ``email.message.Message`` (``http.server``'s ``self.headers``) or an
    iterable of (name, value) pairs. Names and values may be ``str`` or ``bytes`` (read as
    Latin-1, as HTTP carries them); anything else is ignored. The first of repeated names wins.
    """

    def __init__(self, headers: Mapping[str, Any] | Iterable[tuple[Any, Any]] | None):
        self._items: dict[str, tuple[str, str]] = {}
        if headers is None:
            return
        try:
            items = headers.items() if hasattr(headers, "items") else headers
            for pair in items:
                if not isinstance(pair, tuple) or len(pair) != 2:
                    continue
                name, value = (_text(pair[0]), _text(pair[1]))
                if name is not None and value is not None:
                    self._items.setdefault(name.lower(), (name, value))
        except (TypeError, ValueError):
            return

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Any:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __repr__(self) -> str:
        return f"<HeaderLookup: {', '.join(self)}>"


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return None


class ReceivedParts(MessageParts):
    """MessageParts of a received request; the JSON body is parsed only if a field needs it."""

    def __init__(self, method: str, url: str, headers: Mapping[str, str], raw_body: bytes,
                 body: Callable[[], Any], generated: dict[str, str],
                 content_type: str | None = None):
        super().__init__(method, url, headers, raw_body, None, generated, content_type)
        self._body = body

    def lookup(self, name: str) -> bytes:
        if name[:5] in ("body.", "body[") and name not in self.generated \
                and self.body is None:
            self.body = self._body()
        return super().lookup(name)


def to_bytes(value: Any) -> bytes:
    """A template field's value as bytes: text as UTF-8, JSON values as the body writes them."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, (int, float)):
        return str(value).encode()
    return dumps(value)  # as the body goes on the wire
