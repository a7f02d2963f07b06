"""One canary secret through every exit, against a server that echoes what it got.

The server answers each request by echoing its credentials back in the way the query asks:
in response headers, inside a JSON body that breaks the declared schema, as a non-JSON body
whose excerpt would cut the key in half, in an error body nested 900 levels deep. Every exit
is searched for the canary's first six characters (a cut secret still shows them): exception
messages and reprs, log records and warnings, dry runs, ``--curl``, ``-v``, the batch result
files, the mock's log and SpecMock's repr.
"""

from __future__ import annotations

import base64
import json
import logging
import pathlib

import pytest
from support.auth_support import LoopbackServer, Seen
from support.schemes import make_specs

import specclient
from specclient.cli import main
from specclient.mock import MockApp, MockReply, format_verdict
from specclient.redaction import Redactor

pytestmark = pytest.mark.slow  # left out by `pytest -m "not slow"`

MARK = "CANARY"
CREDS = {name: f"{MARK}-s3cr3t-7f9a-{name}" for name in
         ["KEY", "TOKEN", "USER", "PASS", "CID", "CSECRET", "SIGNKEY"]}


def leaks(text: str) -> list[str]:
    """The forms of the canary found in ``text``: the mark itself, and base64 of a basic
    header (which holds no readable mark)."""
    found = [MARK] if MARK in text else []
    for user, password in (("USER", "PASS"), ("CID", "CSECRET")):
        b64 = base64.b64encode(f"{CREDS[user]}:{CREDS[password]}".encode()).decode()
        if b64[:12] in text:
            found.append(b64[:12])
    return found


def echo(req: Seen) -> tuple[int, dict[str, str], bytes]:
    """The hostile server: echo every credential the way ``?q=`` asks."""
    got = {k: v for k, v in req.headers.items()
           if k.lower() in ("authorization", "x-api-key", "x-signature")}
    query = req.path.partition("?")[2]
    said = " ".join([*got.values(), query])
    mode = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("q", "")
    headers = {f"X-Echo-{k}": v for k, v in got.items()} | {"X-Echo-Query": query}
    if mode == "schema":  # 200, but a JSON string where an object is declared
        return 200, {**headers, "Content-Type": "application/json"}, json.dumps(said).encode()
    if mode == "notjson":  # the credential starts just before the excerpt's cut
        return 200, {**headers, "Content-Type": "application/json"}, \
            b"<" * 70 + said.encode()
    if mode == "deep":  # a 400 nested 900 deep, the credential at the bottom
        return 400, {**headers, "Content-Type": "application/json"}, \
            ("[" * 900 + json.dumps(said) + "]" * 900).encode()
    return 401, {**headers, "Content-Type": "application/json"}, \
        json.dumps({"error": "bad credentials", "got": said}).encode()


@pytest.fixture
def server(tmp_path):
    with LoopbackServer() as srv:
        srv.routes[("GET", "/v1/things")] = echo
        srv.routes[("POST", "/v1/things")] = echo
        srv.routes[("POST", "/token")] = lambda req: (
            200, {"Content-Type": "application/json"},
            json.dumps({"access_token": f"{MARK}-s3cr3t-7f9a-ACCESS",
                        "expires_in": 3600}).encode())
        srv.specs = make_specs(tmp_path / "specs", token_url=srv.url + "/token",
                               api=srv.url + "/v1")
        yield srv


OPS = ["key_header", "key_query", "bearer", "basic", "key_and_basic", "oauth_body",
       "oauth_basic", "oauth_signed"]


def _client(server, **kw):
    return specclient.Client([server.specs], credentials=CREDS, include_bundled=False, **kw)


def _body(name):
    return {"a": 1} if name == "oauth_signed" else specclient.prepare.binding.MISSING


def _exc_texts(exc: BaseException) -> str:
    return "\n".join([str(exc), repr(exc), repr(exc.args)])


@pytest.mark.parametrize("name", OPS)
def test_the_server_really_echoes_the_secret(server, name):
    """The exits below are clean because they redact, not because nothing came back."""
    client = _client(server)
    resp = client.call(f"schemes.{name}", _body(name), q="schema",
                       response_validation="off")
    assert leaks(json.dumps(resp.data)) and leaks(json.dumps(dict(resp.headers)))


