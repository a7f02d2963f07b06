"""Schema validation with every violation reported at its JSON path.

Validators are compiled once per schema and reused for every call. The passing path is fast:
a schema that uses only keywords whose meaning is the same in every draft we accept is compiled
to one Python function by :mod:`specclient.schema.compiled` (about 100x faster than a cached
``jsonschema`` validator on Ingram's body).
``jsonschema`` stays the authority: it is imported, lazily, only for a schema the fast path
cannot take, and to confirm and explain a failure — so a failing value always gets
``jsonschema``'s complete report, every violation at its JSON path, and a disagreement between
the two can only cost time, never let an invalid value through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..errors import Violation
from .keywords import (
    ANNOTATIONS,
    PORTABLE_LIMITS,
    PORTABLE_LISTS,
    PORTABLE_MAPS,
    PORTABLE_PLAIN,
    PORTABLE_SUBSCHEMA,
    TYPES,
)
from .regex import linear_validator

if TYPE_CHECKING:  # pragma: no cover
    import jsonschema

__all__ = ["SchemaValidator", "json_path", "fast_compilable"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_REQUIRED = re.compile(r"^'((?:[^'\\]|\\.)*)' is a required property$")

# What schema.compiled compiles: the keywords that mean the same in draft 7, 2019-09 and
# 2020-12 (see schema.keywords).
_SUB_SCHEMA = PORTABLE_SUBSCHEMA
_SCHEMA_MAP = PORTABLE_MAPS
_SCHEMA_LIST = PORTABLE_LISTS
_NUMBERS = PORTABLE_LIMITS
_PLAIN = PORTABLE_PLAIN
_KNOWN = _SUB_SCHEMA | _SCHEMA_MAP | _SCHEMA_LIST | _NUMBERS | _PLAIN | ANNOTATIONS
_DRAFTS = {
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "http://json-schema.org/draft-07/schema#",
    "http://json-schema.org/draft-07/schema",
}
_TYPES = TYPES


def fast_compilable(schema: Any, root: bool = True) -> bool:
    """Whether ``schema`` uses only keywords :mod:`specclient.schema.compiled` compiles with
    jsonschema's meaning in every draft we accept."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    if "$ref" in schema:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            return False
        if set(schema) - ANNOTATIONS - {"$ref", "$defs", "definitions"}:
            return False  # siblings of $ref are ignored by draft 7, applied by 2020-12
    for key, value in schema.items():
        if key not in _KNOWN:
            return False
        if key in _SUB_SCHEMA:
            if not fast_compilable(value, False):
                return False
        elif key in _SCHEMA_MAP:
            if not isinstance(value, dict) or not all(
                    fast_compilable(v, False) for v in value.values()):
                return False
        elif key in _SCHEMA_LIST:
            if not isinstance(value, list) or not all(fast_compilable(v, False)
                                                      for v in value):
                return False
        elif key in _NUMBERS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
        elif key == "type":
            types = value if isinstance(value, list) else [value]
            if not types or not all(isinstance(t, str) and t in _TYPES for t in types):
                return False
        elif key == "required":
            if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
                return False
        elif key == "pattern":
            if not isinstance(value, str):
                return False
        elif key == "enum":
            if not isinstance(value, list):
                return False
        elif key == "$schema":
            if not root or value not in _DRAFTS:
                return False
    return True


def _compile_fast(schema: Any) -> Callable[[Any], bool] | None:
    """The compiled check for ``schema`` (:mod:`specclient.schema.compiled`), or None (a keyword
    it cannot be trusted with, or a schema it cannot compile)."""
    if not fast_compilable(schema):
        return None
    from .compiled import compile_check  # the compiled checker only when a validator is first built

    return compile_check(schema)


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


_UNSET: Any = object()


