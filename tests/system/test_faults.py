"""Faults and load against a real loopback server (tests/support/faultserver.py).

For each fault: how many attempts the server saw, the exact error raised, and that a request
that is not idempotent was never sent twice. Backoff and timeouts are tiny, so this file runs
in a few seconds; nothing here asserts on timing.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import textwrap
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from support.faultserver import (
    TOKEN,
    TOKEN_PATH,
    FaultServer,
    closed_port,
    reply,
    reset,
    slow,
    truncated,
)

import specclient

SHORT = (2.0, 0.3)  # per call, where a test wants a slow answer to time out
FAST = {"attempts": 3, "backoff": 0.001, "max_backoff": 0.005, "max_retry_after": 0.02}
CREDS = {"SHOP_ID": "shop-client", "SHOP_SECRET": "shop-secret-value-123",
         "SHOP_SIG": "shop-signing-secret-456", "THIRDWATCH_API_KEY": "tw-key-0123456789"}

SERVICE = """
service: shop
environments:
  local: {url}
auth:
  oauth:
    type: oauth2
    token_url: {url}/token
    client_id: SHOP_ID
    client_secret: SHOP_SECRET
signing:
  sig:
    type: hmac
    algorithm: sha256
    secret: SHOP_SIG
    message: "{{timestamp}}.{{raw_body}}"
    encoding: hex
    header: X-Sig
    value: "t={{timestamp}},v1={{signature}}"
