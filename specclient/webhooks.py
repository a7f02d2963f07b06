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
from collections.abc import Mapping, Sequence
from typing import Any

from .credentials import Credentials
from .errors import ArgumentError, WebhookBodyError, WebhookVerificationError
from .model import Operation
from .signing import HeaderLookup, Signer
from .validation import SchemaValidator

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
                          url=url or op.path, now=now, tolerance=tolerance)
        except WebhookVerificationError as exc:
            raise WebhookVerificationError(exc.reason, op.full_name) from None
    data = decode_webhook_body(op, raw)
    if body_validator is not None and op.body is not None and op.body.is_json \
            and not body_validator.is_valid(data):
        raise WebhookBodyError(op.full_name, body_validator.violations(data, "body"))
    return data


def _secrets_for(signer: Signer, secrets: str | Sequence[str] | None,
                 credentials: Credentials, operation: str) -> list[str]:
    if secrets is not None:
        return [secrets] if isinstance(secrets, str) else list(secrets)
    out: list[str] = []
    for name in signer.secret_names():
        out.extend(credentials.get_all(name, operation))
    return out


def decode_webhook_body(op: Operation, raw: bytes) -> Any:
    """The body as the operation declares it: JSON decoded, ``text/*`` as str, else bytes.

    Undecodable bytes are a :class:`WebhookVerificationError`.
    """
    if op.body is None:
        return raw or None
    if op.body.is_json:
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise WebhookVerificationError("the body is not valid JSON", op.full_name) \
                from None
    if op.body.content_type.lower().startswith("text/"):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookVerificationError("the body is not UTF-8 text", op.full_name) \
                from None
    return raw
