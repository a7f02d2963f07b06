"""Message templates: ``{raw_body}``, ``{body.a.b[0].c}`` (a JSON body's field, or a form
field), ``{form_sorted}``, ``{body_sha256}``, ``{header.Name}``, ``{timestamp}`` ... rendered to
the bytes a rule signs, or matched against a received header's value."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from ..errors import (
    SpecError,
)
from ..record import FrozenRecord

__all__ = ["Template", "body_field", "body_path"]

# --------------------------------------------------------------------------- templates

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_SIMPLE = {"raw_body", "method", "path", "query", "url", "timestamp", "random", "uuid",
           "signature", "form_sorted", "body_sha256"}
_BODY_PATH = re.compile(r"^body((?:\.[A-Za-z0-9_\-]+|\[\d+\])+)$")
_PATH_PART = re.compile(r"\.([A-Za-z0-9_\-]+)|\[(\d+)\]")


class Template(FrozenRecord):
    """A parsed template: literal text and ``{field}`` references, in order."""

    _fields = ("source", "parts")

    def __init__(self, source: str, parts: tuple[tuple[bool, str], ...]):
        self.source = source
        self.parts = parts  # (is_field, text)

    @classmethod
    def parse(cls, source: str, allowed: set[str] | None = None,
              where: tuple[str, int | None] = ("<spec>", None)) -> Template:
        parts: list[tuple[bool, str]] = []
        pos = 0
        for m in _FIELD.finditer(source):
            if m.start() > pos:
                parts.append((False, source[pos:m.start()]))
            token = m.group(0)
            if token in ("{{", "}}"):
                parts.append((False, token[0]))
            else:
                name = m.group(1).strip()
                ok = (name in _SIMPLE or name.startswith("header.") and len(name) > 7
                      or _BODY_PATH.match(name))
                if not ok or (allowed is not None and name not in allowed
                              and not name.startswith(("header.", "body"))):
                    raise SpecError.at(where[0], where[1],
                                       f"unknown template field {{{name}}} in {source!r}")
                parts.append((True, name))
            pos = m.end()
        if pos < len(source):
            tail = source[pos:]
            if "{" in tail or "}" in tail:
                raise SpecError.at(where[0], where[1], f"unbalanced brace in {source!r}")
            parts.append((False, tail))
        return cls(source, tuple(parts))

    @property
    def fields(self) -> list[str]:
        return [text for is_field, text in self.parts if is_field]

    def render(self, lookup: Callable[[str], bytes]) -> bytes:
        if self._single is not None:  # "{body.eventId}": the field's bytes as they are
            return lookup(self._single)
        return b"".join([lookup(text) if is_field else literal
                         for is_field, text, literal in self._encoded])

    @functools.cached_property
    def _single(self) -> str | None:
        """The field's name when the template is that one field and nothing else."""
        return self.parts[0][1] if len(self.parts) == 1 and self.parts[0][0] else None

    @functools.cached_property
    def _encoded(self) -> tuple[tuple[bool, str, bytes], ...]:
        """``parts`` with each literal encoded once, for :meth:`render`."""
        return tuple((is_field, text, b"" if is_field else text.encode())
                     for is_field, text in self.parts)

    @functools.cached_property
    def _matcher(self) -> tuple[re.Pattern[str], dict[str, str]]:
        groups: dict[str, str] = {}
        out = []
        for is_field, part in self.parts:
            if not is_field:
                out.append(re.escape(part))
            elif part in groups:
                out.append(f"(?P={groups[part]})")
            else:
                groups[part] = f"f{len(groups)}"
                out.append(f"(?P<{groups[part]}>.*?)")
        return re.compile("".join(out), re.DOTALL), {v: k for k, v in groups.items()}

    def match(self, text: str) -> dict[str, str] | None:
        """Read the template backwards: the field values that render to ``text``, or None.

        Each field matches the shortest text that lets the rest match; a field named twice
        must have the same value both times.
        """
        regex, names = self._matcher
        m = regex.fullmatch(text)
        if m is None:
            return None
        return {names[g]: v for g, v in m.groupdict().items()}


@lru_cache(maxsize=1024)
def body_path(name: str) -> tuple[str | int, ...] | None:
    """``body.a[0]`` -> ``("a", 0)``, parsed once per field name; None if not a body field."""
    m = _BODY_PATH.match(name)
    if m is None:
        return None
    return tuple(key if key else int(index) for key, index in _PATH_PART.findall(m.group(1)))


def body_field(obj: Any, name: str) -> Any:
    """``body.a.b[0]`` looked up in ``obj``; raises KeyError when absent."""
    parts = body_path(name)
    if parts is None:
        raise KeyError(name)
    for part in parts:
        if isinstance(part, str):
            if not (isinstance(obj, dict) or isinstance(obj, Mapping)) or part not in obj:
                raise KeyError(name)
            obj = obj[part]
        else:
            if not isinstance(obj, list) or part >= len(obj):
                raise KeyError(name)
            obj = obj[part]
    return obj
