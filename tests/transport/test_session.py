"""A user's ``requests.Session`` is honoured as ``requests`` honours it: hooks, cookies (sent
and stored), params, auth (where the spec declares none), proxies, verify, cert and mounted
adapters — one test each, on API calls and (where it applies) token requests alike."""

from __future__ import annotations

import base64

import pytest
import requests
import requests.adapters
import responses
from support.schemes import API, CREDS, TOKEN_URL, make_specs

import specclient


class RecordingSession(requests.Session):
    """Records the keyword arguments of every ``send`` (what the adapter is given)."""

    def __init__(self):
        super().__init__()
        self.sent: list[tuple[str, dict]] = []

    def send(self, request, **kwargs):
        self.sent.append((request.url, kwargs))
        return super().send(request, **kwargs)


@pytest.fixture
def specs(tmp_path):
    return make_specs(tmp_path)


def client_for(specs, session):
    return specclient.Client([specs], credentials=CREDS, include_bundled=False,
                             session=session)


def test_response_hooks_see_every_response(specs, mocked):
    mocked.get(f"{API}/things", json={"a": 1})
    seen = []
    s = requests.Session()
    s.hooks["response"].append(lambda r, *a, **k: seen.append(r.status_code))
    client_for(specs, s).call("schemes.none")
    assert seen == [200]


def test_session_cookies_are_sent_and_cookies_set_are_stored(specs, mocked):
    mocked.get(f"{API}/things", json={}, headers={"Set-Cookie": "sid=new-1; Path=/"})
    s = requests.Session()
    s.cookies.set("pref", "dark", domain="api.example.test", path="/")
    c = client_for(specs, s)
    c.call("schemes.none")
    assert mocked.calls[0].request.headers["Cookie"] == "pref=dark"
    assert s.cookies.get("sid") == "new-1"
    c.call("schemes.none")
    assert sorted(mocked.calls[1].request.headers["Cookie"].split("; ")) == ["pref=dark",
                                                                            "sid=new-1"]


def test_session_params_join_the_query_and_the_calls_own_win(specs, mocked):
    mocked.get(f"{API}/things", json={})
    s = requests.Session()
    s.params = {"tenant": "t1", "q": "session"}
    c = client_for(specs, s)
    c.call("schemes.none")
    c.call("schemes.none", q="mine")
    first, second = (x.request.url for x in mocked.calls)
    assert first == f"{API}/things?tenant=t1&q=session"
    assert second == f"{API}/things?q=mine&tenant=t1"


def test_session_params_are_signed_with_the_rest_of_the_url(specs, mocked):
    """They join the query before signing, so a signature over the query covers them."""
    import hashlib
    import hmac

    (specs / "schemes" / "operations" / "signed.yaml").write_text(
        "method: GET\npath: /things\nauth: none\nsigning: sig\n"
        'responses: {"200": {description: ok}}\n')
    mocked.get(f"{API}/things", json={})
    s = requests.Session()
    s.params = {"tenant": "t1"}
    client_for(specs, s).call("schemes.signed")
    msg = b"GET\n/v1/things\ntenant=t1\n"
    want = hmac.new(CREDS["SIGNKEY"].encode(), msg, hashlib.sha256).hexdigest()
    assert mocked.calls[0].request.headers["X-Signature"] == want


def test_session_auth_applies_where_the_spec_declares_none(specs, mocked):
    mocked.get(f"{API}/things", json={})
    s = requests.Session()
    s.auth = ("ann", "s3cret")
    c = client_for(specs, s)
    c.call("schemes.none")
    want = "Basic " + base64.b64encode(b"ann:s3cret").decode()
    assert mocked.calls[0].request.headers["Authorization"] == want
    c.call("schemes.bearer")  # the spec's own auth: the session's is not applied
    assert mocked.calls[1].request.headers["Authorization"] == f"Bearer {CREDS['TOKEN']}"


def test_a_session_auth_object_is_called_like_requests_calls_it(specs, mocked):
    mocked.get(f"{API}/things", json={})

    class Sign(requests.auth.AuthBase):
        def __call__(self, r):
            r.headers["X-Custom-Auth"] = f"{r.method} {r.url}"
            return r

    s = requests.Session()
    s.auth = Sign()
    client_for(specs, s).call("schemes.none", q="1")
    assert mocked.calls[0].request.headers["X-Custom-Auth"] == f"GET {API}/things?q=1"


def test_session_proxies_reach_the_adapter(specs, mocked):
    mocked.get(f"{API}/things", json={})
    s = RecordingSession()
    s.trust_env = False
    s.proxies = {"https": "http://proxy.internal:3128"}
    client_for(specs, s).call("schemes.none")
    assert s.sent[0][1]["proxies"] == {"https": "http://proxy.internal:3128"}


def test_session_verify_and_cert_reach_api_and_token_requests(specs, mocked):
    mocked.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600})
    mocked.get(f"{API}/things", json={})
    s = RecordingSession()
    s.verify = "/etc/corp-ca.pem"
    s.cert = ("/etc/client.pem", "/etc/client.key")
    client_for(specs, s).call("schemes.oauth_body")
    assert [u for u, _ in s.sent] == [TOKEN_URL, f"{API}/things"]
    for _, kw in s.sent:
        assert kw["verify"] == "/etc/corp-ca.pem"
        assert kw["cert"] == ("/etc/client.pem", "/etc/client.key")
        assert kw["allow_redirects"] is False


def test_a_mounted_adapter_answers(specs):
    class Canned(requests.adapters.BaseAdapter):
        def __init__(self):
            super().__init__()
            self.urls = []

        def send(self, request, **kwargs):
            self.urls.append(request.url)
            r = requests.Response()
            r.status_code = 200
            r.headers["Content-Type"] = "application/json"
            r.raw = __import__("io").BytesIO(b'{"canned": true}')
            r.url = request.url
            r.request = request
            return r

        def close(self):
            pass

    canned = Canned()
    s = requests.Session()
    s.mount(API, canned)
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        resp = client_for(specs, s).call("schemes.none")
    assert resp.data == {"canned": True} and canned.urls == [f"{API}/things"]
