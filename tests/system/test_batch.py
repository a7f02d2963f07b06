"""Batch sending against a real loopback server: results, failures, kill -9 and resume."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
from support.batch_support import CountingServer, cli, cli_env, write_spec

import specclient
from conftest import sigint_default
from specclient.batch import BatchOptions, parse_rate, read_results, run_batch
from specclient.errors import BatchError

N = 40


def write_input(path, n=N, fail_every=0):
    lines = []
    for i in range(1, n + 1):
        body = {"id": f"id-{i}"}
        if fail_every and i % fail_every == 0:
            body["fail"] = True
        lines.append(json.dumps(body))
    path.write_text("\n".join(lines) + "\n")
    return lines


def results(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def wait_for(event, what):
    assert event.wait(20), f"timed out waiting for {what}"


# ---------------------------------------------------------------------- Python API


def test_run_batch_records_every_line_and_failures_as_input(tmp_path):
    spec = write_spec(tmp_path)
    src = tmp_path / "in.jsonl"
    lines = write_input(src, 12, fail_every=5)
    with CountingServer() as srv:
        client = specclient.Client([spec], base_url=srv.url, include_bundled=False)
        opts = BatchOptions(concurrency=3, out=tmp_path / "out.jsonl",
                            failed=tmp_path / "failed.jsonl", params={"tenant": "t1"})
        summary = run_batch(client, "sink.record", src, opts)
        again = run_batch(client, "sink.record", tmp_path / "failed.jsonl",
                          BatchOptions(params={"tenant": "t1"}))  # fed back as input
        client.close()
    assert (summary.total, summary.ok, summary.failed) == (12, 10, 2)
    assert [(r["line"], r["status"], r.get("kind")) for r in
            sorted(again.results, key=lambda r: r["line"])] == [(1, 422, "api"), (2, 422, "api")]
    assert srv.seen == {**{f"id-{i}": 1 for i in range(1, 13)}, "id-5": 2, "id-10": 2}
    assert set(srv.queries) == {"/v1/items?tenant=t1"}
    recs = {r["line"]: r for r in results(tmp_path / "out.jsonl")}
    assert sorted(recs) == list(range(1, 13))
    assert recs[1] == {"line": 1, "ok": True, "status": 201, "attempts": 1,
                       "data": {"id": "id-1"}}
    assert recs[5] == {"line": 5, "ok": False, "status": 422, "attempts": 1,
                       "data": {"error": "refused"}, "kind": "api", "error": "HTTP 422"}
    # the failed file holds the input lines verbatim, so it can be fed back as input
    assert (tmp_path / "failed.jsonl").read_text().splitlines() == [lines[4], lines[9]]
    assert not (tmp_path / "out.jsonl.inflight").exists()  # a finished run leaves no journal


def test_call_lines_bad_lines_and_validation_are_recorded_not_sent(tmp_path):
    spec = write_spec(tmp_path)
    src = [json.dumps({"body": {"id": "a"}, "params": {"tenant": "x"}}),
           "{not json",
           json.dumps({"body": {"id": 5}}),
           json.dumps({"id": "b"}),  # not the call form
           json.dumps({"body": {"id": "c"}, "headers": {"X-Trace": "t"}})]
    with CountingServer() as srv:
        client = specclient.Client([spec], base_url=srv.url, include_bundled=False)
        summary = run_batch(client, "sink.record", src, BatchOptions(lines="call"))
        client.close()
    assert srv.seen == {"a": 1, "c": 1}
    assert sorted(srv.queries) == ["/v1/items", "/v1/items?tenant=x"]
    by_line = {r["line"]: r for r in summary.results}
    assert by_line[2]["kind"] == "input" and "not valid JSON" in by_line[2]["error"]
    assert by_line[3]["kind"] == "validation" and "body.id: 5 is not of type 'string'" \
        in by_line[3]["error"]
    assert by_line[4]["kind"] == "input" and '"params"' in by_line[4]["error"]
    assert (summary.ok, summary.failed) == (2, 3)


def test_parse_rate():
    assert parse_rate("10") == 10 and parse_rate("10/s") == 10
    assert parse_rate("120/m") == 2 and parse_rate("3600/h") == 1
    for bad in ("0", "fast", "5/d", "-1"):
        with pytest.raises(ValueError):
            parse_rate(bad)


def test_rate_limits_the_pace_without_timing_asserts(tmp_path):
    """--rate spaces the calls: the limiter hands out slots 1/rate apart (checked on the
    limiter's own schedule, not the wall clock)."""
    from specclient.batch import _Limiter

    lim = _Limiter(4.0)
    start = time.monotonic() + 1000  # a schedule far ahead: wait() would sleep; reserve slots
    lim.next = start
    stop = __import__("threading").Event()
    stop.set()  # never actually sleep
    for _ in range(3):
        __import__("asyncio").run(lim.wait(stop))
    assert lim.next == pytest.approx(start + 3 * 0.25)


def test_out_with_results_needs_resume(tmp_path):
    spec = write_spec(tmp_path)
    (tmp_path / "out.jsonl").write_text('{"line":1,"ok":true}\n')
    client = specclient.Client([spec], include_bundled=False)
    with pytest.raises(BatchError, match="already has results: pass --resume"):
        run_batch(client, "sink.record", ['{"id":"a"}'], BatchOptions(out=tmp_path / "out.jsonl"))


def test_a_torn_last_result_line_is_repaired_and_counts_as_not_recorded(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"line":1,"ok":true}\n{"line":2,"ok":fa')
    assert read_results(out, repair=True) == {1: True}
    assert out.read_bytes() == b'{"line":1,"ok":true}\n'
    out.write_text('{"line":1,"ok":true}\ngarbage\n')
    with pytest.raises(BatchError, match=r"out.jsonl:2: not a result line"):
        read_results(out)


# ---------------------------------------------------------------------- the real command


def start_batch(spec, srv, tmp_path, *extra):
    return subprocess.Popen(
        cli("call", "sink.record", "--specs", spec, "--base-url", srv.url,
            "--batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"),
            "--failed", str(tmp_path / "failed.jsonl"), *extra),
        env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=sigint_default)


def in_flight_lines(tmp_path):
    journal = tmp_path / "out.jsonl.inflight"
    started = {int(x) for x in journal.read_text().split()}
    return started - set(read_results(tmp_path / "out.jsonl"))


@pytest.mark.parametrize("in_doubt, idempotent", [
    ("resend", False), ("skip", False), ("auto", False),
    ("auto", True),  # auto resends when the spec declares the operation idempotent
])
def test_kill_9_midway_then_resume_loses_nothing(tmp_path, in_doubt, idempotent):
    spec = write_spec(tmp_path, idempotent=idempotent)
    resends = in_doubt == "resend" or idempotent
    lines = write_input(tmp_path / "in.jsonl", N, fail_every=9)
    concurrency, k = 3, 15
    with CountingServer(hold_after=k) as srv:
        proc = start_batch(spec, srv, tmp_path, "--concurrency", str(concurrency))
        try:
            wait_for(srv.reached, f"the server to see {k} requests")
            time.sleep(0.2)  # let the other workers' requests reach the server and be held
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            proc.kill()
            proc.communicate()
        first_run = dict(srv.seen)
        doubt = in_flight_lines(tmp_path)
        # the K-th request was held by the server: surely sent, surely without a result
        held = srv.order[k - 1]
        assert int(held.split("-")[1]) in doubt
        assert 1 <= len(doubt) <= concurrency
        recorded_before = set(read_results(tmp_path / "out.jsonl"))
        assert recorded_before and len(recorded_before) < N

        srv.hold_after = None
        srv.release.set()
        time.sleep(0.05)
        res = subprocess.run(
            cli("call", "sink.record", "--specs", spec, "--base-url", srv.url,
                "--batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"),
                "--failed", str(tmp_path / "failed.jsonl"), "--concurrency", "4",
                "--resume", "--in-doubt", in_doubt),
            env=cli_env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 1, res.stderr  # some lines are refused by design (fail_every)
    assert f"{len(recorded_before)} already done" in res.stderr

    recs = results(tmp_path / "out.jsonl")
    assert sorted(r["line"] for r in recs) == list(range(1, N + 1))  # one result per line
    ids = {f"id-{i}" for i in range(1, N + 1)}
    doubt_ids = {f"id-{n}" for n in doubt}
    dups = {i for i, c in srv.seen.items() if c > 1}
    if resends:
        assert set(srv.seen) == ids                         # nothing lost
        assert dups <= doubt_ids                            # duplicates only the in-flight ones
        assert all(first_run.get(i, 0) == 1 for i in dups)
        assert held in dups  # the window is real: the held request was received, then resent
    else:  # skip, and auto for this non-idempotent operation
        assert dups == set()                                # nothing duplicated
        assert set(srv.seen) | {i for i in doubt_ids if i not in first_run} == ids
        by_line = {r["line"]: r for r in recs}
        assert all(by_line[n]["kind"] == "in_doubt" for n in doubt)
        why = "sink.record is not idempotent" if in_doubt == "auto" else "in_doubt=skip"
        assert all(by_line[n]["error"].endswith(f"not sent again ({why})") for n in doubt)
    assert max(srv.seen.values()) <= 2
    # --failed lists every refused line (and in-doubt ones when skipped), verbatim, once
    failed = (tmp_path / "failed.jsonl").read_text().splitlines()
    want = [lines[i - 1] for i in range(1, N + 1)
            if i % 9 == 0 or (not resends and i in doubt)]
    assert sorted(failed) == sorted(want), (failed, doubt)
    assert not (tmp_path / "out.jsonl.inflight").exists()


def test_ctrl_c_finishes_calls_in_flight_so_resume_duplicates_nothing(tmp_path):
    spec = write_spec(tmp_path)
    write_input(tmp_path / "in.jsonl", N)
    with CountingServer(hold_after=10) as srv:
        proc = start_batch(spec, srv, tmp_path, "--concurrency", "2")
        try:
            wait_for(srv.reached, "the server to see 10 requests")
            proc.send_signal(signal.SIGINT)
            time.sleep(0.2)
            srv.release.set()  # the held (in-flight) requests complete now
            _, err = proc.communicate(timeout=20)
        finally:
            proc.kill()
        assert proc.returncode == 130, err
        assert "batch interrupted" in err
        assert not (tmp_path / "out.jsonl.inflight").exists()
        recorded = set(read_results(tmp_path / "out.jsonl"))
        assert recorded == {int(i.split("-")[1]) for i in srv.seen}
        srv.hold_after = None
        res = subprocess.run(
            cli("call", "sink.record", "--specs", spec, "--base-url", srv.url,
                "--batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"),
                "--resume"), env=cli_env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert srv.seen == {f"id-{i}": 1 for i in range(1, N + 1)}
    assert sorted(r["line"] for r in results(tmp_path / "out.jsonl")) == list(range(1, N + 1))


def test_batch_usage_errors_exit_2(tmp_path, capsys):
    from specclient.cli import main

    spec = write_spec(tmp_path)
    (tmp_path / "in.jsonl").write_text('{"id":"a"}\n')
    base = ["call", "sink.record", "--specs", spec, "--batch", str(tmp_path / "in.jsonl")]
    for extra, msg in ((["--resume"], "--resume needs --out"),
                       (["id=x"], "--batch takes each body from its file"),
                       (["--rate", "fast"], "--rate 'fast'"),
                       (["--concurrency", "0"], "--concurrency must be at least 1")):
        code = main(base + extra)
        err = capsys.readouterr().err
        assert code == 2 and msg in err, (extra, err)


def test_results_go_to_stdout_without_out(tmp_path):
    spec = write_spec(tmp_path)
    (tmp_path / "in.jsonl").write_text('{"id":"a"}\n\n{"id":"b"}\n')
    with CountingServer() as srv:
        res = subprocess.run(cli("call", "sink.record", "--specs", spec, "--base-url", srv.url,
                                 "--batch", str(tmp_path / "in.jsonl")),
                             env=cli_env(), capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    recs = [json.loads(x) for x in res.stdout.splitlines()]
    assert [r["line"] for r in recs] == [1, 3]  # line numbers of the file; blank lines skipped
    assert "2 ok, 0 failed" in res.stderr


def test_progress_bar_shows_count_rate_and_eta(tmp_path):
    import io

    spec = write_spec(tmp_path)
    stream = io.StringIO()
    with CountingServer() as srv:
        client = specclient.Client([spec], base_url=srv.url, include_bundled=False)
        run_batch(client, "sink.record", ['{"id":"a"}', '{"id":"b"}', '{"id":"c"}'],
                  progress=stream)
        client.close()
    final = stream.getvalue().split("\r")[-1]
    assert final.startswith("[" + "#" * 30 + "] 3/3 ")
    assert "/s ETA 0:00 ok 3 failed 0" in final and final.endswith("\n")


class _Recording:
    """A limiter (BatchOptions.limiter) that lets every call go and notes the collector's
    threshold each time it is asked."""

    def __init__(self):
        self.seen: set[tuple[int, int, int]] = set()

    async def wait(self, stop):
        import gc

        self.seen.add(gc.get_threshold())


def test_the_collector_threshold_is_raised_during_a_batch_and_restored_after(tmp_path):
    import gc

    spec = write_spec(tmp_path)
    src = tmp_path / "in.jsonl"
    write_input(src, 6)
    before = gc.get_threshold()
    rec = _Recording()
    with CountingServer() as srv, \
            specclient.Client([spec], base_url=srv.url, include_bundled=False) as client:
        run_batch(client, "sink.record", src, BatchOptions(concurrency=2, limiter=rec,
                                                            gc_threshold=before[0] * 10))
        assert rec.seen == {(before[0] * 10, *before[1:])}
        plain = _Recording()
        run_batch(client, "sink.record", src, BatchOptions(limiter=plain))  # left be
        assert plain.seen == {before}
    assert gc.get_threshold() == before


def test_the_shell_runs_its_batches_with_the_raised_threshold(tmp_path, monkeypatch):
    import specclient.batch as batch
    from specclient.cli import main

    spec = write_spec(tmp_path)
    (tmp_path / "in.jsonl").write_text('{"id":"a"}\n')
    given = []
    monkeypatch.setattr(batch, "run_batch",
                        lambda client, op, src, opts, progress=None:
                        given.append(opts) or batch.BatchSummary(total=1, ok=1))
    code = main(["call", "sink.record", "--specs", spec, "--base-url", "http://127.0.0.1:9",
                 "--batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "o.jsonl")])
    assert code == 0 and given[0].gc_threshold == batch.BATCH_GC_THRESHOLD
