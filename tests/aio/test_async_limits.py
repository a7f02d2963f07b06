"""The async transport's size limit on a body read whole: a body whose length is declared
within the limit is read at once; one declared past it, one sent chunked without a length, and
a small gzip body that inflates past it are all refused on their decoded bytes; a body cut
short of its declared length is a transport error, and a POST is not sent again. A raw server
on 127.0.0.1 writes each answer byte for byte."""

from __future__ import annotations

import asyncio
import gzip
import json
import socketserver
import threading
import time

import pytest
from support.schemes import CREDS, make_specs, op

import specclient

LIMIT = 50_000


def _head(status: str, *headers: str) -> bytes:
    return ("HTTP/1.1 " + status + "\r\n" + "".join(h + "\r\n" for h in headers)
            + "\r\n").encode()


def _answer(prefix: str) -> tuple[bytes, bool]:
    """What the server writes for a request under ``/<prefix>/``, and whether it then closes."""
    big = json.dumps({"pad": "x" * 200_000}).encode()
    if prefix == "small":
        body = b'{"fine":true}'
        return _head("200 OK", "Content-Type: application/json",
                     f"Content-Length: {len(body)}") + body, False
    if prefix == "declared":
        return _head("200 OK", "Content-Type: application/json",
                     f"Content-Length: {len(big)}") + big, False
    if prefix == "chunked":
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(big[i:i + 8192]), big[i:i + 8192])
                          for i in range(0, len(big), 8192))
        return _head("200 OK", "Content-Type: application/json",
                     "Transfer-Encoding: chunked") + chunks + b"0\r\n\r\n", False
    if prefix == "both":  # a small length declared beside a chunked body that is not small
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(big[i:i + 8192]), big[i:i + 8192])
                          for i in range(0, len(big), 8192))
        return _head("200 OK", "Content-Type: application/json", "Content-Length: 10",
                     "Transfer-Encoding: chunked") + chunks + b"0\r\n\r\n", False
    if prefix in ("bomb", "gzip"):
        body = gzip.compress(big if prefix == "bomb" else b'{"zipped":true}')
        return _head("200 OK", "Content-Type: application/json", "Content-Encoding: gzip",
                     f"Content-Length: {len(body)}") + body, False
    if prefix == "drip":  # a byte every 0.2 s: each within the read timeout, the whole never
        return _head("200 OK", "Content-Type: application/json", "Content-Length: 1000"), "drip"
    if prefix == "short":
        return _head("200 OK", "Content-Type: application/json",
                     "Content-Length: 100") + b'{"cut":', True
    raise AssertionError(prefix)


class _RawServer:
    def __init__(self):
        self.requests: list[str] = []
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                try:
                    self.serve()
                except ConnectionError:  # the client hung up on a body it refused
                    pass

            def serve(self):
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    length = 0
                    while True:
                        h = self.rfile.readline()
                        if h in (b"\r\n", b""):
                            break
                        if h.lower().startswith(b"content-length:"):
                            length = int(h.split(b":")[1])
                    self.rfile.read(length)
                    target = line.split()[1].decode()
                    owner.requests.append(line.split()[0].decode() + " " + target)
                    data, close = _answer(target.split("/")[1])
                    self.wfile.write(data)
                    self.wfile.flush()
                    if close == "drip":
                        for _ in range(1000):
                            time.sleep(0.2)
                            self.wfile.write(b" ")
                            self.wfile.flush()
                    if close:
                        return

        self.srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.srv.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


@pytest.fixture
def served(tmp_path):
    root = make_specs(tmp_path)
    (root / "schemes" / "operations" / "none_post.yaml").write_text(op("none", "POST"))
    srv = _RawServer()
    yield root, srv
    srv.close()


def _call(root, srv, prefix: str, name: str = "schemes.none", *args, **settings):
    async def main():
        async with specclient.AsyncClient([root], credentials=CREDS, include_bundled=False,
                                          base_url=f"{srv.url}/{prefix}",
                                          max_response_bytes=LIMIT,
                                          retries={"backoff": 0, **settings}) as c:
            return await c.call(name, *args)
    return asyncio.run(main())


def test_a_body_declared_within_the_limit_is_read_whole(served):
    root, srv = served
    resp = _call(root, srv, "small")
    assert resp.data == {"fine": True}
    assert srv.requests == ["GET /small/things"]


@pytest.mark.parametrize("prefix", ["declared", "chunked", "bomb"])
def test_a_body_past_the_limit_is_refused_on_its_decoded_bytes(served, prefix):
    root, srv = served
    with pytest.raises(specclient.ResponseTooLargeError, match="50,000 bytes"):
        _call(root, srv, prefix)


def test_a_gzip_body_within_the_limit_is_decoded(served):
    root, srv = served
    assert _call(root, srv, "gzip").data == {"zipped": True}


def test_a_body_cut_short_is_a_transport_error_and_a_post_is_not_sent_again(served):
    root, srv = served
    with pytest.raises(specclient.TransportError) as err:
        _call(root, srv, "short", "schemes.none_post", {"a": 1})
    assert "not retried" in str(err.value)
    assert srv.requests == ["POST /short/things"]


def test_a_length_declared_beside_a_chunked_body_is_refused_not_read(served):
    root, srv = served
    with pytest.raises(specclient.TransportError, match="Transfer-Encoding"):
        _call(root, srv, "both")


@pytest.mark.parametrize("name, args", [("schemes.none", ()),
                                        ("schemes.none_post", ({"a": 1},))],
                         ids=["GET, retried within the deadline", "POST, never sent again"])
def test_a_body_dripped_a_byte_at_a_time_is_cut_off_at_the_calls_deadline(served, name, args):
    """Each byte comes within the read timeout, the body would take 200 s: the call's total
    deadline (retries.total_timeout, 1.5 s) ends it, attempts included; a POST goes once."""
    root, srv = served
    start = time.monotonic()
    with pytest.raises(specclient.TimeoutError):
        _call(root, srv, "drip", name, *args, total_timeout=1.5)
    assert time.monotonic() - start < 4
    if name == "schemes.none_post":
        assert srv.requests == ["POST /drip/things"]
    else:
        assert set(srv.requests) == {"GET /drip/things"}
