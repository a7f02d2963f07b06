"""Resolving secrets by name.

Specs only ever *name* a secret (``THIRDWATCH_API_KEY``); its value is looked up at call time,
first in ``credentials=`` given to the client, then in the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .errors import MissingCredentialError

__all__ = ["Credentials"]


class Credentials:
    """Looks up secret values by name. Its repr never shows a value."""

    def __init__(
        self,
        explicit: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
    ):
        self._explicit = dict(explicit or {})
        self._environ = os.environ if environ is None else environ

    def get(self, name: str, operation: str | None = None) -> str:
        """The value of secret ``name``; :class:`MissingCredentialError` if it has none."""
        value = self.find(name)
        if value is None:
            raise MissingCredentialError(name, operation)
        return value

    def find(self, name: str) -> str | None:
        """The value of secret ``name``, or None."""
        value = self._explicit.get(name)
        if value is None:
            value = self._environ.get(name)
        return value if value not in (None, "") else None

    def __repr__(self) -> str:
        return f"<Credentials: {len(self._explicit)} given explicitly, values hidden>"
