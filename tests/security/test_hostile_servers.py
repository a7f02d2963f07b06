"""Servers are untrusted: a huge body, a gzip bomb, a body or headers dripped a byte at a time,
a deep JSON error body. Each costs a bounded amount of memory and time and ends in a typed
error; peak memory is measured in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from support.hostile import (
    HostileServer,
    chunked_forever,
    drip_body,
    drip_headers,
    gzip_bomb,
    huge_body,
)

import specclient

pytestmark = pytest.mark.slow  # real sockets and subprocesses: left out by -m "not slow"

KEY = {"THIRDWATCH_API_KEY": "tw-key-0123456789"}
OP = "thirdwatch.order_status"
BODY = {"_userId": "u1"}
MiB = 1024 * 1024


def _client(**kw):
    return specclient.Client(credentials=KEY, **kw)


@pytest.mark.parametrize("behaviour", [huge_body(200 * MiB), chunked_forever(),
                                       gzip_bomb(512 * MiB)],
                         ids=["200MB", "chunked-forever", "gzip-bomb-512MB"])
def test_a_body_past_the_limit_stops_with_a_typed_error(behaviour):
    with HostileServer(behaviour) as srv:
        client = _client(base_url=srv.url, max_response_bytes=4 * MiB, timeout=10)
        started = time.monotonic()
        with pytest.raises(specclient.ResponseTooLargeError) as info:
            client.call(OP, BODY)
    assert info.value.limit == 4 * MiB
    assert "larger than 4,194,304 bytes (decoded)" in str(info.value)
    assert "tw-key-0123456789" not in str(info.value)
    assert time.monotonic() - started < 5


def test_the_limit_is_an_operation_setting_too(tmp_path):
    svc = tmp_path / "tiny"
    (svc / "operations").mkdir(parents=True)
    (svc / "service.yaml").write_text(
        "environments: {local: 'http://127.0.0.1:9'}\n"
        "defaults: {max_response_bytes: 2048}\n")
    (svc / "operations" / "get.yaml").write_text("method: GET\npath: /x\n")
    (svc / "operations" / "big.yaml").write_text("method: GET\npath: /y\n"
                                                 "max_response_bytes: 100000\n")
    with HostileServer(huge_body(50_000)) as srv:
        client = specclient.Client([tmp_path], include_bundled=False, base_url=srv.url)
        with pytest.raises(specclient.ResponseTooLargeError) as info:
            client.call("tiny.get")
        assert info.value.limit == 2048  # the service's default
        assert len(client.call("tiny.big").http.content) == 50_000  # the operation's own
        # the client's setting wins over both
        small = specclient.Client([tmp_path], include_bundled=False, base_url=srv.url,
                                  max_response_bytes=1000)
        with pytest.raises(specclient.ResponseTooLargeError):
            small.call("tiny.big")


def test_a_body_within_the_limit_is_whole_and_decoded():
    with HostileServer(gzip_bomb(2 * MiB)) as srv:
        with pytest.raises(specclient.ResponseDecodeError) as info:  # zeros are not JSON
            _client(base_url=srv.url, max_response_bytes=3 * MiB).call(OP, BODY)
    assert "2097152 bytes" in str(info.value)  # read whole, inflated


def test_a_bad_limit_is_refused():
    for bad in (0, -1, 1.5, True, "10"):
        with pytest.raises(ValueError, match="max_response_bytes"):
            specclient.Client(max_response_bytes=bad)


PEAK = textwrap.dedent("""
    import json, resource, sys
    sys.path[:0] = {paths!r}
    from support.hostile import HostileServer, gzip_bomb, huge_body
    import specclient
    behaviour = {behaviour}
    with HostileServer(behaviour) as srv:
        client = specclient.Client(credentials={{"THIRDWATCH_API_KEY": "k" * 16}},
                                   base_url=srv.url, timeout=20, {limit})
        client.prepare("thirdwatch.order_status", {{"_userId": "u"}})  # loaded and warm
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            client.call("thirdwatch.order_status", {{"_userId": "u"}})
            outcome = "read"
        except specclient.ResponseTooLargeError:
            outcome = "refused"
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({{"grew_mib": (after - before) / 1024, "outcome": outcome}}))
""")


def _peak(behaviour: str, limit: str) -> dict:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = PEAK.format(paths=[here], behaviour=behaviour, limit=limit)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("behaviour", ["huge_body(200 * 1024 * 1024)",
                                       "gzip_bomb(512 * 1024 * 1024)"],
                         ids=["200MB", "gzip-bomb-512MB"])
def test_peak_memory_stays_near_the_limit(behaviour):
    """In a fresh process, after a warm-up (the spec loaded, a request prepared), the growth
    of the peak RSS over the hostile call is what the body cost."""
    limited = _peak(behaviour, "max_response_bytes=8 * 1024 * 1024")
    assert limited["outcome"] == "refused"
    assert limited["grew_mib"] < 8 + 24, limited
    default = _peak(behaviour, "")
    assert default["outcome"] == "refused"
    assert default["grew_mib"] < 64 + 48, default  # the 64 MiB default, not 200 or 512


def test_a_dripped_body_is_cut_off_at_the_total_deadline():
    with HostileServer(drip_body(40, every=0.5)) as srv:
        client = _client(base_url=srv.url, timeout=(1, 1), retries={"total_timeout": 3})
        started = time.monotonic()
        with pytest.raises(specclient.TimeoutError) as info:
            client.call(OP, BODY)
        took = time.monotonic() - started
    assert took < 4.0, took  # was 14.5 s (and 20 s for this body)
    assert "total deadline" in str(info.value)


@pytest.mark.parametrize("every", [0.2, 0.5])
def test_dripped_headers_are_cut_off_at_the_total_deadline(every):
    with HostileServer(drip_headers(every=every, count=200)) as srv:
        client = _client(base_url=srv.url, timeout=(1, 1), retries={"total_timeout": 3})
        started = time.monotonic()
        with pytest.raises(specclient.TimeoutError) as info:
            client.call(OP, BODY)
        took = time.monotonic() - started
    assert took < 4.0, took
    assert "total deadline" in str(info.value)


def test_the_watchdog_leaves_no_thread_behind():
    import threading

    from specclient.transport.watchdog import WATCHDOG

    with HostileServer(drip_body(2, every=0.05)) as srv:
        _client(base_url=srv.url, response_validation="off").call(OP, BODY,
                                                                  raise_for_status=False)
    time.sleep(WATCHDOG.POLL * 3)
    assert not [t for t in threading.enumerate() if t.name == "specclient-deadline"]


def test_no_attempt_starts_after_the_deadline():
    """A retry never begins once the deadline has passed (the drip used it all up)."""
    with HostileServer(drip_body(40, every=0.5)) as srv:
        client = _client(base_url=srv.url, timeout=(1, 1),
                         retries={"total_timeout": 2, "attempts": 5, "backoff": 0})
        with pytest.raises(specclient.TimeoutError):
            client.call("thirdwatch.order_status", BODY)
        assert len(srv.requests) == 1


def test_a_deep_json_error_body_is_a_client_error_not_a_crash():
    body = b"[" * 5000 + b"]" * 5000

    def behave(conn):
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

    with HostileServer(behave) as srv:
        with pytest.raises(specclient.ClientError) as info:
            _client(base_url=srv.url).call(OP, BODY)
    assert info.value.status_code == 400


def test_the_cli_sets_the_limit_and_exits_3_without_a_traceback(capsys, monkeypatch):
    from specclient.cli import main

    monkeypatch.setenv("THIRDWATCH_API_KEY", KEY["THIRDWATCH_API_KEY"])
    with HostileServer(huge_body(50_000)) as srv:
        code = main(["call", OP, "_userId=u", "--base-url", srv.url,
                     "--max-response-bytes", "1000"])
    err = capsys.readouterr().err
    assert code == 3
    assert "larger than 1,000 bytes (decoded)" in err and "Traceback" not in err
    assert "--max-response-bytes" in err
    assert main(["call", OP, "_userId=u", "--max-response-bytes", "0"]) == 2
