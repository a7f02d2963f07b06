"""A small, deterministic generator: JSON Schema -> one example value that satisfies it.

The built-in mock answers with an operation's declared example; when a response declares only a
schema, this makes one up. The same schema always gives the same value.

How: a first pass builds the value straight from the schema, without validating anything; the
value is then validated once against the schema (jsonschema, the schema's draft — 2020-12 by
default —, its format checker, patterns run by RE2, local ``#/...`` references resolved in
``root`` and never fetched from elsewhere, OpenAPI 3.0's ``nullable: true`` read as allowing
null). Only when that fails is a second, careful pass made: each choice (a ``oneOf`` / ``anyOf``
branch, an ``if`` taken or not, an ``enum`` member, a declared example, an object with or
without its optional properties, an array shorter or longer, the next number or string) is
validated where it is made and the first that validates is kept, within a fixed effort
(:data:`TRIES` candidates of a kind at one place, :data:`BUDGET` validations in all). When
nothing validates, the first pass's value is returned — None for a schema no value satisfies,
such as ``enum: []``. A strange schema never makes this raise.

The first pass honours: ``example`` / ``default`` / ``examples`` when they fit (type, bounds,
lengths, ``pattern``, ``enum``, ``required``; a deeper misfit is caught by validation),
``const``, ``enum`` (the first member that fits the other keywords), local ``$ref`` and
``allOf`` (merged: types intersected, the strictest bounds, properties and ``required``
united), ``oneOf`` / ``anyOf`` (the first branch; a branch allowing only null comes last),
OpenAPI's ``discriminator`` (the object carries ``propertyName`` set to the branch's
``mapping`` key, else the name its ``$ref`` ends with), ``if`` / ``then`` (tried first) /
``else``, ``not`` when it forbids types, values (``const`` / ``enum``), a set of ``required``
names or one bound of a type (``not: {type: number, minimum: 5}`` reads as ``< 5``; with two
bounds, the numbers between are tried last), ``type`` and type lists (not null when
something else is allowed), ``nullable``, ``properties`` (all of them down to
:data:`FULL_DEPTH`, then only the ``required`` ones; a recursive schema stops at
:data:`MAX_DEPTH`), ``additionalProperties`` (``false``: never an undeclared name),
``patternProperties``, ``propertyNames``, ``minProperties`` / ``maxProperties``,
``dependentRequired``, ``dependentSchemas`` of required names, ``items`` / ``prefixItems`` /
``minItems`` / ``maxItems`` / ``uniqueItems`` (distinct items: the next string, number, enum
member, object) / ``contains`` / ``minContains`` / ``maxContains``, ``minLength`` /
``maxLength``, ``pattern`` (a matching string is written from the regex:
:func:`text_matching`), string ``format`` (date-time, date, time, duration, uuid, email, uri,
uri-reference, uri-template, hostname, ipv4, ipv6, byte, json-pointer, regex...; longer or
shorter forms for length bounds), ``minimum`` / ``maximum`` / ``exclusive*`` (OpenAPI 3.0's
boolean form too) / ``multipleOf`` (float steps checked the way jsonschema divides), the
``int32`` / ``int64`` ranges, and ``readOnly`` / ``writeOnly`` (``direction``; a required
property always stays).

Not honoured, or only as far as the careful pass finds a value by trying: other ``not``
schemas, ``oneOf`` branches that overlap (a value only one of them accepts is looked for),
several ``pattern`` keywords at once (one is written, the others checked; two are also
tried end to end), a ``format`` together with a ``pattern`` its examples do not match,
``unevaluatedProperties: false`` (read as "declared names only"), ``unevaluatedItems``,
``$dynamicRef``, ``$id``-relative and external references, ``dependentSchemas`` of optional
names (such names are left out), ``contentSchema``. A pattern the regex parser cannot walk
(lookaround, ``\\p{...}``) is tried against a few plain strings.
"""

from __future__ import annotations

import base64
import logging
import math
import warnings
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from .flatten import deref
from .regex import UnsafePattern, compile_pattern, linear_validator
from .regex_example import text_matching

__all__ = ["example_for"]

log = logging.getLogger("specclient")

#: Below this nesting depth every declared property is filled in; deeper, only required ones.
FULL_DEPTH = 6
#: Past this depth a recursive schema stops (its optional parts are left out).
MAX_DEPTH = 24
#: Candidates of one kind (one type, say) tried at one place of the value in the careful
#: pass; four times as many in all.
TRIES = 12
#: Validations the careful pass may spend; past it, candidates are taken as they come.
BUDGET = 3000
#: Schema positions one pass may visit (a bound on the work a pathological schema causes).
STEPS = 100_000

_NONE: Any = object()  # no value satisfies the schema at this place
_MAP = (dict, Mapping)  # dict first: isinstance stops there for the usual case

_RANK = {"object": 0, "array": 1, "string": 2, "integer": 3, "number": 4, "boolean": 5,
         "null": 6}
_UNTYPED = ("null", "string", "integer", "boolean", "object", "array")
_OBJECT_KEYS = frozenset({"properties", "required", "additionalProperties", "patternProperties",
                          "minProperties", "maxProperties", "propertyNames",
                          "dependentRequired"})
_ARRAY_KEYS = frozenset({"items", "prefixItems", "minItems", "maxItems", "contains",
                         "uniqueItems"})
_STRING_KEYS = frozenset({"format", "minLength", "maxLength", "pattern"})
_NUMBER_KEYS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                          "multipleOf"})
_NOT_ANNOTATIONS = frozenset({"title", "description", "$comment", "example", "examples"})
#: Keywords that bring other schemas in (or a choice) at the same place.
_COMPOSED = frozenset({"$ref", "allOf", "oneOf", "anyOf", "if", "dependentSchemas"})
#: The keywords :class:`_Merged` reads off each node.
_DERIVED = frozenset({"type", "required", "enum", "example", "format", "default", "examples",
                      "const", "pattern", "not", "multipleOf", "minimum", "maximum",
                      "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
                      "minItems", "maxItems", "minProperties", "maxProperties"})
_NO_TYPES: frozenset[str] = frozenset()
_INT_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _tail(k: int) -> str:
    return str(k) if k else ""


