"""The mock's ``on_request`` hook: every answered request, with its reply and verdict, given to a
callback before the reply is sent — in process (``Client(mock=True)``) and over a socket."""

from __future__ import annotations

import json
import logging
import threading

import requests

import specclient
from conftest import CREDS, INGRAM_URL, THIRDWATCH_URL, hub_signature
from specclient.credentials import Credentials
from specclient.mock import MockApp, MockExchange, MockServer
from specclient.spec.catalog import Catalog

TARGET = "https://hooks.example.com/ingram"
WEBHOOK_PATH = "/resellers/v1/webhooks/orderstatusevent"


def test_in_process_calls_and_token_requests_reach_the_hook(ingram_example):
    seen: list[MockExchange] = []
    client = specclient.Client(credentials=CREDS, mock=True)
    assert client.mock is not None
    client.mock.on_request = seen.append
    client.call("ingram.order_status_event", ingram_example, targeturl=TARGET)
    client.call("thirdwatch.order_status", {"_userId": "u-1"}, raise_for_status=False)
    client.close()
    assert [ex.verdict for ex in seen] == [
        "POST /oauth/oauth30/token -> 200 ingram.oauth2 token endpoint: token issued",
        f"POST /sandbox{WEBHOOK_PATH} -> 200 ingram.order_status_event: ok",
        "POST /event/v1/order_status -> 200 thirdwatch.order_status: ok",
    ]
    token, event, order = seen
    assert (token.method, token.operation, token.status) == (
        "POST", "ingram.oauth2 token endpoint", 200)
    issued = json.loads(token.reply.body)["access_token"]
    assert event.url == INGRAM_URL
    assert event.headers["authorization"] == f"Bearer {issued}"  # headers: case-insensitive
    assert event.headers["x-hub-signature"] == hub_signature(
        CREDS["INGRAM_WEBHOOK_SECRET"], ingram_example["eventId"])
    assert json.loads(event.body) == ingram_example
    assert (event.reply.body, event.reply.reason) == (b"", "ok")
    assert order.url == THIRDWATCH_URL
    assert json.loads(order.body) == {"_userId": "u-1"}
    assert json.loads(order.reply.body) == {"status": "OK"}


def test_refusals_reach_the_hook_with_their_reason():
    seen: list[MockExchange] = []
    app = MockApp(Catalog(), Credentials(CREDS, environ={}, file=False), on_request=seen.append)
    status, _, _ = app.handle("POST", THIRDWATCH_URL, {"X-THIRDWATCH-API-KEY": "wrong"},
                              b'{"_userId": "u-1"}')
    app.handle("GET", "https://api.thirdwatch.ai/event/v1/nowhere", {}, None)
    assert status == 401
    assert [(ex.status, ex.operation, ex.verdict) for ex in seen] == [
        (401, "thirdwatch.order_status", "POST /event/v1/order_status -> 401 "
                                         "thirdwatch.order_status: api_key: wrong API key in "
                                         "header 'X-THIRDWATCH-API-KEY' (not THIRDWATCH_API_KEY)"),
        (404, None, "GET /event/v1/nowhere -> 404 (no operation): no operation at "
                    "/event/v1/nowhere"),
    ]
    assert seen[1].body == b""


def test_the_repr_shows_the_verdict_and_no_secret():
    seen: list[MockExchange] = []
    app = MockApp(Catalog(), Credentials(CREDS, environ={}, file=False), on_request=seen.append)
    form = (f"grant_type=client_credentials&client_id={CREDS['INGRAM_CLIENT_ID']}"
            f"&client_secret={CREDS['INGRAM_CLIENT_SECRET']}")
    app.handle("POST", "https://api.ingrammicro.com:443/oauth/oauth30/token",
               {"Content-Type": "application/x-www-form-urlencoded"}, form.encode())
    app.handle("POST", THIRDWATCH_URL,
               {"X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]}, b'{"_userId": "u"}')
    token = json.loads(seen[0].reply.body)["access_token"]
    text = repr(seen) + str(seen)
    assert repr(seen[0]) == ("MockExchange(verdict='POST /oauth/oauth30/token -> 200 "
                             "ingram.oauth2 token endpoint: token issued', method='POST')")
    for secret in [*CREDS.values(), token]:
        assert secret not in text


def test_a_failing_callback_is_logged_and_changes_nothing(caplog):
    def broken(ex: MockExchange) -> None:
        raise RuntimeError("boom")

    app = MockApp(Catalog(), Credentials(CREDS, environ={}, file=False), on_request=broken)
    with caplog.at_level(logging.ERROR, logger="specclient.mock"):
        status, headers, body = app.handle(
            "POST", THIRDWATCH_URL, {"X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]},
            b'{"_userId": "u-1"}')
    assert (status, json.loads(body)) == (200, {"status": "OK"})
    assert [r.getMessage() for r in caplog.records] == [
        "the on_request callback failed on POST /event/v1/order_status"]
    assert caplog.records[0].exc_info[1].args == ("boom",)


def test_over_a_socket_a_blocking_callback_holds_the_reply_back():
    entered, release = threading.Event(), threading.Event()

    def hold(ex: MockExchange) -> None:
        entered.set()
        release.wait(10)

    app = MockApp(Catalog(), Credentials(CREDS, environ={}, file=False), on_request=hold)
    answers: list[requests.Response] = []
    with MockServer(app, "127.0.0.1", 0) as server:
        sender = threading.Thread(target=lambda: answers.append(requests.post(
            server.url + "/v1/order_status", json={"_userId": "u-1"},
            headers={"X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]}, timeout=10)))
        sender.start()
        try:
            assert entered.wait(10), "the callback was not called"
            sender.join(0.2)
            assert sender.is_alive() and answers == []  # the reply waits for the callback
        finally:
            release.set()
            sender.join(10)
    assert [(r.status_code, r.json()) for r in answers] == [(200, {"status": "OK"})]


def test_a_client_that_hangs_up_before_its_reply_is_no_server_error():
    """A client killed while the mock holds its reply: the reply goes nowhere, quietly."""
    import socket
    import struct

    entered, release, finished = threading.Event(), threading.Event(), threading.Event()
    errors: list[object] = []

    def hold(ex: MockExchange) -> None:
        entered.set()
        release.wait(10)

    app = MockApp(Catalog(), Credentials(CREDS, environ={}, file=False), on_request=hold)
    with MockServer(app, "127.0.0.1", 0) as server:
        httpd = server.httpd
        httpd.handle_error = lambda request, address: errors.append(address)  # type: ignore

        def shutdown_request(request: object, _orig=httpd.shutdown_request) -> None:
            _orig(request)
            finished.set()

        httpd.shutdown_request = shutdown_request  # type: ignore[method-assign]
        body = b'{"_userId": "u-1"}'
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        try:
            sock.sendall(b"POST /v1/order_status HTTP/1.1\r\nHost: x\r\n"
                         b"X-THIRDWATCH-API-KEY: " + CREDS["THIRDWATCH_API_KEY"].encode()
                         + b"\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            assert entered.wait(10), "the callback was not called"
        finally:  # hang up with a reset, as the kernel does for a killed process's socket
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            release.set()
        assert finished.wait(10), "the request was never finished"
    assert errors == []
