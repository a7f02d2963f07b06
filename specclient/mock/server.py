"""The mock as a real HTTP server (``specclient mock``): :mod:`http.server` on a loopback
address by default, each request answered by a :class:`~specclient.mock.app.MockApp` and
logged as one verdict line (control characters escaped)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO
from urllib.parse import urlsplit

from .app import MockApp

__all__ = ["MockServer", "MAX_REQUEST_BODY"]

#: The largest request body ``specclient mock`` reads (bigger ones get 413).
MAX_REQUEST_BODY = 64 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY a kept-alive connection waits
    # for the client's delayed ACK (~40 ms) before the body.
    disable_nagle_algorithm = True
    server_version = "specclient-mock"
    sys_version = ""

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        address = self.server.server_address
        host = self.headers.get("Host") or f"{address[0]}:{address[1]}"
        url = f"http://{host}{self.path}"
        try:  # a Host such as "[" or "h:port" makes no URL: answer, never drop the connection
            _ = urlsplit(url).port
        except ValueError:
            self._refuse(400, "bad Host header")
            return
        reply = self.server.app.respond(self.command, url, dict(self.headers.items()), body)
        self.server.write_log(self.server.app.verdict(self.command, url, reply))
        try:
            self.send_response(reply.status)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            # the client hung up before its reply (killed, timed out): nothing to answer
            self.close_connection = True

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering 400 (malformed framing) or 413 (more than
        :data:`MAX_REQUEST_BODY` bytes)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                try:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    self._refuse(400, "bad chunk size")
                    return None
                if size < 0:
                    self._refuse(400, "bad chunk size")
                    return None
                total += size
                if total > MAX_REQUEST_BODY:
                    self._refuse(413, "request body too large")
                    return None
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._refuse(400, "bad Content-Length")
            return None
        if length > MAX_REQUEST_BODY:
            self._refuse(413, "request body too large")
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` and close: the rest of the request cannot be framed."""
        self.close_connection = True
        self.send_error(status, message)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        return None  # one verdict line per request is written by _serve instead


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: MockApp, log_to: TextIO | None):
        self.app = app
        self.log_to = log_to
        self._log_lock = threading.Lock()
        super().__init__(address, _Handler)

    def write_log(self, line: str) -> None:
        if self.log_to is not None:
            with self._log_lock:
                self.log_to.write(line + "\n")
                self.log_to.flush()


class MockServer:
    """The mock as a real HTTP server (``specclient mock``), by default on 127.0.0.1 and a free
    port. Each request's verdict is written as one line to ``log`` (a text stream such as
    ``sys.stderr``; default: none, though the ``specclient.mock`` logger always gets it)::

        with MockServer(MockApp(client.catalog)) as server:   # serving in a background thread
            Client(base_url=server.url).call(...)
    """

    def __init__(self, app: MockApp, host: str = "127.0.0.1", port: int = 0,
                 log: TextIO | None = None):
        self.app = app
        self.httpd = _HTTPServer((host, port), app, log)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self.httpd.server_address[0]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`shutdown` (or Ctrl-C)."""
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> MockServer:
        """Serve in a background (daemon) thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="specclient-mock",
                                        daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> MockServer:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