#: format -> its k-th example (0: the one shown by default).
_FORMATS: dict[str, Callable[[int], str]] = {
    "date-time": lambda k: f"2024-01-{k % 28 + 1:02d}T00:00:{k // 28 % 60:02d}Z",
    "date": lambda k: f"{2024 + k // 336}-{k // 28 % 12 + 1:02d}-{k % 28 + 1:02d}",
    "time": lambda k: f"00:{k // 60 % 60:02d}:{k % 60:02d}Z",
    "duration": lambda k: f"P{k + 1}D",
    "uuid": lambda k: f"00000000-0000-4000-8000-{k:012x}",
    "email": lambda k: f"user{_tail(k)}@example.com",
    "idn-email": lambda k: f"user{_tail(k)}@example.com",
    "uri": lambda k: f"https://example.com/{_tail(k)}",
    "url": lambda k: f"https://example.com/{_tail(k)}",
    "iri": lambda k: f"https://example.com/{_tail(k)}",
    "uri-reference": lambda k: f"/example{_tail(k)}",
    "iri-reference": lambda k: f"/example{_tail(k)}",
    "uri-template": lambda k: f"https://example.com/{_tail(k)}{{id}}",
    "hostname": lambda k: f"example{_tail(k)}.com",
    "idn-hostname": lambda k: f"example{_tail(k)}.com",
    "ipv4": lambda k: f"192.0.2.{k % 254 + 1}" if k < 254 else f"198.51.100.{k % 254 + 1}",
    "ipv6": lambda k: f"2001:db8::{k + 1:x}",
    "byte": lambda k: _b64(f"example{_tail(k)}"),
    "json-pointer": lambda k: f"/example{_tail(k)}",
    "relative-json-pointer": lambda k: str(k),
    "regex": lambda k: f".*{_tail(k)}",
}


def example_for(schema: Any, root: Any = None, *, direction: str | None = None) -> Any:
    """An example value for ``schema`` (deterministic). ``root`` is the document that local
    ``$ref`` pointers point into (default: ``schema`` itself). ``direction="request"`` leaves
    out optional ``readOnly`` properties, ``direction="response"`` optional ``writeOnly``
    ones; None keeps both."""
    if direction not in (None, "request", "response"):
        raise ValueError(f"direction must be 'request', 'response' or None, not {direction!r}")
    doc = schema if root is None else root
    value = _generate(doc, direction, schema, None)
    if value is _NONE:
        value = None
    check = _checker(doc)
    if check is not None and check(value, schema) is False:
        better = _generate(doc, direction, schema, check)
        if better is not _NONE:
            return better
    return value


def _generate(doc: Any, direction: str | None, schema: Any,
              check: Callable[[Any, Any], bool | None] | None) -> Any:
    try:
        return _Gen(doc, direction, check).pick([schema], 0)
    except Exception as exc:  # noqa: BLE001 - an example is never worth a crash
        log.debug("specclient: no example generated (%s: %s)", type(exc).__name__, exc)
        return _NONE


# ---------------------------------------------------------------------- validation

_CLASSES: dict[type, type] = {}


def _validator_class(base: type) -> type:
    made = _CLASSES.get(base)
    if made is None:
        import jsonschema  # only when an example is checked (start-up)

        linear = linear_validator(base)
        plain_type = linear.VALIDATORS["type"]  # type: ignore[attr-defined]

        def type_(validator, types, instance, schema):  # type: ignore[no-untyped-def]
            if instance is None and isinstance(schema, _MAP) \
                    and schema.get("nullable") is True:
                return  # OpenAPI 3.0
            yield from plain_type(validator, types, instance, schema)

        made = _CLASSES[base] = jsonschema.validators.extend(linear, {"type": type_})
    return made


def _checker(doc: Any) -> Callable[[Any, Any], bool | None] | None:
    """``check(value, schema)``: whether ``value`` validates against ``schema`` (a node of
    ``doc``, its references resolved in ``doc``); None when that cannot be told."""
    try:
        import jsonschema  # only when an example is checked (start-up)
    except ImportError:  # pragma: no cover - jsonschema is a dependency
        return None
    if not isinstance(doc, (Mapping, bool)):
        return None
    try:
        base = jsonschema.Draft202012Validator
        if isinstance(doc, _MAP) and "$schema" in doc:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                base = jsonschema.validators.validator_for(doc, default=base)
        from referencing import Registry  # jsonschema's own dependency

        cls = _validator_class(base)
        # an explicit registry: a reference that leaves the document is never fetched
        validator = cls(doc, format_checker=cls.FORMAT_CHECKER,  # type: ignore[attr-defined]
                        registry=Registry())
    except Exception:  # noqa: BLE001 - not a document jsonschema can hold
        return None

    def check(value: Any, schema: Any) -> bool | None:
        if value is _NONE:
            return False
        if schema is True or schema is False:
            return schema
        try:
            return bool(validator.evolve(schema=schema).is_valid(value))
        except Exception:  # noqa: BLE001 - an external reference, a broken schema
            return None

    return check


# ---------------------------------------------------------------------- small helpers

