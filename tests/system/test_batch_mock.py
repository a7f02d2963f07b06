"""Batch kill -9 and resume against the built-in mock server (``specclient mock``'s server).

The batch runs as a real ``python -m specclient call NAME --batch ...`` process against a
:class:`MockServer` on 127.0.0.1 in this process, using the bundled seed operations:

- ``ingram.order_status_event``: OAuth2 token and x-hub-signature, both checked by the mock;
  declared ``idempotent: true``, so ``--in-doubt auto`` sends the in-doubt lines again;
- ``thirdwatch.order_status``: API key; not idempotent, so ``auto`` records them as failed.

The mock's ``on_request`` hook records every request it accepts and, from the K-th accepted
call on, holds the reply back until every worker is stuck in a call. The batch is then
killed with SIGKILL: exactly ``concurrency`` requests were received and accepted by the mock
and have no result, which is the window the batch's in-flight journal exists for.
"""

from __future__ import annotations

import copy
import io
import json
import signal
import subprocess
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from support.batch_support import cli, cli_env

import specclient
from conftest import CREDS, hub_signature
from specclient.batch import read_results
from specclient.credentials import Credentials
from specclient.mock import MockApp, MockExchange, MockServer
from specclient.spec.catalog import Catalog

N = 40  # input lines
K = 15  # the K-th call the mock receives, and every later one, is held until the kill
CONCURRENCY = 4
WAIT = 20  # seconds: the bound on every wait
TARGET = "https://hooks.example.com/ingram/order-status"
TOKEN_ENDPOINT = "ingram.oauth2 token endpoint"


@dataclass
class Case:
    operation: str
    path: str
    id_field: str  # the body field carrying each line's unique id
    extra: tuple[str, ...]  # CLI arguments for the whole batch
    resends: bool  # what --in-doubt auto does with the in-doubt lines
    oauth2: bool  # a token per process run, and the x-hub-signature


INGRAM = Case("ingram.order_status_event", "/resellers/v1/webhooks/orderstatusevent", "eventId",
              ("--param", f"targeturl={TARGET}"), resends=True, oauth2=True)
THIRDWATCH = Case("thirdwatch.order_status", "/v1/order_status", "_orderId", (),
                  resends=False, oauth2=False)


def uid(n: int) -> str:
    return f"id-{n:03d}"


def line_of(ident: str) -> int:
    return int(ident.split("-")[1])


def bodies(case: Case) -> dict[str, dict[str, Any]]:
    """N bodies by id: the operation's bundled example, each with its own id."""
    example = specclient.Client(credentials={}).operation(case.operation).body.example
    out = {}
    for n in range(1, N + 1):
        body = copy.deepcopy(example)
        body[case.id_field] = uid(n)
        out[uid(n)] = body
    return out


class Recorder:
    """The mock's ``on_request`` hook: records every exchange; from the ``hold_after``-th call
    of the operation on, holds the reply until ``release`` (bounded) and sets ``all_held`` once
    CONCURRENCY calls are held, i.e. every worker of the batch is stuck in a call."""

    def __init__(self, case: Case, hold_after: int | None):
        self.case = case
        self.hold_after = hold_after
        self.lock = threading.Lock()
        self.exchanges: list[MockExchange] = []
        self.calls = 0  # calls of the operation received, accepted or not
        self.held: list[str] = []  # ids of the held calls
        self.all_held = threading.Event()
        self.release = threading.Event()

    def __call__(self, ex: MockExchange) -> None:
        hold = False
        with self.lock:
            self.exchanges.append(ex)
            if ex.operation == self.case.operation:
                self.calls += 1
                if self.hold_after is not None and self.calls >= self.hold_after:
                    hold = True
                    self.held.append(json.loads(ex.body)[self.case.id_field])
                    if len(self.held) == CONCURRENCY:
                        self.all_held.set()
        if hold:
            self.release.wait(WAIT)

    def take(self) -> list[MockExchange]:
        """The exchanges recorded so far, forgetting them."""
        with self.lock:
            out, self.exchanges = self.exchanges, []
            return out


def check_run(case: Case, run: list[MockExchange], sent: dict[str, dict[str, Any]]) -> list[str]:
    """Check every request of one process run as the mock received it; return the ids of the
    operation's calls in arrival order."""
    tokens = [ex for ex in run if ex.operation == TOKEN_ENDPOINT]
    calls = [ex for ex in run if ex.operation == case.operation]
    assert len(tokens) + len(calls) == len(run), [ex.verdict for ex in run]
    # every call was accepted: auth and (Ingram) the signature were checked by the mock
    assert {ex.verdict for ex in calls} == {f"POST {case.path} -> 200 {case.operation}: ok"}
    if case.oauth2:
        assert [ex.verdict for ex in tokens] == [  # exactly one token for the whole run
            "POST /oauth/oauth30/token -> 200 ingram.oauth2 token endpoint: token issued"]
        token = json.loads(tokens[0].reply.body)["access_token"]
    else:
        assert tokens == []
    ids = []
    for ex in calls:
        body = json.loads(ex.body)
        ident = body[case.id_field]
        assert body == sent[ident]  # the line's body, unchanged
        if case.oauth2:
            assert ex.headers["Authorization"] == f"Bearer {token}"
            # the signature recomputed here, independently of specclient
            assert ex.headers["x-hub-signature"] == hub_signature(
                CREDS["INGRAM_WEBHOOK_SECRET"], ident)
            assert ex.headers["targeturl"] == TARGET
        else:
            assert ex.headers["X-THIRDWATCH-API-KEY"] == CREDS["THIRDWATCH_API_KEY"]
        ids.append(ident)
    return ids


