"""A raw TCP server on 127.0.0.1 that answers every request with whatever bytes a behaviour
writes: huge bodies, gzip bombs, bodies or headers dripped a byte at a time. Requests are read
(headers and a Content-Length body) and counted, so a test can tell what reached it.

    with HostileServer(drip_body(40, every=0.5)) as srv:
        client.call(..., base_url=srv.url)
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Callable

Behaviour = Callable[[socket.socket], None]

__all__ = ["HostileServer", "huge_body", "chunked_forever", "gzip_bomb", "drip_body",
           "drip_headers", "gzip_of_zeros"]


class HostileServer:
    def __init__(self, behaviour: Behaviour):
        self.behaviour = behaviour
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(rest) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    rest += chunk
                self.requests.append(head)
                self.behaviour(conn)
            except OSError:
                return

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def _head(status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def huge_body(size: int) -> Behaviour:
    """A JSON-typed body of ``size`` bytes, sent as fast as the client reads."""
    def behave(conn: socket.socket) -> None:
        conn.sendall(_head(Content_Type="application/json", Content_Length=str(size)))
        block = b" " * 65536
        sent = 0
        while sent < size:
            n = min(len(block), size - sent)
            conn.sendall(block[:n])
            sent += n
    return behave


def chunked_forever() -> Behaviour:
    """A chunked body that never ends."""
    def behave(conn: socket.socket) -> None:
        conn.sendall(_head(Content_Type="application/json", Transfer_Encoding="chunked"))
        chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
        while True:
            conn.sendall(chunk)
    return behave


_BOMBS: dict[int, bytes] = {}


def gzip_of_zeros(inflated: int) -> bytes:
    """gzip of ``inflated`` zero bytes (about 1/1000 of that), made once per size."""
    if inflated not in _BOMBS:
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = bytes(1 << 20)
        parts = [z.compress(block) for _ in range(inflated >> 20)]
        parts.append(z.flush())
        _BOMBS[inflated] = b"".join(parts)
    return _BOMBS[inflated]


def gzip_bomb(inflated: int) -> Behaviour:
    """A ``Content-Encoding: gzip`` body that inflates to ``inflated`` bytes."""
    def behave(conn: socket.socket) -> None:
        payload = gzip_of_zeros(inflated)
        conn.sendall(_head(Content_Type="application/json", Content_Encoding="gzip",
                           Content_Length=str(len(payload))) + payload)
    return behave


def drip_body(length: int, every: float) -> Behaviour:
    """Headers at once, then the body one byte every ``every`` seconds."""
    def behave(conn: socket.socket) -> None:
        conn.sendall(_head(Content_Type="application/json", Content_Length=str(length)))
        for _ in range(length):
            time.sleep(every)
            conn.sendall(b" ")
    return behave


def drip_headers(every: float, count: int = 200) -> Behaviour:
    """The status line and headers one byte every ``every`` seconds."""
    def behave(conn: socket.socket) -> None:
        text = b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * count + b"\r\n\r\n"
        for i in range(len(text)):
            time.sleep(every)
            conn.sendall(text[i:i + 1])
    return behave
