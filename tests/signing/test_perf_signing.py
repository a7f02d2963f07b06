"""Signing keeps each key's HMAC state between calls: the signature still follows the secret
(rotation, many secrets, hex/base64url encodings), computed independently here."""

from __future__ import annotations

import base64
import hashlib
import hmac

from hypothesis import given, settings
from hypothesis import strategies as st

import specclient
from conftest import CREDS, hub_signature
from specclient.signing.message import HmacKey

TARGET = "https://hooks.example.com/ingram"


def sign(secret: str, event_id: str = "E-1") -> str:
    client = specclient.Client(credentials={**CREDS, "INGRAM_WEBHOOK_SECRET": secret})
    req = client.prepare("ingram.order_status_event", {"eventId": event_id},
                         targeturl=TARGET, dry_run=True)
    return req.headers["x-hub-signature"]


def test_the_signature_follows_the_secret_from_call_to_call() -> None:
    for secret in ["first-secret", "second-secret", "first-secret", "x" * 200]:
        for event in ["E-1", "E-2"]:
            assert sign(secret, event) == hub_signature(secret, event)


def test_more_keys_than_the_rule_keeps_are_all_signed_right() -> None:
    client = specclient.Client(credentials=CREDS)
    signer = client.operation("ingram.order_status_event").signing[0]
    secrets = [f"secret-number-{i}" for i in range(signer.MAX_KEYS * 2 + 3)]
    for secret in secrets + secrets[:3]:
        assert sign(secret) == hub_signature(secret, "E-1")
    assert len(signer._keyed) <= signer.MAX_KEYS


def test_every_encoding_from_the_kept_state(tmp_path) -> None:
    (tmp_path / "svc" / "operations").mkdir(parents=True)
    (tmp_path / "svc" / "service.yaml").write_text(
        "service: svc\nenvironments: {prod: 'https://api.example.com'}\n"
        "signing:\n"
        "  hex: {type: hmac, algorithm: sha256, secret: SVC_SECRET, message: '{raw_body}',"
        " header: X-Hex, encoding: hex}\n"
        "  url: {type: hmac, algorithm: sha1, secret: SVC_SECRET, message: '{raw_body}',"
        " header: X-Url, encoding: base64url}\n")
    (tmp_path / "svc" / "operations" / "send.yaml").write_text(
        "operation: send\nmethod: POST\npath: /send\nsigning: [hex, url]\n"
        "body: {content_type: application/json, schema: {type: object}}\n")
    for secret in ["one", "two", "one"]:
        client = specclient.Client([tmp_path], include_bundled=False,
                                   credentials={"SVC_SECRET": secret})
        req = client.prepare("svc.send", {"a": secret})
        raw = req.body
        assert req.headers["X-Hex"] == hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        assert req.headers["X-Url"] == base64.urlsafe_b64encode(
            hmac.new(secret.encode(), raw, hashlib.sha1).digest()).decode()


@settings(max_examples=300, deadline=None)
@given(algorithm=st.sampled_from(["sha1", "sha256", "sha512"]),
       key=st.binary(max_size=300), messages=st.lists(st.binary(max_size=300), max_size=4))
def test_hmac_key_is_the_standard_librarys_hmac(algorithm, key, messages) -> None:
    keyed = HmacKey(algorithm, key)
    for message in messages:  # the kept states are copied, never changed
        assert keyed.digest(message) == hmac.new(key, message, algorithm).digest()
    assert repr(keyed) == "<HmacKey>"  # nothing of the key
