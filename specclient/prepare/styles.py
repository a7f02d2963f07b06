"""OpenAPI's parameter serialisation styles, both ways: a value to the text of a path segment,
query pairs or a header (building a request), and that text back to the value (the mock and
:class:`~specclient.testing.SpecMock` reading one).

=================  ========  ===========================  ===================================
style              in        array ``[3, 4]``             object ``{a: 1, b: 2}``
=================  ========  ===========================  ===================================
form (default)     query     ``id=3&id=4`` (explode)      ``a=1&b=2`` (explode)
                             ``id=3,4``                   ``id=a,1,b,2``
spaceDelimited     query     ``id=3%204``                 ``id=a%201%20b%202``
pipeDelimited      query     ``id=3%7C4`` (``3|4``)       ``id=a%7C1%7Cb%7C2``
deepObject         query     --                           ``id[a]=1&id[b]=2`` (encoded)
simple (default)   path,     ``3,4``                      ``a,1,b,2`` / ``a=1,b=2`` (explode)
                   header
label              path      ``.3,4`` / ``.3.4``          ``.a,1,b,2`` / ``.a=1.b=2``
matrix             path      ``;id=3,4`` /                ``;id=a,1,b,2`` / ``;a=1;b=2``
                             ``;id=3;id=4``
=================  ========  ===========================  ===================================

Each value inside is percent-encoded whole (a ``,`` in a value is ``%2C``), so the literal
delimiters can be split on again. ``|``, ``[`` and ``]`` are not allowed in a URL as they are
(RFC 3986), and urllib3 would encode them on the way out anyway, so they are written encoded:
the URL a request shows is the URL sent. Headers are not percent-encoded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

from ..errors import ArgumentError
from ..model import Parameter
from ..request import Encoded
from ..schema.coerce import from_text

__all__ = ["STYLES", "DEFAULT_STYLE", "style_of", "scalar", "path_text", "query_pairs",
           "header_text", "read_path", "read_query", "read_header", "raw_pairs", "ABSENT"]

#: The styles each location takes (OpenAPI 3's table), the default first.
STYLES = {
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "path": ("simple", "label", "matrix"),
    "header": ("simple",),
}
DEFAULT_STYLE = {loc: styles[0] for loc, styles in STYLES.items()}
#: The delimiter of a non-exploded array or object, as written and as it may be read.
_DELIMS = {"form": (",", (",",)), "spaceDelimited": ("%20", ("%20", "+", " ")),
           "pipeDelimited": ("%7C", ("%7C", "%7c", "|"))}


def style_of(p: Parameter) -> tuple[str, bool]:
    """The parameter's (style, explode): as declared, else OpenAPI's defaults (``form`` with
    explode for query, ``simple`` without for path and header)."""
    style = p.style or DEFAULT_STYLE[p.location]
    explode = p.explode if p.explode is not None else style == "form"
    return style, explode


def scalar(value: Any) -> str:
    """One value as text: ``true``/``false``, ``7`` for a whole float, JSON for a list or dict
    nested where a style has no place for one."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))  # 7.0 passed `type: integer` validation: send 7, not 7.0
    return str(value)


def _q(value: Any) -> str:
    return quote(scalar(value), safe="")


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return "primitive"


# --------------------------------------------------------------------------- writing


def path_text(p: Parameter, value: Any) -> str:
    """What replaces ``{name}`` in the path: encoded, its delimiters literal."""
    style, explode = style_of(p)
    kind = _kind(value)
    name = quote(p.name, safe="")
    if kind == "array":
        items = [_q(v) for v in value]
    elif kind == "object":
        items = [f"{quote(str(k), safe='')}={_q(v)}" for k, v in value.items()] if explode \
            else [x for k, v in value.items() for x in (quote(str(k), safe=""), _q(v))]
    else:
        items = [_q(value)]
    if style == "label":
        return "." + (("." if explode else ",").join(items))
    if style == "matrix":
        if kind == "object" and explode:
            return "".join(";" + it for it in items)
        if kind == "array" and explode:
            return "".join(f";{name}={it}" for it in items) or f";{name}"
        text = ",".join(items)
        return f";{name}={text}" if text else f";{name}"
    return ",".join(items)  # simple: explode only changes objects (a=1,b=2)


