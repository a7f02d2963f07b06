"""specclient: call web APIs by name, from operations declared in YAML.

>>> import specclient
>>> client = specclient.Client()
>>> req = client.prepare("thirdwatch.order_status", body={"_userId": "u1"},
...                      dry_run=True)                                  # doctest: +SKIP
"""

import os
from collections.abc import Iterable

from .client import Client  # noqa: E402
from .credentials import Credentials  # noqa: E402
from .errors import (  # noqa: E402
    ApiError,
    ArgumentError,
    AuthError,
    BatchError,
    ClientError,
    ConnectionError,
    CredentialsFileError,
    InsecureTransportError,
    MissingCredentialError,
    OperationNotFound,
    PaginationError,
    RedirectError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    SpecClientError,
    SpecError,
    SpecProblem,
    TimeoutError,
    TransportError,
    ValidationError,
    Violation,
    WebhookBodyError,
    WebhookVerificationError,
)
from .model import Operation  # noqa: E402
from .request import PreparedRequest  # noqa: E402
from .response import Response  # noqa: E402
from .version import __version__


def __getattr__(name: str) -> object:
    """``specclient.AsyncClient`` and ``Paginator``: imported when first used (start-up)."""
    if name in ("AsyncClient", "AsyncPaginator"):
        from . import aio  # the async client only when asked for (start-up)

        return getattr(aio, name)
    if name == "Paginator":
        from .pagination import Paginator  # paging only when asked for (start-up)

        return Paginator
    raise AttributeError(f"module 'specclient' has no attribute {name!r}")


def lint(dirs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[SpecProblem]:
    """Every problem in the spec folder(s) ``dirs``, sorted by file and line; empty when clean
    (see :func:`specclient.spec.lint.lint`)."""
    from .spec.lint import lint as lint_dirs  # the linter only when asked for (start-up)

    return lint_dirs(dirs)

__all__ = [
    "__version__",
    "Client",
    "AsyncClient",
    "Credentials",
    "lint",
    "Operation",
    "PreparedRequest",
    "Response",
    "Paginator",
    "PaginationError",
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
    "InsecureTransportError",
    "ResponseTooLargeError",
    "ApiError",
    "RedirectError",
    "ClientError",
    "ServerError",
    "ResponseDecodeError",
    "WebhookVerificationError",
    "WebhookBodyError",
    "BatchError",
]
