"""Published signing schemes, declared in YAML only, come out byte-exact on the wire.

Expected signatures are published vectors or computed here with hmac/hashlib; requests are
caught by `responses` so the exact headers and body bytes sent are what is asserted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import pathlib
import time

import pytest
import responses as responses_lib

import specclient
from specclient import ArgumentError, AuthError, WebhookVerificationError

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "specs"

STRIPE_SERVICE = """\
service: stripe_like
title: Stripe-style signatures
environments: {test: "https://hooks.example.test"}
signing:
  stripe:
    type: hmac
    algorithm: sha256
    secret: STRIPE_WEBHOOK_SECRET
    message: "{timestamp}.{raw_body}"
    encoding: hex
    header: Stripe-Signature
    value: "t={timestamp},v1={signature}"
    multiple: ","
defaults: {auth: none, signing: stripe}
"""
STRIPE_OP = """\
method: POST
path: /stripe
idempotent: true
body: {content_type: application/json, schema: {type: object}}
responses: {"200": {description: ok}}
"""


def write_service(root: pathlib.Path, name: str, service: str, ops: dict[str, str]) -> None:
    folder = root / name
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(service)
    for op, text in ops.items():
        (folder / "operations" / f"{op}.yaml").write_text(text)


@pytest.fixture
def mocked():
    with responses_lib.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


def sent(mocked) -> responses_lib.Call:
    assert len(mocked.calls) == 1
    return mocked.calls[0]


# --------------------------------------------------------------------------- GitHub


def test_github_x_hub_signature_256_published_example(mocked, tmp_path):
    # docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody",
    # payload "Hello, World!" -> this signature. The shipped rule, with a text operation so
    # that the published (non-JSON) payload can be sent as is.
    write_service(tmp_path, "gh", (EXAMPLES / "github" / "service.yaml").read_text()
                  .replace("service: github", "service: gh"),
                  {"text": "method: POST\npath: /hook\nbody: {content_type: text/plain}\n"})
    secret = "It's a Secret to Everybody"
    client = specclient.Client([tmp_path], credentials={"GITHUB_WEBHOOK_SECRET": secret})
    mocked.post("http://127.0.0.1:8000/hook", status=204)
    client.call("gh.text", body="Hello, World!")
    request = sent(mocked).request
    assert request.body == b"Hello, World!"
    assert request.headers["X-Hub-Signature-256"] \
        == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_github_delivery_signs_the_raw_json_bytes(mocked):
    secret = "gh-secret"
    client = specclient.Client([EXAMPLES], credentials={"GITHUB_WEBHOOK_SECRET": secret})
    mocked.post("http://127.0.0.1:8000/github/webhook", status=204)
    client.call("github.delivery", body='{"zen": "x",  "hook_id": 1}', github_event="ping")
    request = sent(mocked).request
    assert request.body == b'{"zen": "x",  "hook_id": 1}'
    assert request.headers["X-Hub-Signature-256"] == "sha256=" + hmac.new(
        secret.encode(), b'{"zen": "x",  "hook_id": 1}', hashlib.sha256).hexdigest()
    assert request.headers["X-GitHub-Event"] == "ping"


def test_github_rule_reproduces_githubs_published_signature():
    # docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody",
    # payload "Hello, World!" -> this signature. The rule, loaded from the shipped YAML.
    client = specclient.Client([EXAMPLES])
    rule = client.operation("github.delivery").signing[0]
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    key = rule.key("It's a Secret to Everybody")
    assert rule.value.render(lambda f: rule.compute(key, b"Hello, World!").encode()) \
        == expected.encode()
    rule.verify({"X-Hub-Signature-256": expected}, b"Hello, World!",
                ["It's a Secret to Everybody"])


# --------------------------------------------------------------------------- Standard Webhooks

# The reference library's vector: standard-webhooks/standard-webhooks,
# libraries/python/tests/test_webhooks.py (test_sign_function).
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SW_TS = "1614265330"
SW_BODY = '{"test": 2432232314}'
SW_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def sw_client(tmp_path: pathlib.Path) -> specclient.Client:
    # the shipped rule, with an operation whose body schema admits the vector's payload
    write_service(tmp_path, "sw", (EXAMPLES / "standard_webhooks" / "service.yaml")
                  .read_text().replace("service: standard_webhooks", "service: sw"),
                  {"vector": STRIPE_OP.replace("/stripe", "/webhook")})
    return specclient.Client([tmp_path], credentials={"STANDARD_WEBHOOK_SECRET": SW_SECRET})


def test_standard_webhooks_reference_vector_on_the_wire(mocked, tmp_path):
    client = sw_client(tmp_path)
    mocked.post("http://127.0.0.1:8000/webhook", status=200)
    client.call("sw.vector", body=SW_BODY,
                extra_headers={"webhook-id": SW_ID, "webhook-timestamp": SW_TS})
    h = sent(mocked).request.headers
    assert sent(mocked).request.body == SW_BODY.encode()
    assert (h["webhook-id"], h["webhook-timestamp"], h["webhook-signature"]) \
        == (SW_ID, SW_TS, SW_SIG)


def test_standard_webhooks_generated_id_and_timestamp(tmp_path):
    client = sw_client(tmp_path)
    before = int(time.time())
    req = client.prepare("sw.vector", body=SW_BODY)
    after = int(time.time())
    msg_id, ts = req.headers["webhook-id"], req.headers["webhook-timestamp"]
    assert msg_id.startswith("msg_") and len(msg_id) > 20
    assert before <= int(ts) <= after
    key = base64.b64decode(SW_SECRET[6:])
    mac = hmac.new(key, f"{msg_id}.{ts}.{SW_BODY}".encode(), hashlib.sha256).digest()
    assert req.headers["webhook-signature"] == "v1," + base64.b64encode(mac).decode()
    # and a receiver with the same rule accepts exactly that
    rule = client.operation("sw.vector").signing[0]
    rule.verify(req.headers, req.body, [SW_SECRET])
    assert client.prepare("sw.vector", body=SW_BODY).headers["webhook-id"] != msg_id


def test_standard_webhooks_explicit_timestamp_must_match_template(tmp_path):
    client = sw_client(tmp_path)
    with pytest.raises(ArgumentError) as e:
        client.prepare("sw.vector", body=SW_BODY, extra_headers={"webhook-id": "nope"})
    assert str(e.value) == ("sw.vector: header 'webhook-id' must look like 'msg_{random}' "
                            "(signing rule 'standard_webhooks')")


def test_bad_base64_secret_when_signing_is_an_auth_error_without_the_value(tmp_path):
    client = sw_client(tmp_path)
    client._credentials = specclient.Credentials({"STANDARD_WEBHOOK_SECRET": "whsec_@@@@"})
    with pytest.raises(AuthError) as e:
        client.prepare("sw.vector", body=SW_BODY)
    assert str(e.value) == ("sw.vector: signing rule 'standard_webhooks': secret "
                            "STANDARD_WEBHOOK_SECRET is not valid base64")


# --------------------------------------------------------------------------- Stripe-style


def test_stripe_style_t_and_v1_over_timestamp_and_body(mocked, tmp_path):
    write_service(tmp_path, "stripe_like", STRIPE_SERVICE, {"event": STRIPE_OP})
    secret = "whsec_test_stripe_like"
    client = specclient.Client([tmp_path], credentials={"STRIPE_WEBHOOK_SECRET": secret})
    mocked.post("https://hooks.example.test/stripe", status=200)
    before = int(time.time())
    client.call("stripe_like.event", body={"id": "evt_1", "type": "charge.succeeded"})
    after = int(time.time())
    request = sent(mocked).request
    assert request.body == b'{"id":"evt_1","type":"charge.succeeded"}'
    header = request.headers["Stripe-Signature"]
    t, _, v1 = header.partition(",")
    assert t.startswith("t=") and v1.startswith("v1=")
    ts = int(t[2:])
    assert before <= ts <= after
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + request.body,
                        hashlib.sha256).hexdigest()
    assert header == f"t={ts},v1={expected}"
    rule = client.operation("stripe_like.event").signing[0]
    rule.verify({"stripe-signature": header}, request.body, [secret], now=ts)
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        rule.verify({"stripe-signature": header}, request.body + b"\n", [secret], now=ts)


# --------------------------------------------------------------------------- Ingram


def test_ingram_x_hub_signature_byte_exact(mocked):
    secret = "ingram-webhook-secret-abc"
    client = specclient.Client(credentials={
        "INGRAM_WEBHOOK_SECRET": secret, "INGRAM_CLIENT_ID": "cid",
        "INGRAM_CLIENT_SECRET": "csecret"})
    mocked.post("https://api.ingrammicro.com:443/oauth/oauth30/token",
                json={"access_token": "tok-1", "expires_in": "86400"})
    mocked.post("https://api.ingrammicro.com:443/sandbox/resellers/v1/webhooks/"
                "orderstatusevent", status=200)
    body = {"topic": "resellers/order", "event": "im::updated", "eventId": "EVT-42",
            "eventTimeStamp": "2024-05-01T10:00:00Z", "resource": []}
    client.call("ingram.order_status_event", body=body, targeturl="https://hooks.example/x")
    api = mocked.calls[1].request
    expected = base64.b64encode(hmac.new(secret.encode(), b"EVT-42",
                                         hashlib.sha512).digest()).decode()
    assert api.headers["x-hub-signature"] == expected
    assert len(expected) == 88
    assert api.headers["Authorization"] == "Bearer tok-1"
    assert api.headers["targeturl"] == "https://hooks.example/x"
    # the shipped rule verifies what it signed, from the raw bytes that went out
    rule = client.operation("ingram.order_status_event").signing[0]
    rule.verify(dict(api.headers), api.body, [secret])


def test_describe_says_how_a_receiver_reads_the_rule():
    client = specclient.Client([EXAMPLES])
    (rule,) = client.operation("standard_webhooks.event").signing
    assert rule.describe() == (
        "HMAC-SHA256 of '{header.webhook-id}.{timestamp}.{raw_body}' with "
        "STANDARD_WEBHOOK_SECRET, base64 in header 'webhook-signature' as 'v1,{signature}', "
        "several separated by ' '; generates webhook-id, webhook-timestamp; timestamps "
        "accepted within 300 s")
    (gh,) = client.operation("github.delivery").signing
    assert gh.describe() == ("HMAC-SHA256 of '{raw_body}' with GITHUB_WEBHOOK_SECRET, hex in "
                             "header 'X-Hub-Signature-256' as 'sha256={signature}'")
