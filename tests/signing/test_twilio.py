"""Twilio's request signature in YAML alone: base64(HMAC-SHA1(auth token, the full URL + every
form parameter's name and value, sorted by name)), checked against Twilio's published example
and computed independently here; ``{body.X}`` reads a form field."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

import pytest

import specclient

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
          "From": "+12349013030", "To": "+18005551212"}
PUBLISHED = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="  # Twilio's docs and test suites, for the above

SERVICE = """service: twilio
environments: {production: "https://mycompany.com"}
signing:
  twilio:
    type: hmac
    algorithm: sha1
    secret: TWILIO_AUTH_TOKEN
    message: "{url}{form_sorted}"
    encoding: base64
    header: X-Twilio-Signature
  call_sid:
    type: hmac
    algorithm: sha256
    secret: TWILIO_AUTH_TOKEN
    message: "{body.CallSid}:{body.Digits}"
    encoding: hex
    header: X-Sid-Signature
defaults: {auth: none}
"""
CALLBACK = """method: POST
path: /myapp.php
signing: %s
parameters:
  foo: {in: query, schema: {type: string}}
  bar: {in: query, schema: {type: string}}
body:
  content_type: application/x-www-form-urlencoded
  schema:
    type: object
    required: [CallSid]
    properties:
      CallSid: {type: string}
      Caller: {type: string}
      Digits: {type: string}
      From: {type: string}
      To: {type: string}
responses: {"200": {description: ok}}
"""


@pytest.fixture
def client(tmp_path):
    folder = tmp_path / "specs" / "twilio"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE)
    (folder / "operations" / "voice_callback.yaml").write_text(CALLBACK % "twilio")
    (folder / "operations" / "sid_callback.yaml").write_text(CALLBACK % "call_sid")
    return specclient.Client([tmp_path / "specs"], include_bundled=False,
                             credentials={"TWILIO_AUTH_TOKEN": TOKEN})


def independent(url: str, params: dict[str, str]) -> str:
    text = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(TOKEN.encode(), text.encode(), hashlib.sha1).digest()) \
        .decode()


def test_the_signature_on_the_wire_is_twilios_published_one(client):
    req = client.prepare("twilio.voice_callback", PARAMS, foo="1", bar="2")
    assert req.url == URL
    assert req.headers["X-Twilio-Signature"] == PUBLISHED == independent(URL, PARAMS)


def test_a_twilio_callback_verifies_and_gives_its_fields(client):
    raw = urlencode(PARAMS).encode()
    fields = client.verify_webhook(
        "twilio.voice_callback",
        {"X-Twilio-Signature": PUBLISHED, "Content-Type": "application/x-www-form-urlencoded"},
        raw, url=URL)
    assert fields == PARAMS
    tampered = urlencode({**PARAMS, "Digits": "9999"}).encode()
    with pytest.raises(specclient.WebhookVerificationError):
        client.verify_webhook(
            "twilio.voice_callback",
            {"X-Twilio-Signature": PUBLISHED,
             "Content-Type": "application/x-www-form-urlencoded"}, tampered, url=URL)


def test_body_fields_of_a_form_can_be_signed(client):
    req = client.prepare("twilio.sid_callback", PARAMS)
    want = hmac.new(TOKEN.encode(), b"CA1234567890ABCDE:1234", hashlib.sha256).hexdigest()
    assert req.headers["X-Sid-Signature"] == want
    raw = urlencode(PARAMS).encode()
    assert client.verify_webhook(
        "twilio.sid_callback",
        {"X-Sid-Signature": want, "Content-Type": "application/x-www-form-urlencoded"},
        raw)["CallSid"] == "CA1234567890ABCDE"


def test_form_sorted_sorts_by_name_then_value_with_repeats():
    from specclient.signing.message import form_sorted

    assert form_sorted(b"b=2&a=9&a=1&c=") == b"a1a9b2c"
    assert form_sorted(b"") == b""
