"""The public entry point: :class:`Client`, which calls operations by name."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import requests
import requests.adapters

from .auth import AuthContext, TokenCache, follow_base_url
from .credentials import PLACEHOLDER_SECRET, Credentials, FallbackCredentials
from .errors import (
    ArgumentError,
    AuthError,
    MissingCredentialError,
    PaginationError,
    SpecClientError,
    ValidationError,
)
from .hooks import EventHooks, Hook, Observer
from .model import Operation
from .prepare.binding import MISSING, BindIndex, bind
from .prepare.building import base_headers, build, encode_body
from .redaction import SECRET_HEADER, Redactor
from .request import Headers, PreparedRequest
from .response import MODES, Response, check_status, decode, validate
from .schema.operation import OperationValidators, example_arguments
from .spec.catalog import Catalog
from .transport.flow import Flow, Sent, exchange_flow, run
from .transport.limits import CURRENT_LIMITS, DEFAULT_MAX_RESPONSE_BYTES, Limits
from .transport.policy import IDEMPOTENT_METHODS, RetryPolicy, resolve_timeout
from .transport.send import Transport
from .transport.watchdog import DeadlineAdapter
from .transport.wire import CookieJar

if TYPE_CHECKING:
    from .mock import MockApp
    from .pagination import Paginator

__all__ = ["Client"]


def _new_session() -> requests.Session:
    """A session whose connection pools are large enough for many threads sharing a client,
    and whose responses' headers are read under each call's total deadline."""
    session = requests.Session()
    # the same default headers, in specclient's own case-insensitive dict (a session's
    # headers are added to every request: this kind merges without re-lowering each name)
    session.headers = Headers(session.headers)
    session.cookies = CookieJar()  # requests' own, knowing when it has never held a cookie
    # requests' adapter, with the headers of a response read under the call's deadline
    adapter = DeadlineAdapter(pool_connections=16, pool_maxsize=64)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class _Plan:
    """What a client works out once per operation: its validators, the index :func:`bind`
    uses, the headers every request starts with, and the last timeouts and auth contexts
    (each reused only while the settings it came from are the same objects)."""

    __slots__ = ("validators", "index", "headers", "timeout", "contexts", "session_auth",
                 "idempotent", "_retry")
    MAX_CONTEXTS = 8

    def __init__(self, op: Operation):
        self.validators = OperationValidators(op)
        self.index = BindIndex(op)
        self.headers = base_headers(op)
        self.timeout: tuple[Any, tuple[float, float]] | None = None
        self.contexts: dict[tuple[Any, ...], AuthContext] = {}
        #: a user's session auth applies only where the spec declares none
        self.session_auth = all(s.type == "none" for s in op.auth)
        self.idempotent = op.idempotent or op.method in IDEMPOTENT_METHODS
        self._retry: tuple[Any, RetryPolicy] | None = None

    def retry_policy(self, op: Operation, client_retries: Any) -> RetryPolicy:
        """The operation's retry policy under the client's ``retries`` (worked out again only
        when the client's setting is another object)."""
        hit = self._retry
        if hit is None or hit[0] is not client_retries:
            hit = self._retry = (client_retries, RetryPolicy.from_spec(op.retries,
                                                                        client_retries))
        return hit[1]


class _ServiceProxy:
    """``client.thirdwatch`` — operations of one service as methods."""

    def __init__(self, client: Client, service: str):
        self._client = client
        self._service = service

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        full = self._client._catalog.resolve_name(f"{self._service}.{name}")

        def call(body: Any = MISSING, **kwargs: Any) -> Response:
            return self._client.call(full, body, **kwargs)

        call.__name__ = name
        call.__doc__ = self._client.operation(full).summary
        return call

    def __dir__(self) -> list[str]:
        n = len(self._service) + 1
        return [name[n:] for name in self._client._catalog.operation_names(self._service)]

    def __repr__(self) -> str:
        return f"<service {self._service}>"


class Client:
    """Calls API operations declared in YAML, by name.

    >>> client = Client()                                    # bundled specs
    >>> client.operations()[:1]
    ['ingram.order_status_event']

    ``spec_dirs``: more spec folders (a service there replaces a bundled one of the same name);
    ``SPECCLIENT_SPECS`` adds more (os.pathsep-separated). ``credentials``: secret values by
    name, looked up before the environment. ``environment``: which of each service's
    environments to call (default: each service's own default, or ``SPECCLIENT_ENV``).
    ``base_url``: one URL for every service, or a mapping service -> URL. ``session``: your own
    :class:`requests.Session` (proxies, mTLS, adapters). ``response_validation``: ``strict``,
    ``warn`` (default) or ``off``. ``timeout``: seconds, or (connect, read). ``retries``: a
    mapping of :class:`RetryPolicy` fields. ``verify``: TLS verification (on unless you pass
    False or a CA bundle path). ``profile``: which profile of the credentials file to use
    (default ``SPECCLIENT_PROFILE``, else ``default``; see :mod:`specclient.credentials`).

    ``max_response_bytes``: the largest response body read, in decoded bytes (default: the
    operation's ``max_response_bytes``, else the service's default, else 64 MiB); a larger one
    raises :class:`ResponseTooLargeError`. ``retries={"total_timeout": s}`` bounds a whole
    call, reading included. ``allow_insecure_http=True``: credentials may go over plain http
    to hosts other than this machine (refused by default; a warning each time), as a
    service's ``allow_insecure_http: true`` allows for its own calls.

    ``mock=True``: every request — token requests included — is answered in process by the
    built-in mock (:mod:`specclient.mock`), built from the same specs; nothing reaches the
    network. The session's adapters are replaced by the mock's. Secrets come from
    ``credentials=`` and the environment as usual, and a secret with no value there takes its
    demo value (:func:`specclient.mock.demo_secret`), so no account is needed. The mock is
    ``client.mock`` (None without ``mock=True``).

    A base URL override also moves OAuth2 token URLs on the same origin as the service's
    environments (see :func:`specclient.auth.follow_base_url`).

    ``event_hooks``: ``{"request": [f], "response": [...], "retry": [...], "error": [...]}``,
    functions called with an :class:`~specclient.hooks.Event` (redacted views); also
    ``client.event_hooks`` to change later. ``telemetry=False`` turns off the OpenTelemetry
    spans a call makes when the application uses OpenTelemetry (see :mod:`specclient.hooks`).
    """

    def __init__(
        self,
        spec_dirs: Iterable[str | os.PathLike[str]] = (),
        *,
        credentials: Mapping[str, str] | Credentials | None = None,
        environment: str | None = None,
        base_url: str | Mapping[str, str] | None = None,
        session: requests.Session | None = None,
        response_validation: str = "warn",
        timeout: float | tuple[float, float] | None = None,
        retries: Mapping[str, Any] | None = None,
        verify: bool | str | None = None,
        include_bundled: bool = True,
        mock: bool = False,
        profile: str | None = None,
        max_response_bytes: int | None = None,
        allow_insecure_http: bool = False,
        event_hooks: Mapping[str, Hook | list[Hook]] | None = None,
        telemetry: bool = True,
    ):
        dirs = list(spec_dirs)
        env_dirs = os.environ.get("SPECCLIENT_SPECS", "")
        dirs = [d for d in env_dirs.split(os.pathsep) if d] + dirs
        self._catalog = Catalog(dirs, include_bundled=include_bundled)
        if isinstance(credentials, Credentials):
            if profile is not None:
                raise ValueError("give profile= to the Credentials object, not to Client")
            self._credentials = credentials
        else:
            self._credentials = Credentials(credentials, profile=profile)
        self.environment = environment or os.environ.get("SPECCLIENT_ENV") or None
        self._environments: frozenset[str] | None = None
        for url in (base_url.values() if isinstance(base_url, Mapping) else [base_url]):
            if url is not None and not str(url).lower().startswith(("http://", "https://")):
                raise ValueError(f"base_url {url!r} has no scheme: write http://{url} or "
                                 f"https://{url}")
        self._base_url = base_url
        self._own_session = session is None
        self.session = session if session is not None else _new_session()
        if verify is not None and self._own_session:
            self.session.verify = verify  # a session of our own says what it does
        #: The one path every request of this client takes, token requests included.
        #: ``{"request": [...], "response": [...], "retry": [...], "error": [...]}``: functions
        #: called with an :class:`~specclient.hooks.Event` (see :mod:`specclient.hooks`).
        self.event_hooks = EventHooks(event_hooks)
        self._observer = Observer(self.event_hooks, telemetry)
        self.transport = Transport(self.session, verify, self._observer)
        if response_validation not in MODES:
            raise ValueError(f"response_validation must be one of {MODES}")
        self.response_validation = response_validation
        self._timeout = timeout
        self._retries = dict(retries or {})
        RetryPolicy.from_spec(self._retries)  # a bad setting fails here, not at the first call
        if timeout is not None:
            resolve_timeout(timeout)
        self._verify = verify
        if max_response_bytes is not None and (isinstance(max_response_bytes, bool) or not
                                                isinstance(max_response_bytes, int)
                                                or max_response_bytes < 1):
            raise ValueError(f"max_response_bytes must be a positive integer, not "
                             f"{max_response_bytes!r}")
        self.max_response_bytes = max_response_bytes
        self.allow_insecure_http = bool(allow_insecure_http)
        self._tokens = TokenCache()
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()
        self.mock: MockApp | None = None
        if mock:
            # the mock (schemas, examples) only for Client(mock=True)
            from .mock import DemoCredentials, MockAdapter, MockApp

            self.mock = MockApp(self._catalog, self._credentials)
            self._credentials = DemoCredentials(self._credentials, self.mock.demo_secret)
            adapter = MockAdapter(self.mock)
            self.session.trust_env = False  # no proxies or netrc to look up: nothing is sent
            self.session.adapters.clear()
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)

    # ------------------------------------------------------------------ discovery

    def operations(self) -> list[str]:
        """Every operation's full name (``service.operation``), sorted."""
        return self._catalog.operation_names()

    def operation(self, name: str) -> Operation:
        """The declared operation ``name`` (a full name or an alias)."""
        return self._catalog.operation(name)

    def example_arguments(self, name: str) -> tuple[Any, dict[str, Any]]:
        """``(body, params)`` of an example call of ``name`` — what ``specclient call NAME
        --example`` sends: the declared examples, else values made up from the schemas (the
        body, each required parameter); see :func:`specclient.schema.operation.
        example_arguments`. ``client.call(name, body, **params)`` then sends it."""
        return example_arguments(self._catalog.operation(name))

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    def __getattr__(self, name: str) -> _ServiceProxy:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._catalog.has_service(name):
            return _ServiceProxy(self, name)
        raise AttributeError(f"{type(self).__name__!s} has no attribute or service {name!r}")

    # ------------------------------------------------------------------ preparing

    def _override(self, op: Operation, base_url: str | None = None) -> str | None:
        """The base URL override in force for ``op`` (this call's, else the client's)."""
        if base_url and not base_url.lower().startswith(("http://", "https://")):
            raise ArgumentError(op.full_name, f"base_url {base_url!r} has no scheme: write "
                                              f"http://{base_url} or https://{base_url}",
                                "base_url")
        override = base_url or self._base_url
        if override is None:
            return None
        if isinstance(override, Mapping):
            override = override.get(op.service.name)
        return str(override).rstrip("/") if override else None

    def base_url(self, op: Operation, environment: str | None = None,
                 base_url: str | None = None) -> str:
        """Where ``op`` is sent: an explicit base URL, else the chosen environment's."""
        override = self._override(op, base_url)
        if override:
            return override
        env = environment or self.environment
        if env is not None and env not in op.service.environments:
            if environment is not None or env not in self._known_environments():
                # asked for this call, or a name no service has (a typo): never a silent
                # fall-back to the default environment
                import difflib  # only for a wrong environment name (start-up)

                has = list(op.service.environments)
                near = difflib.get_close_matches(env, has, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                where = "" if environment is not None else (
                    " (the client's environment, from Client(environment=...) or "
                    "SPECCLIENT_ENV; no loaded service has it)")
                raise ArgumentError(op.full_name, f"service {op.service.name!r} has no "
                                                  f"environment {env!r}{where}; it has "
                                                  f"{', '.join(has)}{hint}", "environment")
            env = None  # the client's environment, which this service does not have
        return op.service.base_url(env)

    def _known_environments(self) -> frozenset[str]:
        """Every environment name of every loaded service (read once)."""
        known = self._environments
        if known is None:
            names: set[str] = set()
            for name in self._catalog.service_names():
                try:
                    names.update(self._catalog.service(name).environments)
                except SpecClientError:  # a broken service: its own calls say so
                    continue
            known = self._environments = frozenset(names)
        return known

    def _plan_for(self, op: Operation) -> _Plan:
        plan = self._plans.get(op.full_name)
        if plan is None:
            with self._lock:
                plan = self._plans.get(op.full_name)
                if plan is None:
                    plan = self._plans[op.full_name] = _Plan(op)
        return plan

    def _validators_for(self, op: Operation) -> OperationValidators:
        return self._plan_for(op).validators

    def _auth_context(self, op: Operation, timeout: tuple[float, float],
                      dry_run: bool, base_url: str | None = None) -> AuthContext:
        override = self._override(op, base_url)
        plan = self._plan_for(op)
        key = (override, timeout, dry_run)
        ctx = plan.contexts.get(key)
        if ctx is not None and ctx.transport is self.transport \
                and ctx.credentials is self._credentials and ctx.tokens is self._tokens:
            return ctx
        envs = list(op.service.environments.values())
        rewrite = (lambda url: follow_base_url(url, envs, override)) if override else None
        ctx = AuthContext(op.full_name, self._credentials, self.transport, timeout,
                          self._tokens, dry_run=dry_run, rewrite_url=rewrite)
        if len(plan.contexts) >= _Plan.MAX_CONTEXTS:  # many per-call timeouts or base URLs
            plan.contexts.clear()
        plan.contexts[key] = ctx
        return ctx

    def _timeout_for(self, op: Operation, timeout: Any = None) -> tuple[float, float]:
        """Per call, then per client, per operation, per service; never None."""
        plan = self._plan_for(op) if timeout is None else None
        if plan is not None and plan.timeout is not None and plan.timeout[0] is self._timeout:
            return plan.timeout[1]
        try:
            resolved = resolve_timeout(timeout, self._timeout, op.timeout,
                                       op.service.defaults.get("timeout"))
        except ValueError as exc:
            raise ArgumentError(op.full_name, f"timeout: {exc}", "timeout") from None
        if plan is not None:
            plan.timeout = (self._timeout, resolved)
        return resolved

    def _build(self, op: Operation, body: Any, params: dict[str, Any],
               extra_headers: Mapping[str, str] | None, environment: str | None,
               base_url: str | None) -> PreparedRequest:
        """Bind, encode, validate and build: everything before auth and signing."""
        plan = self._plan_for(op)
        bound = bind(op, body, params, plan.index)
        body_bytes: bytes | None = None
        body_json: Any = None
        body_is_data = False
        if bound.body is not MISSING and op.body is not None:
            body_bytes, body_json = encode_body(op.full_name, op.body.content_type, bound.body,
                                                op.body.encoding)
            body_is_data = body_json is not None or not isinstance(bound.body, (bytes, str))
            value = body_json if body_json is not None else bound.body
        else:
            value = None
        try:
            violations = plan.validators.check(bound, value, body_is_data)
        except RecursionError:
            raise ArgumentError(op.full_name, "body is nested too deeply to validate; refused",
                                "body") from None
        if violations:
            raise ValidationError(op.full_name, self._redactor(op).violations(violations))
        req = build(bound, self.base_url(op, environment, base_url), body_bytes, body_json,
                    extra_headers, plan.headers)
        for name, value in (extra_headers or {}).items():  # the caller's own credentials
            if SECRET_HEADER.search(name):
                req.add_secret(value, header=name)
        self.transport.adopt(req)  # the session's params, before auth and signing see the URL
        return req

    def redactor(self, name: str) -> Redactor:
        """A :class:`~specclient.redaction.Redactor` that hides every secret value operation
        ``name``'s auth schemes and signing rules would read from the credentials (also those
        a server might echo back, and those passed by mistake as a parameter)."""
        return self._redactor(self._catalog.operation(name))

    def _redactor(self, op: Operation) -> Redactor:
        out = Redactor()
        for part in (*op.auth, *op.signing):
            for secret in part.secret_names():
                try:
                    values = self._credentials.find_all(secret)
                except SpecClientError:  # an unreadable credentials file has no values to hide
                    continue
                for value in values:
                    if isinstance(value, str):
                        out.add(value)
        return out

    def _limits(self, op: Operation, deadline: float | None) -> Limits:
        """What a call of ``op`` may cost: response size (client, operation, service default),
        its deadline, and whether credentials may go over plain http."""
        size = self.max_response_bytes or op.max_response_bytes or DEFAULT_MAX_RESPONSE_BYTES
        return Limits(size, deadline, op.service.allow_insecure_http or self.allow_insecure_http)

    def _authenticate(self, op: Operation, req: PreparedRequest, ctx: AuthContext) -> None:
        try:
            for scheme in op.auth:
                scheme.apply(req, ctx)
            for signer in op.signing:
                signer.sign(req, self._credentials)
        except MissingCredentialError as exc:
            raise self._all_missing(op, exc) from None

    def _all_missing(self, op: Operation, first: MissingCredentialError) -> MissingCredentialError:
        """``first``, naming every secret ``op`` needs that has no value (not one per run)."""
        names: list[str] = []
        for part in (*op.auth, *op.signing):
            for secret in part.secret_names():
                if secret not in names and _find_secret(self._credentials, secret) is None:
                    names.append(secret)
        if first.name not in names:
            names.insert(0, first.name)
        return MissingCredentialError(names[0], op.full_name, names=names)

    def prepare(
        self,
        name: str,
        /,
        body: Any = MISSING,
        *,
        extra_headers: Mapping[str, str] | None = None,
        environment: str | None = None,
        base_url: str | None = None,
        dry_run: bool = False,
        **params: Any,
    ) -> PreparedRequest:
        """Build, validate, authenticate and sign a call without sending it.

        With ``dry_run=True`` no token is fetched: an OAuth2 token is a placeholder (shown as
        ``***`` by :meth:`PreparedRequest.redacted`).
        """
        op = self._catalog.operation(name)
        req = self._build(op, body, params, extra_headers, environment, base_url)
        plan = self._plan_for(op)
        t = plan.timeout[1] if plan.timeout is not None and plan.timeout[0] is self._timeout \
            else self._timeout_for(op)
        ctx = self._auth_context(op, t, dry_run, base_url)
        if dry_run:  # no token is fetched: nothing is sent
            try:
                self._authenticate(op, req, ctx)
            except MissingCredentialError:  # shown with placeholders, each missing one named
                req = self._build(op, body, params, extra_headers, environment, base_url)
                creds = FallbackCredentials(self._credentials, lambda n: PLACEHOLDER_SECRET)
                stand_in = AuthContext(op.full_name, creds, self.transport, ctx.timeout,
                                       self._tokens, dry_run=True, rewrite_url=ctx.rewrite_url)
                for scheme in op.auth:
                    scheme.apply(req, stand_in)
                for signer in op.signing:
                    signer.sign(req, creds)
                req.missing_secrets = tuple(creds.missing)
            return req
        current = CURRENT_LIMITS.set(self._limits(op, None))  # for a token request
        try:
            self._authenticate(op, req, ctx)
        finally:
            CURRENT_LIMITS.reset(current)
        return req

    # ------------------------------------------------------------------ calling

    def call(
        self,
        name: str,
        /,
        body: Any = MISSING,
        *,
        timeout: float | tuple[float, float] | None = None,
        response_validation: str | None = None,
        raise_for_status: bool = True,
        extra_headers: Mapping[str, str] | None = None,
        environment: str | None = None,
        base_url: str | None = None,
        stream: bool = False,
        **params: Any,
    ) -> Response:
        """Call operation ``name`` and return its :class:`Response`.

        Parameters are keyword arguments under their spec name (``x_hub_signature`` for the
        header ``x-hub-signature``); ``body`` is the request body. Raises
        :class:`ValidationError` (nothing sent) for bad input, :class:`ClientError` /
        :class:`ServerError` for 4xx / 5xx (unless ``raise_for_status=False``), and
        :class:`TransportError` when no response came.

        ``stream=True``: a 2xx body is not read into memory; read it with
        :meth:`Response.iter_bytes` (``data`` is None, the response is not validated), and
        close the response (``with client.call(..., stream=True) as resp:``). Only a
        ``max_response_bytes`` set on the client, operation or service bounds it. Any other
        status is read and raised as usual.
        """
        op, mode, t = self._call_settings(name, response_validation, timeout)
        observer = self._observer
        if not observer.active:
            base = self._build(op, body, params, extra_headers, environment, base_url)
            return self._send(op, base, t, mode, raise_for_status, base_url, stream)
        try:
            base = self._build(op, body, params, extra_headers, environment, base_url)
            with observer.call_span(op.full_name, base, base.base_url + op.path) as span:
                resp = self._send(op, base, t, mode, raise_for_status, base_url, stream)
                observer.ended(span, resp)
            return resp
        except SpecClientError as exc:
            observer.error(op.full_name, exc)
            raise

    def _call_settings(self, name: str, response_validation: str | None,
                       timeout: Any) -> tuple[Operation, str, tuple[float, float]]:
        """A call's operation, response validation mode and timeout."""
        op = self._catalog.operation(name)
        mode = response_validation or self.response_validation
        if mode not in MODES:
            raise ValueError(f"response_validation must be one of {MODES}")
        return op, mode, self._timeout_for(op, timeout)

    def _send(self, op: Operation, base: PreparedRequest, t: tuple[float, float], mode: str,
              raise_for_status: bool, base_url: str | None, stream: bool) -> Response:
        """Everything after building: auth and signing per attempt, retries, redirects, the
        answer decoded, validated and checked."""
        ctx, flow, limits = self._exchange(op, base, t, base_url, stream)
        current = CURRENT_LIMITS.set(limits)  # the token requests of this call too
        try:
            outcome = run(flow, self.transport.sender(t, limits),
                          lambda req: self._authenticate(op, req, ctx))
        finally:
            CURRENT_LIMITS.reset(current)
        return self._finish(op, outcome, mode, raise_for_status, stream)

    def _exchange(self, op: Operation, base: PreparedRequest, t: tuple[float, float],
                  base_url: str | None, stream: bool) -> tuple[AuthContext, Flow, Limits]:
        """The call's auth context, its exchange (:mod:`specclient.transport.flow`, to be
        driven with blocking or async I/O) and its limits."""
        ctx = self._auth_context(op, t, dry_run=False, base_url=base_url)
        plan = self._plan_for(op)
        policy = plan.retry_policy(op, self._retries)
        limits = self._limits(op, time.monotonic() + policy.total_timeout)

        def should_retry(request: PreparedRequest, response: Any) -> bool:
            return any([s.should_retry(request, response, ctx) for s in op.auth])

        observer = self.transport.observer
        flow = exchange_flow(op.full_name, base, policy, plan.idempotent,
                             should_retry=should_retry, redirects=op.service.redirects,
                             session_auth=plan.session_auth, stream=stream, timeout=t,
                             limits=limits, on_retry=observer.retry if observer else None)
        return ctx, flow, limits

    def _finish(self, op: Operation, outcome: Sent, mode: str, raise_for_status: bool,
                stream: bool) -> Response:
        """The answer decoded (secrets an API echoes back hidden), validated and checked."""
        http, attempts, sent = outcome.response, outcome.attempts, outcome.request
        if stream and 200 <= http.status_code < 300:
            limit = self.max_response_bytes or op.max_response_bytes
            return Response(op.full_name, http, None, attempts, redactor=sent.secrets,
                            sent=sent, streamed=True, limit=limit)
        data = decode(op, http, sent)
        if http.status_code >= 400:  # an API that echoes the credentials it got
            data = sent.secrets.value(data)
        resp = Response(op.full_name, http, data, attempts, redactor=sent.secrets, sent=sent)
        validate(op, http.status_code, data, mode, self._validators_for(op), sent.secrets)
        if raise_for_status:
            check_status(op, resp, sent, not_followed=outcome.not_followed)
        return resp

    def paginate(
        self,
        name: str,
        /,
        body: Any = MISSING,
        *,
        max_items: int | None = None,
        max_pages: int | None = None,
        timeout: float | tuple[float, float] | None = None,
        response_validation: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        environment: str | None = None,
        base_url: str | None = None,
        **params: Any,
    ) -> Paginator:
        """Every item of every page of operation ``name``, fetched lazily as the result is
        iterated (``for repo in client.paginate("github.repos_list_for_org", org="x")``);
        ``.pages()`` gives each page's :class:`Response` instead. The operation (or its
        service) declares how it pages and where its items are (``pagination:``, see
        :mod:`specclient.pagination`). ``max_items`` / ``max_pages`` stop early. Each page is
        a full call (auth, signing, retries, validation); an error status raises. A next-page
        link to another origin raises :class:`PaginationError` (credentials never go there).
        """
        from .pagination import PageWalk, Paginator  # only for paging (start-up)

        op = self._catalog.operation(name)
        if op.pagination is None:
            raise PaginationError(f"{op.full_name} declares no pagination (add a pagination: "
                                  f"entry to the operation or its service's defaults)")
        mode = response_validation or self.response_validation
        if mode not in MODES:
            raise ValueError(f"response_validation must be one of {MODES}")
        t = self._timeout_for(op, timeout)
        pagination = op.pagination

        def pages() -> Iterator[Response]:
            base = self._build(op, body, params, extra_headers, environment, base_url)
            walk = PageWalk(op.full_name, pagination, base)
            while True:
                resp = self._send(op, walk.request, t, mode, True, base_url, False)
                yield resp
                if not walk.advance(resp):
                    return

        return Paginator(pages, pagination, max_items=max_items, max_pages=max_pages)

    # ------------------------------------------------------------------ receiving

    def verify_webhook(
        self,
        name: str,
        /,
        headers: Mapping[str, str],
        body: bytes,
        *,
        secrets: str | Sequence[str] | None = None,
        tolerance: float | None = None,
        now: float | None = None,
        url: str | None = None,
        method: str | None = None,
    ) -> Any:
        """Check an incoming webhook against operation ``name``'s signing rule(s) and return
        its decoded, schema-validated body.

        ``body`` is the raw bytes received (a str is taken as UTF-8); ``headers`` as received
        (any mapping, ``http.server``'s ``self.headers``, or (name, value) pairs; looked up
        case-insensitively). ``secrets``: the secret value(s) to accept (several during a key
        rotation); default: the rule's named secret from credentials (a list there gives
        several). ``tolerance``: seconds a signed timestamp may be off (default: the rule's
        ``tolerance_seconds``, else 300); ``now``: the receiver's clock (Unix seconds).
        ``url``/``method``: the request's, for rules that sign them (default: the operation's
        path and method).

        Raises :class:`WebhookVerificationError` (``reason`` says why) for any missing,
        malformed or mismatched signature, header or body, and its subclass
        :class:`WebhookBodyError` (also a :class:`ValidationError`) when the signature is good
        but the body breaks the schema. :class:`MissingCredentialError` if no secret is known.
        """
        # webhook verification only when a receiver asks for it
        from .signing.webhooks import verify_webhook

        op = self._catalog.operation(name)
        return verify_webhook(op, headers, body, secrets=secrets, tolerance=tolerance, now=now,
                              url=url, method=method, credentials=self._credentials,
                              body_validator=self._validators_for(op).body)

    # ------------------------------------------------------------------ lifecycle

    def login(self, service: str, scheme: str | None = None, **options: Any) -> None:
        """Log in to ``service`` with its ``flow: authorization_code`` OAuth2 scheme (or the
        one named ``scheme``): a browser, a loopback redirect, tokens kept on disk. Options
        go to :meth:`specclient.auth.OAuth2AuthorizationCode.login`."""
        svc = self._catalog.service(service)
        names = [n for n, s in svc.auth.items() if hasattr(s, "login")]
        if scheme is None and len(names) != 1:
            raise AuthError(f"{service}: more than one auth scheme logs in ({', '.join(names)}); "
                            f"name one" if names else
                            f"{service}: no auth scheme logs in (flow: authorization_code)")
        chosen = svc.auth.get(scheme or names[0])
        if chosen is None or not hasattr(chosen, "login"):
            raise AuthError(f"{service}: {scheme!r} is not an authorization_code scheme")
        ctx = AuthContext(f"{service}.login", self._credentials, self.transport, (10.0, 60.0),
                          self._tokens)
        chosen.login(ctx, **options)

    def close(self) -> None:
        """Close the session if this client created it."""
        if self._own_session:
            self.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<specclient.Client: {len(self._catalog.service_names())} services>"


def _find_secret(credentials: Credentials, name: str) -> str | None:
    """The value of secret ``name``, or None (also when the credentials file cannot be read:
    that error comes with the call itself)."""
    try:
        return credentials.find(name)
    except SpecClientError:
        return None
