"""Request signing rules, declared in YAML and applied by one generic signer.

A rule is data::

    signing:
      hub_signature:
        type: hmac
        algorithm: sha512            # sha1 | sha256 | sha512
        secret: INGRAM_WEBHOOK_SECRET # or {name: X, strip_prefix: whsec_, decode: base64}
        message: "{body.eventId}"    # a template over parts of the request
        encoding: base64             # base64 | base64url | hex
        header: x-hub-signature
        prefix: "sha256="            # or a full `value` template: "t={timestamp},v1={signature}"

Message templates may use ``{raw_body}``, ``{body.a.b[0].c}``, ``{method}``, ``{path}``,
``{query}``, ``{url}``, ``{header.Name}``, and the generated ``{timestamp}`` (Unix seconds),
``{random}`` and ``{uuid}``; ``{{`` and ``}}`` are literal braces. ``generate`` sets headers
from templates before the message is built (Standard Webhooks' ``webhook-id`` and
``webhook-timestamp``). The same rule, read backwards, verifies incoming webhooks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from .credentials import Credentials
from .errors import ArgumentError, SpecError, ValidationError, Violation
from .request import PreparedRequest

__all__ = ["SIGNER_TYPES", "Signer", "HmacSigner", "Template", "register_signer",
           "MessageParts"]

SIGNER_TYPES: dict[str, type[Signer]] = {}

T = TypeVar("T", bound="type[Signer]")


def register_signer(cls: T) -> T:
    """Class decorator: make ``cls`` available to specs as ``type: <cls.type>``."""
    SIGNER_TYPES[cls.type] = cls
    return cls


# --------------------------------------------------------------------------- templates

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_SIMPLE = {"raw_body", "method", "path", "query", "url", "timestamp", "random", "uuid",
           "signature"}
_BODY_PATH = re.compile(r"^body((?:\.[A-Za-z0-9_\-]+|\[\d+\])+)$")
_PATH_PART = re.compile(r"\.([A-Za-z0-9_\-]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Template:
    """A parsed template: literal text and ``{field}`` references, in order."""

    source: str
    parts: tuple[tuple[bool, str], ...]  # (is_field, text)

    @classmethod
    def parse(cls, source: str, allowed: set[str] | None = None,
              where: tuple[str, int | None] = ("<spec>", None)) -> Template:
        parts: list[tuple[bool, str]] = []
        pos = 0
        for m in _FIELD.finditer(source):
            if m.start() > pos:
                parts.append((False, source[pos:m.start()]))
            token = m.group(0)
            if token in ("{{", "}}"):
                parts.append((False, token[0]))
            else:
                name = m.group(1).strip()
                ok = (name in _SIMPLE or name.startswith("header.") and len(name) > 7
                      or _BODY_PATH.match(name))
                if not ok or (allowed is not None and name not in allowed
                              and not name.startswith(("header.", "body"))):
                    raise SpecError.at(where[0], where[1],
                                       f"unknown template field {{{name}}} in {source!r}")
                parts.append((True, name))
            pos = m.end()
        if pos < len(source):
            tail = source[pos:]
            if "{" in tail or "}" in tail:
                raise SpecError.at(where[0], where[1], f"unbalanced brace in {source!r}")
            parts.append((False, tail))
        return cls(source, tuple(parts))

    @property
    def fields(self) -> list[str]:
        return [text for is_field, text in self.parts if is_field]

    def render(self, lookup: Callable[[str], bytes]) -> bytes:
        return b"".join(lookup(text) if is_field else text.encode() for is_field, text in
                        self.parts)


@lru_cache(maxsize=1024)
def _body_path(name: str) -> tuple[str | int, ...] | None:
    """``body.a[0]`` -> ``("a", 0)``, parsed once per field name."""
    m = _BODY_PATH.match(name)
    if m is None:
        return None
    return tuple(key if key else int(index) for key, index in _PATH_PART.findall(m.group(1)))


def body_field(obj: Any, name: str) -> Any:
    """``body.a.b[0]`` looked up in ``obj``; raises KeyError when absent."""
    parts = _body_path(name)
    if parts is None:
        raise KeyError(name)
    for part in parts:
        if isinstance(part, str):
            if not (isinstance(obj, dict) or isinstance(obj, Mapping)) or part not in obj:
                raise KeyError(name)
            obj = obj[part]
        else:
            if not isinstance(obj, list) or part >= len(obj):
                raise KeyError(name)
            obj = obj[part]
    return obj


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, (int, float)):
        return str(value).encode()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class MessageParts:
    """The parts of an HTTP message a signing template can refer to."""

    method: str
    url: str
    headers: Mapping[str, str]
    raw_body: bytes
    body: Any  # decoded JSON body, or None
    generated: dict[str, str]

    def lookup(self, name: str) -> bytes:
        if name == "raw_body":
            return self.raw_body
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
            return value.encode("latin-1")
        if name.startswith("body"):
            return _to_bytes(body_field(self.body, name))
        raise KeyError(name)


# --------------------------------------------------------------------------- signers


class Signer:
    """Base class of signers. Subclasses set ``type`` and ``spec_schema``."""

    type: ClassVar[str]
    spec_schema: ClassVar[dict[str, Any]] = {}

    def __init__(self, name: str, decl: Mapping[str, Any], file: str = "<spec>",
                 line: int | None = None):
        self.name = name
        self.decl = decl

    @property
    def header(self) -> str:
        return self.decl["header"]

    def headers(self) -> list[str]:
        """The headers this signer sets (so callers need not give them)."""
        return [self.header]

    def sign(self, request: PreparedRequest, credentials: Credentials,
             clock: Callable[[], float] = time.time) -> None:  # pragma: no cover
        raise NotImplementedError

    def secret_names(self) -> list[str]:
        return []

    def describe(self) -> str:
        return self.type


SECRET_SPEC = {
    "oneOf": [
        {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                "strip_prefix": {"type": "string"},
                "decode": {"enum": ["utf8", "base64", "hex"]},
            },
        },
    ]
}


@register_signer
class HmacSigner(Signer):
    """``type: hmac`` — an HMAC over a message template, encoded into one header."""

    type = "hmac"
    spec_schema = {
        "additionalProperties": False,
        "required": ["algorithm", "secret", "message", "header"],
        "properties": {
            "algorithm": {"enum": ["sha1", "sha256", "sha512"]},
            "secret": SECRET_SPEC,
            "message": {"type": "string"},
            "encoding": {"enum": ["base64", "base64url", "hex"]},
            "header": {"type": "string", "minLength": 1},
            "prefix": {"type": "string"},
            "value": {"type": "string",
                      "description": "Header value template; must contain {signature}."},
            "generate": {"type": "object", "additionalProperties": {"type": "string"}},
            "tolerance_seconds": {"type": "number", "minimum": 0},
            "multiple": {"type": "string",
                         "description": "Separator between several signatures in the header "
                                        "(a receiver accepts any one of them)."},
        },
    }

    def __init__(self, name: str, decl: Mapping[str, Any], file: str = "<spec>",
                 line: int | None = None):
        super().__init__(name, decl, file, line)
        where = (file, line)
        self.digest = getattr(hashlib, decl["algorithm"])
        self.message = Template.parse(decl["message"], where=where)
        if "value" in decl and "prefix" in decl:
            raise SpecError.at(file, line, f"signing rule {name!r}: give `prefix` or "
                                           "`value`, not both")
        value = decl.get("value", decl.get("prefix", "").replace("{", "{{").replace("}", "}}")
                         + "{signature}")
        self.value = Template.parse(value, where=where)
        if "signature" not in self.value.fields:
            raise SpecError.at(file, line, f"signing rule {name!r}: `value` must contain "
                                           "{signature}")
        self.generate = {h: Template.parse(t, where=where)
                         for h, t in decl.get("generate", {}).items()}
        if "signature" in self.message.fields:
            raise SpecError.at(file, line, f"signing rule {name!r}: the message cannot "
                                           "contain {signature}")
        secret = decl["secret"]
        self.secret_spec = {"name": secret} if isinstance(secret, str) else dict(secret)
        self.encoding = decl.get("encoding", "base64")
        # Generated values the templates use: only those are made on each call (uuid4 and
        # token_urlsafe read the OS's random source, a noticeable part of a call).
        self._generates = {f for t in (self.message, self.value, *self.generate.values())
                           for f in t.fields} & {"timestamp", "random", "uuid"}

    # -- pieces shared by signing and verification

    def key(self, value: str) -> bytes:
        """The HMAC key from a secret's value (prefix stripped, decoded as declared)."""
        prefix = self.secret_spec.get("strip_prefix")
        if prefix and value.startswith(prefix):
            value = value[len(prefix):]
        decode = self.secret_spec.get("decode", "utf8")
        if decode == "base64":
            return base64.b64decode(value)
        if decode == "hex":
            return bytes.fromhex(value)
        return value.encode()

    def compute(self, key: bytes, message: bytes) -> str:
        mac = hmac.new(key, message, self.digest).digest()
        if self.encoding == "hex":
            return mac.hex()
        if self.encoding == "base64url":
            return base64.urlsafe_b64encode(mac).decode("ascii")
        return base64.b64encode(mac).decode("ascii")

    def headers(self) -> list[str]:
        return [self.header, *self.generate]

    def secret_names(self) -> list[str]:
        return [self.secret_spec["name"]]

    def describe(self) -> str:
        return (f"HMAC-{self.decl['algorithm'].upper()} of {self.decl['message']!r} with "
                f"{self.secret_spec['name']}, {self.encoding} in header {self.header!r}"
                + (f" as {self.value.source!r}" if self.value.source != "{signature}" else ""))

    # -- signing

    def sign(self, request: PreparedRequest, credentials: Credentials,
             clock: Callable[[], float] = time.time) -> None:
        """Compute the signature and set the header, unless the caller set it explicitly."""
        if self.header.lower() in request.explicit_headers:
            return
        secret = credentials.get(self.secret_spec["name"], request.operation)
        request.add_secret(secret)
        uses = self._generates
        generated = {}
        if "timestamp" in uses:
            generated["timestamp"] = str(int(clock()))
        if "random" in uses:
            import secrets  # imported when used: uuid and secrets cost start-up time

            generated["random"] = secrets.token_urlsafe(18)
        if "uuid" in uses:
            import uuid

            generated["uuid"] = str(uuid.uuid4())
        parts = MessageParts(request.method, request.url, request.headers,
                             request.body or b"", request.json, generated)
        for header, template in self.generate.items():
            if header.lower() not in request.explicit_headers:
                request.headers[header] = self._render(template, parts, request.operation)
        message = self._render(self.message, parts, request.operation)
        signature = self.compute(self.key(secret), message)
        generated["signature"] = signature
        request.headers[self.header] = self._render(self.value, parts,
                                                    request.operation).decode()

    def _render(self, template: Template, parts: MessageParts, operation: str) -> bytes:
        try:
            return template.render(parts.lookup)
        except KeyError as exc:
            field = exc.args[0]
            why = (f"needed to compute signature {self.name!r} "
                   f"(the rule signs {self.decl['message']!r})")
            if field.startswith("body"):
                raise ValidationError(operation, [Violation(field, "missing: " + why)]) \
                    from None
            raise ArgumentError(operation, f"{field} is missing: {why}", parameter=field) \
                from None
