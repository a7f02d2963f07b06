"""One way to see through a schema's composition: local ``$ref`` pointers followed, ``allOf``
members merged (properties and ``required`` united, the stricter of two bounds kept) and,
when asked, the first ``oneOf`` / ``anyOf`` branch taken. Example generation and ``describe``
both read schemas through :func:`flatten`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from .keywords import LOWER_BOUNDS, UPPER_BOUNDS

__all__ = ["flatten", "deref", "walk_pointer", "PointerMiss", "merge_all_of", "MAX_DEPTH"]

#: How many ``$ref`` / ``allOf`` levels are followed (a recursive schema stops there).
MAX_DEPTH = 16


class PointerMiss(LookupError):
    """A JSON pointer names something its document does not have (``token``: the first
    missing step)."""

    def __init__(self, token: str):
        super().__init__(token)
        self.token = token


def walk_pointer(root: Any, pointer: str) -> Any:
    """The node JSON pointer ``pointer`` (``/$defs/Line``, without the ``#``) names in ``root``;
    :class:`PointerMiss` when a step is missing."""
    node = root
    for raw in pointer.split("/")[1:]:
        token = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise PointerMiss(token)
    return node


def deref(root: Any, ref: str) -> Any:
    """The node a local ``$ref`` (``#/$defs/Line``) points to in ``root``; ``{}`` (anything
    goes) for an external or broken reference."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return {}
    try:
        return walk_pointer(root, ref[1:])
    except PointerMiss:
        return {}


def flatten(schema: Mapping[str, Any], root: Any, *, first_branch: bool = False,
            depth: int = 0) -> dict[str, Any]:
    """``schema`` as one mapping: ``$ref`` targets (in ``root``) and ``allOf`` members merged
    in, and with ``first_branch`` the first ``oneOf``/``anyOf`` branch too (else those stay
    as they are). A key of ``schema`` itself comes before what a reference brings."""
    out: dict[str, Any] = {}
    composed = ("$ref", "allOf", "oneOf", "anyOf") if first_branch else ("$ref", "allOf")
    merge_all_of(out, {k: v for k, v in schema.items() if k not in composed})
    if depth >= MAX_DEPTH:
        return out
    for key in composed:
        value = schema.get(key)
        if value is None:
            continue
        if key == "$ref":
            target = deref(root, value)
            parts = [target] if isinstance(target, Mapping) else []
        elif key == "allOf":
            parts = [p for p in value if isinstance(p, Mapping)] if isinstance(value, list) \
                else []
        else:
            parts = [value[0]] if isinstance(value, list) and value \
                and isinstance(value[0], Mapping) else []
        for part in parts:
            merge_all_of(out, flatten(part, root, first_branch=first_branch, depth=depth + 1))
    return out


def merge_all_of(into: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Merge ``extra`` into ``into`` as ``allOf`` would: properties and required unite, and
    of two bounds the stricter one wins; otherwise the first value stays."""
    for key, value in extra.items():
        old = into.get(key)
        both_numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool)
                           for v in (old, value))
        if key in LOWER_BOUNDS and both_numbers:
            into[key] = max(old, value)
        elif key in UPPER_BOUNDS and both_numbers:
            into[key] = min(old, value)
        elif key == "properties" and isinstance(old, Mapping) and isinstance(value, Mapping):
            into[key] = {**value, **old}
        elif key == "required" and isinstance(old, list) and isinstance(value, list):
            into[key] = list(dict.fromkeys([*old, *value]))
        elif key not in into:
            into[key] = value
