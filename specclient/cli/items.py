"""HTTPie-style request items for ``specclient call NAME [ITEM...]``.

=====================  ==========================================================
``field=value``        a string body field
``field:=json``        a typed body field (``n:=3``, ``ok:=true``, ``tags:='["a"]'``)
``field=@file``        a string body field read from a file (exact text)
``field:=@file.json``  a typed body field read from a JSON file
``field@file``         a file (multipart/form-data), as ``(name, bytes, type)``;
                       ``field@file;type=image/png`` sets its content type
``a.b=value``          nested objects; ``list[]=value`` appends, ``list[0]=value`` sets
``[]=value``           the body itself is a list
``Header:value``       a header (a declared header parameter, or an extra header)
``name==value``        a query parameter (repeat it for a list)
=====================  ==========================================================

The separator is the *first* one in the item (``:=@``, ``:=``, ``:``, ``==``, ``=@``, ``=``;
the longest wins at one position), so values may contain any of them
(``Authorization:Bearer a=b`` is a header). A backslash escapes a separator character, a dot
or a bracket in the key: ``a\\=b=c`` sets the field ``a=b``, ``a\\.b=c`` the field ``a.b``.
A value is always taken literally.

:func:`parse_items` turns the items into :class:`Items`; :func:`apply_fields` builds a body
from the body fields. Errors are :class:`ItemError`, naming the item.
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Items", "ItemError", "parse_item", "parse_items", "apply_fields", "parse_path",
           "format_field", "SEPARATORS"]

#: Separators, longest first within one position.
SEPARATORS = (":=@", ":=", ":", "==", "=@", "=", "@")
_ESCAPABLE = frozenset("=:@.[]\\")


class ItemError(ValueError):
    """A request item is malformed; ``item`` is the item as given."""

    def __init__(self, item: str, message: str):
        super().__init__(f"item {item!r}: {message}")
        self.item = item
        self.message = message


@dataclass(frozen=True)
class Item:
    """One parsed item: its raw text, the unescaped key, the separator and the value."""

    raw: str
    key: str
    sep: str
    value: str


@dataclass
class Items:
    """Items sorted by kind: body fields (path, value, item), headers and query parameters,
    each in the order given."""

    fields: list[tuple[list[str | int | None], Any, str]] = field(default_factory=list)
    headers: list[tuple[str, str, str]] = field(default_factory=list)
    query: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def has_body(self) -> bool:
        return bool(self.fields)


def parse_item(raw: str) -> Item:
    """Split one item at its first separator, unescaping the key."""
    key: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw) and raw[i + 1] in _ESCAPABLE:
            # keep the escape for the path parser when it protects a dot or bracket
            key.append(raw[i:i + 2] if raw[i + 1] in ".[]\\" else raw[i + 1])
            i += 2
            continue
        for sep in SEPARATORS:
            if raw.startswith(sep, i):
                name = "".join(key)
                if not name:
                    raise ItemError(raw, f"empty name before {sep!r}")
                return Item(raw, name, sep, raw[i + len(sep):])
        key.append(ch)
        i += 1
    raise ItemError(raw, "not an item: expected field=value, field:=json, field@file, "
                         "Header:value or name==value")


def parse_path(item: str, key: str) -> list[str | int | None]:
    """``a.b[0][]`` -> ``['a', 'b', 0, None]`` (None appends). Escapes: ``\\.``, ``\\[``,
    ``\\]``, ``\\\\``. A key starting with ``[`` addresses the body itself."""
    out: list[str | int | None] = []
    cur: list[str] = []
    expect_name = False  # after a dot
    after_bracket = False
    i = 0
    while i < len(key):
        ch = key[i]
        if ch == "\\" and i + 1 < len(key):
            if after_bracket:
                raise ItemError(item, f"expected '.' or '[' after ']' in field path {key!r}")
            cur.append(key[i + 1])
            expect_name = False
            i += 2
        elif ch == ".":
            if not cur and not after_bracket:
                raise ItemError(item, f"empty name in field path {key!r}")
            if cur:
                out.append("".join(cur))
                cur = []
            expect_name, after_bracket = True, False
            i += 1
        elif ch == "[":
            if expect_name:
                raise ItemError(item, f"empty name in field path {key!r}")
            if cur:
                out.append("".join(cur))
                cur = []
            end = key.find("]", i)
            if end < 0:
                raise ItemError(item, f"unclosed '[' in field path {key!r}")
            inner = key[i + 1:end]
            out.append(None if inner == "" else int(inner) if inner.isdigit() else inner)
            after_bracket = True
            i = end + 1
        elif ch == "]":
            raise ItemError(item, f"unmatched ']' in field path {key!r}")
        else:
            if after_bracket:
                raise ItemError(item, f"expected '.' or '[' after ']' in field path {key!r}")
            cur.append(ch)
            expect_name = False
            i += 1
    if cur:
        out.append("".join(cur))
    elif expect_name:
        raise ItemError(item, f"empty name in field path {key!r}")
    return out


def _unescape(key: str) -> str:
    return re.sub(r"\\(.)", r"\1", key)


def _read(item: str, path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise ItemError(item, f"cannot read {path!r}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ItemError(item, f"{path!r} is not UTF-8 text") from None


def _file(item: str, spec: str) -> tuple[str, bytes, str | None]:
    """``path`` or ``path;type=media/type`` as a file to upload: (file name, bytes, type);
    a type of None is guessed from the name when the body is encoded."""
    path, ctype = spec, None
    head, sep, tail = spec.rpartition(";type=")
    if sep and "/" in tail:
        path, ctype = head, tail.strip()
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ItemError(item, f"cannot read {path!r}: {exc.strerror}") from None
    return os.path.basename(path), data, ctype


def _json(item: str, text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ItemError(item, f"{where} is not valid JSON: {exc}") from None


def parse_items(raw_items: list[str]) -> Items:
    """Sort items into body fields (values decoded), headers and query parameters."""
    items = Items()
    for raw in raw_items:
        it = parse_item(raw)
        if it.sep == ":":
            name = _unescape(it.key)
            if any(c in name for c in " \t\r\n\0"):
                raise ItemError(raw, f"{name!r} is not a valid header name")
            items.headers.append((name, it.value, raw))
        elif it.sep == "==":
            items.query.append((_unescape(it.key), it.value, raw))
        else:
            path = parse_path(raw, it.key)
            if it.sep == "=":
                value: Any = it.value
            elif it.sep == ":=":
                value = _json(raw, it.value, "the value")
            elif it.sep == "=@":
                value = _read(raw, it.value)
            elif it.sep == "@":
                value = _file(raw, it.value)
            else:  # :=@
                value = _json(raw, _read(raw, it.value), repr(it.value))
            items.fields.append((path, value, raw))
    return items


def _show(path: list[str | int | None]) -> str:
    out = ""
    for p in path:
        if isinstance(p, str):
            out += ("." if out else "") + p
        else:
            out += "[]" if p is None else f"[{p}]"
    return out or "(the body)"


def apply_fields(base: Any, fields: list[tuple[list[str | int | None], Any, str]]) -> Any:
    """``base`` (None for an empty body) with every field set; ``base`` is not modified.

    Setting a field twice, or a path through a value of the wrong kind, is an :class:`ItemError`.
    """

    root: dict[str, Any] = {"": copy.deepcopy(base)}
    assigned: set[str] = set()
    for path, value, raw in fields:
        full: list[str | int | None] = ["", *path]
        container: Any = root
        for depth, step in enumerate(full):
            last = depth == len(full) - 1
            nxt = None if last else full[depth + 1]
            if isinstance(step, str):
                if not isinstance(container, dict):
                    raise ItemError(raw, f"{_show(full[1:depth])} is not an object; "
                                         f"cannot set {step!r} in it")
                if last:
                    shown = _show(path)
                    if step in container and shown in assigned:
                        raise ItemError(raw, f"{shown} is set twice (use {shown}[]=... "
                                             f"for a list)")
                    container[step] = value
                    assigned.add(shown)
                    break
                if container.get(step) is None:
                    container[step] = [] if (nxt is None or isinstance(nxt, int)) else {}
                container = container[step]
            else:
                if not isinstance(container, list):
                    raise ItemError(raw, f"{_show(full[1:depth]) or '(the body)'} is not a list")
                if step is None:
                    if last:
                        container.append(value)
                        break
                    container.append([] if (nxt is None or isinstance(nxt, int)) else {})
                    container = container[-1]
                    continue
                if step > len(container):
                    raise ItemError(raw, f"index {step} skips past the end of "
                                         f"{_show(full[1:depth]) or '(the body)'} "
                                         f"(length {len(container)})")
                if step == len(container):
                    container.append(None)
                if last:
                    container[step] = value
                    break
                if container[step] is None:
                    container[step] = [] if (nxt is None or isinstance(nxt, int)) else {}
                container = container[step]
    return root[""]


def format_field(key: str, value: Any) -> str:
    """The item that sets the top-level body field ``key`` to ``value`` (the inverse of
    :func:`parse_items`): ``key=value`` for a string, ``key:=json`` otherwise."""
    name = "".join("\\" + c if c in _ESCAPABLE else c for c in key)
    if isinstance(value, str) and not value.startswith(("@", "=")):  # would read as =@ / ==
        return f"{name}={value}"
    return f"{name}:={json.dumps(value, ensure_ascii=False, separators=(',', ':'))}"
