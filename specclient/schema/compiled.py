"""A JSON Schema compiled to one Python function that answers valid / not valid, fast.

:func:`compile_check` turns a schema that
:func:`specclient.schema.validation.fast_compilable` accepts into generated Python code:
straight-line ``isinstance`` checks, dict lookups and loops, no interpretation of the schema
at call time. It answers only "valid?" — jsonschema, which stays the authority, explains a
"no" (see :class:`specclient.schema.validation.SchemaValidator`).

Every check has jsonschema's meaning (its default type checker, ``equal`` for enum/const,
``multipleOf`` on floats, format as an annotation; patterns run on RE2, as specclient's
jsonschema explanations run them: :mod:`specclient.schema.regex`), so the answer is the same
both ways: that matters inside ``not``, ``oneOf`` and ``if``, where a "no" of a
subschema turns into a "yes". The one deliberate difference: a tuple is an array, as it is
once sent as JSON.

Why not a library: fastjsonschema (used before) tracks every object's keys in a set for
``additionalProperties`` even where the schema has none, and compares enums with ``==``
(``True == 1``); this generator does neither and is about 3x faster on Ingram's body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from numbers import Number
from typing import Any
from urllib.parse import unquote

from .keywords import ANNOTATIONS
from .regex import UnsafePattern, compile_pattern

__all__ = ["compile_check", "equal"]

_PY_TYPES = {"string": "str", "object": "dict", "array": "(list, tuple)", "boolean": "bool"}


def _unbool(value: Any, true: object = object(), false: object = object()) -> Any:
    if value is True:
        return true
    if value is False:
        return false
    return value


def equal(one: Any, two: Any) -> bool:
    """JSON equality as jsonschema's ``enum`` and ``const`` apply it: ``True`` is not ``1``,
    ``1`` is ``1.0``, and lists and objects compare item by item the same way."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and equal(v, two[k])
                                            for k, v in one.items())
    return bool(_unbool(one) == _unbool(two))


def _is_number(x: Any) -> bool:
    return isinstance(x, Number) and not isinstance(x, bool)


def _multiple_of(x: Any, d: Any) -> bool:
    """jsonschema's multipleOf, for a number ``x``."""
    if isinstance(d, float):
        quotient = x / d
        try:
            return bool(int(quotient) == quotient)
        except OverflowError:  # jsonschema's way out, exact: fractions (imported only here)
            # exact decimal arithmetic only for multipleOf with a fraction
            from fractions import Fraction

            return (Fraction(x) / Fraction(d)).denominator == 1
    return not x % d


class _Unsupported(Exception):
    """The schema uses something this compiler does not generate: jsonschema takes it."""


