"""Token requests under attack: a token endpoint that redirects (the secret must go nowhere),
an environment that tries to change TLS, and a revocation that staggered 401s must not turn
into a stampede of fetches (only the token that got the 401 is dropped: one fetch)."""

from __future__ import annotations

import threading

import pytest
import requests
from support.schemes import API, CREDS, TOKEN_URL, make_specs

import specclient
from specclient import AuthError


@pytest.fixture
def specs(tmp_path):
    return make_specs(tmp_path)


@pytest.fixture
def sends(monkeypatch):
    """Every ``requests.Session.send`` of the test: (url, keyword arguments)."""
    seen: list[tuple[str, dict]] = []
    real = requests.Session.send

    def send(self, request, **kwargs):
        seen.append((request.url, kwargs))
        return real(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return seen


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirected_token_request_is_refused_and_the_secret_goes_nowhere(specs, mocked,
                                                                          status):
    mocked.post(TOKEN_URL, status=status,
                headers={"Location": "http://evil.example/steal"})
    steal_post = mocked.post("http://evil.example/steal", json={"access_token": "evil"})
    steal_get = mocked.get("http://evil.example/steal", json={"access_token": "evil"})
    api = mocked.get(f"{API}/things", json={})
    c = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    with pytest.raises(AuthError) as info:
        c.call("schemes.oauth_body")
    assert steal_post.call_count == steal_get.call_count == api.call_count == 0
    msg = str(info.value)
    assert f"HTTP {status}" in msg and "never follow redirects" in msg
    assert CREDS["CSECRET"] not in msg


def test_client_verify_wins_over_the_environment_for_token_requests_too(specs, mocked,
                                                                        sends, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/env/ca-bundle.pem")
    mocked.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600})
    mocked.get(f"{API}/things", json={})
    c = specclient.Client([specs], credentials=CREDS, include_bundled=False,
                          verify="/my/ca.pem")
    c.call("schemes.oauth_body")
    assert [(u, kw["verify"]) for u, kw in sends] == [(TOKEN_URL, "/my/ca.pem"),
                                                      (f"{API}/things", "/my/ca.pem")]


def test_the_token_request_has_the_calls_timeout_and_follows_no_redirect(specs, mocked,
                                                                        sends):
    mocked.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600})
    mocked.get(f"{API}/things", json={})
    c = specclient.Client([specs], credentials=CREDS, include_bundled=False,
                          timeout=(2.5, 7.0))
    c.call("schemes.oauth_body")
    (token_url, token_kw), (_, api_kw) = sends
    assert token_url == TOKEN_URL
    assert token_kw["timeout"] == api_kw["timeout"] == (2.5, 7.0)
    assert token_kw["allow_redirects"] is False


def test_a_token_error_body_never_shows_the_secret(specs, mocked):
    mocked.post(TOKEN_URL, status=400,
                json={"error": "invalid_client", "got": CREDS["CSECRET"]})
    c = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    with pytest.raises(AuthError) as info:
        c.call("schemes.oauth_body")
    assert CREDS["CSECRET"] not in str(info.value) and "HTTP 400" in str(info.value)


def test_after_a_revocation_staggered_401s_cause_exactly_one_fetch(specs, mocked):
    """32 threads holding the revoked token each get a 401: only the first drops it (compare
    and drop); the others find the new token already there."""
    fetched: list[str] = []
    revoked = {"tok-1"}
    lock = threading.Lock()

    def token(request):
        with lock:
            fetched.append(f"tok-{len(fetched) + 1}")
            return 200, {}, f'{{"access_token": "{fetched[-1]}", "expires_in": 3600}}'

    gate = threading.Barrier(32)

    def api(request):
        sent = request.headers["Authorization"].removeprefix("Bearer ")
        if sent in revoked:
            return 401, {}, '{"error": "revoked"}'
        return 200, {"Content-Type": "application/json"}, "{}"

    mocked.add_callback("POST", TOKEN_URL, callback=token)
    mocked.add_callback("GET", f"{API}/things", callback=api)
    c = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    revoked.clear()
    c.call("schemes.oauth_body")  # tok-1 cached
    revoked.add("tok-1")  # the server revokes it
    statuses: list[int] = []

    def worker():
        gate.wait()
        statuses.append(c.call("schemes.oauth_body").status_code)

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 32
    assert fetched == ["tok-1", "tok-2"]  # one fetch after the revocation, not one per 401
