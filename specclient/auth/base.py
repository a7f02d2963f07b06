"""What every auth scheme shares: the registry (looked up by the ``type`` a service's YAML
gives), the :class:`AuthScheme` base class, the per-call :class:`AuthContext` and the
client's :class:`TokenCache`.

A scheme is one small class: ``spec_schema`` (the JSON Schema of its YAML entry), ``apply``
(add what it must to a request being prepared), ``check`` (the server's side, used by the
built-in mock: does a request that arrived carry acceptable credentials?) and, optionally,
``should_retry`` (after the API answered a request it authenticated: may the call be sent
once more, freshly authenticated?). A scheme that needs a request of its own (a token) asks
the client's one transport for it through :meth:`AuthContext.send`. Register it with
:func:`register_auth`::

    @register_auth
    class Hawk(AuthScheme):
        type = "hawk"
        spec_schema = {...}
        def apply(self, request, ctx): ...
        def check(self, presented): ...   # None, or why the mock refuses the request
"""

from __future__ import annotations

import base64
import hmac
import threading
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

from ..credentials import Credentials
from ..record import Record
from ..request import PreparedRequest, url_origin

if TYPE_CHECKING:
    import requests

__all__ = ["AUTH_TYPES", "AuthContext", "AuthScheme", "AuthFlow", "Presented", "TokenCache",
           "follow_base_url", "register_auth", "url_origin", "SECRET", "same_secret"]

#: An auth scheme's :meth:`AuthScheme.flow`: yields what the driver must fetch (e.g. an OAuth2
#: token), is sent the result, and applies the scheme to the request.
AuthFlow = Generator[Any, Any, None]


class Sender(Protocol):
    """What sends a scheme's own requests: the client's one transport
    (:class:`specclient.transport.send.Transport`)."""

    def send(self, req: PreparedRequest, timeout: tuple[float, float]) -> requests.Response:
        ...

SECRET = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
          "description": "The name of a secret, resolved at call time."}

AUTH_TYPES: dict[str, type[AuthScheme]] = {}

T = TypeVar("T", bound="type[AuthScheme]")


def register_auth(cls: T) -> T:
    """Class decorator: make ``cls`` available to specs as ``type: <cls.type>``."""
    AUTH_TYPES[cls.type] = cls
    return cls


class TokenCache:
    """Access tokens shared by every call of one client, keyed by (token URL, client id, scope).

    One lock per key makes sure that many threads needing the same token cause one fetch.
    """

    def __init__(self) -> None:
        self.tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
        self.locks: dict[tuple[str, str, str], threading.Lock] = {}
        self.guard = threading.Lock()
        self.fetches = 0

    def lock_for(self, key: tuple[str, str, str]) -> threading.Lock:
        with self.guard:
            lock = self.locks.get(key)
            if lock is None:
                lock = self.locks[key] = threading.Lock()
            return lock

    def __repr__(self) -> str:
        return f"<TokenCache: {len(self.tokens)} tokens, values hidden>"


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


def _wall_clock() -> float:
    return time.time()  # looked up per call (a test may replace time.time)


class AuthContext(Record):
    """What an auth scheme may use while preparing one call.

    ``transport``: the client's one transport; a scheme's own requests (a token) go through
    :meth:`send`, with the call's ``timeout`` and the client's TLS, proxies and session.
    ``rewrite_url`` maps a URL the scheme declares (a token URL) to where it is sent for this
    call (see :func:`follow_base_url`)."""

    __slots__ = ("operation", "credentials", "transport", "timeout", "tokens", "dry_run",
                 "clock", "rewrite_url")
    _fields = __slots__

    def __init__(self, operation: str, credentials: Credentials, transport: Sender,
                 timeout: tuple[float, float], tokens: TokenCache, dry_run: bool = False,
                 clock: Callable[[], float] | None = None,
                 rewrite_url: Callable[[str], str] | None = None):
        self.operation = operation
        self.credentials = credentials
        self.transport = transport
        self.timeout = timeout
        self.tokens = tokens
        self.dry_run = dry_run
        self.clock: Callable[[], float] = clock if clock is not None else _wall_clock
        self.rewrite_url = rewrite_url

    def secret(self, name: str) -> str:
        return self.credentials.get(name, self.operation)

    def url(self, declared: str) -> str:
        """Where a declared URL goes for this call."""
        return self.rewrite_url(declared) if self.rewrite_url is not None else declared

    def send(self, request: PreparedRequest) -> requests.Response:
        """Send a scheme's own request (e.g. for a token) through the client's transport:
        once, never following a redirect, body read. Raises ``requests``' exceptions when no
        response came."""
        return self.transport.send(request, self.timeout)


