"""Twilio's X-Twilio-Signature, declared in YAML only: form bodies (``{form_sorted}``, and
``{body.X}`` reading a form field), JSON bodies (``bodySHA256`` added to the URL by
``generate_query``) and GET requests (the URL alone), sent and verified.

Expected values are Twilio's published examples (auth token ``12345``) and are also computed
here independently, with hmac/hashlib, following Twilio's description of the scheme.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import pathlib
from urllib.parse import urlencode

import pytest
import responses as responses_lib

import specclient
from specclient import ArgumentError, WebhookVerificationError

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
          "From": "+12349013030", "To": "+18005551212"}
PUBLISHED_FORM = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
JSON_BODY = b'{"property": "value", "boolean": true}'
JSON_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
PUBLISHED_JSON = "a9nBmqA0ju/hNViExpshrM61xv4="

# The service as a user would declare it (docs/spec-format.md shows the same rules).
SERVICE = """\
service: twilio_example
environments: {prod: "https://mycompany.com"}
signing:
  twilio:                          # form bodies and GET: the URL, then each form parameter
    type: hmac
    algorithm: sha1
    secret: TWILIO_AUTH_TOKEN
    message: "{url}{form_sorted}"
    encoding: base64
    header: X-Twilio-Signature
  twilio_json:                     # JSON bodies: bodySHA256=<hex> added to the URL, URL signed
    type: hmac
    algorithm: sha1
    secret: TWILIO_AUTH_TOKEN
    generate_query: {bodySHA256: "{body_sha256}"}
    message: "{url}"
    encoding: base64
    header: X-Twilio-Signature
defaults: {auth: none, signing: twilio}
"""
QUERY = """\
parameters:
  foo: {in: query, schema: {type: string}}
  bar: {in: query, schema: {type: string}}
"""
FORM_OP = f"""\
method: POST
path: /myapp.php
idempotent: true
{QUERY}body:
  content_type: application/x-www-form-urlencoded
  schema:
    type: object
    properties:
      CallSid: {{type: string}}
      Caller: {{type: string}}
      Digits: {{type: string}}
      From: {{type: string}}
      To: {{type: string}}
responses: {{"200": {{description: ok}}}}
"""
JSON_OP = f"""\
method: POST
path: /myapp.php
idempotent: true
signing: twilio_json
{QUERY}body: {{content_type: application/json, schema: {{type: object}}}}
responses: {{"200": {{description: ok}}}}
"""
GET_OP = f"""\
method: GET
path: /myapp.php
{QUERY}responses: {{"200": {{description: ok}}}}
"""


def twilio_signature(token: str, url: str, params: dict[str, str] | None = None) -> str:
    """Twilio's algorithm, written from its description: the full URL, then each POST
    parameter's name and value, sorted by name; HMAC-SHA1 with the auth token; base64."""
    data = url + "".join(k + v for k, v in sorted((params or {}).items()))
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


@pytest.fixture
def client(tmp_path: pathlib.Path) -> specclient.Client:
    folder = tmp_path / "twilio_example"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE)
    for name, text in {"status": FORM_OP, "status_json": JSON_OP, "fetch": GET_OP}.items():
        (folder / "operations" / f"{name}.yaml").write_text(text)
    return specclient.Client([tmp_path], credentials={"TWILIO_AUTH_TOKEN": TOKEN})


def test_independent_computation_gives_twilios_published_examples():
    assert twilio_signature(TOKEN, URL, PARAMS) == PUBLISHED_FORM
    assert hashlib.sha256(JSON_BODY).hexdigest() == JSON_HASH
    assert twilio_signature(TOKEN, URL + "&bodySHA256=" + JSON_HASH) == PUBLISHED_JSON


def test_form_body_signature_on_the_wire_is_twilios_published_example(client):
    with responses_lib.RequestsMock() as mocked:
        mocked.post("https://mycompany.com/myapp.php", status=200)
        # parameters in another order than sorted: the signature sorts them
        body = dict(reversed(list(PARAMS.items())))
        client.call("twilio_example.status", body=body, foo="1", bar="2")
        sent = mocked.calls[0].request
    assert sent.url == URL
    assert sent.body == urlencode(body).encode()
    assert sent.headers["X-Twilio-Signature"] == PUBLISHED_FORM
    assert sent.headers["X-Twilio-Signature"] == twilio_signature(TOKEN, URL, PARAMS)