@pytest.mark.parametrize("name", OPS)
def test_response_headers_and_data_shown_redacted(server, name):
    client = _client(server)
    resp = client.call(f"schemes.{name}", _body(name), q="schema",
                       response_validation="off")
    assert leaks(json.dumps(resp.redacted_headers())) == []
    assert leaks(json.dumps(resp.redacted_data())) == []
    assert "***" in json.dumps(resp.redacted_headers())
    assert leaks(repr(resp) + repr(resp.redactor)) == []


@pytest.mark.parametrize("name", OPS)
def test_strict_response_validation_error_hides_the_echoed_key(server, name):
    client = _client(server, response_validation="strict")
    with pytest.raises(specclient.ValidationError) as info:
        client.call(f"schemes.{name}", _body(name), q="schema")
    assert "is not of type 'object'" in str(info.value)
    assert leaks(_exc_texts(info.value)) == []


@pytest.mark.parametrize("name", OPS)
def test_response_validation_warning_hides_the_echoed_key(server, name, caplog):
    client = _client(server, response_validation="warn")
    with caplog.at_level(logging.WARNING, logger="specclient"):
        client.call(f"schemes.{name}", _body(name), q="schema")
    warnings = [r.getMessage() for r in caplog.records if r.name == "specclient"]
    assert warnings and "is not of type 'object'" in warnings[0]
    assert leaks("\n".join(warnings)) == []


@pytest.mark.parametrize("name", OPS)
def test_decode_error_excerpt_is_redacted_before_it_is_cut(server, name):
    client = _client(server)
    with pytest.raises(specclient.ResponseDecodeError) as info:
        client.call(f"schemes.{name}", _body(name), q="notjson")
    text = _exc_texts(info.value)
    assert "body starts with b'<<<<" in text
    assert leaks(text) == []


@pytest.mark.parametrize("name", OPS)
def test_a_900_deep_error_body_is_scrubbed_without_crashing(server, name):
    client = _client(server)
    with pytest.raises(specclient.ClientError) as info:
        client.call(f"schemes.{name}", _body(name), q="deep")
    assert info.value.status_code == 400
    assert leaks(_exc_texts(info.value)) == []
    resp = client.call(f"schemes.{name}", _body(name), q="deep", raise_for_status=False)
    assert leaks(json.dumps(resp.data)) == []


@pytest.mark.parametrize("name", OPS)
def test_error_bodies_echoing_the_key_are_scrubbed(server, name):
    client = _client(server)
    with pytest.raises(specclient.ClientError) as info:
        client.call(f"schemes.{name}", _body(name), q="echo")
    assert info.value.status_code == 401
    assert leaks(_exc_texts(info.value)) == []
    assert leaks(json.dumps(info.value.data)) == []


def _cli(capsys, monkeypatch, server, *argv):
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)
    code = main([*argv, "--specs", str(server.specs)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["key_header", "key_query", "basic", "oauth_body"])
def test_cli_verbose_shows_request_and_response_headers_redacted(server, name, capsys,
                                                                  monkeypatch):
    code, out, err = _cli(capsys, monkeypatch, server, "call", f"schemes.{name}", "q==schema",
                          "-v")
    assert code == 0
    assert "X-Echo-" in err and "> GET " in err  # both sides shown...
    assert leaks(out + err) == []  # ...with every secret as ***
    assert "***" in err


@pytest.mark.parametrize("flag", ["--dry-run", "--curl"])
def test_cli_dry_run_and_curl_hide_a_credential_given_as_a_header(server, flag, capsys,
                                                                   monkeypatch):
    code, out, err = _cli(capsys, monkeypatch, server, "call", "schemes.none",
                          f"Authorization:Bearer {CREDS['TOKEN']}",
                          f"X-Api-Key:{CREDS['KEY']}", flag)
    assert code == 0
    assert "Authorization" in out and "X-Api-Key" in out
    assert leaks(out + err) == []


def test_prepare_hides_a_credential_passed_as_an_extra_header(server):
    client = _client(server)
    req = client.prepare("schemes.none", extra_headers={"X-Auth-Token": CREDS["TOKEN"]})
    assert req.headers["X-Auth-Token"] == CREDS["TOKEN"]  # sent as given...
    assert leaks(json.dumps(req.redacted()) + repr(req)) == []  # ...never shown


def test_batch_result_files_hold_no_secret(server, tmp_path, capsys, monkeypatch):
    lines = tmp_path / "lines.jsonl"
    lines.write_text("\n".join(json.dumps({"params": {"q": q}})
                               for q in ("schema", "echo", "notjson", "deep")) + "\n")
    out, failed = tmp_path / "out.jsonl", tmp_path / "failed.jsonl"
    code, stdout, stderr = _cli(capsys, monkeypatch, server, "call", "schemes.key_query",
                                "--batch", str(lines), "--lines", "call", "--out", str(out),
                                "--failed", str(failed))
    assert code == 1  # three lines failed
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["ok"] for r in results) == [False, False, False, True]
    assert leaks(out.read_text() + failed.read_text() + stdout + stderr) == []


