"""Thirdwatch order_status: API key auth, body keys, responses (FACTS.md)."""

from __future__ import annotations

import json

import pytest
import responses

import specclient
from conftest import CREDS, THIRDWATCH_URL

BODY = {"_userId": "u1", "_orderId": "o1", "_orderStatus": "_fulfilled"}


def test_call_sends_exact_request(client, mocked):
    mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
    resp = client.call("thirdwatch.order_status", body=BODY)
    assert resp.status_code == 200
    assert resp.data == {"status": "OK"}
    assert resp.http.status_code == 200
    sent = mocked.calls[0].request
    assert sent.url == THIRDWATCH_URL
    assert sent.method == "POST"
    assert sent.headers["X-THIRDWATCH-API-KEY"] == CREDS["THIRDWATCH_API_KEY"]
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.body == b'{"_userId":"u1","_orderId":"o1","_orderStatus":"_fulfilled"}'


def test_attribute_style_is_the_same_call(client, mocked):
    mocked.add(responses.POST, THIRDWATCH_URL, json={"message": "Success"})
    resp = client.thirdwatch.order_status(body=BODY)
    assert resp.data == {"message": "Success"}
    assert mocked.calls[0].request.body == json.dumps(BODY, separators=(",", ":")).encode()


def test_all_documented_keys_accepted(client):
    body = {"_userId": "u", "_sessionId": "s", "_orderId": "o", "_orderStatus": "_held",
            "_reason": "_paymentRisk", "_shippingCost": "4.95", "_trackingNumber": "1Z",
            "_trackingMethod": "UPS", "_source": "_manualReview", "_analyst": "ann",
            "_description": "d", "_customInfo": {"k": "v"}}
    req = client.prepare("thirdwatch.order_status", body=body)
    assert json.loads(req.body) == body


def test_user_id_required(client, mocked):
    with pytest.raises(specclient.ValidationError) as info:
        client.call("thirdwatch.order_status", body={"_orderId": "o1"})
    assert [v.path for v in info.value.violations] == ["body._userId"]
    assert len(mocked.calls) == 0


def test_custom_info_values_must_be_strings(client, mocked):
    with pytest.raises(specclient.ValidationError) as info:
        client.call("thirdwatch.order_status", body={"_userId": "u", "_customInfo": {"a": 1}})
    assert [v.path for v in info.value.violations] == ["body._customInfo.a"]
    assert len(mocked.calls) == 0


def test_error_status_raises_client_error_with_decoded_body(client, mocked):
    mocked.add(responses.POST, THIRDWATCH_URL, json={"error": "bad key"}, status=401)
    with pytest.raises(specclient.ClientError) as info:
        client.call("thirdwatch.order_status", body=BODY)
    err = info.value
    assert err.status_code == 401
    assert err.data == {"error": "bad key"}
    assert err.operation == "thirdwatch.order_status"
    assert "HTTP 401" in str(err)


def test_server_error_and_no_raise(client, mocked):
    mocked.add(responses.POST, THIRDWATCH_URL, json={"message": "down"}, status=500)
    resp = client.call("thirdwatch.order_status", body=BODY, raise_for_status=False)
    assert resp.status_code == 500 and resp.data == {"message": "down"}
    with pytest.raises(specclient.ServerError):
        client.call("thirdwatch.order_status", body=BODY)


def test_missing_api_key_names_variable(mocked):
    c = specclient.Client(credentials={})
    with pytest.raises(specclient.MissingCredentialError) as info:
        c.call("thirdwatch.order_status", body=BODY)
    assert info.value.name == "THIRDWATCH_API_KEY"
    assert len(mocked.calls) == 0


def test_unknown_operation_suggests_closest(client):
    with pytest.raises(specclient.OperationNotFound) as info:
        client.call("thirdwatch.order_statu", body=BODY)
    assert info.value.suggestions[0] == "thirdwatch.order_status"
    assert "did you mean 'thirdwatch.order_status'" in str(info.value)


def test_unknown_parameter_is_refused(client, mocked):
    with pytest.raises(specclient.ArgumentError) as info:
        client.call("thirdwatch.order_status", body=BODY, targeturl="x")
    assert info.value.parameter == "targeturl"
    assert len(mocked.calls) == 0


def test_operations_sorted(client):
    ops = client.operations()
    assert ops == sorted(ops)
    assert {"ingram.order_status_event", "thirdwatch.order_status"} <= set(ops)


def test_validators_compiled_once_per_operation(monkeypatch, mocked):
    import specclient.schema.operation as client_module  # where validators are built

    compiled = []
    real = client_module.SchemaValidator

    def counting(schema):
        compiled.append(schema)
        return real(schema)

    monkeypatch.setattr(client_module, "SchemaValidator", counting)
    c = specclient.Client(credentials=CREDS)
    mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
    c.call("thirdwatch.order_status", body=BODY)
    first = len(compiled)
    assert first > 0
    for _ in range(5):
        c.call("thirdwatch.order_status", body=BODY)
        c.prepare("thirdwatch.order_status", body=BODY)
    assert len(compiled) == first


def test_session_id_stands_in_for_a_missing_user_id(client, mocked):
    """Thirdwatch: "_sessionId is required if no user id is provided" -- so a session id
    alone is a valid body (anonymous checkouts), and neither id is refused naming _userId."""
    mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
    assert client.call("thirdwatch.order_status", body={"_sessionId": "s1"}).status_code == 200
    with pytest.raises(specclient.ValidationError) as info:
        client.call("thirdwatch.order_status", body={})
    assert [v.path for v in info.value.violations] == ["body._userId"]
