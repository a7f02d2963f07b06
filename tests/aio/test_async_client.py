"""specclient.AsyncClient: the same calls, awaited — with aiohttp's own mocking tool
(aioresponses) for the wire, and a real server on 127.0.0.1 where a socket matters."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aioresponses import aioresponses
from support.schemes import API, CREDS, TOKEN_URL, make_specs, op

import specclient


@pytest.fixture
def specs(tmp_path):
    root = make_specs(tmp_path)
    ops = root / "schemes" / "operations"
    (ops / "none_post.yaml").write_text(op("none", "POST"))
    (ops / "key_post.yaml").write_text(op("key_header", "POST"))
    return root


def aclient(specs, **kw):
    return specclient.AsyncClient([specs], credentials=CREDS, include_bundled=False, **kw)


def run(coro):
    return asyncio.run(coro)


def test_a_call_sends_the_same_bytes_and_decodes_the_same_way(specs):
    async def main():
        async with aclient(specs) as c:
            with aioresponses() as m:
                m.post(f"{API}/things", payload={"ok": True}, status=200)
                resp = await c.call("schemes.key_post", {"a": [1, 2]})
                (key, calls), = m.requests.items()
                return resp, key, calls[0]
    resp, key, call = run(main())
    assert resp.status_code == 200 and resp.data == {"ok": True} and resp.attempts == 1
    assert (key[0], str(key[1])) == ("POST", f"{API}/things")
    assert call.kwargs["data"] == b'{"a":[1,2]}'
    assert call.kwargs["headers"]["X-Api-Key"] == f"Token {CREDS['KEY']}"
    assert call.kwargs["headers"]["Content-Type"] == "application/json"


def test_attribute_style_prepare_and_the_same_errors(specs):
    async def main():
        async with aclient(specs) as c:
            req = await c.prepare("schemes.key_query", q="x")
            with aioresponses() as m:
                m.get(f"{API}/things", status=404, payload={"error": "nope"})
                with pytest.raises(specclient.ClientError) as err:
                    await c.schemes.none()
            with pytest.raises(specclient.ArgumentError):
                await c.call("schemes.none", nope=1)
            return req, err.value
    req, err = run(main())
    assert req.url == f"{API}/things?q=x&api_key={CREDS['KEY']}"
    assert err.status_code == 404 and err.data == {"error": "nope"}


def test_a_signed_request_carries_the_signature_computed_independently(specs):
    (specs / "schemes" / "operations" / "signed.yaml").write_text(
        "method: GET\npath: /things\nauth: none\nsigning: sig\n"
        "parameters:\n  q: {in: query, schema: {type: string}}\n"
        'responses: {"200": {description: ok}}\n')

    async def main():
        async with aclient(specs) as c:
            with aioresponses() as m:
                m.get(f"{API}/things?q=1", payload={})
                await c.call("schemes.signed", q="1")
                (_, calls), = m.requests.items()
                return calls[0].kwargs["headers"]["X-Signature"]
    msg = b"GET\n/v1/things\nq=1\n"
    assert run(main()) == hmac.new(CREDS["SIGNKEY"].encode(), msg, hashlib.sha256).hexdigest()


def test_oauth2_tokens_are_fetched_once_across_concurrent_tasks(specs):
    async def main():
        async with aclient(specs) as c:
            with aioresponses() as m:
                m.post(TOKEN_URL, payload={"access_token": "tok-1", "expires_in": 3600})
                for _ in range(20):
                    m.get(f"{API}/things", payload={})
                results = await asyncio.gather(*(c.call("schemes.oauth_body")
                                                 for _ in range(20)))
                token_calls = [k for k in m.requests if str(k[1]) == TOKEN_URL]
                return results, len(m.requests[token_calls[0]])
    results, fetches = run(main())
    assert len(results) == 20 and fetches == 1


def test_a_401_drops_the_token_and_the_call_goes_once_more(specs):
    async def main():
        async with aclient(specs) as c:
            with aioresponses() as m:
                m.post(TOKEN_URL, payload={"access_token": "old", "expires_in": 3600})
                m.post(TOKEN_URL, payload={"access_token": "new", "expires_in": 3600})
                m.get(f"{API}/things", status=401)
                m.get(f"{API}/things", payload={"ok": 1})
                resp = await c.call("schemes.oauth_body")
                gets = m.requests[("GET", next(k[1] for k in m.requests if k[0] == "GET"))]
                return resp, [g.kwargs["headers"]["Authorization"] for g in gets]
    resp, auths = run(main())
    assert resp.data == {"ok": 1} and resp.attempts == 2
    assert auths == ["Bearer old", "Bearer new"]


def test_the_mock_answers_in_process(tmp_path):
    async def main():
        async with specclient.AsyncClient(mock=True) as c:
            tw = await c.call("thirdwatch.order_status",
                              {"_userId": "u1", "_orderId": "o1", "_orderStatus": "_fulfilled"})
            ingram = await c.call("ingram.order_status_event",
                                  c.operation("ingram.order_status_event").body.example,
                                  targeturl="https://hooks.example.com/x")
            return tw, ingram
    tw, ingram = run(main())
    assert tw.status_code == 200 and tw.data == {"status": "OK"}
    assert ingram.ok


class _Server:
    """A loopback server: POST /things answers 200 (after ``delay``), GET /flaky answers 503
    ``flaky`` times first; every request counted."""

    def __init__(self, delay: float = 0.0, flaky: int = 0):
        self.count = 0
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _reply(self, status, body=b'{"ok":true}'):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with owner.lock:
                    owner.count += 1
                time.sleep(owner.delay)
                self._reply(200)

            def do_GET(self):
                with owner.lock:
                    owner.count += 1
                    n = owner.count
                self._reply(503 if n <= owner.flaky else 200)

        self.delay, self.flaky = delay, flaky
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_timeout_holds_and_a_non_idempotent_call_is_not_sent_twice(specs):
    srv = _Server(delay=2.0)

    async def main():
        async with aclient(specs, base_url=srv.url + "/v1", timeout=(1, 0.5)) as c:
            start = time.monotonic()
            with pytest.raises(specclient.TimeoutError):
                await c.call("schemes.none_post", {"a": 1})
            return time.monotonic() - start
    try:
        took = run(main())
    finally:
        srv.close()
    assert took < 1.8 and srv.count == 1


def test_idempotent_calls_are_retried_on_503_over_a_real_socket(specs):
    srv = _Server(flaky=2)

    async def main():
        async with aclient(specs, base_url=srv.url + "/v1", retries={"backoff": 0}) as c:
            return await c.call("schemes.none")
    try:
        resp = run(main())
    finally:
        srv.close()
    assert resp.status_code == 200 and resp.attempts == 3 and srv.count == 3


def test_many_concurrent_calls_share_the_connections(specs):
    srv = _Server()

    async def main():
        async with aclient(specs, base_url=srv.url + "/v1", connections=8) as c:
            got = await asyncio.gather(*(c.call("schemes.none_post", {"i": i})
                                         for i in range(100)))
            return [r.status_code for r in got]
    try:
        statuses = run(main())
    finally:
        srv.close()
    assert statuses == [200] * 100 and srv.count == 100


def test_paginate_is_an_async_iterator(tmp_path):
    from tests.pagination.test_pagination import OPS, SERVICE  # the same declarations

    folder = tmp_path / "specs" / "pager"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE)
    for name, text in OPS.items():
        (folder / "operations" / f"{name}.yaml").write_text(text)

    async def main():
        async with specclient.AsyncClient([tmp_path / "specs"], include_bundled=False,
                                          mock=True) as c:
            items = [i async for i in c.paginate("pager.stripe")]
            pages = [p.status_code async for p in c.paginate("pager.stripe").pages()]
            few = [i async for i in c.paginate("pager.stripe", max_items=3)]
            return items, pages, few
    items, pages, few = run(main())
    assert len(items) == 25 and pages == [200, 200, 200] and few == items[:3]


def test_no_session():
    with pytest.raises(TypeError, match="requests.Session"):
        import requests

        specclient.AsyncClient(session=requests.Session())


def test_basic_auth_value_is_what_requests_would_send(specs):
    async def main():
        async with aclient(specs) as c:
            with aioresponses() as m:
                m.get(f"{API}/things", payload={})
                await c.call("schemes.basic")
                (_, calls), = m.requests.items()
                return calls[0].kwargs["headers"]["Authorization"]
    want = "Basic " + base64.b64encode(f"{CREDS['USER']}:{CREDS['PASS']}".encode()).decode()
    assert run(main()) == want


def test_the_body_is_never_reencoded(specs):
    async def main():
        async with aclient(specs) as c:
            with aioresponses() as m:
                m.post(f"{API}/things", payload={})
                await c.call("schemes.key_post", '{"z": 1,  "a": 2}')
                (_, calls), = m.requests.items()
                return calls[0].kwargs["data"]
    assert run(main()) == b'{"z": 1,  "a": 2}'
    assert json.loads(b'{"z": 1,  "a": 2}') == {"z": 1, "a": 2}
