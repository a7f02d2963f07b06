"""AsyncClient.call(stream=True): a 2xx body read as it arrives, over a real socket, within
max_response_bytes; the connection given back at the end or when closed early."""

from __future__ import annotations

import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support.schemes import CREDS, make_specs, op

import specclient

CHUNKS = [bytes([i]) * 10_000 for i in range(1, 21)]  # 200,000 bytes in 20 chunks


class _Chunked:
    """GET /things answers a chunked body, one chunk every few milliseconds (a download);
    GET /v1/fail answers 404 with a JSON body."""

    def __init__(self) -> None:
        self.sent = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path.endswith("/fail"):
                    body = b'{"error":"nope"}'
                    self.send_response(404)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for chunk in CHUNKS:
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.flush()
                        owner.sent += 1
                        time.sleep(0.005)
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:  # the client went away early
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def served(tmp_path):
    root = make_specs(tmp_path)
    text = op("none", "GET").replace("responses:", "responses:", 1)
    (root / "schemes" / "operations" / "fail.yaml").write_text(
        text.replace("path: /things", "path: /fail"))
    srv = _Chunked()
    yield root, srv
    srv.close()


def test_a_streamed_body_arrives_in_chunks_as_sent(served):
    root, srv = served

    async def main():
        async with specclient.AsyncClient([root], credentials=CREDS, include_bundled=False,
                                          base_url=srv.url) as c:
            resp = await c.call("schemes.none", stream=True)
            assert resp.status_code == 200 and resp.streamed and resp.data is None
            got, first_at = [], None
            async for chunk in resp.aiter_bytes(4096):
                if first_at is None:
                    first_at = srv.sent  # the first bytes came before the server finished
                got.append(chunk)
            with pytest.raises(TypeError, match="aiter_bytes"):
                next(resp.iter_bytes())
            return b"".join(got), max(map(len, got)), first_at
    body, biggest, first_at = asyncio.run(main())
    assert body == b"".join(CHUNKS) and biggest <= 4096 and first_at < len(CHUNKS)


def test_a_streamed_body_past_the_limit_stops_and_closing_early_frees_the_connection(
        served):
    root, srv = served

    async def main():
        async with specclient.AsyncClient([root], credentials=CREDS, include_bundled=False,
                                          base_url=srv.url, max_response_bytes=50_000,
                                          connections=1) as c:
            resp = await c.call("schemes.none", stream=True)
            n = 0
            with pytest.raises(specclient.ResponseTooLargeError, match="50,000 bytes"):
                async for chunk in resp.aiter_bytes():
                    n += len(chunk)
            assert n <= 50_000
            # one connection only: a second call works once the first was given back
            async with await c.call("schemes.none", stream=True) as again:
                async for _ in again.aiter_bytes():
                    break
            third = await asyncio.wait_for(c.call("schemes.none", stream=True), 5)
            first = await third.aiter_bytes(1000).__anext__()
            await third.aclose()
            return first
    assert asyncio.run(main()) == CHUNKS[0][:1000]


def test_an_error_status_is_read_and_raised_as_usual(served):
    root, srv = served

    async def main():
        async with specclient.AsyncClient([root], credentials=CREDS, include_bundled=False,
                                          base_url=srv.url) as c:
            with pytest.raises(specclient.ClientError) as info:
                await c.call("schemes.fail", stream=True)
            return info.value
    err = asyncio.run(main())
    assert err.status_code == 404 and "nope" in str(err)


def test_the_mock_streams_too(tmp_path):
    async def main():
        async with specclient.AsyncClient(mock=True) as c:
            resp = await c.call("thirdwatch.order_status", {"_userId": "u", "_orderId": "o",
                                                            "_orderStatus": "_cancelled"},
                                stream=True)
            return b"".join([ch async for ch in resp.aiter_bytes(3)])
    body = asyncio.run(main())
    assert body.startswith(b"{") and b"status" in body
