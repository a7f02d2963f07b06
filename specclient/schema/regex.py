"""Regular expressions from specs, run in linear time.

A schema's ``pattern`` (and ``patternProperties``' keys) comes from a spec, and the text it is
run against from a caller or a server: with a backtracking engine, ``^(a+)+$`` against forty
``a`` and a ``!`` never returns. Every such pattern is therefore compiled by RE2 (the
``google-re2`` package), whose matching time is linear in the text, whatever the pattern.

RE2 runs the syntax JSON Schema asks for (ECMA-262's, less what no linear-time engine can do):
no backreferences (``\\1``) and no lookaround (``(?=``, ``(?!``, ``(?<=``, ``(?<!``). A spec whose
pattern needs them is refused where it is written (a :class:`~specclient.errors.SpecError` at
file:line, from :func:`specclient.spec.checks.check_schema`); the OpenAPI importer drops such a
pattern with a warning. Should RE2 not be installed (a platform without a wheel), Python's
``re`` is used and a warning says that patterns are then not protected.

``format`` (``regex`` included) is an annotation, as JSON Schema 2020-12 says by default: a
value is never compiled or run as a regular expression.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

from .flatten import PointerMiss, walk_pointer

__all__ = ["compile_pattern", "UnsafePattern", "linear", "linear_validator"]

log = logging.getLogger("specclient")

_UNLOADED: object = object()
_re2: object = _UNLOADED


def _engine() -> object:
    """google-re2's module (None where it is missing), imported on first use: a call whose
    schemas have no pattern never pays for it (start-up)."""
    global _re2
    if _re2 is _UNLOADED:
        try:
            import re2  # google-re2: linear-time matching (imported when first needed)
        except ImportError:  # pragma: no cover - a platform without a google-re2 wheel
            log.warning("specclient: google-re2 is not installed: schema patterns run on "
                        "Python's backtracking re engine, where a hostile pattern or value "
                        "can hang a call")
            re2 = None
        _re2 = re2
    return _re2


def linear() -> bool:
    """Whether patterns run in linear time here (google-re2 is installed)."""
    return _engine() is not None


class UnsafePattern(ValueError):
    """A pattern that cannot run in linear time (or is not a regular expression at all)."""


def _options(engine: Any) -> Any:
    options = engine.Options()
    options.log_errors = False  # the error is ours to report, not RE2's on stderr
    return options


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> Callable[[str], object]:
    """``pattern``'s search function (a match object or None), compiled once. Raises
    :class:`UnsafePattern` when RE2 refuses it (the reason says which construct)."""
    if not isinstance(pattern, str):
        raise UnsafePattern(f"a pattern must be a string, not {type(pattern).__name__}")
    engine: Any = _engine()
    if engine is None:  # pragma: no cover
        try:
            return re.compile(pattern).search
        except re.error as exc:
            raise UnsafePattern(f"not a valid regular expression: {exc}") from None
    try:
        return engine.compile(pattern, _options(engine)).search
    except engine.error as exc:
        try:
            re.compile(pattern)
        except re.error as py_exc:
            raise UnsafePattern(f"not a valid regular expression: {py_exc}") from None
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(
            exc.args[0], bytes) else str(exc)
        raise UnsafePattern(f"needs a backtracking engine ({reason}): backreferences and "
                            f"lookaround cannot run in linear time, so a hostile value could "
                            f"hang a call; rewrite it without them") from None



_LINEAR_CLASSES: dict[type, type] = {}


def _mentions(schema: Any, keyword: str) -> bool:
    """Whether ``keyword`` is a key anywhere in ``schema`` (iteratively)."""
    todo = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if keyword in node:
                return True
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return False


def linear_validator(cls: type, root: Any = None) -> type:
    """jsonschema validator class ``cls`` with ``pattern``, ``patternProperties``,
    ``additionalProperties`` and, for a ``root`` schema that uses it, ``unevaluatedProperties``
    (all of which match patterns) run by :func:`compile_pattern`, so that explaining a failure
    is as safe as checking it."""
    uses_unevaluated = root is not None and _mentions(root, "unevaluatedProperties")
    made = _LINEAR_CLASSES.get(cls)
    if made is not None and not uses_unevaluated:
        return made
    import jsonschema  # jsonschema only when a failure is explained (start-up)

    def search(pattern: str, text: str) -> bool:
        try:
            return compile_pattern(pattern)(text) is not None
        except UnsafePattern:
            return False  # refused where the spec was loaded; never run on a backtracker

    def pattern(validator, patrn, instance, schema):  # type: ignore[no-untyped-def]
        if validator.is_type(instance, "string") and not search(patrn, instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    def pattern_properties(validator, patterns, instance, schema):  # type: ignore[no-untyped-def]
        if not validator.is_type(instance, "object"):
            return
        for patrn, subschema in patterns.items():
            for key, value in instance.items():
                if search(patrn, key):
                    yield from validator.descend(value, subschema, path=key, schema_path=patrn)

    def additional_properties(validator, ap, instance, schema):  # type: ignore[no-untyped-def]
        if not validator.is_type(instance, "object"):
            return
        known = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        extras = [k for k in instance
                  if k not in known and not any(search(p, k) for p in patterns)]
        if validator.is_type(ap, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], ap, path=extra)
        elif not ap and extras:
            joined = ", ".join(repr(e) for e in sorted(extras, key=str))
            if patterns:
                verb = "does" if len(extras) == 1 else "do"
                listed = ", ".join(repr(p) for p in sorted(patterns))
                yield jsonschema.ValidationError(
                    f"{joined} {verb} not match any of the regexes: {listed}")
            else:
                verb = "was" if len(extras) == 1 else "were"
                yield jsonschema.ValidationError(
                    f"Additional properties are not allowed ({joined} {verb} unexpected)")

    def evaluated(validator, instance, schema, depth: int = 0) -> set[str]:  # type: ignore[no-untyped-def]
        """The keys of ``instance`` that ``schema`` evaluates (JSON Schema 2020-12's rule for
        unevaluatedProperties); local ``$ref``s are followed in ``root``."""
        if not isinstance(schema, dict) or depth > 100:
            return set()
        keys: set[str] = set()

        def valid(sub: Any, value: Any) -> bool:
            return bool(validator.evolve(schema=sub).is_valid(value))

        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            try:
                target = walk_pointer(root, ref[1:])
            except PointerMiss:
                target = None
            keys |= evaluated(validator, instance, target, depth + 1)
        props = schema.get("properties")
        if isinstance(props, dict):
            keys |= props.keys() & instance.keys()
        for keyword in ("additionalProperties", "unevaluatedProperties"):
            sub = schema.get(keyword)
            if sub is not None:
                keys |= {k for k, v in instance.items() if valid(sub, v)}
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict):
            keys |= {k for k in instance if any(search(p, k) for p in patterns)}
        for name, sub in (schema.get("dependentSchemas") or {}).items():
            if name in instance:
                keys |= evaluated(validator, instance, sub, depth + 1)
        for keyword in ("allOf", "oneOf", "anyOf"):
            for sub in schema.get(keyword) or []:
                if valid(sub, instance):
                    keys |= evaluated(validator, instance, sub, depth + 1)
        if "if" in schema:
            if valid(schema["if"], instance):
                keys |= evaluated(validator, instance, schema["if"], depth + 1)
                if "then" in schema:
                    keys |= evaluated(validator, instance, schema["then"], depth + 1)
            elif "else" in schema:
                keys |= evaluated(validator, instance, schema["else"], depth + 1)
        return keys

    def unevaluated_properties(validator, up, instance, schema):  # type: ignore[no-untyped-def]
        if not validator.is_type(instance, "object"):
            return
        seen = evaluated(validator, instance, schema)
        bad = [k for k in instance if k not in seen
               and any(True for _ in validator.descend(instance[k], up, path=k, schema_path=k))]
        if bad:
            listed = ", ".join(repr(k) for k in sorted(bad, key=str))
            verb = "was" if len(bad) == 1 else "were"
            if up is False:
                yield jsonschema.ValidationError(
                    f"Unevaluated properties are not allowed ({listed} {verb} unexpected)")
            else:
                yield jsonschema.ValidationError(
                    f"Unevaluated properties are not valid under the given schema ({listed} "
                    f"{verb} unevaluated and invalid)")

    keywords = {"pattern": pattern, "patternProperties": pattern_properties,
                "additionalProperties": additional_properties}
    if uses_unevaluated:  # its own class: the root its $refs point into
        keywords["unevaluatedProperties"] = unevaluated_properties
        return jsonschema.validators.extend(cls, keywords)
    made = jsonschema.validators.extend(cls, keywords)
    _LINEAR_CLASSES[cls] = made
    return made
