"""The built-in mock: the loaded specs, played back as the API they describe.

One request-handling core, :class:`MockApp`, serves two transports:

- :class:`~specclient.mock.adapter.MockAdapter`, a ``requests`` transport adapter.
  ``Client(mock=True)`` mounts it on its session for ``http://`` and ``https://``, so nothing
  reaches the network;
- :class:`~specclient.mock.server.MockServer`, a real HTTP server on a loopback address
  (``specclient mock``), so curl or a client in any language can be pointed at it, like
  Stoplight Prism.

A request is routed by :mod:`specclient.mock.routes` (the matcher
:class:`specclient.testing.SpecMock` uses too). It is then checked the way
the real API would check it, in this order, and refused with the status the real API would
give:

1. route: no operation at that path -> 404; the path exists for other methods -> 405;
2. auth, for each scheme the operation declares (its class's :meth:`AuthScheme.check`):
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
import json
import logging
import re
import secrets as _secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from requests.structures import CaseInsensitiveDict

from ..auth import Presented
from ..credentials import Credentials, FallbackCredentials
from ..errors import SpecClientError, Violation, WebhookVerificationError
from ..model import Operation, ResponseSpec, is_binary, is_json
from ..prepare.form import decode as decode_form
from ..prepare.form import typed_fields
from ..prepare.multipart import FilePart, MultipartError
from ..prepare.multipart import decode as decode_multipart
from ..prepare.styles import ABSENT, raw_pairs
from ..redaction import Redactor
from ..schema.examples import example_for
from ..schema.operation import OperationValidators
from ..spec.catalog import Catalog
from .routes import Routes, TokenEndpoint, build_routes, read_parameters

__all__ = [
    "MockApp",
    "MockReply",
    "MockExchange",
    "DemoCredentials",
    "demo_secret",
    "format_verdict",
    "TOKEN_LIFETIME",
]

log = logging.getLogger("specclient.mock")

#: Seconds an issued OAuth2 token stays valid (sent as ``expires_in``).
TOKEN_LIFETIME = 3600
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


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


class DemoCredentials(FallbackCredentials):
    """Credentials that fall back to a demo value (``demo(name)``, by default
    :func:`demo_secret`) for any secret without a value.

    ``Client(mock=True)`` uses these: real values are used when given (nothing leaves the
    machine anyway), and a call needs no account at all.
    """

    def __init__(self, base: Credentials, demo: Callable[[str], str] = demo_secret):
        super().__init__(base, demo)

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
        self._routes: Routes | None = None
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

    def routes(self) -> Routes:
        """Routes for every loaded operation and token endpoint (built once, on first use)."""
        if self._routes is None:
            with self._lock:
                if self._routes is None:
                    self._routes = build_routes(self.catalog)
        return self._routes

    # -- answering

    def _respond(self, method: str, url: str, headers: CaseInsensitiveDict[str],
                 body: bytes) -> MockReply:
        endpoint, found = self.routes().match(url)
        if endpoint is not None:
            return self._token(endpoint, method, headers, body)
        if not found:
            return _refusal(404, "not_found", None, f"no operation at {urlsplit(url).path}")
        # HEAD: a GET without its body; a #fragment (in process only) picks among one path's
        picked = self.routes().pick(method, found, urlsplit(url).fragment)
        if picked is None:
            allow = ", ".join(sorted({r.op.method for r, _ in found}))
            names = ", ".join(sorted({r.op.full_name for r, _ in found}))
            return _refusal(405, "method_not_allowed", None,
                            f"{method} not allowed here ({names} takes {allow})",
                            headers={"Allow": allow})
        route, path_params = picked
        return self._operation(route.op, method, url, headers, body, path_params)

    def _operation(self, op: Operation, method: str, url: str,
                   headers: CaseInsensitiveDict[str], body: bytes,
                   path_params: dict[str, str]) -> MockReply:
        name = op.full_name
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        presented = self._presented(headers, query)
        for scheme in op.auth:
            reason = scheme.check(presented)
            if reason is not None:
                return _refusal(401, "unauthorized", name, f"{scheme.name}: {reason}",
                                headers={"WWW-Authenticate": scheme.challenge or scheme.type})

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
            elif declared == FORM:  # typed by the schema, as it was written
                value = decode_form(body, op.body.schema, op.body.encoding)
            elif declared == MULTIPART:
                try:
                    value = _multipart(body, headers.get("Content-Type", ""), op.body.schema)
                except MultipartError as exc:
                    return _refusal(400, "bad_request", name,
                                    f"body is not valid multipart/form-data: {exc}")

        for signer in op.signing:
            reason = self._verify(signer, method, url, headers, body)
            if reason is not None:
                return _refusal(401, "invalid_signature", name,
                                f"signature {signer.name!r} ({signer.header}): {reason}")

        violations = self._check_params(op, headers, urlsplit(url).query, path_params)
        if op.body is not None:
            if not has_body:
                if op.body.required:
                    violations.append(Violation("body", "required request body is missing",
                                                "required"))
            elif op.body.is_json or _media(op.body.content_type) in (FORM, MULTIPART):
                validator = self._validators_for(op).body
                if validator is not None and not validator.is_valid(value):
                    violations.extend(validator.violations(value, "body"))
        if violations:
            n = len(violations)
            return _refusal(422, "invalid_request", name,
                            f"{n} violation{'s' if n != 1 else ''}: "
                            + "; ".join(str(v) for v in violations[:3])
                            + ("; ..." if n > 3 else ""), violations)
        return self._success(op, headers, url, query)

    def _presented(self, headers: CaseInsensitiveDict[str],
                   query: list[tuple[str, str]]) -> Presented:
        """A request as the auth schemes' server-side checks see it."""
        return Presented(headers, query, self.credentials.find_all, self.token_info,
                         self.clock())

    def _verify(self, signer: Any, method: str, url: str, headers: CaseInsensitiveDict[str],
                body: bytes) -> str | None:
        secrets = signer.verification_secrets(self._signing_secrets)
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

    def _check_params(self, op: Operation, headers: CaseInsensitiveDict[str], query: str,
                      raw_path: dict[str, str]) -> list[Violation]:
        out: list[Violation] = []
        validators = self._validators_for(op).params
        for p, value in read_parameters(op, headers, raw_pairs(query), raw_path):
            where = f"{p.location}.{p.name}"
            if value is ABSENT:
                if p.required:
                    out.append(Violation(where, f"required {p.location} parameter is missing",
                                         "required"))
                continue
            v = validators[p.name]
            if not v.is_valid(value):
                out.extend(v.violations(value, where))
        return out

    def _success(self, op: Operation, headers: CaseInsensitiveDict[str], url: str = "",
                 query: list[tuple[str, str]] | None = None) -> MockReply:
        status, spec = _pick_response(op, headers.get("Prefer", ""))
        reason = "ok" if status < 400 else f"HTTP {status} asked for with Prefer"
        if spec is None:
            return MockReply(status, {}, b"", op.full_name, reason)
        value = spec.example
        binary = bool(spec.content_type) and is_binary(spec.content_type)
        if value is None and spec.schema is not None and not binary:
            value = example_for(spec.schema, direction="response")
        if value is None and binary:
            return MockReply(status, {"Content-Type": spec.content_type},
                             binary_example(spec.content_type), op.full_name, reason)
        if value is None:
            return MockReply(status, {}, b"", op.full_name, reason)
        ctype = spec.content_type or "application/json"
        extra: dict[str, str] = {}
        if op.pagination is not None and status < 300 and is_json(ctype):  # page by its rule
            from ..pagination import mock_page  # only for an operation that pages

            value, extra = mock_page(op.pagination, value, url.split("?", 1)[0], query or [])
        if is_json(ctype):
            body = json.dumps(value, ensure_ascii=False).encode()
        elif is_binary(ctype):
            body = value.encode("latin-1") if isinstance(value, str) and value.isascii() \
                else binary_example(ctype)
        else:
            body = value.encode() if isinstance(value, str) else json.dumps(value).encode()
        return MockReply(status, {"Content-Type": ctype, **extra}, body, op.full_name, reason)

    # -- the OAuth2 token endpoint

    def _token(self, ep: TokenEndpoint, method: str, headers: CaseInsensitiveDict[str],
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
            reason = scheme.check_client(self._presented(headers, []), form)
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


# --------------------------------------------------------------------------- helpers


#: A 1x1 transparent PNG and the smallest valid PDF: what the mock sends for those types.
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f"
                     "15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082")
_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
        b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n")


def binary_example(content_type: str) -> bytes:
    """A body of a binary ``content_type`` with no example in the spec: a real 1x1 PNG, a
    one-page PDF, else every byte value once (bytes that are not UTF-8, as a download is)."""
    media = _media(content_type)
    if media == "image/png":
        return _PNG
    if media == "application/pdf":
        return _PDF
    return bytes(range(256))


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


def _multipart(body: bytes, content_type: str, schema: Any) -> dict[str, Any]:
    """A multipart body as validation sees it, as the client sees what it sends: text typed
    by its property's schema (``"3"`` -> 3 for an integer), a JSON part decoded, a file as
    ``<file NAME, N bytes>``."""
    fields: dict[str, Any] = {}
    for name, value in decode_multipart(body, content_type).items():
        fields[name] = [v.view() if isinstance(v, FilePart) else v for v in value] \
            if isinstance(value, list) else value.view() if isinstance(value, FilePart) \
            else value
    return typed_fields(fields, schema)


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




