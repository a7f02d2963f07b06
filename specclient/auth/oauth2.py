"""``type: oauth2``: the client-credentials grant, its tokens fetched through the client's one
transport and cached per client."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import requests

from ..errors import AuthError
from ..request import Headers, PreparedRequest
from .base import (
    SECRET,
    AuthContext,
    AuthFlow,
    AuthScheme,
    Presented,
    register_auth,
    same_secret,
)
from .static import basic_header

__all__ = ["OAuth2ClientCredentials", "TokenFetch"]

FORM = "application/x-www-form-urlencoded"


@register_auth
class OAuth2ClientCredentials(AuthScheme):
    """``type: oauth2`` — the client-credentials grant; the token is sent as a bearer token.

    Tokens are cached per (token URL, client id, scope), refreshed shortly before ``expires_in``
    runs out (a number or a numeric string), and fetched once however many threads wait. The
    token request goes through the client's one transport (:meth:`AuthContext.send`): same
    TLS, proxies, session and timeout as the call, and it never follows a redirect. After a
    401, :meth:`should_retry` drops the token that request carried — only if it is still the
    cached one (compare-and-drop: a token another thread fetched meanwhile is kept) — and the
    call is sent once more with a fresh one.
    """

    type = "oauth2"
    challenge = 'Bearer realm="specclient-mock"'
    spec_schema = {
        "additionalProperties": False,
        "required": ["token_url", "client_id", "client_secret"],
        "properties": {
            "flow": {"const": "client_credentials"},
            "token_url": {"type": "string", "pattern": "^https?://"},
            "client_id": SECRET,
            "client_secret": SECRET,
            "client_auth": {"enum": ["body", "basic"],
                            "description": "Send the client id/secret in the form body "
                                           "(default) or as HTTP basic auth."},
            "scope": {"oneOf": [{"type": "string"},
                                {"type": "array", "items": {"type": "string"}}]},
            "extra": {"type": "object", "additionalProperties": {"type": "string"},
                      "description": "More form fields for the token request."},
            "refresh_margin": {"type": "number", "minimum": 0,
                               "description": "Seconds before expiry to fetch a new token "
                                              "(default: 10% of its lifetime, 30 to 300)."},
        },
    }
    DEFAULT_LIFETIME = 3600.0

    def __init__(self, name: str, decl: Mapping[str, Any]):
        super().__init__(name, decl)
        scope = decl.get("scope", "")
        self._scope: str = " ".join(scope) if isinstance(scope, list) else scope

    @property
    def scope(self) -> str:
        return self._scope

    def _key(self, ctx: AuthContext, client_id: str) -> tuple[str, str, str]:
        return (ctx.url(self.decl["token_url"]), client_id, self.scope)

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        client_id = ctx.secret(self.decl["client_id"])
        client_secret = ctx.secret(self.decl["client_secret"])
        request.add_secret(client_secret)
        if ctx.dry_run:
            cached = ctx.tokens.tokens.get(self._key(ctx, client_id))
            token = cached[0] if cached else f"<token from {ctx.url(self.decl['token_url'])}>"
        else:
            token = self.token(ctx, client_id, client_secret)
        self._present(request, token)

    def flow(self, request: PreparedRequest, ctx: AuthContext) -> AuthFlow:
        """:meth:`apply` for a driver that does the I/O (the async client): yields a
        :class:`TokenFetch` when the token must be fetched and is sent the token back."""
        if ctx.dry_run:
            self.apply(request, ctx)
            return
        client_id = ctx.secret(self.decl["client_id"])
        client_secret = ctx.secret(self.decl["client_secret"])
        request.add_secret(client_secret)
        fetch = TokenFetch(self, ctx, client_id, client_secret)
        token = fetch.cached()
        if token is None:
            token = yield fetch
        self._present(request, token)

    @staticmethod
    def _present(request: PreparedRequest, token: str) -> None:
        request.add_secret(token, header="Authorization")
        request.headers["Authorization"] = f"Bearer {token}"

    def token(self, ctx: AuthContext, client_id: str, client_secret: str) -> str:
        """The cached token, else one fetched now: once, however many threads ask."""
        fetch = TokenFetch(self, ctx, client_id, client_secret)
        token = fetch.cached()
        if token is not None:
            return token
        with ctx.tokens.lock_for(fetch.key):
            token = fetch.cached()  # another thread may have fetched it meanwhile
            if token is not None:
                return token
            req = fetch.request()
            try:
                resp = ctx.send(req)
            except requests.RequestException as exc:
                raise fetch.failed(req, exc) from None
            return fetch.accept(req, resp)

    def token_request(self, ctx: AuthContext, client_id: str,
                      client_secret: str) -> PreparedRequest:
        """The token request (client-credentials grant), its secrets registered."""
        url = ctx.url(self.decl["token_url"])
        form = {"grant_type": "client_credentials"}
        headers = Headers({"Accept": "application/json", "Content-Type": FORM})
        basic = None
        if self.decl.get("client_auth", "body") == "basic":
            basic = basic_header(client_id, client_secret)
            headers["Authorization"] = basic
        else:
            form["client_id"] = client_id
            form["client_secret"] = client_secret
        if self.scope:
            form["scope"] = self.scope
        form.update(self.decl.get("extra", {}))
        req = PreparedRequest(ctx.operation, "POST", url, "", [], headers,
                              urlencode(list(form.items())).encode())
        for secret in (client_secret, client_id, basic):
            req.add_secret(secret)
        if basic is not None:
            req.add_secret(basic, header="Authorization")
        return req

    def token_from(self, ctx: AuthContext, req: PreparedRequest,
                   resp: requests.Response) -> tuple[str, float]:
        """(token, lifetime in seconds) from the token endpoint's answer; :class:`AuthError`
        (secrets hidden) for a redirect, an error status or no usable ``access_token``."""
        payload = read_token_answer(f"{ctx.operation}: token request to {req.url}", req, resp)
        return payload["access_token"], lifetime_of(payload, self.DEFAULT_LIFETIME)

    def should_retry(self, request: PreparedRequest, response: requests.Response,
                     ctx: AuthContext) -> bool:
        """After a 401: drop the token ``request`` carried if it is still the cached one
        (never a newer one another thread fetched meanwhile), and ask for one more round."""
        if response.status_code != 401:
            return False
        client_id = ctx.credentials.find(self.decl["client_id"])
        if client_id is None:
            return False
        sent = request.headers.get("Authorization", "")
        token = sent[7:] if sent.startswith("Bearer ") else None
        key = self._key(ctx, client_id)
        with ctx.tokens.lock_for(key):  # not while another thread is fetching this key
            entry = ctx.tokens.tokens.get(key)
            if entry is not None and entry[0] == token:
                del ctx.tokens.tokens[key]
        return True

    def check(self, presented: Presented) -> str | None:
        """An API request: a live bearer token issued by this scheme's token endpoint."""
        token = presented.authorization("Bearer")
        if token is None:
            return "missing bearer token (Authorization: Bearer ...)"
        issued = presented.token_info(token)
        if issued is None:
            return f"bearer token was not issued by this mock's token endpoint " \
                   f"({self.decl['token_url']})"
        token_url, expires = issued
        if token_url != self.decl["token_url"]:
            return f"bearer token was issued by another token endpoint ({token_url})"
        if expires <= presented.now:
            return "bearer token has expired"
        return None

    def check_client(self, presented: Presented, form: Mapping[str, Any]) -> str | None:
        """A token request (``form``: its decoded body): this scheme's client id and secret,
        where ``client_auth`` puts them."""
        id_name, secret_name = self.decl["client_id"], self.decl["client_secret"]
        if self.decl.get("client_auth", "body") == "basic":
            pair = presented.basic_pair()
            if pair is None:
                return "client credentials expected as HTTP basic auth (client_auth: basic)"
            client_id, client_secret = pair
        else:
            client_id, client_secret = form.get("client_id"), form.get("client_secret")
            if not isinstance(client_id, str) or not isinstance(client_secret, str) \
                    or not client_id or not client_secret:
                return "client_id and client_secret expected in the form body (client_auth: body)"
        if not (same_secret(client_id, presented.configured(id_name))
                and same_secret(client_secret, presented.configured(secret_name))):
            return f"wrong client credentials (not {id_name} / {secret_name})"
        return None

    def secret_names(self) -> list[str]:
        return [self.decl["client_id"], self.decl["client_secret"]]

    def describe(self) -> str:
        scope = f", scope {self.scope!r}" if self.scope else ""
        return (f"OAuth2 client credentials from {self.decl['token_url']} "
                f"({self.decl['client_id']} / {self.decl['client_secret']}{scope})")


