"""Receiving webhooks: an incoming request checked against an operation's signing rules.

The same YAML that lets specclient *send* a signed request (``signing:`` in service.yaml)
lets a receiver verify one::

    client = specclient.Client(credentials={"INGRAM_WEBHOOK_SECRET": "..."})
    try:
        event = client.verify_webhook("ingram.order_status_event", headers, raw_body)
    except specclient.WebhookVerificationError as exc:
        ...  # answer 401; exc.reason says why

Stages, in order: each signing rule verifies the raw bytes received
(:meth:`specclient.signing.Signer.verify`); then the body is decoded by the operation's content
type and validated against its schema. Everything an attacker controls (headers, body bytes)
can only ever produce :class:`WebhookVerificationError` -- or its subclass
:class:`WebhookBodyError` when the signature is good but the body breaks the schema.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from ..credentials import Credentials
from ..errors import ArgumentError, Violation, WebhookBodyError, WebhookVerificationError
from ..schema.coerce import coerce
from ..schema.validation import SchemaValidator, json_path
from .base import Signer
from .message import HeaderLookup

if TYPE_CHECKING:  # a type only
    from ..model import Operation

__all__ = ["verify_webhook", "decode_webhook_body"]


def verify_webhook(
    op: Operation,
    headers: Mapping[str, str] | Any,
    body: bytes | str,
    *,
    credentials: Credentials,
    secrets: str | Sequence[str] | None = None,
    tolerance: float | None = None,
    now: float | None = None,
    url: str | None = None,
    method: str | None = None,
    body_validator: SchemaValidator | None = None,
) -> Any:
    """Verify an incoming request for ``op`` and return its decoded, validated body.

    See :meth:`specclient.Client.verify_webhook`, which supplies ``credentials`` and the
    operation's compiled ``body_validator``.
    """
    if not op.signing:
        raise ArgumentError(op.full_name, "declares no signing rule, so an incoming request "
                                          "for it cannot be verified")
    if isinstance(body, str):
        raw = body.encode("utf-8")
    elif isinstance(body, (bytes, bytearray, memoryview)):
        raw = bytes(body)
    else:
        raise ArgumentError(op.full_name, "pass the raw body bytes received, not "
                                          f"a decoded {type(body).__name__}", "body")
    received = HeaderLookup(headers)
    for signer in op.signing:
        accepted = _secrets_for(signer, secrets, credentials, op.full_name)
        try:
            signer.verify(received, raw, accepted, method=method or op.method,
                          url=url or op.path, now=now, tolerance=tolerance,
                          content_type=op.body.content_type if op.body else None)
        except WebhookVerificationError as exc:
            raise WebhookVerificationError(exc.reason, op.full_name) from None
    data = decode_webhook_body(op, raw)
    checked = op.body is not None and (op.body.is_json or isinstance(data, dict))  # or a form
    if body_validator is not None and checked and not body_validator.is_valid(data):
        raise WebhookBodyError(op.full_name, body_validator.violations(data, "body"))
    return data


def _secrets_for(signer: Signer, secrets: str | Sequence[str] | None,
                 credentials: Credentials, operation: str) -> list[str]:
    if secrets is not None:
        return [secrets] if isinstance(secrets, str) else list(secrets)
    return signer.verification_secrets(lambda name: credentials.get_all(name, operation))


def decode_webhook_body(op: Operation, raw: bytes) -> Any:
    """The body as the operation declares it: JSON decoded, a form as a dict of its fields,
    ``text/*`` as str, else bytes.

    Undecodable bytes are a :class:`WebhookVerificationError`. JSON that Python's decoder
    takes but specclient would never send (``NaN``, ``Infinity``, a number beyond a double such
    as ``1e999999``, a lone surrogate such as ``"\\ud800"``) is a :class:`WebhookBodyError`
    naming the JSON path of each.
    """
    if op.body is None:
        return raw or None
    if op.body.is_json:
        try:
            data = json.loads(raw, parse_constant=_Unsendable, parse_float=_float)
        except (ValueError, RecursionError):
            raise WebhookVerificationError("the body is not valid JSON", op.full_name) \
                from None
        refused = _unsendable(data)
        if refused:
            raise WebhookBodyError(op.full_name, refused)
        return data
    media = op.body.content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return _form_fields(op, raw)
    if op.body.content_type.lower().startswith("text/"):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookVerificationError("the body is not UTF-8 text", op.full_name) \
                from None
    return raw


def _form_fields(op: Operation, raw: bytes) -> dict[str, Any]:
    """A form body's fields (Slack's slash commands and interactions, Twilio's callbacks): each
    field's text, typed as the body schema's property says (``count=3`` with ``type: integer``
    gives 3); a field given more than once, or declared an array, is a list."""
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text),
                          errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise WebhookVerificationError("the body is not a valid form (application/"
                                       "x-www-form-urlencoded, UTF-8)", op.full_name) from None
    schema = op.body.schema if op.body is not None and isinstance(op.body.schema, dict) else {}
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    out: dict[str, Any] = {}
    for name, values in grouped.items():
        prop = props.get(name) if isinstance(props.get(name), dict) else {}
        if prop.get("type") == "array" or len(values) > 1:
            items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
            out[name] = [coerce(items, v) for v in values]
        else:
            out[name] = coerce(prop, values[0])
    return out


class _Unsendable:
    """A JSON number that Python's decoder accepts but no strict JSON sender produces
    (``NaN``, ``Infinity``, ``-Infinity``, or a number beyond a double such as ``1e999999``):
    kept as its text, so the body can be refused with the JSON path of each."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _float(text: str) -> float | _Unsendable:
    value = float(text)
    return value if math.isfinite(value) else _Unsendable(text)


def _bad_text(value: str) -> bool:
    """True for a string holding a lone surrogate (``"\\ud800"``): not encodable as UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unsendable(data: Any) -> list[Violation]:
    """Every value in decoded JSON ``data`` that specclient would refuse to send (see
    :func:`specclient.prepare.building.encode_body`: ``allow_nan=False`` and UTF-8), at its JSON
    path.
    Walks with its own stack: a deeply nested body cannot exhaust the recursion limit."""
    found: list[tuple[list[Any], str]] = []
    stack: list[tuple[list[Any], Any]] = [([], data)]
    while stack:
        path, value = stack.pop()
        if path and isinstance(path[-1], str) and _bad_text(path[-1]):
            found.append((path, "the key holds a lone surrogate (not valid Unicode text); "
                                "refused"))
        if isinstance(value, _Unsendable):
            text = value.text if len(value.text) <= 40 else value.text[:40] + "..."
            found.append((path, f"{text} is not a finite number; refused"))
        elif isinstance(value, str):
            if _bad_text(value):
                found.append((path, "the string holds a lone surrogate (not valid Unicode "
                                    "text); refused"))
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):  # popped in document order
                stack.append((path + [key], item))
        elif isinstance(value, list):
            stack.extend((path + [i], item) for i, item in reversed(list(enumerate(value))))
    # json_path shows a key with a lone surrogate escaped (repr)
    return [Violation(json_path("body", path), message, "json") for path, message in found]

