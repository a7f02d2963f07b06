"""TLS and proxy settings of each request: chosen as requests would choose them, from the
session and the environment as they are at the time of the call.

``tls_settings`` and ``proxy_settings`` skip environment scans requests does (and throws away
or repeats); these tests hold them to requests' own answers (``merge_environment_settings``,
``resolve_proxies``) over many combinations, and check on a real socket that a request goes
through the proxy the environment or the session names, following changes between calls.
"""

from __future__ import annotations

import itertools

import pytest
import requests
from requests.utils import resolve_proxies
from support.faultserver import FaultServer

import specclient
from conftest import CREDS
from specclient.transport import environment as transport
from specclient.transport.environment import proxy_settings, tls_settings

PROXY_VARS = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
              "no_proxy", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "REQUEST_METHOD")


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch):
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


def _set_env(monkeypatch, env: dict[str, str | None]) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        if value is not None:
            monkeypatch.setenv(name, value)


def _requests_tls(session: requests.Session, url: str, verify):
    """The rule tls_settings had when it asked requests for everything (the reference)."""
    if verify is None and session.verify is not True:
        verify = session.verify
    merged = requests.Session.merge_environment_settings(session, url, {}, None, verify, None)
    return {"verify": merged["verify"], "cert": merged["cert"]}


def test_tls_settings_are_requests_own_in_every_combination(monkeypatch):
    url = "https://api.example.com/v1/x"
    count = 0
    for (session_verify, verify, trust_env, ca_env, curl_env, cert) in itertools.product(
            (True, False, "/etc/session-ca.pem"), (None, True, False, "/etc/call-ca.pem"),
            (True, False), (None, "/etc/requests-ca.pem"), (None, "/etc/curl-ca.pem"),
            (None, "/etc/client.pem", ("/etc/client.pem", "/etc/client.key"))):
        _set_env(monkeypatch, {"REQUESTS_CA_BUNDLE": ca_env, "CURL_CA_BUNDLE": curl_env,
                               "https_proxy": "http://proxy.invalid:3128"})
        session = requests.Session()
        session.verify, session.trust_env, session.cert = session_verify, trust_env, cert
        got = tls_settings(session, url, verify)
        assert got == _requests_tls(session, url, verify), (session_verify, verify, trust_env,
                                                           ca_env, curl_env, cert)
        count += 1
    assert count == 3 * 4 * 2 * 2 * 2 * 3


def test_tls_settings_follow_the_environment_and_the_session(monkeypatch):
    session = requests.Session()
    url = "https://api.example.com/"
    assert tls_settings(session, url, None) == {"verify": True, "cert": None}
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/curl-ca.pem")
    assert tls_settings(session, url, None)["verify"] == "/etc/curl-ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/requests-ca.pem")
    assert tls_settings(session, url, None)["verify"] == "/etc/requests-ca.pem"
    assert tls_settings(session, url, False)["verify"] is False  # never turned back on
    session.trust_env = False
    assert tls_settings(session, url, None)["verify"] is True
    session.trust_env = True
    session.verify = "/etc/session-ca.pem"  # the user's session setting wins over the env
    session.cert = "/etc/client.pem"
    assert tls_settings(session, url, None) == {"verify": "/etc/session-ca.pem",
                                                "cert": "/etc/client.pem"}
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE")
    session.verify = True
    assert tls_settings(session, url, None) == {"verify": True, "cert": "/etc/client.pem"}


def test_tls_settings_ask_a_session_class_with_its_own_rules():
    class Pinned(requests.Session):
        def merge_environment_settings(self, url, proxies, stream, verify, cert):
            merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
            merged.update(verify="/etc/pinned-ca.pem", cert=("/etc/c.pem", "/etc/c.key"))
            return merged

    assert tls_settings(Pinned(), "https://api.example.com/", None) == {
        "verify": "/etc/pinned-ca.pem", "cert": ("/etc/c.pem", "/etc/c.key")}