class _Generator:
    """Writes the code: one function for the root and for each ``$ref`` target (so recursive
    schemas work), one for each branch of allOf/anyOf/oneOf/not/if; everything else inline."""

    MAX_INLINE_DEPTH = 12

    def __init__(self, root: Any):
        self.root = root
        self.lines: list[str] = []
        self.env: dict[str, Any] = {"_equal": equal, "_is_number": _is_number,
                                    "_multiple_of": _multiple_of}
        self.functions: dict[int, str] = {}
        self.keep: list[Any] = []  # schemas whose id() names a function stay alive
        self.inlining: list[int] = []  # the $ref targets being written in place, outermost first
        self._refers: dict[int, bool] = {}
        self.counter = 0

    # -- names

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, value: Any, prefix: str = "_c") -> str:
        name = self.fresh(prefix)
        self.env[name] = value
        return name

    def function(self, schema: Any) -> str:
        """The name of a function ``f(x) -> bool`` for ``schema`` (written once per schema)."""
        key = id(schema)
        if key in self.functions:
            return self.functions[key]
        name = self.fresh("_f")
        self.functions[key] = name
        self.keep.append(schema)
        body: list[str] = []
        self.inlining, outer = [key], self.inlining  # a reference back to it: a call
        try:
            self.emit(schema, "x", body, 1, 0)
        finally:
            self.inlining = outer
        self.lines += [f"def {name}(x):", *body, "    return True", ""]
        return name

    def refers(self, schema: Any) -> bool:
        """Whether ``schema`` holds a ``$ref`` anywhere (worked out once per schema)."""
        key = id(schema)
        hit = self._refers.get(key)
        if hit is None:
            stack, hit = [schema], False
            while stack and not hit:
                node = stack.pop()
                if isinstance(node, dict):
                    hit = "$ref" in node
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
            self._refers[key] = hit
        return hit

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise _Unsupported(ref)
        node = self.root
        pointer = unquote(ref[1:])
        if not pointer:
            return node
        if not pointer.startswith("/"):
            raise _Unsupported(ref)  # an anchor
        for raw in pointer[1:].split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise _Unsupported(ref)
        return node

    # -- code

    def emit(self, schema: Any, var: str, out: list[str], level: int, depth: int) -> None:
        """Append to ``out`` lines (at indent ``level``) that ``return False`` when ``var``
        does not satisfy ``schema``."""
        pad = "    " * level
        if schema is True or schema == {}:
            return
        if schema is False:
            out.append(f"{pad}return False")
            return
        if not isinstance(schema, dict):
            raise _Unsupported(schema)
        if depth > self.MAX_INLINE_DEPTH and var != "x":
            out.append(f"{pad}if not {self.function(schema)}({var}): return False")
            return
        s = schema
        if "$ref" in s:
            target = self.resolve(s["$ref"])
            if id(target) in self.inlining or depth > self.MAX_INLINE_DEPTH \
                    or self.refers(target):
                out.append(f"{pad}if not {self.function(target)}({var}): return False")
            else:  # a leaf (no reference inside) is written in place: a call costs more
                # than a check such as `str | int`; anything larger stays one function
                self.inlining.append(id(target))
                try:
                    self.emit(target, var, out, level, depth + 1)
                finally:
                    self.inlining.pop()

        types = s.get("type")
        known: str | None = None  # the one Python type ``var`` is known to have, if any
        if types is not None:
            names = types if isinstance(types, list) else [types]
            out.append(f"{pad}if not ({' or '.join(_type_test(t, var) for t in names)}): "
                       f"return False")
            if len(names) == 1 and names[0] in ("object", "array", "string"):
                known = names[0]

        for kw in ("enum", "const"):
            if kw in s:
                values = s[kw] if kw == "enum" else [s[kw]]
                if values and all(isinstance(v, str) for v in values):
                    allowed = self.const(frozenset(values))
                    out.append(f"{pad}if not (isinstance({var}, str) and {var} in {allowed}): "
                               f"return False")
                else:
                    allowed = self.const(list(values))
                    out.append(f"{pad}if not any(_equal({var}, e) for e in {allowed}): "
                               f"return False")

        self.emit_numbers(s, var, out, pad)
        self.emit_string(s, var, out, level, known)
        self.emit_object(s, var, out, level, depth, known)
        self.emit_array(s, var, out, level, depth, known)

        if "allOf" in s:
            for sub in s["allOf"]:
                self.emit(sub, var, out, level, depth + 1)
        if "anyOf" in s:
            calls = " or ".join(f"{self.function(sub)}({var})" for sub in s["anyOf"])
            out.append(f"{pad}if not ({calls}): return False")
        if "oneOf" in s:
            calls = ", ".join(f"{self.function(sub)}({var})" for sub in s["oneOf"])
            out.append(f"{pad}if [{calls}].count(True) != 1: return False")
        if "not" in s:
            out.append(f"{pad}if {self.function(s['not'])}({var}): return False")
        if "if" in s and ("then" in s or "else" in s):
            then = self.function(s.get("then", True))
            other = self.function(s.get("else", True))
            out.append(f"{pad}if not ({then}({var}) if {self.function(s['if'])}({var}) "
                       f"else {other}({var})): return False")

    def emit_numbers(self, s: dict[str, Any], var: str, out: list[str], pad: str) -> None:
        tests = []
        for kw, op in (("minimum", "<"), ("maximum", ">"), ("exclusiveMinimum", "<="),
                       ("exclusiveMaximum", ">=")):
            if kw in s:
                tests.append(f"{var} {op} {self.const(s[kw])}")
        if "multipleOf" in s:
            tests.append(f"not _multiple_of({var}, {self.const(s['multipleOf'])})")
        if tests:
            out.append(f"{pad}if _is_number({var}) and ({' or '.join(tests)}): return False")

    def emit_string(self, s: dict[str, Any], var: str, out: list[str], level: int,
                    known: str | None) -> None:
        tests = []
        if "minLength" in s:
            tests.append(f"len({var}) < {self.const(s['minLength'])}")
        if "maxLength" in s:
            tests.append(f"len({var}) > {self.const(s['maxLength'])}")
        if "pattern" in s:
            try:
                search = compile_pattern(s["pattern"])  # RE2: linear time
            except UnsafePattern:
                raise _Unsupported(s["pattern"]) from None
            tests.append(f"{self.const(search, '_re')}({var}) is None")
        if not tests:
            return
        guard = "" if known == "string" else f"isinstance({var}, str) and "
        out.append(f"{'    ' * level}if {guard}({' or '.join(tests)}): return False")

    def emit_object(self, s: dict[str, Any], var: str, out: list[str], level: int, depth: int,
                    known: str | None) -> None:
        words = ("properties", "required", "additionalProperties", "patternProperties",
                 "propertyNames", "minProperties", "maxProperties")
        if not any(w in s for w in words):
            return
        guard = f"{'    ' * level}if isinstance({var}, dict):" if known != "object" else None
        if guard is not None:
            level += 1
        out, outer = [], out
        pad = "    " * level
        required = s.get("required") or []
        if required:
            out.append(f"{pad}if not ({' and '.join(f'{k!r} in {var}' for k in required)}): "
                       f"return False")
        if "minProperties" in s:
            out.append(f"{pad}if len({var}) < {self.const(s['minProperties'])}: return False")
        if "maxProperties" in s:
            out.append(f"{pad}if len({var}) > {self.const(s['maxProperties'])}: return False")
        props: dict[str, Any] = s.get("properties") or {}
        checked = {k: v for k, v in props.items() if not _trivial(v)}
        for key, sub in checked.items():  # `in` then [key]: cheaper than .get for absent keys
            item = self.fresh("_v")
            out.append(f"{pad}if {key!r} in {var}:")
            out.append(f"{pad}    {item} = {var}[{key!r}]")
            body: list[str] = []
            self.emit(sub, item, body, level + 1, depth + 1)
            out.extend(body)
        patterns = s.get("patternProperties") or {}
        extra = s.get("additionalProperties", True)
        names = s.get("propertyNames", True)
        if patterns or not _trivial(extra) or not _trivial(names):
            key, value = self.fresh("_k"), self.fresh("_v")
            out.append(f"{pad}for {key}, {value} in {var}.items():")
            inner = "    " * (level + 1)
            body = []
            if not _trivial(names):
                body.append(f"{inner}if not {self.function(names)}({key}): return False")
            matched = self.fresh("_m")
            if patterns:
                body.append(f"{inner}{matched} = False")
            for pattern, sub in patterns.items():
                try:
                    search = self.const(compile_pattern(pattern), "_re")
                except UnsafePattern:
                    raise _Unsupported(pattern) from None
                body.append(f"{inner}if isinstance({key}, str) and {search}({key}) is not None:")
                body.append(f"{inner}    {matched} = True")
                if not _trivial(sub):
                    body.append(f"{inner}    if not {self.function(sub)}({value}): "
                                f"return False")
            if not _trivial(extra):
                own = self.const(frozenset(props))
                cond = f"{key} not in {own}" + (f" and not {matched}" if patterns else "")
                body.append(f"{inner}if {cond}:")
                sub_body: list[str] = []
                self.emit(extra, value, sub_body, level + 2, depth + 1)
                body.extend(sub_body or [f"{inner}    pass"])
            out.extend(body or [f"{inner}pass"])
        if out and guard is not None:
            outer.append(guard)
        outer.extend(out)

    def emit_array(self, s: dict[str, Any], var: str, out: list[str], level: int, depth: int,
                   known: str | None) -> None:
        words = ("items", "contains", "minItems", "maxItems")
        if not any(w in s for w in words):
            return
        guard = f"{'    ' * level}if isinstance({var}, (list, tuple)):" if known != "array" \
            else None
        if guard is not None:
            level += 1
        out, outer = [], out
        pad = "    " * level
        if "minItems" in s:
            out.append(f"{pad}if len({var}) < {self.const(s['minItems'])}: return False")
        if "maxItems" in s:
            out.append(f"{pad}if len({var}) > {self.const(s['maxItems'])}: return False")
        if "contains" in s:
            out.append(f"{pad}if not any({self.function(s['contains'])}(i) for i in {var}): "
                       f"return False")
        items = s.get("items", True)
        if not _trivial(items):
            item = self.fresh("_i")
            out.append(f"{pad}for {item} in {var}:")
            body: list[str] = []
            self.emit(items, item, body, level + 1, depth + 1)
            out.extend(body or [f"{pad}    pass"])
        if out and guard is not None:
            outer.append(guard)
        outer.extend(out)


