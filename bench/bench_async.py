"""6. Async and batch: ``AsyncClient`` at concurrency 64 against a hand-written aiohttp loop
sending the same bytes, the batch engine (async, ``--concurrency 64``) against a threaded batch
at its best thread count, and the batch's peak memory with many lines.

The server is ``bench/fastserver.py`` (one asyncio protocol in its own process, tens of
thousands of answers per second, so it is not what is measured). Each batch runs as the shell
runs it (``BatchOptions.gc_threshold = BATCH_GC_THRESHOLD``). The threaded batch is what
specclient's batch engine was before it moved to the async client: N threads sharing one
``Client``, each taking the next line, calling, and writing a result line; its best of 1, 2,
4, 8, 16 and 32 threads is the baseline (on a 2-CPU machine one thread often does best: more
contend for the GIL). Memory: peak RSS (VmHWM) of a fresh process running a batch
of N lines answered by the in-process mock, against the same with 10,000 lines.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from .common import CREDS, Figure, show

NAME = "async"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(quick: bool = False) -> list[Figure]:
    server = subprocess.Popen([sys.executable, "-m", "bench.fastserver"], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base = f"http://127.0.0.1:{int(server.stdout.readline())}/event"
        figs = [_client_vs_loop(base, quick), _batch_vs_threads(base, quick)]
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    figs.append(_memory(quick))
    figs.extend(_dask(quick))
    return figs


def _dask(quick: bool) -> list[Figure]:
    """A Dask batch on a 2-worker LocalCluster against the same batch in one process, both
    answered by the in-process mock (the network out of the figure)."""
    try:
        import distributed
    except ImportError:
        from .common import skip

        return [skip(NAME, "Dask batch", "distributed is not installed (specclient[dask])")]
    import specclient
    from specclient.batch import BATCH_GC_THRESHOLD, BatchOptions, run_batch
    from specclient.batch_dask import run_batch_dask

    n = 4000 if quick else 40000
    client = specclient.Client(mock=True)
    body = json.dumps(client.operation("thirdwatch.order_status").body.example)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.jsonl")
        with open(src, "w") as fh:
            fh.writelines(body + "\n" for _ in range(n))
        t0 = time.perf_counter()
        run_batch(client, "thirdwatch.order_status", src,
                  BatchOptions(concurrency=64, out=os.path.join(tmp, "one.jsonl"),
                               gc_threshold=BATCH_GC_THRESHOLD))
        one = time.perf_counter() - t0
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=40) as cluster, \
                distributed.Client(cluster) as dask:
            t0 = time.perf_counter()
            s = run_batch_dask("thirdwatch.order_status", src,
                               BatchOptions(concurrency=64, out=os.path.join(tmp, "d.jsonl"),
                                            gc_threshold=BATCH_GC_THRESHOLD),
                               scheduler=dask, partitions=2, client_kwargs={"mock": True})
            two = time.perf_counter() - t0
            assert s.ok == n, s.describe()
    # what the run took beyond a perfect split of the one-process batch over the 2 workers,
    # per line a worker sent: the cluster's share (tasks, spec loading on each worker, the
    # shared rate's round trips, joining the parts)
    per_line = (two - one / 2) / (n / 2) * 1e6
    return [show(Figure(NAME, f"Dask batch, 2 workers, {n:,} lines (in-process mock)",
                        two, "s", "the same batch in one process", one,
                        note=f"coordination {per_line:+.1f} µs per line beyond a perfect "
                             f"split"))]


def _client_vs_loop(base: str, quick: bool) -> Figure:
    import aiohttp

    import specclient

    calls, rounds, conc = (2000, 3, 64) if quick else (10000, 5, 64)
    url = base + "/v1/order_status"
    best = {"sc": 0.0, "hand": 0.0}

    async def main() -> None:
        client = specclient.AsyncClient(credentials=CREDS, base_url=base, connections=conc)
        body = json.loads(json.dumps(client.operation("thirdwatch.order_status").body.example))
        req = await client.prepare("thirdwatch.order_status", body)
        headers = dict(req.headers.items())  # the same header lines, the same body bytes
        data = req.body
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conc),
                                        skip_auto_headers=("User-Agent",))

        async def sc() -> None:
            r = await client.call("thirdwatch.order_status", body)
            assert r.data == {"status": "OK"}

        async def hand() -> None:
            async with session.post(url, data=data, headers=headers) as r:
                r.raise_for_status()
                assert await r.json() == {"status": "OK"}

        async def burst(f: object, n: int) -> float:
            sem = asyncio.Semaphore(conc)

            async def one() -> None:
                async with sem:
                    await f()  # type: ignore[operator]
            t0 = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(n)))
            return n / (time.perf_counter() - t0)

        for f in (sc, hand):
            await burst(f, conc * 4)  # warm up: connections open
        for r in range(rounds):
            order = [("sc", sc), ("hand", hand)]
            if r % 2:
                order.reverse()
            for name, f in order:
                best[name] = max(best[name], await burst(f, calls))
        await session.close()
        await client.aclose()

    asyncio.run(main())
    return show(Figure(NAME, f"AsyncClient calls/s, concurrency {conc}", best["sc"], "calls/s",
                       "hand-written aiohttp loop (same bytes)", best["hand"], ">= 0.9x",
                       best["sc"] >= 0.9 * best["hand"]))


def _batch_vs_threads(base: str, quick: bool) -> Figure:
    import specclient
    from specclient.batch import BATCH_GC_THRESHOLD, BatchOptions, run_batch

    n = 3000 if quick else 20000
    client = specclient.Client(credentials=CREDS, base_url=base, timeout=10)
    body = client.operation("thirdwatch.order_status").body.example
    lines = [json.dumps({**body, "_orderId": f"o-{i}"}) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        def async_batch() -> float:
            out = os.path.join(tmp, f"async-{time.monotonic_ns()}.jsonl")
            t0 = time.perf_counter()
            summary = run_batch(client, "thirdwatch.order_status", lines,
                                BatchOptions(concurrency=64, out=out,
                                             gc_threshold=BATCH_GC_THRESHOLD))
            took = time.perf_counter() - t0
            assert summary.ok == n, summary.describe()
            return n / took

        def threaded(threads: int) -> float:
            out = os.path.join(tmp, f"threads-{time.monotonic_ns()}.jsonl")
            work = iter(enumerate(lines, 1))
            lock = threading.Lock()
            ok = [0]
            with open(out, "w", encoding="utf-8") as fh:
                def worker() -> None:
                    while True:
                        with lock:
                            item = next(work, None)
                        if item is None:
                            return
                        i, text = item
                        r = client.call("thirdwatch.order_status", json.loads(text),
                                        raise_for_status=False)
                        rec = json.dumps({"line": i, "ok": r.ok, "status": r.status_code,
                                          "attempts": r.attempts, "data": r.redacted_data()})
                        with lock:
                            fh.write(rec + "\n")
                            fh.flush()
                            ok[0] += r.ok
                pool = [threading.Thread(target=worker) for _ in range(threads)]
                t0 = time.perf_counter()
                for t in pool:
                    t.start()
                for t in pool:
                    t.join()
                took = time.perf_counter() - t0
            assert ok[0] == n
            return n / took

        async_batch()  # warm up
        best_async = max(async_batch() for _ in range(2 if quick else 3))
        threads = {k: max(threaded(k) for _ in range(1 if quick else 2))
                   for k in (1, 2, 4, 8, 16, 32)}
    best_k = max(threads, key=threads.__getitem__)
    client.close()
    return show(Figure(NAME, "batch calls/s, async engine, --concurrency 64", best_async,
                       "calls/s", f"threaded batch at its best ({best_k} thread"
                                  f"{'s' if best_k > 1 else ''})",
                       threads[best_k], ">= 3x", best_async >= 3 * threads[best_k]))


_MEMORY = """
import json, os, resource, sys, tempfile
import specclient
from specclient.batch import BATCH_GC_THRESHOLD, BatchOptions, run_batch
n = int(sys.argv[1])
client = specclient.Client(mock=True)
body = json.dumps(client.operation("thirdwatch.order_status").body.example)
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "in.jsonl")
    with open(src, "w") as fh:
        for _ in range(n):
            fh.write(body + "\\n")
    s = run_batch(client, "thirdwatch.order_status", src,
                  BatchOptions(concurrency=64, out=os.path.join(tmp, "out.jsonl"),
                               gc_threshold=BATCH_GC_THRESHOLD))
    assert s.ok == n, s.describe()
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print(int(line.split()[1]) * 1024)
"""


def _memory(quick: bool) -> Figure:
    big = 100_000 if quick else 1_000_000

    def peak(n: int) -> int:
        out = subprocess.run([sys.executable, "-c", _MEMORY, str(n)], cwd=REPO, check=True,
                             capture_output=True, text=True, timeout=3600)
        return int(out.stdout.strip().splitlines()[-1])

    small_rss, big_rss = peak(10_000), peak(big)
    return show(Figure(NAME, f"batch peak RSS, {big:,} lines (in-process mock)",
                       big_rss / 2**20, "MiB", "the same with 10,000 lines", small_rss / 2**20,
                       "<= 1.2x", big_rss <= 1.2 * small_rss))

