"""The example generator: JSON Schema -> a value that validates, the same one every time."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import specclient
from specclient.schema.examples import example_for

CHECKER = jsonschema.FormatChecker()


def valid(value, schema):
    jsonschema.Draft202012Validator(schema, format_checker=CHECKER).validate(value)
    return True


@pytest.mark.parametrize("schema, expected", [
    ({"type": "string"}, "string"),
    ({"type": "string", "example": "given"}, "given"),
    ({"type": "string", "examples": ["first", "second"]}, "first"),
    ({"const": 42}, 42),
    ({"type": "integer", "default": 7}, 7),
    ({"enum": ["b", "a"]}, "b"),
    ({"type": "string", "format": "date-time"}, "2024-01-01T00:00:00Z"),
    ({"type": "string", "format": "uuid"}, "00000000-0000-4000-8000-000000000000"),
    ({"type": "string", "format": "email"}, "user@example.com"),
    ({"type": "string", "minLength": 9}, "stringxxx"),
    ({"type": "string", "maxLength": 3}, "str"),
    ({"type": "integer", "minimum": 5, "multipleOf": 4}, 8),
    ({"type": "integer", "exclusiveMinimum": 3}, 4),
    ({"type": "integer", "maximum": -2}, -2),
    ({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.5}, 0.25),
    ({"type": "boolean"}, True),
    ({"type": ["null", "integer"]}, 0),
    ({"type": "null"}, None),
    ({"type": "array", "items": {"type": "integer"}, "minItems": 3}, [0, 0, 0]),
    ({"type": "array", "items": {"type": "integer"}, "maxItems": 0}, []),
    ({"type": "array", "prefixItems": [{"const": "a"}, {"type": "boolean"}], "items": False},
     ["a", True]),
    ({"type": "object", "required": ["a"], "properties": {"b": {"type": "integer"}}},
     {"b": 0, "a": "string"}),
    ({"oneOf": [{"type": "integer"}, {"type": "string"}]}, 0),
    ({"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "integer"}]}, "192.0.2.1"),
    ({"allOf": [{"type": "integer", "minimum": 3}, {"minimum": 10}]}, 10),
    ({"allOf": [{"properties": {"a": {"const": 1}}}, {"properties": {"b": {"const": 2}}}]},
     {"a": 1, "b": 2}),
    ({"$ref": "#/$defs/T", "$defs": {"T": {"type": "string", "format": "date"}}},
     "2024-01-01"),
])
def test_examples(schema, expected):
    value = example_for(schema)
    assert value == expected and type(value) is type(expected)
    assert valid(value, schema)


def test_recursive_schema_terminates_and_validates():
    schema = {"$ref": "#/$defs/Node", "$defs": {"Node": {
        "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string"},
                       "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}}}
    value = example_for(schema)
    assert valid(value, schema)
    assert value["children"][0]["name"] == "string"


def test_bundled_response_schemas():
    client = specclient.Client()
    for name in client.operations():
        for spec in client.operation(name).responses.values():
            if spec.schema is not None:
                assert valid(example_for(spec.schema), spec.schema)
        body = client.operation(name).body
        if body is not None:
            assert valid(example_for(body.schema), body.schema)


# ---------------------------------------------------------------------- property-based

FORMATS = ["date-time", "date", "uuid", "email", "uri", "hostname", "ipv4", "ipv6"]


@st.composite
def integers(draw):
    schema = {"type": "integer"}
    low = draw(st.none() | st.integers(-100, 100))
    step = draw(st.none() | st.integers(1, 7))
    if low is not None:
        schema[draw(st.sampled_from(["minimum", "exclusiveMinimum"]))] = low
        width = draw(st.integers(2 * (step or 1) + 1, 200))
        schema[draw(st.sampled_from(["maximum", "exclusiveMaximum"]))] = low + width
    elif draw(st.booleans()):
        schema["maximum"] = draw(st.integers(-100, 100))
    if step:
        schema["multipleOf"] = step
    return schema


@st.composite
def numbers(draw):
    schema = {"type": "number"}
    low = draw(st.none() | st.floats(-1e3, 1e3, allow_nan=False))
    if low is not None:
        schema[draw(st.sampled_from(["minimum", "exclusiveMinimum"]))] = low
        if draw(st.booleans()):
            width = draw(st.floats(0.001, 1e3, allow_nan=False))
            high = low + width
            if high > low:
                schema[draw(st.sampled_from(["maximum", "exclusiveMaximum"]))] = high
    return schema


@st.composite
def strings(draw):
    if draw(st.booleans()):
        return {"type": "string", "format": draw(st.sampled_from(FORMATS))}
    schema = {"type": "string"}
    low = draw(st.integers(0, 20))
    if draw(st.booleans()):
        schema["minLength"] = low
    if draw(st.booleans()):
        schema["maxLength"] = low + draw(st.integers(0, 5))
    return schema


leaves = st.one_of(
    integers(), numbers(), strings(),
    st.just({"type": "boolean"}), st.just({"type": "null"}),
    st.lists(st.integers() | st.text(max_size=5), min_size=1, max_size=4, unique=True)
    .map(lambda xs: {"enum": xs}),
    (st.integers() | st.text(max_size=5)).map(lambda x: {"const": x}),
)


@st.composite
def objects(draw, children):
    props = draw(st.dictionaries(st.text("abcdefgh", min_size=1, max_size=4), children,
                                 max_size=4))
    schema = {"type": "object", "properties": props}
    names = sorted(props) + draw(st.lists(st.text("xyz", min_size=1, max_size=3), max_size=2))
    schema["required"] = sorted(set(draw(st.lists(st.sampled_from(names), max_size=3)))
                                ) if names else []
    if draw(st.booleans()):
        schema["additionalProperties"] = draw(children)
    return schema


@st.composite
def arrays(draw, children):
    low = draw(st.integers(0, 3))
    schema = {"type": "array", "items": draw(children), "minItems": low}
    if draw(st.booleans()):
        schema["maxItems"] = low + draw(st.integers(0, 3))
    return schema


trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        objects(children), arrays(children),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"anyOf": xs}),
    ),
    max_leaves=12,
)
# a tree used through local references, at the top or inside an object
schemas = st.one_of(
    trees,
    trees.map(lambda t: {"$ref": "#/$defs/T", "$defs": {"T": t}}),
    st.tuples(trees, trees).map(lambda ts: {
        "type": "object", "required": ["a"],
        "properties": {"a": {"$ref": "#/$defs/A"}, "b": {"items": {"$ref": "#/$defs/B"}}},
        "$defs": {"A": ts[0], "B": ts[1]}}),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(schemas)
def test_generated_value_validates(schema):
    value = example_for(schema)
    assert valid(value, schema)
    assert example_for(schema) == value  # deterministic
