"""Every exception specclient raises, as one hierarchy.

Catch :class:`SpecClientError` to catch them all::

    SpecClientError
    ├── SpecError                 a spec file is wrong (file, line, what)
    ├── OperationNotFound         no operation by that name (with suggestions)
    ├── ArgumentError             a call's arguments are wrong (names the parameter)
    ├── ValidationError           a body / parameter / response breaks its schema (JSON paths)
    ├── AuthError                 credentials missing, token request refused
    │   ├── MissingCredentialError   a named secret has no value
    │   └── CredentialsFileError     the credentials file is unsafe, unreadable or malformed
    ├── TransportError            the request never got a (whole) response
    │   ├── TimeoutError              ... in time (a socket timeout, or the total deadline)
    │   ├── ConnectionError
    │   └── ResponseTooLargeError     ... of a bearable size (max_response_bytes)
    ├── InsecureTransportError    credentials would have gone over plain http: nothing sent
    ├── ApiError                  the API answered 3xx (not followed) / 4xx / 5xx
    │   ├── RedirectError (3xx)       a redirect the policy does not follow (with why)
    │   ├── ClientError (4xx)
    │   └── ServerError (5xx)
    ├── ResponseDecodeError       the response body is not what its content type says
    ├── WebhookVerificationError  an incoming webhook failed its signature check
    │   └── WebhookBodyError          ... its signature is good but its body breaks the schema
    │                                 (also a ValidationError, with the JSON paths)
    ├── PaginationError           no pagination declared, or a next-page link to another origin
    └── BatchError                a batch input or results file is unusable (file:line)

No message built here ever contains a secret value: secrets are *named*, never shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .record import FrozenRecord

__all__ = [
    "SpecClientError",
    "SpecError",
    "SpecProblem",
    "OperationNotFound",
    "ArgumentError",
    "ValidationError",
    "Violation",
    "AuthError",
    "MissingCredentialError",
    "CredentialsFileError",
    "TransportError",
    "TimeoutError",
    "ConnectionError",
    "ResponseTooLargeError",
    "InsecureTransportError",
    "ApiError",
    "RedirectError",
    "ClientError",
    "ServerError",
    "ResponseDecodeError",
    "WebhookVerificationError",
    "WebhookBodyError",
    "PaginationError",
    "BatchError",
]


class SpecClientError(Exception):
    """Base class of every error specclient raises."""


# --------------------------------------------------------------------------- specs


class SpecProblem(FrozenRecord):
    """One thing wrong in a spec file, with where it is."""

    __slots__ = ("file", "line", "message")
    _fields = __slots__

    def __init__(self, file: str, line: int | None, message: str):
        self.file = file
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class SpecError(SpecClientError):
    """A spec file is malformed.

    ``problems`` lists every problem found; ``file`` and ``line`` are the first one's.
    """

    def __init__(self, problems: SpecProblem | Iterable[SpecProblem]):
        if isinstance(problems, SpecProblem):
            problems = [problems]
        self.problems: list[SpecProblem] = list(problems)
        first = self.problems[0]
        self.file = first.file
        self.line = first.line
        self.message = first.message
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, file: str, line: int | None, message: str) -> SpecError:
        return cls(SpecProblem(str(file), line, message))


class OperationNotFound(SpecClientError, LookupError):
    """No operation (or, with ``kind="service"``, no service) has the requested name;
    ``suggestions`` holds the closest names."""

    def __init__(self, name: str, suggestions: list[str], kind: str = "operation"):
        self.name = name
        self.suggestions = suggestions
        self.kind = kind
        msg = f"no {kind} named {name!r}"
        if suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in suggestions) + "?"
        else:
            msg += " (run `specclient list` to see them all)"
        super().__init__(msg)

    def __str__(self) -> str:  # LookupError would quote the message
        return str(self.args[0])


class ArgumentError(SpecClientError, TypeError):
    """A call's arguments do not fit the operation (unknown, missing, or unsafe values)."""

    def __init__(self, operation: str, message: str, parameter: str | None = None,
                 shell: str | None = None):
        self.operation = operation
        self.parameter = parameter
        #: the message as the shell says it (``--pet-id VALUE`` for ``pet_id=``), or None
        self.shell = f"{operation}: {shell}" if shell else None
        super().__init__(f"{operation}: {message}")


