"""Secrets only over TLS: credentials never go over plain http to another machine (nothing is
sent), loopback is fine, a service may opt out (with a warning each time), a signature alone
(no secret) may go anywhere, and lint reports plain-http URLs that credentials would take."""

from __future__ import annotations

import base64
import logging

import pytest
import responses

import specclient
from specclient.spec.lint import lint
from specclient.transport.limits import is_loopback

KEY = "tw-key-0123456789"
CREDS = {"THIRDWATCH_API_KEY": KEY, "USER": "ann", "PASS": "pa55word-xyz", "TOKEN": "tok-abcdef",
         "CID": "client-id-1", "CSECRET": "client-secret-2", "SIGNKEY": "sign-key-3"}


def service(tmp_path, env: str, *, token_url: str = "https://auth.example.com/token",
            insecure: bool = False):
    folder = tmp_path / "svc"
    (folder / "operations").mkdir(parents=True, exist_ok=True)
    (folder / "service.yaml").write_text(f"""\
environments: {{main: "{env}"}}
{"allow_insecure_http: true" if insecure else ""}
auth:
  key_header: {{type: api_key, in: header, name: X-Api-Key, secret: THIRDWATCH_API_KEY}}
  key_query: {{type: api_key, in: query, name: api_key, secret: THIRDWATCH_API_KEY}}
  bearer: {{type: bearer, secret: TOKEN}}
  basic: {{type: basic, username: USER, password: PASS}}
  oauth: {{type: oauth2, token_url: "{token_url}", client_id: CID, client_secret: CSECRET}}
signing:
  sig: {{type: hmac, algorithm: sha256, secret: SIGNKEY, message: "{{raw_body}}",
         encoding: hex, header: X-Signature}}
""")
    for name in ("key_header", "key_query", "bearer", "basic", "oauth"):
        (folder / "operations" / f"{name}.yaml").write_text(
            f"method: GET\npath: /things\nauth: {name}\n")
    (folder / "operations" / "signed_only.yaml").write_text(
        "method: POST\npath: /hook\nauth: none\nsigning: sig\n"
        "body: {content_type: application/json, schema: {type: object}}\n")
    return tmp_path


SCHEMES = ["key_header", "key_query", "bearer", "basic", "oauth"]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("host", ["api.example.com", "10.0.0.7", "192.168.1.10",
                                  "[2001:db8::1]", "localhost.evil.com", "127.0.0.1.nip.io"])
def test_credentials_are_never_sent_over_plain_http_to_another_machine(tmp_path, scheme, host):
    specs = service(tmp_path, f"http://{host}/v1", token_url=f"https://{host}/token")
    client = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.POST, f"https://{host}/token", json={"access_token": "tok-from-idp",
                                                              "expires_in": 60})
        with pytest.raises(specclient.InsecureTransportError) as info:
            client.call(f"svc.{scheme}")
        api_calls = [c for c in rsps.calls if "/token" not in c.request.url]
    assert api_calls == []  # nothing reached the API
    text = str(info.value)
    assert "over plain http" in text and "nothing was sent" in text
    for secret in CREDS.values():
        assert secret not in text
    assert base64.b64encode(b"ann:pa55word-xyz").decode() not in text


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "LOCALHOST",
                                  "api.localhost", "[::1]"])
@pytest.mark.parametrize("scheme", ["key_header", "key_query", "basic"])
def test_loopback_over_plain_http_is_allowed(tmp_path, scheme, host):
    specs = service(tmp_path, f"http://{host}:8080/v1")
    client = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"http://{host}:8080/v1/things", json={})
        assert client.call(f"svc.{scheme}").status_code == 200
        assert len(rsps.calls) == 1


def test_a_plain_http_token_url_is_refused_before_the_secret_leaves(tmp_path):
    specs = service(tmp_path, "https://api.example.com/v1",
                    token_url="http://auth.example.com/token")
    client = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        with pytest.raises(specclient.InsecureTransportError) as info:
            client.call("svc.oauth")
        assert len(rsps.calls) == 0
    assert "the body" in str(info.value) and "auth.example.com" in str(info.value)


def test_a_base_url_override_to_plain_http_is_refused_too(tmp_path):
    specs = service(tmp_path, "https://api.example.com/v1")
    client = specclient.Client([specs], credentials=CREDS, include_bundled=False,
                               base_url="http://api.example.com/v1")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        with pytest.raises(specclient.InsecureTransportError):
            client.call("svc.key_header")
        assert len(rsps.calls) == 0


