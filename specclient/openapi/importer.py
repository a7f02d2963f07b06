"""OpenAPI 3.0 / 3.1 and Swagger 2.0 -> a specclient service folder.

One pass over the source document (a dict, as loaded with line numbers by
:mod:`specclient.spec.yamlio`) builds the files of the service folder in memory:

- ``service.yaml`` from ``info``, ``servers`` (3.x) or ``host``/``basePath``/``schemes`` (2.0),
  ``securitySchemes`` / ``securityDefinitions`` and the global ``security``;
- one ``operations/NAME.yaml`` per operation (parameters, body, responses, auth);
- one ``schemas/NAME.yaml`` per component schema (``components.schemas`` / ``definitions``),
  referred to with relative ``$ref`` s, never inlined.

Schemas are turned into JSON Schema 2020-12 (``nullable`` / ``x-nullable`` become type lists,
boolean ``exclusiveMinimum`` becomes a number, ``type: file`` a binary string). Whatever cannot
be carried over, or is wrong in the source (a default of the wrong type, a ``required`` entry
naming no property, a vendor extension, an unknown ``format``), becomes an
:class:`ImportWarning` with its JSON pointer and line in the source; the import carries on,
dropping what is unsafe to keep. Nothing is written until the whole document is converted.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import jsonschema
from referencing import Registry, Resource  # jsonschema's own dependency
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from ..auth import AUTH_TYPES
from ..errors import SpecError
from ..model import RESERVED_ARGS, is_json, python_name
from ..schema.keywords import OPENAPI_ANNOTATIONS, SUBSCHEMA, SUBSCHEMA_LISTS, SUBSCHEMA_MAPS
from ..spec.yamlio import line_at_path, loads_yaml
from .yamlout import dump_yaml, plain

__all__ = ["ImportWarning", "ImportResult", "import_openapi", "load_document", "snake_name",
           "EXTENSION"]

#: The vendor extension specclient itself writes (export) and reads back (import): it carries
#: what OpenAPI cannot say (secret names, signing rules, aliases, retries ...).
EXTENSION = "x-specclient"

METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PATH_PARAM = re.compile(r"\{([^{}/]+)\}")
_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_STATUS = re.compile(r"^([1-5][0-9][0-9]|[1-5]XX|default)$")

#: ``format`` values JSON Schema 2020-12 and OpenAPI define (anything else is warned about).
KNOWN_FORMATS = frozenset({
    "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template",
    "json-pointer", "relative-json-pointer", "regex",
    "int32", "int64", "float", "double", "byte", "binary", "password",
})
_SCHEMA_MAPS = SUBSCHEMA_MAPS
_SCHEMA_LISTS = SUBSCHEMA_LISTS
_SCHEMA_ONE = SUBSCHEMA
_ANNOTATIONS = OPENAPI_ANNOTATIONS
_ENV_WORDS = [("sandbox", "sandbox"), ("staging", "staging"), ("stage", "staging"),
              ("test", "test"), ("qa", "test"), ("dev", "development"),
              ("production", "production"), ("prod", "production"), ("live", "production")]
SCHEMA_HINT = "yaml-language-server: $schema=https://json-schema.org/draft/2020-12/schema"


# ---------------------------------------------------------------------- results


@dataclass(frozen=True)
class ImportWarning:
    """Something in the source document that was dropped, repaired or could not be mapped.

    ``pointer`` is the JSON pointer of the offending node in the source document and ``line``
    its line (when the document was YAML or JSON read with line numbers).
    """

    file: str
    pointer: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: #{self.pointer}: {self.message}"


@dataclass
class ImportResult:
    """A converted service folder, not yet written: ``files`` maps a path inside the folder
    (``service.yaml``, ``operations/x.yaml``, ``schemas/X.yaml``) to its content."""

    service: str
    files: dict[str, Any] = field(default_factory=dict)
    warnings: list[ImportWarning] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)

    def texts(self) -> dict[str, str]:
        """Each file's YAML text (with the editor hint line), deterministically."""
        out = {}
        for rel, data in sorted(self.files.items()):
            if rel == "service.yaml":
                hint = "yaml-language-server: $schema=../spec-format.schema.json"
            elif rel.startswith("operations/"):
                hint = "yaml-language-server: $schema=../../spec-format.schema.json"
            else:
                hint = SCHEMA_HINT
            out[rel] = dump_yaml(data, hint)
        return out

    def write(self, out_dir: str | os.PathLike[str], force: bool = False) -> str:
        """Write the service folder ``out_dir/<service>`` and return its path.

        An existing, non-empty folder is refused unless ``force``; then its ``service.yaml``,
        ``operations/`` and ``schemas/`` YAML files are replaced. ``out_dir`` also gets
        ``spec-format.schema.json`` (the editor hint target) when it has none.
        """
        # the format schema only when a document is imported
        from ..spec.format_schema import format_schema

        out_dir = os.fspath(out_dir)
        folder = os.path.join(out_dir, self.service)
        if os.path.isdir(folder) and os.listdir(folder):
            if not force:
                raise FileExistsError(f"{folder} already exists and is not empty "
                                      f"(use --force to replace its spec files)")
            for sub in ("operations", "schemas"):
                d = os.path.join(folder, sub)
                if os.path.isdir(d):
                    for entry in os.listdir(d):
                        if entry.endswith((".yaml", ".yml")):
                            os.remove(os.path.join(d, entry))
        for rel, text in self.texts().items():
            path = os.path.join(folder, *rel.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        hint_target = os.path.join(out_dir, "spec-format.schema.json")
        if not os.path.exists(hint_target):
            with open(hint_target, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(format_schema(), indent=2) + "\n")
        return folder


# ---------------------------------------------------------------------- helpers


def snake_name(text: str) -> str:
    """``getPetById`` -> ``get_pet_by_id``, ``get-orderdetails-v6.1`` ->
    ``get_orderdetails_v6_1``; always a valid operation name (idempotent on its output)."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", str(text))
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    if not s:
        return "operation"
    return "op_" + s if s[0].isdigit() else s


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _unpointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    tokens = pointer.lstrip("/").split("/")
    return [unquote(t).replace("~1", "/").replace("~0", "~") for t in tokens]


def _without_refs(node: Any) -> Any:
    """A copy of a schema with every ``$ref`` accepting anything (for local checks)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return {}
        return {k: _without_refs(v) for k, v in node.items()
                if k not in ("default", "example", "examples")}
    if isinstance(node, list):
        return [_without_refs(v) for v in node]
    return node


def _first_error(schema: Any, value: Any) -> str | None:
    try:
        validator = jsonschema.Draft202012Validator(schema)
        err = jsonschema.exceptions.best_match(validator.iter_errors(value))
    except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.UnknownType,
            Unresolvable, TypeError, ValueError, RecursionError):
        return None
    if err is None:
        return None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
    msg = err.message if len(err.message) < 160 else err.message[:160] + "..."
    return f"{where.lstrip('.') or '(top)'}: {msg}" if where else msg


