"""Reading the source document: located warnings, type-checked access, ``$ref`` following
(local and to component files)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from ..errors import SpecError
from ..spec.yamlio import line_at_path
from .bundle import bundle
from .common import pick_type, pointer, unpointer
from .result import ImportWarning


class Reader:
    """The source document and the import's warnings; the other parts build on it."""

    def __init__(self, doc: Any, file: str, service: str, only: list[str]):
        self.doc = doc
        self.file = file
        self.service = service
        self.only = list(only)
        self.warnings: list[ImportWarning] = []
        self.files: dict[str, Any] = {}
        if not isinstance(doc, dict):
            raise SpecError.at(file, 1, "not an OpenAPI document (expected a mapping)")
        if os.path.isfile(file):  # a document split over files: made one first
            self.doc = bundle(doc, file, self.warn)
        if str(doc.get("swagger", "")).startswith("2."):
            self.version = 2
        elif str(doc.get("openapi", "")).startswith("3.0"):
            self.version = 30
        elif str(doc.get("openapi", "")).startswith("3.1"):
            self.version = 31
        else:
            found = doc.get("openapi", doc.get("swagger"))
            raise SpecError.at(file, line_at_path(doc, ["openapi"]),
                               f"not an OpenAPI 3.0/3.1 or Swagger 2.0 document "
                               f"(openapi/swagger: {found!r})")
        if not isinstance(doc.get("paths"), dict):
            raise SpecError.at(file, 1, "the document has no paths")
        self.comp_prefix = ("definitions",) if self.version == 2 else ("components", "schemas")
        comps = self._get(self.comp_prefix) or {}
        self.components: dict[str, Any] = comps if isinstance(comps, dict) else {}
        self.component_files = self._component_files()
        self._example_loc: list[Any] = []
        self._inlining: list[str] = []

    # -- warnings and lookups

    def warn(self, loc: Iterable[Any], message: str) -> None:
        loc = list(loc)
        self.warnings.append(ImportWarning(self.file, pointer(loc),
                                           line_at_path(self.doc, loc), message))

    def mapping(self, node: Any, loc: list[Any]) -> dict[Any, Any]:
        """``node`` if it is a mapping; else {} (and a warning, unless it is absent)."""
        if isinstance(node, dict):
            return node
        if node is not None:
            self.warn(loc, f"expected a mapping, found {type(node).__name__}; ignored")
        return {}

    def media(self, content: dict[str, Any],
              loc: list[Any]) -> tuple[str, list[Any], dict[Any, Any]]:
        """The one media type imported from a non-empty ``content`` map (warning about the
        others): its content type, location and media object."""
        ct = pick_type(content)
        # the media object offered under that type; a wildcard (*/*, application/*) only:
        # the first one, its body sent as bytes (application/octet-stream)
        key = ct if ct in content else next(iter(content))
        if len(content) > 1:
            others = [str(c) for c in content if c != key]
            self.warn(loc + ["content"], f"only {key} is imported; also offered: "
                                         f"{', '.join(others)}")
        mloc = loc + ["content", key]
        return ct, mloc, self.mapping(content[key], mloc)

    def sequence(self, node: Any, loc: list[Any]) -> list[Any]:
        """``node`` if it is a list; else [] (and a warning, unless it is absent)."""
        if isinstance(node, list):
            return node
        if node is not None:
            self.warn(loc, f"expected a list, found {type(node).__name__}; ignored")
        return []

    def media_types(self, node: Any, loc: list[Any]) -> list[str]:
        """A 2.0 ``consumes`` / ``produces`` list (strings only)."""
        return [str(t) for t in self.sequence(node, loc) if isinstance(t, str)]

    def _get(self, loc: Iterable[Any]) -> Any:
        node = self.doc
        for part in loc:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                return None
        return node

    def deref(self, node: Any, loc: list[Any]) -> tuple[Any, list[Any]]:
        """Follow local ``$ref`` s of non-schema objects (parameters, responses, bodies,
        examples); returns the target and its location (or (None, loc) after a warning)."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                self.warn(loc + ["$ref"], f"external $ref {ref!r} is not followed; dropped")
                return None, loc
            if ref in seen:
                self.warn(loc + ["$ref"], f"$ref cycle at {ref!r}; dropped")
                return None, loc
            seen.add(ref)
            target_loc = unpointer(ref[1:])
            target = self._get(target_loc)
            if target is None:
                self.warn(loc + ["$ref"], f"$ref {ref!r} points at nothing; dropped")
                return None, loc
            node, loc = target, target_loc
        return node, loc

    def _component_files(self) -> dict[str, str]:
        files: dict[str, str] = {}
        taken: set[str] = set()
        for name in self.components:
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip(".") or "schema"
            base, n = stem, 1
            while stem.lower() in taken:  # case-insensitive file systems
                n += 1
                stem = f"{base}_{n}"
            taken.add(stem.lower())
            files[name] = stem
        return files

    # -- schemas

    def ref(self, ref: Any, loc: list[Any], here: str | None) -> Any:
        """A source ``$ref`` as a specclient one; ``here`` is the component whose file holds
        it (None: an operation file)."""
        if not isinstance(ref, str):
            self.warn(loc, "$ref is not a string; dropped")
            return {}
        if not ref.startswith("#"):
            self.warn(loc, f"external $ref {ref!r} is not followed; replaced by an "
                           f"unconstrained schema")
            return {}
        parts = unpointer(ref[1:])
        n = len(self.comp_prefix)
        if tuple(parts[:n]) == self.comp_prefix and len(parts) > n:
            name = parts[n]
            if name not in self.components:
                self.warn(loc, f"$ref {ref!r} names no component schema; replaced by an "
                               f"unconstrained schema")
                return {}
            sub = pointer(parts[n + 1:])
            if sub and self._get(parts) is None:
                self.warn(loc, f"$ref {ref!r} points at nothing; replaced by an "
                               f"unconstrained schema")
                return {}
            frag = f"#{sub}" if sub else ""
            stem = self.component_files[name]
            if here == name and sub:
                return {"$ref": frag}
            prefix = "" if here is not None else "../schemas/"
            return {"$ref": f"{prefix}{stem}.yaml{frag}"}
        # A schema somewhere else in the document: inline it (guarding against cycles).
        target = self._get(parts)
        if target is None:
            self.warn(loc, f"$ref {ref!r} points at nothing; replaced by an unconstrained "
                           f"schema")
            return {}
        if ref in self._inlining:
            self.warn(loc, f"recursive $ref {ref!r} outside the component schemas; "
                           f"replaced by an unconstrained schema")
            return {}
        self._inlining.append(ref)
        try:
            return self.schema(target, parts, here)
        finally:
            self._inlining.pop()


    def _where(self, node: Any) -> str:
        """Which output file (and pointer) holds ``node``."""
        def find(cur: Any, path: list[Any]) -> list[Any] | None:
            if cur is node:
                return path
            if isinstance(cur, dict):
                items: Iterable[tuple[Any, Any]] = cur.items()
            elif isinstance(cur, list):
                items = enumerate(cur)
            else:
                return None
            for k, v in items:
                found = find(v, path + [k])
                if found is not None:
                    return found
            return None

        for rel, data in self.files.items():
            found = find(data, [])
            if found is not None:
                return f"({rel}#{pointer(found)})"
        return "(in the operation file)"

    # -- the whole document