def _isnum(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _json_type(v: Any) -> str | None:
    if v is None:
        return "null"
    if v is True or v is False:
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "integer" if v.is_integer() else "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, _MAP):
        return "object"
    if isinstance(v, (list, tuple)):
        return "array"
    return None


def _key(v: Any) -> Any:
    """A hashable stand-in for ``v`` with JSON Schema's equality (1 == 1.0, True != 1)."""
    if v is True or v is False:
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", v)
    if isinstance(v, str):
        return ("s", v)
    if v is None:
        return ("z",)
    if isinstance(v, _MAP):
        return ("o", frozenset((k, _key(x)) for k, x in v.items()))
    if isinstance(v, (list, tuple)):
        return ("a", tuple(_key(x) for x in v))
    return ("?", id(v))


def _search(pattern: Any, text: str) -> bool:
    try:
        return compile_pattern(pattern)(text) is not None
    except UnsafePattern:
        return True  # refused where the spec is loaded; not judged here


def _meet(a: set[str], b: set[str]) -> set[str]:
    out = a & b
    if ("integer" in a and "number" in b) or ("number" in a and "integer" in b):
        out.add("integer")
    return out


def _rotate(it: Iterator[Any], k: int) -> Iterator[Any]:
    """``it`` from its ``k``-th element on, then the first ``k`` (the ``k``-th variant)."""
    if k <= 0:
        return it
    head = list(islice(it, k))
    return chain(it, head)


def _null_only(branch: Any) -> bool:
    if not isinstance(branch, _MAP):
        return False
    t = branch.get("type")
    return t == "null" or t == ["null"] or branch.get("enum") == [None] or (
        "const" in branch and branch["const"] is None)


def _discriminator_value(disc: Mapping[str, Any], branch: Any) -> str | None:
    ref = branch.get("$ref") if isinstance(branch, _MAP) else None
    name = ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~") \
        if isinstance(ref, str) else None
    mapping = disc.get("mapping")
    if isinstance(mapping, _MAP):
        for key, target in mapping.items():
            if isinstance(key, str) and target is not None and target in (ref, name):
                return key
    return name


def _in_hole(x: Any, hole: Mapping[str, Any]) -> bool:
    return all(op(x, hole[key]) for key, op in _HOLE_TESTS if key in hole)


_HOLE_TESTS = (("minimum", lambda x, b: x >= b), ("exclusiveMinimum", lambda x, b: x > b),
               ("maximum", lambda x, b: x <= b), ("exclusiveMaximum", lambda x, b: x < b))
_NUMBER_BOUNDS = frozenset({"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"})


def _common_step(steps: tuple[Any, ...]) -> int | float:
    """The least common multiple of ``multipleOf`` values (0.25 and 2.5: 2.5)."""
    if all(isinstance(s, int) for s in steps):
        return math.lcm(*steps)
    try:
        from fractions import Fraction  # only for several float steps (start-up)

        parts = [Fraction(repr(s)) for s in steps]
        lcm = Fraction(math.lcm(*(p.numerator for p in parts)),
                       math.gcd(*(p.denominator for p in parts)))
        return int(lcm) if lcm.denominator == 1 else float(lcm)
    except (ValueError, ZeroDivisionError, OverflowError):
        return max(steps)


def _times(k: int, step: int | float) -> int | float:
    if isinstance(step, int):
        return k * step
    return float(Decimal(k) * Decimal(repr(step)))


# ---------------------------------------------------------------------- one merged place

class _Merged:
    """What every schema in ``parts`` (their ``$ref`` targets and ``allOf`` members followed)
    asks of one value; ``pending`` holds the choices still to make (``oneOf`` / ``anyOf``
    groups, ``if`` nodes) that are not in ``resolved``."""

    __slots__ = ("nodes", "pending", "unsat", "types", "consts", "enums", "examples",
                 "not_types", "not_values", "not_required", "mins", "xmins", "maxs", "xmaxs",
                 "steps", "min_len", "max_len", "patterns", "fmt", "min_items", "max_items",
                 "min_props", "max_props", "required", "shape", "holes", "formats")

    def __init__(self, root: Any, parts: list[Any], resolved: frozenset[int]):
        self.unsat = False
        self.shape: _Shape | None = None  # made when an object is first built here
        if len(parts) == 1 and type(parts[0]) is dict and not (parts[0].keys() & _COMPOSED):
            self.nodes = parts  # the usual leaf: one schema, nothing to follow
            self.pending = []
            self._derive()
            return
        nodes: list[Mapping[str, Any]] = []
        pending: list[tuple[Any, ...]] = []
        seen: set[int] = set()
        dependent = False

        def visit(s: Any) -> None:
            nonlocal dependent
            if s is False:
                self.unsat = True
                return
            if not isinstance(s, _MAP) or id(s) in seen:
                return
            seen.add(id(s))
            nodes.append(s)
            ref = s.get("$ref")
            if isinstance(ref, str):
                visit(deref(root, ref))
            all_of = s.get("allOf")
            if isinstance(all_of, list):
                for sub in all_of:
                    visit(sub)
            for key in ("oneOf", "anyOf"):
                group = s.get(key)
                if isinstance(group, list) and group and id(group) not in resolved:
                    pending.append(("group", group, s))
            if "if" in s and id(s) not in resolved:
                pending.append(("if", s))
            if isinstance(s.get("dependentSchemas"), Mapping):
                dependent = True

        for part in parts:
            visit(part)
        while dependent:  # dependentSchemas of required names apply
            dependent = False
            required = {r for n in nodes for r in (n.get("required") or ()) if isinstance(r, str)}
            for node in list(nodes):
                for name, sub in (node.get("dependentSchemas") or {}).items():
                    if name in required and isinstance(sub, _MAP) and id(sub) not in seen:
                        visit(sub)
                        dependent = True
        self.nodes = nodes
        self.pending = pending
        self._derive()

    def _derive(self) -> None:
        # tuples (the empty one shared) rather than lists: most stay empty, and a pass keeps
        # thousands of these, which the garbage collector would otherwise walk again and again
        types: set[str] | None = None
        consts: tuple[Any, ...] = ()
        enums: tuple[list[Any], ...] | None = None
        examples: tuple[Any, ...] = ()
        defaults: tuple[Any, ...] = ()
        lists: tuple[Any, ...] = ()
        mins: tuple[Any, ...] = ()
        xmins: tuple[Any, ...] = ()
        maxs: tuple[Any, ...] = ()
        xmaxs: tuple[Any, ...] = ()
        steps: tuple[Any, ...] = ()
        patterns: tuple[str, ...] = ()
        formats: tuple[str, ...] = ()
        required: tuple[str, ...] = ()
        nots: tuple[Any, ...] = ()
        self.not_types: frozenset[str] = _NO_TYPES
        self.not_values: tuple[Any, ...] = ()
        self.not_required: tuple[list[str], ...] = ()
        self.holes: tuple[dict[str, Any], ...] = ()  # not {type: number, minimum: a, maximum: b}
        self.min_len = 0
        self.max_len: int | None = None
        self.fmt: str | None = None
        self.min_items = 0
        self.max_items: int | None = None
        self.min_props = 0
        self.max_props: int | None = None
        for node in self.nodes:
            for key, v in node.items():
                if key not in _DERIVED:
                    continue
                if key == "type":
                    ts = {x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str)}
                    if node.get("nullable") is True:
                        ts.add("null")
                    types = ts if types is None else _meet(types, ts)
                elif key == "required":
                    if isinstance(v, list):
                        required += tuple(r for r in v if isinstance(r, str) and r not in required)
                elif key == "enum":
                    if isinstance(v, list):
                        enums = (v,) if enums is None else enums + (v,)
                elif key == "example":
                    examples += (v,)
                elif key == "format":
                    if isinstance(v, str):
                        if self.fmt is None:
                            self.fmt = v
                        formats += (v,)
                elif key == "default":
                    defaults += (v,)
                elif key == "examples":
                    if isinstance(v, list):
                        lists += tuple(v)
                elif key == "const":
                    consts += (v,)
                elif key == "pattern":
                    if isinstance(v, str):
                        patterns += (v,)
                elif key == "not":
                    nots += (v,)
                elif key == "multipleOf":
                    if _isnum(v) and v > 0:
                        steps += (v,)
                elif key == "minimum":
                    if _isnum(v):
                        mins += (v,)
                elif key == "maximum":
                    if _isnum(v):
                        maxs += (v,)
                elif key in ("exclusiveMinimum", "exclusiveMaximum"):
                    if v is True:  # OpenAPI 3.0's boolean form
                        v = node.get("minimum" if key == "exclusiveMinimum" else "maximum")
                    if not _isnum(v):
                        continue
                    if key == "exclusiveMinimum":
                        xmins += (v,)
                    else:
                        xmaxs += (v,)
                elif not isinstance(v, int) or isinstance(v, bool):
                    continue
                elif key == "minLength":
                    self.min_len = max(self.min_len, v)
                elif key == "maxLength":
                    self.max_len = v if self.max_len is None else min(self.max_len, v)
                elif key == "minItems":
                    self.min_items = max(self.min_items, v)
                elif key == "maxItems":
                    self.max_items = v if self.max_items is None else min(self.max_items, v)
                elif key == "minProperties":
                    self.min_props = max(self.min_props, v)
                elif key == "maxProperties":
                    self.max_props = v if self.max_props is None else min(self.max_props, v)
        self.types = types
        self.consts = consts
        self.enums = enums
        self.examples = examples + defaults + lists
        self.required = required
        self.mins, self.xmins, self.maxs, self.xmaxs = mins, xmins, maxs, xmaxs
        self.steps, self.patterns, self.formats = steps, patterns, formats
        for sub in nots:
            self._not(sub)

    def _not(self, sub: Any) -> None:
        if sub is True or (isinstance(sub, _MAP) and not (set(sub) - _NOT_ANNOTATIONS)):
            self.unsat = True
            return
        if not isinstance(sub, _MAP):
            return
        keys = set(sub) - _NOT_ANNOTATIONS - {"nullable"}
        keys -= {k for k in ("minLength", "minItems", "minProperties") if sub.get(k) == 0}
        t = sub.get("type")
        types = {x for x in (t if isinstance(t, list) else [t]) if isinstance(x, str)}
        if sub.get("nullable") is True and types:
            types.add("null")
        if keys == {"type"}:
            self.not_types |= types
        elif len(keys) == 2 and "type" in keys and (keys - {"type"}) <= _COMPLEMENTS.keys():
            # not {type: T, one bound}: T's other values are refused; the bound is turned over
            (bound,) = keys - {"type"}
            value = sub[bound]
            kind, turned = _COMPLEMENTS[bound]
            if kind in types and _isnum(value):  # (for numbers, "integer" is not enough)
                self.not_types |= types - {kind, "integer"}
                if turned == "maxLength":
                    self.max_len = value - 1 if self.max_len is None \
                        else min(self.max_len, value - 1)
                elif turned == "minLength":
                    self.min_len = max(self.min_len, value + 1)
                elif turned == "minimum":
                    self.mins += (value,)
                elif turned == "maximum":
                    self.maxs += (value,)
                elif turned == "exclusiveMinimum":
                    self.xmins += (value,)
                else:
                    self.xmaxs += (value,)
        elif "type" in keys and keys - {"type"} <= _NUMBER_BOUNDS | {"multipleOf"} \
                and keys & _NUMBER_BOUNDS and types & {"number", "integer"} \
                and all(_isnum(sub[k]) for k in keys - {"type"}):
            # not {type: number, minimum: a, maximum: b}: numbers in the hole come last
            if "number" in types:
                self.not_types |= types - {"number", "integer"}
            self.holes += ({k: sub[k] for k in keys & _NUMBER_BOUNDS},)
        elif keys == {"const"}:
            self.not_values += (sub["const"],)
        elif keys == {"enum"} and isinstance(sub["enum"], list):
            self.not_values += tuple(sub["enum"])
        elif keys == {"required"} and isinstance(sub["required"], list):
            self.not_required += ([r for r in sub["required"] if isinstance(r, str)],)

    # -- checks

    def allowed(self, v: Any) -> bool:
        """What a generated value of an allowed type must still pass: ``not``'s types and
        values."""
        if self.not_types:
            t = _json_type(v)
            if t in self.not_types or (t == "integer" and "number" in self.not_types):
                return False
        return not (self.not_values and any(_key(v) == _key(x) for x in self.not_values))

    def quick(self, v: Any) -> bool:
        """A cheap check of a given value (an example, an enum member, a const) against the
        keywords of this place, not looking inside arrays and objects."""
        t = _json_type(v)
        if t is None:
            return False
        types = self.types
        if types is not None and t not in types and not (t == "integer" and "number" in types):
            return False
        if not self.allowed(v):
            return False
        if self.consts and any(_key(v) != _key(c) for c in self.consts):
            return False
        if self.enums is not None:
            k = _key(v)
            if not all(any(k == _key(x) for x in e) for e in self.enums):
                return False
        if t in ("integer", "number"):
            return self.number_ok(v)
        if t == "string":
            return len(v) >= self.min_len and (self.max_len is None or len(v) <= self.max_len) \
                and all(_search(p, v) for p in self.patterns)
        if t == "array":
            return len(v) >= self.min_items and (self.max_items is None
                                                 or len(v) <= self.max_items)
        if t == "object":
            if any(r not in v for r in self.required) or len(v) < self.min_props or (
                    self.max_props is not None and len(v) > self.max_props):
                return False
            for node in self.nodes:
                if node.get("additionalProperties") is False:
                    props = node.get("properties") or {}
                    pats = node.get("patternProperties") or {}
                    if any(k not in props and not any(_search(p, k) for p in pats) for k in v):
                        return False
        return True

    def number_ok(self, x: Any, integer: bool = False) -> bool:
        """``x`` within the bounds and a multiple of every ``multipleOf``, as jsonschema
        computes it."""
        if integer and isinstance(x, float) and not x.is_integer():
            return False
        try:
            if any(x < v for v in self.mins) or any(x <= v for v in self.xmins) or any(
                    x > v for v in self.maxs) or any(x >= v for v in self.xmaxs):
                return False
            for d in self.steps:
                if isinstance(d, float):
                    try:
                        q = x / d
                        failed = int(q) != q
                    except OverflowError:
                        from fractions import Fraction  # only for huge quotients (start-up)

                        failed = (Fraction(x) / Fraction(d)).denominator != 1
                else:
                    failed = bool(x % d)
                if failed:
                    return False
        except (ValueError, TypeError, ZeroDivisionError, OverflowError):
            return False
        return True

    def type_order(self) -> list[str]:
        if self.types is not None:
            return sorted((t for t in self.types if t in _RANK), key=_RANK.__getitem__)
        keys: set[str] = set()
        for node in self.nodes:
            keys.update(node)
        if keys & _OBJECT_KEYS:
            first = "object"
        elif keys & _ARRAY_KEYS:
            first = "array"
        elif self.fmt in _INT_RANGES:
            first = "integer"
        elif self.fmt in ("float", "double"):
            first = "number"
        elif keys & _STRING_KEYS:
            first = "string"
        elif keys & _NUMBER_KEYS:
            first = "number"
        else:
            return list(_UNTYPED)
        return [first] + [t for t in _UNTYPED if t != first]

    # -- choices

    def options(self, variant: int = 0) -> Iterator[tuple[list[Any], frozenset[int]]]:
        """The ways to settle the first pending choice: (schemas to add, ids settled). The
        ``variant``-th one comes first (so that unique items can differ by their branch)."""
        item = self.pending[0]
        ways: list[list[tuple[list[Any], frozenset[int]]]] = []
        if item[0] == "if":
            node = item[1]
            done = frozenset({id(node)})
            ways = [[([node["if"], node.get("then", True)], done)],
                    [([{"not": node["if"]}, node.get("else", True)], done)]]
        else:
            _, group, owner = item
            done = frozenset({id(group)})
            disc = owner.get("discriminator")
            prop = disc.get("propertyName") if isinstance(disc, _MAP) else None
            for branch in sorted(group, key=_null_only):
                way = []
                if isinstance(prop, str) and isinstance(disc, _MAP):
                    value = _discriminator_value(disc, branch)
                    if value is not None:  # first with the discriminator's value
                        way.append(([branch, {"properties": {prop: {"const": value}},
                                              "required": [prop]}], done))
                way.append(([branch], done))
                ways.append(way)
        start = variant % len(ways)
        for way in ways[start:] + ways[:start]:
            yield from way