def test_json_body_adds_body_sha256_to_the_url_and_signs_the_url(client):
    with responses_lib.RequestsMock() as mocked:
        mocked.post("https://mycompany.com/myapp.php", status=200)
        client.call("twilio_example.status_json", body=JSON_BODY, foo="1", bar="2")
        sent = mocked.calls[0].request
    assert sent.url == URL + "&bodySHA256=" + JSON_HASH
    assert sent.body == JSON_BODY  # byte for byte as given
    assert sent.headers["X-Twilio-Signature"] == PUBLISHED_JSON


def test_json_body_hash_follows_the_bytes_sent(client):
    req = client.prepare("twilio_example.status_json", body={"a": [1, "é"]}, foo="x", bar="y")
    digest = hashlib.sha256(req.body).hexdigest()
    assert req.body == '{"a":[1,"é"]}'.encode()
    assert req.url == f"https://mycompany.com/myapp.php?foo=x&bar=y&bodySHA256={digest}"
    assert req.headers["X-Twilio-Signature"] == twilio_signature(TOKEN, req.url)


def test_get_request_signs_the_url_only(client):
    req = client.prepare("twilio_example.fetch", foo="1", bar="2")
    assert req.body is None
    assert req.headers["X-Twilio-Signature"] == twilio_signature(TOKEN, URL)


def test_form_values_are_signed_decoded_and_repeated_names_each_count(client, tmp_path):
    body = {"Body": "héllo wörld & more=1+1", "Media": ["b", "a"], "Empty": ""}
    req = client.prepare("twilio_example.status", body=body, foo="1", bar="2")
    # Twilio's libraries: names sorted, each name's values sorted
    data = URL + "Bodyhéllo wörld & more=1+1" + "Empty" + "Mediaa" + "Mediab"
    expected = base64.b64encode(hmac.new(TOKEN.encode(), data.encode(),
                                         hashlib.sha1).digest()).decode()
    assert req.headers["X-Twilio-Signature"] == expected


# --------------------------------------------------------------------------- receiving


def test_verify_twilios_published_form_webhook(client):
    raw = urlencode(PARAMS).encode()
    event = client.verify_webhook("twilio_example.status",
                                  {"X-Twilio-Signature": PUBLISHED_FORM,
                                   "Content-Type": "application/x-www-form-urlencoded"},
                                  raw, url=URL)
    assert event == PARAMS
    # the order the parameters arrive in does not matter; no Content-Type header: the
    # operation's declared type says it is a form
    reordered = urlencode(list(reversed(PARAMS.items()))).encode()
    assert client.verify_webhook("twilio_example.status",
                                 {"X-Twilio-Signature": PUBLISHED_FORM}, reordered, url=URL)


@pytest.mark.parametrize("change", [
    lambda raw, url: (raw.replace(b"Digits=1234", b"Digits=1235"), url),
    lambda raw, url: (raw + b"&Extra=1", url),
    lambda raw, url: (raw, url.replace("foo=1", "foo=2")),
    lambda raw, url: (raw, url.replace("https://", "http://")),
])
def test_a_changed_form_webhook_is_refused(client, change):
    raw, url = change(urlencode(PARAMS).encode(), URL)
    with pytest.raises(WebhookVerificationError) as e:
        client.verify_webhook("twilio_example.status", {"X-Twilio-Signature": PUBLISHED_FORM},
                              raw, url=url)
    assert e.value.reason == "signature mismatch in header 'X-Twilio-Signature'"


def test_verify_twilios_published_json_webhook(client):
    url = URL + "&bodySHA256=" + JSON_HASH
    event = client.verify_webhook("twilio_example.status_json",
                                  {"X-Twilio-Signature": PUBLISHED_JSON}, JSON_BODY, url=url)
    assert event == {"property": "value", "boolean": True}


