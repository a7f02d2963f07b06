"""Random schemas: whenever some value satisfies one, the generated example validates.

Schemas are drawn from a recursive strategy (types, bounds, ``multipleOf``, patterns from a
fixed list, formats, ``enum`` / ``const``, ``oneOf`` / ``anyOf`` / ``allOf`` / ``not``,
``uniqueItems``, ``contains``, ``minItems`` / ``maxItems``, ``properties`` / ``required`` /
``additionalProperties: false`` / ``minProperties``, OpenAPI's ``nullable``). Whether one can
be satisfied at all is left to hypothesis-jsonschema: a schema it finds no valid value for
is skipped (``assume``), so that only the generator's own misses fail the test.
"""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from specclient.schema.examples import example_for

from_schema = pytest.importorskip("hypothesis_jsonschema").from_schema

PATTERNS = ["^[a-z]+$", "^[A-Z]{2}$", r"^\d{4}-\d{2}-\d{2}$", "^(0|[1-9][0-9]*)$", "[a-z]",
            "^https?://", "^[a-zA-Z0-9_-]+$", "^ab", "c$", "^sk_(test|live)_[0-9a-zA-Z]{4}$",
            r"^\+[1-9]\d{1,14}$", "^(?:[a-z0-9]+)(?:-[a-z0-9]+)*$"]
FORMATS = ["date-time", "date", "time", "uuid", "email", "uri", "hostname", "ipv4", "ipv6"]
NAMES = st.sampled_from(["a", "b", "c", "kind", "id"])
SCALARS = st.integers(-5, 5) | st.sampled_from(["a", "b", "ab", "abc", "", "2024-01-01"]) \
    | st.booleans() | st.none()

VALIDATOR = jsonschema.Draft202012Validator


@pytest.fixture(scope="module", autouse=True)
def _objects_drawable():
    """hypothesis-jsonschema 0.23 draws an object's properties with ``many(...).more()`` from
    Hypothesis's internals, which newer Hypothesis releases replaced by iterating over
    ``many`` inside a ``with`` block: without ``more`` every object schema fails to draw.
    For this module only, ``more`` is put back on top of the new protocol (and nothing
    changes where it still exists)."""
    from hypothesis.internal.conjecture import utils as cu

    if hasattr(cu.many, "more"):
        yield
        return

    def more(self):
        if not hasattr(self, "_legacy_iterator"):
            self.__enter__()
            self._legacy_iterator = iter(self)
        try:
            next(self._legacy_iterator)
            return True
        except StopIteration:
            self.__exit__(None)
            return False

    cu.many.more = more
    try:
        yield
    finally:
        del cu.many.more


def nullable_as_type(schema):
    """OpenAPI 3.0's ``nullable: true`` as a JSON Schema type list (a copy)."""
    if isinstance(schema, list):
        return [nullable_as_type(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: v if k in ("enum", "const") else nullable_as_type(v) for k, v in schema.items()}
    if out.pop("nullable", False) is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def maybe(draw, schema, key, strategy):
    if draw(st.booleans()):
        schema[key] = draw(strategy)


@st.composite
def integers(draw):
    schema = {"type": "integer"}
    maybe(draw, schema, draw(st.sampled_from(["minimum", "exclusiveMinimum"])),
          st.integers(-20, 20))
    maybe(draw, schema, draw(st.sampled_from(["maximum", "exclusiveMaximum"])),
          st.integers(-20, 40))
    maybe(draw, schema, "multipleOf", st.integers(1, 7))
    maybe(draw, schema, "format", st.sampled_from(["int32", "int64"]))
    return schema


@st.composite
def numbers(draw):
    schema = {"type": "number"}
    maybe(draw, schema, draw(st.sampled_from(["minimum", "exclusiveMinimum"])),
          st.sampled_from([-1.5, 0, 0.07, 0.3, 1.05, 10.5]))
    maybe(draw, schema, draw(st.sampled_from(["maximum", "exclusiveMaximum"])),
          st.sampled_from([-1, 0.5, 1.1, 11, 100.25]))
    maybe(draw, schema, "multipleOf", st.sampled_from([0.5, 0.25, 0.1, 0.01, 2.5, 3]))
    return schema


@st.composite
def strings(draw):
    schema = {"type": "string"}
    which = draw(st.sampled_from(["plain", "format", "pattern"]))
    if which == "format":
        schema["format"] = draw(st.sampled_from(FORMATS))
    elif which == "pattern":
        schema["pattern"] = draw(st.sampled_from(PATTERNS))
    maybe(draw, schema, "minLength", st.integers(0, 12))
    maybe(draw, schema, "maxLength", st.integers(0, 40))
    return schema


@st.composite
def nullable(draw, leaf):
    schema = draw(leaf)
    if "type" in schema and draw(st.integers(0, 4)) == 0:
        schema["nullable"] = True
    return schema


leaves = st.one_of(
    nullable(integers()), nullable(numbers()), nullable(strings()),
    st.just({"type": "boolean"}), st.just({"type": "null"}),
    st.lists(SCALARS, min_size=0, max_size=4).map(lambda xs: {"enum": xs}),
    SCALARS.map(lambda x: {"const": x}),
)


@st.composite
def objects(draw, children):
    props = draw(st.dictionaries(NAMES, children, max_size=4))
    schema = {"type": "object", "properties": props}
    names = sorted(props) + draw(st.lists(st.sampled_from(["x", "y"]), max_size=1))
    if names:
        schema["required"] = sorted(set(draw(st.lists(st.sampled_from(names), max_size=3))))
    choice = draw(st.integers(0, 3))
    if choice == 0:
        schema["additionalProperties"] = False
    elif choice == 1:
        schema["additionalProperties"] = draw(children)
    maybe(draw, schema, "minProperties", st.integers(0, 3))
    if draw(st.integers(0, 3)) == 0:
        schema["maxProperties"] = draw(st.integers(0, 4))
    return schema


@st.composite
def arrays(draw, children):
    schema = {"type": "array", "items": draw(children)}
    maybe(draw, schema, "minItems", st.integers(0, 3))
    maybe(draw, schema, "maxItems", st.integers(0, 4))
    maybe(draw, schema, "uniqueItems", st.booleans())
    if draw(st.integers(0, 3)) == 0:
        schema["contains"] = draw(children)
    return schema


def composed(children):
    return st.one_of(
        objects(children), arrays(children),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"oneOf": xs}),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"anyOf": xs}),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"allOf": xs}),
        st.tuples(children, leaves).map(lambda t: {**t[0], "not": t[1]}),
    )


trees = st.recursive(leaves, composed, max_leaves=8)
schemas = st.one_of(
    trees,
    trees.map(lambda t: {"$ref": "#/$defs/T", "$defs": {"T": t}}),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)  # the same schemas every run: CI never meets a new seed
@given(schema=schemas, data=st.data())
def test_example_validates_whenever_the_schema_is_satisfiable(schema, data):
    plain = nullable_as_type(schema)
    validator = VALIDATOR(plain, format_checker=VALIDATOR.FORMAT_CHECKER)
    try:
        witness = data.draw(from_schema(plain), label="a value that satisfies it")
    except (InvalidArgument, AssertionError):  # a schema hypothesis-jsonschema cannot take
        assume(False)  # (0.23 asserts on some unsatisfiable object schemas)
    assume(validator.is_valid(witness))  # its answer is checked too
    value = example_for(schema)
    validator.validate(value)
    assert example_for(schema) == value  # deterministic
