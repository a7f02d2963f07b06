"""A real HTTP server on 127.0.0.1 (port 0) that injects faults, for the reliability tests.

Each path gets a queue of planned :class:`Action` s, consumed one per request; when the queue is
empty the server answers ``200 {"status": "OK"}``. ``POST /token`` always answers an OAuth2
token. Every request is recorded (method, path, headers, body), so tests can count exactly what
reached the server.

    with FaultServer() as srv:
        srv.plan("/v1/x", reply(503, headers={"Retry-After": "0"}), reply(200))
        ... client.call(..., base_url=srv.url) ...
        assert srv.hits("/v1/x") == 2
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FaultServer", "Action", "Seen", "reply", "reset", "slow", "truncated",
           "TOKEN_PATH", "TOKEN"]

TOKEN_PATH = "/token"
TOKEN = "loopback-token-0f9e8d7c"


@dataclass(frozen=True)
class Action:
    """What the server does with one request."""

    kind: str  # reply | reset | slow | truncated
    status: int = 200
    body: bytes = b'{"status":"OK"}'
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = "application/json"
    delay: float = 0.0
    declared_length: int | None = None


def reply(status: int = 200, body: bytes | str | Any = b'{"status":"OK"}',
          headers: dict[str, str] | None = None,
          content_type: str | None = "application/json") -> Action:
    """An ordinary answer; a non-bytes, non-str body is sent as JSON."""
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    return Action("reply", status, body, tuple((headers or {}).items()), content_type)


def reset() -> Action:
    """Read the request, then drop the connection with a TCP reset and no answer."""
    return Action("reset")


def slow(delay: float, then: Action | None = None) -> Action:
    """Wait ``delay`` seconds before answering like ``then`` (default 200)."""
    then = then or reply()
    return Action("slow", then.status, then.body, then.headers, then.content_type, delay)


def truncated(body: bytes = b'{"status":"O', declared_length: int = 100) -> Action:
    """Announce ``declared_length`` bytes, send fewer, and close the connection."""
    return Action("truncated", 200, body, (), "application/json", 0.0, declared_length)


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _State:
    plans: dict[str, deque[Action]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so the client's connection pool is exercised
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        state = self.server.state
        with state.lock:
            state.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
            queue = state.plans.get(path)
            action = queue.popleft() if queue else None
        if path == TOKEN_PATH and action is None:
            action = reply(200, {"access_token": TOKEN, "token_type": "bearer",
                                 "expires_in": "3600"})
        action = action or reply()
        if action.kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            self.wfile.close()
            self.rfile.close()
            self.connection.close()
            return
        if action.kind == "slow":
            time.sleep(action.delay)
        self.send_response(action.status)
        if action.content_type:
            self.send_header("Content-Type", action.content_type)
        for k, v in action.headers:
            self.send_header(k, v)
        declared = action.declared_length if action.kind == "truncated" else len(action.body)
        self.send_header("Content-Length", str(declared))
        if action.kind == "truncated":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(action.body)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = _State()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and left is expected here, not an error


class FaultServer:
    """The loopback server; use as a context manager."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def plan(self, path: str, *actions: Action) -> None:
        """Queue ``actions`` for the next requests to ``path``."""
        with self._server.state.lock:
            self._server.state.plans.setdefault(path, deque()).extend(actions)

    @property
    def seen(self) -> list[Seen]:
        with self._server.state.lock:
            return list(self._server.state.seen)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path.split("?", 1)[0] == path]

    def hits(self, path: str) -> int:
        return len(self.requests_to(path))

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
