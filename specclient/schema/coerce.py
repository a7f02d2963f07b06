"""Text to the value its schema asks for: one place for every value that arrives as text —
a command-line argument (lenient, as a shell user types), and a parameter a server received
(strict: only what reads as JSON of a type the schema takes, else the text itself, so that
validation names the problem)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["coerce", "from_text"]


def coerce(schema: Any, text: str) -> Any:
    """A command-line string as the type its schema asks for (lenient: ``yes``/``no``,
    ``1``/``0`` for a boolean; an array from comma-separated text)."""
    types = schema.get("type") if isinstance(schema, dict) else None
    types = types if isinstance(types, list) else [types]
    if "string" in types or types == [None]:
        return text
    for t in types:
        try:
            if t == "integer":
                return int(text)
            if t == "number":
                return float(text)
            if t == "boolean" and text.lower() in ("true", "false", "1", "0", "yes", "no"):
                return text.lower() in ("true", "1", "yes")
            if t == "array":
                item = schema.get("items", {})
                return [coerce(item, part) for part in text.split(",")] if text else []
            if t in ("object", "null"):
                return json.loads(text)
        except ValueError:
            continue
    return text


def _types(schema: Any) -> set[str]:
    t = schema.get("type") if isinstance(schema, dict) else None
    return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()


def from_text(schema: Any, text: str) -> Any:
    """A parameter's text as the JSON value its schema asks for (``"3"`` -> 3 for an integer),
    or the text itself when the schema takes strings or the text reads as nothing it takes."""
    wanted = _types(schema)
    if not wanted or "string" in wanted:
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    kinds = {bool: "boolean", int: "integer", float: "number", type(None): "null",
             dict: "object", list: "array", str: "string"}
    kind = kinds.get(type(value))
    if kind in wanted or (kind == "integer" and "number" in wanted):
        return value
    return text