def header_text(p: Parameter, value: Any) -> str:
    """A header's value in ``simple`` style (not percent-encoded)."""
    _, explode = style_of(p)
    kind = _kind(value)
    if kind == "array":
        return ",".join(scalar(v) for v in value)
    if kind == "object":
        if explode:
            return ",".join(f"{k}={scalar(v)}" for k, v in value.items())
        return ",".join(x for k, v in value.items() for x in (str(k), scalar(v)))
    return scalar(value)


def _deep(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    for k, v in value.items():
        key = f"{prefix}[{k}]"
        if isinstance(v, Mapping):
            _deep(key, v, out)
        elif isinstance(v, (list, tuple)):
            out.extend((key, scalar(x)) for x in v)
        else:
            out.append((key, scalar(v)))


def query_pairs(operation: str, p: Parameter, value: Any) -> list[tuple[str, str]]:
    """The (name, value) query pairs of ``value``; a value already encoded (its delimiters
    literal) is an :class:`~specclient.request.Encoded`."""
    style, explode = style_of(p)
    kind = _kind(value)
    if style == "deepObject":
        if kind != "object":
            raise ArgumentError(operation, f"query parameter {p.name!r} (style deepObject) "
                                           f"takes an object, not a {type(value).__name__}",
                                p.name)
        out: list[tuple[str, str]] = []
        _deep(p.name, value, out)
        return out
    if kind == "primitive":
        return [(p.name, scalar(value))]
    if explode:
        if kind == "array":
            return [(p.name, scalar(v)) for v in value]
        return [(str(k), scalar(v)) for k, v in value.items()]
    delim, refused = _DELIMS[style]
    texts = [scalar(v) for v in value] if kind == "array" \
        else [x for k, v in value.items() for x in (str(k), scalar(v))]
    if style != "form":
        for text in texts:
            if refused[-1] in text:  # " " or "|": encoded like the delimiter itself
                raise ArgumentError(operation, f"query parameter {p.name!r} (style {style}): "
                                               f"the value {text!r} holds the delimiter "
                                               f"{refused[-1]!r}, which this style cannot "
                                               f"tell apart; refused", p.name)
    return [(p.name, Encoded(delim.join(quote(t, safe="") for t in texts)))]


# --------------------------------------------------------------------------- reading


def _types(schema: Any) -> set[str]:
    t = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(t, list):
        return set(t)
    if isinstance(t, str):
        return {t}
    if isinstance(schema, dict) and "properties" in schema:
        return {"object"}
    return set()


def _wanted(p: Parameter) -> str:
    types = _types(p.schema)
    if "array" in types:
        return "array"
    if "object" in types:
        return "object"
    return "primitive"


def _prop_schema(schema: Any, key: str) -> Any:
    if not isinstance(schema, dict):
        return {}
    props = schema.get("properties")
    if isinstance(props, dict) and key in props:
        return props[key]
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else {}


def _typed(p: Parameter, kind: str, parts: Any) -> Any:
    """Texts read back as the values the schema asks for (``"3"`` -> 3 for an integer)."""
    schema = p.schema
    if kind == "array":
        item = schema.get("items", {}) if isinstance(schema, dict) else {}
        return [from_text(item, x) for x in parts]
    if kind == "object":
        return _typed_object(schema, parts)
    return from_text(schema, parts)


def _typed_object(schema: Any, parts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in parts.items():
        sub = _prop_schema(schema, k)
        if isinstance(v, dict):
            out[k] = _typed_object(sub, v)
        elif isinstance(v, list):
            item = sub.get("items", {}) if isinstance(sub, dict) else {}
            out[k] = [from_text(item, x) for x in v]
        else:
            out[k] = from_text(sub, v)
    return out


def _pairs_to_object(flat: list[str]) -> dict[str, str] | None:
    if len(flat) % 2:
        return None
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _kv(items: list[str]) -> dict[str, str] | None:
    out = {}
    for it in items:
        k, eq, v = it.partition("=")
        if not eq:
            return None
        out[k] = v
    return out


def _split(text: str, kind: str, explode: bool, delim: str, decode: Any) -> Any:
    """``text`` (encoded) split on ``delim`` into an array or object of decoded texts; None
    when it does not have that shape."""
    items = text.split(delim) if text else []
    if kind == "array":
        return [decode(x) for x in items]
    obj = _kv(items) if explode else _pairs_to_object(items)
    return None if obj is None else {decode(k): decode(v) for k, v in obj.items()}


def read_path(p: Parameter, raw: str) -> Any:
    """A path parameter's value from its raw (still encoded) text."""
    style, explode = style_of(p)
    kind = _wanted(p)
    text = raw
    if style == "label":
        if not text.startswith("."):
            return unquote(raw)  # not label-shaped: the text itself, for validation to name
        text = text[1:]
        delim = "." if explode else ","
    elif style == "matrix":
        if not text.startswith(";"):
            return unquote(raw)
        segments = text[1:].split(";")
        if kind == "object" and explode:
            obj = _kv(segments)
            return unquote(raw) if obj is None else _typed(
                p, kind, {unquote(k): unquote(v) for k, v in obj.items()})
        values = []
        for seg in segments:
            n, _, v = seg.partition("=")
            if unquote(n) != p.name:
                return unquote(raw)
            values.append(v)
        if kind == "array" and explode:
            return _typed(p, kind, [unquote(v) for v in values if v or len(values) > 1])
        text = values[0] if values else ""
        delim = ","
    else:
        delim = ","
    if kind == "primitive":
        return _typed(p, kind, unquote(text))
    parts = _split(text, kind, explode, delim, unquote)
    return unquote(raw) if parts is None else _typed(p, kind, parts)


def read_header(p: Parameter, text: str) -> Any:
    """A header parameter's value from its text (``simple``; not percent-encoded)."""
    _, explode = style_of(p)
    kind = _wanted(p)
    if kind == "primitive":
        return _typed(p, kind, text)
    parts = _split(text, kind, explode, ",", lambda x: x.strip())
    return text if parts is None else _typed(p, kind, parts)


def _unq(text: str) -> str:
    """Query text decoded as a form decodes it (``+`` is a space)."""
    return unquote(text.replace("+", " "))


def raw_pairs(query: str) -> list[tuple[str, str]]:
    """A query string's (decoded name, still-encoded value) pairs, in order."""
    out = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        out.append((_unq(name), value))
    return out


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


#: What :func:`read_query` gives for a parameter the request does not carry.
ABSENT: Any = _Absent()


def read_query(p: Parameter, pairs: list[tuple[str, str]],
               others: frozenset[str] = frozenset()) -> Any:
    """A query parameter's value from the request's :func:`raw_pairs`; :data:`ABSENT` when
    it is not there.
    ``others``: the operation's other query parameters (not part of an exploded object)."""
    style, explode = style_of(p)
    kind = _wanted(p)
    if style == "deepObject":
        prefix = p.name + "["
        found = [(k[len(p.name):], v) for k, v in pairs if k.startswith(prefix)]
        if not found:
            return ABSENT
        obj: dict[str, Any] = {}
        for path, v in found:
            keys = [seg.rstrip("]") for seg in path[1:].split("[")]
            node = obj
            for key in keys[:-1]:
                nxt = node.get(key)
                if not isinstance(nxt, dict):
                    nxt = node[key] = {}
                node = nxt
            last, value = keys[-1], _unq(v)
            if last in node:
                prev = node[last]
                node[last] = [*prev, value] if isinstance(prev, list) else [prev, value]
            else:
                node[last] = value
        return _typed_object(p.schema, obj)
    mine = [v for k, v in pairs if k == p.name]
    if kind == "object" and explode:
        props = p.schema.get("properties") if isinstance(p.schema, dict) else None
        taken = {k: _unq(v) for k, v in pairs
                 if (k in props if isinstance(props, dict) else k not in others)}
        return _typed(p, kind, taken) if taken else ABSENT
    if not mine:
        return ABSENT
    if kind == "primitive":
        return _typed(p, kind, _unq(mine[0]))
    if explode and kind == "array":
        return _typed(p, kind, [_unq(v) for v in mine])
    text = mine[0]
    delims = _DELIMS.get(style, _DELIMS["form"])[1]
    for d in delims[1:]:
        text = text.replace(d, delims[0])
    parts = _split(text, kind, False, delims[0], _unq)
    return _unq(mine[0]) if parts is None else _typed(p, kind, parts)
