"""``type: hmac``: the one generic signing rule, declared in YAML.

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

Message templates may use ``{raw_body}``, ``{body.a.b[0].c}`` (a field of a JSON body, or of a
form body), ``{form_sorted}`` (every form parameter's name and value, sorted by name: Twilio),
``{body_sha256}`` (hex SHA-256 of the body), ``{method}``, ``{path}``, ``{query}``, ``{url}``,
``{header.Name}``, and the generated ``{timestamp}`` (Unix seconds), ``{random}`` and
``{uuid}``; ``{{`` and ``}}`` are literal braces. ``generate`` sets headers from templates
before the message is built (Standard Webhooks' ``webhook-id`` and ``webhook-timestamp``), and
``generate_query`` query parameters (Twilio's ``bodySHA256`` for a JSON body). The same rule,
read backwards, verifies incoming webhooks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..credentials import Credentials
from ..errors import (
    ArgumentError,
    AuthError,
    SpecError,
    ValidationError,
    Violation,
    WebhookVerificationError,
)
from ..request import PreparedRequest
from .base import DEFAULT_TOLERANCE, GENERATED, SECRET_SPEC, Declared, Signer, register_signer
from .message import HeaderLookup, HmacKey, MessageParts, ReceivedParts, form_fields, is_form
from .template import Template, body_path

__all__ = ["HmacSigner"]


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
            "generate_query": {"type": "object", "additionalProperties": {"type": "string"},
                               "description": "Query parameters to set (replacing any of the "
                                              "same name) before the message is built."},
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
        self.algorithm: str = decl["algorithm"]
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
        # A receiver splits the header on `multiple` and reads each item as one of the value
        # template's own items: "v1,{signature}" split on " " is one; Stripe's
        # "t={timestamp},v1={signature}" split on "," is two, so "t=1,v1=a,v1=b,v0=c" gives
        # the timestamp once and two signatures (v0=c matches neither and is skipped).
        separator = decl.get("multiple")
        self.value_items = [Template.parse(piece, where=where)
                            for piece in (value.split(separator) if separator else [value])
                            if piece]
        self.generate = {h: Template.parse(t, where=where)
                         for h, t in decl.get("generate", {}).items()}
        self.generate_query = {q: Template.parse(t, where=where)
                               for q, t in decl.get("generate_query", {}).items()}
        for q, t in self.generate_query.items():
            if {"signature", "url", "query"} & set(t.fields):
                raise SpecError.at(file, line, f"signing rule {name!r}: generate_query "
                                               f"{q!r} cannot refer to the URL or signature")
        if "signature" in self.message.fields:
            raise SpecError.at(file, line, f"signing rule {name!r}: the message cannot "
                                           "contain {signature}")
        secret = decl["secret"]
        self.secret_spec = {"name": secret} if isinstance(secret, str) else dict(secret)
        self.encoding = decl.get("encoding", "base64")
        self._header_lower: str = decl["header"].lower()
        self._bare_value = self.value.parts == ((True, "signature"),)
        # Generated values the templates use: only those are made on each call (uuid4 and
        # token_urlsafe read the OS's random source, a noticeable part of a call).
        fields = {f for t in self.templates() for f in t.fields}
        self._generates = fields & {"timestamp", "random", "uuid"}
        # The URL is built for the message only when a template refers to it.
        self._uses_url = bool(fields & {"url", "path", "query"})
        self._keyed: dict[bytes, HmacKey] = {}  # see compute()
        self._secret_keys: dict[str, bytes] = {}  # a secret's value -> its key (see key())

    # -- pieces shared by signing and verification

    def templates(self) -> list[Template]:
        """Every template of the rule: message, header value, generated headers and query."""
        return [self.message, self.value, *self.generate.values(),
                *self.generate_query.values()]

    def key(self, value: str) -> bytes:
        """The HMAC key from a secret's value (prefix stripped, decoded as declared)."""
        prefix = self.secret_spec.get("strip_prefix")
        if prefix and value.startswith(prefix):
            value = value[len(prefix):]
        decode = self.secret_spec.get("decode", "utf8")
        try:
            if decode == "base64":
                return base64.b64decode(value, validate=True)
            if decode == "hex":
                return bytes.fromhex(value)
        except ValueError:
            raise ValueError(f"secret {self.secret_spec['name']} is not valid {decode}") \
                from None
        return value.encode()

    #: How many keys' HMAC states a rule keeps (one per secret value; more during a rotation).
    MAX_KEYS = 16

    def compute(self, key: bytes, message: bytes) -> str:
        keyed = self._keyed.get(key)
        if keyed is None:
            if len(self._keyed) >= self.MAX_KEYS:
                self._keyed.clear()
            keyed = self._keyed[key] = HmacKey(self.algorithm, key)
        mac = keyed.digest(message)
        if self.encoding == "hex":
            return mac.hex()
        if self.encoding == "base64url":
            return base64.urlsafe_b64encode(mac).decode("ascii")
        return binascii.b2a_base64(mac, newline=False).decode("ascii")

    def headers(self) -> list[str]:
        return [self.header, *self.generate]

    def lint(self, op: Declared, body_declared: bool) -> list[str]:
        """Fields of the rule's templates that no request of ``op`` can have: a body field
        without a body, or of a body that is neither JSON nor a form, or that its schema rules
        out (a key a closed object does not list, a nested field of a form, whose values are
        text); ``{form_sorted}`` over a body that is not a form."""
        out: list[str] = []
        fields = dict.fromkeys(f for t in self.templates() for f in t.fields)
        body = op.body
        for f in fields:
            path = body_path(f)
            if path is not None:
                if not body_declared:
                    out.append(f"signing rule {self.name!r} signs {{{f}}} but the operation "
                               f"has no body")
                elif body is not None and not body.is_json:
                    if not is_form(body.content_type):
                        out.append(f"signing rule {self.name!r} signs {{{f}}}, a field of "
                                   f"the body, but the body is {body.content_type}: only a "
                                   f"JSON or form body has fields")
                    else:
                        why = _form_field_problem(body.schema, path)
                        if why:
                            out.append(f"signing rule {self.name!r} signs {{{f}}}, but {why}")
                elif body is not None:
                    why = _json_field_problem(body.schema, path)
                    if why:
                        out.append(f"signing rule {self.name!r} signs {{{f}}}, but {why}")
            elif f == "form_sorted" and body is not None and not is_form(body.content_type):
                out.append(f"signing rule {self.name!r} signs {{form_sorted}} (form "
                           f"parameters) but the body is {body.content_type}, not a form "
                           f"(application/x-www-form-urlencoded)")
        return out

    def secret_names(self) -> list[str]:
        return [self.secret_spec["name"]]

    def describe(self) -> str:
        return (f"HMAC-{self.decl['algorithm'].upper()} of {self.decl['message']!r} with "
                f"{self.secret_spec['name']}, {self.encoding} in header {self.header!r}"
                + (f" as {self.value.source!r}" if self.value.source != "{signature}" else "")
                + (f", several separated by {self.decl['multiple']!r}"
                   if "multiple" in self.decl else "")
                + (f"; generates {', '.join(self.generate)}" if self.generate else "")
                + (f"; timestamps accepted within {self._tolerance():g} s"
                   if self._signs_timestamp() else ""))

    def _tolerance(self) -> float:
        return float(self.decl.get("tolerance_seconds", DEFAULT_TOLERANCE))

    def _signs_timestamp(self) -> bool:
        templates = [self.message, self.value, *self.generate.values()]
        return any("timestamp" in t.fields for t in templates)

    # -- signing

    def sign(self, request: PreparedRequest, credentials: Credentials,
             clock: Callable[[], float] = time.time) -> None:
        """Compute the signature and set the header, unless the caller set it explicitly."""
        if self._header_lower in request.explicit_headers:
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
            import uuid  # imported when used: uuid costs ~2 ms of start-up (it loads platform)

            generated["uuid"] = str(uuid.uuid4())
        parts = MessageParts(request.method, request.sent_url if self._uses_url else "",
                             request.headers, request.body or b"", request.json, generated)
        if self.generate_query:  # e.g. Twilio's bodySHA256=<hex>, before the URL is signed
            taken = set(self.generate_query)
            query = [(k, v) for k, v in request.query if k not in taken]
            for qname, template in self.generate_query.items():
                query.append((qname, self._render(template, parts, request.operation)
                              .decode("utf-8")))
            request.query = query
            if self._uses_url:
                parts.url = request.sent_url
        for header, template in self.generate.items():
            if header.lower() not in request.explicit_headers:
                request.headers[header] = self._render(template, parts,
                                                       request.operation).decode("latin-1")
                continue
            # given by the caller: the values it carries are the ones signed (as a receiver
            # reads them back), e.g. an explicit webhook-timestamp is the {timestamp}
            found = template.match(request.headers[header])
            if found is None:
                raise ArgumentError(request.operation, f"header {header!r} must look like "
                                    f"{template.source!r} (signing rule {self.name!r})",
                                    parameter=header)
            generated.update((k, v) for k, v in found.items() if k in GENERATED)
        message = self._render(self.message, parts, request.operation)
        key = self._secret_keys.get(secret)
        if key is None:
            try:
                key = self.key(secret)
            except ValueError as exc:
                raise AuthError(f"{request.operation}: signing rule {self.name!r}: {exc}") \
                    from None
            if len(self._secret_keys) >= self.MAX_KEYS:
                self._secret_keys.clear()
            self._secret_keys[secret] = key
        signature = self.compute(key, message)
        if self._bare_value:  # the header is the signature itself: nothing to render
            request.headers[self.header] = signature
            return
        generated["signature"] = signature
        request.headers[self.header] = self._render(self.value, parts,
                                                    request.operation).decode()

    # -- verification: the same rule, read backwards

    #: Longest header value and number of signatures a receiver looks at.
    MAX_HEADER = 8192
    MAX_SIGNATURES = 20

    def verify(self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], *,
               method: str = "POST", url: str = "", now: float | None = None,
               tolerance: float | None = None, content_type: str | None = None) -> None:
        """Raise WebhookVerificationError(reason) unless a signature in `headers` matches one
        of `secrets`.

        The rule is read backwards: the signature header is matched against the rule's value
        template (and split on ``multiple``) to find the signatures and any generated values
        it carries (``{timestamp}`` in ``t={timestamp},v1={signature}``); the ``generate``
        headers give the others (``webhook-timestamp: {timestamp}``). The message is then
        rendered from the received request -- raw ``body`` bytes, body fields parsed from
        them, ``method``, ``url`` and ``headers`` -- HMACed with each secret and compared in
        constant time with each signature. A signed ``{timestamp}`` must lie within
        ``tolerance`` seconds of ``now`` (default: the rule's ``tolerance_seconds``, else 300).
        ``generate_query`` parameters are read from ``url`` and must equal their templates
        rendered from the received request (``bodySHA256`` the body's hash). Body fields are
        read from a form when the ``Content-Type`` header (else ``content_type``, the declared
        one) says so, else from JSON.
        """
        try:
            self._verify(headers, body, secrets, method, url, now, tolerance, content_type)
        except WebhookVerificationError:
            raise
        except (ValueError, TypeError, UnicodeError, RecursionError, OverflowError,
                KeyError) as exc:  # defence in depth: malformed input is never a crash
            raise WebhookVerificationError(f"malformed request ({type(exc).__name__})") \
                from None

    def _verify(self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str],
                method: str, url: str, now: float | None, tolerance: float | None,
                content_type: str | None = None) -> None:
        fail = WebhookVerificationError
        if isinstance(secrets, (str, bytes)):
            secrets = [secrets]  # type: ignore[list-item]
        keys = []
        for i, secret in enumerate(secrets or ()):
            if isinstance(secret, bytes):
                secret = secret.decode("latin-1")
            if not isinstance(secret, str) or not secret:
                continue
            try:
                keys.append(self.key(secret))
            except ValueError:
                raise fail(f"secret #{i + 1} for rule {self.name!r} is not valid "
                           f"{self.secret_spec.get('decode')}") from None
        if not keys:
            raise fail(f"no secret to verify signing rule {self.name!r} with")
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise fail("the body must be the raw bytes received")
        raw = bytes(body)
        received = headers if isinstance(headers, HeaderLookup) else HeaderLookup(headers)

        # 1. values generated by the sender, read back from the headers it put them in
        generated: dict[str, str] = {}
        for header, template in self.generate.items():
            value = received.get(header)
            if value is None:
                raise fail(f"missing header {header!r}")
            if len(value) > self.MAX_HEADER:
                raise fail(f"header {header!r} is too long")
            found = template.match(value)
            if found is None:
                raise fail(f"malformed header {header!r}: expected {template.source!r}")
            generated.update((k, v) for k, v in found.items() if k in GENERATED)
        query_given: dict[str, str] = {}
        if self.generate_query:
            pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
            for qname, template in self.generate_query.items():
                got = next((v for k, v in pairs if k == qname), None)
                if got is None:
                    raise fail(f"missing query parameter {qname!r}")
                found = template.match(got)
                if found is None:
                    raise fail(f"malformed query parameter {qname!r}: expected "
                               f"{template.source!r}")
                generated.update((k, v) for k, v in found.items() if k in GENERATED)
                query_given[qname] = got

        # 2. the signatures (and any generated values) in the signature header
        value = received.get(self.header)
        if value is None:
            raise fail(f"missing header {self.header!r}")
        if not value.strip():
            raise fail(f"empty header {self.header!r}")
        if len(value) > self.MAX_HEADER:
            raise fail(f"header {self.header!r} is too long")
        separator = self.decl.get("multiple")
        items = [v.strip() for v in value.split(separator)] if separator else [value]
        shared: dict[str, str] = {}
        signed: list[tuple[str, dict[str, str]]] = []
        for item in [v for v in items if v][:self.MAX_SIGNATURES]:
            for template in self.value_items:
                found = template.match(item)
                if found is None:
                    continue
                values = {k: v for k, v in found.items() if k in GENERATED}
                if "signature" in found:
                    if found["signature"]:
                        signed.append((found["signature"], values))
                elif any(shared.setdefault(k, v) != v for k, v in values.items()):
                    raise fail(f"malformed header {self.header!r}: conflicting values")
                break  # e.g. a "v2,..." or "v0=..." entry matches no item: skipped
        candidates: list[tuple[str, dict[str, str]]] = []
        for signature, values in signed:
            merged = {**generated}
            if all(merged.setdefault(k, v) == v for k, v in {**shared, **values}.items()):
                candidates.append((signature, merged))
        if not candidates:
            raise fail(f"malformed header {self.header!r}: expected {self.value.source!r}"
                       + (f" (several separated by {separator!r})" if separator else ""))

        # 3. the message, rendered from the received request; then compare
        parsed: list[Any] = []
        declared = received.get("Content-Type")
        form = is_form(declared if declared is not None else content_type)

        def body_value() -> Any:
            if not parsed:
                try:
                    parsed.append(form_fields(raw) if form else json.loads(raw))
                except (ValueError, RecursionError):
                    raise fail("the body is not " + ("a valid form" if form else "valid JSON")
                               + ", but the signature covers fields of it") from None
            return parsed[0]

        for signature, values in candidates:
            if "timestamp" in values:
                self._check_time(values["timestamp"], now, tolerance)
            parts = ReceivedParts(method, url, received, raw, body_value, values, content_type)
            try:
                for qname, template in self.generate_query.items():
                    if not hmac.compare_digest(template.render(parts.lookup),
                                               query_given[qname].encode()):
                        raise fail(f"query parameter {qname!r} does not match the request "
                                   f"({template.source!r})")
                message = self.message.render(parts.lookup)
            except KeyError as exc:
                field = exc.args[0] if exc.args else "?"
                what = f"header {field[7:]!r}" if str(field).startswith("header.") \
                    else f"{field!r}"
                raise fail(f"missing {what}, which the signature covers") from None
            given = signature.encode("ascii", "backslashreplace")  # never equal if not ASCII
            for key in keys:
                if hmac.compare_digest(self.compute(key, message).encode("ascii"), given):
                    return
        raise fail(f"signature mismatch in header {self.header!r}")

    def _check_time(self, text: str, now: float | None, tolerance: float | None) -> None:
        if not re.fullmatch(r"[0-9]{1,15}", text, re.ASCII):
            raise WebhookVerificationError(f"malformed timestamp {text[:20]!r}")
        if tolerance is None:
            tolerance = self._tolerance()
        now = time.time() if now is None else now
        if not (math.isfinite(now) and math.isfinite(tolerance)):
            raise WebhookVerificationError("the receiver's clock or tolerance is not a number")
        age = now - int(text)
        if age > tolerance:
            raise WebhookVerificationError(f"timestamp too old ({int(age)} s, tolerance "
                                           f"{tolerance:g} s)")
        if -age > tolerance:
            raise WebhookVerificationError(f"timestamp in the future ({int(-age)} s, "
                                           f"tolerance {tolerance:g} s)")

    def _render(self, template: Template, parts: MessageParts, operation: str) -> bytes:
        try:
            return template.render(parts.lookup)
        except KeyError as exc:
            field = exc.args[0]
            why = (f"needed to compute signature {self.name!r} "
                   f"(the rule signs {self.decl['message']!r})")
            if field == "form_sorted":
                raise ArgumentError(operation, f"{{form_sorted}} needs a form body "
                                    f"(application/x-www-form-urlencoded): {why}",
                                    parameter="body") from None
            if field.startswith("body"):
                raise ValidationError(operation, [Violation(field, "missing: " + why)]) \
                    from None
            raise ArgumentError(operation, f"{field} is missing: {why}", parameter=field) \
                from None