def test_mock_log_hides_query_keys_and_escapes_control_characters():
    reply = MockReply(200, b"", {}, "thirdwatch.order_status", "ok")
    line = format_verdict("GET\x07", f"/v1/\x1b[2J\r\n?api_key={CREDS['KEY']}&q=\x1b[31m",
                          reply, {"api_key"})
    assert leaks(line) == []
    assert "\x1b" not in line and "\r" not in line and "\n" not in line and "\x07" not in line
    assert line.startswith("GET\\x07 /v1/\\x1b[2J?api_key=***&q=%1B%5B31m -> 200")


def test_mock_log_hides_the_key_the_client_sent(tmp_path, caplog, server):
    app = MockApp(specclient.Client([server.specs], include_bundled=False).catalog,
                  specclient.credentials.Credentials(CREDS))
    with caplog.at_level(logging.INFO):
        app.respond("GET", f"{server.url}/v1/things?q=x&api_key={CREDS['KEY']}", {}, b"")
    assert any("api_key=***" in r.getMessage() for r in caplog.records)
    assert leaks("\n".join(r.getMessage() for r in caplog.records)) == []


def test_redactor_never_leaves_part_of_a_secret_at_a_cut():
    secret = CREDS["KEY"]
    r = Redactor([secret])
    for start in range(60, 81):
        raw = (b"a" * start + secret.encode())
        assert MARK not in r.excerpt(raw, 80), start
        assert MARK not in r.excerpt(raw.decode(), 80), start
    assert r.excerpt(b"plain\x00body") == "b'plain\\x00body'"


def test_redactor_hides_url_encoded_forms_and_keys():
    secret = "p@ss w/rd+&=1"
    r = Redactor([secret], headers=["X-Token"], query=["key"])
    from urllib.parse import quote, quote_plus

    for form in (secret, quote(secret, safe=""), quote_plus(secret)):
        assert r.text(f"x {form} y") == "x *** y"
    assert r.value({secret: [secret, {"k": secret}], "n": 1}) == \
        {"***": ["***", {"k": "***"}], "n": 1}
    assert r.url("https://h/p?key=short&a=b") == "https://h/p?key=***&a=b"
    assert r.header("x-token", "anything") == "***"
    assert r.header("Accept", "json") == "json"
    assert "p@ss" not in repr(r)


def test_redactor_hides_short_secrets_only_whole():
    r = Redactor(["ab12"])
    assert r.text("ab12") == "***"
    assert r.text("tab123") == "tab123"  # two to five characters: whole values only


def test_redactor_value_is_iterative_and_depth_bounded():
    r = Redactor([CREDS["KEY"]])
    deep: object = CREDS["KEY"]
    for _ in range(100_000):
        deep = [deep]
    out = r.value(deep)
    for _ in range(64):
        out = out[0]
    assert out == "***"


def test_spec_mock_repr_hides_the_operations_secrets(server):
    from specclient.testing import SpecMock

    client = _client(server)
    with SpecMock(client=client) as mock:
        mock.add("schemes.key_query", json={"ok": True})
        client.call("schemes.key_query", q="x")
        (call,) = mock.calls_to("schemes.key_query")
    assert CREDS["KEY"] in call.url  # recorded as sent
    assert leaks(repr(call)) == []


def test_the_redaction_is_one_object(tmp_path):
    """No module but redaction.py replaces secrets by hand (one rule, one place)."""
    pkg = pathlib.Path(specclient.__file__).parent
    hits = [str(p.relative_to(pkg)) for p in pkg.rglob("*.py")
            if p.name != "redaction.py" and ('"***"' in p.read_text()
                                              or "'***'" in p.read_text())]
    assert hits == []
