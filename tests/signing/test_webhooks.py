"""Receiving webhooks: Client.verify_webhook and `specclient verify`."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import io
import json
import pathlib
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import specclient
from specclient import (
    ArgumentError,
    MissingCredentialError,
    ValidationError,
    WebhookBodyError,
    WebhookVerificationError,
)
from specclient.cli import main

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "specs"
OP = "ingram.order_status_event"
SECRET = "ingram-webhook-secret-abc"


def hub(secret: str, event_id: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), event_id.encode(),
                                     hashlib.sha512).digest()).decode()


@pytest.fixture
def client():
    c = specclient.Client(credentials={"INGRAM_WEBHOOK_SECRET": SECRET})
    yield c
    c.close()


@pytest.fixture
def event(client):
    return copy.deepcopy(client.operation(OP).body.example)


def raw(event) -> bytes:
    return json.dumps(event, indent=1).encode()


def test_ingram_event_verifies_and_returns_the_decoded_body(client, event):
    headers = {"X-Hub-Signature": hub(SECRET, event["eventId"]),
               "targeturl": "https://me.example/hook", "Content-Type": "application/json"}
    assert client.verify_webhook(OP, headers, raw(event)) == event
    # by alias too, and the raw body as str
    assert client.verify_webhook("resellers_v1_webhooks_orderstatusevent_post", headers,
                                 raw(event).decode()) == event


def test_ingram_wrong_signature_is_refused_with_the_operation_named(client, event):
    headers = {"x-hub-signature": hub("other", event["eventId"])}
    with pytest.raises(WebhookVerificationError) as e:
        client.verify_webhook(OP, headers, raw(event))
    assert str(e.value) == f"{OP}: signature mismatch in header 'x-hub-signature'"
    assert e.value.reason == "signature mismatch in header 'x-hub-signature'"
    assert e.value.operation == OP
    with pytest.raises(WebhookVerificationError) as e:
        client.verify_webhook(OP, {}, raw(event))
    assert e.value.reason == "missing header 'x-hub-signature'"


def test_signed_body_that_breaks_the_schema_names_the_paths(client, event):
    event["resource"][0]["lines"][0]["requestedQuantity"] = [3]
    event["topic"] = 7
    headers = {"x-hub-signature": hub(SECRET, event["eventId"])}
    with pytest.raises(WebhookBodyError) as e:
        client.verify_webhook(OP, headers, raw(event))
    assert isinstance(e.value, ValidationError) and isinstance(e.value, WebhookVerificationError)
    assert [v.path for v in e.value.violations] == [
        "body.resource[0].lines[0].requestedQuantity", "body.topic"]
    assert str(e.value).startswith(f"{OP}: invalid webhook body (2 violations):\n")
    assert "body.topic: 7 is not of type 'string'" in e.value.reason


def test_non_json_body_with_a_valid_signature_elsewhere(client):
    # Ingram signs only eventId: a body that is not JSON cannot even be checked
    with pytest.raises(WebhookVerificationError) as e:
        client.verify_webhook(OP, {"x-hub-signature": hub(SECRET, "x")}, b"\x00\xff")
    assert e.value.reason == "the body is not valid JSON, but the signature covers fields of it"


def test_rotation_from_secrets_argument_and_from_a_credentials_list(event):
    headers = {"x-hub-signature": hub("old-secret", event["eventId"])}
    c = specclient.Client(credentials={"INGRAM_WEBHOOK_SECRET": ["new-secret", "old-secret"]})
    assert c.verify_webhook(OP, headers, raw(event))["eventId"] == event["eventId"]
    c = specclient.Client(credentials={"INGRAM_WEBHOOK_SECRET": "new-secret"})
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        c.verify_webhook(OP, headers, raw(event))
    assert c.verify_webhook(OP, headers, raw(event), secrets=["new-secret", "old-secret"])
    assert c.verify_webhook(OP, headers, raw(event), secrets="old-secret")


def test_it_verifies_the_raw_bytes_never_a_reserialised_body():
    client = specclient.Client([EXAMPLES], credentials={"GITHUB_WEBHOOK_SECRET": "s3cr3t"})
    body = b'{ "zen" : "Design for failure.",\n  "hook_id": 1 }'
    sig = "sha256=" + hmac.new(b"s3cr3t", body, hashlib.sha256).hexdigest()
    data = client.verify_webhook("github.delivery", {"X-Hub-Signature-256": sig}, body)
    assert data == {"zen": "Design for failure.", "hook_id": 1}
    reserialised = json.dumps(data).encode()
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        client.verify_webhook("github.delivery", {"X-Hub-Signature-256": sig}, reserialised)
    with pytest.raises(ArgumentError) as e:
        client.verify_webhook("github.delivery", {"X-Hub-Signature-256": sig}, data)
    assert str(e.value) == ("github.delivery: pass the raw body bytes received, not a decoded "
                            "dict")


def test_standard_webhooks_through_the_client_with_tolerance_and_now():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    client = specclient.Client([EXAMPLES], credentials={"STANDARD_WEBHOOK_SECRET": secret})
    body = b'{"type": "invoice.paid", "timestamp": "2024-01-01T00:00:00Z", "data": {}}'
    ts = 1700000000
    key = base64.b64decode(secret[6:])
    sig = base64.b64encode(hmac.new(key, f"msg_1.{ts}.".encode() + body,
                                    hashlib.sha256).digest()).decode()
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(ts),
               "webhook-signature": f"v1,{sig}"}
    op = "standard_webhooks.event"
    assert client.verify_webhook(op, headers, body, now=ts + 299)["type"] == "invoice.paid"
    with pytest.raises(WebhookVerificationError) as e:
        client.verify_webhook(op, headers, body, now=ts + 301)
    assert str(e.value) == f"{op}: timestamp too old (301 s, tolerance 300 s)"
    assert client.verify_webhook(op, headers, body, now=ts + 301, tolerance=400)
    with pytest.raises(WebhookBodyError) as e:
        bad = b'{"type": "x"}'
        sig2 = base64.b64encode(hmac.new(key, f"msg_1.{ts}.".encode() + bad,
                                         hashlib.sha256).digest()).decode()
        client.verify_webhook(op, {**headers, "webhook-signature": f"v1,{sig2}"}, bad, now=ts)
    assert [v.path for v in e.value.violations] == ["body.data", "body.timestamp"]


def test_missing_secret_and_unsigned_operation_are_configuration_errors(event):
    c = specclient.Client(credentials={})
    with pytest.raises(MissingCredentialError) as e:
        c.verify_webhook(OP, {"x-hub-signature": "x"}, raw(event))
    assert "INGRAM_WEBHOOK_SECRET" in str(e.value)
    with pytest.raises(ArgumentError) as e:
        c.verify_webhook("thirdwatch.order_status", {}, b"{}")
    assert str(e.value) == ("thirdwatch.order_status: declares no signing rule, so an "
                            "incoming request for it cannot be verified")


# --------------------------------------------------------------------------- CLI


def run(argv, capsys, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_verify_ok_prints_the_body(tmp_path, capsys, monkeypatch, event):
    monkeypatch.setenv("INGRAM_WEBHOOK_SECRET", SECRET)
    f = tmp_path / "event.json"
    f.write_bytes(raw(event))
    code, out, err = run(["verify", OP, "--header",
                          f"X-Hub-Signature: {hub(SECRET, event['eventId'])}",
                          "-H", "targeturl: https://x", "--body", f"@{f}"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out) == event


def test_cli_verify_from_stdin_and_failure_exit_4(capsys, monkeypatch, event):
    monkeypatch.setenv("INGRAM_WEBHOOK_SECRET", SECRET)
    code, out, err = run(["verify", OP, "-H", f"x-hub-signature: {hub(SECRET, 'nope')}",
                          "--body", "-"], capsys, raw(event), monkeypatch)
    assert (code, out) == (4, "")
    assert err == f"not verified: {OP}: signature mismatch in header 'x-hub-signature'\n"
    assert SECRET not in err
    code, out, err = run(["verify", OP, "-H", f"x-hub-signature: {hub(SECRET, 'E1')}",
                          "--body", '{"eventId": "E1"}'], capsys)
    assert (code, json.loads(out)) == (0, {"eventId": "E1"})


def test_cli_verify_usage_errors(capsys, monkeypatch):
    monkeypatch.setenv("INGRAM_WEBHOOK_SECRET", SECRET)
    code, out, err = run(["verify", OP, "-H", "no colon", "--body", "{}"], capsys)
    assert (code, err) == (2, "error: --header 'no colon': expected 'Name: value'\n")
    code, out, err = run(["verify", OP, "--body", "@/nonexistent/x.json"], capsys)
    assert (code, err) == (2, "error: --body @/nonexistent/x.json: No such file or directory\n")
    monkeypatch.delenv("INGRAM_WEBHOOK_SECRET")
    monkeypatch.setenv("SPECCLIENT_CREDENTIALS", "/nonexistent/creds.yaml")
    code, out, err = run(["verify", OP, "-H", "x-hub-signature: a", "--body", "{}"], capsys)
    assert code == 2
    assert err == ("error: credentials file /nonexistent/creds.yaml: not found (named by "
                   "SPECCLIENT_CREDENTIALS or file=)\n")


# --------------------------------------------------------------------------- any bytes

FUZZ_CLIENT = specclient.Client([EXAMPLES], credentials={
    "INGRAM_WEBHOOK_SECRET": SECRET, "GITHUB_WEBHOOK_SECRET": "gh",
    "STANDARD_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
NAMES = ["x-hub-signature", "X-Hub-Signature-256", "webhook-id", "webhook-timestamp",
         "webhook-signature"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(op=st.sampled_from([OP, "github.delivery", "standard_webhooks.event"]),
       headers=st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text(max_size=10)),
                               st.one_of(st.text(max_size=100), st.binary(max_size=100)),
                               max_size=6),
       body=st.one_of(st.binary(max_size=400), st.text(max_size=100),
                      st.just(b'{"eventId": "x", "resource": 1}')))
def test_any_bytes_into_verify_webhook_give_only_verification_errors(op, headers, body):
    try:
        FUZZ_CLIENT.verify_webhook(op, headers, body)
    except WebhookVerificationError as exc:
        assert exc.reason and exc.operation == op