# --------------------------------------------------------------------------- validation


class Violation(FrozenRecord):
    """One schema violation: where (a JSON path such as ``body.resource[0].lines``) and why.
    ``as_json``: the message with values written as JSON (``true``, ``{"k": [1, 2]}``), for
    the shell; empty when it is the same as ``message``."""

    __slots__ = ("path", "message", "validator", "as_json")
    _fields = __slots__

    def __init__(self, path: str, message: str, validator: str = "", as_json: str = ""):
        self.path = path
        self.message = message
        self.validator = validator
        self.as_json = as_json

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ValidationError(SpecClientError, ValueError):
    """Input or output broke its schema. ``violations`` lists every one, each with its path;
    the message shows the first ``MAX_SHOWN``."""

    MAX_SHOWN = 20

    def __init__(self, operation: str, violations: Iterable[Violation], what: str = "request"):
        self.operation = operation
        self.violations: list[Violation] = list(violations)
        self.what = what
        n = len(self.violations)
        shown = self.violations[:self.MAX_SHOWN]
        lines = "\n".join(f"  - {v}" for v in shown)
        if n > len(shown):
            lines += f"\n  ... and {n - len(shown)} more (all in .violations)"
        tail = "; nothing was sent" if what == "request" else ""
        super().__init__(
            f"{operation}: invalid {what} ({n} violation{'s' if n != 1 else ''}){tail}:\n{lines}"
        )


# --------------------------------------------------------------------------- auth


class AuthError(SpecClientError):
    """Authentication could not be done (a token request failed, a scheme is misconfigured)."""


class MissingCredentialError(AuthError, KeyError):
    """A secret named in a spec has no value in ``credentials=``, a credentials file or the
    environment."""

    def __init__(self, name: str, operation: str | None = None, looked_in: str = "",
                 names: Iterable[str] | None = None):
        self.name = name
        #: every secret the operation needs and has no value for (``name`` is the first)
        self.names: list[str] = list(names) if names else [name]
        self.operation = operation
        where = f"{operation}: " if operation else ""
        hint = looked_in or "credentials=, the credentials file, or the environment"
        if len(self.names) == 1:
            text = f"{where}missing secret {name!r}: set it in {hint}"
        else:
            text = (f"{where}missing secrets {', '.join(map(repr, self.names))}: set them in "
                    f"{hint}")
        super().__init__(text)

    def __str__(self) -> str:
        return str(self.args[0])


