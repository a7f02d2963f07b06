"""Any response, not only JSON: binary bodies as bytes, streamed bodies, the response's URL,
time, links and request, and form-encoded webhooks decoded."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import socket
import subprocess
import threading

import pytest
import responses
from support.batch_support import cli, cli_env
from support.hostile import HostileServer

import specclient
from specclient.mock.app import binary_example

API = "https://files.example.test/v1"
SERVICE = f"""service: files
environments: {{production: "{API}"}}
auth:
  key: {{type: api_key, in: query, name: api_key, secret: FILES_KEY}}
signing:
  sig:
    type: hmac
    algorithm: sha256
    secret: HOOK_SECRET
    message: "{{raw_body}}"
    encoding: hex
    header: X-Sig
"""
OPS = {
    "logo": """method: GET
path: /logo
auth: key
responses:
  "200": {description: the logo, content_type: image/png,
          schema: {type: string, format: binary}}
""",
    "report": """method: GET
path: /report
auth: key
responses:
  "200": {description: a PDF, content_type: application/pdf}
""",
    "blob": """method: GET
path: /blob
auth: key
responses:
  "200": {description: any bytes}
""",
    "things": """method: GET
path: /things
auth: key
responses:
  "200": {description: ok, schema: {type: array}}
""",
    "hook": """method: POST
path: /hook
auth: none
signing: sig
body:
  content_type: application/x-www-form-urlencoded
  schema:
    type: object
    required: [command]
    properties:
      command: {type: string}
      count: {type: integer}
      tags: {type: array, items: {type: string}}
responses:
  "200": {description: ok}