class SchemaValidator:
    """A compiled JSON Schema (2020-12 unless the schema says otherwise).

    :meth:`is_valid` runs the fast compiled validator when the schema allows it and asks
    ``jsonschema`` only when that one says no (so a false alarm of the fast path costs time,
    never a wrong verdict); :meth:`violations` always comes from ``jsonschema``. Both
    validators are built on first use.
    """

    __slots__ = ("schema", "_fast", "_validator")

    def __init__(self, schema: Any):
        self.schema = schema
        self._fast: Callable[[Any], bool] | None = _UNSET
        self._validator: jsonschema.protocols.Validator | None = None

    @property
    def uses_fast_path(self) -> bool:
        """Whether passing values are checked by the compiled fast validator."""
        if self._fast is _UNSET:
            self._fast = _compile_fast(self.schema)
        return self._fast is not None

    def _slow(self) -> jsonschema.protocols.Validator:
        v = self._validator
        if v is None:
            import jsonschema  # only when a check needs its explanations (start-up)

            schema = self.schema
            cls = jsonschema.validators.validator_for(
                schema, default=jsonschema.Draft202012Validator) \
                if isinstance(schema, dict) else jsonschema.Draft202012Validator
            v = self._validator = linear_validator(cls, schema)(schema)
        return v

    def _fast_says_valid(self, instance: Any) -> bool:
        fast = self._fast
        if fast is _UNSET:
            fast = self._fast = _compile_fast(self.schema)
        if fast is not None:
            try:
                return fast(instance)
            except Exception:  # noqa: BLE001 - a "no" (or a crash) is settled by jsonschema
                pass
        return False

    def is_valid(self, instance: Any) -> bool:
        return self._fast_says_valid(instance) or self._slow().is_valid(instance)

    def violations(self, instance: Any, prefix: str) -> list[Violation]:
        """Every violation, each at its path under ``prefix``; empty when valid."""
        if self._fast_says_valid(instance):
            return []
        out = []
        for err in self._slow().iter_errors(instance):
            out.extend(_flatten(err, prefix))
        out.sort(key=lambda v: v.path)
        return out


def _flatten(err: jsonschema.ValidationError, prefix: str) -> list[Violation]:
    import jsonschema  # only when a check needs its explanations (start-up)

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
            if isinstance(err.instance, dict):  # sent under a near-miss name?
                import difflib  # only for a missing field

                props = err.schema.get("properties") if isinstance(err.schema, dict) else None
                declared = props if isinstance(props, dict) else {}
                strays = [str(k) for k in err.instance if k not in declared]
                near = difflib.get_close_matches(m.group(1), strays, n=1, cutoff=0.8)
                if near:
                    message += f" (did you mean to send {near[0]!r} as {m.group(1)!r}?)"
    if err.validator in ("additionalProperties", "unevaluatedProperties"):
        message += _near_misses(err)
    as_json = _as_json(message, err)
    if len(message) > 300:
        message = message[:300] + "..."
        as_json = as_json[:300] + "..." if as_json else ""
    return [Violation(json_path(prefix, path), message, str(err.validator),
                      as_json if as_json != message else "")]


def _near_misses(err: jsonschema.ValidationError) -> str:
    """"; did you mean 'x'?" for each unexpected property that is a near miss of a declared
    one (a misspelled body field)."""
    props = err.schema.get("properties") if isinstance(err.schema, dict) else None
    if not isinstance(props, dict) or not isinstance(err.instance, dict):
        return ""
    import difflib  # only for a misspelled field

    hints = []
    for key in err.instance:
        if key not in props:
            near = difflib.get_close_matches(key, list(props), n=1, cutoff=0.8)
            if near:
                hints.append(f"{key!r}: did you mean {near[0]!r}?")
    return f" ({'; '.join(hints)})" if hints else ""


def _as_json(message: str, err: jsonschema.ValidationError) -> str:
    """``message`` with the instance and the schema's value written as JSON instead of Python
    reprs (``true``, ``{"k": [1, 2]}``, ``"string"``), where jsonschema wrote them."""
    out = message
    values = [err.instance, err.validator_value]
    if err.validator in ("additionalProperties", "unevaluatedProperties", "required") \
            and isinstance(err.instance, dict):
        values.extend(err.instance)  # the property names it quotes
        if isinstance(err.validator_value, list):
            values.extend(v for v in err.validator_value if isinstance(v, str))
    for value in values:
        try:
            text = repr(value)
            if len(text) > 1 and text in out:
                out = out.replace(text, json.dumps(value, ensure_ascii=False))
        except (TypeError, ValueError, RecursionError):
            continue
    return out
