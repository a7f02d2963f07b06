"""``multipart/form-data`` (RFC 7578) both ways: a dict of fields and files to body bytes with a
boundary (building a request), and body bytes back to fields and files (the mock reading one).

A field's value is text (``str``; a number or boolean is sent as its text, a dict or list as
JSON with ``Content-Type: application/json``), a list of values (one part each), or a file:

- ``bytes`` (sent as ``application/octet-stream``, named after the field),
- an open binary file (read whole; named after the file, its type guessed from the name),
- ``(filename, data)`` or ``(filename, data, content_type)``, ``data`` being bytes, text or an
  open file.

Names and file names are quoted as browsers quote them (WHATWG HTML): ``"`` is ``%22``, CR is
``%0D``, LF is ``%0A``; other characters go as UTF-8.

For validation (and for showing a request) a body is seen as a dict of its fields: text stays
text, numbers and booleans stay themselves, a file is the string ``<file NAME, N bytes>`` — so
a schema declares a file as ``{type: string, format: binary}``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MEDIA_TYPE", "is_multipart", "FilePart", "encode", "decode", "new_boundary",
           "MultipartError", "boundary_of"]

MEDIA_TYPE = "multipart/form-data"


class MultipartError(ValueError):
    """A value cannot be sent as a part, or a body is not well-formed multipart."""


def is_multipart(content_type: str | None) -> bool:
    return bool(content_type) and \
        content_type.split(";", 1)[0].strip().lower() == MEDIA_TYPE  # type: ignore[union-attr]


def new_boundary() -> str:
    """A fresh boundary: 32 random hex digits after a fixed prefix."""
    return "specclient-" + secrets.token_hex(16)


@dataclass(frozen=True)
class FilePart:
    """A file as sent or received: its file name, content type and bytes."""

    filename: str
    content_type: str
    data: bytes

    def view(self) -> str:
        return f"<file {self.filename}, {len(self.data)} bytes>"


def _quote(text: str) -> str:
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _unquote(text: str) -> str:
    return text.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def _guess(filename: str) -> str:
    import mimetypes  # only for a file sent without a content type (its table loads slowly)

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _data(name: str, data: Any) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if isinstance(data, str):
        return data.encode("utf-8")
    if hasattr(data, "read"):
        got = data.read()
        return got.encode("utf-8") if isinstance(got, str) else bytes(got)
    raise MultipartError(f"field {name!r}: file data must be bytes, str or an open file, not "
                         f"{type(data).__name__}")


def _as_file(name: str, value: Any) -> FilePart | None:
    """``value`` as a file, or None when it is a plain field value."""
    if isinstance(value, FilePart):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return FilePart(name, "application/octet-stream", bytes(value))
    if isinstance(value, tuple):
        if len(value) not in (2, 3) or not isinstance(value[0], str):
            raise MultipartError(f"field {name!r}: a file is (filename, data) or (filename, "
                                 f"data, content_type)")
        filename, data = value[0], value[1]
        ctype = value[2] if len(value) == 3 and value[2] else _guess(filename)
        return FilePart(filename, str(ctype), _data(name, data))
    if hasattr(value, "read"):
        filename = os.path.basename(str(getattr(value, "name", "") or name))
        return FilePart(filename, _guess(filename), _data(name, value))
    return None


def _text(value: Any) -> tuple[str, bytes]:
    """A plain field value: (content type or "", bytes)."""
    if isinstance(value, bool):
        return "", b"true" if value else b"false"
    if isinstance(value, dict | list):
        return "application/json", json.dumps(value, ensure_ascii=False,
                                               separators=(",", ":")).encode()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return "", str(int(value)).encode()
    return "", str(value).encode("utf-8")


def encode(fields: Mapping[str, Any], boundary: str | None = None
           ) -> tuple[bytes, str, dict[str, Any]]:
    """(body bytes, boundary, the body as validation sees it) for ``fields``. ``None`` values
    are left out; a list is one part per item."""
    parts: list[tuple[str, FilePart | tuple[str, bytes]]] = []
    view: dict[str, Any] = {}
    for name, value in fields.items():
        if not isinstance(name, str):
            raise MultipartError(f"field names are strings, not {type(name).__name__}")
        if value is None:
            continue
        many = isinstance(value, list)  # one part per item
        seen = []
        for v in (value if many else [value]):
            f = _as_file(name, v)
            parts.append((name, f if f is not None else _text(v)))
            seen.append(f.view() if f is not None else v)
        view[name] = seen if many else seen[0]
    if boundary is None:
        boundary = new_boundary()
        while any(boundary.encode() in (p.data if isinstance(p, FilePart) else p[1])
                  for _, p in parts):
            boundary = new_boundary()  # pragma: no cover - 128 random bits
    out = bytearray()
    for name, part in parts:
        out += f"--{boundary}\r\n".encode()
        disposition = f'Content-Disposition: form-data; name="{_quote(name)}"'
        if isinstance(part, FilePart):
            disposition += f'; filename="{_quote(part.filename)}"'
            out += f"{disposition}\r\nContent-Type: {part.content_type}\r\n\r\n".encode()
            out += part.data
        else:
            ctype, data = part
            out += f"{disposition}\r\n".encode()
            if ctype:
                out += f"Content-Type: {ctype}\r\n".encode()
            out += b"\r\n" + data
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), boundary, view


_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _params(header: str) -> dict[str, str]:
    out = {}
    for m in _PARAM.finditer(header):
        value = m.group(2).strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = value[1:-1]
        out[m.group(1).lower()] = value
    return out


def boundary_of(content_type: str) -> str | None:
    """The ``boundary`` parameter of a Content-Type, or None."""
    return _params(content_type).get("boundary") or None


def decode(body: bytes, content_type: str) -> dict[str, Any]:
    """A multipart body as its fields: text as ``str``, a file as :class:`FilePart`, a name
    sent more than once as a list. :class:`MultipartError` when it is not well formed."""
    boundary = boundary_of(content_type)
    if not boundary:
        raise MultipartError("Content-Type has no boundary")
    delim = b"--" + boundary.encode("latin-1")
    if not body.startswith(delim):
        at = body.find(b"\r\n" + delim)  # a preamble before the first delimiter is allowed
        if at < 0:
            raise MultipartError("the body does not start with the boundary")
        body = body[at + 2:]
    out: dict[str, Any] = {}
    rest = body[len(delim):]
    while True:
        if rest.startswith(b"--"):
            return out
        if not rest.startswith(b"\r\n"):
            raise MultipartError("a boundary is not followed by a line break")
        end = rest.find(b"\r\n" + delim)
        if end < 0:
            raise MultipartError("the body ends without its closing boundary")
        part, rest = rest[2:end], rest[end + 2 + len(delim):]
        head, sep, data = part.partition(b"\r\n\r\n")
        if not sep:
            if part.endswith(b"\r\n"):
                head, data = part[:-2], b""
            else:
                raise MultipartError("a part has no blank line after its headers")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        if not disposition.lower().startswith("form-data"):
            raise MultipartError("a part has no Content-Disposition: form-data")
        params = _params(disposition)
        if "name" not in params:
            raise MultipartError("a part has no name")
        name = _unquote(params["name"])
        value: Any
        if "filename" in params:
            value = FilePart(_unquote(params["filename"]),
                             headers.get("content-type", "application/octet-stream"), data)
        else:
            try:
                value = data.decode("utf-8")
            except UnicodeDecodeError:
                raise MultipartError(f"field {name!r} is not UTF-8 text") from None
        if name in out:
            prev = out[name]
            out[name] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[name] = value