def load_document(path: str | os.PathLike[str]) -> Any:
    """Read an OpenAPI / Swagger document (YAML or JSON) with line numbers."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise SpecError.at(path, None, f"cannot read: {exc.strerror}") from None
    try:
        return loads_yaml(raw, path)
    except SpecError as yaml_error:
        try:  # JSON that YAML 1.1 cannot parse (tabs, some escapes): no lines, but fine
            return json.loads(raw)
        except ValueError:
            raise yaml_error from None  # the YAML error names the line


# ---------------------------------------------------------------------- the importer


class _Importer:
    def __init__(self, doc: Any, file: str, service: str, only: list[str]):
        self.doc = doc
        self.file = file
        self.service = service
        self.only = list(only)
        self.warnings: list[ImportWarning] = []
        self.files: dict[str, Any] = {}
        if not isinstance(doc, dict):
            raise SpecError.at(file, 1, "not an OpenAPI document (expected a mapping)")
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
        self.warnings.append(ImportWarning(self.file, _pointer(loc),
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
        ct = _pick_type(content)
        if len(content) > 1:
            others = [c for c in content if c != ct]
            self.warn(loc + ["content"], f"only {ct} is imported; also offered: "
                                         f"{', '.join(others)}")
        mloc = loc + ["content", ct]
        return ct, mloc, self.mapping(content[ct], mloc)

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
            target_loc = _unpointer(ref[1:])
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
        parts = _unpointer(ref[1:])
        n = len(self.comp_prefix)
        if tuple(parts[:n]) == self.comp_prefix and len(parts) > n:
            name = parts[n]
            if name not in self.components:
                self.warn(loc, f"$ref {ref!r} names no component schema; replaced by an "
                               f"unconstrained schema")
                return {}
            sub = _pointer(parts[n + 1:])
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

    def schema(self, node: Any, loc: list[Any], here: str | None) -> Any:
        """A source schema as JSON Schema 2020-12 (see the module docstring)."""
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            self.warn(loc, f"a schema must be a mapping, not {type(node).__name__}; replaced "
                           f"by an unconstrained schema")
            return {}
        v2 = self.version == 2
        nullable = False
        out: dict[str, Any] = {}
        if "$ref" in node:
            out = dict(self.ref(node["$ref"], loc + ["$ref"], here))
            for key, value in node.items():
                if key == "$ref":
                    continue
                if key in ("nullable", "x-nullable") and value is True:
                    nullable = True
                elif str(key).startswith("x-") and key != EXTENSION:
                    self.warn(loc + [key], f"vendor extension {key} is not carried over")
                elif self.version != 31 and key not in _ANNOTATIONS:
                    self.warn(loc + [key], f"{key} beside $ref is ignored by OpenAPI "
                                           f"{'2.0' if v2 else '3.0'}; dropped")
                elif key in ("default", "example"):
                    out[key] = plain(value)
                else:
                    out[key] = self.schema_value(key, value, loc + [key], here)
            if nullable:
                return {"anyOf": [out, {"type": "null"}]}
            return out
        for key, value in node.items():
            kloc = loc + [key]
            if key == "nullable" or (key == "x-nullable" and v2):
                if value is True:
                    nullable = True
                if self.version == 31 and key == "nullable":
                    self.warn(kloc, "nullable is not an OpenAPI 3.1 keyword; "
                                    "converted to a type list")
                continue
            if isinstance(key, str) and key.startswith("x-"):
                self.warn(kloc, f"vendor extension {key} is not carried over")
                continue
            if key == "type" and value == "file" and v2:
                out["type"] = "string"
                out.setdefault("format", "binary")
                continue
            if key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
                bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                if value and bound in node:
                    out[key] = node[bound]
                continue
            if key in ("minimum", "maximum") and isinstance(
                    node.get("exclusive" + key.capitalize()), bool) and \
                    node.get("exclusive" + key.capitalize()):
                continue
            if key == "format":
                if isinstance(value, str) and value not in KNOWN_FORMATS:
                    self.warn(kloc, f"unknown format {value!r} (kept as an annotation; "
                                    f"not checked)")
                out[key] = value
                continue
            if key == "discriminator":
                if isinstance(value, dict) and "mapping" in value:
                    self.warn(kloc + ["mapping"], "discriminator mapping is not carried over "
                                                  "(oneOf/anyOf validates on its own)")
                    value = {k: v for k, v in value.items() if k != "mapping"}
                out[key] = plain(value)
                continue
            out[key] = self.schema_value(key, value, kloc, here)
        self._repair_required(out, node, loc)
        for key in [k for k in out if k not in _STRUCTURAL]:
            if _has_ref_key(out[key]):
                self.warn(loc + [key], f"{key} holds a $ref key, which specclient would read "
                                       f"as a reference; dropped")
                del out[key]
        if nullable:
            out = self._nullable(out)
        return out

    def top_schema(self, node: Any, loc: list[Any], here: str | None) -> Any:
        """:meth:`schema`, then repaired until it is a valid JSON Schema, then every
        ``default`` in it checked against its own node."""
        out = self._meta_repair(self.schema(node, loc, here), loc)
        self._check_defaults(out, loc)
        return out

    def _check_defaults(self, node: Any, loc: list[Any]) -> None:
        if isinstance(node, dict):
            self._check_default(node, loc)
            for key, value in node.items():
                if key in _SCHEMA_MAPS and isinstance(value, dict):
                    for k, v in value.items():
                        self._check_defaults(v, loc + [key, k])
                elif key in _SCHEMA_LISTS + ("items",) and isinstance(value, list):
                    for i, v in enumerate(value):
                        self._check_defaults(v, loc + [key, i])
                elif key in _SCHEMA_ONE:
                    self._check_defaults(value, loc + [key])

    def schema_value(self, key: str, value: Any, loc: list[Any], here: str | None) -> Any:
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k == "$ref":  # specclient's resolver would read it as a reference
                    self.warn(loc + [k], f"a {key} entry named $ref cannot be kept; dropped")
                    continue
                out[k] = self.schema(v, loc + [k], here)
            return out
        if key in _SCHEMA_LISTS and isinstance(value, list):
            return [self.schema(v, loc + [i], here) for i, v in enumerate(value)]
        if key in _SCHEMA_ONE and isinstance(value, (dict, bool)):
            return self.schema(value, loc, here)
        if key == "items" and isinstance(value, list):  # draft-4 tuple form
            return [self.schema(v, loc + [i], here) for i, v in enumerate(value)]
        return plain(value)

    def _nullable(self, out: dict[str, Any]) -> dict[str, Any]:
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
            if isinstance(out.get("enum"), list) and None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
            return out
        if isinstance(t, list):
            if "null" not in t:
                out["type"] = t + ["null"]
            return out
        if "enum" in out and isinstance(out["enum"], list):
            if None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
            return out
        if any(k in out for k in ("allOf", "oneOf", "anyOf")):
            return {"anyOf": [out, {"type": "null"}]}
        return out  # no type: null is already allowed

    def _repair_required(self, out: dict[str, Any], node: dict[str, Any],
                         loc: list[Any]) -> None:
        req = out.get("required")
        if req is None:
            return
        if not isinstance(req, list) or not all(isinstance(r, str) for r in req):
            self.warn(loc + ["required"], "required must be a list of property names; "
                                          "dropped")
            del out["required"]
            return
        props = out.get("properties")
        open_ended = any(k in out for k in ("allOf", "anyOf", "oneOf", "$ref",
                                            "patternProperties", "additionalProperties"))
        if not isinstance(props, dict) or open_ended:
            return
        keep = []
        for i, name in enumerate(req):
            if name in props:
                keep.append(name)
            else:
                self.warn(loc + ["required", i], f"required names {name!r}, which is not one "
                                                 f"of the properties; dropped")
        if keep:
            out["required"] = keep
        else:
            del out["required"]

    def _check_default(self, out: dict[str, Any], loc: list[Any]) -> None:
        """Drop a ``default`` that breaks its own schema (warned)."""
        if "default" not in out:
            return
        problem = _first_error(_without_refs(out), out["default"])
        if problem is not None:
            self.warn(loc + ["default"], f"default {out['default']!r} does not match its "
                                         f"schema ({problem}); dropped")
            del out["default"]

    # -- service

    def environments(self) -> dict[str, str]:
        servers: list[tuple[str, str, list[Any]]] = []  # (url, description, loc)
        if self.version == 2:
            host = self.doc.get("host")
            base = self.doc.get("basePath", "") or ""
            schemes = self.media_types(self.doc.get("schemes"), ["schemes"]) or ["https"]
            scheme = "https" if "https" in schemes else str(schemes[0])
            if isinstance(host, str) and host:
                servers.append((f"{scheme}://{host}{base}", "", ["host"]))
        else:
            for i, srv in enumerate(self.sequence(self.doc.get("servers"), ["servers"])):
                loc = ["servers", i]
                if not isinstance(srv, dict) or not isinstance(srv.get("url"), str):
                    self.warn(loc, "a server without a url; skipped")
                    continue
                url = srv["url"]
                for var, decl in self.mapping(srv.get("variables"),
                                              loc + ["variables"]).items():
                    default = decl.get("default") if isinstance(decl, dict) else None
                    if default is None:
                        self.warn(loc + ["variables", var], f"server variable {var!r} has no "
                                                            f"default; left in the URL")
                        continue
                    url = url.replace("{" + var + "}", str(default))
                if url.startswith("//"):
                    url = "https:" + url
                servers.append((url, str(srv.get("description") or ""), loc))
        envs: dict[str, str] = {}
        good = [(u, d, loc) for u, d, loc in servers if self._absolute(u, loc)]
        for i, (url, desc, _loc) in enumerate(good, 1):
            name = self._env_name(url, desc, i, len(good))
            base, n = name, 1
            while name in envs:
                n += 1
                name = f"{base}_{n}"
            envs[name] = url.rstrip("/") if url.rstrip("/") not in ("http:", "https:") else url
        if not envs:
            self.warn(["servers"] if self.version != 2 else ["host"],
                      "no absolute server URL; environment 'default' is a placeholder "
                      "(http://localhost): set the real base URL in service.yaml")
            envs["default"] = "http://localhost"
        return envs

    def _absolute(self, url: str, loc: list[Any]) -> bool:
        if re.match(r"^https?://", url) and "{" not in url:
            return True
        self.warn(loc, f"server URL {url!r} is not an absolute http(s) URL; skipped")
        return False

    @staticmethod
    def _env_name(url: str, desc: str, index: int, count: int) -> str:
        if _WORD.match(desc.strip()):
            return snake_name(desc.strip())
        text = f"{desc} {url}".lower()
        for word, name in _ENV_WORDS:
            if re.search(rf"(?<![a-z]){word}(?![a-z])", text):
                return name
        return "default" if count == 1 else f"env{index}"

    def security_schemes(self, ops: list[dict[str, Any]]) -> tuple[dict[str, Any],
                                                                   dict[str, str]]:
        """(auth declarations, source scheme name -> auth name) for the schemes used."""
        key = ("securityDefinitions",) if self.version == 2 else ("components",
                                                                  "securitySchemes")
        schemes = self._get(key) or {}
        if not isinstance(schemes, dict):
            return {}, {}
        kinds = Counter()
        decls: dict[str, Any] = {}
        prefix = re.sub(r"[^A-Za-z0-9]+", "_", self.service).upper().strip("_") or "API"
        raw: dict[str, tuple[str, Any, list[Any]]] = {}
        for sname, decl in schemes.items():
            decl, loc = self.deref(decl, list(key) + [sname])
            if decl is None:
                continue
            if not isinstance(decl, dict):
                self.warn(loc, f"security scheme {sname!r} is not a mapping; skipped")
                continue
            raw[sname] = (str(decl.get("type", "")), decl, loc)
            kinds[self._kind(decl)] += 1
        for sname, (_stype, decl, loc) in raw.items():
            mapped = self._auth_decl(sname, decl, loc, prefix, kinds, ops)
            if mapped is not None:
                name = "none_scheme" if sname == "none" else str(sname)
                decls[name] = mapped
        names = {s: ("none_scheme" if s == "none" else str(s)) for s in raw
                 if ("none_scheme" if s == "none" else str(s)) in decls}
        return decls, names

    def _kind(self, decl: dict[str, Any]) -> str:
        t = decl.get("type")
        if t == "apiKey":
            return "api_key"
        if t == "basic" or (t == "http" and str(decl.get("scheme", "")).lower() == "basic"):
            return "basic"
        if t == "http" and str(decl.get("scheme", "")).lower() == "bearer":
            return "bearer"
        return str(t)

    def _auth_decl(self, sname: str, decl: dict[str, Any], loc: list[Any], prefix: str,
                   kinds: Counter, ops: list[dict[str, Any]]) -> dict[str, Any] | None:
        ext = decl.get(EXTENSION)
        if isinstance(ext, dict) and ext.get("type") in AUTH_TYPES:
            schema = {**AUTH_TYPES[ext["type"]].spec_schema, "type": "object"}
            schema = {**schema, "properties": {**schema.get("properties", {}),
                                               "type": {}, "description": {}}}
            problem = _first_error(schema, plain(ext))
            if problem is None:
                return plain(ext)
            self.warn(loc + [EXTENSION], f"{EXTENSION} is not a valid auth declaration "
                                         f"({problem}); derived from the scheme instead")
        kind = self._kind(decl)
        part = "" if kinds[kind] == 1 else "_" + snake_name(sname).upper()
        desc = decl.get("description")
        out: dict[str, Any]
        if kind == "api_key":
            where = decl.get("in")
            if where not in ("header", "query") or not decl.get("name"):
                self.warn(loc, f"API key in {where!r} cannot be mapped (only header and query "
                               f"keys); operations using {sname!r} get no auth for it")
                return None
            out = {"type": "api_key", "in": where, "name": str(decl["name"]),
                   "secret": f"{prefix}{part}_API_KEY"}
        elif kind == "basic":
            out = {"type": "basic", "username": f"{prefix}{part}_USERNAME",
                   "password": f"{prefix}{part}_PASSWORD"}
        elif kind == "bearer":
            out = {"type": "bearer", "secret": f"{prefix}{part}_TOKEN"}
        elif kind == "oauth2":
            if self.version == 2:
                token_url = decl.get("tokenUrl") if decl.get("flow") == "application" else None
            else:
                flow = self.mapping(decl.get("flows"), loc + ["flows"]).get("clientCredentials")
                token_url = flow.get("tokenUrl") if isinstance(flow, dict) else None
            if not isinstance(token_url, str) or not re.match(r"^https?://", token_url):
                self.warn(loc, f"OAuth2 scheme {sname!r} has no client-credentials flow with "
                               f"an absolute token URL; only that flow can be mapped")
                return None
            out = {"type": "oauth2", "flow": "client_credentials", "token_url": token_url,
                   "client_id": f"{prefix}{part}_CLIENT_ID",
                   "client_secret": f"{prefix}{part}_CLIENT_SECRET"}
            scopes = self._scopes_used(sname, ops)
            if scopes:
                out["scope"] = scopes[0] if len(scopes) == 1 else scopes
        else:
            self.warn(loc, f"security scheme {sname!r} of type {decl.get('type')!r}"
                           f"{' ' + str(decl.get('scheme')) if decl.get('scheme') else ''} "
                           f"cannot be mapped (api key, HTTP basic/bearer and OAuth2 client "
                           f"credentials can)")
            return None
        if isinstance(desc, str) and desc.strip():
            out["description"] = desc
        return out

    def _scopes_used(self, sname: str, ops: list[dict[str, Any]]) -> list[str]:
        """The scopes operations ask of ``sname`` (the most common set; others warned)."""
        sets: Counter = Counter()
        first_loc: dict[tuple[str, ...], list[Any]] = {}
        for op in ops:
            for req, loc in op["security"]:
                if sname in req:
                    listed = req[sname] if isinstance(req[sname], list) else []
                    scopes = tuple(sorted(str(s) for s in listed))
                    sets[scopes] += 1
                    first_loc.setdefault(scopes, loc)
        if not sets:
            return []
        best = sets.most_common(1)[0][0]
        for other in sets:
            if other != best:
                self.warn(first_loc[other], f"scopes {list(other)} of {sname!r} differ from "
                                            f"the ones most operations use ({list(best)}); "
                                            f"the token is requested with {list(best)}")
        return list(best)

    # -- operations

    def collect(self) -> list[dict[str, Any]]:
        """Every operation in the document: (method, path, op, locations), --only applied."""
        ops = []
        for path, item in self.doc["paths"].items():
            ploc = ["paths", path]
            if isinstance(path, str) and path.startswith("x-"):
                self.warn(ploc, f"vendor extension {path} is not carried over")
                continue
            if not isinstance(item, dict):
                continue
            if "$ref" in item:
                self.warn(ploc + ["$ref"], "path item $ref is not followed; skipped")
                continue
            for key in item:
                if key in METHODS or key in ("parameters", "summary", "description"):
                    continue
                if str(key).startswith("x-"):
                    self.warn(ploc + [key], f"vendor extension {key} is not carried over")
                else:
                    self.warn(ploc + [key], f"{key} on a path cannot be mapped; ignored")
            for method in METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                oloc = ploc + [method]
                security = op.get("security", self.doc.get("security"))
                sec_loc = oloc + ["security"] if "security" in op else ["security"]
                reqs = []
                for i, req in enumerate(self.sequence(security, sec_loc)):
                    if isinstance(req, dict):
                        reqs.append((req, sec_loc + [i]))
                ops.append({"method": method, "path": str(path), "op": op, "loc": oloc,
                            "item": item, "ploc": ploc, "security": reqs,
                            "has_security": security is not None})
        return ops

    def select(self, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not self.only:
            return ops
        wanted = set(self.only)
        hit: set[str] = set()
        chosen = []
        for o in ops:
            op = o["op"]
            keys = {str(op.get("operationId", "")), o["name"], *o["aliases"],
                    *(str(t) for t in op.get("tags") or [] if isinstance(op.get("tags"), list))}
            match = wanted & keys
            if match:
                hit |= match
                chosen.append(o)
        missing = sorted(wanted - hit)
        if missing:
            raise SpecError.at(self.file, None, f"--only {', '.join(missing)}: no operation "
                                                f"has that operationId, name or tag")
        return chosen

    def name_operations(self, ops: list[dict[str, Any]]) -> None:
        taken: set[str] = set()
        for o in ops:
            op = o["op"]
            op_id = op.get("operationId")
            ext = op.get(EXTENSION) if isinstance(op.get(EXTENSION), dict) else {}
            if isinstance(op_id, str) and op_id.strip():
                name = snake_name(op_id)
                sdk = snake_name(op_id)
            else:
                name = snake_name(f"{o['method']}_{o['path']}")
                sdk = snake_name(f"{o['path']}_{o['method']}")
            base, n = name, 1
            while name in taken:
                n += 1
                name = f"{base}_{n}"
            if name != base:
                self.warn(o["loc"] + ["operationId"], f"operation name {base!r} is taken; "
                                                      f"named {name!r}")
            taken.add(name)
            o["name"] = name
            listed = ext.get("aliases")
            candidates = list(listed) if isinstance(listed, list) else []
            if isinstance(op_id, str):
                candidates.append(op_id)
            candidates.append(sdk)
            o["aliases"] = [a for a in dict.fromkeys(str(c) for c in candidates)
                            if _NAME_RE.match(a) and a != name]
        names = {o["name"] for o in ops}
        seen: dict[str, str] = {}
        for o in ops:
            keep = []
            for alias in o["aliases"]:
                if alias in names or alias in seen:
                    other = alias if alias in names else seen[alias]
                    self.warn(o["loc"], f"alias {alias!r} would collide with operation "
                                        f"{other!r}; not kept")
                    continue
                seen[alias] = o["name"]
                keep.append(alias)
            o["aliases"] = keep

    def parameters(self, o: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[Any, list]]]:
        """(specclient parameters, 2.0 body/formData parameters)."""
        merged: dict[tuple[str, str], tuple[Any, list[Any]]] = {}
        for base_loc, source in ((o["ploc"], o["item"]), (o["loc"], o["op"])):
            for i, p in enumerate(self.sequence(source.get("parameters"),
                                                base_loc + ["parameters"])):
                p, loc = self.deref(p, base_loc + ["parameters", i])
                if not isinstance(p, dict):
                    continue
                if "name" not in p or "in" not in p:
                    self.warn(loc, "a parameter without name or in; skipped")
                    continue
                merged[(str(p["name"]), str(p["in"]))] = (p, loc)
        params: dict[str, Any] = {}
        body_params: list[tuple[Any, list]] = []
        py_seen: dict[str, str] = {}
        for (name, where), (p, loc) in merged.items():
            if where in ("body", "formData") and self.version == 2:
                body_params.append((p, loc))
                continue
            if where not in ("path", "query", "header"):
                self.warn(loc + ["in"], f"{where} parameter {name!r} cannot be mapped "
                                        f"(path, query and header can); skipped")
                continue
            if where == "header" and name.lower() in ("accept", "content-type",
                                                      "authorization"):
                self.warn(loc, f"header parameter {name!r} is ignored (OpenAPI says so: the "
                               f"content type and auth set it)")
                continue
            if name in params:
                self.warn(loc, f"parameter {name!r} appears in two places; the {where} one "
                               f"is skipped")
                continue
            params[name] = self.parameter(p, loc, name, where)
            py = params[name].get("x_py") or python_name(name)
            params[name].pop("x_py", None)
            if py in RESERVED_ARGS or py in py_seen:
                alt = f"{py}_{where}"
                n = 1
                while alt in py_seen or alt in RESERVED_ARGS:
                    n += 1
                    alt = f"{py}_{where}_{n}"
                params[name]["python_name"] = alt
                py = alt
            py_seen[py] = name
        in_path = _PATH_PARAM.findall(o["path"])
        for name in list(params):
            if params[name]["in"] == "path" and name not in in_path:
                self.warn(o["loc"], f"path parameter {name!r} does not appear in the path; "
                                    f"dropped")
                del params[name]
        for name in in_path:
            if name not in params or params[name]["in"] != "path":
                if name in params:
                    del params[name]
                self.warn(o["loc"], f"path parameter {{{name}}} is not declared; declared as "
                                    f"a required string")
                params[name] = {"in": "path", "required": True, "schema": {"type": "string"}}
        return params, body_params

    def parameter(self, p: dict[str, Any], loc: list[Any], name: str,
                  where: str) -> dict[str, Any]:
        out: dict[str, Any] = {"in": where}
        required = bool(p.get("required", False)) or where == "path"
        if where == "path" and p.get("required") is not True:
            self.warn(loc, f"path parameter {name!r} must be required; made required")
        if required:
            out["required"] = True
        if isinstance(p.get("description"), str) and p["description"].strip():
            out["description"] = p["description"]
        if p.get("deprecated") is True:
            out["deprecated"] = True
        ext = p.get(EXTENSION) if isinstance(p.get(EXTENSION), dict) else {}
        if self.version == 2:
            schema_src = {k: v for k, v in p.items()
                          if k not in ("name", "in", "description", "required",
                                       "collectionFormat", "allowEmptyValue")
                          and not str(k).startswith("x-")}
            schema = self.top_schema(schema_src, loc, None)
            fmt = p.get("collectionFormat")
            if fmt not in (None, "multi") and p.get("type") == "array":
                if not (fmt == "csv" and where in ("path", "header")):
                    self.warn(loc + ["collectionFormat"], f"collectionFormat {fmt!r} is not "
                                                          f"supported: lists are sent as "
                                                          f"repeated keys (query) or "
                                                          f"comma-separated (path, header)")
        else:
            if "schema" in p:
                schema = self.top_schema(p["schema"], loc + ["schema"], None)
            elif isinstance(p.get("content"), dict) and p["content"]:
                ct = next(iter(p["content"]))
                media = self.mapping(p["content"][ct], loc + ["content", ct])
                schema = self.top_schema(media.get("schema", {}), loc + ["content", ct, "schema"],
                                     None)
                self.warn(loc + ["content"], f"parameter serialised as {ct} is sent as "
                                             f"plain text")
            else:
                schema = {"type": "string"}
            style, explode = p.get("style"), p.get("explode")
            default_style = {"query": "form", "path": "simple", "header": "simple"}[where]
            if (style not in (None, default_style)
                    or (explode is False and where == "query")
                    or (explode is True and where != "query")):
                self.warn(loc, f"style {style or default_style!r} (explode {explode}) is not "
                               f"supported: lists are sent as repeated keys (query) or "
                               f"comma-separated (path, header)")
            if p.get("allowReserved"):
                self.warn(loc + ["allowReserved"], "allowReserved is not supported; values "
                                                   "are percent-encoded")
        for key in p:
            if str(key).startswith("x-") and key != EXTENSION:
                self.warn(loc + [key], f"vendor extension {key} is not carried over")
        out["schema"] = schema
        self._example_loc = []
        example = self.example_of(p, loc)
        ex_loc = self._example_loc
        if example is _NONE and isinstance(schema, dict) and "example" in schema:
            example = copy.deepcopy(schema["example"])
            ex_loc = loc + (["example"] if self.version == 2 else ["schema", "example"])
        if example is not _NONE:
            out["example"] = example
            out["x_loc"] = ex_loc
        if isinstance(ext.get("python_name"), str) and _NAME_RE.match(ext["python_name"]):
            out["python_name"] = ext["python_name"]
            out["x_py"] = ext["python_name"]
        if "default" in ext:
            out["default"] = plain(ext["default"])
        return out

    def _literal(self, value: Any, loc: list[Any]) -> Any:
        """An example value as plain data; _NONE (dropped, warned) when it holds a ``$ref``
        key, which the loader would take for a reference."""
        if _has_ref_key(value):
            self.warn(loc, "the example holds a $ref key, which specclient would read as a "
                           "reference; dropped")
            return _NONE
        return plain(value)

    def example_of(self, media: dict[str, Any], loc: list[Any]) -> Any:
        """The example of a parameter or media type: ``example``, else the first of
        ``examples`` (a 2.0 response's ``examples`` is handled by its caller)."""
        if "example" in media:
            self._example_loc = loc + ["example"]
            return self._literal(media["example"], loc + ["example"])
        examples = media.get("examples")
        if isinstance(examples, dict) and examples:
            first = next(iter(examples))
            ex, eloc = self.deref(examples[first], loc + ["examples", first])
            if len(examples) > 1:
                self.warn(loc + ["examples"], f"{len(examples)} examples; only the first "
                                              f"({first!r}) is kept")
            if isinstance(ex, dict) and "value" in ex:
                self._example_loc = eloc + ["value"]
                return self._literal(ex["value"], eloc + ["value"])
            if isinstance(ex, dict) and "externalValue" in ex:
                self.warn(eloc, "externalValue examples are not fetched; dropped")
        return _NONE

    def body(self, o: dict[str, Any], body_params: list[tuple[Any, list]]) -> dict[str, Any] | None:
        op = o["op"]
        if self.version == 2:
            return self._body_v2(o, body_params)
        if "requestBody" not in op:
            return None
        rb, loc = self.deref(op["requestBody"], o["loc"] + ["requestBody"])
        if not isinstance(rb, dict):
            return None
        content = self.mapping(rb.get("content"), loc + ["content"])
        if not isinstance(content, dict) or not content:
            self.warn(loc, "requestBody without content; skipped")
            return None
        ct, mloc, media = self.media(content, loc)
        out: dict[str, Any] = {"content_type": ct}
        out["required"] = rb.get("required") is True
        if isinstance(rb.get("description"), str) and rb["description"].strip():
            out["description"] = rb["description"]
        if "schema" in media:
            out["schema"] = self.top_schema(media["schema"], mloc + ["schema"], None)
        self._non_json_note(ct, mloc)
        if "encoding" in media:
            self.warn(mloc + ["encoding"], "encoding is not carried over")
        example = self.example_of(media, mloc)
        if example is not _NONE:
            out["example"] = example
        return out

    def _non_json_note(self, ct: str, loc: list[Any]) -> None:
        base = ct.split(";")[0].strip().lower()
        if not is_json(ct) and base != "application/x-www-form-urlencoded":
            self.warn(loc, f"{ct} bodies are sent as given: pass bytes or str")

    def _body_v2(self, o: dict[str, Any], params: list[tuple[Any, list]]) -> dict[str, Any] | None:
        op = o["op"]
        consumes = self.media_types(op.get("consumes", self.doc.get("consumes")),
                                    o["loc"] + ["consumes"]) or ["application/json"]
        body = [(p, loc) for p, loc in params if p.get("in") == "body"]
        form = [(p, loc) for p, loc in params if p.get("in") == "formData"]
        if body:
            p, loc = body[0]
            ct = _pick_type({c: None for c in consumes})
            out: dict[str, Any] = {"content_type": ct, "required": p.get("required") is True}
            if isinstance(p.get("description"), str) and p["description"].strip():
                out["description"] = p["description"]
            if "schema" in p:
                out["schema"] = self.top_schema(p["schema"], loc + ["schema"], None)
            ex = p.get("x-example")
            if ex is not None:
                example = self._literal(ex, loc + ["x-example"])
                if example is not _NONE:
                    out["example"] = example
            self._non_json_note(ct, loc)
            if form:
                self.warn(form[0][1], "formData beside a body parameter; skipped")
            return out
        if not form:
            return None
        has_file = any(p.get("type") == "file" for p, _ in form)
        ct = "multipart/form-data" if has_file or ("multipart/form-data" in consumes and
                                                   "application/x-www-form-urlencoded"
                                                   not in consumes) \
            else "application/x-www-form-urlencoded"
        props: dict[str, Any] = {}
        required = []
        for p, loc in form:
            name = str(p["name"])
            sub = {k: v for k, v in p.items() if k not in ("name", "in", "required",
                                                            "collectionFormat",
                                                            "allowEmptyValue")}
            props[name] = self.top_schema(sub, loc, None)
            if p.get("required") is True:
                required.append(name)
        schema: dict[str, Any] = {"type": "object", "properties": props}
        if required:
            schema["required"] = required
        self._non_json_note(ct, form[0][1])
        return {"content_type": ct, "required": bool(required), "schema": schema}

    def responses(self, o: dict[str, Any]) -> dict[str, Any]:
        op = o["op"]
        raw = self.mapping(op.get("responses"), o["loc"] + ["responses"])
        out: dict[str, Any] = {}
        produces = self.media_types(op.get("produces", self.doc.get("produces")),
                                    o["loc"] + ["produces"]) or ["application/json"]
        for status, resp in raw.items():
            rloc = o["loc"] + ["responses", status]
            key = str(status).upper() if str(status).lower() != "default" else "default"
            if str(status).startswith("x-"):
                self.warn(rloc, f"vendor extension {status} is not carried over")
                continue
            if not _STATUS.match(key):
                self.warn(rloc, f"response status {status!r} is not a status code; skipped")
                continue
            resp, loc = self.deref(resp, rloc)
            if not isinstance(resp, dict):
                continue
            r: dict[str, Any] = {}
            if isinstance(resp.get("description"), str) and resp["description"].strip():
                r["description"] = resp["description"]
            if resp.get("headers"):
                self.warn(loc + ["headers"], f"response headers "
                                             f"({', '.join(map(str, resp['headers']))}) are "
                                             f"not carried over")
            if resp.get("links"):
                self.warn(loc + ["links"], "links are not carried over")
            if self.version == 2:
                if "schema" in resp:
                    ct = _pick_type({c: None for c in produces})
                    r["content_type"] = ct
                    r["schema"] = self.top_schema(resp["schema"], loc + ["schema"], None)
                    examples = resp.get("examples")
                    if isinstance(examples, dict) and examples:
                        ex_ct = ct if ct in examples else next(iter(examples))
                        example = self._literal(examples[ex_ct], loc + ["examples", ex_ct])
                        if example is not _NONE:
                            r["example"] = example
                        r["x_loc"] = loc + ["examples", ex_ct]
            else:
                content = self.mapping(resp.get("content"), loc + ["content"])
                if isinstance(content, dict) and content:
                    ct, mloc, media = self.media(content, loc)
                    r["content_type"] = ct
                    if "schema" in media:
                        r["schema"] = self.top_schema(media["schema"], mloc + ["schema"], None)
                    self._example_loc = []
                    example = self.example_of(media, mloc)
                    if example is not _NONE:
                        r["example"] = example
                        r["x_loc"] = self._example_loc or mloc
            for k in resp:
                if str(k).startswith("x-"):
                    self.warn(loc + [k], f"vendor extension {k} is not carried over")
            out[key] = r
        return dict(sorted(out.items(), key=lambda kv: (kv[0] == "default", kv[0])))

    def auth_for(self, o: dict[str, Any], names: dict[str, str],
                 decls: dict[str, Any]) -> list[str] | None:
        """The operation's auth names (None: no security given at all)."""
        if not o["has_security"]:
            return None
        reqs = o["security"]
        if not reqs:
            return []
        chosen = None
        for req, loc in reqs:
            mapped = [names[s] for s in req if s in names]
            if len(mapped) == len(req):
                chosen = (mapped, loc)
                break
        if chosen is None:
            req, loc = reqs[0]
            missing = [s for s in req if s not in names]
            self.warn(loc, f"security scheme(s) {', '.join(map(str, missing))} cannot be "
                           f"mapped or are not declared; this operation gets "
                           f"{'the rest' if len(missing) < len(req) else 'no auth'}")
            chosen = ([names[s] for s in req if s in names], loc)
        if len(reqs) > 1:
            self.warn(chosen[1], f"{len(reqs)} alternative security requirements; using "
                                 f"{' + '.join(chosen[0]) or 'none'} only")
        return chosen[0]

    def operation(self, o: dict[str, Any], auth_names: dict[str, str],
                  decls: dict[str, Any], default_auth: list[str] | None) -> dict[str, Any]:
        op = o["op"]
        out: dict[str, Any] = {"operation": o["name"]}
        if o["aliases"]:
            out["aliases"] = o["aliases"]
        for key in ("summary", "description"):
            if isinstance(op.get(key), str) and op[key].strip():
                out[key] = op[key]
        if isinstance(op.get("tags"), list) and op["tags"]:
            out["tags"] = [str(t) for t in op["tags"]]
        if op.get("deprecated") is True:
            out["deprecated"] = True
        out["method"] = o["method"].upper()
        out["path"] = o["path"] if o["path"].startswith("/") else "/" + o["path"]
        ext = op.get(EXTENSION) if isinstance(op.get(EXTENSION), dict) else {}
        for key in ("idempotent", "timeout", "retries", "signing"):
            if key in ext:
                out[key] = plain(ext[key])
        auth = self.auth_for(o, auth_names, decls)
        if auth is not None:
            value: Any = auth if len(auth) != 1 else auth[0]
            if not auth:
                value = "none"
            if (default_auth or []) != auth:
                out["auth"] = value
        params, body_params = self.parameters(o)
        if params:
            out["parameters"] = params
        op_file = f"operations/{o['name']}.yaml"
        for pname, p in params.items():
            if "example" in p:
                if not self._check_example(p["schema"], p["example"],
                                           p.pop("x_loc", o["loc"]),
                                           f"example of parameter {pname!r}", op_file):
                    del p["example"]
            p.pop("x_loc", None)
        self._example_loc = []
        body = self.body(o, body_params)
        if body is not None and "example" in body and "schema" in body:
            if not self._check_example(body["schema"], body["example"],
                                       self._example_loc or o["loc"], "body example", op_file):
                del body["example"]
        if body is not None:
            if o["method"] in ("get", "head", "delete", "options"):
                self.warn(o["loc"], f"a request body on {o['method'].upper()}: kept, though "
                                    f"many servers ignore it")
            out["body"] = body
        responses = self.responses(o)
        for status, r in responses.items():
            if "example" in r and "schema" in r:
                if not self._check_example(r["schema"], r["example"], r["x_loc"],
                                           f"example of response {status}", op_file):
                    del r["example"]
            r.pop("x_loc", None)
        if responses:
            out["responses"] = responses
        for key in op:
            if key in ("operationId", "summary", "description", "tags", "deprecated",
                       "parameters", "requestBody", "responses", "security", EXTENSION,
                       "consumes", "produces", "schemes"):
                continue
            if str(key).startswith("x-"):
                self.warn(o["loc"] + [key], f"vendor extension {key} is not carried over")
            else:
                self.warn(o["loc"] + [key], f"{key} cannot be mapped; ignored")
        return out

    def _check_example(self, schema: Any, example: Any, loc: list[Any], what: str,
                       op_file: str, widen: bool = True) -> bool:
        """Reconcile a published example with its schema; False: drop the example.

        A published example is the vendor's own sample of real traffic: where it breaks its
        schema only by a scalar's type (``3`` where the schema says string, ``null`` where it
        says string) that schema node's ``type`` is widened to accept it — validation stays as
        strict as the document everywhere else — and a warning names the node. Any other
        mismatch drops the example (warned, with where the original is), so that every
        example the spec keeps matches its schema.
        """

        base = "file:///specclient-import/"
        registry: Registry = Registry().with_resources(
            (base + rel, Resource(contents=data, specification=DRAFT202012))
            for rel, data in self.files.items() if rel.startswith("schemas/"))
        root = {"$id": base + op_file, "allOf": [schema]}
        for _ in range(50):
            validator = jsonschema.Draft202012Validator(root, registry=registry)
            try:
                errors = list(validator.iter_errors(example))
            except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.UnknownType,
                    Unresolvable, RecursionError) as exc:
                self.warn(loc, f"the {what} cannot be checked against its schema "
                               f"({type(exc).__name__}); dropped")
                return False
            if not errors:
                return True
            fixed = False
            for err in errors if widen else []:
                if (err.validator == "type" and isinstance(err.schema, dict)
                        and not isinstance(err.instance, (dict, list))):
                    types = err.schema.get("type")
                    types = [types] if isinstance(types, str) else list(types or [])
                    new = _json_type(err.instance)
                    if new in types or (new == "integer" and "number" in types):
                        continue
                    err.schema["type"] = types + [new]
                    fixed = True
                    where = _instance_path(err.absolute_path)
                    self.warn(loc, f"the {what} has {err.instance!r} at {where}, where the "
                                   f"schema says {' or '.join(types)}; that schema "
                                   f"{self._where(err.schema)} now also accepts {new}")
            if not fixed:
                err = jsonschema.exceptions.best_match(errors)
                where = _instance_path(err.absolute_path)
                msg = err.message if len(err.message) < 120 else err.message[:120] + "..."
                self.warn(loc, f"the {what} does not match its schema at {where} ({msg}); "
                               f"dropped")
                return False
        return False  # pragma: no cover - 50 rounds of widening

    def _meta_repair(self, schema: Any, loc: list[Any]) -> Any:
        """Drop whatever keeps ``schema`` from being a valid JSON Schema 2020-12 (``type:
        strin``, ``enum: 5``), warning at each, so that the loader accepts every schema."""
        meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
        for _ in range(100):
            err = next(iter(meta.iter_errors(schema)), None)
            if err is None:
                return schema
            path = list(err.absolute_path)
            if not path:
                self.warn(loc, f"not a valid JSON Schema ({err.message[:120]}); replaced by "
                               f"an unconstrained schema")
                return {}
            parent = schema
            for part in path[:-1]:
                parent = parent[part]
            msg = err.message if len(err.message) < 120 else err.message[:120] + "..."
            self.warn(loc + path, f"not valid JSON Schema ({msg}); dropped")
            if isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = {}
        return schema  # pragma: no cover

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
                return f"({rel}#{_pointer(found)})"
        return "(in the operation file)"

    # -- the whole document

    def run(self) -> ImportResult:
        for key in self.doc:
            if str(key).startswith("x-") and key != EXTENSION:
                self.warn([key], f"vendor extension {key} is not carried over")
            elif key == "webhooks" and self.doc[key]:
                self.warn([key], "webhooks (requests the API sends) are not imported")
        ops = self.collect()
        self.name_operations(ops)
        ops = self.select(ops)
        service: dict[str, Any] = {"service": self.service}
        info = self.doc.get("info") if isinstance(self.doc.get("info"), dict) else {}
        service["title"] = str(info.get("title") or self.service)
        if isinstance(info.get("description"), str) and info["description"].strip():
            service["description"] = info["description"]
        if info.get("version") is not None:
            service["version"] = str(info["version"])
        else:
            self.warn(["info"], "info.version is missing")
        docs = (self.doc.get("externalDocs") or {}).get("url") \
            if isinstance(self.doc.get("externalDocs"), dict) else None
        if isinstance(docs, str):
            service["docs"] = docs
        envs = self.environments()
        service["environments"] = envs
        service["default_environment"] = next(iter(envs))
        decls, auth_names = self.security_schemes(ops)
        if decls:
            service["auth"] = decls
        root_ext = self.doc.get(EXTENSION) if isinstance(self.doc.get(EXTENSION), dict) else {}
        if isinstance(root_ext.get("signing"), dict) and root_ext["signing"]:
            service["signing"] = plain(root_ext["signing"])
        defaults: dict[str, Any] = {}
        default_auth: list[str] | None = None
        glob = self.doc.get("security")
        if isinstance(glob, list):
            o = {"has_security": True, "security": [(r, ["security", i])
                                                    for i, r in enumerate(glob)
                                                    if isinstance(r, dict)]}
            default_auth = self.auth_for(o, auth_names, decls)
            if default_auth:
                defaults["auth"] = default_auth[0] if len(default_auth) == 1 else default_auth
        for key in ("signing", "timeout", "retries", "headers"):
            if key in (root_ext.get("defaults") or {}):
                defaults[key] = plain(root_ext["defaults"][key])
        if defaults:
            service["defaults"] = defaults
        self.files["service.yaml"] = service

        # Component schemas first (operation examples are checked against them).
        names = list(self.components)
        for name in names:
            self.files[f"schemas/{self.component_files[name]}.yaml"] = self.top_schema(
                self.components[name], list(self.comp_prefix) + [name], name)
        operations = []
        for o in ops:
            data = self.operation(o, auth_names, decls, default_auth or [])
            self.files[f"operations/{o['name']}.yaml"] = data
            operations.append(o["name"])
        self._check_output_refs()
        if self.only:  # keep only the schemas the chosen operations reach
            reach = self._reachable()
            for name in names:
                if name not in reach:
                    del self.files[f"schemas/{self.component_files[name]}.yaml"]
        self.warnings.sort(key=lambda w: (w.line is None, w.line or 0))  # stable: by line
        return ImportResult(self.service, self.files, self.warnings, operations)

    def _check_output_refs(self) -> None:
        """Safety net over the written files: a ``$ref`` whose target is missing, or a chain
        of pure references that never reaches a schema, is replaced by ``{}`` (warned), so
        that the loader never meets either."""
        def target(rel: str, ref: str) -> tuple[str, str]:
            path, _, frag = ref.partition("#")
            if not path:
                return rel, frag
            return "schemas/" + path.rsplit("/", 1)[-1], frag

        def lookup(rel: str, frag: str) -> Any:
            node = self.files.get(rel)
            for token in _unpointer(frag):
                if isinstance(node, dict) and token in node:
                    node = node[token]
                elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                    node = node[int(token)]
                else:
                    return None
            return node

        def fix(rel: str, node: Any, where: list[Any]) -> None:
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    seen = []
                    cur_rel, cur = rel, node
                    while isinstance(cur, dict) and isinstance(cur.get("$ref"), str):
                        key = target(cur_rel, cur["$ref"])
                        if key in seen:
                            cur = None
                            break
                        seen.append(key)
                        nxt = lookup(*key)
                        if nxt is None:
                            cur = None
                            break
                        cur_rel, cur = key[0], nxt
                        if not isinstance(cur, dict) or set(cur) != {"$ref"}:
                            break
                    if cur is None:
                        self.warnings.append(ImportWarning(
                            self.file, "", None,
                            f"{rel}#{_pointer(where)}: $ref {ref!r} leads nowhere (missing "
                            f"or circular); replaced by an unconstrained schema"))
                        node.clear()
                        return
                for k, v in node.items():
                    fix(rel, v, where + [k])
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    fix(rel, v, where + [i])

        for rel in sorted(self.files):
            if rel != "service.yaml":
                fix(rel, self.files[rel], [])

    def _reachable(self) -> set[str]:
        by_stem = {f"{s}.yaml": n for n, s in self.component_files.items()}
        seen: set[str] = set()
        todo = [v for k, v in self.files.items() if k.startswith("operations/")]
        while todo:
            node = todo.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    name = by_stem.get(ref.split("#")[0].rsplit("/", 1)[-1])
                    if name is not None and name not in seen:
                        seen.add(name)
                        todo.append(self.files[f"schemas/{self.component_files[name]}.yaml"])
                todo.extend(node.values())
            elif isinstance(node, list):
                todo.extend(node)
        return seen


