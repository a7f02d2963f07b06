"""A loopback HTTP server that counts requests by a unique id, and a no-auth spec folder."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import REPO

SERVICE = """\
service: sink
title: Test sink
environments:
  local: http://127.0.0.1:9/never-used
"""

RECORD = """\
summary: Record one item (not idempotent)
method: POST
path: /v1/items
parameters:
  tenant: {in: query, required: false, schema: {type: string}}
body:
  content_type: application/json
  schema:
    type: object
    required: [id]
    properties:
      id: {type: string}
      fail: {type: boolean}
  example: {id: ex-1}
responses:
  "201":
    schema: {type: object, required: [id], properties: {id: {type: string}}}
"""


def write_spec(root, idempotent: bool = False) -> str:
    """A spec folder with service ``sink`` and its operation ``record``; returns its path."""
    folder = root / "specs" / "sink"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE)
    record = RECORD.replace("(not idempotent)\n", "(idempotent)\nidempotent: true\n") \
        if idempotent else RECORD
    (folder / "operations" / "record.yaml").write_text(record)
    return str(root / "specs")


class CountingServer:
    """ThreadingHTTPServer on 127.0.0.1 (port 0). Every POST body's ``id`` is counted; a body
    with ``"fail": true`` gets 422. When ``hold_after`` requests have arrived, ``reached`` is
    set and every later request is held until ``release`` is set (so it is surely in flight)."""

    def __init__(self, hold_after: int | None = None, delay: float = 0.0):
        self.seen: Counter[str] = Counter()
        self.order: list[str] = []
        self.queries: list[str] = []
        self.lock = threading.Lock()
        self.reached = threading.Event()
        self.release = threading.Event()
        self.hold_after = hold_after
        self.delay = delay
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw)
                with outer.lock:
                    outer.seen[body["id"]] += 1
                    outer.order.append(body["id"])
                    outer.queries.append(self.path)
                    count = len(outer.order)
                if outer.hold_after is not None and count >= outer.hold_after:
                    outer.reached.set()
                    outer.release.wait(10)
                elif outer.delay:
                    outer.release.wait(outer.delay)
                status = 422 if body.get("fail") else 201
                out = json.dumps({"id": body["id"]} if status == 201
                                 else {"error": "refused"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:  # the client was killed while this request was held
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CountingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECCLIENT")}
    env["PYTHONPATH"] = str(REPO)
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "specclient", *args]
