"""The built-in mock: the loaded specs, played back as the API they describe.

One request-handling core, :class:`MockApp`, serves two transports:

- :class:`MockAdapter`, a ``requests`` transport adapter. ``Client(mock=True)`` mounts it on its
  session for ``http://`` and ``https://``, so nothing reaches the network;
- :class:`MockServer`, a real HTTP server on a loopback address (``specclient mock``), so curl
  or a client in any language can be pointed at it, like Stoplight Prism.

A request is routed by method and path template across every loaded service's environments
(``https://api.ingrammicro.com:443/sandbox/resellers/...``), or by its path alone when it came
to some other address (a base-URL override, the loopback server). It is then checked the way
the real API would check it, in this order, and refused with the status the real API would
give:

1. route: no operation at that path -> 404; the path exists for other methods -> 405;
2. auth, for each scheme the operation declares (looked up by ``type`` in :data:`AUTH_CHECKS`):
   ``api_key`` present, and equal to the configured secret when one is configured; ``bearer``
   and ``basic`` likewise; ``oauth2`` tokens must be ones this mock issued and not expired
   -> 401 with the reason;
3. the body's media type (415) and syntax (400);
4. each declared signature, recomputed with :meth:`Signer.verify` -> 401 with the reason;
5. parameters (required headers, query and path values and their schemas) and the body schema
   -> 422 with every violation at its JSON path (``body.resource[0].lines``).

An accepted request gets the operation's success response: its declared example, else one
generated from its schema (:func:`specclient.schema.examples.example_for`), with its content type;
an empty body when the response declares neither (Ingram's ``200``). ``Prefer: code=500``
picks another declared response instead.

The token URL of every ``oauth2`` scheme is mocked too: ``POST`` with
``grant_type=client_credentials`` and the client id and secret where the scheme declares them
(form body, or HTTP basic with ``client_auth: basic``) gets a fresh token with ``expires_in``.

Secrets: a secret the mock compares against (API key, client id/secret, basic password) is
checked for equality only when it is configured (``credentials=`` or the environment), else
merely for presence. A signing secret that is not configured is the demo value
:func:`demo_secret` gives — the value ``Client(mock=True)`` signs with when it has none either.
No secret value is ever logged or sent back.

Observing requests: ``MockApp(catalog, on_request=callback)`` calls ``callback`` with a
:class:`MockExchange` for every request answered (by either transport): the request as
received, the reply, and the verdict line. It runs in the thread serving the request, after
the verdict and *before* the reply is sent, so a callback that blocks holds the reply back
(a test can keep a request surely in flight that way). An exception it raises is logged and
changes nothing.
"""

from __future__ import annotations

import base64
import hmac
import io
import json
import logging
import re
import secrets as _secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO
from urllib.parse import parse_qsl, unquote, urlsplit

import requests
import urllib3
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from ..auth import AuthScheme, url_origin
from ..credentials import Credentials
from ..errors import SpecClientError, Violation, WebhookVerificationError
from ..model import Operation, ResponseSpec, is_json
from ..redaction import Redactor
from ..schema.coerce import param_value
from ..schema.examples import example_for
from ..schema.operation import OperationValidators
from ..spec.catalog import Catalog

__all__ = [
    "MockApp",
    "MockAdapter",
    "MockReply",
    "MockExchange",
    "MockServer",
    "DemoCredentials",
    "demo_secret",
    "AUTH_CHECKS",
    "register_auth_check",
    "format_verdict",
    "TOKEN_LIFETIME",
]

log = logging.getLogger("specclient.mock")

#: Seconds an issued OAuth2 token stays valid (sent as ``expires_in``).
TOKEN_LIFETIME = 3600
FORM = "application/x-www-form-urlencoded"


def demo_secret(name: str, decode: str = "utf8") -> str:
    """The demo value of secret ``name`` (``INGRAM_WEBHOOK_SECRET`` ->
    ``demo-ingram-webhook-secret``): what the mock uses when no real value is configured.
    For a signing secret declared ``decode: base64`` or ``hex`` it is that text so encoded,
    so that it decodes to a key."""
    text = "demo-" + name.lower().replace("_", "-")
    if decode == "base64":
        return base64.b64encode(text.encode()).decode("ascii")
    if decode == "hex":
        return text.encode().hex()
    return text