class _NoneType:
    def __repr__(self) -> str:
        return "<no example>"


_NONE: Any = _NoneType()


_STRUCTURAL = frozenset(_SCHEMA_MAPS + _SCHEMA_LISTS + _SCHEMA_ONE + ("$ref",))


def _has_ref_key(value: Any) -> bool:
    if isinstance(value, dict):
        return "$ref" in value or any(_has_ref_key(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_ref_key(v) for v in value)
    return False


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _instance_path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out.lstrip(".") or "(top level)"


def _pick_type(content: dict[str, Any]) -> str:
    """The media type to import: JSON first, then form, then the first listed."""
    types = [str(c) for c in content]
    for ct in types:
        if is_json(ct):
            return ct
    for ct in types:
        if ct.lower().startswith("application/x-www-form-urlencoded"):
            return ct
    for ct in types:
        if "*" not in ct:
            return ct
    return "application/octet-stream"


def import_openapi(source: str | os.PathLike[str] | dict[str, Any], service: str,
                   only: Iterable[str] = (), file: str | None = None) -> ImportResult:
    """Convert an OpenAPI 3.0 / 3.1 or Swagger 2.0 document into a service folder (in memory).

    ``source`` is a path (YAML or JSON) or an already-loaded document (see
    :func:`load_document`; ``file`` then names it in warnings); ``service`` the folder and
    service name; ``only`` limits the import to operations whose operationId, generated
    name or tag is listed. Raises :class:`SpecError` when the document is not OpenAPI at all
    or a ``--only`` value matches nothing; everything else is an :class:`ImportWarning`.
    """
    if not _NAME_RE.match(service):
        raise SpecError.at(file or str(service), None,
                           f"service name {service!r} must be a valid name "
                           f"(letters, digits, _; not starting with a digit)")
    if isinstance(source, dict):
        doc, name = source, file or "<document>"
    else:
        doc, name = load_document(source), file or os.fspath(source)
    return _Importer(doc, name, service, list(only)).run()
