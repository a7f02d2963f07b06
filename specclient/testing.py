"""Mock API operations *by name* in your own tests, on top of ``responses``.

::

    from specclient.testing import SpecMock

    def test_ship(specclient_mock):                      # the pytest fixture, or SpecMock()
        specclient_mock.add("thirdwatch.order_status", json={"status": "OK"})
        ship_order("o1")                                 # your code, calling specclient
        call = specclient_mock.calls_to("thirdwatch.order_status")[0]
        assert call.json["_orderId"] == "o1"

The method and URL of each operation come from its spec: the client's base URL for the chosen
environment (or ``base_url``) and the path template, with path parameters matched as
``[^/]+``. Every matching request is recorded as a :class:`RecordedCall` with its parameters
decoded back to the spec's names and types. Requests that match nothing are refused (no real
network). An OAuth2 token endpoint used by a mocked operation answers with a test token.

``responses`` is imported only when a :class:`SpecMock` is created, so installing specclient
does not require it (``pip install responses``).
"""

from __future__ import annotations

import json as _json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .auth import OAuth2ClientCredentials
from .mock.routes import Route, parameter_values
from .redaction import Redactor

__all__ = ["SpecMock", "RecordedCall", "TEST_TOKEN"]

#: The access token the mocked OAuth2 token endpoints hand out.
TEST_TOKEN = "specclient-test-token"

_UNSET: Any = object()


@dataclass
class RecordedCall:
    """One request a mocked operation received.

    ``params`` maps each declared parameter present (path, query, header) to its value, keyed
    by keyword name (``pet_id``) and typed by its schema; ``json`` is the decoded JSON body
    (None if the body is not JSON); ``body`` the exact bytes.
    """

    operation: str
    method: str
    url: str
    path_params: dict[str, str]
    query: dict[str, Any]
    headers: Mapping[str, str]
    body: bytes | None
    json: Any
    params: dict[str, Any] = field(default_factory=dict)
    request: Any = None
    #: The operation's secrets, hidden from :meth:`__repr__` (pytest prints reprs).
    secrets: Redactor = field(default_factory=Redactor, repr=False, compare=False)

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}"
                          for f in fields(self) if f.repr)
        return f"RecordedCall({self.secrets.text(shown)})"


@dataclass
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str]


