"""Schemas: OpenAPI / Swagger schema objects to JSON Schema 2020-12 (nullable, boolean
exclusive bounds, ``type: file``), defaults, ``required`` repairs, and examples checked
against their schema."""

from __future__ import annotations

from typing import Any

import jsonschema
from referencing import Registry, Resource  # jsonschema's own dependency
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from ..schema.regex import UnsafePattern, compile_pattern
from .common import (
    ANNOTATIONS,
    EXTENSION,
    KNOWN_FORMATS,
    NO_EXAMPLE,
    SCHEMA_LISTS,
    SCHEMA_MAPS,
    SCHEMA_ONE,
    STRUCTURAL,
    first_error,
    has_ref_key,
    instance_path,
    json_type,
    without_refs,
)
from .reader import Reader
from .yamlout import plain


class SchemaPart(Reader):
    """Schema conversion and example checks."""

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
                elif self.version != 31 and key not in ANNOTATIONS:
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
            if key == "pattern" and isinstance(value, str):
                try:
                    compile_pattern(value)
                except UnsafePattern as exc:
                    self.warn(kloc, f"pattern dropped: {exc}")
                    continue
            if key == "discriminator":
                if isinstance(value, dict) and "mapping" in value:
                    self.warn(kloc + ["mapping"], "discriminator mapping is not carried over "
                                                  "(oneOf/anyOf validates on its own)")
                    value = {k: v for k, v in value.items() if k != "mapping"}
                out[key] = plain(value)
                continue
            out[key] = self.schema_value(key, value, kloc, here)
        if "discriminator" in out and isinstance(out.get("oneOf"), list) and "anyOf" not in out:
            # The discriminator, not "exactly one", picks the branch: branches that overlap
            # (DigitalOcean's droplet_action_snapshot extends droplet_action) would otherwise
            # accept nothing at all.
            out["anyOf"] = out.pop("oneOf")
            self.warn(loc + ["oneOf"], "oneOf with a discriminator imported as anyOf (the "
                                       "discriminator picks the branch; overlapping branches "
                                       "would otherwise match nothing)")
        self._repair_required(out, node, loc)
        for key in [k for k in out if k not in STRUCTURAL]:
            if has_ref_key(out[key]):
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
                if key in SCHEMA_MAPS and isinstance(value, dict):
                    for k, v in value.items():
                        self._check_defaults(v, loc + [key, k])
                elif key in SCHEMA_LISTS + ("items",) and isinstance(value, list):
                    for i, v in enumerate(value):
                        self._check_defaults(v, loc + [key, i])
                elif key in SCHEMA_ONE:
                    self._check_defaults(value, loc + [key])

    def schema_value(self, key: str, value: Any, loc: list[Any], here: str | None) -> Any:
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k == "$ref":  # specclient's resolver would read it as a reference
                    self.warn(loc + [k], f"a {key} entry named $ref cannot be kept; dropped")
                    continue
                out[k] = self.schema(v, loc + [k], here)
            return out
        if key in SCHEMA_LISTS and isinstance(value, list):
            return [self.schema(v, loc + [i], here) for i, v in enumerate(value)]
        if key in SCHEMA_ONE and isinstance(value, (dict, bool)):
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
        problem = first_error(without_refs(out), out["default"])
        if problem is not None:
            self.warn(loc + ["default"], f"default {out['default']!r} does not match its "
                                         f"schema ({problem}); dropped")
            del out["default"]

    # -- service

    def _literal(self, value: Any, loc: list[Any]) -> Any:
        """An example value as plain data; NO_EXAMPLE (dropped, warned) when it holds a ``$ref``
        key, which the loader would take for a reference."""
        if has_ref_key(value):
            self.warn(loc, "the example holds a $ref key, which specclient would read as a "
                           "reference; dropped")
            return NO_EXAMPLE
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
        return NO_EXAMPLE

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
                    new = json_type(err.instance)
                    if new in types or (new == "integer" and "number" in types):
                        continue
                    err.schema["type"] = types + [new]
                    fixed = True
                    where = instance_path(err.absolute_path)
                    self.warn(loc, f"the {what} has {err.instance!r} at {where}, where the "
                                   f"schema says {' or '.join(types)}; that schema "
                                   f"{self._where(err.schema)} now also accepts {new}")
            if not fixed:
                err = jsonschema.exceptions.best_match(errors)
                where = instance_path(err.absolute_path)
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

