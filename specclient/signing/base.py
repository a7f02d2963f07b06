"""What every signing rule shares: the registry (looked up by the ``type`` a service's YAML
gives), the :class:`Signer` base class, and the secret's declaration."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol, TypeVar

from ..credentials import Credentials
from ..errors import (
    WebhookVerificationError,
)
from ..request import PreparedRequest

__all__ = ["SIGNER_TYPES", "Signer", "register_signer", "SECRET_SPEC", "DEFAULT_TOLERANCE",
           "GENERATED"]

#: Template fields whose values the sender generates (and a receiver reads back).
GENERATED = frozenset({"timestamp", "uuid", "random"})

#: Seconds a signed timestamp may be off from the receiver's clock, either way.
DEFAULT_TOLERANCE = 300.0

SIGNER_TYPES: dict[str, type[Signer]] = {}

T = TypeVar("T", bound="type[Signer]")


def register_signer(cls: T) -> T:
    """Class decorator: make ``cls`` available to specs as ``type: <cls.type>``."""
    SIGNER_TYPES[cls.type] = cls
    return cls


# --------------------------------------------------------------------------- signers


class Declared(Protocol):
    """What :meth:`Signer.lint` reads of an operation (a :class:`specclient.model.Operation`):
    its body declaration (content type, schema), or None."""

    @property
    def body(self) -> Any: ...


class Signer:
    """Base class of signers. Subclasses set ``type`` and ``spec_schema``."""

    type: ClassVar[str]
    spec_schema: ClassVar[dict[str, Any]] = {}

    def __init__(self, name: str, decl: Mapping[str, Any], file: str = "<spec>",
                 line: int | None = None):
        self.name = name
        self.decl = decl

    @property
    def header(self) -> str:
        return self.decl["header"]

    def headers(self) -> list[str]:
        """The headers this signer sets (so callers need not give them)."""
        return [self.header]

    def sign(self, request: PreparedRequest, credentials: Credentials,
             clock: Callable[[], float] = time.time) -> None:  # pragma: no cover
        raise NotImplementedError

    def verify(self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], *,
               method: str = "POST", url: str = "", now: float | None = None,
               tolerance: float | None = None, content_type: str | None = None) -> None:
        """Raise WebhookVerificationError(reason) unless a signature in `headers` matches one
        of `secrets`.

        ``body`` is the raw bytes received (never a re-serialised body); ``method`` and
        ``url`` are the request's, for rules that sign them; ``now`` (Unix seconds) and
        ``tolerance`` (seconds, either way) bound a signed timestamp; ``content_type`` is the
        body's declared type, for when the headers carry none.
        """
        raise WebhookVerificationError(f"signing rule {self.name!r} ({self.type}) "
                                       "cannot verify")  # pragma: no cover

    def secret_names(self) -> list[str]:
        """Every secret the rule reads (each is hidden wherever the request is shown)."""
        return []

    def verification_secrets(self, lookup: Callable[[str], Sequence[str]]) -> list[str]:
        """The values :meth:`verify` takes as ``secrets``, from ``lookup(name)`` (every value
        of a named secret): by default those of every name in :meth:`secret_names`."""
        return [value for name in self.secret_names() for value in lookup(name)]

    def lint(self, op: Declared, body_declared: bool) -> list[str]:
        """Why this rule could never be computed for ``op`` (empty when it can): what
        ``specclient lint`` reports. ``body_declared``: the operation's file declares a body
        (``op.body`` may be missing when its declaration failed to load)."""
        return []

    def describe(self) -> str:
        return self.type


SECRET_SPEC = {
    "oneOf": [
        {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                "strip_prefix": {"type": "string"},
                "decode": {"enum": ["utf8", "base64", "hex"]},
            },
        },
    ]
}
