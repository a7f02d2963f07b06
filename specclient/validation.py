"""Schema validation with every violation reported at its JSON path.

Validators are compiled once per schema and reused for every call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import jsonschema

from .errors import Violation

__all__ = ["SchemaValidator", "json_path"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_REQUIRED = re.compile(r"^'((?:[^'\\]|\\.)*)' is a required property$")


def json_path(prefix: str, parts: Iterable[Any]) -> str:
    """``body``, ``["resource", 0, "lines"]`` -> ``body.resource[0].lines``."""
    out = prefix
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{str(part)!r}]"
    return out


class SchemaValidator:
    """A compiled JSON Schema (2020-12 unless the schema says otherwise)."""

    __slots__ = ("schema", "_validator")

    def __init__(self, schema: Any):
        self.schema = schema
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator) \
            if isinstance(schema, dict) else jsonschema.Draft202012Validator
        self._validator = cls(schema)

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)

    def violations(self, instance: Any, prefix: str) -> list[Violation]:
        """Every violation, each at its path under ``prefix``; empty when valid."""
        out = []
        for err in self._validator.iter_errors(instance):
            out.extend(_flatten(err, prefix))
        out.sort(key=lambda v: v.path)
        return out


def _flatten(err: jsonschema.ValidationError, prefix: str) -> list[Violation]:
    path = list(err.absolute_path)
    if err.validator in ("oneOf", "anyOf") and err.context:
        best = jsonschema.exceptions.best_match(err.context)
        if best is not None and len(best.absolute_path) > len(path):
            return _flatten(best, prefix)
    message = err.message
    if err.validator == "required":
        m = _REQUIRED.match(message)
        if m:
            path.append(m.group(1))
            message = "required property is missing"
    if len(message) > 300:
        message = message[:300] + "..."
    return [Violation(json_path(prefix, path), message, str(err.validator))]
