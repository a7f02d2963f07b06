"""The example receiver (examples/ingram_receiver.py), over real loopback sockets: Ingram
events in, Thirdwatch order_status calls out (to a second loopback server)."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import importlib.util
import json
import pathlib
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests
from support.auth_support import LoopbackServer, json_reply

import specclient

REPO = pathlib.Path(__file__).resolve().parents[2]
SECRET = "ingram-hook-secret-for-receiver"
TW_KEY = "tw-key-receiver-0001"


def load_example():
    spec = importlib.util.spec_from_file_location("ingram_receiver",
                                                  REPO / "examples" / "ingram_receiver.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


receiver = load_example()


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def setup():
    with LoopbackServer() as thirdwatch:
        thirdwatch.routes[("POST", "/v1/order_status")] = lambda r: json_reply(200,
                                                                              {"status": "OK"})
        client = specclient.Client(credentials={"INGRAM_WEBHOOK_SECRET": SECRET,
                                                "THIRDWATCH_API_KEY": TW_KEY},
                                   base_url={"thirdwatch": thirdwatch.url}, timeout=5)
        app = receiver.IngramReceiver(client)
        server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/ingram", thirdwatch, client
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)
            client.close()


def sign(event_id: str, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), event_id.encode(),
                                     hashlib.sha512).digest()).decode()


def ingram_event() -> dict:
    client = specclient.Client()
    event = copy.deepcopy(client.operation("ingram.order_status_event").body.example)
    hold = copy.deepcopy(event["resource"][0])
    hold.update(eventType="IM::HOLD", orderNumber="20-RD129", customerOrderNumber="PO-2",
                lines=[])
    invoiced = dict(hold, eventType="im::order_invoiced", orderNumber="20-RD130")
    voided = dict(hold, eventType="Im::Order_Voided", orderNumber="20-RD131",
                  customerOrderNumber="PO-3")
    event["resource"] += [hold, invoiced, voided]
    return event


def post(url: str, body: bytes, signature: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json", "targeturl": url}
    if signature is not None:
        headers["x-hub-signature"] = signature
    return requests.post(url, data=body, headers=headers, timeout=5)


def test_a_correctly_signed_event_is_forwarded(setup):
    url, thirdwatch, _ = setup
    event = ingram_event()
    raw = json.dumps(event, indent=2).encode()
    resp = post(url, raw, sign(event["eventId"]))
    assert resp.status_code == 200
    assert resp.json() == {
        "eventId": "N01CIB9VVFYKR9J6ZW",
        "forwarded": [{"orderId": "ZENPO", "status": "_fulfilled"},
                      {"orderId": "PO-2", "status": "_held"},
                      {"orderId": "PO-3", "status": "_canceled"}],
        "skipped": ["im::order_invoiced"]}
    sent = thirdwatch.requests_to("/v1/order_status")
    assert len(sent) == 3
    for request in sent:
        assert request.method == "POST"
        assert request.headers["X-THIRDWATCH-API-KEY"] == TW_KEY
        assert request.headers["Content-Type"] == "application/json"
    assert json.loads(sent[0].body) == {
        "_userId": "ZENPO", "_orderId": "ZENPO", "_orderStatus": "_fulfilled",
        "_source": "_automated",
        "_description": "Ingram Micro im::order_shipped for order 20-RD128",
        "_customInfo": {"ingramOrderNumber": "20-RD128",
                        "ingramEventId": "N01CIB9VVFYKR9J6ZW"},
    }
    assert sent[0].body == json.dumps(json.loads(sent[0].body), separators=(",", ":"),
                                      ensure_ascii=False).encode()
    assert [json.loads(r.body)["_orderStatus"] for r in sent] == [
        "_fulfilled", "_held", "_canceled"]
    # delivered again (Ingram retries): acknowledged, not forwarded twice
    again = post(url, raw, sign(event["eventId"]))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert len(thirdwatch.requests_to("/v1/order_status")) == 3


def test_tracking_number_and_carrier_are_forwarded(setup):
    url, thirdwatch, _ = setup
    event = ingram_event()
    event["resource"] = event["resource"][:1]
    package = event["resource"][0]["lines"][0]["shipmentDetails"][0]["packageDetails"][0]
    package["trackingNumber"] = "1Z999AA10123456784"
    assert post(url, json.dumps(event).encode(), sign(event["eventId"])).status_code == 200
    (request,) = thirdwatch.requests_to("/v1/order_status")
    body = json.loads(request.body)
    assert (body["_trackingNumber"], body["_trackingMethod"]) \
        == ("1Z999AA10123456784", "SMARTPOST-BM")


@pytest.mark.parametrize("signature", [None, "", sign("N01CIB9VVFYKR9J6ZW", "wrong-secret"),
                                       sign("ANOTHER-EVENT"), "not base64 at all"])
def test_a_badly_signed_event_gets_401_and_forwards_nothing(setup, signature):
    url, thirdwatch, _ = setup
    event = ingram_event()
    resp = post(url, json.dumps(event).encode(), signature)
    assert resp.status_code == 401
    reason = resp.json()["error"]
    assert reason in ("missing header 'x-hub-signature'", "empty header 'x-hub-signature'",
                      "signature mismatch in header 'x-hub-signature'")
    assert thirdwatch.requests_to("/v1/order_status") == []


def test_signed_but_malformed_event_gets_400(setup):
    url, thirdwatch, _ = setup
    event = {"eventId": "E-9", "resource": "not a list"}
    resp = post(url, json.dumps(event).encode(), sign("E-9"))
    assert resp.status_code == 400
    assert "body.resource: 'not a list' is not of type 'array'" in resp.json()["error"]
    assert thirdwatch.requests_to("/v1/order_status") == []


def test_thirdwatch_failure_is_502_so_ingram_retries(setup):
    url, thirdwatch, _ = setup
    thirdwatch.routes[("POST", "/v1/order_status")] = lambda r: json_reply(
        403, {"message": "Invalid API key"})
    event = ingram_event()
    resp = post(url, json.dumps(event).encode(), sign(event["eventId"]))
    assert resp.status_code == 502
    assert len(thirdwatch.requests_to("/v1/order_status")) == 1
    # not remembered as forwarded: a redelivery is tried again
    thirdwatch.routes[("POST", "/v1/order_status")] = lambda r: json_reply(200, {"status": "OK"})
    assert post(url, json.dumps(event).encode(), sign(event["eventId"])).status_code == 200


def test_only_post(setup):
    url, thirdwatch, _ = setup
    assert requests.get(url, timeout=5).status_code == 405


@pytest.mark.parametrize("event_type, status", [
    ("im::order_shipped", "_fulfilled"), ("IM::shipped", "_fulfilled"),
    ("IM::SHIPPED", "_fulfilled"), ("im::order_hold", "_held"),
    ("im::order_backordered", "_held"), ("im::order_voided", "_canceled"),
    ("im::order_invoiced", None), ("", None), (None, None), (7, None)])
def test_status_mapping_ignores_case(event_type, status):
    assert receiver.thirdwatch_status(event_type) == status