def batch_cmd(case: Case, url: str, tmp_path, *extra: str) -> list[str]:
    return cli("call", case.operation, "--base-url", url, *case.extra,
               "--batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"),
               "--failed", str(tmp_path / "failed.jsonl"),
               "--concurrency", str(CONCURRENCY), *extra)


def batch_env() -> dict[str, str]:
    return {**cli_env(), **CREDS}  # the secrets, in the environment only


@pytest.mark.parametrize("case", [INGRAM, THIRDWATCH], ids=["ingram", "thirdwatch"])
def test_kill_9_midway_then_resume_against_the_mock(tmp_path, case):
    sent = bodies(case)
    lines = [json.dumps(sent[uid(n)]) for n in range(1, N + 1)]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    out, journal = tmp_path / "out.jsonl", tmp_path / "out.jsonl.inflight"

    recorder = Recorder(case, hold_after=K)
    log = io.StringIO()
    app = MockApp(Catalog(), Credentials(CREDS, environ={}, file=False), on_request=recorder)
    with MockServer(app, "127.0.0.1", 0, log=log) as server:
        # run 1: killed while every worker waits for a reply the mock holds back
        proc = subprocess.Popen(batch_cmd(case, server.url, tmp_path), env=batch_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert recorder.all_held.wait(WAIT), "timed out waiting for every worker's call"
            proc.send_signal(signal.SIGKILL)
            proc.wait(WAIT)
        finally:
            proc.kill()
            proc.communicate(timeout=WAIT)
        assert proc.returncode == -signal.SIGKILL
        with recorder.lock:
            recorder.hold_after = None  # run 2 is not held
            held = list(recorder.held)
        recorder.release.set()  # the held replies now go to a dead socket
        first = check_run(case, recorder.take(), sent)
        assert app.tokens_issued == (1 if case.oauth2 else 0)

        # what the killed run left: the K-1 calls answered are recorded, each once; the
        # journal shows exactly the CONCURRENCY calls the mock held as in doubt
        recorded = read_results(out)
        assert len(first) == K - 1 + CONCURRENCY and first[K - 1:] == held
        assert set(recorded) == {line_of(i) for i in first[:K - 1]}
        assert all(recorded.values())
        started = {int(x) for x in journal.read_text().split()}
        doubt = started - set(recorded)
        assert doubt == {line_of(i) for i in held}
        assert len(doubt) == CONCURRENCY

        # run 2: --resume, with the default --in-doubt auto
        res = subprocess.run(batch_cmd(case, server.url, tmp_path, "--resume"), env=batch_env(),
                             capture_output=True, text=True, timeout=60)
        second = check_run(case, recorder.take(), sent)
        assert app.tokens_issued == (2 if case.oauth2 else 0)  # one more, for the new process
    log_text = log.getvalue()

    never_sent = set(range(1, N + 1)) - {line_of(i) for i in first}
    resent = doubt if case.resends else set()
    assert len(second) == len(set(second))
    assert {line_of(i) for i in second} == never_sent | resent
    # every line reached the mock and was accepted; duplicates are exactly the resent lines
    seen = [line_of(i) for i in first + second]
    assert sorted(set(seen)) == list(range(1, N + 1))
    assert {n for n in seen if seen.count(n) > 1} == resent

    recs = [json.loads(x) for x in out.read_text().splitlines()]
    assert sorted(r["line"] for r in recs) == list(range(1, N + 1))  # one result per line
    by_line = {r["line"]: r for r in recs}
    data = None if case.oauth2 else {"status": "OK"}  # Ingram's 200 has no body
    for n in range(1, N + 1):
        if n in doubt and not case.resends:
            assert by_line[n] == {
                "line": n, "ok": False, "status": None, "kind": "in_doubt",
                "error": "sent before an interruption and no result was recorded; not sent "
                         f"again ({case.operation} is not idempotent)"}
        else:
            assert by_line[n] == {"line": n, "ok": True, "status": 200, "attempts": 1,
                                  "data": data}
    failed = (tmp_path / "failed.jsonl").read_text().splitlines()
    assert sorted(failed) == sorted(lines[n - 1] for n in doubt if not case.resends)
    assert not journal.exists()  # the resumed run finished: no call left in flight

    summary = res.stderr.strip().splitlines()[-1]
    if case.resends:
        assert res.returncode == 0, res.stderr
        want = f"batch done: {N} lines, {N - K + 1} ok, 0 failed, {K - 1} already done in "
    else:
        assert res.returncode == 1, res.stderr  # the in-doubt lines count as failures
        want = (f"batch done: {N} lines, {N - K + 1 - CONCURRENCY} ok, 0 failed, "
                f"{CONCURRENCY} in doubt (not resent), {K - 1} already done in ")
    assert summary.startswith(want), res.stderr
    # the server's own log: every line a request accepted (the held calls' lines may still be
    # on their way: their threads were released only after the kill), no secret in it
    verdicts = {f"POST {case.path} -> 200 {case.operation}: ok"}
    if case.oauth2:
        verdicts.add(f"POST /oauth/oauth30/token -> 200 {TOKEN_ENDPOINT}: token issued")
    assert set(log_text.splitlines()) == verdicts
    for secret in CREDS.values():
        assert secret not in log_text