""",
}
KEY = "files-key-1234567890"
CREDS = {"FILES_KEY": KEY, "HOOK_SECRET": "hook-secret-abcdef"}


@pytest.fixture
def specs(tmp_path):
    folder = tmp_path / "specs" / "files"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE)
    for name, text in OPS.items():
        (folder / "operations" / f"{name}.yaml").write_text(text)
    return tmp_path / "specs"


@pytest.fixture
def client(specs):
    return specclient.Client([specs], credentials=CREDS, include_bundled=False)


PNG = binary_example("image/png")
NOT_UTF8 = bytes(range(256))


@pytest.mark.parametrize("ctype,body", [
    ("image/png", PNG),
    ("application/pdf", b"%PDF-1.4\n\xe2\xe3\xcf\xd3\n"),
    ("application/octet-stream", NOT_UTF8),
    ("application/zip", b"PK\x03\x04\xff\xfe"),
    ("audio/mpeg", b"ID3\x04\x00\xff"),
])
@responses.activate
def test_a_binary_content_type_gives_the_bytes_as_received(client, ctype, body):
    responses.get(f"{API}/blob", body=body, content_type=ctype)
    resp = client.call("files.blob")
    assert resp.data == body and isinstance(resp.data, bytes)


@responses.activate
def test_the_specs_binary_content_type_counts_when_the_server_names_none(client):
    responses.get(f"{API}/logo", body=PNG, content_type=None)
    assert client.call("files.logo").data == PNG


@responses.activate
def test_a_binary_body_passes_strict_validation_of_its_string_schema(client):
    """``type: string, format: binary`` (GitHub's octocat, every file download): the bytes
    are what it declares, though JSON Schema cannot check bytes."""
    responses.get(f"{API}/logo", body=PNG, content_type="image/png")
    assert client.call("files.logo", response_validation="strict").data == PNG


@pytest.mark.parametrize("ctype,body,want", [
    ("text/plain; charset=utf-8", "héllo".encode(), "héllo"),
    ("application/xml", b"<a>1</a>", "<a>1</a>"),
    ("application/octet-stream; charset=utf-8", b"plain", "plain"),
    ("application/vnd.api+json", b'{"a": 1}', {"a": 1}),
    (None, "ünïcode".encode(), "ünïcode"),   # no type: text when it is UTF-8...
    (None, NOT_UTF8, NOT_UTF8),               # ...else the bytes
])
@responses.activate
def test_text_stays_text_and_json_stays_json(client, ctype, body, want):
    responses.get(f"{API}/blob", body=body, content_type=ctype)
    assert client.call("files.blob").data == want


@responses.activate
def test_the_response_knows_its_url_time_links_and_request_with_secrets_hidden(client):
    nxt = f"{API}/things?page=2&api_key={KEY}"
    responses.get(f"{API}/things", json=[1, 2], headers={
        "Link": f'<{nxt}>; rel="next", <{API}/things?page=9>; rel="last"'})
    resp = client.call("files.things")
    assert resp.url == f"{API}/things?api_key=***"
    assert isinstance(resp.elapsed, datetime.timedelta)
    assert resp.links["next"]["url"] == nxt and resp.links["last"]["url"].endswith("page=9")
    view = resp.request
    assert (view.method, view.url, view.body) == ("GET", f"{API}/things?api_key=***", None)
    assert KEY not in repr(view) and view.headers["User-Agent"].startswith("specclient/")


def _two_part_body(first: bytes, second: bytes, gate: threading.Event):
    """Headers and the first part now; the second part only once ``gate`` is set."""
    def behave(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                     % (len(first) + len(second)) + first)
        gate.wait(10)
        conn.sendall(second)
    return behave


def test_a_streamed_body_arrives_part_by_part_without_being_read_whole(client):
    """The server holds back the second half until the caller has the first: a client that
    read the body before returning would wait the full 10 s here, and fail the timing."""
    gate = threading.Event()
    first, second = b"a" * 100_000, b"b" * 50_000
    with HostileServer(_two_part_body(first, second, gate)) as srv:
        client.allow_insecure_http = True
        with client.call("files.blob", base_url=srv.url, stream=True, timeout=5) as resp:
            assert resp.streamed and resp.data is None and resp.status_code == 200
            got = b""
            chunks = resp.iter_bytes(16_384)
            while len(got) < len(first):
                got += next(chunks)
            gate.set()  # only now does the rest come
            got += b"".join(chunks)
    assert got == first + second


def test_a_streamed_body_past_an_explicit_limit_stops(specs):
    c = specclient.Client([specs], credentials=CREDS, include_bundled=False,
                          max_response_bytes=1000, allow_insecure_http=True)
    gate = threading.Event()
    gate.set()
    with HostileServer(_two_part_body(b"x" * 600, b"y" * 600, gate)) as srv:
        resp = c.call("files.blob", base_url=srv.url, stream=True)
        with pytest.raises(specclient.ResponseTooLargeError):
            b"".join(resp.iter_bytes(100))


@responses.activate
def test_stream_with_an_error_status_reads_and_raises_as_usual(client):
    responses.get(f"{API}/blob", status=404, json={"error": "gone"})
    with pytest.raises(specclient.ClientError) as err:
        client.call("files.blob", stream=True)
    assert err.value.status_code == 404 and err.value.data == {"error": "gone"}


def _form_hook(client, body: bytes, secret: str = CREDS["HOOK_SECRET"]):
    sig = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.verify_webhook("files.hook", {"X-Sig": sig}, body)


def test_a_form_encoded_webhook_gives_its_fields_typed_by_the_schema(client):
    body = b"command=%2Fdeploy+now&count=3&tags=a&tags=b&extra="
    assert _form_hook(client, body) == {"command": "/deploy now", "count": 3,
                                        "tags": ["a", "b"], "extra": ""}


def test_a_form_webhook_is_checked_against_its_schema_and_signature(client):
    with pytest.raises(specclient.WebhookBodyError) as err:
        _form_hook(client, b"count=3")
    assert "command" in str(err.value)
    with pytest.raises(specclient.WebhookVerificationError):
        _form_hook(client, b"command=x", secret="wrong-secret-000")


# -- the shell: --output FILE, binary bodies, and the old -o FORMAT


def test_call_output_file_downloads_the_mocks_png(specs, tmp_path):
    target = tmp_path / "logo.png"
    res = subprocess.run(cli("call", "files.logo", "--specs", str(specs), "--mock",
                             "--output", str(target)), env=cli_env(), capture_output=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    assert target.read_bytes() == PNG and not (tmp_path / "logo.png.part").exists()
    assert res.stdout == b""
    assert f"{len(PNG)} bytes written to {target}".encode() in res.stderr


def test_call_output_file_writes_nothing_for_an_error_answer(specs, tmp_path):
    target = tmp_path / "x.png"
    res = subprocess.run(cli("call", "files.logo", "--specs", str(specs),
                             "--base-url", "http://127.0.0.1:9", "--output", str(target),
                             "--timeout", "1"),
                         env={**cli_env(), "FILES_KEY": KEY}, capture_output=True, timeout=60)
    assert res.returncode == 3 and not target.exists()
    assert not (tmp_path / "x.png.part").exists()


def test_a_binary_body_goes_to_a_pipe_as_its_bytes(specs):
    res = subprocess.run(cli("call", "files.report", "--specs", str(specs), "--mock"),
                         env=cli_env(), capture_output=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout == binary_example("application/pdf")


def test_the_old_dash_o_format_still_works_with_a_note(specs):
    res = subprocess.run(cli("call", "files.things", "--specs", str(specs), "--mock", "-o",
                             "json"), env=cli_env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert isinstance(json.loads(res.stdout), list)
    assert "-o json is read as --format json" in res.stderr


def test_the_download_progress_bar_shows_share_and_sizes():
    import io

    from specclient.cli.output import Progress

    out = io.StringIO()
    bar = Progress(out, size=4 * 1024 * 1024)
    bar.advance(1024 * 1024)
    bar.advance(1024 * 1024)
    bar.done()
    last = out.getvalue().rstrip("\n").split("\r")[-1]
    assert last == "[" + "#" * 15 + " " * 15 + "]  50%  2.0 MiB of 4.0 MiB\x1b[K"
    out = io.StringIO()
    unknown = Progress(out, size=None)
    unknown.advance(1500)
    unknown.done()
    assert out.getvalue().rstrip("\n").split("\r")[-1] == "1.5 KiB\x1b[K"
