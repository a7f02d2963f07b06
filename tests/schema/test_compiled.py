"""The generated schema check gives jsonschema's verdict, for random schemas and values and for
the cases where Python's own equality or number handling would differ."""

from __future__ import annotations

import decimal

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specclient.schema.compiled import compile_check, equal
from specclient.schema.regex import linear_validator
from specclient.schema.validation import SchemaValidator, fast_compilable

KEYS = ["a", "b", "ab", "x-1", "~/"]
SCALARS = (st.none() | st.booleans() | st.integers(-3, 12)
           | st.sampled_from([0.0, 1.0, 2.5, 0.1, 0.3, 3.0, -1.5, 1e300])
           | st.sampled_from(["", "a", "ab", "abc", "x-1", "Z", "é", "🙂"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
                      max_leaves=10)
TYPES = ["null", "boolean", "object", "array", "number", "string", "integer"]


def leaf() -> st.SearchStrategy:
    return st.one_of(
        st.booleans(),
        st.builds(lambda t: {"type": t}, st.sampled_from(TYPES)),
        st.builds(lambda t: {"type": t}, st.lists(st.sampled_from(TYPES), min_size=1,
                                                  max_size=3, unique=True)),
        st.builds(lambda k, n: {k: n}, st.sampled_from(["minimum", "maximum",
                                                        "exclusiveMinimum",
                                                        "exclusiveMaximum"]),
                  st.integers(-2, 5) | st.sampled_from([0.5, 2.5])),
        st.builds(lambda d: {"multipleOf": d}, st.sampled_from([1, 2, 3, 0.1, 0.5, 1.5])),
        st.builds(lambda k, n: {k: n}, st.sampled_from(["minLength", "maxLength", "minItems",
                                                        "maxItems", "minProperties",
                                                        "maxProperties"]),
                  st.integers(0, 3)),
        st.builds(lambda p: {"pattern": p}, st.sampled_from(["^a", "b$", "[0-9]", "^$", "é"])),
        st.builds(lambda v: {"enum": v}, st.lists(SCALARS | st.lists(SCALARS, max_size=2),
                                                  min_size=1, max_size=4)),
        st.builds(lambda v: {"const": v}, VALUES),
        st.just({"format": "date-time", "description": "annotations only"}),
    )


def extend(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.builds(lambda p, r: {"type": "object", "properties": p, "required": r},
                  st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
                  st.lists(st.sampled_from(KEYS), max_size=2, unique=True)),
        st.builds(lambda p, pp, ap: {"properties": p, "patternProperties": pp,
                                     "additionalProperties": ap},
                  st.dictionaries(st.sampled_from(KEYS), inner, max_size=2),
                  st.dictionaries(st.sampled_from(["^a", "1$", "~"]), inner, max_size=2),
                  inner),
        st.builds(lambda s: {"propertyNames": s}, inner),
        st.builds(lambda s: {"items": s}, inner),
        st.builds(lambda s: {"contains": s}, inner),
        st.builds(lambda s: {"allOf": s}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda s: {"anyOf": s}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda s: {"oneOf": s}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda s: {"not": s}, inner),
        st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, inner, inner, inner),
        st.builds(lambda i, t: {"if": i, "then": t}, inner, inner),
        st.builds(lambda a, b: {**a, **b} if isinstance(a, dict) and isinstance(b, dict)
                  else a, inner, inner),
    )


SCHEMAS = st.recursive(leaf(), extend, max_leaves=8)


def jsonschema_says(schema: object, value: object) -> bool:
    """jsonschema's verdict, with patterns run by RE2 as specclient runs them everywhere
    (ECMA-262's dialect, linear time: see specclient.schema.regex)."""
    return linear_validator(jsonschema.Draft202012Validator)(schema).is_valid(value)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(schema=SCHEMAS, values=st.lists(VALUES, min_size=1, max_size=8))
def test_random_schemas_and_values_get_jsonschemas_verdict(schema, values):
    assert fast_compilable(schema)
    check = compile_check(schema)
    assert check is not None
    for value in values:
        assert check(value) is jsonschema_says(schema, value), (schema, value)


RECURSIVE = {"$defs": {"node": {"type": "object", "required": ["n"],
                                "properties": {"n": {"type": "integer"},
                                               "kids": {"type": "array",
                                                        "items": {"$ref": "#/$defs/node"}}}},
                       "a/b": {"type": "string"}, "c~d": {"minimum": 3}},
             "anyOf": [{"$ref": "#/$defs/node"}, {"$ref": "#/$defs/a~1b"},
                       {"$ref": "#/$defs/c~0d"}]}


@pytest.mark.parametrize("schema,value", [
    ({"enum": [1, 2]}, True),            # True is not 1
    ({"enum": [1, 2]}, 1.0),             # but 1.0 is 1
    ({"enum": [True]}, 1),
    ({"const": False}, 0),
    ({"const": [1, {"a": False}]}, [1, {"a": 0}]),
    ({"const": [1, {"a": False}]}, [1.0, {"a": False}]),
    ({"enum": ["a", "b"]}, "a"),
    ({"enum": ["a", "b"]}, ["a"]),
    ({"type": "integer"}, 3.0),
    ({"type": "integer"}, 3.5),
    ({"type": "integer"}, True),
    ({"type": "number"}, False),
    ({"type": "number"}, decimal.Decimal("1.5")),
    ({"type": "integer"}, decimal.Decimal("1")),
    ({"minimum": 2}, decimal.Decimal("1.5")),
    ({"multipleOf": 0.1}, 0.3),          # 0.3 / 0.1 is not a whole number in floats
    ({"multipleOf": 0.1}, 0.5),
    ({"multipleOf": 0.5}, 1e308),
    ({"multipleOf": 1e-300}, 1e300),     # the quotient overflows: Fraction decides
    ({"multipleOf": 3}, 9),
    ({"multipleOf": 3}, 9.5),
    ({"not": {"multipleOf": 0.1}}, 0.3),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1),
    ({"oneOf": [{"type": "integer"}, {"type": "string"}]}, 1),
    ({"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"minimum": 5}}, "a"),
    ({"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"minimum": 5}}, 4),
    ({"additionalProperties": False, "patternProperties": {"^x-": True},
      "properties": {"a": True}}, {"a": 1, "x-y": 2}),
    ({"additionalProperties": False, "patternProperties": {"^x-": True}}, {"y": 1}),
    ({"additionalProperties": {"type": "string"}, "properties": {"a": {}}},
     {"a": 1, "b": "s"}),
    ({"propertyNames": {"maxLength": 1}}, {"a": 1, "bc": 2}),
    ({"contains": {"type": "string"}}, [1, 2]),
    ({"contains": {"type": "string"}}, [1, "2"]),
    ({"items": False}, []),
    ({"items": False}, [1]),
    ({"properties": {"a": False}}, {"a": 1}),
    ({"maximum": float("inf")}, 1e308),  # YAML can say .inf
    ({"pattern": "^\\d+$"}, "١٢"),      # \d is ASCII, as ECMA-262 (JSON Schema's dialect)
    (RECURSIVE, {"n": 1, "kids": [{"n": 2, "kids": [{"n": 3}]}]}),
    (RECURSIVE, {"n": 1, "kids": [{"n": 2, "kids": [{"n": "3"}]}]}),
    (RECURSIVE, "s"),
    (RECURSIVE, 2),
    (RECURSIVE, 4),
    (False, None),
    (True, None),
], ids=repr)
def test_jsonschemas_verdict_where_python_would_differ(schema, value):
    check = compile_check(schema)
    assert check is not None
    assert check(value) is jsonschema_says(schema, value)


def test_a_tuple_is_an_array_as_it_is_once_sent() -> None:
    check = compile_check({"type": "array", "items": {"type": "integer"}, "minItems": 2})
    assert check is not None
    assert check((1, 2)) is True
    assert check((1, "2")) is False


def test_equal_is_jsonschemas() -> None:
    from jsonschema._utils import equal as reference

    pairs = [(1, True), (0, False), (1, 1.0), ([1], [True]), ({"a": 1}, {"a": 1.0}),
             ("1", 1), (None, None), ([], {}), ({"a": [False]}, {"a": [0]})]
    for a, b in pairs:
        assert equal(a, b) is reference(a, b), (a, b)


@pytest.mark.parametrize("schema", [
    {"$ref": "#/$defs/missing"},
    {"$ref": "#anchor"},
    {"pattern": "(?<=a+)b"},  # Python cannot compile it
    {"patternProperties": {"[": True}},
])
def test_what_it_cannot_write_is_left_to_jsonschema(schema) -> None:
    assert compile_check(schema) is None
    assert not SchemaValidator(schema).uses_fast_path


def test_a_deep_schema_is_split_into_functions() -> None:
    schema: dict = {"type": "string"}
    for _ in range(40):
        schema = {"type": "object", "properties": {"a": schema}}
    check = compile_check(schema)
    assert check is not None
    good: object = "leaf"
    bad: object = 7
    for _ in range(40):
        good, bad = {"a": good}, {"a": bad}
    assert check(good) is True and check(bad) is False


def test_digits_are_ascii_as_json_schema_says():
    check = compile_check({"pattern": "^\\d+$"})
    assert check("12") is True and check("١٢") is False
    assert SchemaValidator({"pattern": "^\\d+$"}).violations("١٢", "body")
