"""A batch on Dask: distributed.LocalCluster with worker processes, a loopback server that
counts every request; a worker killed mid-run; the rate held across workers; resume.
Skipped when Dask is not installed (``pip install 'specclient[dask]'``)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest
from support.batch_support import CountingServer, write_spec

distributed = pytest.importorskip("distributed")

from specclient.batch import BatchOptions  # noqa: E402
from specclient.batch_dask import run_batch_dask  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as c:
        with distributed.Client(c) as client:
            yield client


def source(tmp_path, n: int):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"i{k}"}) + "\n" for k in range(n)))
    return src


def results(path):
    return [json.loads(line) for line in open(path)]


def test_every_line_is_sent_once_and_the_parts_are_joined(tmp_path, cluster):
    spec = write_spec(tmp_path)
    with CountingServer() as srv:
        out = tmp_path / "out.jsonl"
        summary = run_batch_dask("sink.record", source(tmp_path, 120),
                                 BatchOptions(out=out, failed=tmp_path / "failed.jsonl",
                                              concurrency=8),
                                 scheduler=cluster, partitions=4,
                                 client_kwargs={"spec_dirs": [spec], "include_bundled": False,
                                                "base_url": srv.url})
    assert (summary.total, summary.ok, summary.failed) == (120, 120, 0)
    assert srv.seen == {f"i{k}": 1 for k in range(120)}
    recs = results(out)
    assert sorted(r["line"] for r in recs) == list(range(1, 121))
    assert sorted(os.listdir(tmp_path)) == sorted(["failed.jsonl", "in.jsonl", "out.jsonl",
                                                   "specs"])  # parts, journals joined


def test_a_killed_worker_sends_nothing_twice_and_every_line_is_accounted(tmp_path, cluster):
    """A partition whose worker dies runs again elsewhere and resumes from its own files: a
    line in flight is in doubt (the operation is not idempotent: never sent again), every line
    never sent is sent."""
    spec = write_spec(tmp_path)
    n = 60
    with CountingServer(delay=0.05) as srv:
        out = tmp_path / "out.jsonl"
        box = {}

        def run():
            box["summary"] = run_batch_dask(
                "sink.record", source(tmp_path, n), BatchOptions(out=out, concurrency=2),
                scheduler=cluster, partitions=2,
                client_kwargs={"spec_dirs": [spec], "include_bundled": False,
                               "base_url": srv.url})
        t = threading.Thread(target=run)
        t.start()
        deadline = time.monotonic() + 30
        while len(srv.order) < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        victim = next(iter(cluster.scheduler_info()["workers"]))
        pid = cluster.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)  # kill -9 of one worker, mid-run
        t.join(120)
        assert not t.is_alive()
    summary = box["summary"]
    assert max(srv.seen.values()) == 1  # nothing sent twice
    recs = {r["line"]: r for r in results(out)}
    assert len(recs) == n  # every line has a result: ok, or in doubt
    doubt = [r for r in recs.values() if r.get("kind") == "in_doubt"]
    assert summary.ok + summary.in_doubt == n and summary.in_doubt == len(doubt)
    sent = {f"i{r['line'] - 1}" for r in recs.values() if r["ok"]}
    assert sent <= set(srv.seen)  # every line recorded ok really reached the server


def test_the_rate_holds_across_workers(tmp_path, cluster):
    spec = write_spec(tmp_path)
    stamps: list[float] = []
    with CountingServer() as srv:
        real = srv.httpd.RequestHandlerClass.do_POST

        def stamped(handler):
            stamps.append(time.monotonic())
            real(handler)
        srv.httpd.RequestHandlerClass.do_POST = stamped
        run_batch_dask("sink.record", source(tmp_path, 40),
                       BatchOptions(out=tmp_path / "out.jsonl", concurrency=4, rate=20),
                       scheduler=cluster, partitions=4,
                       client_kwargs={"spec_dirs": [spec], "include_bundled": False,
                                      "base_url": srv.url})
    assert len(stamps) == 40
    stamps.sort()
    for i, start in enumerate(stamps):  # any 1-second window: 20 a second, 10% slack + 1
        inside = sum(1 for s in stamps[i:] if s - start < 1.0)
        assert inside <= 23, (i, inside)
    assert stamps[-1] - stamps[0] >= 39 / 20 * 0.9  # and it is not slower than it says either


def test_tasks_waiting_together_take_one_block_of_slots_not_one_each(cluster):
    """64 tasks of one worker waiting at once for their first slot take one block of slots
    from the shared schedule, not 64: the schedule moves on by the slots used (rounded up to a
    block), so the batch goes at the rate asked, not many times slower."""
    import asyncio

    from specclient.batch_dask import SharedRate

    rate, block, waiting = 100.0, 25, 64
    limiter = SharedRate(f"test-rate-{time.monotonic_ns()}", rate, block).bind(cluster)
    limiter.start()
    start = distributed.Variable(limiter.name, client=cluster).get()

    async def main():
        stop = threading.Event()
        await asyncio.gather(*(limiter.wait(stop) for _ in range(waiting)))

    asyncio.run(main())
    # slots the schedule moved on by (from when it was opened: a few ms more than the blocks)
    taken = (distributed.Variable(limiter.name, client=cluster).get() - start) * rate
    assert 3 * block <= taken < 4 * block  # 64 waits: 3 blocks of 25 (was 64 blocks)


def test_resume_after_a_failed_run_needs_its_manifest_and_refuses_a_second_fresh_run(
        tmp_path, cluster):
    from specclient.errors import BatchError

    spec = write_spec(tmp_path)
    out = tmp_path / "out.jsonl"
    kwargs = {"spec_dirs": [spec], "include_bundled": False}
    with pytest.raises(BatchError, match="nothing to resume"):
        run_batch_dask("sink.record", source(tmp_path, 3), BatchOptions(out=out, resume=True),
                       scheduler=cluster, client_kwargs=kwargs)
    out.write_text('{"line": 1, "ok": true}\n')
    with pytest.raises(BatchError, match="already has results"):
        run_batch_dask("sink.record", source(tmp_path, 3), BatchOptions(out=out),
                       scheduler=cluster, client_kwargs=kwargs)


def test_the_shell_runs_a_batch_on_the_cluster(tmp_path, cluster):
    import subprocess

    from support.batch_support import cli, cli_env

    spec = write_spec(tmp_path)
    with CountingServer() as srv:
        res = subprocess.run(cli("call", "sink.record", "--specs", spec, "--base-url", srv.url,
                                 "--batch", str(source(tmp_path, 30)), "--out",
                                 str(tmp_path / "out.jsonl"), "--dask",
                                 cluster.scheduler.address, "--partitions", "3"),
                             env=cli_env(), capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "batch done: 30 lines, 30 ok, 0 failed" in res.stderr
    assert srv.seen == {f"i{k}": 1 for k in range(30)}
    assert len(results(tmp_path / "out.jsonl")) == 30