def test_a_json_webhook_whose_body_does_not_match_its_hash_is_refused(client):
    url = URL + "&bodySHA256=" + JSON_HASH
    with pytest.raises(WebhookVerificationError) as e:  # the URL (and signature) are intact
        client.verify_webhook("twilio_example.status_json",
                              {"X-Twilio-Signature": PUBLISHED_JSON},
                              JSON_BODY.replace(b"value", b"evil!"), url=url)
    assert e.value.reason == ("query parameter 'bodySHA256' does not match the request "
                              "('{body_sha256}')")
    with pytest.raises(WebhookVerificationError) as e:
        client.verify_webhook("twilio_example.status_json",
                              {"X-Twilio-Signature": PUBLISHED_JSON}, JSON_BODY, url=URL)
    assert e.value.reason == "missing query parameter 'bodySHA256'"


def test_verify_get_webhook(client):
    assert client.verify_webhook("twilio_example.fetch",
                                 {"X-Twilio-Signature": twilio_signature(TOKEN, URL)}, b"",
                                 url=URL) is None


def test_round_trip_through_the_mock(tmp_path, client):
    # the mock routes by method and path: the JSON operation gets a path of its own here
    (tmp_path / "twilio_example" / "operations" / "json2.yaml").write_text(
        JSON_OP.replace("/myapp.php", "/json.php"))
    mock = specclient.Client([tmp_path], mock=True)
    assert mock.call("twilio_example.status", body=PARAMS, foo="1", bar="2").status_code == 200
    assert mock.call("twilio_example.json2", body={"x": 1}, foo="1", bar="2").status_code == 200
    assert mock.call("twilio_example.fetch", foo="1", bar="2").status_code == 200
    with pytest.raises(specclient.ClientError) as e:  # the mock does check the signature
        mock.call("twilio_example.status", body=PARAMS, foo="1", bar="2",
                  extra_headers={"X-Twilio-Signature": PUBLISHED_FORM})
    assert e.value.status_code == 401


# --------------------------------------------------------------------------- form fields


FIELD_SERVICE = """\
service: formfields
environments: {prod: "https://hooks.example.test"}
signing:
  fields:
    type: hmac
    algorithm: sha256
    secret: FORM_SECRET
    message: "{body.CallSid}:{body.Digits}:{body.Media[1]}"
    encoding: hex
    header: X-Sig
defaults: {auth: none, signing: fields}
"""


def test_body_fields_of_a_form_body_are_signed_and_verified(tmp_path):
    folder = tmp_path / "formfields"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(FIELD_SERVICE)
    (folder / "operations" / "hook.yaml").write_text(
        "method: POST\npath: /hook\n"
        "body: {content_type: application/x-www-form-urlencoded, schema: {type: object}}\n")
    client = specclient.Client([tmp_path], credentials={"FORM_SECRET": "s3cret"})
    body = {"CallSid": "CA 1+2", "Digits": "42", "Media": ["m0", "m1"]}
    expected = hmac.new(b"s3cret", b"CA 1+2:42:m1", hashlib.sha256).hexdigest()
    with responses_lib.RequestsMock() as mocked:
        mocked.post("https://hooks.example.test/hook", status=204)
        client.call("formfields.hook", body=body)
        sent = mocked.calls[0].request
    assert sent.headers["X-Sig"] == expected
    raw = urlencode([("Media", "m0"), ("CallSid", "CA 1+2"), ("Digits", "42"),
                     ("Media", "m1")]).encode()
    assert client.verify_webhook("formfields.hook", {"X-Sig": expected}, raw)
    with pytest.raises(WebhookVerificationError):
        client.verify_webhook("formfields.hook", {"X-Sig": expected},
                              raw.replace(b"Digits=42", b"Digits=43"))
    # a form body without the field: the same error as for a JSON body
    with pytest.raises(specclient.ValidationError) as e:
        client.prepare("formfields.hook", body={"CallSid": "x", "Media": ["a", "b"]})
    assert "body.Digits" in str(e.value)


def test_form_sorted_over_a_json_body_is_refused_when_signing(tmp_path):
    folder = tmp_path / "twilio_example"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE)
    (folder / "operations" / "wrong.yaml").write_text(JSON_OP.replace("signing: twilio_json",
                                                                      "signing: twilio"))
    client = specclient.Client([tmp_path], credentials={"TWILIO_AUTH_TOKEN": TOKEN})
    with pytest.raises(ArgumentError) as e:
        client.prepare("twilio_example.wrong", body={"a": 1}, foo="1", bar="2")
    assert "{form_sorted} needs a form body" in str(e.value)
