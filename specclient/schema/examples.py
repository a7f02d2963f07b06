"""A small, deterministic generator: JSON Schema -> one example value that satisfies it.

The built-in mock answers with an operation's declared example; when a response declares only a
schema, this makes one up. The same schema always gives the same value. It honours, in order:
``example`` / ``examples``, ``const``, ``default``, ``enum`` (the first), then the shape —
``$ref`` (local ``#/...`` pointers such as ``#/$defs/Line``), ``allOf`` (merged), ``oneOf`` /
``anyOf`` (the first branch), ``type`` (the first non-null one of a list, or guessed from
``properties`` / ``items``), ``properties`` (all of them, nested a few levels, and always the
``required`` ones), ``items`` / ``prefixItems`` with ``minItems`` / ``maxItems``, string
``format`` (date-time, date, time, uuid, email, uri, hostname, ipv4, ipv6, byte), ``minLength`` /
``maxLength``, and numeric ``minimum`` / ``maximum`` / ``exclusive*`` / ``multipleOf``.

Not honoured: ``pattern`` (a regex is not inverted), ``not``, ``if``/``then``/``else``,
``dependentSchemas``, ``uniqueItems`` beyond one item; a schema relying on those may get a value
that does not validate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .flatten import flatten

__all__ = ["example_for"]

#: Below this nesting depth every declared property is filled in; deeper, only required ones.
FULL_DEPTH = 6
#: Past this depth a recursive schema stops (its optional parts are left out).
MAX_DEPTH = 24

_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "duration": "P1D",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "iri": "https://example.com/",
    "uri-reference": "/example",
    "iri-reference": "/example",
    "uri-template": "https://example.com/{id}",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "ZXhhbXBsZQ==",
    "json-pointer": "/example",
    "relative-json-pointer": "0",
    "regex": ".*",
}

_TYPE_ORDER = ("object", "array", "string", "integer", "number", "boolean", "null")


def example_for(schema: Any, root: Any = None) -> Any:
    """An example value for ``schema`` (deterministic). ``root`` is the document that local
    ``$ref`` pointers point into (default: ``schema`` itself)."""
    return _Gen(schema if root is None else root).value(schema, 0)


class _Gen:
    def __init__(self, root: Any):
        self.root = root

    # -- values

    def value(self, schema: Any, depth: int) -> Any:
        if schema is True or schema is None:
            return None
        if not isinstance(schema, Mapping):
            return None
        s = flatten(schema, self.root, first_branch=True)
        for key in ("example", "const", "default"):
            if key in s:
                return s[key]
        examples = s.get("examples")
        if isinstance(examples, list) and examples:
            return examples[0]
        if isinstance(s.get("enum"), list) and s["enum"]:
            return s["enum"][0]
        kind = _type_of(s)
        if kind == "object":
            return self.obj(s, depth)
        if kind == "array":
            return self.array(s, depth)
        if kind == "string":
            return _string(s)
        if kind == "integer":
            return int(_number(s, integer=True))
        if kind == "number":
            return _number(s, integer=False)
        if kind == "boolean":
            return True
        return None

    def obj(self, s: Mapping[str, Any], depth: int) -> dict[str, Any]:
        props = s.get("properties") or {}
        required = [r for r in s.get("required") or [] if isinstance(r, str)]
        out: dict[str, Any] = {}
        for name, sub in props.items():
            if name in required or depth < FULL_DEPTH:
                out[name] = self.value(sub, depth + 1)
        extra = s.get("additionalProperties")
        for name in required:
            if name not in out:
                out[name] = self.value(extra if isinstance(extra, Mapping) else {"type": "string"},
                                       depth + 1)
        want = int(s.get("minProperties", 0))
        n = 0
        while len(out) < want and extra is not False:
            n += 1
            key = f"property{n}"
            if key not in out:
                out[key] = self.value(extra if isinstance(extra, Mapping) else
                                      {"type": "string"}, depth + 1)
        return out

    def array(self, s: Mapping[str, Any], depth: int) -> list[Any]:
        prefix = s.get("prefixItems") or []
        items = s.get("items", {})
        low = int(s.get("minItems", 0))
        high = s.get("maxItems")
        count = max(low, len(prefix), 1 if depth < FULL_DEPTH else 0)
        if high is not None:
            count = min(count, int(high))
        if items is False:
            count = min(count, len(prefix))
        out = []
        for i in range(count):
            sub = prefix[i] if i < len(prefix) else items
            out.append(self.value(sub, depth + 1))
        return out


def _type_of(s: Mapping[str, Any]) -> str | None:
    t = s.get("type")
    if isinstance(t, list):
        choices = [x for x in t if x != "null"] or t
        return min(choices, key=lambda x: _TYPE_ORDER.index(x) if x in _TYPE_ORDER else 99) \
            if choices else None
    if isinstance(t, str):
        return t
    if "properties" in s or "required" in s or "additionalProperties" in s:
        return "object"
    if "items" in s or "prefixItems" in s:
        return "array"
    if any(k in s for k in ("format", "minLength", "maxLength", "pattern")):
        return "string"
    if any(k in s for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                            "multipleOf")):
        return "number"
    return None


def _string(s: Mapping[str, Any]) -> str:
    text = _FORMATS.get(str(s.get("format", "")), "string")
    low = int(s.get("minLength", 0))
    if len(text) < low:
        text = text + "x" * (low - len(text))
    high = s.get("maxLength")
    if high is not None and len(text) > int(high):
        text = text[: int(high)]
    return text


def _number(s: Mapping[str, Any], integer: bool) -> float:
    """0 when allowed, else the bound nearest to it; rounded up to ``multipleOf``."""

    def num(key: str) -> float | None:
        v = s.get(key)
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    low, xlow, high, xhigh, step = (num(k) for k in ("minimum", "exclusiveMinimum", "maximum",
                                                      "exclusiveMaximum", "multipleOf"))
    if integer:
        bounds_low = [math.ceil(low)] if low is not None else []
        bounds_low += [math.floor(xlow) + 1] if xlow is not None else []
        bounds_high = [math.floor(high)] if high is not None else []
        bounds_high += [math.ceil(xhigh) - 1] if xhigh is not None else []
    else:
        top = min([v for v in (high, xhigh) if v is not None], default=None)
        bounds_low = [low] if low is not None else []
        if xlow is not None:
            bounds_low.append((xlow + top) / 2 if top is not None else xlow + 1)
        bounds_high = [high] if high is not None else []
        if xhigh is not None:
            bottom = max([v for v in (low, xlow) if v is not None], default=None)
            bounds_high.append((bottom + xhigh) / 2 if bottom is not None else xhigh - 1)
    value: float = 0
    if bounds_low and value < max(bounds_low):
        value = max(bounds_low)
    if bounds_high and value > min(bounds_high):
        value = min(bounds_high)
    if step:
        stepped = math.ceil(value / step) * step
        if not _within(stepped, low, xlow, high, xhigh):
            stepped = math.floor(value / step) * step
        value = stepped
        if integer:
            value = int(value)
    return value


def _within(value: float, low: float | None, xlow: float | None, high: float | None,
            xhigh: float | None) -> bool:
    return ((low is None or value >= low) and (xlow is None or value > xlow)
            and (high is None or value <= high) and (xhigh is None or value < xhigh))