ENVS = [
    {},
    {"http_proxy": "http://lower.invalid:3128"},
    {"HTTP_PROXY": "http://upper.invalid:3128"},
    {"http_proxy": "http://lower.invalid:3128", "HTTP_PROXY": "http://upper.invalid:3128"},
    {"https_proxy": "http://tls.invalid:3128", "all_proxy": "socks5://all.invalid:1080"},
    {"ALL_PROXY": "socks5://all.invalid:1080"},
    {"http_proxy": "http://p.invalid:1", "https_proxy": "http://p.invalid:2",
     "no_proxy": "example.com"},
    {"http_proxy": "http://p.invalid:1", "https_proxy": "http://p.invalid:2",
     "NO_PROXY": "10.0.0.0/8, .example.org:8443"},
    {"http_proxy": "http://p.invalid:1", "no_proxy": "127.0.0.1"},
    {"http_proxy": "http://p.invalid:1", "no_proxy": "*"},
    {"http_proxy": "http://p.invalid:1", "no_proxy": ""},
    {"HTTP_PROXY": "http://cgi.invalid:1", "REQUEST_METHOD": "GET"},  # CVE-2016-1000110 rule
]
SESSION_PROXIES = [
    {},
    {"http": "http://session.invalid:8080"},
    {"https": "http://session.invalid:8443", "no_proxy": "api.example.com"},
    {"no_proxy": "127.0.0.1,10.1.2.3"},
    {"all": "http://session-all.invalid:8080"},
]
URLS = ["http://127.0.0.1:8080/v1/x", "https://api.example.com/v1/x?q=1",
        "http://10.1.2.3/x", "https://sub.example.org:8443/x", "https://sub.example.org/x",
        "http://[::1]:9000/x", "https://example.com.evil.invalid/x"]


def test_proxy_settings_are_requests_own_in_every_combination(monkeypatch):
    count = 0
    for env, session_proxies, url, trust_env in itertools.product(
            ENVS, SESSION_PROXIES, URLS, (True, False)):
        _set_env(monkeypatch, env)
        session = requests.Session()
        session.proxies.update(session_proxies)
        session.trust_env = trust_env
        wire = requests.PreparedRequest()
        wire.prepare(method="GET", url=url)
        want = resolve_proxies(wire, session.proxies, session.trust_env)
        assert proxy_settings(session, url) == want, (env, session_proxies, url, trust_env)
        count += 1
    assert count == len(ENVS) * len(SESSION_PROXIES) * len(URLS) * 2


def test_proxy_settings_copy_the_session_proxies(monkeypatch):
    session = requests.Session()
    session.proxies["http"] = "http://session.invalid:8080"
    monkeypatch.setenv("https_proxy", "http://env.invalid:3128")
    got = proxy_settings(session, "https://api.example.com/")
    assert got == {"http": "http://session.invalid:8080", "https": "http://env.invalid:3128"}
    assert session.proxies == {"http": "http://session.invalid:8080"}  # not written into


def _call(client: specclient.Client, base_url: str) -> specclient.Response:
    body = client.operation("thirdwatch.order_status").body.example
    return client.call("thirdwatch.order_status", body, base_url=base_url)


def test_requests_go_through_the_proxy_the_environment_names_now(monkeypatch):
    with FaultServer() as direct, FaultServer() as proxy, FaultServer() as other:
        client = specclient.Client(credentials=CREDS, timeout=5)
        # no proxy: straight to the server, in origin form
        assert _call(client, direct.url).data == {"status": "OK"}
        assert [s.path for s in direct.seen] == ["/v1/order_status"] and not proxy.seen

        # http_proxy set between two calls: the next call goes through it (absolute form)
        monkeypatch.setenv("http_proxy", proxy.url)
        assert _call(client, "http://api.localhost/event").data == {"status": "OK"}
        assert [s.path for s in proxy.seen] == ["http://api.localhost/event/v1/order_status"]
        assert proxy.seen[0].headers["X-THIRDWATCH-API-KEY"] == CREDS["THIRDWATCH_API_KEY"]

        # no_proxy names the host: straight there again
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        _call(client, direct.url)
        assert len(direct.seen) == 2 and len(proxy.seen) == 1

        # the session's own proxy wins over the environment's
        monkeypatch.delenv("no_proxy")
        client.session.proxies["http"] = other.url
        _call(client, "http://api.localhost/event")
        assert [s.path for s in other.seen] == ["http://api.localhost/event/v1/order_status"]
        assert len(proxy.seen) == 1

        # a session that does not trust the environment ignores it
        del client.session.proxies["http"]
        client.session.trust_env = False
        _call(client, direct.url)
        assert len(direct.seen) == 3 and len(proxy.seen) == 1 and len(other.seen) == 1
        client.close()


