"""The mock as a real HTTP server on 127.0.0.1: `specclient call --base-url` against it (token
included), raw requests on the socket, the verdict log, and `specclient mock` as a process."""

from __future__ import annotations

import io
import json
import os
import queue
import signal
import subprocess
import sys
import threading

import pytest
import requests

import specclient
from conftest import CREDS, REPO, hub_signature, sigint_default
from specclient.cli import main
from specclient.credentials import Credentials
from specclient.mock import MockApp, MockServer
from specclient.spec.catalog import Catalog

TARGET = "https://hooks.example.com/ingram/order-status"
WEBHOOK_PATH = "/resellers/v1/webhooks/orderstatusevent"


@pytest.fixture
def server():
    log = io.StringIO()
    app = MockApp(Catalog(), Credentials(CREDS, environ={}, file=False))
    with MockServer(app, "127.0.0.1", 0, log=log) as srv:
        srv.log = log
        yield srv


def log_lines(server):
    return server.log.getvalue().splitlines()


@pytest.fixture
def sender_env(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no credentials file of yours
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)


def test_server_listens_on_loopback_and_a_free_port(server):
    assert server.url.startswith("http://127.0.0.1:")
    assert server.port > 0


def test_cli_call_round_trip_with_token(server, sender_env, capsys):
    code = main(["call", "ingram.order_status_event", "--example", "--param",
                 f"targeturl={TARGET}", "--base-url", server.url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == "HTTP 200 OK  (ingram.order_status_event)\n"
    code = main(["call", "thirdwatch.order_status", "--example", "--base-url", server.url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) == {"status": "OK"}
    assert log_lines(server) == [
        "POST /oauth/oauth30/token -> 200 ingram.oauth2 token endpoint: token issued",
        f"POST {WEBHOOK_PATH} -> 200 ingram.order_status_event: ok",
        "POST /v1/order_status -> 200 thirdwatch.order_status: ok",
    ]
    text = server.log.getvalue()
    for secret in CREDS.values():
        assert secret not in text


def test_cli_call_with_wrong_webhook_secret_is_refused(server, sender_env, monkeypatch,
                                                       capsys):
    monkeypatch.setenv("INGRAM_WEBHOOK_SECRET", "not-the-shared-secret")
    code = main(["call", "ingram.order_status_event", "--example", "--param",
                 f"targeturl={TARGET}", "--base-url", server.url])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("HTTP 401 Unauthorized  (ingram.order_status_event")
    assert '"error":"invalid_signature"' in out  # the body on stdout, for `| jq`
    refusals = [line for line in log_lines(server) if " -> 401 " in line]
    assert refusals and all(line.startswith(
        f"POST {WEBHOOK_PATH} -> 401 ingram.order_status_event: signature 'hub_signature' "
        "(x-hub-signature): ") for line in refusals)


def test_python_client_against_server_fetches_one_token(server, ingram_example):
    client = specclient.Client(credentials=CREDS, base_url=server.url)
    for i in range(4):
        ingram_example["eventId"] = f"EV-{i}"
        assert client.call("ingram.order_status_event", body=ingram_example,
                           targeturl=TARGET).status_code == 200
    lines = log_lines(server)
    assert lines.count("POST /oauth/oauth30/token -> 200 ingram.oauth2 token endpoint: "
                       "token issued") == 1
    assert server.app.tokens_issued == 1
    assert len(lines) == 5


def test_raw_requests_on_the_socket(server, ingram_example):
    """What curl would do: no specclient on the sending side."""
    r = requests.post(f"{server.url}/v1/order_status", json={"_userId": "u1"}, timeout=5)
    assert r.status_code == 401
    assert r.json()["message"] == "api_key: missing API key (header 'X-THIRDWATCH-API-KEY')"
    r = requests.post(f"{server.url}/v1/order_status", json={"_userId": ["not", "a string"]},
                      headers={"X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]}, timeout=5)
    assert r.status_code == 422
    assert r.json()["violations"] == [
        {"path": "body._userId", "message": "['not', 'a string'] is not of type 'string'"}]
    tok = requests.post(f"{server.url}/oauth/oauth30/token",
                        data={"grant_type": "client_credentials",
                              "client_id": CREDS["INGRAM_CLIENT_ID"],
                              "client_secret": CREDS["INGRAM_CLIENT_SECRET"]}, timeout=5)
    token = tok.json()["access_token"]
    body = json.dumps(ingram_example).encode()
    r = requests.post(server.url + WEBHOOK_PATH, data=body, timeout=5, headers={
        "Content-Type": "application/json", "targeturl": TARGET,
        "Authorization": f"Bearer {token}",
        "x-hub-signature": hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"],
                                         ingram_example["eventId"])})
    assert r.status_code == 200 and r.content == b""
    r = requests.get(f"{server.url}/nowhere", timeout=5)
    assert r.status_code == 404
    assert log_lines(server) == [
        "POST /v1/order_status -> 401 thirdwatch.order_status: api_key: missing API key "
        "(header 'X-THIRDWATCH-API-KEY')",
        "POST /v1/order_status -> 422 thirdwatch.order_status: 1 violation: body._userId: "
        "['not', 'a string'] is not of type 'string'",
        "POST /oauth/oauth30/token -> 200 ingram.oauth2 token endpoint: token issued",
        f"POST {WEBHOOK_PATH} -> 200 ingram.order_status_event: ok",
        "GET /nowhere -> 404 (no operation): no operation at /nowhere",
    ]


def test_chunked_request_body(server):
    def chunks():
        yield b'{"_userId":'
        yield b' "u1"}'

    r = requests.post(f"{server.url}/v1/order_status", data=chunks(), timeout=5,
                      headers={"Content-Type": "application/json",
                               "X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]})
    assert r.status_code == 200 and r.json() == {"status": "OK"}


def _read_line(stream, timeout):
    """One line from a pipe, or None after ``timeout`` seconds."""
    q: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: q.put(stream.readline()), daemon=True).start()
    try:
        return q.get(timeout=timeout)
    except queue.Empty:
        return None


def test_specclient_mock_command_serves_and_stops_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SPECCLIENT", "INGRAM_", "THIRDWATCH_"))}
    env["PYTHONPATH"] = str(REPO)
    env["XDG_CONFIG_HOME"] = str(tmp_path)  # no credentials file: nothing is configured
    proc = subprocess.Popen([sys.executable, "-m", "specclient", "mock", "--port", "0"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=sigint_default)
    try:
        line = _read_line(proc.stdout, timeout=20)
        assert line and line.startswith("specclient mock listening on http://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[1].strip()
        # no secrets configured on the server: a key need only be present
        r = requests.post(f"{url}/v1/order_status", json={"_userId": "u1"}, timeout=5,
                          headers={"X-THIRDWATCH-API-KEY": "any"})
        assert r.status_code == 200
        # and the webhook is verified with the demo secret, as `--mock` signs it
        client = specclient.Client(mock=False, base_url=url,
                                   credentials={"INGRAM_CLIENT_ID": "a",
                                                "INGRAM_CLIENT_SECRET": "b",
                                                "INGRAM_WEBHOOK_SECRET":
                                                    "demo-ingram-webhook-secret"})
        event = client.operation("ingram.order_status_event").body.example
        assert client.call("ingram.order_status_event", body=event,
                           targeturl=TARGET).status_code == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)
    assert proc.returncode == 0, err
    lines = err.splitlines()
    assert "  POST   /v1/order_status  thirdwatch.order_status" in lines
    assert "  POST   /oauth/oauth30/token  ingram.oauth2 token endpoint" in lines
    assert "POST /v1/order_status -> 200 thirdwatch.order_status: ok" in lines
    assert f"POST {WEBHOOK_PATH} -> 200 ingram.order_status_event: ok" in lines
    assert lines[-1] == "stopped"


def test_readme_main_job_is_a_round_trip_against_the_mock(tmp_path):
    """examples/main-job.sh, as the README runs it; any real request would hit a dead proxy."""
    bindir = os.path.dirname(sys.executable)
    if not os.path.exists(os.path.join(bindir, "specclient")):
        pytest.skip("the specclient command is not installed next to this Python")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SPECCLIENT", "INGRAM_", "THIRDWATCH_"))}
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    env.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="")
    out = subprocess.run(["sh", str(REPO / "examples" / "main-job.sh")], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert '{"status":"OK"}' in out.stdout
    assert "HTTP 200 OK  (ingram.order_status_event)" in out.stderr
    assert "HTTP 401 Unauthorized  (ingram.order_status_event" in out.stdout  # the forgery, refused
    assert '"error":"invalid_signature"' in out.stdout
    assert out.stdout.rstrip().endswith("== done: both operations answered, the forgery refused")


def test_specclient_mock_reports_a_port_in_use(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code = main(["mock", "--port", str(port)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")


def _raw_exchange(server, request: bytes) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out


@pytest.mark.parametrize("headers", [
    b"Content-Length: 99999999999\r\n",                 # would allocate ~100 GB
    b"Content-Length: -5\r\n",
    b"Transfer-Encoding: chunked\r\n",                  # then a chunk size that is not hex
])
def test_bad_or_huge_request_body_is_refused_not_a_crash(server, headers):
    reply = _raw_exchange(server, b"POST /v1/order_status HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Type: application/json\r\n" + headers + b"\r\nzz\r\n{}")
    status = reply.split(b"\r\n", 1)[0]
    assert status.split()[1] in (b"400", b"413"), reply[:200]