class _Shape:
    """What the object keywords of one place say, worked out once for every object built
    there: declared names, closed sets (``additionalProperties: false``), dependencies,
    ``propertyNames``, and which properties go in."""

    __slots__ = ("gen", "m", "nodes", "declared", "closed", "dependent_required",
                 "dependent_schemas", "names", "forbidden", "shapes", "_parts", "_plans")

    def __init__(self, gen: _Gen, m: _Merged):
        self.gen = gen
        self.m = m
        nodes = self.nodes = m.nodes
        declared: dict[str, None] = {}
        closed: list[tuple[Any, Any]] = []
        dependent_required: dict[str, list[str]] = {}
        dependent_schemas: set[str] = set()
        name_schemas: list[Any] = []
        shapes: list[tuple[Any, Any, Any]] = []
        unevaluated = False
        for node in nodes:
            props = node.get("properties")
            pats = node.get("patternProperties")
            extra = node.get("additionalProperties")
            if props is not None or pats is not None or extra is not None:
                shapes.append((props if isinstance(props, _MAP) else {},
                               pats if isinstance(pats, _MAP) else {}, extra))
            if isinstance(props, _MAP):
                declared.update(dict.fromkeys(props))
            if extra is False:
                closed.append((props if isinstance(props, _MAP) else {},
                               pats if isinstance(pats, _MAP) else {}))
            if node.get("unevaluatedProperties") is False:
                unevaluated = True
            dr = node.get("dependentRequired")
            if isinstance(dr, _MAP):
                for name, names in dr.items():
                    if isinstance(names, list):
                        dependent_required.setdefault(name, []).extend(
                            n for n in names if isinstance(n, str))
            ds = node.get("dependentSchemas")
            if isinstance(ds, _MAP):
                dependent_schemas.update(ds)
            if "propertyNames" in node:
                name_schemas.append(node["propertyNames"])
        if unevaluated:
            closed.append((declared, {p: None for node in nodes
                                      for p in (node.get("patternProperties") or {})}))
        self.declared = declared
        self.closed = closed
        self.dependent_required = dependent_required
        self.dependent_schemas = dependent_schemas
        self.shapes = shapes
        self.names = _Merged(gen.root, name_schemas, frozenset()) if name_schemas else None
        required = set(m.required)
        self.forbidden = {group[-1] for group in m.not_required
                          if group and not set(group) <= required}
        self._parts: dict[str, list[Any]] = {}
        self._plans: dict[bool, tuple[list[str], set[str]]] = {}

    def allowed(self, name: str) -> bool:
        for props, pats in self.closed:
            if name not in props and not any(_search(p, name) for p in pats):
                return False
        names = self.names
        return names is None or (names.quick(name) and not names.unsat)

    def optional_ok(self, name: str) -> bool:
        return name not in self.dependent_schemas and name not in self.forbidden \
            and self.allowed(name)

    def parts(self, name: str) -> list[Any]:
        """The schemas the value of property ``name`` must satisfy."""
        made = self._parts.get(name)
        if made is None:
            made = []
            for props, pats, extra in self.shapes:
                hit = name in props
                if hit:
                    made.append(props[name])
                for pattern, sub in pats.items():
                    if _search(pattern, name):
                        made.append(sub)
                        hit = True
                if not hit and extra is not None and extra is not True:
                    made.append(extra)
            made = self._parts[name] = made or [{"type": "string"}]
        return made

    def plan(self, optional: bool) -> tuple[list[str], set[str]]:
        """The names to fill in (declared ones, with the optional ones or not; required ones;
        what they depend on) and those that must be there."""
        made = self._plans.get(optional)
        if made is None:
            required = self.m.required
            required_set = set(required)
            include = [name for name in self.declared if name in required_set or (
                optional and self.optional_ok(name)
                and not self.gen.hidden_by_direction(name, self.nodes))]
            include.extend(name for name in required if name not in self.declared)
            must = set(required)
            i = 0
            while i < len(include):
                for dep in self.dependent_required.get(include[i], ()):
                    if dep not in include:
                        include.append(dep)
                    must.add(dep)
                i += 1
            made = self._plans[optional] = (include, must)
        return made


