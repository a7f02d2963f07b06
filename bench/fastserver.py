"""A fast keep-alive HTTP/1.1 server on 127.0.0.1 for the async benches: one asyncio protocol
that answers every request with the same small JSON body, in its own process, fast enough
(tens of thousands of requests per second) not to be what a client bench measures.
``python -m bench.fastserver`` prints its port, then serves until stdin closes."""

from __future__ import annotations

import asyncio
import sys
import threading

REPLY = b'{"status":"OK"}'
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(REPLY)).encode() + b"\r\n\r\n" + REPLY)


class _Protocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        out = []
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = self.buffer[:end].lower()
            length = 0
            at = head.find(b"content-length:")
            if at >= 0:
                length = int(head[at + 15:].split(b"\r\n", 1)[0])
            total = end + 4 + length
            if len(self.buffer) < total:
                break
            self.buffer = self.buffer[total:]
            out.append(RESPONSE)
        if out:
            self.transport.write(b"".join(out))  # type: ignore[attr-defined]


async def _serve(ready: list[int]) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Protocol, "127.0.0.1", 0)
    ready.append(server.sockets[0].getsockname()[1])
    print(ready[0], flush=True)
    await asyncio.Event().wait()


def main() -> None:
    threading.Thread(target=lambda: (sys.stdin.read(), __import__("os")._exit(0)),
                     daemon=True).start()
    asyncio.run(_serve([]))


if __name__ == "__main__":
    main()