class _Counting:
    """Wraps transport._resolve_proxies, counting the lookups that were not remembered."""

    def __init__(self, monkeypatch, before=None):
        self.real = transport._resolve_proxies
        self.calls = 0
        self.before = before
        monkeypatch.setattr(transport, "_resolve_proxies", self)

    def __call__(self, proxies, url):
        self.calls += 1
        if self.before is not None:
            self.before()
        return self.real(proxies, url)


def test_remembered_proxies_follow_the_environment_and_the_session(monkeypatch):
    monkeypatch.setattr(transport, "_PROXY_CACHE", (None, {}))
    lookups = _Counting(monkeypatch)
    session = requests.Session()
    url = "http://api.example.com:8080/v1/x"

    def check(want: dict[str, str], calls: int) -> None:
        wire = requests.PreparedRequest()
        wire.prepare(method="GET", url=url)
        assert resolve_proxies(wire, session.proxies, session.trust_env) == want
        got = proxy_settings(session, url)
        assert got == want
        got["mutated"] = "by the caller"  # a copy: the remembered answer is not changed
        assert proxy_settings(session, url) == want
        assert lookups.calls == calls

    check({}, 1)
    check({}, 1)  # remembered
    monkeypatch.setenv("HTTP_PROXY", "http://env.invalid:3128")
    check({"http": "http://env.invalid:3128"}, 2)
    monkeypatch.setenv("http_proxy", "http://lower.invalid:3128")  # lower case wins
    check({"http": "http://lower.invalid:3128"}, 3)
    monkeypatch.setenv("NO_PROXY", ".example.com")
    check({}, 4)
    monkeypatch.delenv("NO_PROXY")
    check({"http": "http://lower.invalid:3128"}, 5)  # only the latest environment is kept
    session.proxies["http"] = "http://session.invalid:8080"  # changed in place
    check({"http": "http://session.invalid:8080"}, 6)
    session.proxies["no_proxy"] = "api.example.com"
    check({"http": "http://session.invalid:8080", "no_proxy": "api.example.com"}, 7)
    session.proxies.clear()
    session.trust_env = False  # nothing looked up, nothing remembered
    check({}, 7)
    session.trust_env = True
    check({"http": "http://lower.invalid:3128"}, 7)
    url = "http://other.example.com:8080/v1/x"  # another host: asked anew
    check({"http": "http://lower.invalid:3128"}, 8)
    url = "http://other.example.com:8080/v2/y?z=1"  # the same host: remembered
    check({"http": "http://lower.invalid:3128"}, 8)
    url = "https://other.example.com:8080/v2/y"  # another scheme: asked anew
    check({}, 9)


def test_an_answer_is_not_remembered_if_the_environment_changed_meanwhile(monkeypatch):
    monkeypatch.setattr(transport, "_PROXY_CACHE", (None, {}))
    url = "http://api.example.com/"
    session = requests.Session()
    lookups = _Counting(monkeypatch, before=lambda: monkeypatch.setenv(
        "http_proxy", "http://meanwhile.invalid:3128"))  # another thread, say
    assert proxy_settings(session, url) == {"http": "http://meanwhile.invalid:3128"}
    monkeypatch.delenv("http_proxy")  # the environment as it was when that call began
    lookups.before = None
    assert proxy_settings(session, url) == {}
    assert proxy_settings(session, url) == {}
    assert lookups.calls == 2


def test_proxies_are_not_remembered_where_the_system_settings_count(monkeypatch):
    """On Windows and macOS requests also reads the registry / system proxy settings, which
    can change while the environment stays the same: asked on every call there."""
    monkeypatch.setattr(transport, "_PROXY_CACHE", (None, {}))
    system = {"http": "http://system.invalid:8080"}
    monkeypatch.setattr(requests.utils, "getproxies", lambda: dict(system))
    lookups = _Counting(monkeypatch)
    session = requests.Session()
    assert proxy_settings(session, "http://api.example.com/") == system
    system["http"] = "http://changed.invalid:8080"
    assert proxy_settings(session, "http://api.example.com/") == system
    assert lookups.calls == 2
