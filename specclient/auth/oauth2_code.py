"""``type: oauth2`` with ``flow: authorization_code``: a person logs in once in a browser
(``specclient login SERVICE``), with PKCE (RFC 7636, S256) and a loopback redirect on
127.0.0.1 (RFC 8252); the access and refresh tokens are kept on disk, in a file only the user
may read, and the access token is refreshed with the refresh token when it runs out.

The token file is ``$SPECCLIENT_CONFIG_DIR/oauth2-tokens.json``, else
``$XDG_CONFIG_HOME/specclient/oauth2-tokens.json`` (``~/.config/specclient/...``): mode 0600
in a folder of mode 0700, written whole and renamed into place, one entry per (token URL,
client id, scopes). Every request — the code exchange and each refresh — goes through the
client's transport (:meth:`AuthContext.send`); no token is ever printed.

This module also registers ``type: oauth2`` itself (:class:`OAuth2`), which builds a
:class:`~specclient.auth.oauth2.OAuth2ClientCredentials` or an
:class:`OAuth2AuthorizationCode` by the declaration's ``flow``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from ..errors import AuthError
from ..request import Headers, PreparedRequest
from .base import SECRET, AuthContext, AuthScheme, Presented, register_auth
from .oauth2 import OAuth2ClientCredentials, lifetime_of, read_token_answer

__all__ = ["OAuth2", "OAuth2AuthorizationCode", "token_file", "pkce_pair", "TokenStore"]

FORM = "application/x-www-form-urlencoded"
CALLBACK = "/callback"


def token_file() -> str:
    """Where tokens are kept between runs."""
    base = os.environ.get("SPECCLIENT_CONFIG_DIR")
    if not base:
        config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"),
                                                                   ".config")
        base = os.path.join(config, "specclient")
    return os.path.join(base, "oauth2-tokens.json")


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge), RFC 7636: 64 random bytes, base64url."""
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(64)).rstrip(b"=").decode()
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class TokenStore:
    """The token file: entries keyed by (token URL, client id, scopes), read and written whole
    under a lock, the file 0600 and its folder 0700."""

    _lock = threading.Lock()

    def __init__(self, path: str | None = None):
        self.path = path or token_file()

    def _read(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._read().get(key)
        return entry if isinstance(entry, dict) else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        with self._lock:
            data = self._read()
            data[key] = entry
            folder = os.path.dirname(self.path)
            os.makedirs(folder, mode=0o700, exist_ok=True)
            tmp = f"{self.path}.{os.getpid()}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, indent=1, sort_keys=True)
            except BaseException:
                os.unlink(tmp)
                raise
            os.replace(tmp, self.path)


CODE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["flow", "authorization_url", "token_url", "client_id"],
    "properties": {
        "type": {"const": "oauth2"},
        "description": {"type": "string"},
        "flow": {"const": "authorization_code"},
        "authorization_url": {"type": "string", "pattern": "^https?://"},
        "token_url": {"type": "string", "pattern": "^https?://"},
        "client_id": SECRET,
        "client_secret": {**SECRET, "description": "Optional: a public client has none."},
        "scopes": {"oneOf": [{"type": "string"},
                             {"type": "array", "items": {"type": "string"}}]},
        "redirect_port": {"type": "integer", "minimum": 0, "maximum": 65535,
                          "description": "Port of the loopback redirect listener on "
                                         "127.0.0.1 (0, the default: any free port)."},
        "refresh_margin": {"type": "number", "minimum": 0},
    },
}


