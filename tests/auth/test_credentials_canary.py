"""A canary secret, run through every path, appears in no output, log record, exception
message or repr.

Every secret gets a value containing CANARY; each path's text (stdout, stderr, log records at
DEBUG from every logger, exception messages and reprs) is searched for it, also URL-encoded and
inside base64 (a basic-auth header).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import pathlib
import socket
from urllib.parse import quote, quote_plus

import pytest
from support.auth_support import LoopbackServer, Seen, json_reply
from support.schemes import make_specs

import specclient
from specclient.cli import main

CANARY = "CANARY-s3cr3t-7f9a"
NAMES = ["KEY", "TOKEN", "USER", "PASS", "CID", "CSECRET", "SIGNKEY"]
CREDS = {name: f"{CANARY}-{name}" for name in NAMES}
OPS = ["none", "key_header", "key_query", "bearer", "basic", "key_and_basic", "oauth_body",
       "oauth_basic", "oauth_signed"]


def forms() -> list[str]:
    out = {CANARY}
    for value in CREDS.values():
        out |= {value, quote(value, safe=""), quote_plus(value)}
    userpass = f"{CREDS['USER']}:{CREDS['PASS']}"
    out.add(base64.b64encode(userpass.encode()).decode())
    cid = f"{CREDS['CID']}:{CREDS['CSECRET']}"
    out.add(base64.b64encode(cid.encode()).decode())
    out.add(base64.b64encode(CANARY.encode()).decode()[:16])
    return sorted(out)


def assert_clean(text: str, where: str) -> None:
    for form in forms():
        assert form not in text, f"{where}: secret leaked as {form!r}"


@pytest.fixture
def collected(caplog):
    caplog.set_level(logging.DEBUG)
    texts: list[tuple[str, str]] = []
    yield texts
    for record in caplog.get_records("call"):
        texts.append(("log", record.getMessage()))
        if record.exc_text:
            texts.append(("log exc", record.exc_text))
    leaks = [f"{where}: {text[:300]}" for where, text in texts
             if any(form in text for form in forms())]
    assert not leaks, "\n".join(leaks)


def exc_texts(exc: BaseException) -> list[tuple[str, str]]:
    return [("str", str(exc)), ("repr", repr(exc)), ("args", repr(exc.args))]


@pytest.mark.slow
def test_every_path_with_a_canary(tmp_path, collected, capsys, monkeypatch, caplog):
    echoed = []

    def echo(req: Seen):
        # a hostile/buggy API that echoes every credential it got
        echoed.append(req)
        return json_reply(401, {"error": "bad credentials", "got": req.headers,
                                "path": req.path})

    def token_ok(req: Seen):
        return json_reply(200, {"access_token": f"{CANARY}-access-token", "expires_in": 3600})

    with LoopbackServer() as server:
        server.routes[("GET", "/v1/things")] = echo
        server.routes[("POST", "/v1/things")] = echo
        server.routes[("POST", "/token")] = token_ok
        specs = make_specs(tmp_path / "specs", token_url=server.url + "/token",
                           api=server.url + "/v1")
        client = specclient.Client([specs], credentials=CREDS, include_bundled=False)
        collected.append(("client repr", repr(client)))
        collected.append(("credentials repr", repr(client._credentials)))

        for name in OPS:
            full = f"schemes.{name}"
            body = {"a": 1} if name == "oauth_signed" else specclient.prepare.binding.MISSING
            # prepare (a real token is fetched) and dry runs
            req = client.prepare(full, body, q="x")
            collected += [("repr", repr(req)), ("redacted", json.dumps(req.redacted()))]
            dry = client.prepare(full, body, q="x", dry_run=True)
            collected += [("dry repr", repr(dry)), ("dry", json.dumps(dry.redacted()))]
            collected.append(("auth reprs", repr(client.operation(full).auth)
                              + repr(client.operation(full).signing)))
            # a call the API refuses, echoing what it got
            with pytest.raises(specclient.ClientError) as e:
                client.call(full, body, q="x")
            collected += exc_texts(e.value)
            resp = client.call(full, body, q="x", raise_for_status=False)
            assert resp.status_code == 401 and resp.data["error"] == "bad credentials"
            collected += [("response repr", repr(resp)),
                          ("response data", json.dumps(resp.data))]
        assert echoed  # the server really saw the secrets

        # token failures
        server.routes[("POST", "/token")] = lambda req: json_reply(
            400, {"error": "invalid_client", "echo": req.body.decode(), "auth": req.headers})
        fresh = specclient.Client([specs], credentials=CREDS, include_bundled=False)
        for name in ("oauth_body", "oauth_basic"):
            with pytest.raises(specclient.AuthError) as e:
                fresh.call(f"schemes.{name}")
            collected += exc_texts(e.value)
        collected.append(("token cache", repr(fresh._tokens)))

    # transport errors: a port nothing listens on (api key in the URL)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = specclient.Client([specs], credentials=CREDS, include_bundled=False,
                             base_url=f"http://127.0.0.1:{port}/v1", timeout=2,
                             retries={"attempts": 1})
    for name in ("key_query", "key_header", "basic"):
        with pytest.raises(specclient.TransportError) as e:
            dead.call(f"schemes.{name}")
        collected += exc_texts(e.value)

    # the CLI: describe, list, dry-run call, a failing call
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)
    for code, argv in ((0, ["describe", "schemes.oauth_signed"]),
                       (0, ["describe", "schemes.key_query"]),
                       (0, ["list"]),
                       (0, ["call", "schemes.key_query", "--param", "q=x", "--dry-run"]),
                       (0, ["call", "schemes.basic", "--dry-run"]),
                       (0, ["call", "schemes.oauth_signed", "--body", "{}", "--dry-run"]),
                       (3, ["call", "schemes.key_query", "--base-url",
                            f"http://127.0.0.1:{port}/v1", "--timeout", "2"])):
        assert main([*argv, "--specs", str(specs)]) == code
        out, err = capsys.readouterr()
        collected += [("stdout " + argv[0], out), ("stderr " + argv[0], err)]
    # the DEBUG logs that are searched really hold the request lines (with ?api_key=***)
    lines = [r.getMessage() for r in caplog.records if r.name == "urllib3.connectionpool"]
    assert any("GET /v1/things?q=x&api_key=*** HTTP/1.1" in line for line in lines)


def test_webhook_and_credentials_file_paths_with_a_canary(tmp_path, collected, capsys,
                                                          monkeypatch):
    secret = f"{CANARY}-INGRAM_WEBHOOK_SECRET"
    client = specclient.Client(credentials={"INGRAM_WEBHOOK_SECRET": secret})
    op = "ingram.order_status_event"
    bad = [({}, b"{}"), ({"x-hub-signature": "AAAA"}, b'{"eventId": "e"}'),
           ({"x-hub-signature": "AAAA"}, b"not json"),
           ({"x-hub-signature": "AAAA"}, b'{"topic": "x"}')]
    for headers, body in bad:
        with pytest.raises(specclient.WebhookVerificationError) as e:
            client.verify_webhook(op, headers, body)
        collected += exc_texts(e.value)
        with pytest.raises(specclient.WebhookVerificationError) as e:
            client.verify_webhook(op, headers, body, secrets=[secret, f"{CANARY}-old"])
        collected += exc_texts(e.value)
    # a good signature on a body that breaks the schema
    import hashlib
    import hmac as hmac_lib

    sig = base64.b64encode(hmac_lib.new(secret.encode(), b"e", hashlib.sha512).digest())
    with pytest.raises(specclient.WebhookBodyError) as e:
        client.verify_webhook(op, {"x-hub-signature": sig.decode()},
                              b'{"eventId": "e", "topic": 1}')
    collected += exc_texts(e.value)
    # a bad base64 secret for a Standard Webhooks rule
    examples = pathlib.Path(__file__).resolve().parents[2] / "examples" / "specs"
    sw = specclient.Client([examples], credentials={"STANDARD_WEBHOOK_SECRET":
                                                    f"whsec_{CANARY}!!"})
    with pytest.raises(specclient.WebhookVerificationError) as e:
        sw.verify_webhook("standard_webhooks.event", {"webhook-id": "msg_1",
                          "webhook-timestamp": "1", "webhook-signature": "v1,x"}, b"{}")
    collected += exc_texts(e.value)
    with pytest.raises(specclient.AuthError) as e:
        sw.prepare("standard_webhooks.event", {"type": "a", "timestamp": "b", "data": {}})
    collected += exc_texts(e.value)
    # the CLI verify path
    monkeypatch.setenv("INGRAM_WEBHOOK_SECRET", secret)
    assert main(["verify", op, "-H", "x-hub-signature: AAAA", "--body", '{"eventId": "e"}']) == 4
    out, err = capsys.readouterr()
    collected += [("verify stdout", out), ("verify stderr", err)]
    # credentials file: unsafe, malformed, missing profile -- never quoting a value
    path = tmp_path / "creds.yaml"
    monkeypatch.delenv("INGRAM_WEBHOOK_SECRET")
    monkeypatch.setenv("SPECCLIENT_CREDENTIALS", str(path))
    for text, mode, profile in ((f"default: {{A: {CANARY}}}\n", 0o644, None),
                                (f"default: {{A: [{CANARY}\n", 0o600, None),
                                (f"- {CANARY}\n", 0o600, None),
                                (f"default: {{A: {CANARY}}}\n", 0o600, "other")):
        path.write_text(text)
        os.chmod(path, mode)
        creds = specclient.Credentials(profile=profile)
        with pytest.raises(specclient.CredentialsFileError) as e:
            creds.get("A")
        collected += exc_texts(e.value) + [("creds repr", repr(creds))]
