"""Ingram Micro order status webhook: the wire, byte for byte (FACTS.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest
import responses

import specclient
from conftest import CREDS, INGRAM_TOKEN_URL, INGRAM_URL, hub_signature

TARGET = "https://hooks.example.com/ingram"


def token_reply(mocked, token="tok-1", expires_in="86400"):
    return mocked.add(responses.POST, INGRAM_TOKEN_URL,
                      json={"access_token": token, "token_type": "Bearer",
                            "expires_in": expires_in})


def test_prepare_builds_exact_request(client, ingram_example):
    req = client.prepare("ingram.order_status_event", body=ingram_example, targeturl=TARGET,
                         dry_run=True)
    assert req.method == "POST"
    assert req.url == INGRAM_URL
    expected_body = json.dumps(ingram_example, separators=(",", ":"), ensure_ascii=False)
    assert req.body == expected_body.encode()
    assert req.headers["targeturl"] == TARGET
    assert req.headers["Content-Type"] == "application/json"
    expected_sig = hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"], "N01CIB9VVFYKR9J6ZW")
    assert len(expected_sig) == 88
    assert req.headers["X-Hub-Signature"] == expected_sig


def test_seed_example_is_sent_unchanged(client, ingram_example):
    req = client.prepare("ingram.order_status_event", body=ingram_example, targeturl=TARGET,
                         dry_run=True)
    sent = json.loads(req.body)
    assert sent == ingram_example
    line = sent["resource"][0]["lines"][0]
    assert line["requestedQuantity"] == 3 and line["backOrderedQuantity"] == 1
    assert line["ingramLineNumber"] == "001"


def test_raw_bytes_body_goes_out_byte_for_byte(client):
    raw = b'{ "eventId" : "E-1",  "topic": "resellers/orders" }'
    req = client.prepare("ingram.order_status_event", body=raw, targeturl=TARGET, dry_run=True)
    assert req.body == raw
    assert req.headers["x-hub-signature"] == hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"], "E-1")


def test_explicit_signature_wins(client, ingram_example):
    req = client.prepare("ingram.order_status_event", body=ingram_example, targeturl=TARGET,
                         x_hub_signature="any text for the sandbox", dry_run=True)
    assert req.headers["x-hub-signature"] == "any text for the sandbox"


def test_call_fetches_token_once_and_sends_bearer(client, mocked, ingram_example):
    tok = token_reply(mocked, token="tok-abc", expires_in="86400")
    api = mocked.add(responses.POST, INGRAM_URL, status=200)
    for i in range(3):
        ingram_example["eventId"] = f"EV-{i}"
        resp = client.call("ingram.order_status_event", body=ingram_example, targeturl=TARGET)
        assert resp.status_code == 200
        assert resp.data is None
    assert tok.call_count == 1
    assert api.call_count == 3
    # the token request: a form POST with exactly the client credentials
    token_req = mocked.calls[0].request
    assert token_req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(token_req.body.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": [CREDS["INGRAM_CLIENT_ID"]],
        "client_secret": [CREDS["INGRAM_CLIENT_SECRET"]],
    }
    for n, call in enumerate(c for c in mocked.calls if c.request.url == INGRAM_URL):
        assert call.request.headers["Authorization"] == "Bearer tok-abc"
        assert call.request.headers["targeturl"] == TARGET
        assert call.request.headers["x-hub-signature"] == hub_signature(
            CREDS["INGRAM_WEBHOOK_SECRET"], f"EV-{n}")
        assert json.loads(call.request.body)["eventId"] == f"EV-{n}"


def test_token_refetched_after_expiry(client, mocked, ingram_example, monkeypatch):
    import time

    now = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    mocked.add(responses.POST, INGRAM_TOKEN_URL,
               json={"access_token": "first", "expires_in": 3600})
    mocked.add(responses.POST, INGRAM_TOKEN_URL,
               json={"access_token": "second", "expires_in": "3600"})
    mocked.add(responses.POST, INGRAM_URL, status=200)
    client.call("ingram.order_status_event", body=ingram_example, targeturl=TARGET)
    now[0] += 3000  # still valid: refreshed only within the last ~6 minutes
    client.call("ingram.order_status_event", body=ingram_example, targeturl=TARGET)
    now[0] += 500  # within the refresh margin of expiry
    client.call("ingram.order_status_event", body=ingram_example, targeturl=TARGET)
    auths = [c.request.headers["Authorization"] for c in mocked.calls
             if c.request.url == INGRAM_URL]
    assert auths == ["Bearer first", "Bearer first", "Bearer second"]
    assert sum(c.request.url == INGRAM_TOKEN_URL for c in mocked.calls) == 2


def test_body_without_event_id_is_refused(client, mocked, ingram_example):
    del ingram_example["eventId"]
    with pytest.raises(specclient.ValidationError) as info:
        client.call("ingram.order_status_event", body=ingram_example, targeturl=TARGET)
    assert [v.path for v in info.value.violations] == ["body.eventId"]
    assert len(mocked.calls) == 0


def test_every_violation_listed_with_path_and_nothing_sent(client, mocked, ingram_example):
    ingram_example["resource"][0]["lines"] = "not a list"
    ingram_example["resource"][0]["orderNumber"] = 12
    ingram_example["eventId"] = 7
    with pytest.raises(specclient.ValidationError) as info:
        client.call("ingram.order_status_event", body=ingram_example, targeturl=TARGET)
    paths = sorted(v.path for v in info.value.violations)
    assert paths == ["body.eventId", "body.resource[0].lines", "body.resource[0].orderNumber"]
    assert "body.resource[0].lines: 'not a list' is not of type 'array'" in str(info.value)
    assert "nothing was sent" in str(info.value)
    assert len(mocked.calls) == 0


def test_missing_header_parameter_names_it(client, mocked, ingram_example):
    with pytest.raises(specclient.ArgumentError) as info:
        client.call("ingram.order_status_event", body=ingram_example)
    assert info.value.parameter == "targeturl"
    assert "targeturl" in str(info.value)
    assert len(mocked.calls) == 0


def test_sdk_method_name_alias_resolves(client, ingram_example):
    req = client.prepare("resellers_v1_webhooks_orderstatusevent_post", body=ingram_example,
                         targeturl=TARGET, dry_run=True)
    assert req.url == INGRAM_URL
    req2 = client.prepare("ingram.resellers_v1_webhooks_orderstatusevent_post",
                          body=ingram_example, targeturl=TARGET, dry_run=True)
    assert req2.url == INGRAM_URL


def test_production_environment(ingram_example):
    c = specclient.Client(credentials=CREDS, environment="production")
    req = c.prepare("ingram.order_status_event", body=ingram_example, targeturl=TARGET,
                    dry_run=True)
    assert req.url == "https://api.ingrammicro.com:443/resellers/v1/webhooks/orderstatusevent"


@responses.activate
def test_missing_webhook_secret_names_variable(ingram_example):
    responses.post(INGRAM_TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600})
    creds = {k: v for k, v in CREDS.items() if k != "INGRAM_WEBHOOK_SECRET"}
    c = specclient.Client(credentials=creds)
    with pytest.raises(specclient.MissingCredentialError) as info:
        c.prepare("ingram.order_status_event", body=ingram_example, targeturl=TARGET)
    assert info.value.name == "INGRAM_WEBHOOK_SECRET"
    assert info.value.names == ["INGRAM_WEBHOOK_SECRET"]
    assert "INGRAM_WEBHOOK_SECRET" in str(info.value)


def test_a_dry_run_without_secrets_signs_with_a_placeholder_and_names_them(ingram_example):
    from specclient.credentials import PLACEHOLDER_SECRET

    c = specclient.Client(credentials={})
    req = c.prepare("ingram.order_status_event", body=ingram_example, targeturl=TARGET,
                    dry_run=True)
    assert req.missing_secrets == ("INGRAM_CLIENT_ID", "INGRAM_CLIENT_SECRET",
                                   "INGRAM_WEBHOOK_SECRET")
    mac = hmac.new(PLACEHOLDER_SECRET.encode(), ingram_example["eventId"].encode(),
                   hashlib.sha512).digest()
    assert req.headers["x-hub-signature"] == base64.b64encode(mac).decode()


def test_a_real_prepare_names_every_missing_secret_at_once(ingram_example):
    c = specclient.Client(credentials={})
    with pytest.raises(specclient.MissingCredentialError) as info:
        c.prepare("ingram.order_status_event", body=ingram_example, targeturl=TARGET)
    assert info.value.names == ["INGRAM_CLIENT_ID", "INGRAM_CLIENT_SECRET",
                                "INGRAM_WEBHOOK_SECRET"]


def test_secret_from_environment(monkeypatch, ingram_example):
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)
    c = specclient.Client()
    req = c.prepare("ingram.order_status_event", body=ingram_example, targeturl=TARGET,
                    dry_run=True)
    assert req.headers["x-hub-signature"] == hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"],
                                                            "N01CIB9VVFYKR9J6ZW")


def test_dry_run_redacts_token_and_keeps_signature(client, ingram_example):
    req = client.prepare("ingram.order_status_event", body=ingram_example, targeturl=TARGET,
                         dry_run=True)
    shown = req.redacted()
    assert shown["headers"]["Authorization"] == "Bearer ***"
    assert shown["headers"]["x-hub-signature"] == req.headers["x-hub-signature"]
    text = json.dumps(shown) + repr(req)
    for secret in CREDS.values():
        assert secret not in text