# ---------------------------------------------------------------------- the generator

class _Gen:
    def __init__(self, root: Any, direction: str | None,
                 check: Callable[[Any, Any], bool | None] | None):
        self.root = root
        self.hidden = {"request": "readOnly", "response": "writeOnly"}.get(direction or "")
        self.check = check
        self.spent = 0
        self.steps = 0
        #: (ids of the parts, choices settled) -> (the parts, what they ask together)
        self.merged: dict[tuple[Any, ...], tuple[list[Any], _Merged]] = {}

    def valid(self, value: Any, parts: list[Any]) -> bool:
        check = self.check
        if check is None or self.spent >= BUDGET:
            return True
        self.spent += 1
        return all(check(value, part) is not False for part in parts)

    def pick(self, parts: list[Any], depth: int, variant: int = 0,
             resolved: frozenset[int] = frozenset(), avoid: set[Any] | None = None) -> Any:
        """A value for the schemas ``parts`` together (the ``variant``-th one, where there are
        several), not one of ``avoid`` (keys made by :func:`_key`); :data:`_NONE` when none was
        found."""
        self.steps += 1
        if depth > MAX_DEPTH or self.steps > STEPS:
            return _NONE
        key = (tuple(map(id, parts)), resolved)
        hit = self.merged.get(key)
        if hit is None:  # the parts are kept with it: their ids stay theirs for this pass
            hit = self.merged[key] = (parts, _Merged(self.root, parts, resolved))
        m = hit[1]
        if m.pending:
            for extra, done in m.options(variant):
                value = self.pick(parts + extra, depth, variant, resolved | done, avoid)
                if value is not _NONE:
                    return value
            return _NONE
        stream = self.candidates(m, depth, variant)
        if avoid:
            stream = (value for value in stream if _key(value) not in avoid)
        if self.check is None:
            return next(stream, _NONE)
        for value in islice(stream, 4 * TRIES):
            if self.valid(value, parts):
                return value
        return _NONE

    def candidates(self, m: _Merged, depth: int, variant: int) -> Iterator[Any]:
        if m.unsat:
            return
        if m.consts:
            if m.quick(m.consts[0]):
                yield m.consts[0]
            return
        # the variant-th of each kind first: objects and arrays pass it on to their parts
        yield from _rotate((e for e in m.examples if m.quick(e)), variant)
        if m.enums is not None:
            yield from _rotate((e for e in m.enums[0] if m.quick(e)), variant)
            return
        order = m.type_order()
        if variant and len(order) > 1:  # the variant-th type first (unique items, oneOf)
            order = order[variant % len(order):] + order[:variant % len(order)]
        for t in order:
            if t == "object":
                made: Iterator[Any] = self.objects(m, depth, variant)
            elif t == "array":
                made = self.arrays(m, depth, variant)
            elif t == "string":
                made = _rotate(_strings(m), variant)
            elif t in ("integer", "number"):
                made = _rotate(_numbers(m, t == "integer"), variant)
            elif t == "boolean":
                made = _rotate(iter((True, False)), variant)
            elif t == "null":
                made = iter((None,))
            else:
                continue
            later = []
            for value in islice(made, TRIES):  # each type has its turn
                if m.allowed(value):
                    if m.holes and _isnum(value) and any(_in_hole(value, h) for h in m.holes):
                        later.append(value)  # a not may refuse it: after the others
                    else:
                        yield value
            yield from later

    # -- objects

    def objects(self, m: _Merged, depth: int, variant: int) -> Iterator[Any]:
        full = depth < FULL_DEPTH
        first = self.object(m, depth, variant, full)
        if first is not _NONE:
            yield first
        required = set(m.required)
        optional = any(name not in required for node in m.nodes
                       for name in (node.get("properties") or ()))
        if optional and depth < MAX_DEPTH:
            second = self.object(m, depth, variant, not full)
            if second is not _NONE and second != first:
                yield second
        if first is not _NONE:  # one property more (unique items, a oneOf told apart)
            third = self.object(m, depth, variant, full, more=1)
            if third is not _NONE and len(third) > len(first):
                yield third
        if first is not _NONE and first:
            for k in range(1, 4):  # other values (a oneOf's branches told apart by them)
                other = self.object(m, depth, variant + k, full)
                if other is not _NONE and other != first:
                    yield other
            must = (m.shape.plan(True)[1] if m.shape is not None else set(m.required))
            for name in [n for n in first if n not in must][:3]:  # one optional one less
                fewer = self.object(m, depth, variant, full, drop=name)
                if fewer is not _NONE:
                    yield fewer

    def hidden_by_direction(self, name: str, nodes: list[Mapping[str, Any]]) -> bool:
        key = self.hidden
        if key is None:
            return False
        for node in nodes:
            props = node.get("properties")
            if isinstance(props, _MAP) and name in props and self.flag(props[name], key):
                return True
        return False

    def flag(self, schema: Any, key: str) -> bool:
        for _ in range(16):
            if not isinstance(schema, _MAP):
                return False
            if schema.get(key) is True:
                return True
            for sub in schema.get("allOf") or ():
                if isinstance(sub, _MAP) and sub.get(key) is True:
                    return True
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return False
            schema = deref(self.root, ref)
        return False

    def object(self, m: _Merged, depth: int, variant: int, full: bool, more: int = 0,
               drop: str | None = None) -> Any:
        shape = m.shape
        if shape is None:
            shape = m.shape = _Shape(self, m)
        include, must = shape.plan(full and depth < MAX_DEPTH)
        required = set(m.required)
        out: dict[str, Any] = {}
        for name in include:
            if name == drop and name not in must:
                continue
            value = self.pick(shape.parts(name), depth + 1, variant)
            if value is _NONE:
                if name in required:
                    return _NONE
                continue  # (a name that needs it goes below)
            out[name] = value
        # at least minProperties; and one property in another variant of an empty object
        want = max(m.min_props, 1 if variant and not out else 0, len(out) + more)
        if len(out) < want:
            self.fill(out, shape, depth, variant, want)
        if m.max_props is not None and len(out) > m.max_props:
            for name in reversed(list(out)):
                if len(out) <= m.max_props:
                    break
                if name not in must:
                    del out[name]
        dependent = shape.dependent_required
        while dependent:  # a name whose dependencies are missing goes too
            missing = [n for n in out if any(d not in out for d in dependent.get(n, ()))]
            if not missing:
                break
            if required.intersection(missing):
                return _NONE
            for name in missing:
                del out[name]
        return out

    def fill(self, out: dict[str, Any], shape: _Shape, depth: int, variant: int,
             want: int) -> None:
        """Add properties until there are ``want``: declared ones left out, then names of
        ``patternProperties``, then made-up names where undeclared ones are allowed."""

        def names() -> Iterator[str]:
            yield from (n for n in shape.declared if shape.optional_ok(n))
            for node in shape.nodes:
                for pattern in node.get("patternProperties") or {}:
                    for k in range(want + 1):
                        text = text_matching(pattern, 0, None, k) \
                            if isinstance(pattern, str) else None
                        if text is not None:
                            yield text
            if shape.names is not None:
                for k in range(want + TRIES):
                    text = self.pick([*shape.names.nodes, {"type": "string"}], depth + 1, k)
                    if isinstance(text, str):
                        yield text
            else:
                for k in range(max(1, variant), want + TRIES + variant):
                    yield f"property{k}"

        for name in names():
            if len(out) >= want:
                return
            if name in out or not shape.allowed(name):
                continue
            value = self.pick(shape.parts(name), depth + 1, variant)
            if value is not _NONE:
                out[name] = value

    # -- arrays

    def arrays(self, m: _Merged, depth: int, variant: int) -> Iterator[Any]:
        """The usual array, the shortest one, ones with other items, then longer ones."""
        first = self.array(m, depth, variant, 0)
        if first is not _NONE:
            yield first
        second = self.array(m, depth, variant, -1)
        if second is not _NONE and second != first:
            yield second
        if first is not _NONE and first:
            for k in range(1, 4):  # other items (a oneOf's branches told apart by them)
                other = self.array(m, depth, variant + k, 0)
                if other is not _NONE and other != first:
                    yield other
        last = first
        for extra in range(1, 4):
            longer = self.array(m, depth, variant, extra)
            if longer is _NONE or last is _NONE or len(longer) <= len(last):
                break
            last = longer
            yield longer

    def array(self, m: _Merged, depth: int, variant: int, extra: int) -> Any:
        """An array of the usual length (``extra`` 0), the shortest (-1) or ``extra`` items
        longer, within the bounds."""
        rows: list[tuple[list[Any], Any]] = []
        contains: list[Any] = []
        min_contains = 0
        max_contains: int | None = None
        unique = False
        for node in m.nodes:
            prefix = node.get("prefixItems")
            items = node.get("items")
            if isinstance(items, list):  # draft 4-7's tuple form
                prefix, items = items, node.get("additionalItems")
            prefix = prefix if isinstance(prefix, list) else []
            if prefix or items is not None:
                rows.append((prefix, items))
            if "contains" in node:
                contains.append(node["contains"])
                low = node.get("minContains", 1)
                min_contains = max(min_contains, low if isinstance(low, int) else 1)
                high = node.get("maxContains")
                if isinstance(high, int) and not isinstance(high, bool):
                    max_contains = high if max_contains is None else min(max_contains, high)
            if node.get("uniqueItems") is True:
                unique = True
        longest = max((len(prefix) for prefix, _ in rows), default=0)
        closed = min((len(prefix) for prefix, items in rows if items is False), default=None)
        if extra >= 0:
            count = max(m.min_items, longest, 1 if depth < FULL_DEPTH else 0) + extra
        else:
            count = m.min_items
        count = max(count, min_contains)
        if m.max_items is not None:
            count = min(count, m.max_items)
        if closed is not None:
            count = min(count, closed)
        needed = max(m.min_items, min_contains)
        out: list[Any] = []
        keys: set[Any] = set()
        for i in range(count):
            parts: list[Any] = []
            for prefix, items in rows:
                if i < len(prefix):
                    parts.append(prefix[i])
                elif items is not None:
                    parts.append(items)
            if i < min_contains:
                parts.extend(contains)
            elif contains and max_contains is not None:
                parts.extend({"not": c} for c in contains)
            value = _NONE
            if unique:
                for k in range(2 * TRIES):  # the next variants, then anything not seen yet
                    value = self.pick(parts, depth + 1, variant + k % TRIES,
                                      avoid=keys if k >= TRIES else None)
                    if value is _NONE or _key(value) not in keys:
                        break
            else:
                value = self.pick(parts, depth + 1, variant)
            if value is _NONE:
                if i < needed:
                    return _NONE
                break
            if unique:
                keys.add(_key(value))
            out.append(value)
        return out


