"""Redirects: a 3xx never crashes and is never success; followed only within the origin, only
when following cannot repeat or change the request, with auth and signing applied afresh, at
most 5 hops; anything else is a RedirectError naming the status and the (redacted) Location."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import responses
from support.batch_support import write_spec
from support.schemes import API, CREDS, make_specs

import specclient
from specclient import RedirectError
from specclient.batch import BatchOptions, run_batch
from specclient.cli import main


@pytest.fixture
def specs(tmp_path):
    return make_specs(tmp_path)


def client_for(specs, **kw):
    return specclient.Client([specs], credentials=CREDS, include_bundled=False, **kw)


def with_setting(specs, setting: str):
    service = specs / "schemes" / "service.yaml"
    service.write_text(service.read_text() + f"redirects: {setting}\n")
    return specs


def sign(method: str, path: str, query: str, body: bytes) -> str:
    """The test service's X-Signature, computed here independently."""
    msg = f"{method}\n{path}\n{query}\n".encode() + body
    return hmac.new(CREDS["SIGNKEY"].encode(), msg, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_get_follows_a_same_origin_redirect_with_auth_applied_again(specs, mocked, status):
    mocked.get(f"{API}/things", status=status, headers={"Location": "/v1/moved?page=2"})
    mocked.get(f"{API}/moved", json={"ok": 1})
    resp = client_for(specs).call("schemes.key_header")
    assert resp.status_code == 200 and resp.data == {"ok": 1} and resp.ok
    first, second = (c.request for c in mocked.calls)
    assert second.url == f"{API.rsplit('/v1', 1)[0]}/v1/moved?page=2"
    assert second.method == "GET"
    assert first.headers["X-Api-Key"] == second.headers["X-Api-Key"] == "Token k-123456"


def test_signing_is_applied_afresh_for_the_new_url(specs, mocked):
    base = API.rsplit("/v1", 1)[0]
    mocked.get(f"{API}/things", status=302, headers={"Location": f"{base}/v2/things?x=1"})
    mocked.get(f"{base}/v2/things", json={})
    (specs / "schemes" / "operations" / "signed_get.yaml").write_text(
        "method: GET\npath: /things\nauth: none\nsigning: sig\n"
        'responses: {"200": {description: ok}}\n')
    c = client_for(specs)
    c.call("schemes.signed_get")
    first, second = (x.request for x in mocked.calls)
    assert first.headers["X-Signature"] == sign("GET", "/v1/things", "", b"")
    assert second.headers["X-Signature"] == sign("GET", "/v2/things", "x=1", b"")


def test_a_303_turns_a_non_idempotent_post_into_a_get_without_body(specs, mocked):
    mocked.post(f"{API}/things", status=303, headers={"Location": f"{API}/result/9"})
    mocked.get(f"{API}/result/9", json={"id": 9})
    (specs / "schemes" / "operations" / "create.yaml").write_text(
        "method: POST\npath: /things\nauth: key_header\n"
        "body: {content_type: application/json, schema: {type: object}}\n"
        'responses: {"200": {description: ok}}\n')
    resp = client_for(specs).call("schemes.create", body={"a": 1})
    assert resp.data == {"id": 9}
    post, get = (c.request for c in mocked.calls)
    assert post.method == "POST" and post.body == b'{"a":1}'
    assert get.method == "GET" and get.body is None and "Content-Type" not in get.headers
    assert get.headers["X-Api-Key"] == "Token k-123456"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_non_idempotent_post_is_never_sent_twice_by_a_redirect(specs, mocked, status):
    (specs / "schemes" / "operations" / "create.yaml").write_text(
        "method: POST\npath: /things\nauth: key_header\n"
        "body: {content_type: application/json, schema: {type: object}}\n"
        'responses: {"200": {description: ok}}\n')
    mocked.post(f"{API}/things", status=status, headers={"Location": f"{API}/other"})
    other = mocked.post(f"{API}/other", json={})
    with pytest.raises(RedirectError) as info:
        client_for(specs).call("schemes.create", body={"a": 1})
    assert other.call_count == 0 and len(mocked.calls) == 1
    err = info.value
    assert err.status_code == status and err.location == f"{API}/other"
    assert "not idempotent" in str(err) and f"HTTP {status}" in str(err)


def test_another_origin_is_not_followed_and_the_key_goes_nowhere(specs, mocked):
    mocked.get(f"{API}/things", status=302,
               headers={"Location": "https://elsewhere.example/steal"})
    steal = mocked.get("https://elsewhere.example/steal", json={})
    with pytest.raises(RedirectError) as info:
        client_for(specs).call("schemes.key_header")
    assert steal.call_count == 0
    assert "another origin" in str(info.value)
    assert isinstance(info.value, specclient.ApiError)


def test_https_to_http_is_never_followed_even_cross_origin_allowed(specs, mocked):
    with_setting(specs, "cross_origin")
    http_api = API.replace("https://", "http://")
    mocked.get(f"{API}/things", status=301, headers={"Location": f"{http_api}/things"})
    plain = mocked.get(f"{http_api}/things", json={})
    with pytest.raises(RedirectError, match="plain http"):
        client_for(specs).call("schemes.key_header")
    assert plain.call_count == 0


def test_cross_origin_when_allowed_carries_no_credentials_nor_signature(specs, mocked):
    with_setting(specs, "cross_origin")
    (specs / "schemes" / "operations" / "signed.yaml").write_text(
        "method: GET\npath: /things\nauth: [key_header, basic]\nsigning: sig\n"
        'responses: {"200": {description: ok}}\n')
    mocked.get(f"{API}/things", status=302, headers={"Location": "https://cdn.example/f"})
    mocked.get("https://cdn.example/f", json={"from": "cdn"})
    c = client_for(specs)
    resp = c.call("schemes.signed", extra_headers={"Cookie": "sid=1", "X-Trace": "t1"})
    assert resp.data == {"from": "cdn"}
    first, second = (x.request for x in mocked.calls)
    assert {"X-Api-Key", "Authorization", "X-Signature", "Cookie"} <= set(first.headers)
    for name in ("X-Api-Key", "Authorization", "X-Signature", "Cookie"):
        assert name not in second.headers
    assert second.headers["X-Trace"] == "t1"
    assert CREDS["KEY"] not in json.dumps(dict(second.headers))


def test_redirects_never(specs, mocked):
    with_setting(specs, "never")
    mocked.get(f"{API}/things", status=302, headers={"Location": f"{API}/moved"})
    moved = mocked.get(f"{API}/moved", json={})
    with pytest.raises(RedirectError, match="redirects: never"):
        client_for(specs).call("schemes.key_header")
    assert moved.call_count == 0


def test_at_most_five_hops(specs, mocked):
    for i in range(8):
        mocked.get(f"{API}/hop{i}" if i else f"{API}/things", status=302,
                   headers={"Location": f"{API}/hop{i + 1}"})
    with pytest.raises(RedirectError, match="more than 5 redirects") as info:
        client_for(specs).call("schemes.key_header")
    assert len(mocked.calls) == 6 and info.value.location == f"{API}/hop6"


def test_a_3xx_without_location_is_not_success(specs, mocked):
    mocked.get(f"{API}/things", status=302)
    c = client_for(specs)
    with pytest.raises(RedirectError, match="no Location"):
        c.call("schemes.key_header")
    resp = c.call("schemes.key_header", raise_for_status=False)
    assert resp.status_code == 302 and resp.ok is False


@pytest.mark.parametrize("status", [300, 304, 305])
def test_other_3xx_are_not_success(specs, mocked, status):
    mocked.get(f"{API}/things", status=status, headers={"Location": f"{API}/x"})
    with pytest.raises(RedirectError) as info:
        client_for(specs).call("schemes.key_header")
    assert info.value.status_code == status and len(mocked.calls) == 1


def test_a_secret_in_the_location_is_redacted(specs, mocked):
    mocked.get(f"{API}/things", status=302,
               headers={"Location": f"https://evil.example/?k={CREDS['KEY']}"})
    with pytest.raises(RedirectError) as info:
        client_for(specs).call("schemes.key_query")
    assert CREDS["KEY"] not in str(info.value) and CREDS["KEY"] not in info.value.location
    assert "https://evil.example/?k=***" == info.value.location


def test_the_shell_exits_1_on_a_redirect_not_followed(specs, mocked, capsys, monkeypatch):
    monkeypatch.setenv("KEY", CREDS["KEY"])
    mocked.get(f"{API}/things", status=302, headers={"Location": "https://elsewhere.example/"})
    code = main(["call", "schemes.key_header", "--specs", str(specs)])
    assert code == 1  # EXIT_API, as for any API error
    assert "302" in capsys.readouterr().err


def test_a_batch_line_answered_by_a_redirect_fails_and_the_run_goes_on(tmp_path):
    """The batch engine is async: mocked with aiohttp's own tool."""
    from aioresponses import CallbackResult, aioresponses

    spec = write_spec(tmp_path)
    seen = []

    def answer(url, **kwargs):
        seen.append(kwargs["data"])
        if b'"r"' in kwargs["data"]:
            return CallbackResult(status=307, headers={"Location": "https://elsewhere.example/x"})
        return CallbackResult(status=201, body=kwargs["data"],
                              headers={"Content-Type": "application/json"})

    c = specclient.Client([spec], base_url="https://sink.example", include_bundled=False)
    with aioresponses() as m:
        m.post("https://sink.example/v1/items", callback=answer, repeat=True)
        summary = run_batch(c, "sink.record", ['{"id": "a"}', '{"id": "r"}', '{"id": "b"}'],
                            BatchOptions())
    assert (summary.ok, summary.failed) == (2, 1)
    (bad,) = [r for r in summary.results if not r["ok"]]
    assert bad["line"] == 2 and bad["status"] == 307 and bad["kind"] == "api"
    assert len(seen) == 3  # the redirect was not followed


@responses.activate
def test_a_redirect_never_crashes_with_the_cookie_jar_error():
    """The reproduction: any 3xx used to raise a bare AttributeError (no cookie jar)."""
    responses.post("https://api.thirdwatch.ai/event/v1/order_status", status=302,
                  headers={"Location": "https://api.thirdwatch.ai/elsewhere"})
    c = specclient.Client(credentials={"THIRDWATCH_API_KEY": "k-1234567"})
    with pytest.raises(RedirectError):
        c.call("thirdwatch.order_status", body={"_userId": "u1"})
