"""OAuth2 authorization code with PKCE, offline: a fake authorization server on 127.0.0.1 (in a
thread) sends the code to the loopback redirect, checks the PKCE verifier against the
challenge, issues access and refresh tokens and later refreshes; the tokens are kept in a 0600
file, a second run uses them with no authorization request, and an expired one is refreshed."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import threading
import webbrowser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import yaml

import specclient
from specclient.cli import main

CLIENT_ID = "login-client-7"


class FakeAuthServer:
    def __init__(self):
        self.log: list[str] = []
        self.challenges: dict[str, str] = {}
        self.redirects: dict[str, str] = {}
        self.issued = 0
        self.live: set[str] = set()
        self.refresh: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status, body=b"", headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/authorize":
                    fake.log.append("authorize")
                    assert q["response_type"] == "code" and q["client_id"] == CLIENT_ID
                    assert q["code_challenge_method"] == "S256" and q["scope"] == "read write"
                    assert q["redirect_uri"].startswith("http://127.0.0.1:")
                    code = f"code-{len(fake.challenges)}"
                    fake.challenges[code] = q["code_challenge"]
                    fake.redirects[code] = q["redirect_uri"]
                    to = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]})
                    return self._reply(302, headers=[("Location", to)])
                if parts.path == "/me":
                    auth = self.headers.get("Authorization", "")
                    fake.log.append(f"me {auth}")
                    if auth[7:] in fake.live:
                        return self._reply(200, b'{"name": "ann"}',
                                           [("Content-Type", "application/json")])
                    return self._reply(401)
                return self._reply(404)

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                fake.log.append(f"token {form['grant_type']}")
                assert form["client_id"] == CLIENT_ID
                if form["grant_type"] == "authorization_code":
                    code = form["code"]
                    digest = hashlib.sha256(form["code_verifier"].encode()).digest()
                    good = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                    if fake.challenges.pop(code, None) != good or \
                            fake.redirects[code] != form["redirect_uri"]:
                        return self._reply(400, b'{"error": "invalid_grant"}')
                elif form["grant_type"] == "refresh_token":
                    if form["refresh_token"] not in fake.refresh:
                        return self._reply(400, b'{"error": "invalid_grant"}')
                else:
                    return self._reply(400)
                fake.issued += 1
                access, refresh = f"at-{fake.issued}", f"rt-{fake.issued}"
                fake.live.add(access)
                fake.refresh.add(refresh)
                payload = {"access_token": access, "refresh_token": refresh,
                           "token_type": "Bearer", "expires_in": 3600}
                return self._reply(200, json.dumps(payload).encode(),
                                   [("Content-Type", "application/json")])

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def browser(text_or_url: str) -> None:
    """The user's browser: follows the authorization URL (and its redirect) in a thread."""
    url = text_or_url.split("\n")[-1]
    threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 5},
                     daemon=True).start()


@pytest.fixture
def setup(tmp_path, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("SPECCLIENT_CONFIG_DIR", str(config))
    with FakeAuthServer() as fake:
        svc = tmp_path / "specs" / "acme"
        (svc / "operations").mkdir(parents=True)
        (svc / "service.yaml").write_text(yaml.safe_dump({
            "environments": {"local": fake.url},
            "auth": {"login": {"type": "oauth2", "flow": "authorization_code",
                               "authorization_url": fake.url + "/authorize",
                               "token_url": fake.url + "/token",
                               "client_id": "ACME_CLIENT_ID", "scopes": ["read", "write"],
                               "redirect_port": 0}},
            "defaults": {"auth": "login"}}))
        (svc / "operations" / "me.yaml").write_text(yaml.safe_dump({
            "method": "GET", "path": "/me",
            "responses": {"200": {"content_type": "application/json"}}}))
        yield fake, tmp_path / "specs", config / "oauth2-tokens.json"


def _client(specs):
    return specclient.Client(spec_dirs=[str(specs)], include_bundled=False,
                             credentials={"ACME_CLIENT_ID": CLIENT_ID})


def test_login_then_cached_then_refreshed(setup):
    fake, specs, token_file = setup
    with _client(specs) as client:
        with pytest.raises(specclient.AuthError, match="specclient login acme"):
            client.call("acme.me")
        client.login("acme", open_browser=False, show=browser, wait=10)
        assert fake.log == ["authorize", "token authorization_code"]
        # the token file: the user's only, with both tokens
        assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(token_file.parent).st_mode) == 0o700
        saved = json.loads(token_file.read_text())
        (key, entry), = saved.items()
        assert key == f"{fake.url}/token {CLIENT_ID} read write"
        assert (entry["access_token"], entry["refresh_token"]) == ("at-1", "rt-1")
        assert client.call("acme.me").data == {"name": "ann"}
    assert fake.log[-1] == "me Bearer at-1"
    # a second run: the token from disk, no authorization request, no token request
    fake.log.clear()
    with _client(specs) as client:
        assert client.call("acme.me").status_code == 200
        req = client.prepare("acme.me")
        assert "at-1" not in repr(req) and req.redacted()["headers"]["Authorization"] == "***"
    assert fake.log == ["me Bearer at-1"]
    # expired: refreshed with the refresh token, the file updated
    saved[key]["expires_at"] = 0
    token_file.write_text(json.dumps(saved))
    fake.log.clear()
    with _client(specs) as client:
        assert client.call("acme.me").status_code == 200
    assert fake.log == ["token refresh_token", "me Bearer at-2"]
    entry = json.loads(token_file.read_text())[key]
    assert (entry["access_token"], entry["refresh_token"]) == ("at-2", "rt-2")
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600


def test_a_rejected_token_is_refreshed_once(setup):
    fake, specs, token_file = setup
    with _client(specs) as client:
        client.login("acme", open_browser=False, show=browser, wait=10)
        fake.live.clear()  # the server revoked at-1
        fake.log.clear()
        assert client.call("acme.me").status_code == 200
    assert fake.log == ["me Bearer at-1", "token refresh_token", "me Bearer at-2"]


def test_the_shell_login_opens_the_browser_and_never_prints_a_token(setup, monkeypatch,
                                                                   capsys):
    fake, specs, token_file = setup
    monkeypatch.setenv("ACME_CLIENT_ID", CLIENT_ID)
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: (opened.append(url), browser(url)))
    code = main(["--specs", str(specs), "login", "acme", "--wait", "10"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert opened and opened[0].startswith(fake.url + "/authorize?response_type=code")
    assert "logged in to acme" in err
    assert "at-1" not in out + err and "rt-1" not in out + err
    assert json.loads(token_file.read_text())  # kept
    code = main(["--specs", str(specs), "call", "acme.me"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out) == {"name": "ann"}
    assert fake.log.count("authorize") == 1


def test_no_browser_prints_the_url_and_a_wrong_verifier_is_refused(setup, monkeypatch):
    fake, specs, _ = setup
    import specclient.auth.oauth2_code as code_flow

    monkeypatch.setattr(code_flow, "pkce_pair", lambda: ("wrong-verifier", "A" * 43))
    with _client(specs) as client:
        with pytest.raises(specclient.AuthError, match="invalid_grant"):
            client.login("acme", open_browser=False, show=browser, wait=10)