class DemoCredentials(Credentials):
    """Credentials that fall back to a demo value (``demo(name)``, by default
    :func:`demo_secret`) for any secret without a value.

    ``Client(mock=True)`` uses these: real values are used when given (nothing leaves the
    machine anyway), and a call needs no account at all.
    """

    def __init__(self, base: Credentials, demo: Callable[[str], str] = demo_secret):
        super().__init__({}, {}, file=False)
        self._base = base
        self._demo = demo

    def find_all(self, name: str) -> list[str]:
        return self._base.find_all(name) or [self._demo(name)]

    def __repr__(self) -> str:
        return "<DemoCredentials: real values where given, demo values otherwise; values hidden>"


# --------------------------------------------------------------------------- replies


@dataclass
class MockReply:
    """The mock's answer, and its verdict: which ``operation`` (or token endpoint) the request
    reached, and the ``reason`` it was accepted or refused."""

    status: int
    headers: dict[str, str]
    body: bytes
    operation: str | None = None
    reason: str = "ok"

    def as_tuple(self) -> tuple[int, dict[str, str], bytes]:
        return self.status, self.headers, self.body


@dataclass(frozen=True)
class MockExchange:
    """One request the mock answered, as given to ``MockApp(on_request=...)``.

    ``url``, ``headers`` and ``body`` are exactly as received, and may carry secrets (an API
    key, a bearer token, a client secret in a token request); ``reply`` may carry an issued
    token. So the repr shows only the ``verdict`` line (API keys in the query as ``***``)."""

    verdict: str
    method: str
    url: str = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    reply: MockReply = field(repr=False)

    @property
    def operation(self) -> str | None:
        """The operation (or token endpoint) reached; None when unrouted."""
        return self.reply.operation

    @property
    def status(self) -> int:
        """The status the mock answered with."""
        return self.reply.status


def _json_reply(status: int, payload: Any, operation: str | None, reason: str,
                headers: Mapping[str, str] | None = None) -> MockReply:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return MockReply(status, {"Content-Type": "application/json", **(headers or {})}, body,
                     operation, reason)


def _refusal(status: int, error: str, operation: str | None, reason: str,
             violations: Iterable[Violation] = (),
             headers: Mapping[str, str] | None = None) -> MockReply:
    payload: dict[str, Any] = {"error": error, "message": reason}
    if operation:
        payload["operation"] = operation
    listed = [{"path": v.path, "message": v.message} for v in violations]
    if listed:
        payload["violations"] = listed
    return _json_reply(status, payload, operation, reason, headers)