def read_token_answer(where: str, req: PreparedRequest,
                      resp: requests.Response) -> dict[str, Any]:
    """A token endpoint's JSON answer, which has a usable ``access_token``; :class:`AuthError`
    (secrets hidden) for a redirect (token requests never follow one), an error status, or
    no usable token. Shared by every OAuth2 flow."""
    clean = req.secrets.text  # the id, the secret and the basic header, as sent
    if 300 <= resp.status_code < 400:
        location = resp.headers.get("Location")
        to = f" to {req.secrets.url(location)}" if location else ""
        raise AuthError(f"{where} was answered HTTP {resp.status_code} (a redirect{to}); "
                        f"token requests never follow redirects: check token_url")
    if resp.status_code >= 400:
        detail = clean(resp.text.strip()[:2000])[:300] or "(empty body)"
        raise AuthError(f"{where} failed: HTTP {resp.status_code}: {detail}")
    try:
        payload = resp.json()
        token = payload["access_token"]
        if not isinstance(token, str) or not token:
            raise ValueError("access_token is not a non-empty string")
    except (ValueError, KeyError, TypeError) as exc:
        raise AuthError(f"{where} returned no usable access_token ({type(exc).__name__}: "
                        f"{clean(str(exc))[:200]})") from None
    return payload  # type: ignore[no-any-return]


