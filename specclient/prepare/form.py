"""Form bodies (``application/x-www-form-urlencoded``) both ways, as OpenAPI's ``encoding``
object describes each field.

A body's ``encoding`` (``{field: {style, explode}}``) says how a field that is an array or an
object is written; a field it does not name is written the default way:

===============  ==========================  ============================================
style            ``tags: [a, b]``             ``card: {number: "42", cvc: "1"}``
===============  ==========================  ============================================
(default)        ``tags=a&tags=b``            ``card={"number":"42","cvc":"1"}`` (JSON text)
form, explode    ``tags=a&tags=b``            ``number=42&cvc=1``
form             ``tags=a,b``                 ``card=number,42,cvc,1``
spaceDelimited   ``tags=a b`` (``a+b``)       --
pipeDelimited    ``tags=a|b``                 --
deepObject       ``tags[0]=a&tags[1]=b``      ``card[number]=42&card[cvc]=1``, nested further
                                              as ``items[0][price]=p_1``
===============  ==========================  ============================================

A nested object with no declared style is sent as JSON text (OpenAPI's default, ``form`` with
``explode``, would spread its properties over the form and lose its name). ``deepObject``
nests as far as the value does, arrays indexed from 0, as Stripe and the ``qs`` convention
read it (OpenAPI defines only its first level).

:func:`decode` reads a body back into the value it was written from, each text typed by its
field's schema (``"3"`` -> 3 for an integer, ``"true"`` for a boolean, an array from repeated or
indexed fields): what the mock validates.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ..errors import ArgumentError
from ..schema.coerce import from_text
from ..schema.flatten import flatten
from .styles import scalar

__all__ = ["encode", "decode", "typed_fields", "STYLES"]

#: The styles a form field may declare, and the delimiter of each non-exploded array.
STYLES = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|", "deepObject": ""}


def _style(encoding: Mapping[str, Any] | None, name: str) -> tuple[str, bool, bool]:
    """(style, explode, declared) of field ``name``."""
    decl = encoding.get(name) if encoding else None
    if not isinstance(decl, Mapping) or ("style" not in decl and "explode" not in decl):
        return "form", True, False
    style = decl.get("style", "form")
    explode = decl.get("explode", style == "form")
    return style, bool(explode), True


# --------------------------------------------------------------------------- writing


def _deep(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    items = value.items() if isinstance(value, Mapping) else enumerate(value)
    for k, v in items:
        key = f"{prefix}[{k}]"
        if isinstance(v, (Mapping, list, tuple)):
            _deep(key, v, out)
        else:
            out.append((key, scalar(v)))


def encode(operation: str, body: Mapping[str, Any],
           encoding: Mapping[str, Any] | None = None) -> bytes:
    """``body`` as form bytes, each field written in its declared style."""
    pairs: list[tuple[str, str]] = []
    for name, value in body.items():
        style, explode, declared = _style(encoding, name)
        if style == "deepObject" and isinstance(value, (Mapping, list, tuple)):
            _deep(name, value, pairs)
        elif isinstance(value, (list, tuple)):
            if explode:
                pairs.extend((name, scalar(v)) for v in value)
            else:
                delim = STYLES.get(style, ",")
                texts = [scalar(v) for v in value]
                if delim.strip() and any(delim in t for t in texts):
                    raise ArgumentError(operation, f"body field {name!r} (style {style}): a "
                                                   f"value holds the delimiter {delim!r}, "
                                                   f"which this style cannot tell apart; "
                                                   f"refused", "body")
                pairs.append((name, delim.join(texts)))
        elif isinstance(value, Mapping) and declared and style == "form":
            if explode:
                pairs.extend((str(k), scalar(v)) for k, v in value.items())
            else:
                pairs.append((name, ",".join(x for k, v in value.items()
                                             for x in (str(k), scalar(v)))))
        else:
            pairs.append((name, scalar(value)))
    return urlencode(pairs).encode()


# --------------------------------------------------------------------------- reading


def _wants(schema: Any, root: Any) -> set[str]:
    """The JSON types ``schema`` takes (through ``$ref``, ``allOf``, ``anyOf``, ``oneOf``)."""
    if not isinstance(schema, Mapping):
        return set()
    s = flatten(schema, root)
    t = s.get("type")
    out = set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()
    if not out:
        if "properties" in s or "additionalProperties" in s:
            out.add("object")
        if "items" in s:
            out.add("array")
    for key in ("anyOf", "oneOf"):
        for branch in s.get(key) or []:
            out |= _wants(branch, root)
    return out


def _sub(schema: Any, root: Any, key: str | None) -> Any:
    """The schema of property ``key`` (None: of the items) of ``schema``, else ``{}``."""
    if not isinstance(schema, Mapping):
        return {}
    s = flatten(schema, root)
    branches = [s, *(b for k in ("anyOf", "oneOf") for b in s.get(k) or []
                     if isinstance(b, Mapping))]
    for b in branches:
        b = flatten(b, root)
        if key is None and isinstance(b.get("items"), Mapping):
            return b["items"]
        if key is not None:
            props = b.get("properties")
            if isinstance(props, Mapping) and key in props:
                return props[key]
            if isinstance(b.get("additionalProperties"), Mapping):
                return b["additionalProperties"]
    return {}


def _typed(schema: Any, root: Any, value: Any, style: str = "form",
           explode: bool = True) -> Any:
    wants = _wants(schema, root)
    if isinstance(value, dict):  # from deepObject: indexed keys are an array's
        if "array" in wants and all(k.isdigit() for k in value):
            items = [value[k] for k in sorted(value, key=int)]
            return [_typed(_sub(schema, root, None), root, v) for v in items]
        return {k: _typed(_sub(schema, root, k), root, v) for k, v in value.items()}
    if isinstance(value, list):  # a repeated field
        item = _sub(schema, root, None)
        return [_typed(item, root, v) for v in value]
    candidates = []
    if "array" in wants:
        delim = STYLES.get(style) or ","
        parts = [value] if explode else value.split(delim) if value else []
        item = _sub(schema, root, None)
        candidates.append([_typed(item, root, p) for p in parts])
    if "object" in wants and value[:1] == "{":
        try:
            parsed = json.loads(value)
        except ValueError:
            pass
        else:
            if isinstance(parsed, dict):
                candidates.append(parsed)
    if wants & {"integer", "number", "boolean", "null"} and wants & {"string"}:
        typed = from_text({"type": sorted(wants - {"string"})}, value)
        if typed is not value:  # "0" for anyOf [number, string]: both, the schema decides
            candidates.append(typed)
    candidates.append(from_text({"type": sorted(wants)} if wants else {}, value))
    if value == "":  # an empty field is first of all the empty text (Stripe's "unset")
        candidates.reverse()
    if len(candidates) == 1 or not isinstance(schema, Mapping):
        return candidates[0]
    return _first_valid(schema, root, candidates)


def _first_valid(schema: Mapping[str, Any], root: Any, candidates: list[Any]) -> Any:
    """The first of ``candidates`` ``schema`` accepts (its references read in ``root``), else
    the first (a union such as ``anyOf: [array, enum: [""]]`` decides by the value)."""
    from ..schema.validation import SchemaValidator  # only for a union (start-up)

    defs = root.get("$defs") if isinstance(root, Mapping) else None
    whole = {**schema, "$defs": defs} if isinstance(defs, Mapping) else schema
    validator = SchemaValidator(whole)
    for value in candidates:
        if validator.is_valid(value):
            return value
    return candidates[0]


def decode(raw: bytes, schema: Any = None,
           encoding: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A form body as the value it was written from, typed by ``schema`` (the body's)."""
    fields: dict[str, Any] = {}
    for name, text in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
        base, bracket, rest = name.partition("[")
        if bracket and rest.endswith("]") and base:
            node = fields.setdefault(base, {})
            if not isinstance(node, dict):
                node = fields[base] = {"": node}
            keys = rest[:-1].split("][")
            for key in keys[:-1]:
                nxt = node.get(key)
                if not isinstance(nxt, dict):
                    nxt = node[key] = {}
                node = nxt
            node[keys[-1]] = text
        elif name in fields:
            prev = fields[name]
            fields[name] = [*prev, text] if isinstance(prev, list) else [prev, text]
        else:
            fields[name] = text
    return typed_fields(fields, schema, encoding)


def typed_fields(fields: Mapping[str, Any], schema: Any = None,
                 encoding: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Fields read as text (a text, a list of texts for a repeated field, a dict for a
    ``deepObject`` one) typed by the body's ``schema``: a form's, or a multipart body's."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        style, explode, _ = _style(encoding, name)
        out[name] = _typed(_sub(schema, schema, name), schema, value, style, explode)
    return out