def format_verdict(method: str, url: str, reply: MockReply,
                   secret_query: Collection[str] = ()) -> str:
    """One log line: ``POST /v1/order_status -> 200 thirdwatch.order_status: ok``. The values
    of the query parameters named in ``secret_query`` (API keys) are shown as ``***``, and
    control characters from the request line are escaped (never raw on a terminal)."""
    parts = urlsplit(url)
    target = Redactor(query=secret_query).url(
        parts.path + (f"?{parts.query}" if parts.query else ""))
    return (f"{escape_controls(method)} {escape_controls(target)} -> {reply.status} "
            f"{reply.operation or '(no operation)'}: {escape_controls(reply.reason)}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """``text`` with every control character (ESC, CR, LF, ...) shown as ``\\xNN``, as
    :mod:`http.server` does in its log, so that a request cannot drive the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


# --------------------------------------------------------------------------- auth checks


@dataclass
class AuthCheck:
    """What an auth check may use: the request's headers and query, the mock's state."""

    app: MockApp
    headers: CaseInsensitiveDict[str]
    query: list[tuple[str, str]]

    def configured(self, name: str) -> list[str]:
        """The configured values of secret ``name`` (several while a key is rotated; none:
        only presence is checked)."""
        return self.app.credentials.find_all(name)


#: Auth ``type`` -> check(scheme, request) returning None (accepted) or the reason to refuse.
AUTH_CHECKS: dict[str, Callable[[AuthScheme, AuthCheck], str | None]] = {}


def register_auth_check(type_: str) -> Callable[[Callable[..., str | None]],
                                                Callable[..., str | None]]:
    """Decorator: the mock's check for auth schemes of ``type_``."""

    def deco(fn: Callable[..., str | None]) -> Callable[..., str | None]:
        AUTH_CHECKS[type_] = fn
        return fn

    return deco


def _same(given: str, expected: list[str]) -> bool:
    """True when nothing is configured, or ``given`` is one of the configured values."""
    return not expected or any(hmac.compare_digest(given.encode(), e.encode())
                               for e in expected)


@register_auth_check("none")
def _check_none(scheme: AuthScheme, req: AuthCheck) -> str | None:
    return None


@register_auth_check("api_key")
def _check_api_key(scheme: AuthScheme, req: AuthCheck) -> str | None:
    decl = scheme.decl
    where = f"{decl['in']} {decl['name']!r}"
    if decl["in"] == "header":
        value = req.headers.get(decl["name"])
    else:
        value = next((v for k, v in req.query if k == decl["name"]), None)
    if not value:
        return f"missing API key ({where})"
    prefix = decl.get("prefix", "")
    if prefix and not value.startswith(prefix):
        return f"API key in {where} lacks its prefix {prefix!r}"
    if not _same(value[len(prefix):], req.configured(decl["secret"])):
        return f"wrong API key in {where} (not {decl['secret']})"
    return None


def _authorization(req: AuthCheck, kind: str) -> str | None:
    value = req.headers.get("Authorization", "")
    head, _, rest = value.partition(" ")
    return rest.strip() if head.lower() == kind.lower() and rest.strip() else None


@register_auth_check("bearer")
def _check_bearer(scheme: AuthScheme, req: AuthCheck) -> str | None:
    token = _authorization(req, "Bearer")
    if token is None:
        return "missing bearer token (Authorization: Bearer ...)"
    if not _same(token, req.configured(scheme.decl["secret"])):
        return f"wrong bearer token (not {scheme.decl['secret']})"
    return None


def _basic_pair(req: AuthCheck) -> tuple[str, str] | None:
    encoded = _authorization(req, "Basic")
    if encoded is None:
        return None
    try:
        user, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


@register_auth_check("basic")
def _check_basic(scheme: AuthScheme, req: AuthCheck) -> str | None:
    pair = _basic_pair(req)
    if pair is None:
        return "missing or malformed HTTP basic credentials (Authorization: Basic ...)"
    if not (_same(pair[0], req.configured(scheme.decl["username"]))
            and _same(pair[1], req.configured(scheme.decl["password"]))):
        return (f"wrong HTTP basic credentials (not {scheme.decl['username']} / "
                f"{scheme.decl['password']})")
    return None


@register_auth_check("oauth2")
def _check_oauth2(scheme: AuthScheme, req: AuthCheck) -> str | None:
    token = _authorization(req, "Bearer")
    if token is None:
        return "missing bearer token (Authorization: Bearer ...)"
    issued = req.app.token_info(token)
    if issued is None:
        return f"bearer token was not issued by this mock's token endpoint " \
               f"({scheme.decl['token_url']})"
    token_url, expires = issued
    if token_url != scheme.decl["token_url"]:
        return f"bearer token was issued by another token endpoint ({token_url})"
    if expires <= req.app.clock():
        return "bearer token has expired"
    return None


# --------------------------------------------------------------------------- routing


@dataclass
class _Route:
    op: Operation
    regex: re.Pattern[str]
    names: list[str]
    literal: int  # characters outside {params}: more is more specific

    @classmethod
    def of(cls, op: Operation) -> _Route:
        pattern, names, literal, pos = "", [], 0, 0
        for m in re.finditer(r"\{([^{}/]+)\}", op.path):
            text = op.path[pos:m.start()]
            pattern += re.escape(text) + f"(?P<p{len(names)}>[^/]+)"
            literal += len(text)
            names.append(m.group(1))
            pos = m.end()
        pattern += re.escape(op.path[pos:])
        literal += len(op.path) - pos
        return cls(op, re.compile(pattern.rstrip("/") + "/?"), names, literal)

    def match(self, path: str) -> dict[str, str] | None:
        m = self.regex.fullmatch(path)
        if m is None:
            return None
        return {name: unquote(m.group(f"p{i}")) for i, name in enumerate(self.names)}


@dataclass
class _Base:
    origin: tuple[str, str, int]
    prefix: str  # the environment's path, without a trailing slash


@dataclass
class _TokenEndpoint:
    url: str  # as declared
    origin: tuple[str, str, int]
    path: str
    schemes: list[tuple[str, AuthScheme]] = field(default_factory=list)  # (service, scheme)

    @property
    def label(self) -> str:
        return ", ".join(f"{svc}.{s.name}" for svc, s in self.schemes) + " token endpoint"


@dataclass
class _Routes:
    ops: dict[str, list[_Route]]  # service -> its routes
    bases: dict[str, list[_Base]]  # service -> its environments
    tokens: list[_TokenEndpoint]
    origins: set[tuple[str, str, int]]
    secret_query: frozenset[str]  # query parameters that carry API keys
    decodings: dict[str, str]  # signing secret name -> how its value is decoded


# --------------------------------------------------------------------------- the app


class MockApp:
    """The mock's request-handling core, shared by :class:`MockAdapter` and
    :class:`MockServer`. ``credentials``: the *configured* secrets (see the module docstring).
    ``on_request``: called with a :class:`MockExchange` for every request answered, before
    its reply is sent (see the module docstring). Thread-safe."""

    def __init__(self, catalog: Catalog, credentials: Credentials | None = None, *,
                 clock: Callable[[], float] = time.time,
                 on_request: Callable[[MockExchange], object] | None = None):
        self.catalog = catalog
        self.on_request = on_request
        self.credentials = credentials if credentials is not None else Credentials()
        self.clock = clock
        #: Requests seen, by operation (or token endpoint) reached; ``None`` for unrouted.
        self.counts: Counter[str | None] = Counter()
        self._routes: _Routes | None = None
        self._tokens: dict[str, tuple[str, float]] = {}  # live tokens: (token URL, expiry)
        self._issued = 0
        self._validators: dict[str, Any] = {}
        self._lock = threading.Lock()

    # -- public

    def handle(self, method: str, url: str, headers: Mapping[str, str],
               body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: ``(status, headers, body bytes)``."""
        return self.respond(method, url, headers, body).as_tuple()

    def respond(self, method: str, url: str, headers: Mapping[str, str],
                body: bytes | None) -> MockReply:
        """Answer one request, with the verdict (:class:`MockReply`). Never raises."""
        method = method.upper()
        try:
            reply = self._respond(method, url, CaseInsensitiveDict(headers), body or b"")
        except SpecClientError as exc:  # a broken spec folder: say so, to the caller
            reply = _refusal(500, "mock_error", None, f"the mock cannot load its specs: {exc}")
        except Exception as exc:  # a bug in the mock: a 500 with the reason, not a dead server
            log.exception("mock error on %s %s", method, urlsplit(url).path)
            reply = _refusal(500, "mock_error", None,
                             f"mock error: {type(exc).__name__}: {str(exc)[:200]}")
        with self._lock:
            self.counts[reply.operation] += 1
        verdict = self.verdict(method, url, reply)
        log.info("%s", verdict)
        if self.on_request is not None:
            try:
                self.on_request(MockExchange(verdict, method, url, CaseInsensitiveDict(headers),
                                             body or b"", reply))
            except Exception:
                log.exception("the on_request callback failed on %s %s", method,
                              urlsplit(url).path)
        return reply

    def verdict(self, method: str, url: str, reply: MockReply) -> str:
        """The log line for a request and its reply (API keys in the query shown as ***)."""
        try:
            secret_query = self.routes().secret_query
        except SpecClientError:
            secret_query = frozenset()
        return format_verdict(method, url, reply, secret_query)

    def token_info(self, token: str) -> tuple[str, float] | None:
        """(declared token URL, expiry) of a token this mock issued, or None."""
        with self._lock:
            return self._tokens.get(token)

    @property
    def tokens_issued(self) -> int:
        """How many tokens the mocked token endpoints have issued."""
        with self._lock:
            return self._issued

    def operations(self) -> list[Operation]:
        """Every operation the mock serves."""
        return [r.op for routes in self.routes().ops.values() for r in routes]

    # -- routing

    def routes(self) -> _Routes:
        """Routes for every loaded operation and token endpoint (built once, on first use)."""
        if self._routes is None:
            with self._lock:
                if self._routes is None:
                    self._routes = self._build_routes()
        return self._routes

    def _build_routes(self) -> _Routes:
        ops: dict[str, list[_Route]] = {}
        bases: dict[str, list[_Base]] = {}
        tokens: dict[str, _TokenEndpoint] = {}
        origins: set[tuple[str, str, int]] = set()
        secret_query: set[str] = set()
        decodings: dict[str, str] = {}
        for sname in self.catalog.service_names():
            svc = self.catalog.service(sname)
            ops[sname] = [_Route.of(self.catalog.operation(n))
                          for n in self.catalog.operation_names(sname)]
            for signer in svc.signing.values():
                spec = getattr(signer, "secret_spec", None)
                if isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
                    decodings.setdefault(spec["name"], spec.get("decode", "utf8"))
            bases[sname] = []
            for url in svc.environments.values():
                base = _Base(url_origin(url), urlsplit(url).path.rstrip("/"))
                bases[sname].append(base)
                origins.add(base.origin)
            for scheme in svc.auth.values():
                if scheme.type == "api_key" and scheme.decl.get("in") == "query":
                    secret_query.add(scheme.decl["name"])
                if scheme.type == "oauth2":
                    url = scheme.decl["token_url"]
                    ep = tokens.get(url)
                    if ep is None:
                        ep = tokens[url] = _TokenEndpoint(url, url_origin(url),
                                                          urlsplit(url).path or "/")
                        origins.add(ep.origin)
                    ep.schemes.append((sname, scheme))
        return _Routes(ops, bases, list(tokens.values()), origins, frozenset(secret_query),
                       decodings)

    def _match(self, url: str) -> tuple[_TokenEndpoint | None,
                                         list[tuple[_Route, dict[str, str]]]]:
        """The token endpoint at ``url``, or the operations whose path matches it."""
        routes = self.routes()
        origin = url_origin(url)
        path = urlsplit(url).path or "/"
        known = origin in routes.origins
        for ep in routes.tokens:
            if ep.path.rstrip("/") == path.rstrip("/") and (ep.origin == origin or not known):
                return ep, []
        found: list[tuple[_Route, dict[str, str]]] = []
        for sname, svc_routes in routes.ops.items():
            rests = []
            for base in routes.bases[sname]:
                if base.origin == origin and (path == base.prefix
                                              or path.startswith(base.prefix + "/")):
                    rests.append(path[len(base.prefix):] or "/")
            if not known:  # sent somewhere else: by path alone, with or without the env path
                rests.append(path)
                rests += [path[len(b.prefix):] for b in routes.bases[sname]
                          if b.prefix and path.startswith(b.prefix + "/")]
            for route in svc_routes:
                for rest in dict.fromkeys(rests):
                    params = route.match(rest)
                    if params is not None:
                        found.append((route, params))
                        break
        return None, found

    # -- answering

    def _respond(self, method: str, url: str, headers: CaseInsensitiveDict[str],
                 body: bytes) -> MockReply:
        endpoint, found = self._match(url)
        if endpoint is not None:
            return self._token(endpoint, method, headers, body)
        if not found:
            return _refusal(404, "not_found", None, f"no operation at {urlsplit(url).path}")
        wanted = "GET" if method == "HEAD" else method  # HEAD: a GET without its body
        same = [(r, p) for r, p in found if r.op.method == wanted]
        if not same:
            allow = ", ".join(sorted({r.op.method for r, _ in found}))
            names = ", ".join(sorted({r.op.full_name for r, _ in found}))
            return _refusal(405, "method_not_allowed", None,
                            f"{method} not allowed here ({names} takes {allow})",
                            headers={"Allow": allow})
        same.sort(key=lambda rp: (-rp[0].literal, rp[0].op.full_name))
        route, path_params = same[0]
        return self._operation(route.op, method, url, headers, body, path_params)

    def _operation(self, op: Operation, method: str, url: str,
                   headers: CaseInsensitiveDict[str], body: bytes,
                   path_params: dict[str, str]) -> MockReply:
        name = op.full_name
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        check = AuthCheck(self, headers, query)
        for scheme in op.auth:
            checker = AUTH_CHECKS.get(scheme.type)
            reason = checker(scheme, check) if checker is not None else None
            if reason is not None:
                return _refusal(401, "unauthorized", name, f"{scheme.name}: {reason}",
                                headers={"WWW-Authenticate": _challenge(scheme)})

        value: Any = None
        has_body = bool(body.strip())
        if op.body is not None and has_body:
            declared = _media(op.body.content_type)
            got = _media(headers.get("Content-Type", ""))
            if got and got != declared:
                return _refusal(415, "unsupported_media_type", name,
                                f"Content-Type {got!r}; this operation takes {declared!r}")
            if op.body.is_json:
                try:
                    value = json.loads(body)
                except ValueError as exc:
                    return _refusal(400, "bad_request", name, f"body is not valid JSON: {exc}")
            elif declared == FORM:
                value = _form(body)

        for signer in op.signing:
            reason = self._verify(signer, method, url, headers, body)
            if reason is not None:
                return _refusal(401, "invalid_signature", name,
                                f"signature {signer.name!r} ({signer.header}): {reason}")

        violations = self._check_params(op, headers, query, path_params)
        if op.body is not None:
            if not has_body:
                if op.body.required:
                    violations.append(Violation("body", "required request body is missing",
                                                "required"))
            elif op.body.is_json or _media(op.body.content_type) == FORM:
                validator = self._validators_for(op).body
                if validator is not None and not validator.is_valid(value):
                    violations.extend(validator.violations(value, "body"))
        if violations:
            n = len(violations)
            return _refusal(422, "invalid_request", name,
                            f"{n} violation{'s' if n != 1 else ''}: "
                            + "; ".join(str(v) for v in violations[:3])
                            + ("; ..." if n > 3 else ""), violations)
        return self._success(op, headers)

    def _verify(self, signer: Any, method: str, url: str, headers: CaseInsensitiveDict[str],
                body: bytes) -> str | None:
        secrets = [s for n in signer.secret_names() for s in self._signing_secrets(n)]
        try:  # the rule's own tolerance_seconds (else verify's default) bounds a timestamp
            signer.verify(headers, body, secrets, method=method, url=url, now=self.clock())
        except WebhookVerificationError as exc:
            return exc.reason
        return None

    def _signing_secrets(self, name: str) -> list[str]:
        return self.credentials.find_all(name) or [self.demo_secret(name)]

    def demo_secret(self, name: str) -> str:
        """The demo value of secret ``name``, encoded as its signing rule decodes it."""
        try:
            decode = self.routes().decodings.get(name, "utf8")
        except SpecClientError:
            decode = "utf8"
        return demo_secret(name, decode)

    def _validators_for(self, op: Operation) -> OperationValidators:
        v = self._validators.get(op.full_name)
        if v is None:
            v = self._validators[op.full_name] = OperationValidators(op)
        return v

    def _check_params(self, op: Operation, headers: CaseInsensitiveDict[str],
                      query: list[tuple[str, str]],
                      path_params: dict[str, str]) -> list[Violation]:
        out: list[Violation] = []
        validators = self._validators_for(op).params
        for p in op.parameters:
            where = f"{p.location}.{p.name}"
            items: list[str]
            if p.location == "path":
                items = [path_params[p.name]] if p.name in path_params else []
            elif p.location == "query":
                items = [v for k, v in query if k == p.name]
            else:
                items = [headers[p.name]] if p.name in headers else []
            if not items:
                if p.required:
                    out.append(Violation(where, f"required {p.location} parameter is missing",
                                         "required"))
                continue
            value = param_value(p.schema, items, split=p.location != "query")
            v = validators[p.name]
            if not v.is_valid(value):
                out.extend(v.violations(value, where))
        return out

    def _success(self, op: Operation, headers: CaseInsensitiveDict[str]) -> MockReply:
        status, spec = _pick_response(op, headers.get("Prefer", ""))
        reason = "ok" if status < 400 else f"HTTP {status} asked for with Prefer"
        if spec is None:
            return MockReply(status, {}, b"", op.full_name, reason)
        value = spec.example
        if value is None and spec.schema is not None:
            value = example_for(spec.schema)
        if value is None:
            return MockReply(status, {}, b"", op.full_name, reason)
        ctype = spec.content_type or "application/json"
        if is_json(ctype):
            body = json.dumps(value, ensure_ascii=False).encode()
        else:
            body = value.encode() if isinstance(value, str) else json.dumps(value).encode()
        return MockReply(status, {"Content-Type": ctype}, body, op.full_name, reason)

    # -- the OAuth2 token endpoint

    def _token(self, ep: _TokenEndpoint, method: str, headers: CaseInsensitiveDict[str],
               body: bytes) -> MockReply:
        label = ep.label
        if method != "POST":
            return _refusal(405, "invalid_request", label, f"token requests are POSTs, not "
                                                           f"{method}", headers={"Allow": "POST"})
        ctype = _media(headers.get("Content-Type", ""))
        if ctype != FORM:
            return _refusal(400, "invalid_request", label,
                            f"token request Content-Type must be {FORM}, not {ctype or 'none'}")
        form = _form(body)
        grant = form.get("grant_type")
        if grant != "client_credentials":
            return _refusal(400, "unsupported_grant_type", label,
                            f"grant_type must be client_credentials, not {grant!r}")
        reasons = []
        for _, scheme in ep.schemes:
            reason = self._client_check(scheme, headers, form)
            if reason is None:
                token = "mock-" + _secrets.token_urlsafe(24)
                now = self.clock()
                with self._lock:
                    # forget expired tokens, so a long-running server does not grow
                    for old in [t for t, (_, exp) in self._tokens.items() if exp <= now]:
                        del self._tokens[old]
                    self._tokens[token] = (ep.url, now + TOKEN_LIFETIME)
                    self._issued += 1
                payload: dict[str, Any] = {"access_token": token, "token_type": "Bearer",
                                           "expires_in": TOKEN_LIFETIME}
                if isinstance(form.get("scope"), str):
                    payload["scope"] = form["scope"]
                return _json_reply(200, payload, label, "token issued",
                                   {"Cache-Control": "no-store"})
            reasons.append(reason)
        return _refusal(401, "invalid_client", label, "; ".join(reasons),
                        headers={"WWW-Authenticate": 'Basic realm="token"'})

    def _client_check(self, scheme: AuthScheme, headers: CaseInsensitiveDict[str],
                      form: Mapping[str, Any]) -> str | None:
        id_name, secret_name = scheme.decl["client_id"], scheme.decl["client_secret"]
        if scheme.decl.get("client_auth", "body") == "basic":
            pair = _basic_pair(AuthCheck(self, headers, []))
            if pair is None:
                return "client credentials expected as HTTP basic auth (client_auth: basic)"
            client_id, client_secret = pair
        else:
            client_id, client_secret = form.get("client_id"), form.get("client_secret")
            if not isinstance(client_id, str) or not isinstance(client_secret, str) \
                    or not client_id or not client_secret:
                return "client_id and client_secret expected in the form body (client_auth: body)"
        if not (_same(client_id, self.credentials.find_all(id_name))
                and _same(client_secret, self.credentials.find_all(secret_name))):
            return f"wrong client credentials (not {id_name} / {secret_name})"
        return None


# --------------------------------------------------------------------------- helpers


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _form(body: bytes) -> dict[str, Any]:
    """A form body as a mapping: one value per name, or a list of them when repeated."""
    out: dict[str, Any] = {}
    for k, v in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        if k in out:
            out[k] = (out[k] if isinstance(out[k], list) else [out[k]]) + [v]
        else:
            out[k] = v
    return out


def _challenge(scheme: AuthScheme) -> str:
    if scheme.type == "basic":
        return 'Basic realm="specclient-mock"'
    if scheme.type in ("bearer", "oauth2"):
        return 'Bearer realm="specclient-mock"'
    return scheme.type


def _pick_response(op: Operation, prefer: str) -> tuple[int, ResponseSpec | None]:
    """The status and declared response to answer with: ``Prefer: code=N`` if declared, else
    the lowest declared 2xx, ``2XX``, or ``default``."""
    m = re.search(r"\bcode=(\d{3})\b", prefer)
    if m:
        wanted = int(m.group(1))
        spec = op.response_for(wanted)
        if spec is not None:
            return wanted, spec
    codes = sorted(int(k) for k in op.responses if k.isdigit() and 200 <= int(k) < 300)
    if codes:
        return codes[0], op.responses[str(codes[0])]
    if "2XX" in op.responses:
        return 200, op.responses["2XX"]
    return 200, op.responses.get("default")


# --------------------------------------------------------------------------- transports


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return b"".join(c.encode("utf-8") if isinstance(c, str) else c for c in body)


class MockAdapter(BaseAdapter):
    """A ``requests`` transport adapter that answers every request from a :class:`MockApp`,
    in process. Mount it for ``http://`` and ``https://`` and nothing reaches the network::

        session.mount("https://", MockAdapter(app))
    """

    def __init__(self, app: MockApp):
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        reply = self.app.respond(request.method or "GET", request.url or "",
                                 request.headers, _body_bytes(request.body))
        body = b"" if request.method == "HEAD" else reply.body
        headers = {**reply.headers, "Content-Length": str(len(reply.body))}
        resp = requests.Response()
        resp.status_code = reply.status
        resp.headers = CaseInsensitiveDict(headers)
        # read as a socket's body is: in chunks, through urllib3 (so size caps apply alike)
        resp.raw = urllib3.HTTPResponse(body=io.BytesIO(body), headers=headers,
                                        status=reply.status, preload_content=False,
                                        request_method=request.method,
                                        decode_content=False)
        resp.url = request.url or ""
        resp.request = request
        resp.reason = _phrase(reply.status)
        resp.encoding = requests.utils.get_encoding_from_headers(resp.headers)
        resp.connection = self
        return resp

    def close(self) -> None:
        return None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


#: The largest request body ``specclient mock`` reads (bigger ones get 413).
MAX_REQUEST_BODY = 64 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY a kept-alive connection waits
    # for the client's delayed ACK (~40 ms) before the body.
    disable_nagle_algorithm = True
    server_version = "specclient-mock"
    sys_version = ""

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        address = self.server.server_address
        host = self.headers.get("Host") or f"{address[0]}:{address[1]}"
        url = f"http://{host}{self.path}"
        reply = self.server.app.respond(self.command, url, dict(self.headers.items()), body)
        self.server.write_log(self.server.app.verdict(self.command, url, reply))
        try:
            self.send_response(reply.status)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            # the client hung up before its reply (killed, timed out): nothing to answer
            self.close_connection = True

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering 400 (malformed framing) or 413 (more than
        :data:`MAX_REQUEST_BODY` bytes)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                try:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    self._refuse(400, "bad chunk size")
                    return None
                if size < 0:
                    self._refuse(400, "bad chunk size")
                    return None
                total += size
                if total > MAX_REQUEST_BODY:
                    self._refuse(413, "request body too large")
                    return None
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._refuse(400, "bad Content-Length")
            return None
        if length > MAX_REQUEST_BODY:
            self._refuse(413, "request body too large")
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` and close: the rest of the request cannot be framed."""
        self.close_connection = True
        self.send_error(status, message)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        return None  # one verdict line per request is written by _serve instead


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: MockApp, log_to: TextIO | None):
        self.app = app
        self.log_to = log_to
        self._log_lock = threading.Lock()
        super().__init__(address, _Handler)

    def write_log(self, line: str) -> None:
        if self.log_to is not None:
            with self._log_lock:
                self.log_to.write(line + "\n")
                self.log_to.flush()


class MockServer:
    """The mock as a real HTTP server (``specclient mock``), by default on 127.0.0.1 and a free
    port. Each request's verdict is written as one line to ``log`` (a text stream such as
    ``sys.stderr``; default: none, though the ``specclient.mock`` logger always gets it)::

        with MockServer(MockApp(client.catalog)) as server:   # serving in a background thread
            Client(base_url=server.url).call(...)
    """

    def __init__(self, app: MockApp, host: str = "127.0.0.1", port: int = 0,
                 log: TextIO | None = None):
        self.app = app
        self.httpd = _HTTPServer((host, port), app, log)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self.httpd.server_address[0]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`shutdown` (or Ctrl-C)."""
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> MockServer:
        """Serve in a background (daemon) thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="specclient-mock",
                                        daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> MockServer:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
