"""Auth schemes declared in YAML: what each puts on the wire, exactly."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time

import pytest
import responses as responses_lib
from support.auth_support import LoopbackServer, Seen, json_reply
from support.schemes import API, CREDS, TOKEN_URL, make_specs

import specclient
from specclient import AuthError, ClientError


@pytest.fixture
def client(tmp_path):
    c = specclient.Client([make_specs(tmp_path)], credentials=CREDS, include_bundled=False)
    yield c
    c.close()


@pytest.fixture
def mocked():
    with responses_lib.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def only_api(mocked) -> list:
    return [c.request for c in mocked.calls if c.request.url.startswith(API)]


def token_calls(mocked) -> list:
    return [c.request for c in mocked.calls if c.request.url == TOKEN_URL]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --------------------------------------------------------------------------- static schemes


@pytest.mark.parametrize("name, url, header, value", [
    ("key_header", f"{API}/things?q=a%20b", "X-Api-Key", "Token k-123456"),
    ("key_query", f"{API}/things?q=a%20b&api_key=k-123456", None, None),
    ("bearer", f"{API}/things?q=a%20b", "Authorization", "Bearer t-static-token"),
    ("basic", f"{API}/things?q=a%20b", "Authorization", basic("ann", "pa:ss-word")),
    ("none", f"{API}/things?q=a%20b", None, None),
])
def test_static_schemes_on_the_wire(client, mocked, name, url, header, value):
    mocked.get(f"{API}/things", json={})
    client.call(f"schemes.{name}", q="a b")
    (request,) = only_api(mocked)
    assert request.url == url
    sent = {k.lower(): v for k, v in request.headers.items()}
    auth_headers = {k: v for k, v in sent.items() if k in ("authorization", "x-api-key")}
    assert auth_headers == ({header.lower(): value} if header else {})


def test_two_schemes_on_one_operation(client, mocked):
    mocked.get(f"{API}/things", json={})
    client.call("schemes.key_and_basic")
    (request,) = only_api(mocked)
    assert request.headers["X-Api-Key"] == "Token k-123456"
    assert request.headers["Authorization"] == basic("ann", "pa:ss-word")


def test_dry_run_hides_every_static_secret(client):
    for name in ("key_header", "key_query", "bearer", "basic", "key_and_basic"):
        req = client.prepare(f"schemes.{name}", q="x", dry_run=True)
        text = repr(req.redacted()) + repr(req)
        for secret in CREDS.values():
            assert secret not in text
    assert client.prepare("schemes.key_query", dry_run=True).redacted()["url"] \
        == f"{API}/things?api_key=***"


# --------------------------------------------------------------------------- OAuth2


def test_oauth2_client_secret_in_the_form_body_with_scope_and_extra(client, mocked):
    mocked.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600})
    mocked.get(f"{API}/things", json={})
    client.call("schemes.oauth_body")
    (tok,) = token_calls(mocked)
    assert tok.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in tok.headers
    assert tok.body == (b"grant_type=client_credentials&client_id=client-7&client_secret="
                        b"cs-very-secret&scope=read+write&audience=https%3A%2F%2Fapi.example.test")
    assert only_api(mocked)[0].headers["Authorization"] == "Bearer tok-1"


def test_oauth2_client_secret_as_http_basic(client, mocked):
    mocked.post(TOKEN_URL, json={"access_token": "tok-b", "expires_in": "3600"})
    mocked.get(f"{API}/things", json={})
    client.call("schemes.oauth_basic")
    (tok,) = token_calls(mocked)
    assert tok.headers["Authorization"] == basic("client-7", "cs-very-secret")
    assert tok.body == b"grant_type=client_credentials&scope=read"
    assert only_api(mocked)[0].headers["Authorization"] == "Bearer tok-b"


def test_token_cached_per_url_client_and_scope(client, mocked):
    mocked.post(TOKEN_URL, json={"access_token": "tok-rw", "expires_in": 3600})
    mocked.post(TOKEN_URL, json={"access_token": "tok-r", "expires_in": 3600})
    mocked.get(f"{API}/things", json={})
    for name in ("oauth_body", "oauth_body_again", "oauth_basic", "oauth_body", "oauth_basic"):
        client.call(f"schemes.{name}")
    assert len(token_calls(mocked)) == 2  # scope "read write" and scope "read"
    assert [r.headers["Authorization"] for r in only_api(mocked)] == [
        "Bearer tok-rw", "Bearer tok-rw", "Bearer tok-r", "Bearer tok-rw", "Bearer tok-r"]


@pytest.mark.parametrize("expires_in, still_valid, refreshed", [
    (60, 29, 31),             # margin: 30 s minimum
    ("60", 29, 31),           # a string, as Ingram's SDK models it
    ("7200", 6899, 6901),     # margin: 5 min maximum
    (None, 3299, 3301),       # no expires_in: one hour assumed
    ("soon", 3299, 3301),     # unusable: one hour assumed
    ("NaN", 3299, 3301),
    ("inf", 3299, 3301),
    (-5, 3299, 3301),
])
def test_token_refreshed_shortly_before_expiry(client, mocked, monkeypatch, expires_in,
                                               still_valid, refreshed):
    now = [5_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    first = {"access_token": "first"}
    if expires_in is not None:
        first["expires_in"] = expires_in
    mocked.post(TOKEN_URL, json=first)
    mocked.post(TOKEN_URL, json={"access_token": "second", "expires_in": 3600})
    mocked.get(f"{API}/things", json={})
    client.call("schemes.oauth_body")
    now[0] += still_valid
    client.call("schemes.oauth_body")
    now[0] += refreshed - still_valid
    client.call("schemes.oauth_body")
    assert [r.headers["Authorization"] for r in only_api(mocked)] == [
        "Bearer first", "Bearer first", "Bearer second"]


def test_401_drops_the_token_fetches_again_and_repeats_once(client, mocked):
    mocked.post(TOKEN_URL, json={"access_token": "stale", "expires_in": 3600})
    mocked.post(TOKEN_URL, json={"access_token": "fresh", "expires_in": 3600})
    mocked.get(f"{API}/things", status=401, json={"error": "token revoked"})
    mocked.get(f"{API}/things", json={"ok": True})
    assert client.call("schemes.oauth_body").data == {"ok": True}
    assert [c.request.url.split("?")[0] for c in mocked.calls] == [
        TOKEN_URL, f"{API}/things", TOKEN_URL, f"{API}/things"]
    assert [r.headers["Authorization"] for r in only_api(mocked)] == [
        "Bearer stale", "Bearer fresh"]


def test_a_second_401_is_final(client, mocked):
    mocked.post(TOKEN_URL, json={"access_token": "a", "expires_in": 3600})
    mocked.post(TOKEN_URL, json={"access_token": "b", "expires_in": 3600})
    mocked.get(f"{API}/things", status=401, json={"error": "nope"})
    with pytest.raises(ClientError) as e:
        client.call("schemes.oauth_body")
    assert e.value.status_code == 401
    assert len(only_api(mocked)) == 2 and len(token_calls(mocked)) == 2


def test_static_schemes_are_not_repeated_after_401(client, mocked):
    mocked.get(f"{API}/things", status=401, json={"error": "bad key"})
    with pytest.raises(ClientError):
        client.call("schemes.bearer")
    assert len(only_api(mocked)) == 1


def test_failed_token_request_is_an_auth_error_with_status_and_message_no_secret(client,
                                                                                   mocked):
    mocked.post(TOKEN_URL, status=401, json={
        "error": "invalid_client", "error_description": "client secret cs-very-secret is wrong"})
    with pytest.raises(AuthError) as e:
        client.call("schemes.oauth_body")
    assert str(e.value) == (
        f"schemes.oauth_body: token request to {TOKEN_URL} failed: HTTP 401: "
        '{"error": "invalid_client", "error_description": "client secret *** is wrong"}')
    assert only_api(mocked) == []


def test_token_reply_without_access_token(client, mocked):
    mocked.post(TOKEN_URL, json={"token_type": "Bearer"})
    with pytest.raises(AuthError) as e:
        client.call("schemes.oauth_basic")
    assert str(e.value) == (f"schemes.oauth_basic: token request to {TOKEN_URL} returned no "
                            "usable access_token (KeyError: 'access_token')")


def test_oauth2_and_a_signature_on_one_operation(client, mocked):
    mocked.post(TOKEN_URL, json={"access_token": "tok-s", "expires_in": 3600})
    mocked.post(f"{API}/things", json={})
    client.call("schemes.oauth_signed", body={"a": 1}, q="x y")
    (request,) = only_api(mocked)
    assert request.headers["Authorization"] == "Bearer tok-s"
    message = b'POST\n/v1/things\nq=x%20y\n{"a":1}'
    assert request.body == b'{"a":1}'
    assert request.headers["X-Signature"] == hmac.new(b"sign-key-99", message,
                                                      hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- real sockets


@pytest.mark.slow
def test_sixteen_threads_cause_one_token_fetch(tmp_path):
    fetches = []
    release = threading.Event()

    def token(req: Seen):
        fetches.append(req)
        release.wait(5)  # hold the first fetch open while the other threads pile up
        return json_reply(200, {"access_token": f"tok-{len(fetches)}", "expires_in": "3600"})

    with LoopbackServer() as server:
        server.routes[("POST", "/token")] = token
        server.routes[("GET", "/v1/things")] = lambda req: json_reply(200, {})
        specs = make_specs(tmp_path, token_url=server.url + "/token", api=server.url + "/v1")
        client = specclient.Client([specs], credentials=CREDS, include_bundled=False)
        barrier = threading.Barrier(16)
        errors: list[BaseException] = []

        def worker():
            try:
                barrier.wait(5)
                client.call("schemes.oauth_body")
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(16)]
        for t in threads:
            t.start()
        # once the first fetch is in flight, give the other threads a moment to pile up
        # behind it (a delay, not an assertion: with a working lock any timing gives 1)
        for _ in range(500):
            if fetches:
                break
            time.sleep(0.01)
        time.sleep(0.3)
        release.set()
        for t in threads:
            t.join(10)
        client.close()
        assert errors == []
        assert len(server.requests_to("/token")) == 1
        api = server.requests_to("/v1/things")
        assert len(api) == 16
        assert {r.headers["Authorization"] for r in api} == {"Bearer tok-1"}
        assert server.requests_to("/token")[0].body == (
            b"grant_type=client_credentials&client_id=client-7&client_secret=cs-very-secret"
            b"&scope=read+write&audience=https%3A%2F%2Fapi.example.test")