# --------------------------------------------------------------------------- lint


def _form_field_problem(schema: Any, path: tuple[str | int, ...]) -> str | None:
    """Why ``{body.<path>}`` can never be a field of a form body with ``schema``, or None."""
    name = path[0]
    if not isinstance(name, str):
        return "a form body is not a list"
    rest = path[1:]
    props = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(props, dict) and name not in props:
        return (f"the form body's schema does not declare {name!r} (it declares "
                f"{', '.join(map(repr, sorted(props))) or 'nothing'})")
    if rest and (len(rest) > 1 or not isinstance(rest[0], int)):
        return "a form field is text: it has no fields of its own"
    return None


def _json_field_problem(schema: Any, path: tuple[str | int, ...]) -> str | None:
    """Why ``{body.<path>}`` can never be in a JSON body with ``schema``, or None: a key that
    a closed object (``additionalProperties: false``, no ``patternProperties``) does not
    declare. Schemas combined with allOf/anyOf/oneOf/$ref are not second-guessed."""
    where = "body"
    for part in path:
        if not isinstance(schema, dict) or any(k in schema for k in
                                               ("allOf", "anyOf", "oneOf", "$ref", "not")):
            return None
        if isinstance(part, int):
            schema = schema.get("items")
            where += f"[{part}]"
            continue
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        if part not in props:
            if schema.get("additionalProperties") is False and "patternProperties" not in schema:
                return (f"{where} declares no {part!r} and allows no other keys "
                        f"(additionalProperties: false)")
            return None
        schema = props[part]
        where += f".{part}"
    return None
