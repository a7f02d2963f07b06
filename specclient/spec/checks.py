"""Checking spec files: a file against the spec format's JSON Schema (cached and compiled,
with errors that name the file, line and key, and suggestions for misspelt keys), and a
schema written in a spec against JSON Schema itself."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import SpecProblem
from ..schema.keywords import (
    COUNTS,
    NUMBER_BOUNDS,
    SUBSCHEMA,
    SUBSCHEMA_LISTS,
    SUBSCHEMA_MAPS,
    TYPES,
)
from ..schema.regex import UnsafePattern, compile_pattern
from ..schema.validation import SchemaValidator
from .format_schema import part_schema
from .lines import SharedSchema
from .yamlio import line_at_path, line_of

if TYPE_CHECKING:  # pragma: no cover
    import jsonschema

__all__ = ["check_format", "check_schema", "format_digest", "format_error_paths"]


@cache
def format_digest(kind: str) -> str:
    """A digest of the format schema for ``kind`` (it changes with registered auth and signer
    types), so that a cached "this file passed" is only trusted for the same format."""

    text = json.dumps(part_schema(kind), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@cache
def _format_checker(kind: str) -> SchemaValidator:
    """The format schema for ``kind``, compiled once: the fast check of a passing file."""
    return SchemaValidator(part_schema(kind))


@cache
def _format_validator(kind: str) -> jsonschema.protocols.Validator:
    import jsonschema  # imported only to explain a file that breaks the format

    schema = part_schema(kind)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def check_format(data: Any, kind: str, file: str) -> list[SpecProblem]:
    """Every way ``data`` breaks the spec format's JSON Schema, each with its line."""
    if not isinstance(data, dict):
        return [SpecProblem(file, line_of(data) or 1,
                            f"expected a mapping at the top of the {kind} file")]
    if _format_checker(kind).is_valid(data):
        return []  # compiled check (schemacheck): no jsonschema import for a good file
    problems = []
    for err in _format_validator(kind).iter_errors(data):
        problems.extend(_explain(err, data, file))
    problems.sort(key=lambda p: (p.line or 0, p.message))
    return problems


def format_error_paths(data: Any, kind: str) -> list[tuple[Any, ...]]:
    """Where ``data`` breaks the spec format: the path of each error's node (not the top
    level, whose errors are about one key: a missing or an unknown one)."""
    if not isinstance(data, dict):
        return []
    return [tuple(err.absolute_path) for err in _format_validator(kind).iter_errors(data)
            if err.absolute_path]