def same_secret(given: str, expected: list[str]) -> bool:
    """True when nothing is configured (only presence is checked), or ``given`` is one of the
    configured values (compared in constant time)."""
    return not expected or any(hmac.compare_digest(given.encode(), e.encode())
                               for e in expected)


class Presented(Record):
    """A request as a server receives it, for a scheme's :meth:`AuthScheme.check`: its
    ``headers`` (case-insensitive) and ``query`` pairs, the server's ``configured`` secret
    values by name (several while a key rotates; none: only presence is checked),
    ``token_info`` (declared token URL and expiry of a token the server issued, or None) and
    the server's clock ``now``."""

    __slots__ = ("headers", "query", "configured", "token_info", "now")
    _fields = __slots__

    def __init__(self, headers: Mapping[str, str], query: list[tuple[str, str]],
                 configured: Callable[[str], list[str]],
                 token_info: Callable[[str], tuple[str, float] | None] = lambda token: None,
                 now: float = 0.0):
        self.headers = headers
        self.query = query
        self.configured = configured
        self.token_info = token_info
        self.now = now

    def authorization(self, kind: str) -> str | None:
        """The credentials after ``Authorization: <kind> ``, or None."""
        head, _, rest = self.headers.get("Authorization", "").partition(" ")
        return rest.strip() if head.lower() == kind.lower() and rest.strip() else None

    def basic_pair(self) -> tuple[str, str] | None:
        """(user, password) of an ``Authorization: Basic`` header, or None if malformed."""
        encoded = self.authorization("Basic")
        if encoded is None:
            return None
        try:
            user, sep, password = base64.b64decode(encoded, validate=True).decode() \
                .partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return (user, password) if sep else None


class AuthScheme:
    """Base class of auth schemes. Subclasses set ``type`` and ``spec_schema``."""

    type: ClassVar[str]
    spec_schema: ClassVar[dict[str, Any]] = {"additionalProperties": False}
    #: The ``WWW-Authenticate`` value a server answers a refused request with.
    challenge: ClassVar[str] = ""

    def __init__(self, name: str, decl: Mapping[str, Any]):
        self.name = name
        self.decl = decl

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:  # pragma: no cover
        raise NotImplementedError

    def flow(self, request: PreparedRequest, ctx: AuthContext) -> AuthFlow:
        """:meth:`apply`, for a driver that does the I/O itself (the async client): a
        generator that yields what must be fetched first (an OAuth2 :class:`TokenFetch`) and
        is sent the result. A scheme that needs no I/O has nothing to yield."""
        self.apply(request, ctx)
        return
        yield  # a generator, though it yields nothing

    def should_retry(self, request: PreparedRequest, response: requests.Response,
                     ctx: AuthContext) -> bool:
        """Seen the API's 401 to ``request`` (as this scheme authenticated it): True when the
        call may succeed if sent once more, authenticated afresh (e.g. a cached token was
        revoked: the scheme drops exactly that token). Default: False."""
        return False

    def check(self, presented: Presented) -> str | None:
        """The server's side: None when ``presented`` carries acceptable credentials for this
        scheme, else the reason to refuse it (never quoting a secret). Default: accepted."""
        return None

    def secret_names(self) -> list[str]:
        """Names of the secrets this scheme reads."""
        return []

    def describe(self) -> str:
        return self.type

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