class SpecMock:
    """Mocks operations by name with ``responses``; use as a context manager (or
    :meth:`start` / :meth:`stop`), or through the ``specclient_mock`` pytest fixture.

    ``client`` resolves names, base URLs and auth (default: ``Client(spec_dirs)``);
    ``environment`` / ``base_url`` choose which URLs to mock when they differ from the client's.
    """

    def __init__(self, client: Any = None, *, spec_dirs: Any = (),
                 environment: str | None = None, base_url: str | None = None,
                 mock_tokens: bool = True):
        try:
            import responses  # responses is a test dependency, only needed when SpecMock is used
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("specclient.testing needs the 'responses' package: "
                              "pip install responses") from None
        if client is None:
            # the pytest plugin imports testing at start-up; the client only when used
            from .client import Client

            client = Client(spec_dirs)
        self.client = client
        self.environment = environment
        self.base_url = base_url
        self.mock_tokens = mock_tokens
        self.calls: list[RecordedCall] = []
        self.responses = responses.RequestsMock(assert_all_requests_are_fired=False)
        self._replies: dict[tuple[str, str], list[_Reply]] = {}
        self._tokens: set[str] = set()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SpecMock:
        self.responses.start()
        return self

    def stop(self) -> None:
        self.responses.stop()
        self.responses.reset()

    def __enter__(self) -> SpecMock:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ mocking

    def add(self, name: str, *, json: Any = _UNSET, body: str | bytes | None = None,
            status: int = 200, headers: Mapping[str, str] | None = None,
            content_type: str | None = None, environment: str | None = None,
            base_url: str | None = None) -> None:
        """Answer calls to operation ``name`` with ``status`` and ``json`` (or raw ``body``).

        Add the same operation several times to answer successive calls in turn; the last
        answer repeats.
        """
        op = self.client.operation(name)
        pattern = self.url_pattern(op, environment=environment, base_url=base_url)
        hdrs = dict(headers or {})
        if json is not _UNSET:
            raw = _json.dumps(json).encode()
            hdrs.setdefault("Content-Type", content_type or "application/json")
        else:
            raw = body.encode() if isinstance(body, str) else (body or b"")
            if content_type:
                hdrs.setdefault("Content-Type", content_type)
        key = (op.full_name, pattern.pattern)
        if key not in self._replies:
            self._replies[key] = []
            base = self.client.base_url(op, environment or self.environment,
                                        base_url or self.base_url)
            self.responses.add_callback(op.method, pattern,
                                        callback=self._answer(op, pattern, base))
        self._replies[key].append(_Reply(status, raw, hdrs))
        if self.mock_tokens:
            self._mock_token_endpoints(op)

    def url_pattern(self, op: Any, *, environment: str | None = None,
                    base_url: str | None = None) -> re.Pattern[str]:
        """The regular expression of ``op``'s URL: the base URL, then the path template as the
        built-in mock routes it (:class:`specclient.mock.routes.Route`), any query string."""
        base = self.client.base_url(op, environment or self.environment,
                                    base_url or self.base_url)
        return re.compile("^" + re.escape(base) + Route.of(op).regex.pattern + r"(?:\?.*)?$")

    def _answer(self, op: Any, pattern: re.Pattern[str], base: str) -> Any:
        route = Route.of(op)
        skip = len(urlsplit(base).path.rstrip("/"))  # the base URL's path, before the route's

        def callback(request: Any) -> tuple[int, dict[str, str], bytes]:
            self.calls.append(self._record(op, route, skip, request))
            replies = self._replies[(op.full_name, pattern.pattern)]
            reply = replies.pop(0) if len(replies) > 1 else replies[0]
            return reply.status, dict(reply.headers), reply.body

        return callback

    def _record(self, op: Any, route: Route, skip: int, request: Any) -> RecordedCall:
        """The request as the built-in mock reads it: path parameters by the same route,
        each parameter typed by the same rule."""
        url = request.url
        path_params = route.match(urlsplit(url).path[skip:]) or {}
        pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        query: dict[str, Any] = {}
        for k, v in pairs:
            if k in query:  # repeated: a list
                prev = query[k]
                query[k] = [*prev, v] if isinstance(prev, list) else [prev, v]
            else:
                query[k] = v
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        try:
            decoded = _json.loads(body) if body else None
        except ValueError:
            decoded = None
        params = parameter_values(op, request.headers, urlsplit(url).query,
                                  route.match(urlsplit(url).path[skip:], raw=True) or {})
        return RecordedCall(op.full_name, request.method, url, path_params, query,
                            request.headers, body, decoded, params, request,
                            secrets=self.client.redactor(op.full_name))

    def _mock_token_endpoints(self, op: Any) -> None:

        for scheme in op.auth:
            if isinstance(scheme, OAuth2ClientCredentials):
                url = scheme.decl["token_url"]
                if url not in self._tokens:
                    self._tokens.add(url)
                    self.responses.add("POST", url, json={"access_token": TEST_TOKEN,
                                                          "token_type": "Bearer",
                                                          "expires_in": 3600})

    # ------------------------------------------------------------------ assertions

    def calls_to(self, name: str) -> list[RecordedCall]:
        """The recorded calls of operation ``name`` (full name or alias), in order."""
        full = self.client.operation(name).full_name
        return [c for c in self.calls if c.operation == full]

    def assert_called(self, name: str, times: int | None = None) -> RecordedCall:
        """Assert ``name`` was called (``times`` times, if given); returns the last call."""
        calls = self.calls_to(name)
        if not calls or (times is not None and len(calls) != times):
            got = ", ".join(sorted({c.operation for c in self.calls})) or "nothing"
            raise AssertionError(f"{name} was called {len(calls)} times"
                                 + (f", expected {times}" if times is not None else "")
                                 + f" (calls seen: {got})")
        return calls[-1]