def lifetime_of(payload: Mapping[str, Any], default: float) -> float:
    """A token's lifetime in seconds from ``expires_in`` (a number or a numeric string);
    ``default`` when it is missing or unusable."""
    value = payload.get("expires_in")
    try:
        lifetime = float(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default
    return lifetime if math.isfinite(lifetime) and lifetime > 0 else default


class TokenFetch:
    """One token a call needs and the cache lacks: everything about fetching it except the
    I/O, so the blocking and the async client fetch alike (the driver holds the key's lock,
    re-checks :meth:`cached`, sends :meth:`request` and hands the answer to :meth:`accept`)."""

    __slots__ = ("scheme", "ctx", "client_id", "client_secret", "key")

    def __init__(self, scheme: OAuth2ClientCredentials, ctx: AuthContext, client_id: str,
                 client_secret: str):
        self.scheme = scheme
        self.ctx = ctx
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = scheme._key(ctx, client_id)

    def cached(self) -> str | None:
        """The cached token while it is fresh, else None."""
        entry = self.ctx.tokens.tokens.get(self.key)
        if entry is not None and entry[1] > self.ctx.clock():
            return entry[0]
        return None

    def request(self) -> PreparedRequest:
        return self.scheme.token_request(self.ctx, self.client_id, self.client_secret)

    def failed(self, req: PreparedRequest, exc: BaseException) -> AuthError:
        """The error for a token request that got no answer (secrets hidden)."""
        return AuthError(f"{self.ctx.operation}: token request to {req.url} failed: "
                         f"{req.secrets.text(type(exc).__name__ + ': ' + str(exc))}")

    def accept(self, req: PreparedRequest, resp: requests.Response) -> str:
        """The token from the answer, cached until shortly before it expires."""
        token, lifetime = self.scheme.token_from(self.ctx, req, resp)
        margin = self.scheme.decl.get("refresh_margin")
        if margin is None:
            margin = min(300.0, max(30.0, lifetime * 0.1))
        margin = min(margin, lifetime / 2)
        self.ctx.tokens.tokens[self.key] = (token, self.ctx.clock() + lifetime - margin)
        self.ctx.tokens.fetches += 1
        return token

    def __repr__(self) -> str:
        return "<TokenFetch (values hidden)>"