# ---------------------------------------------------------------------- strings and numbers

#: Plain strings after "string", "string1"... "string3" (for a ``not`` to choose from).
_OTHER_TEXTS = ("example", "text", "a", "0", "A", "-", "", "a longer example text")


def _plain_text(low: int, high: int | None, k: int) -> str:
    if 4 <= k < 4 + len(_OTHER_TEXTS):
        text = _OTHER_TEXTS[k - 4]
        if high is not None:
            text = text[:high]
        return text + text[-1:] * max(0, low - len(text)) if text else ""
    tail = _tail(k - len(_OTHER_TEXTS) if k >= 4 + len(_OTHER_TEXTS) else k)
    text = "string" + tail
    if high is not None and len(text) > high:
        text = ("string"[: max(0, high - len(tail))] + tail)[-high:] if high > 0 else ""
    if len(text) < low:
        text += "x" * (low - len(text))
    return text


def _format_fits(fmt: str, low: int, high: int | None) -> Iterator[str]:
    """Longer or shorter forms of a format's example, for length bounds (a few of each, for
    unique items)."""
    pad = "x" * max(0, low)
    if fmt in ("email", "idn-email"):
        yield from (f"user{pad}{k}@example.com" for k in ("", 1, 2))
        yield from ("a@b.co", "b@b.co", "c@b.co", "a@b", "b@b")
    elif fmt in ("uri", "url", "iri"):
        yield from (f"https://example.com/{pad}{k}" for k in ("", 1, 2))
        yield from ("https://a.co", "https://b.co", "a:b", "b:c")
    elif fmt in ("uri-reference", "iri-reference", "json-pointer"):
        yield from (f"/{pad}{k}" for k in ("", 1, 2))
        yield from ("/a", "/b", "/")
    elif fmt == "ipv4":
        yield from ("192.0.2.10", "192.0.2.100", "192.0.2.101", "192.0.2.102",
                    "198.51.100.100", "255.255.255.255", "0.0.0.0")
    elif fmt == "ipv6":
        yield from (f"2001:db8:0:0:0:0:0:{k}" for k in (1, 2, 3))
        yield from ("2001:0db8:0000:0000:0000:0000:0000:0001", "::1", "::2", "::")
    elif fmt == "date-time":
        yield from ("2024-01-01T00:00:00.000000+00:00", "2024-01-01T00:00:00+00:00",
                    "2024-01-01T00:00:01+00:00", "2024-01-01T00:00:02+00:00",
                    "2024-01-01T00:00:00.0Z", "2024-01-01T00:00:01.0Z")
    elif fmt == "time":
        yield from ("00:00:00.000000+00:00", "00:00:00+00:00", "00:00:01+00:00",
                    "00:00:02+00:00", "00:00:00.0Z", "00:00:01.0Z")
    elif fmt == "duration":
        yield from ("P" + "1" * max(1, low - 2) + "D", "P" + "2" * max(1, low - 2) + "D")
    elif fmt in ("hostname", "idn-hostname"):
        if low > 11:
            yield from (".".join([c * 60] * (low // 61 + 1)) for c in "xyz")
        yield from ("example.com", "a.co", "b.co", "a", "b")


def _strings(m: _Merged) -> Iterator[str]:
    low, high, patterns = m.min_len, m.max_len, m.patterns

    def ok(text: str) -> bool:
        return len(text) >= low and (high is None or len(text) <= high) \
            and all(_search(p, text) for p in patterns)

    formats = [f for f in dict.fromkeys(m.formats) if f in _FORMATS]
    fmt = formats[0] if formats else None
    made = False
    if formats:  # (several formats from allOf: their examples in turn)
        half = TRIES // 2
        texts = chain((_FORMATS[f](k) for k in range(half) for f in formats),
                      (t for f in formats for t in _format_fits(f, low, high)),
                      (_FORMATS[f](k) for k in range(half, TRIES) for f in formats))
        for text in texts:
            if ok(text):
                made = True
                yield text
        if made:
            return
    if patterns:  # variants, longer strings, then with other characters around
        for k, at_least in chain(((k, low) for k in range(TRIES - 6)),
                                 ((0, low + n) for n in (1, 2, 5))):
            found = [text_matching(pattern, at_least, high, k) for pattern in patterns]
            if len(found) > 1 and None not in found:  # ^a and b$: "a" + "b"
                parts = [t for t in found if t is not None]
                found += ["".join(parts), "".join(reversed(parts))]
            for written in found:
                if written is not None and ok(written):
                    made = True
                    yield written
                    break
        first = text_matching(patterns[0], low, high, 0)
        if first is not None:
            for text in (first + "0", first + "-", "0" + first):
                if ok(text):
                    made = True
                    yield text
    else:
        seen: set[str] = set()
        for k in range(TRIES):
            text = _plain_text(low, high, k)
            if text not in seen and ok(text):
                seen.add(text)
                made = True
                yield text
    if not made:  # nothing fits: the closest thing, for a value that will not validate
        yield _FORMATS[fmt](0) if fmt is not None else _plain_text(low, high, 0)


#: A bound inside ``not`` -> (the type it is about, the bound it turns into outside).
_COMPLEMENTS = {"minimum": ("number", "exclusiveMaximum"),
                "exclusiveMinimum": ("number", "maximum"),
                "maximum": ("number", "exclusiveMinimum"),
                "exclusiveMaximum": ("number", "minimum"),
                "minLength": ("string", "maxLength"),
                "maxLength": ("string", "minLength")}
#: The numbers tried, in steps from the first one: near it, then further and further.
_OFFSETS = (0, 1, -1, 2, -2, 3, 10, -10, 100, -100, 1000, -1000, 4, -3, 5, -4, 6, -5)


def _first_number(m: _Merged, integer: bool, lows: list[tuple[Any, bool]],
                  highs: list[tuple[Any, bool]]) -> int | float:
    """0 when allowed, else the bound nearest to it (a midpoint between exclusive bounds)."""
    low = max(lows, default=None)
    high = min(highs, key=lambda b: (b[0], not b[1]), default=None)
    if integer:
        bottom = None if low is None else (math.floor(low[0]) + 1 if low[1]
                                           else math.ceil(low[0]))
        top = None if high is None else (math.ceil(high[0]) - 1 if high[1]
                                         else math.floor(high[0]))
    else:
        bottom = None if low is None else low[0]
        top = None if high is None else high[0]
        if low is not None and low[1]:
            bottom = (low[0] + high[0]) / 2 if high is not None else low[0] + 1
        if high is not None and high[1]:
            top = (low[0] + high[0]) / 2 if low is not None else high[0] - 1
    value: int | float = 0
    if low is not None and bottom is not None and (value < low[0] or (low[1]
                                                                       and value <= low[0])):
        value = bottom
    if high is not None and top is not None and (value > high[0] or (high[1]
                                                                      and value >= high[0])):
        value = top
    return value


def _numbers(m: _Merged, integer: bool) -> Iterator[int | float]:
    lows = [(v, False) for v in m.mins] + [(v, True) for v in m.xmins]
    highs = [(v, False) for v in m.maxs] + [(v, True) for v in m.xmaxs]
    if integer and m.fmt in _INT_RANGES:  # within int32 / int64, where the bounds allow
        bottom, top = _INT_RANGES[m.fmt]
        if all(b[0] < top for b in lows) and all(b[0] > bottom for b in highs):
            lows.append((bottom, False))
            highs.append((top, False))
    try:
        first = _first_number(m, integer, lows, highs)
    except (OverflowError, ValueError, TypeError):
        first = 0
    raw: list[Any] = []
    try:
        if m.steps:
            step = _common_step(m.steps)
            k0 = math.ceil(first / step)
            raw = [_times(k0 + j, step) for j in _OFFSETS]
            for hole in m.holes:  # the multiples just outside
                above = max((hole[k] for k in ("maximum", "exclusiveMaximum") if k in hole),
                            default=None)
                below = min((hole[k] for k in ("minimum", "exclusiveMinimum") if k in hole),
                            default=None)
                if above is not None:
                    raw[1:1] = [_times(math.floor(above / step) + j, step) for j in range(1, 7)]
                if below is not None:
                    raw[1:1] = [_times(math.ceil(below / step) - j, step) for j in (1, 2, 3)]
        else:
            raw = [first + j for j in _OFFSETS]
            if not integer:  # and numbers between, for exclusive bounds or a not
                low = max((b[0] for b in lows), default=None)
                high = min((b[0] for b in highs), default=None)
                middle = [(low + first) / 2, (first + high) / 2, (low + high) / 2] \
                    if low is not None and high is not None else []
                raw[2:2] = [first + 0.5, *middle]
                raw[8:8] = [first + 0.25, first + 0.1, first + 1 / 3]
            raw += [0] + [b[0] for b in lows + highs if not b[1]]
            for hole in m.holes:  # just outside
                for key, out in (("maximum", 1), ("exclusiveMaximum", 0), ("minimum", -1),
                                 ("exclusiveMinimum", 0)):
                    if key in hole:
                        raw[1:1] = [hole[key] + out] if out else [hole[key]]
                        if not integer:
                            raw[1:1] = [hole[key] + (0.5 if "aximum" in key else -0.5)]
    except (OverflowError, ValueError, TypeError, ArithmeticError):
        pass
    seen: set[Any] = set()
    made = False
    for x in raw:
        if integer:
            if isinstance(x, float):
                if not x.is_integer():
                    continue
                x = int(x)
        elif isinstance(x, float) and x.is_integer() and abs(x) < 2**53 \
                and not isinstance(first, float):
            x = int(x)
        if x not in seen and m.number_ok(x, integer):
            seen.add(x)
            made = True
            yield x
    if not made:
        yield int(first) if integer else first
