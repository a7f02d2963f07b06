"""Auth schemes, looked up by the ``type`` a service's YAML gives them.

A scheme is one small class: ``spec_schema`` (the JSON Schema of its YAML entry), ``apply``
(add what it must to a request being prepared) and, optionally, ``invalidate`` (forget cached
state after the API answered 401). Register it with :func:`register_auth`::

    @register_auth
    class Hawk(AuthScheme):
        type = "hawk"
        spec_schema = {...}
        def apply(self, request, ctx): ...
"""

from __future__ import annotations

import base64
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

import requests

from ..credentials import Credentials
from ..errors import AuthError
from ..request import PreparedRequest

__all__ = [
    "AUTH_TYPES",
    "AuthContext",
    "AuthScheme",
    "TokenCache",
    "follow_base_url",
    "url_origin",
    "register_auth",
]

SECRET = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
          "description": "The name of a secret, resolved at call time."}

AUTH_TYPES: dict[str, type[AuthScheme]] = {}

T = TypeVar("T", bound="type[AuthScheme]")


def register_auth(cls: T) -> T:
    """Class decorator: make ``cls`` available to specs as ``type: <cls.type>``."""
    AUTH_TYPES[cls.type] = cls
    return cls


@dataclass
class TokenCache:
    """Access tokens shared by every call of one client, keyed by (token URL, client id, scope).

    One lock per key makes sure that many threads needing the same token cause one fetch.
    """

    tokens: dict[tuple[str, str, str], tuple[str, float]] = field(default_factory=dict)
    locks: dict[tuple[str, str, str], threading.Lock] = field(default_factory=dict)
    guard: threading.Lock = field(default_factory=threading.Lock)
    fetches: int = 0

    def lock_for(self, key: tuple[str, str, str]) -> threading.Lock:
        with self.guard:
            lock = self.locks.get(key)
            if lock is None:
                lock = self.locks[key] = threading.Lock()
            return lock

    def __repr__(self) -> str:
        return f"<TokenCache: {len(self.tokens)} tokens, values hidden>"


def url_origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``, lower-cased, with the scheme's default port filled in:
    ``https://API.x.com/a`` and ``https://api.x.com:443/b`` have the same origin."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # not a number: no origin of ours has such a port
        port = -1
    return scheme, (parts.hostname or "").lower(), port or (443 if scheme == "https" else 80)


def follow_base_url(url: str, environments: Iterable[str], base_url: str | None) -> str:
    """Where an auth URL (an OAuth2 token URL) goes when the service's base URL is overridden.

    The rule: a URL on the same origin (scheme, host and port) as one of the service's
    environment base URLs moves with the override to the override's origin, keeping its path
    and query; any other URL (a separate identity provider) is left alone. So
    ``--base-url http://127.0.0.1:4010`` sends Ingram's token request, declared at
    ``https://api.ingrammicro.com:443/oauth/oauth30/token``, to
    ``http://127.0.0.1:4010/oauth/oauth30/token`` as well, and nothing leaves the machine.
    """
    if not base_url:
        return url
    if url_origin(url) not in {url_origin(env) for env in environments}:
        return url
    parts = urlsplit(url)
    new = urlsplit(base_url)
    return urlunsplit((new.scheme, new.netloc, parts.path, parts.query, ""))


@dataclass
class AuthContext:
    """What an auth scheme may use while preparing one call.

    ``rewrite_url`` maps a URL the scheme declares (a token URL) to where it is sent for this
    call (see :func:`follow_base_url`)."""

    operation: str
    credentials: Credentials
    session: requests.Session
    timeout: tuple[float, float]
    tokens: TokenCache
    dry_run: bool = False
    clock: Callable[[], float] = field(default=lambda: time.time())
    rewrite_url: Callable[[str], str] | None = None

    def secret(self, name: str) -> str:
        return self.credentials.get(name, self.operation)

    def url(self, declared: str) -> str:
        """Where a declared URL goes for this call."""
        return self.rewrite_url(declared) if self.rewrite_url is not None else declared


