"""The mock server facing a hostile client: what reaches the operator's terminal, and malformed
requests answered rather than dropped."""

from __future__ import annotations

import io
import socket

import pytest

import specclient
from specclient.mock import MockApp, MockServer

pytestmark = pytest.mark.slow  # a real server on 127.0.0.1: left out by `pytest -m "not slow"`


@pytest.fixture
def served():
    log = io.StringIO()
    app = MockApp(specclient.Client().catalog)
    with MockServer(app, log=log) as server:
        yield server, log


def raw(server, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


@pytest.mark.parametrize("host", [b"[", b"[::1", b"h:port", b"example.com:99999999"])
def test_a_host_that_makes_no_url_is_answered_400(served, host):
    server, _ = served
    reply = raw(server, b"GET /v1/order_status HTTP/1.1\r\nHost: " + host
                + b"\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400 "), reply[:80]


@pytest.mark.parametrize("target", [
    b"/\x1b[2J\x1b[31mred",          # clear the screen, paint it red
    b"/x\x1b]0;pwned\x07",           # set the terminal's title
    b"/%1b[2J",                      # the same, percent-encoded: stays encoded
    b"/x\x9b31m",                    # an 8-bit CSI
])
def test_escape_sequences_from_the_request_line_never_reach_the_log_raw(served, target):
    server, log = served
    reply = raw(server, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Connection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 ")
    text = log.getvalue()
    assert text, "the request was logged"
    assert not any(ch in text for ch in "\x1b\x07\x9b\r"), repr(text)
    assert text.count("\n") == 1


def test_a_method_with_control_characters_is_logged_escaped(served):
    server, log = served
    reply = raw(server, b"GE\x1bT / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 501 ")  # no such method: answered, never echoed raw
    assert "\x1b" not in log.getvalue()
