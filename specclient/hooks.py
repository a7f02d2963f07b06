"""Event hooks and telemetry: what a client tells about each call as it happens.

``Client(event_hooks={"request": [f], "response": [g], "retry": [h], "error": [e]})`` (or
``client.event_hooks["response"].append(g)``, as httpx's ``event_hooks``) calls each function
with one :class:`Event`:

- ``request``: each attempt, authenticated and signed, just before it is sent (token requests
  too: ``event.operation`` is the call's, ``event.request.url`` the token URL);
- ``response``: each answer, as its headers arrive (also answers that will be retried);
- ``retry``: an attempt failed and another follows after ``event.delay`` seconds
  (``event.error`` or ``event.response`` says why);
- ``error``: a call ends in an exception (``event.error``), which is raised after the hooks.

Hooks see redacted views: ``event.request`` is a :class:`~specclient.response.RequestView`
with every secret as ``***``, and ``event.response`` the answer with its headers redacted
(``event.response.headers``). A hook that truly needs the request as sent, secrets and all,
asks for it: ``event.prepared`` (a :class:`~specclient.request.PreparedRequest`). An exception
a hook raises stops the call (as in httpx: a hook may refuse a request).

Telemetry: when the application uses OpenTelemetry (``opentelemetry-api`` imported, e.g. by
its SDK set-up; ``pip install 'specclient[otel]'``), each call is a span
``specclient {operation}`` and each attempt a child span ``{METHOD}``, with the operation
name, method, URL template (never a value: no secret can be in it), status and attempt count.
Each attempt is also a DEBUG line on the ``specclient`` logger (URL redacted).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from .response import RequestView
from .version import __version__

if TYPE_CHECKING:
    import requests

    from .request import PreparedRequest

__all__ = ["Event", "EventHooks", "Observer", "HOOK_EVENTS", "Hook"]

log = logging.getLogger("specclient")

HOOK_EVENTS = ("request", "response", "retry", "error")

Hook = Callable[["Event"], Any]


class ResponseView(NamedTuple):
    """An answer as a hook sees it: status, reason, headers (secrets echoed back shown as
    ``***``) and the time from sending to the headers, in seconds."""

    status_code: int
    reason: str
    headers: dict[str, str]
    elapsed: float


class Event(NamedTuple):
    """What a hook is told. ``request``/``response`` are redacted views; ``prepared`` is the
    request as sent, secrets included (ask for it only when you must: it is left out of the
    event's repr)."""

    name: str
    operation: str
    attempt: int = 1
    request: RequestView | None = None
    response: ResponseView | None = None
    error: BaseException | None = None
    delay: float | None = None
    prepared: PreparedRequest | None = None

    def __repr__(self) -> str:
        return (f"Event(name={self.name!r}, operation={self.operation!r}, "
                f"attempt={self.attempt}, request={self.request!r}, "
                f"response={self.response!r}, error={self.error!r}, delay={self.delay!r})")


class EventHooks(dict):  # type: ignore[type-arg]
    """``{"request": [...], "response": [...], "retry": [...], "error": [...]}``: the lists
    may be changed at any time; another event name is refused."""

    def __init__(self, hooks: Mapping[str, Hook | list[Hook]] | None = None):
        super().__init__({name: [] for name in HOOK_EVENTS})
        for name, value in (hooks or {}).items():
            if name not in HOOK_EVENTS:
                raise ValueError(f"unknown event hook {name!r} (events: "
                                 f"{', '.join(HOOK_EVENTS)})")
            funcs = value if isinstance(value, (list, tuple)) else [value]
            for f in funcs:
                if not callable(f):
                    raise TypeError(f"event hook {name!r}: {f!r} is not callable")
            self[name] = list(funcs)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in HOOK_EVENTS:
            raise ValueError(f"unknown event hook {key!r} (events: {', '.join(HOOK_EVENTS)})")
        super().__setitem__(key, value)


class Observer:
    """One client's hooks and telemetry, told about each call by the client and its transport.
    Cheap when nobody listens: no view is built unless a hook is registered."""

    __slots__ = ("hooks", "telemetry")

    def __init__(self, hooks: EventHooks, telemetry: bool = True):
        self.hooks = hooks
        self.telemetry = telemetry

    @property
    def active(self) -> bool:
        """Whether anyone listens: a hook, OpenTelemetry in use, or DEBUG logging."""
        return (any(self.hooks.values())
                or (self.telemetry and "opentelemetry.trace" in sys.modules)
                or log.isEnabledFor(logging.DEBUG))

    # -- what the transport and the client report

    def request(self, operation: str, req: PreparedRequest, attempt: int) -> None:
        if self.hooks["request"]:
            self._emit(Event("request", operation, attempt, request=_view(req),
                             prepared=req))

    def response(self, operation: str, req: PreparedRequest, resp: requests.Response,
                 attempt: int) -> None:
        elapsed = resp.elapsed.total_seconds()
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s: attempt %d: %s %s -> HTTP %d in %.1f ms", operation, attempt,
                      req.method, req.secrets.url(req.url), resp.status_code, elapsed * 1000)
        span = _current_attempt_span()
        if span is not None:
            span.set_attribute("http.response.status_code", resp.status_code)
        if self.hooks["response"]:
            view = ResponseView(resp.status_code, resp.reason or "",
                                req.secrets.headers(resp.headers), elapsed)
            self._emit(Event("response", operation, attempt, request=_view(req),
                             response=view, prepared=req))

    def retry(self, operation: str, req: PreparedRequest, attempt: int, delay: float,
              error: BaseException | None = None,
              resp: requests.Response | None = None) -> None:
        if self.hooks["retry"]:
            view = None if resp is None else ResponseView(
                resp.status_code, resp.reason or "", req.secrets.headers(resp.headers),
                resp.elapsed.total_seconds())
            self._emit(Event("retry", operation, attempt, request=_view(req), response=view,
                             error=error, delay=delay, prepared=req))

    def error(self, operation: str, error: BaseException) -> None:
        if self.hooks["error"]:
            self._emit(Event("error", operation, error=error))

    def _emit(self, event: Event) -> None:
        for hook in list(self.hooks[event.name]):
            hook(event)

    # -- spans

    @contextlib.contextmanager
    def call_span(self, operation: str, req: PreparedRequest, template: str) -> Iterator[Any]:
        """A span around one call (when OpenTelemetry is in use), ended with its outcome."""
        tracer = self._tracer()
        if tracer is None:
            yield None
            return
        attributes = {"specclient.operation": operation, "http.request.method": req.method,
                      "url.template": template, "server.address": _host(req.base_url)}
        with tracer.start_as_current_span(f"specclient {operation}", kind=_client_kind(),
                                          attributes=attributes) as span:
            yield span

    @staticmethod
    def ended(span: Any, resp: Any) -> None:
        """Record a call's outcome on its span (None: no span)."""
        if span is not None:
            span.set_attribute("http.response.status_code", resp.status_code)
            span.set_attribute("specclient.attempts", resp.attempts)

    @contextlib.contextmanager
    def attempt_span(self, req: PreparedRequest, attempt: int) -> Iterator[Any]:
        tracer = self._tracer()
        if tracer is None:
            yield None
            return
        attributes = {"specclient.operation": req.operation, "http.request.method": req.method,
                      "specclient.attempt": attempt, "http.request.resend_count": attempt - 1,
                      "server.address": _host(req.base_url)}
        with tracer.start_as_current_span(req.method, kind=_client_kind(),
                                          attributes=attributes) as span:
            yield span

    def _tracer(self) -> Any:
        if not self.telemetry:
            return None
        trace = sys.modules.get("opentelemetry.trace")  # in use only if the app imported it
        if trace is None:
            return None
        return trace.get_tracer("specclient", __version__)


def _view(req: PreparedRequest) -> RequestView:
    view = req.redacted()
    return RequestView(view["method"], view["url"], view["headers"], view["body"])


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _client_kind() -> Any:
    trace = sys.modules["opentelemetry.trace"]
    return trace.SpanKind.CLIENT


def _current_attempt_span() -> Any:
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    span = trace.get_current_span()
    return span if span.is_recording() else None