class AuthScheme:
    """Base class of auth schemes. Subclasses set ``type`` and ``spec_schema``."""

    type: ClassVar[str]
    spec_schema: ClassVar[dict[str, Any]] = {"additionalProperties": False}

    def __init__(self, name: str, decl: Mapping[str, Any]):
        self.name = name
        self.decl = decl

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:  # pragma: no cover
        raise NotImplementedError

    def invalidate(self, ctx: AuthContext) -> bool:
        """Forget any cached credential after a 401; True if a retry may now succeed."""
        return False

    def secret_names(self) -> list[str]:
        """Names of the secrets this scheme reads."""
        return []

    def describe(self) -> str:
        return self.type

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class _SecretQueryFilter(logging.Filter):
    """Masks the values of secret query parameters (``api_key=...``) in urllib3's DEBUG log
    of each request line, so that a key sent in the URL never reaches a log."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, name: str) -> None:
        if name not in self.names:
            self.names.add(name)
            alternatives = "|".join(sorted({re.escape(quote(n, safe="")) for n in self.names}
                                           | {re.escape(n) for n in self.names}))
            self._pattern = re.compile(rf"([?&](?:{alternatives})=)[^&\s\"#]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if self._pattern is not None:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                return True
            masked = self._pattern.sub(r"\1***", message)
            if masked != message:
                record.msg, record.args = masked, ()
        return True


_QUERY_FILTER = _SecretQueryFilter()
logging.getLogger("urllib3.connectionpool").addFilter(_QUERY_FILTER)


@register_auth
class NoAuth(AuthScheme):
    """``type: none`` — the operation needs no credentials."""

    type = "none"
    spec_schema = {"additionalProperties": False}

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        return None

    def describe(self) -> str:
        return "none"


@register_auth
class ApiKey(AuthScheme):
    """``type: api_key`` — a key in a header (optionally prefixed) or a query parameter."""

    type = "api_key"
    spec_schema = {
        "additionalProperties": False,
        "required": ["in", "name", "secret"],
        "properties": {
            "in": {"enum": ["header", "query"]},
            "name": {"type": "string", "minLength": 1},
            "secret": SECRET,
            "prefix": {"type": "string", "description": "e.g. 'Token ' before the key"},
        },
    }

    def __init__(self, name: str, decl: Mapping[str, Any]):
        super().__init__(name, decl)
        if decl.get("in") == "query":
            _QUERY_FILTER.add(decl["name"])

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        key = ctx.secret(self.decl["secret"])
        value = self.decl.get("prefix", "") + key
        if self.decl["in"] == "header":
            request.add_secret(key, header=self.decl["name"])
            request.headers[self.decl["name"]] = value
        else:
            request.add_secret(key, query=self.decl["name"])
            request.query = [(k, v) for k, v in request.query if k != self.decl["name"]]
            request.query.append((self.decl["name"], value))

    def secret_names(self) -> list[str]:
        return [self.decl["secret"]]

    def describe(self) -> str:
        return (f"API key {self.decl['secret']} in {self.decl['in']} "
                f"{self.decl['name']!r}")


@register_auth
class Bearer(AuthScheme):
    """``type: bearer`` — a static token sent as ``Authorization: Bearer <token>``."""

    type = "bearer"
    spec_schema = {
        "additionalProperties": False,
        "required": ["secret"],
        "properties": {"secret": SECRET},
    }

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        token = ctx.secret(self.decl["secret"])
        request.add_secret(token, header="Authorization")
        request.headers["Authorization"] = f"Bearer {token}"

    def secret_names(self) -> list[str]:
        return [self.decl["secret"]]

    def describe(self) -> str:
        return f"bearer token {self.decl['secret']}"


def basic_header(username: str, password: str) -> str:
    raw = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


@register_auth
class Basic(AuthScheme):
    """``type: basic`` — HTTP basic auth; username and password are both named secrets."""

    type = "basic"
    spec_schema = {
        "additionalProperties": False,
        "required": ["username", "password"],
        "properties": {"username": SECRET, "password": SECRET},
    }

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        user = ctx.secret(self.decl["username"])
        password = ctx.secret(self.decl["password"])
        header = basic_header(user, password)
        request.add_secret(password)
        request.add_secret(header, header="Authorization")
        request.headers["Authorization"] = header

    def secret_names(self) -> list[str]:
        return [self.decl["username"], self.decl["password"]]

    def describe(self) -> str:
        return f"HTTP basic {self.decl['username']} / {self.decl['password']}"


@register_auth
class OAuth2ClientCredentials(AuthScheme):
    """``type: oauth2`` — the client-credentials grant; the token is sent as a bearer token.

    Tokens are cached per (token URL, client id, scope), refreshed shortly before ``expires_in``
    runs out (a number or a numeric string), fetched once however many threads wait, and
    dropped after a 401 so that the call can be repeated once with a fresh one.
    """

    type = "oauth2"
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
        request.add_secret(token, header="Authorization")
        request.headers["Authorization"] = f"Bearer {token}"

    def token(self, ctx: AuthContext, client_id: str, client_secret: str) -> str:
        key = self._key(ctx, client_id)
        entry = ctx.tokens.tokens.get(key)
        if entry is not None and entry[1] > ctx.clock():
            return entry[0]
        with ctx.tokens.lock_for(key):
            entry = ctx.tokens.tokens.get(key)  # another thread may have fetched it meanwhile
            if entry is not None and entry[1] > ctx.clock():
                return entry[0]
            token, lifetime = self._fetch(ctx, client_id, client_secret)
            margin = self.decl.get("refresh_margin")
            if margin is None:
                margin = min(300.0, max(30.0, lifetime * 0.1))
            margin = min(margin, lifetime / 2)
            ctx.tokens.tokens[key] = (token, ctx.clock() + lifetime - margin)
            ctx.tokens.fetches += 1
            return token

    def _fetch(self, ctx: AuthContext, client_id: str, client_secret: str) -> tuple[str, float]:
        url = ctx.url(self.decl["token_url"])
        form = {"grant_type": "client_credentials"}
        auth = None
        if self.decl.get("client_auth", "body") == "basic":
            auth = (client_id, client_secret)
        else:
            form["client_id"] = client_id
            form["client_secret"] = client_secret
        if self.scope:
            form["scope"] = self.scope
        form.update(self.decl.get("extra", {}))
        where = f"{ctx.operation}: token request to {url}"

        def clean(text: str) -> str:
            """``text`` without the client secret or id, as given or form/URL-encoded."""
            for secret in (basic_header(client_id, client_secret), client_secret, client_id):
                for form in {secret, quote_plus(secret), quote(secret, safe="")}:
                    text = text.replace(form, "***")
            return text

        try:
            resp = ctx.session.post(
                url, data=form, auth=auth, timeout=ctx.timeout,
                headers={"Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise AuthError(f"{where} failed: {clean(type(exc).__name__ + ': ' + str(exc))}") \
                from None
        if resp.status_code >= 400:
            detail = clean(resp.text.strip()[:300]) or "(empty body)"
            raise AuthError(f"{where} failed: HTTP {resp.status_code}: {detail}")
        try:
            payload = resp.json()
            token = payload["access_token"]
            if not isinstance(token, str) or not token:
                raise ValueError("access_token is not a non-empty string")
        except (ValueError, KeyError, TypeError) as exc:
            raise AuthError(f"{where} returned no usable access_token ({type(exc).__name__}: "
                            f"{clean(str(exc))[:200]})") from None
        lifetime = payload.get("expires_in")
        try:
            lifetime = float(lifetime) if lifetime not in (None, "") else self.DEFAULT_LIFETIME
        except (TypeError, ValueError):
            lifetime = self.DEFAULT_LIFETIME
        if not math.isfinite(lifetime) or lifetime <= 0:
            lifetime = self.DEFAULT_LIFETIME
        return token, lifetime

    def invalidate(self, ctx: AuthContext) -> bool:
        client_id = ctx.credentials.find(self.decl["client_id"])
        if client_id is None:
            return False
        ctx.tokens.tokens.pop(self._key(ctx, client_id), None)
        return True

    def secret_names(self) -> list[str]:
        return [self.decl["client_id"], self.decl["client_secret"]]

    def describe(self) -> str:
        scope = f", scope {self.scope!r}" if self.scope else ""
        return (f"OAuth2 client credentials from {self.decl['token_url']} "
                f"({self.decl['client_id']} / {self.decl['client_secret']}{scope})")
