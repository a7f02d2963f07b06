"""Batch never loses and never duplicates a line, whatever a line, a server or a signal does.

Each case here failed before the fix it names (issue 13, "Batch never loses and never
duplicates"): a line whose answer or data broke a worker ended the run with "0 ok, 0 failed",
exit 0 and the journal deleted, so ``--resume`` sent a non-idempotent line again; a line's
``params`` reached ``Client.call`` as its keyword arguments (``base_url`` sent the key
elsewhere); SIGTERM left lines in doubt that Ctrl-C would have finished.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support.batch_support import CountingServer, cli, cli_env, write_spec

import specclient
from specclient.aio import AsyncClient
from specclient.batch import BatchOptions, read_results, run_batch
from specclient.model import RESERVED_ARGS

pytestmark = pytest.mark.slow  # left out by `pytest -m "not slow"`


def lines(*bodies: dict) -> list[str]:
    return [json.dumps(b) for b in bodies]


def journal(out) -> str:
    return f"{out}.inflight"


@pytest.fixture
def sink(tmp_path):
    spec = write_spec(tmp_path)
    with CountingServer() as srv:
        client = specclient.Client([spec], base_url=srv.url, include_bundled=False)
        yield client, srv
        client.close()


class _Oddball:
    """A server that answers each request by its body's ``id``: a redirect to another origin,
    a 400 with JSON nested 900 deep, or a plain 201."""

    def __init__(self):
        self.seen: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ident = json.loads(raw)["id"]
                outer.seen.append(ident)
                headers = {"Content-Type": "application/json"}
                if ident.startswith("redirect"):
                    status, body = 302, b""
                    headers["Location"] = "http://127.0.0.1:9/elsewhere"
                elif ident.startswith("deep"):
                    status, body = 400, b"[" * 900 + b"]" * 900
                else:
                    status, body = 201, json.dumps({"id": ident}).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("bad", ["redirect-1", "deep-1"])
def test_a_line_whose_answer_breaks_the_client_is_that_lines_failure(tmp_path, bad):
    spec = write_spec(tmp_path)
    srv = _Oddball()
    try:
        client = specclient.Client([spec], base_url=srv.url, include_bundled=False)
        out = tmp_path / "out.jsonl"
        summary = run_batch(client, "sink.record",
                            lines({"id": "a"}, {"id": bad}, {"id": "b"}),
                            BatchOptions(out=out, concurrency=1))
        assert (summary.ok, summary.failed) == (2, 1)
        assert read_results(out) == {1: True, 2: False, 3: True}
        rec = [json.loads(x) for x in out.read_text().splitlines() if '"line":2' in x][0]
        assert rec["ok"] is False and rec["error"]
        assert not (tmp_path / "out.jsonl.inflight").exists()  # every line accounted for
        # resuming sends nothing again: the failed line has its result
        again = run_batch(client, "sink.record", lines({"id": "a"}, {"id": bad}, {"id": "b"}),
                          BatchOptions(out=out, resume=True))
        assert again.skipped == 3
        assert sorted(srv.seen) == sorted(["a", bad, "b"])
    finally:
        srv.close()


@pytest.mark.parametrize("error", [AttributeError("'NoneType' object has no attribute 'x'"),
                                   RecursionError("maximum recursion depth exceeded"),
                                   KeyError("Location"), UnicodeDecodeError("utf-8", b"\xff",
                                                                            0, 1, "bad"),
                                   OSError("disk gone"), TypeError("odd")])
def test_any_exception_from_a_call_is_recorded_and_the_worker_goes_on(sink, tmp_path,
                                                                      monkeypatch, error):
    client, srv = sink
    real = AsyncClient.call  # the batch engine's

    async def call(self, name, body, **kw):
        if body["id"] == "boom":
            raise error
        return await real(self, name, body, **kw)

    monkeypatch.setattr(AsyncClient, "call", call)
    out = tmp_path / "out.jsonl"
    summary = run_batch(client, "sink.record",
                        lines({"id": "a"}, {"id": "boom"}, {"id": "b"}, {"id": "c"}),
                        BatchOptions(out=out, concurrency=1))
    assert (summary.ok, summary.failed) == (3, 1)
    recs = {json.loads(x)["line"]: json.loads(x) for x in out.read_text().splitlines()}
    assert recs[2]["kind"] == "error" and type(error).__name__ in recs[2]["error"]
    assert srv.seen == {"a": 1, "b": 1, "c": 1}
    assert not (tmp_path / "out.jsonl.inflight").exists()


def _deep() -> list:
    deep: list = []
    for _ in range(100_000):  # far beyond what json.dumps can nest
        deep = [deep]
    return deep


@pytest.mark.parametrize("data", [_deep, lambda: {"ratio": float("nan")}],
                         ids=["nested too deeply", "NaN, which standard JSON cannot carry"])
def test_response_data_that_cannot_be_written_as_json_is_still_recorded(sink, tmp_path,
                                                                        monkeypatch, data):
    client, srv = sink
    real = AsyncClient.call  # the batch engine's

    async def call(self, name, body, **kw):
        resp = await real(self, name, body, **kw)
        resp.data = data()
        return resp

    monkeypatch.setattr(AsyncClient, "call", call)
    out = tmp_path / "out.jsonl"
    summary = run_batch(client, "sink.record", lines({"id": "a"}), BatchOptions(out=out))
    assert summary.failed == 1
    (rec,) = [json.loads(x, parse_constant=pytest.fail) for x in
              out.read_text().splitlines()]  # standard JSON: no NaN
    assert rec["line"] == 1 and rec["ok"] is False and "data" not in rec
    assert not (tmp_path / "out.jsonl.inflight").exists()


def test_a_dead_worker_leaves_the_journal_so_resume_does_not_resend(sink, tmp_path,
                                                                   monkeypatch):
    """Should a worker die anyway (SystemExit is not caught: nothing should stop it), the
    journal stays and the started line is in doubt, never silently resent."""
    client, srv = sink
    real = AsyncClient.call  # the batch engine's

    async def call(self, name, body, **kw):
        if body["id"] == "dies":
            srv.seen["dies"] += 1  # it reached the server, then the worker died
            raise SystemExit(1)
        return await real(self, name, body, **kw)

    monkeypatch.setattr(AsyncClient, "call", call)
    monkeypatch.setattr(threading, "excepthook", lambda args: None)  # the thread's death
    out = tmp_path / "out.jsonl"
    src = lines({"id": "a"}, {"id": "dies"})
    run_batch(client, "sink.record", src, BatchOptions(out=out, concurrency=1))
    assert (tmp_path / "out.jsonl.inflight").exists()
    monkeypatch.setattr(AsyncClient, "call", real)
    again = run_batch(client, "sink.record", src, BatchOptions(out=out, resume=True))
    assert again.in_doubt == 1 and srv.seen["dies"] == 1  # not sent a second time


@pytest.mark.parametrize("option", sorted(RESERVED_ARGS - {"body"}))
def test_a_line_cannot_set_a_call_option(sink, tmp_path, option):
    client, srv = sink
    value = {"base_url": "http://127.0.0.1:9/elsewhere", "timeout": 0.001,
             "response_validation": "bogus", "raise_for_status": True,
             "extra_headers": {"Authorization": "x"}, "environment": "prod"}[option]
    out = tmp_path / "out.jsonl"
    summary = run_batch(client, "sink.record",
                        [json.dumps({"body": {"id": "x"}, "params": {option: value}}),
                         json.dumps({"body": {"id": "y"}})],
                        BatchOptions(out=out, lines="call"))
    assert (summary.ok, summary.failed) == (1, 1)
    recs = {json.loads(x)["line"]: json.loads(x) for x in out.read_text().splitlines()}
    assert recs[1]["kind"] == "input" and repr(option) in recs[1]["error"]
    assert "call option" in recs[1]["error"]
    assert srv.seen == {"y": 1}  # the refused line was not sent anywhere


def test_a_line_cannot_send_the_key_elsewhere(tmp_path):
    """A keyed service: the line's base_url would have carried the API key to another
    server. Nothing reaches that server."""
    folder = tmp_path / "specs" / "keyed"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(
        "service: keyed\nenvironments:\n  local: http://127.0.0.1:9/x\n"
        "auth:\n  key: {type: api_key, in: header, name: X-Key, secret: KEYED_KEY}\n"
        "defaults:\n  auth: key\n")
    (folder / "operations" / "record.yaml").write_text(
        "method: POST\npath: /v1/items\nbody:\n  content_type: application/json\n"
        "  schema: {type: object}\nresponses:\n  '201': {}\n")
    with CountingServer() as home, CountingServer() as elsewhere:
        client = specclient.Client([tmp_path / "specs"], base_url=home.url,
                                   credentials={"KEYED_KEY": "the-key-123"},
                                   include_bundled=False)
        summary = run_batch(client, "keyed.record",
                            [json.dumps({"body": {"id": "a"},
                                         "params": {"base_url": elsewhere.url}})],
                            BatchOptions(lines="call"))
        client.close()
    assert summary.failed == 1 and not elsewhere.order and not home.order


def test_an_unknown_line_parameter_fails_that_line_only(sink, tmp_path):
    client, srv = sink
    summary = run_batch(client, "sink.record",
                        [json.dumps({"body": {"id": "x"}, "params": {"nope": 1}}),
                         json.dumps({"body": {"id": "y"}, "params": {"tenant": "t1"}})],
                        BatchOptions(lines="call"))
    assert (summary.ok, summary.failed) == (1, 1)
    assert "unknown parameter 'nope'" in summary.results[0]["error"] \
        or "unknown parameter 'nope'" in summary.results[1]["error"]
    assert srv.seen == {"y": 1} and srv.queries == ["/v1/items?tenant=t1"]


N = 30


def test_sigterm_finishes_calls_in_flight_so_resume_duplicates_nothing(tmp_path):
    spec = write_spec(tmp_path)
    (tmp_path / "in.jsonl").write_text("".join(f'{{"id":"id-{i}"}}\n' for i in range(1, N + 1)))
    args = ("call", "sink.record", "--specs", spec, "--batch", str(tmp_path / "in.jsonl"),
            "--out", str(tmp_path / "out.jsonl"), "--concurrency", "2")
    with CountingServer(hold_after=10) as srv:
        proc = subprocess.Popen(cli(*args, "--base-url", srv.url), env=cli_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert srv.reached.wait(30), "the server never saw 10 requests"
            proc.send_signal(signal.SIGTERM)
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
        res = subprocess.run(cli(*args, "--base-url", srv.url, "--resume"), env=cli_env(),
                             capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert srv.seen == {f"id-{i}": 1 for i in range(1, N + 1)}


def test_sigterm_handler_is_restored_after_a_run(sink, tmp_path):
    client, _ = sink
    before = signal.getsignal(signal.SIGTERM)
    run_batch(client, "sink.record", lines({"id": "a"}), BatchOptions())
    assert signal.getsignal(signal.SIGTERM) is before