#: What a schema may hold and still be satisfied by every value.
_ANNOTATIONS = ANNOTATIONS | {"format", "$schema", "$defs", "definitions"}


def _trivial(schema: Any) -> bool:
    """True for a schema every value satisfies (true, {}, or annotations only)."""
    return schema is True or (isinstance(schema, dict) and not set(schema) - _ANNOTATIONS)


def _type_test(name: str, var: str) -> str:
    if name in _PY_TYPES:
        return f"isinstance({var}, {_PY_TYPES[name]})"
    if name == "null":
        return f"{var} is None"
    if name == "integer":  # jsonschema: an int that is not a bool, or a float like 3.0
        return (f"({var}.__class__ is int or not isinstance({var}, bool) and "
                f"(isinstance({var}, int) or isinstance({var}, float) and {var}.is_integer()))")
    if name == "number":
        return f"({var}.__class__ is int or {var}.__class__ is float or _is_number({var}))"
    raise _Unsupported(name)


def compile_check(schema: Any) -> Callable[[Any], bool] | None:
    """A function telling whether a value is valid under ``schema``, or None when the schema
    uses something the generator does not write (jsonschema then does all the work).

    The caller checks :func:`specclient.schema.validation.fast_compilable` first; this only refuses
    what it cannot resolve (a ``$ref`` outside the document, a pattern Python cannot compile).
    """
    gen = _Generator(schema)
    try:
        name = gen.function(schema)
    except (_Unsupported, RecursionError):
        return None
    namespace = dict(gen.env)
    exec(compile("\n".join(gen.lines), "<specclient schema check>", "exec"), namespace)
    check: Callable[[Any], bool] = namespace[name]
    check.__doc__ = "Whether a value is valid (generated by specclient.schema.compiled)."
    return check