class OAuth2AuthorizationCode(AuthScheme):
    """The authorization-code flow with PKCE; tokens from ``specclient login``, kept on disk,
    refreshed with the refresh token."""

    type = "oauth2"
    flow = "authorization_code"
    challenge = 'Bearer realm="specclient-mock"'
    spec_schema = CODE_SCHEMA

    def __init__(self, name: str, decl: Mapping[str, Any], store: TokenStore | None = None):
        super().__init__(name, decl)
        scopes = decl.get("scopes", "")
        self.scope = " ".join(scopes) if isinstance(scopes, list) else str(scopes)
        self.store = store

    def token_store(self) -> TokenStore:
        """Where this scheme's tokens are kept: the one it was given, else the default file."""
        return self.store or TokenStore()

    def _key(self, ctx: AuthContext, client_id: str) -> str:
        return " ".join((ctx.url(self.decl["token_url"]), client_id, self.scope))

    # -- calls

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        client_id = ctx.secret(self.decl["client_id"])
        if ctx.dry_run:
            entry = self.token_store().get(self._key(ctx, client_id))
            token = entry["access_token"] if entry and isinstance(
                entry.get("access_token"), str) else "<token from specclient login>"
        else:
            token = self.token(ctx, client_id)
        request.add_secret(token, header="Authorization")
        request.headers["Authorization"] = f"Bearer {token}"

    def token(self, ctx: AuthContext, client_id: str) -> str:
        """The access token: the cached one while it lives, else one got with the refresh
        token; :class:`AuthError` when neither (log in first)."""
        key = self._key(ctx, client_id)
        mem = ctx.tokens.tokens.get((key, "", ""))
        if mem is not None and mem[1] > ctx.clock():
            return mem[0]
        with ctx.tokens.lock_for((key, "", "")):
            store = self.token_store()
            entry = store.get(key) or {}
            token = entry.get("access_token")
            expires = float(entry.get("expires_at", 0) or 0)
            if not (isinstance(token, str) and token and expires > ctx.clock()):
                refresh = entry.get("refresh_token")
                if not isinstance(refresh, str) or not refresh:
                    raise AuthError(f"{ctx.operation}: no OAuth2 token for {self.name!r}: run "
                                    f"`specclient login {ctx.operation.split('.')[0]}` first")
                form = {"grant_type": "refresh_token", "refresh_token": refresh}
                entry = self._token_request(ctx, client_id, form, refresh)
                store.put(key, entry)
                token, expires = entry["access_token"], entry["expires_at"]
            ctx.tokens.tokens[(key, "", "")] = (token, expires)
            return str(token)

    def should_retry(self, request: PreparedRequest, response: requests.Response,
                     ctx: AuthContext) -> bool:
        """After a 401: forget the access token (the refresh token stays) and try once more."""
        if response.status_code != 401:
            return False
        client_id = ctx.credentials.find(self.decl["client_id"])
        if client_id is None:
            return False
        key = self._key(ctx, client_id)
        with ctx.tokens.lock_for((key, "", "")):
            ctx.tokens.tokens.pop((key, "", ""), None)
            store = self.token_store()
            entry = store.get(key)
            sent = request.headers.get("Authorization", "")[7:]
            if entry and entry.get("access_token") == sent and entry.get("refresh_token"):
                store.put(key, {**entry, "expires_at": 0})
                return True
        return False

    # -- the token endpoint

    def _token_request(self, ctx: AuthContext, client_id: str, form: dict[str, str],
                       *hidden: str) -> dict[str, Any]:
        url = ctx.url(self.decl["token_url"])
        form = {**form, "client_id": client_id}
        secret_name = self.decl.get("client_secret")
        if secret_name:
            form["client_secret"] = ctx.secret(secret_name)
        req = PreparedRequest(ctx.operation, "POST", url, "", [],
                              Headers({"Accept": "application/json", "Content-Type": FORM}),
                              urlencode(list(form.items())).encode())
        for value in (*hidden, form.get("client_secret")):
            req.add_secret(value)
        where = f"{ctx.operation}: token request to {url}"
        try:
            resp = ctx.send(req)
        except requests.RequestException as exc:
            raise AuthError(f"{where} failed: {req.secrets.text(type(exc).__name__)}") from None
        payload = read_token_answer(where, req, resp)
        token = payload["access_token"]
        lifetime = lifetime_of(payload, 3600.0)
        margin = self.decl.get("refresh_margin")
        if margin is None:
            margin = min(300.0, max(30.0, lifetime * 0.1))
        entry: dict[str, Any] = {"access_token": token,
                                 "expires_at": ctx.clock() + lifetime - min(margin, lifetime / 2)}
        refresh = payload.get("refresh_token") or form.get("refresh_token")
        if isinstance(refresh, str) and refresh:
            entry["refresh_token"] = refresh
        return entry

    # -- logging in

    def login(self, ctx: AuthContext, *, open_browser: bool = True,
              show: Callable[[str], None] = print, wait: float = 300.0) -> None:
        """Run the flow: listen on 127.0.0.1, send the user to the authorization URL (a
        browser, or ``show`` prints it), take the code from the redirect, exchange it with the
        PKCE verifier and keep the tokens on disk."""
        client_id = ctx.secret(self.decl["client_id"])
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(24)
        got: dict[str, str] = {}
        done = threading.Event()

        from http.server import BaseHTTPRequestHandler, HTTPServer  # only to log in

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path != CALLBACK or query.get("state") != state:
                    self.send_response(400)
                    self.end_headers()
                    return
                got.update(query)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write(b"Logged in; you may close this window.\n")
                done.set()

            def log_message(self, *args: Any) -> None:
                return None

        server = HTTPServer(("127.0.0.1", int(self.decl.get("redirect_port", 0))), Handler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                  name="specclient-login", daemon=True)
        thread.start()
        try:
            redirect_uri = f"http://127.0.0.1:{server.server_address[1]}{CALLBACK}"
            params = {"response_type": "code", "client_id": client_id,
                      "redirect_uri": redirect_uri, "state": state,
                      "code_challenge": challenge, "code_challenge_method": "S256"}
            if self.scope:
                params["scope"] = self.scope
            url = self.decl["authorization_url"]
            url += ("&" if "?" in url else "?") + urlencode(params)
            show(f"Open this URL to log in:\n{url}")
            if open_browser:
                import webbrowser  # only when a browser is wanted (start-up)

                webbrowser.open(url)
            if not done.wait(wait):
                raise AuthError(f"{ctx.operation}: no redirect with a code within {wait:.0f} s")
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        if "code" not in got:
            why = got.get("error_description") or got.get("error") or "no code"
            raise AuthError(f"{ctx.operation}: the authorization server refused: {why}")
        entry = self._token_request(ctx, client_id, {
            "grant_type": "authorization_code", "code": got["code"],
            "redirect_uri": redirect_uri, "code_verifier": verifier}, got["code"], verifier)
        key = self._key(ctx, client_id)
        self.token_store().put(key, entry)
        ctx.tokens.tokens[(key, "", "")] = (entry["access_token"], entry["expires_at"])

    # -- the mock's side

    def check(self, presented: Presented) -> str | None:
        """The mock cannot log a person in: any bearer token is taken."""
        if presented.authorization("Bearer") is None:
            return "missing bearer token (Authorization: Bearer ...)"
        return None

    def check_client(self, presented: Presented, form: Mapping[str, Any]) -> str | None:
        return "the authorization_code flow is not mocked (log in against the real server)"

    def secret_names(self) -> list[str]:
        names = [self.decl["client_id"]]
        if self.decl.get("client_secret"):
            names.append(self.decl["client_secret"])
        return names

    def describe(self) -> str:
        scope = f", scopes {self.scope!r}" if self.scope else ""
        return (f"OAuth2 authorization code with PKCE at {self.decl['authorization_url']} "
                f"(tokens from {self.decl['token_url']}{scope}; `specclient login`)")


def _either_flow() -> dict[str, Any]:
    credentials = copy.deepcopy(OAuth2ClientCredentials.spec_schema)
    credentials["properties"].update({"type": {"const": "oauth2"},
                                      "description": {"type": "string"}})
    return {"if": {"properties": {"flow": {"const": "authorization_code"}},
                   "required": ["flow"]},
            "then": CODE_SCHEMA, "else": credentials}


@register_auth
class OAuth2(OAuth2ClientCredentials):
    """``type: oauth2``: the client-credentials grant (default) or, with ``flow:
    authorization_code``, an :class:`OAuth2AuthorizationCode`."""

    spec_schema = _either_flow()

    def __new__(cls, name: str, decl: Mapping[str, Any]) -> Any:
        if isinstance(decl, Mapping) and decl.get("flow") == "authorization_code":
            return OAuth2AuthorizationCode(name, decl)
        return super().__new__(cls)
