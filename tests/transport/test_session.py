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
    """Records the keyword arguments of every ``send``: a session class with a ``send`` of its
    own (a cache, a recorder) is asked to send, as ``requests`` would ask it."""

    def __init__(self):
        super().__init__()
        self.sent: list[tuple[str, dict]] = []

    def send(self, request, **kwargs):
        self.sent.append((request.url, kwargs))
        return super().send(request, **kwargs)


class RecordingAdapter(requests.adapters.HTTPAdapter):
    """Records what the adapter is given (a plain session's requests reach it directly)."""

    def __init__(self):
        super().__init__()
        self.sent: list[tuple[str, dict]] = []

    def send(self, request, **kwargs):
        self.sent.append((request.url, kwargs))
        return super().send(request, **kwargs)


def recording_session() -> tuple[requests.Session, RecordingAdapter]:
    s = requests.Session()
    adapter = RecordingAdapter()
    s.mount("https://", adapter)
    return s, adapter


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


@pytest.mark.parametrize("own_send", [False, True], ids=["session", "session-with-own-send"])
def test_session_proxies_reach_the_adapter(specs, mocked, own_send):
    mocked.get(f"{API}/things", json={})
    s, adapter = recording_session()
    if own_send:
        s = RecordingSession()
        s.mount("https://", adapter)
    s.trust_env = False
    s.proxies = {"https": "http://proxy.internal:3128"}
    resp = client_for(specs, s).call("schemes.none")
    assert adapter.sent[0][1]["proxies"] == {"https": "http://proxy.internal:3128"}
    assert adapter.sent[0][1]["stream"] is True and adapter.sent[0][1]["timeout"]
    assert resp.http.elapsed.total_seconds() > 0  # as Session.send sets it


@pytest.mark.parametrize("own_send", [False, True], ids=["session", "session-with-own-send"])
def test_session_verify_and_cert_reach_api_and_token_requests(specs, mocked, own_send):
    mocked.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600})
    mocked.get(f"{API}/things", json={})
    s, adapter = recording_session()
    if own_send:
        s = RecordingSession()
        s.mount("https://", adapter)
    s.verify = "/etc/corp-ca.pem"
    s.cert = ("/etc/client.pem", "/etc/client.key")
    client_for(specs, s).call("schemes.oauth_body")
    assert [u for u, _ in adapter.sent] == [TOKEN_URL, f"{API}/things"]
    for _, kw in adapter.sent:
        assert kw["verify"] == "/etc/corp-ca.pem"
        assert kw["cert"] == ("/etc/client.pem", "/etc/client.key")
    if own_send:  # the session's own send is asked, never to follow a redirect
        assert [u for u, _ in s.sent] == [TOKEN_URL, f"{API}/things"]
        assert all(kw["allow_redirects"] is False for _, kw in s.sent)


def test_a_session_with_its_own_send_gets_a_redirect_refused_not_a_crash(specs, mocked):
    """Its ``Session.send`` works out the next hop even when not following, which needs the
    request's cookie jar: a 3xx to another origin is a RedirectError, nothing followed."""
    mocked.get(f"{API}/things", status=302, headers={"Location": "https://elsewhere.test/x"})
    s = RecordingSession()
    s.cookies.set("pref", "dark", domain="api.example.test", path="/")
    with pytest.raises(specclient.RedirectError) as err:
        client_for(specs, s).call("schemes.none")
    assert err.value.status == 302 and len(mocked.calls) == 1
    assert mocked.calls[0].request.headers["Cookie"] == "pref=dark"


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


def test_the_clients_own_session_sends_cookies_once_any_is_set(specs, mocked):
    """Its jar skips the cookie work only while no cookie was ever set in it."""
    mocked.get(f"{API}/things", json={}, headers={"Set-Cookie": "sid=abc; Path=/"})
    c = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    c.call("schemes.none")
    assert "Cookie" not in mocked.calls[0].request.headers
    c.call("schemes.none")
    assert mocked.calls[1].request.headers["Cookie"] == "sid=abc"
    fresh = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    fresh.session.cookies.set("pref", "dark", domain="api.example.test", path="/")
    fresh.call("schemes.none")
    assert mocked.calls[2].request.headers["Cookie"] == "pref=dark"
    other = specclient.Client([specs], credentials=CREDS, include_bundled=False)
    other.session.cookies.update({"k": "v"})
    other.call("schemes.none")
    assert mocked.calls[3].request.headers["Cookie"] == "k=v"