"""

OPS = {
    "get_item": """
        method: GET
        path: /items/{id}
        auth: none
        parameters:
          id: {in: path, schema: {type: integer}}
        responses:
          "200":
            schema: {type: object, required: [id], properties: {id: {type: integer}}}
    """,
    "create_order": """
        # not idempotent: each call creates an order
        method: POST
        path: /orders
        auth: oauth
        body:
          schema: {type: object, required: [id], properties: {id: {type: integer}}}
        responses:
          "200": {schema: {type: object}}
    """,
    "put_event": """
        # POST, but declared safe to repeat (the receiver de-duplicates on id)
        method: POST
        path: /events
        idempotent: true
        auth: oauth
        signing: sig
        body:
          schema: {type: object, required: [id], properties: {id: {type: string}}}
        responses:
          "200": {schema: {type: object}}
    """,
    "blob": """
        method: POST
        path: /blob
        auth: none
        body: {content_type: application/octet-stream}
    """,
}


@pytest.fixture
def srv():
    with FaultServer() as server:
        yield server


@pytest.fixture
def shop(srv, tmp_path):
    folder = tmp_path / "shop"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE.format(url=srv.url))
    for name, text in OPS.items():
        (folder / "operations" / f"{name}.yaml").write_text(textwrap.dedent(text))
    client = specclient.Client([tmp_path], credentials=CREDS, retries=FAST,
                               timeout=(2.0, 5.0), base_url={"thirdwatch": srv.url})
    yield client
    client.close()


def http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


# ------------------------------------------------------------------ statuses


def test_503_without_retry_after_is_retried_to_the_bound(srv, shop):
    srv.plan("/items/7", *[reply(503, {"error": "busy"})] * 5)
    with pytest.raises(specclient.ServerError) as info:
        shop.call("shop.get_item", id=7)
    err = info.value
    assert srv.hits("/items/7") == 3 and err.attempts == 3
    assert err.status == err.status_code == 503 and err.body == {"error": "busy"}
    assert err.operation == "shop.get_item"
    assert err.headers["Content-Type"] == "application/json"
    assert str(err) == (f"shop.get_item: HTTP 503 Service Unavailable from GET {srv.url}/items/7 "
                        f"(after 3 attempts): {{\"error\": \"busy\"}}")


@pytest.mark.parametrize("retry_after", ["0", "1", "120", "Wed, 21 Oct 2015 07:28:00 GMT", "+1h"])
def test_503_with_retry_after_in_both_forms_then_success(srv, shop, retry_after):
    if retry_after == "+1h":  # an HTTP date an hour away: capped by max_retry_after
        retry_after = http_date(3600)
    srv.plan("/items/8", reply(503, headers={"Retry-After": retry_after}), reply(200, {"id": 8}))
    resp = shop.call("shop.get_item", id=8)
    assert resp.data == {"id": 8} and resp.attempts == 2
    assert srv.hits("/items/8") == 2


def test_500_is_not_retried_even_when_idempotent(srv, shop):
    srv.plan("/items/9", reply(500, "boom", content_type="text/plain"))
    with pytest.raises(specclient.ServerError) as info:
        shop.call("shop.get_item", id=9)
    assert srv.hits("/items/9") == 1 and info.value.attempts == 1
    assert info.value.data == "boom"


def test_429_with_retry_after_is_retried(srv, shop):
    srv.plan("/items/1", reply(429, headers={"Retry-After": "0"}),
             reply(429, headers={"Retry-After": "0"}), reply(200, {"id": 1}))
    assert shop.call("shop.get_item", id=1).attempts == 3
    assert srv.hits("/items/1") == 3


@pytest.mark.parametrize("status,error", [(503, specclient.ServerError),
                                          (502, specclient.ServerError),
                                          (429, specclient.ClientError)])
def test_retryable_status_on_non_idempotent_op_is_not_repeated(srv, shop, status, error):
    srv.plan("/v1/order_status", reply(status, {"message": "later"},
                                       headers={"Retry-After": "0"}))
    with pytest.raises(error) as info:
        shop.call("thirdwatch.order_status", body={"_userId": "u1"})
    assert srv.hits("/v1/order_status") == 1 and info.value.attempts == 1
    assert info.value.status_code == status


# ------------------------------------------------------------------ connections


def test_reset_is_retried_when_idempotent(srv, shop):
    srv.plan("/items/2", reset(), reset(), reply(200, {"id": 2}))
    resp = shop.call("shop.get_item", id=2)
    assert resp.attempts == 3 and srv.hits("/items/2") == 3


def test_reset_every_time_gives_connection_error(srv, shop):
    srv.plan("/items/3", reset(), reset(), reset())
    with pytest.raises(specclient.ConnectionError) as info:
        shop.call("shop.get_item", id=3)
    assert info.value.attempts == 3 and srv.hits("/items/3") == 3
    assert str(info.value).startswith(f"shop.get_item: connection failed (GET {srv.url}/items/3)")


def test_reset_on_non_idempotent_request_is_never_duplicated(srv, shop):
    srv.plan("/v1/order_status", reset(), reply(200))
    with pytest.raises(specclient.ConnectionError) as info:
        shop.call("thirdwatch.order_status", body={"_userId": "u1"})
    assert srv.hits("/v1/order_status") == 1 and info.value.attempts == 1
    assert "not retried" in str(info.value) and "not declared idempotent" in str(info.value)
    assert CREDS["THIRDWATCH_API_KEY"] not in str(info.value)


def test_connection_never_established_is_retried_even_when_not_idempotent(shop):
    port = closed_port()
    with pytest.raises(specclient.ConnectionError) as info:
        shop.call("thirdwatch.order_status", body={"_userId": "u1"},
                  base_url=f"http://127.0.0.1:{port}")
    assert info.value.attempts == 3
    assert f"POST http://127.0.0.1:{port}/v1/order_status" in str(info.value)


def test_slow_response_times_out_and_is_retried_when_idempotent(srv, shop):
    srv.plan("/items/4", slow(1.0), slow(1.0), slow(1.0))
    with pytest.raises(specclient.TimeoutError) as info:
        shop.call("shop.get_item", id=4, timeout=SHORT)
    assert info.value.attempts == 3 and srv.hits("/items/4") == 3
    assert "timed out waiting for the response" in str(info.value)
    assert "read=0.3s" in str(info.value)


def test_slow_response_on_non_idempotent_request_is_not_repeated(srv, shop):
    srv.plan("/v1/order_status", slow(1.0))
    with pytest.raises(specclient.TimeoutError) as info:
        shop.call("thirdwatch.order_status", body={"_userId": "u1"}, timeout=SHORT)
    assert info.value.attempts == 1 and srv.hits("/v1/order_status") == 1


def test_per_call_timeout_wins(srv, shop):
    srv.plan("/items/5", slow(0.5, reply(200, {"id": 5})))
    assert shop.call("shop.get_item", id=5).data == {"id": 5}  # within the client's 5 s
    srv.plan("/items/5", *[slow(0.5)] * 3)
    with pytest.raises(specclient.TimeoutError) as info:
        shop.call("shop.get_item", id=5, timeout=0.2)
    assert info.value.attempts == 3 and "connect=0.2s read=0.2s" in str(info.value)
    assert srv.hits("/items/5") == 4


def test_truncated_body_is_a_connection_error(srv, shop):
    srv.plan("/items/6", truncated(), truncated(), truncated())
    with pytest.raises(specclient.ConnectionError) as info:
        shop.call("shop.get_item", id=6)
    assert info.value.attempts == 3 and srv.hits("/items/6") == 3
    assert "response body was cut short" in str(info.value)


def test_truncated_body_on_non_idempotent_request_is_not_repeated(srv, shop):
    srv.plan("/v1/order_status", truncated())
    with pytest.raises(specclient.ConnectionError):
        shop.call("thirdwatch.order_status", body={"_userId": "u1"})
    assert srv.hits("/v1/order_status") == 1


def test_wrong_content_type_is_a_decode_error_not_a_crash(srv, shop):
    srv.plan("/items/10", reply(200, "<html>maintenance</html>", content_type="text/html"))
    with pytest.raises(specclient.ResponseDecodeError) as info:
        shop.call("shop.get_item", id=10)
    msg = str(info.value)
    assert srv.hits("/items/10") == 1
    assert msg.startswith("shop.get_item: HTTP 200 response body is not JSON (declared "
                          "application/json; got Content-Type text/html; 24 bytes)")
    assert "b'<html>maintenance</html>'" in msg
    assert info.value.status_code == 200


def test_deeply_nested_response_is_a_decode_error(srv, shop):
    srv.plan("/items/11", reply(200, "[" * 100_000 + "]" * 100_000))
    with pytest.raises(specclient.ResponseDecodeError, match="nested too deeply"):
        shop.call("shop.get_item", id=11)


# ------------------------------------------------------------------ retries keep requests valid


def test_retried_body_is_identical_and_each_signature_and_token_valid(srv, shop):
    srv.plan("/events", reply(503), reset(), reply(200, {}))
    resp = shop.call("shop.put_event", body={"id": "evt-1", "note": "ünïcode"})
    assert resp.attempts == 3
    sent = srv.requests_to("/events")
    assert len(sent) == 3
    expected_body = json.dumps({"id": "evt-1", "note": "ünïcode"}, ensure_ascii=False,
                               separators=(",", ":")).encode()
    for s in sent:
        assert s.body == expected_body
        assert s.headers["Authorization"] == f"Bearer {TOKEN}"
        t, v1 = s.headers["X-Sig"].split(",")
        ts = t.removeprefix("t=")
        want = hmac.new(CREDS["SHOP_SIG"].encode(), ts.encode() + b"." + s.body,
                        hashlib.sha256).hexdigest()
        assert v1 == f"v1={want}"
    assert srv.hits(TOKEN_PATH) == 1


def test_expired_token_401_is_refetched_once(srv, shop):
    srv.plan("/orders", reply(401, {"error": "expired"}), reply(200, {}))
    assert shop.call("shop.create_order", body={"id": 1}).status_code == 200
    assert srv.hits(TOKEN_PATH) == 2 and srv.hits("/orders") == 2


# ------------------------------------------------------------------ oversize input


def test_20_mb_body_goes_out_whole(srv, shop):
    blob = bytes(range(256)) * (20 * 1024 * 1024 // 256)
    resp = shop.call("shop.blob", body=blob)
    assert resp.status_code == 200
    assert srv.requests_to("/blob")[0].body == blob


def test_100k_header_gets_a_clear_error(srv, shop):
    with pytest.raises((specclient.ClientError, specclient.ConnectionError)) as info:
        shop.call("thirdwatch.order_status", body={"_userId": "u"},
                  extra_headers={"X-Big": "a" * 100_000})
    if isinstance(info.value, specclient.ClientError):  # http.server refuses long lines
        assert info.value.status_code == 431
    assert srv.hits("/v1/order_status") == 0


# ------------------------------------------------------------------ load


def test_load_2000_calls_16_threads_one_client_one_token(srv, shop):
    n = 2000

    def one(i: int) -> int:
        return shop.call("shop.create_order", body={"id": i}).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(one, range(n)))
    assert statuses == [200] * n
    ids = Counter(s.json()["id"] for s in srv.requests_to("/orders"))
    assert len(ids) == n and set(ids) == set(range(n))  # none lost
    assert max(ids.values()) == 1  # none duplicated
    assert srv.hits(TOKEN_PATH) == 1
    assert all(s.headers["Authorization"] == f"Bearer {TOKEN}" for s in srv.requests_to("/orders"))