def _explain(err: jsonschema.ValidationError, root: Any, file: str) -> list[SpecProblem]:
    """Turn a format error into messages a person can act on (the most specific cause)."""
    import jsonschema  # jsonschema only when a schema check needs its explanations (start-up)

    if err.validator in ("oneOf", "anyOf", "allOf") and err.context:
        # Descend to the most specific sub-error (the branch that got furthest).
        # Prefer a branch whose type matched (its error says what is wrong with the value).
        typed = [e for e in err.context if e.validator != "type"] or err.context
        best = jsonschema.exceptions.best_match(typed)
        if best is not None and best.context:
            return _explain(best, root, file)
        if best is not None:
            err = best
    path = list(err.absolute_path)
    where = ".".join(str(p) for p in path) or "(top level)"
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        msgs = []
        for key in extra:
            known = list(err.schema.get("properties", {}))
            near = close_names(str(key), known, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            msgs.append(SpecProblem(file, line_at_path(root, path + [key]),
                                    f"unknown key {key!r} in {where}{hint}"))
        return msgs
    message = err.message
    if len(message) > 200:
        message = message[:200] + "..."
    return [SpecProblem(file, line_at_path(root, path), f"{where}: {message}")]


_TYPES = TYPES
_COUNTS = COUNTS
_NUMBERS = NUMBER_BOUNDS
_SUBSCHEMA = SUBSCHEMA
_SUBSCHEMA_MAPS = SUBSCHEMA_MAPS
_SUBSCHEMA_LISTS = SUBSCHEMA_LISTS


def _structure(schema: Any, path: list[Any], out: list[tuple[list[Any], str]]) -> None:
    """The mistakes that would make a validator crash or silently check nothing, found
    without the (slow, ~70 ms) 2020-12 meta-schema; :func:`check_schema` with ``full=True``
    runs that too."""
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        out.append((path, f"a schema must be a mapping or true/false, not {schema!r}"))
        return
    t = schema.get("type")
    if t is not None:
        names = t if isinstance(t, list) else [t]
        bad = [n for n in names if not isinstance(n, str) or n not in _TYPES]
        if bad or not names:
            out.append((path + ["type"], f"unknown type {bad[0] if bad else t!r} (known: "
                                         f"{', '.join(sorted(_TYPES))})"))
    for key in _COUNTS:
        v = schema.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            out.append((path + [key], f"{key} must be a whole number >= 0, not {v!r}"))
    for key in _NUMBERS:
        v = schema.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            out.append((path + [key], f"{key} must be a number, not {v!r}"))
    req = schema.get("required")
    if req is not None and (not isinstance(req, list)
                            or not all(isinstance(r, str) for r in req)):
        out.append((path + ["required"], "required must be a list of property names"))
    if "enum" in schema and not isinstance(schema["enum"], list):
        out.append((path + ["enum"], "enum must be a list"))
    if "pattern" in schema:
        try:
            compile_pattern(schema["pattern"])
        except UnsafePattern as exc:
            out.append((path + ["pattern"], f"pattern: {exc}"))
    if isinstance(schema.get("patternProperties"), dict):
        for key in schema["patternProperties"]:
            try:
                compile_pattern(key)
            except UnsafePattern as exc:
                out.append((path + ["patternProperties", key], f"patternProperties key: {exc}"))
    for key in _SUBSCHEMA:
        if key in schema:
            _structure(schema[key], path + [key], out)
    for key in _SUBSCHEMA_MAPS:
        if key in schema:
            sub = schema[key]
            if not isinstance(sub, dict):
                out.append((path + [key], f"{key} must be a mapping of schemas"))
                continue
            for name, child in sub.items():
                _structure(child, path + [key, name], out)
    for key in _SUBSCHEMA_LISTS:
        if key in schema:
            sub = schema[key]
            if not isinstance(sub, list) or not sub:
                out.append((path + [key], f"{key} must be a non-empty list of schemas"))
                continue
            for n, child in enumerate(sub):
                _structure(child, path + [key, n], out)


def _unchecked(schema: Any) -> Any:
    """``schema`` without the ``$defs`` the resolver shares that were found sound already."""
    defs = schema.get("$defs") if isinstance(schema, dict) else None
    if not isinstance(defs, dict) or not any(isinstance(b, SharedSchema) and b.checked
                                             for b in defs.values()):
        return schema
    return {**schema, "$defs": {k: b for k, b in defs.items()
                                if not (isinstance(b, SharedSchema) and b.checked)}}


def check_schema(schema: Any, raw: Any, file: str, line: int | None, where: str,
                 full: bool = False) -> list[SpecProblem]:
    """Problems with a (resolved) JSON Schema itself, e.g. ``type: strin``; ``raw`` is the
    unresolved YAML it came from, used to point at the exact line (or at the ``$ref`` line).

    Loading runs the quick structural check; ``full=True`` (``specclient lint``) also checks
    the schema as written (``raw``, its references unresolved: each schema they lead to is
    checked once on its own, see :func:`specclient.spec.refs.ref_targets`) against the JSON
    Schema meta-schema."""
    found: list[tuple[list[Any], str]] = []
    try:
        _structure(_unchecked(schema), [], found)
        if not found and isinstance(schema, dict):
            for body in (schema.get("$defs") or {}).values():
                if isinstance(body, SharedSchema):
                    body.checked = True  # sound: the next schema sharing it skips it
    except RecursionError:
        found.append(([], "nested too deeply"))
    if full and not found and not isinstance(schema, bool):
        import jsonschema  # lint only: the meta-schema check is slow

        written = raw if isinstance(raw, (dict, bool)) else schema
        cls = jsonschema.validators.validator_for(written,
                                                  default=jsonschema.Draft202012Validator)
        for err in cls(cls.META_SCHEMA).iter_errors(written):
            message = err.message if len(err.message) <= 200 else err.message[:200] + "..."
            found.append((list(err.absolute_path), message))
    problems = []
    for path, message in found:
        inside = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        problems.append(SpecProblem(file, line_at_path(raw, path) or line,
                                    f"{where}{inside}: not a valid JSON Schema: {message}"))
    return problems


def close_names(word: str, candidates: list[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The candidates close to a misspelt ``word`` (for "did you mean ...?")."""
    import difflib  # only when a name is wrong: a call that works never loads it (start-up)

    return difflib.get_close_matches(word, candidates, n=n, cutoff=cutoff)