class CredentialsFileError(AuthError):
    """The credentials file cannot be used: readable by group or others (refused, as ssh
    does), unreadable, not YAML of the expected shape, or without the chosen profile.
    ``path`` is the file; the message never contains a secret value."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"credentials file {where}: {message}")


# --------------------------------------------------------------------------- transport


class TransportError(SpecClientError):
    """The request got no usable response: the connection failed or timed out.

    ``attempts`` is how many times it was tried; ``hint`` says why it was not retried."""

    def __init__(self, operation: str, message: str, attempts: int = 1, hint: str = ""):
        self.operation = operation
        self.attempts = attempts
        self.hint = hint
        super().__init__(f"{operation}: {message}"
                         + (f" (after {attempts} attempts)" if attempts > 1 else "")
                         + (f"; {hint}" if hint else ""))


class TimeoutError(TransportError):  # noqa: A001 - deliberate, namespaced as specclient.TimeoutError
    """The server did not connect or answer within the timeout."""


class ConnectionError(TransportError):  # noqa: A001
    """The connection could not be made or was reset."""


class ResponseTooLargeError(TransportError):
    """The response body grew past the size limit (``max_response_bytes``, counted on the
    decoded bytes) and was not read further. ``limit`` is that limit in bytes."""

    def __init__(self, operation: str, message: str, limit: int, attempts: int = 1):
        self.limit = limit
        super().__init__(operation, message, attempts)


class InsecureTransportError(SpecClientError):
    """A request would have carried credentials over plain http to another machine; nothing
    was sent (see ``allow_insecure_http``)."""

    def __init__(self, operation: str, message: str):
        self.operation = operation
        super().__init__(f"{operation}: {message}")


# --------------------------------------------------------------------------- responses


class ApiError(SpecClientError):
    """The API answered with an error status (4xx or 5xx).

    ``operation``, ``status_code`` (also ``status``), ``headers``, ``data`` (the decoded body,
    also ``body``: JSON, text or None), ``attempts``, ``request`` (``"METHOD url"`` with secrets
    redacted) and ``response`` (the :class:`specclient.Response`). The message names the
    operation, the request, the status and its reason, and the start of the body.
    """

    def __init__(
        self,
        operation: str,
        status_code: int,
        headers: Mapping[str, str],
        data: Any,
        text: str = "",
        response: Any = None,
        *,
        attempts: int = 1,
        request: str = "",
        reason: str = "",
    ):
        self.operation = operation
        self.status_code = status_code
        self.headers = headers
        self.data = data
        self.response = response
        self.attempts = attempts
        self.request = request
        detail = " ".join(text.split())
        if len(detail) > 500:
            detail = detail[:500] + "..."
        status = f"HTTP {status_code}" + (f" {reason}" if reason else "")
        where = f" from {request}" if request else ""
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        super().__init__(f"{operation}: {status}{where}{tries}"
                         + (f": {detail}" if detail else " (empty body)"))

    @property
    def status(self) -> int:
        """Same as ``status_code``."""
        return self.status_code

    @property
    def body(self) -> Any:
        """Same as ``data``: the decoded response body."""
        return self.data


class RedirectError(ApiError):
    """The API answered 3xx and the redirect was not followed (see
    :mod:`specclient.transport.redirects` for the policy). ``location``: the ``Location``
    header with any secret redacted (None when there was none); ``why``: the reason."""

    def __init__(self, operation: str, status_code: int, headers: Mapping[str, str],
                 data: Any, *, location: str | None, why: str, response: Any = None,
                 attempts: int = 1, request: str = "", reason: str = ""):
        self.location = location
        self.why = why
        shown = f" (Location: {location})" if location else ""
        super().__init__(operation, status_code, headers, data,
                         text=f"redirect not followed: {why}{shown}", response=response,
                         attempts=attempts, request=request, reason=reason)


class ClientError(ApiError):
    """The API answered 4xx: the request was refused."""


class ServerError(ApiError):
    """The API answered 5xx: the server failed."""


class ResponseDecodeError(SpecClientError):
    """The response body could not be decoded as its declared content type."""

    def __init__(self, operation: str, message: str, status_code: int | None = None):
        self.operation = operation
        self.status_code = status_code
        super().__init__(f"{operation}: {message}")


# --------------------------------------------------------------------------- webhooks


class WebhookVerificationError(SpecClientError):
    """An incoming webhook failed verification; ``reason`` says why."""

    def __init__(self, reason: str, operation: str | None = None):
        self.reason = reason
        self.operation = operation
        super().__init__(f"{operation}: {reason}" if operation else reason)


class WebhookBodyError(WebhookVerificationError, ValidationError):
    """An incoming webhook's signature is good, but its body breaks the operation's schema.

    Catch :class:`WebhookVerificationError` to refuse every bad webhook at once, or this
    class (also a :class:`ValidationError`, with ``violations`` at their JSON paths) to answer
    a malformed but authentic one differently (e.g. 400 instead of 401).
    """

    def __init__(self, operation: str, violations: Iterable[Violation]):
        ValidationError.__init__(self, operation, violations, what="webhook body")
        self.reason = str(self.args[0])[len(operation) + 2:]


class PaginationError(SpecClientError):
    """Paging cannot go on: the operation declares no pagination, or a next-page link leads
    to another origin (credentials are never sent there)."""


class BatchError(SpecClientError):
    """A batch's input line or results file cannot be used (the message says where)."""
