"""`specclient call` in the shell: request items, --NAME options, output formats, --curl,
exit codes. Wire-level assertions: exact URL, headers and body bytes."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses
import yaml
from support.petstore import write_service

from conftest import CREDS, INGRAM_TOKEN_URL, INGRAM_URL, THIRDWATCH_URL, hub_signature
from specclient.cli import main
from specclient.cli.output import curl_command, render_json, strip_ansi, use_color

PETS = "https://pets.example.com/api/v2"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def creds(monkeypatch):
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("PETSTORE_KEY", "pet-key-secret-987")


@pytest.fixture
def pets(tmp_path):
    write_service(tmp_path)
    return str(tmp_path)


# ---------------------------------------------------------------------- items and options


def test_items_and_param_options_reach_the_wire(capsys, creds, mocked, pets):
    mocked.add(responses.GET, f"{PETS}/owners/ann%20b/pets/7", json={"id": 7, "name": "Rex"})
    code, out, err = run(capsys, "call", "petstore.get_pet", "--specs", pets,
                         "--owner", "ann b", "include==photos", "--pet-id", "7",
                         "include==tags", "verbose==true", "X-Request-Id:r-1", "X-Extra:a=b:c")
    assert code == 0, err
    assert json.loads(out) == {"id": 7, "name": "Rex"}
    req = mocked.calls[0].request
    assert req.url == (f"{PETS}/owners/ann%20b/pets/7?include=photos&include=tags&verbose=true"
                       "&api_key=pet-key-secret-987")
    assert req.headers["X-Request-Id"] == "r-1"
    assert req.headers["X-Extra"] == "a=b:c"
    assert req.body is None


def test_body_items_build_the_exact_body(capsys, creds, mocked, pets):
    mocked.add(responses.POST, f"{PETS}/pets", json={"name": "Rex"}, status=201)
    code, _, err = run(capsys, "call", "petstore.add_pet", "--specs", pets, "name=Rex",
                       "tag=good", "extra.n:=1", "extra.list[]=x")
    assert code == 0, err
    assert mocked.calls[0].request.body == \
        b'{"name":"Rex","tag":"good","extra":{"n":1,"list":["x"]}}'


def test_ingram_with_option_and_field_override_signs_the_new_event_id(capsys, creds, mocked):
    mocked.add(responses.POST, INGRAM_TOKEN_URL, json={"access_token": "tok-1",
                                                       "expires_in": 3600})
    mocked.add(responses.POST, INGRAM_URL, status=200)
    code, _, err = run(capsys, "call", "ingram.order_status_event", "--example",
                       "--targeturl", "https://hooks.example.com/x", "eventId=EVT-42")
    assert code == 0, err
    req = mocked.calls[1].request
    assert req.headers["targeturl"] == "https://hooks.example.com/x"
    assert req.headers["x-hub-signature"] == hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"],
                                                           "EVT-42")
    assert req.headers["Authorization"] == "Bearer tok-1"
    assert json.loads(req.body)["eventId"] == "EVT-42"


def test_explicit_signature_option_is_sent_as_given(capsys, creds):
    code, out, _ = run(capsys, "call", "ingram.order_status_event", "--example",
                       "--targeturl", "https://h.example/x", "--x-hub-signature", "given",
                       "--dry-run")
    assert code == 0
    assert json.loads(out)["headers"]["x-hub-signature"] == "given"


def test_items_may_come_before_and_after_options(capsys, creds):
    code, out, _ = run(capsys, "call", "thirdwatch.order_status", "_userId=u1", "--dry-run",
                       "_orderStatus=_fulfilled")
    assert code == 0
    assert json.loads(out)["body"] == {"_userId": "u1", "_orderStatus": "_fulfilled"}


def test_item_and_parameter_errors_exit_2_naming_them(capsys, creds, mocked, pets):
    cases = [
        (["thirdwatch.order_status", "oops"], "error: item 'oops': not an item"),
        (["thirdwatch.order_status", "a.=1"], "error: item 'a.=1': empty name in field path"),
        (["thirdwatch.order_status", "page==1"],
         "error: item 'page==1': thirdwatch.order_status has no query parameter 'page' "
         "(its query parameters: none)"),
        (["petstore.get_pet", "--specs", pets, "--owner", "a", "--pet-id", "7",
          "X-Request-Id:r", "owner==x"],
         "item 'owner==x': petstore.get_pet has no query parameter 'owner' (it is a path "
         "parameter; use --owner VALUE)"),
        (["petstore.get_pet", "--specs", pets, "--owner", "a", "--pet-id", "seven",
          "X-Request-Id:r"], 'path.petId: "seven" is not of type "integer"'),
        (["thirdwatch.order_status", "n:=[1", "--dry-run"], "error: item 'n:=[1': the value "
                                                            "is not valid JSON"),
    ]
    for argv, message in cases:
        code, _, err = run(capsys, "call", *argv)
        assert code == 2 and message in err, (argv, err)
    assert len(mocked.calls) == 0  # nothing invalid was sent


def test_an_undeclared_option_is_a_usage_error(capsys, creds):
    with pytest.raises(SystemExit) as e:
        main(["call", "thirdwatch.order_status", "--nope", "x"])
    assert e.value.code == 2
    assert "unrecognized arguments: --nope x" in capsys.readouterr().err


def test_fields_on_a_text_body_are_refused(capsys, creds, tmp_path):
    code, _, err = run(capsys, "call", "thirdwatch.order_status", "--body", '"text"', "a=1",
                       "--dry-run")
    assert code == 2 and "_userId" not in err
    assert "error:" in err


# ---------------------------------------------------------------------- output


def test_output_yaml_and_raw(capsys, creds, mocked):
    raw = b'{"status":  "OK",\n "n": [1, 2]}'
    mocked.add(responses.POST, THIRDWATCH_URL, body=raw,
               content_type="application/json")
    code, out, _ = run(capsys, "call", "thirdwatch.order_status", "_userId=u", "-o", "yaml")
    assert code == 0 and yaml.safe_load(out) == {"status": "OK", "n": [1, 2]}
    assert out.startswith("status: OK\n")
    code, out, _ = run(capsys, "call", "thirdwatch.order_status", "_userId=u", "-o", "json")
    assert out == '{"status":"OK","n":[1,2]}\n'  # plain, compact JSON on a pipe


def test_output_raw_writes_the_exact_bytes(creds, tmp_path):
    """-o raw through a real pipe (sys.stdout.buffer), against a loopback server."""
    from support.batch_support import cli, cli_env, write_spec

    spec = write_spec(tmp_path)
    body = b'{"id":  "x" }'

    class H(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    with _serve(H) as url:
        res = subprocess.run(cli("call", "sink.record", "--specs", spec, "--base-url", url,
                                 "id=x", "-o", "raw", "-v"), env=cli_env(),
                             capture_output=True, timeout=30)
    assert res.returncode == 0, res.stderr
    assert res.stdout == body
    assert b"HTTP 201 Created" in res.stderr and b"Content-Type: application/json" in res.stderr


def test_verbose_shows_status_and_headers_on_stderr(capsys, creds, mocked):
    mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"},
               headers={"X-Request-Id": "abc"})
    code, out, err = run(capsys, "call", "thirdwatch.order_status", "_userId=u", "-v")
    assert code == 0
    assert json.loads(out) == {"status": "OK"}
    assert err.startswith("HTTP 200 OK  (thirdwatch.order_status)\n")
    assert "X-Request-Id: abc\n" in err


def test_api_error_status_line_on_stderr_and_body_on_stdout_exit_1(capsys, creds, mocked):
    mocked.add(responses.POST, THIRDWATCH_URL, json={"message": "Invalid key"}, status=403)
    code, out, err = run(capsys, "call", "thirdwatch.order_status", "_userId=u")
    assert code == 1
    assert err == "HTTP 403 Forbidden  (thirdwatch.order_status)\n"
    assert json.loads(out) == {"message": "Invalid key"}  # `| jq` sees it


def test_colour_only_when_asked_or_on_a_terminal_without_no_color(capsys, creds, mocked,
                                                                   monkeypatch):
    value = {"s": "x", "n": 1.5, "b": True, "z": None, "l": [1, {"k": "v"}], "e": {}}
    colored = render_json(value, pretty=True, color=True)
    assert "\x1b[" in colored
    assert strip_ansi(colored) == json.dumps(value, indent=2)
    assert strip_ansi(render_json(value, pretty=False, color=True)) == \
        json.dumps(value, separators=(",", ":"))

    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert use_color(Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(Tty()) is False
    assert use_color(Tty(), "always") is True
    monkeypatch.delenv("NO_COLOR")
    assert use_color(Tty(), "never") is False
    mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
    code, out, _ = run(capsys, "call", "thirdwatch.order_status", "_userId=u",
                       "--color", "always")
    assert "\x1b[" in out and json.loads(strip_ansi(out)) == {"status": "OK"}


# ---------------------------------------------------------------------- curl


def test_curl_redacts_secrets_unless_asked(capsys, creds):
    code, out, _ = run(capsys, "call", "thirdwatch.order_status", "_userId=u'1", "--curl")
    assert code == 0
    assert out == ("curl --request POST https://api.thirdwatch.ai/event/v1/order_status "
                   "--header 'User-Agent: specclient/0.1.0' --header 'Accept: application/json' "
                   "--header 'Content-Type: application/json' "
                   "--header 'X-THIRDWATCH-API-KEY: ***' "
                   "--data-binary '{\"_userId\":\"u'\"'\"'1\"}'\n")
    code, out, _ = run(capsys, "call", "thirdwatch.order_status", "_userId=u", "--curl",
                       "--show-secrets")
    assert f"--header 'X-THIRDWATCH-API-KEY: {CREDS['THIRDWATCH_API_KEY']}'" in out


def test_curl_oauth_token_hidden_and_not_fetched(capsys, creds, mocked):
    code, out, _ = run(capsys, "call", "ingram.order_status_event", "--example",
                       "--targeturl", "https://h.example/x", "--curl")
    assert code == 0 and "'Authorization: Bearer ***'" in out
    assert len(mocked.calls) == 0
    for secret in CREDS.values():
        assert secret not in out


class _Capture(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen.append((self.command, self.path, dict(self.headers.items()), body))
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *a):
        pass


class _serve:
    def __init__(self, handler):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("body_item", ["name=Rex é ünï 'q' $HOME `x` \\n",
                                       'name:="tab\\there\\u0000nul"'])
def test_curl_command_sends_the_same_request_as_specclient(capsys, creds, pets, body_item):
    _Capture.seen = []
    with _serve(_Capture) as url:
        argv = ["call", "petstore.add_pet", "--specs", pets, "--base-url", url, body_item]
        code, _, err = run(capsys, *argv)
        assert code == 0, err
        code, cmd, _ = run(capsys, *argv, "--curl", "--show-secrets")
        assert code == 0
        subprocess.run(["sh", "-c", cmd.strip() + " --silent --output /dev/null"], check=True,
                       timeout=30)
    (m1, p1, h1, b1), (m2, p2, h2, b2) = _Capture.seen
    assert (m1, p1, b1) == (m2, p2, b2)
    assert p1 == "/pets?api_key=pet-key-secret-987"
    for name in ("User-Agent", "Content-Type", "Accept"):
        assert h1.get(name) == h2.get(name), name


def test_curl_of_binary_bodies_is_exact(tmp_path):
    from specclient.request import PreparedRequest

    body = bytes(range(256))
    req = PreparedRequest("x.y", "POST", "http://127.0.0.1:1", "/p", [], _headers(), body)
    cmd = curl_command(req)
    assert cmd.startswith("printf '%b' ") and "--data-binary @-" in cmd
    printf = cmd.split(" | ")[0]
    assert subprocess.run(["sh", "-c", printf], capture_output=True).stdout == body


def test_curl_of_a_body_starting_with_at_is_not_read_as_a_file():
    from specclient.request import PreparedRequest

    req = PreparedRequest("x.y", "POST", "http://127.0.0.1:1", "/p", [], _headers(), b"@/etc/x")
    cmd = curl_command(req)
    assert cmd.startswith("printf '%s' @/etc/x | curl ") and cmd.endswith("--data-binary @-")
    assert subprocess.run(["sh", "-c", cmd.split(" | ")[0]],
                          capture_output=True).stdout == b"@/etc/x"


def _headers():
    from requests.structures import CaseInsensitiveDict

    return CaseInsensitiveDict({"Content-Type": "application/octet-stream"})


# ---------------------------------------------------------------------- exit codes


def test_transport_error_exits_3(capsys, creds, pets):
    with socket.socket() as s:  # a port that was just free: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = run(capsys, "call", "petstore.add_pet", "--specs", pets, "name=x",
                       "--base-url", f"http://127.0.0.1:{port}", "--timeout", "2")
    assert code == 3
    assert err.startswith("error: ") and "pet-key-secret-987" not in err


def test_exit_codes_are_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["call", "--help"])
    out = capsys.readouterr().out
    for line in ("0  success", "1  the API answered with an error (4xx/5xx)",
                 "2  usage, spec or validation error", "3  transport error",
                 "field:=json", "Header:value", "name==value"):
        assert line in out


def test_help_after_a_name_lists_its_parameters_as_options(capsys):
    with pytest.raises(SystemExit) as e:
        main(["call", "ingram.order_status_event", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "parameters of ingram.order_status_event:" in out
    assert "--targeturl TARGETURL" in out and "--x-hub-signature X_HUB_SIGNATURE" in out


def test_credentials_typed_as_header_items_are_hidden_in_dry_runs_and_curl(capsys, creds):
    argv = ["call", "thirdwatch.order_status", "_userId=u", "Authorization:Bearer typed-tok-1",
            "X-Other-Api-Key:typed-key-2", "X-Plain:visible"]
    code, out, _ = run(capsys, *argv, "--dry-run")
    headers = json.loads(out)["headers"]
    assert headers["Authorization"] == "***"
    assert headers["X-Other-Api-Key"] == "***" and headers["X-Plain"] == "visible"
    code, out, _ = run(capsys, *argv, "--curl")
    assert "typed-tok-1" not in out and "typed-key-2" not in out and "X-Plain: visible" in out


# ---------------------------------------------------------------------- --example made up


def _no_examples_service(root) -> str:
    svc = root / "noex"
    (svc / "operations").mkdir(parents=True)
    (svc / "service.yaml").write_text("environments: {main: 'https://noex.example.com'}\n")
    (svc / "operations" / "create.yaml").write_text(yaml.safe_dump({
        "method": "POST", "path": "/shops/{shop}/items",
        "parameters": {
            "shop": {"in": "path", "required": True,
                     "schema": {"type": "string", "minLength": 5}},
            "limit": {"in": "query", "required": True,
                      "schema": {"type": "integer", "minimum": 10, "multipleOf": 5}},
            "verbose": {"in": "query", "schema": {"type": "boolean"}},
        },
        "body": {"content_type": "application/json", "required": True, "schema": {
            "type": "object", "required": ["name", "tags"], "additionalProperties": False,
            "properties": {"name": {"type": "string", "maxLength": 4},
                           "tags": {"type": "array", "minItems": 2,
                                    "items": {"enum": ["a", "b", "c"]}},
                           "size": {"type": "number", "exclusiveMinimum": 1}}}},
    }))
    (svc / "operations" / "lookup.yaml").write_text(yaml.safe_dump({
        "method": "GET", "path": "/lookup",
        "body": {"content_type": "application/x-www-form-urlencoded", "required": False,
                 "schema": {"type": "object", "additionalProperties": False,
                            "properties": {}}},
    }))
    return str(root)


def test_example_makes_up_what_the_spec_does_not_declare(capsys, tmp_path):
    """--example on an operation with no examples: the body and each required parameter are
    made up from their schemas, valid (the request passes validation and is shown); optional
    parameters are left out, and an optional body with nothing in it is not sent."""
    specs = _no_examples_service(tmp_path)
    code, out, err = run(capsys, "call", "noex.create", "--specs", specs,
                         "--example", "--dry-run")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["url"] == "https://noex.example.com/shops/string/items?limit=10"
    assert shown["body"] == {"name": "stri", "tags": ["a", "a"], "size": 2}
    code, out, err = run(capsys, "call", "noex.lookup", "--specs", specs,
                         "--example", "--dry-run")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["body"] is None and "Content-Type" not in shown["headers"]