def test_the_service_may_opt_out_with_a_warning_each_call(tmp_path, caplog):
    specs = service(tmp_path, "http://api.example.com/v1", insecure=True)
    client = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    with responses.RequestsMock() as rsps, caplog.at_level(logging.WARNING, "specclient"):
        rsps.add(responses.GET, "http://api.example.com/v1/things", json={})
        client.call("svc.key_header")
        client.call("svc.key_header")
        assert rsps.calls[0].request.headers["X-Api-Key"] == KEY
    warnings = [r.getMessage() for r in caplog.records if "plain http" in r.getMessage()]
    assert len(warnings) == 2 and "api.example.com" in warnings[0]
    assert all(KEY not in w for w in warnings)


def test_a_signature_alone_may_go_over_plain_http(tmp_path):
    """The signing key never leaves: only the signature does."""
    specs = service(tmp_path, "http://hooks.example.com/v1")
    client = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, "http://hooks.example.com/v1/hook", json={})
        client.call("svc.signed_only", {"a": 1})
        assert "X-Signature" in rsps.calls[0].request.headers


def test_a_secret_given_as_a_header_counts_too(tmp_path):
    specs = service(tmp_path, "http://api.example.com/v1")
    client = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        with pytest.raises(specclient.InsecureTransportError):
            client.call("svc.signed_only", {"a": 1},
                        extra_headers={"Authorization": "Bearer my-own-token-123"})
        assert len(rsps.calls) == 0


def test_the_cli_exits_2_and_sends_nothing(tmp_path, capsys, monkeypatch):
    from specclient.cli import main

    specs = service(tmp_path, "http://api.example.com/v1")
    monkeypatch.setenv("THIRDWATCH_API_KEY", KEY)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        code = main(["call", "svc.key_query", "--specs", str(specs)])
        assert len(rsps.calls) == 0
    err = capsys.readouterr().err
    assert code == 2 and "over plain http" in err and KEY not in err


def test_lint_reports_plain_http_urls_that_credentials_would_take(tmp_path):
    specs = service(tmp_path, "http://api.example.com/v1",
                    token_url="http://auth.example.com/token")
    messages = [p.message for p in lint(specs / "svc")]
    assert any("environment 'main' is plain http to api.example.com" in m for m in messages)
    assert any("auth 'oauth': token_url is plain http to auth.example.com" in m
               for m in messages)


def test_lint_is_quiet_for_https_loopback_and_an_explicit_opt_out(tmp_path):
    for i, (env, insecure) in enumerate((("https://api.example.com/v1", False),
                                         ("http://127.0.0.1:9/v1", False),
                                         ("http://api.example.com/v1", True))):
        specs = service(tmp_path / str(i), env, insecure=insecure)
        assert [p.message for p in lint(specs / "svc") if "plain http" in p.message] == []


@pytest.mark.parametrize("host,expected", [
    ("localhost", True), ("127.0.0.1", True), ("127.255.0.1", True), ("::1", True),
    ("[::1]", True), ("a.localhost", True), ("localhost.", True), (None, False), ("", False),
    ("localhost.example.com", False), ("0.0.0.0", False), ("::ffff:10.0.0.1", False),
    ("example.com", False), ("10.0.0.1", False),
])
def test_what_counts_as_this_machine(host, expected):
    assert is_loopback(host) is expected


def test_the_client_may_opt_out_too_with_a_warning(tmp_path, caplog):
    specs = service(tmp_path, "http://mock:4010/v1")  # a mock in another container
    client = specclient.Client([specs], credentials=CREDS, include_bundled=False,
                               allow_insecure_http=True)
    with responses.RequestsMock() as rsps, caplog.at_level(logging.WARNING, "specclient"):
        rsps.add(responses.GET, "http://mock:4010/v1/things", json={})
        client.call("svc.key_header")
        assert rsps.calls[0].request.headers["X-Api-Key"] == KEY
    assert any("plain http to mock" in r.getMessage() for r in caplog.records)


def test_the_cli_flag_opts_out_for_one_command(tmp_path, capsys, monkeypatch, caplog):
    from specclient.cli import main

    specs = service(tmp_path, "http://mock:4010/v1")
    monkeypatch.setenv("THIRDWATCH_API_KEY", KEY)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, "http://mock:4010/v1/things", json={"ok": True})
        code = main(["call", "svc.key_header", "--allow-insecure-http", "--specs", str(specs)])
        assert len(rsps.calls) == 1
    out, err = capsys.readouterr()
    assert code == 0 and KEY not in out + err
    assert any("plain http to mock" in r.getMessage() for r in caplog.records)
