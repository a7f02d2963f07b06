"""2. Throughput on a real socket: calls per second against a keep-alive HTTP/1.1 server on
127.0.0.1 (in its own process, so it does not share the GIL), specclient ``Client.call`` (request
and response validated) against a hand-written ``requests.Session`` loop (json.dumps, post,
.json()), with 1 thread and with 8 threads sharing one client / one session. Both send the
same request, byte for byte (checked before timing), and both read and decode the body.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

import specclient
from specclient.prepare.building import USER_AGENT
from specclient.transport.wire import to_requests

from .common import CREDS, REPO, Figure, show

NAME = "throughput"


def run(quick: bool = False) -> list[Figure]:
    calls, rounds = (200, 3) if quick else (1000, 7)
    server = subprocess.Popen([sys.executable, "-m", "bench.server"], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        base = f"http://127.0.0.1:{port}/event"
        return _measure(base, calls, rounds)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _measure(base: str, calls: int, rounds: int) -> list[Figure]:
    client = specclient.Client(credentials=CREDS, base_url=base, timeout=10)
    body = copy.deepcopy(client.operation("thirdwatch.order_status").body.example)
    session = requests.Session()
    url = base + "/v1/order_status"
    # specclient's User-Agent too, so that both loops put the same bytes on the wire
    headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json",
               "Accept": "application/json", "X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]}
    _check_same_request(client, session, body, url, headers)

    def sc() -> None:
        r = client.call("thirdwatch.order_status", body)
        assert r.data == {"status": "OK"}

    def hand() -> None:
        r = session.post(url, data=json.dumps(body, separators=(",", ":")).encode(),
                         headers=headers, timeout=10)
        r.raise_for_status()
        assert r.json() == {"status": "OK"}

    figs = []
    for threads in (1, 8):
        best = {"sc": 0.0, "hand": 0.0}
        with ThreadPoolExecutor(threads) as pool:
            for f in (sc, hand):  # warm up: connections open
                list(pool.map(lambda _, f=f: f(), range(threads * 4)))
            for r in range(rounds):
                order = [("sc", sc), ("hand", hand)]
                if r % 2:
                    order.reverse()
                for name, f in order:
                    t0 = time.perf_counter()
                    list(pool.map(lambda _, f=f: f(), range(calls)))
                    best[name] = max(best[name], calls / (time.perf_counter() - t0))
        figs.append(show(Figure(NAME, f"specclient calls/s, {threads} thread(s)", best["sc"],
                                "calls/s", "hand-written requests.Session loop", best["hand"],
                                ">= 0.95x", best["sc"] >= 0.95 * best["hand"])))
    client.close()
    session.close()
    return figs


def _check_same_request(client: specclient.Client, session: requests.Session, body: object,
                        url: str, headers: dict[str, str]) -> None:
    """Refuse to compare loops that would not send the same request (method, URL, headers and
    body bytes, as each hands it to ``requests``' adapter)."""
    ours = to_requests(client.prepare("thirdwatch.order_status", body), client.session)
    hand = session.prepare_request(requests.Request(
        "POST", url, data=json.dumps(body, separators=(",", ":")).encode(), headers=headers))

    def shown(p: requests.PreparedRequest) -> tuple[object, ...]:
        return (p.method, p.url, sorted((k.lower(), v) for k, v in p.headers.items()), p.body)

    if shown(ours) != shown(hand):
        raise RuntimeError(f"the two loops send different requests:\n{shown(ours)}\n"
                           f"{shown(hand)}")


if __name__ == "__main__":
    run()
