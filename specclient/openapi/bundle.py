"""A document split over many files (DigitalOcean's: one file per operation, per schema, per
shared parameter) made one, before it is imported.

Every ``$ref`` to another file (``resources/droplets/droplets_list.yml``,
``models/droplet.yml#/droplet``), and every local ``#/...`` reference inside such a file, is
followed, relative to the file that holds it:

- a reference in a schema's place (under ``schema``, ``properties``, ``items``, ``allOf``...)
  becomes a component schema of the main document, once per target however often it is
  referred to, named after its file (``droplet``, ``droplet_2`` on a clash), and the
  reference ``#/components/schemas/droplet`` (``#/definitions/...`` in Swagger 2.0): schemas
  stay shared, and recursive ones keep working;
- any other reference (a path item, an operation, a parameter, a response, an example) is
  replaced by its target, itself bundled.

Only files inside the main document's folder are read: a URL, an absolute path or a ``..``
that climbs out stays a reference (the import then warns that it is not followed), and so
does a reference to a missing file or pointer, or a cycle of non-schema references.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from ..errors import SpecError
from ..spec.lines import YamlList, YamlMap
from .common import load_document, unpointer

__all__ = ["bundle"]

#: Keys under which a schema holds one schema, a map of them, a list of them.
_ONE = frozenset({"items", "additionalProperties", "not", "contains", "if", "then", "else",
                  "propertyNames", "additionalItems", "unevaluatedItems",
                  "unevaluatedProperties"})
_MAP = frozenset({"properties", "patternProperties", "$defs", "definitions",
                  "dependentSchemas"})
_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
#: Keys whose values are data, never references (an example may hold a "$ref" key): in a
#: schema, and elsewhere (where ``examples`` maps names to Example Objects, which may refer).
_DATA = frozenset({"example", "examples", "default", "enum", "const", "x-examples"})
_DATA_OUTSIDE = frozenset({"example", "value", "x-examples"})
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

Warn = Callable[[list[Any], str], None]


class _Bundler:
    def __init__(self, doc: dict[str, Any], main: str, warn: Warn):
        self.doc = doc
        self.main = os.path.realpath(main)
        self.root = os.path.dirname(self.main)
        self.warn = warn
        self.files: dict[str, Any] = {self.main: doc}
        self.swagger2 = str(doc.get("swagger", "")).startswith("2.")
        section = doc.get("definitions") if self.swagger2 else \
            (doc.get("components") or {}).get("schemas") \
            if isinstance(doc.get("components"), dict) else None
        self.schemas: dict[str, Any] = dict(section) if isinstance(section, dict) else {}
        self.names: dict[tuple[str, str], str] = {}  # (file, pointer) -> component name
        self.pending: list[tuple[str, str, Any]] = []  # hoisted, still to bundle
        self.inlining: list[tuple[str, str]] = []
        self.changed = False

    # -- targets

    def target(self, ref: str, file: str) -> tuple[str, str] | None:
        """(file, pointer) a reference names, or None for one left as it is."""
        path, _, frag = ref.partition("#")
        if not path:
            return file, frag
        if _SCHEME.match(path) or os.path.isabs(path) or path.startswith(("/", "\\")):
            return None
        real = os.path.realpath(os.path.join(os.path.dirname(file), path))
        if os.path.commonpath([real, self.root]) != self.root or not os.path.isfile(real):
            return None
        return real, frag

    def lookup(self, key: tuple[str, str]) -> Any:
        file, frag = key
        if file not in self.files:
            try:
                self.files[file] = load_document(file)
            except SpecError:
                self.files[file] = None
        node = self.files[file]
        for part in unpointer(frag) if frag not in ("", "/") else []:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def component(self, key: tuple[str, str], target: Any) -> str:
        name = self.names.get(key)
        if name is None:
            stem = os.path.splitext(os.path.basename(key[0]))[0]
            last = unpointer(key[1])[-1] if key[1].strip("/") else stem
            base = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(last)).strip("._") or "schema"
            name, n = base, 1
            while name in self.schemas:
                n += 1
                name = f"{base}_{n}"
            self.names[key] = name
            self.schemas[name] = target  # bundled by finish()
            self.pending.append((name, key[0], target))
        return name

    def schema_ref(self, name: str) -> str:
        return f"#/definitions/{name}" if self.swagger2 else f"#/components/schemas/{name}"

    # -- the walk

    def walk(self, node: Any, file: str, loc: list[Any], schema: bool) -> Any:
        if isinstance(node, list):
            items = [self.walk(v, file, loc + [i], schema) for i, v in enumerate(node)]
            if file != self.main:
                return items
            lst = YamlList(items)  # the main file's lines, for located warnings
            lst.line = getattr(node, "line", None)
            lst.item_lines = getattr(node, "item_lines", [])
            return lst
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and (file != self.main or not ref.startswith("#")):
            key = self.target(ref, file)
            target = self.lookup(key) if key is not None else None
            if key is None or target is None:
                if file != self.main or key is not None:
                    self.warn(loc + ["$ref"], f"$ref {ref!r} cannot be followed (outside the "
                                              f"document's folder, or missing); left as is")
                return node
            self.changed = True
            rest = {k: self.walk(v, file, loc + [k], schema and k not in _DATA)
                    for k, v in node.items() if k != "$ref"}
            if key[0] == self.main and key[1].startswith("/"):  # back into the main file
                return {"$ref": "#" + key[1], **rest}
            if schema:
                return {"$ref": self.schema_ref(self.component(key, target)), **rest}
            if key in self.inlining:
                self.warn(loc + ["$ref"], f"$ref {ref!r} refers back to itself; left as is")
                return node
            self.inlining.append(key)
            try:
                inlined = self.walk(target, key[0], loc, schema)
            finally:
                self.inlining.pop()
            return {**inlined, **rest} if isinstance(inlined, dict) else inlined
        out = YamlMap() if file == self.main else {}
        for k, v in node.items():
            if schema:
                child = v if k in _DATA else (
                    {n: self.walk(s, file, loc + [k, n], True) for n, s in v.items()}
                    if k in _MAP and isinstance(v, dict) else
                    self.walk(v, file, loc + [k], True) if k in _ONE or k in _LIST else
                    self.walk(v, file, loc + [k], False))
            else:
                child = v if k in _DATA_OUTSIDE else self.walk(v, file, loc + [k],
                                                               k == "schema")
            out[k] = child
        if isinstance(out, YamlMap):  # the main file's lines, for located warnings
            out.line = getattr(node, "line", None)
            out.key_lines = getattr(node, "key_lines", {})
        return out

    def run(self) -> dict[str, Any]:
        own = list(self.schemas)
        doc = YamlMap(self.doc)
        doc.line, doc.key_lines = getattr(self.doc, "line", None), \
            getattr(self.doc, "key_lines", {})
        for key, value in self.doc.items():
            if key in ("components", "definitions"):
                continue
            doc[key] = self.walk(value, self.main, [key], False)
        components = self.doc.get("components")
        if isinstance(components, dict):
            doc["components"] = {
                k: (self.walk(v, self.main, ["components", k], False) if k != "schemas"
                    else v) for k, v in components.items()}
        for name in own:  # the document's own schemas
            self.schemas[name] = self.walk(self.schemas[name], self.main,
                                           self._section() + [name], True)
        while self.pending:
            name, file, target = self.pending.pop()
            self.schemas[name] = self.walk(target, file, self._section() + [name], True)
        if not self.changed:
            return self.doc
        if self.swagger2:
            doc["definitions"] = self.schemas
        else:
            doc["components"] = {**(doc.get("components") or {}), "schemas": self.schemas}
        return doc

    def _section(self) -> list[Any]:
        return ["definitions"] if self.swagger2 else ["components", "schemas"]


def bundle(doc: Any, path: str, warn: Warn) -> Any:
    """``doc`` (read from ``path``) with every reference to another file followed; see the
    module docstring. A document that refers to no other file comes back as it is."""
    if not isinstance(doc, dict):
        return doc
    return _Bundler(doc, path, warn).run()
