"""What every part of the importer shares: names, JSON pointers, the source document,
the keyword tables and small value helpers."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import jsonschema
from referencing.exceptions import Unresolvable

from ..errors import SpecError
from ..model import is_json
from ..schema.keywords import OPENAPI_ANNOTATIONS, SUBSCHEMA, SUBSCHEMA_LISTS, SUBSCHEMA_MAPS
from ..spec.yamlio import loads_yaml

__all__ = [
    "EXTENSION",
    "METHODS",
    "NAME_RE",
    "PATH_PARAM",
    "WORD",
    "STATUS",
    "KNOWN_FORMATS",
    "SCHEMA_MAPS",
    "SCHEMA_LISTS",
    "SCHEMA_ONE",
    "ANNOTATIONS",
    "ENV_WORDS",
    "SCHEMA_HINT",
    "snake_name",
    "pointer",
    "unpointer",
    "without_refs",
    "first_error",
    "load_document",
    "NoExample",
    "NO_EXAMPLE",
    "STRUCTURAL",
    "has_ref_key",
    "json_type",
    "instance_path",
    "pick_type",
]

#: The vendor extension specclient itself writes (export) and reads back (import): it carries
#: what OpenAPI cannot say (secret names, signing rules, aliases, retries ...).
EXTENSION = "x-specclient"

METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PATH_PARAM = re.compile(r"\{([^{}/]+)\}")
WORD = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
STATUS = re.compile(r"^([1-5][0-9][0-9]|[1-5]XX|default)$")

#: ``format`` values JSON Schema 2020-12 and OpenAPI define (anything else is warned about).
KNOWN_FORMATS = frozenset({
    "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template",
    "json-pointer", "relative-json-pointer", "regex",
    "int32", "int64", "float", "double", "byte", "binary", "password",
})
SCHEMA_MAPS = SUBSCHEMA_MAPS
SCHEMA_LISTS = SUBSCHEMA_LISTS
SCHEMA_ONE = SUBSCHEMA
ANNOTATIONS = OPENAPI_ANNOTATIONS
ENV_WORDS = [("sandbox", "sandbox"), ("staging", "staging"), ("stage", "staging"),
              ("test", "test"), ("qa", "test"), ("dev", "development"),
              ("production", "production"), ("prod", "production"), ("live", "production")]
SCHEMA_HINT = "yaml-language-server: $schema=https://json-schema.org/draft/2020-12/schema"


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


def pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def unpointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    tokens = pointer.lstrip("/").split("/")
    return [unquote(t).replace("~1", "/").replace("~0", "~") for t in tokens]


def without_refs(node: Any) -> Any:
    """A copy of a schema with every ``$ref`` accepting anything (for local checks)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return {}
        return {k: without_refs(v) for k, v in node.items()
                if k not in ("default", "example", "examples")}
    if isinstance(node, list):
        return [without_refs(v) for v in node]
    return node


def first_error(schema: Any, value: Any) -> str | None:
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
    return parse_document(raw, path)


def parse_document(raw: bytes, path: str) -> Any:
    """An OpenAPI / Swagger document's bytes (YAML or JSON) read with line numbers; ``path``
    names it in errors (a file, or the URL it came from)."""
    try:
        return loads_yaml(raw, path)
    except SpecError as yaml_error:
        try:  # JSON that YAML 1.1 cannot parse (tabs, some escapes): no lines, but fine
            return json.loads(raw)
        except ValueError:
            raise yaml_error from None  # the YAML error names the line


class NoExample:
    def __repr__(self) -> str:
        return "<no example>"


NO_EXAMPLE: Any = NoExample()


STRUCTURAL = frozenset(SCHEMA_MAPS + SCHEMA_LISTS + SCHEMA_ONE + ("$ref",))


def has_ref_key(value: Any) -> bool:
    if isinstance(value, dict):
        return "$ref" in value or any(has_ref_key(v) for v in value.values())
    if isinstance(value, list):
        return any(has_ref_key(v) for v in value)
    return False


def json_type(value: Any) -> str:
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


def instance_path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out.lstrip(".") or "(top level)"


def pick_type(content: dict[str, Any]) -> str:
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


