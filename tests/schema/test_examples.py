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


# ---------------------------------------------------------------------- what each keyword gives

def nullable_as_type(schema):
    """OpenAPI 3.0's ``nullable: true`` as a JSON Schema type list (a copy)."""
    if isinstance(schema, list):
        return [nullable_as_type(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: v if k in ("enum", "const", "example", "examples", "default")
           else nullable_as_type(v) for k, v in schema.items()}
    if out.pop("nullable", False) is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def check(schema, expected, **kwargs):
    value = example_for(schema, **kwargs)
    assert value == expected and type(value) is type(expected), value
    jsonschema.Draft202012Validator(nullable_as_type(schema), format_checker=jsonschema.
                                    Draft202012Validator.FORMAT_CHECKER).validate(value)
    assert example_for(schema, **kwargs) == value


@pytest.mark.parametrize("pattern, expected", [  # every pattern: test_examples_pattern.py
    ("^AC[0-9a-fA-F]{32}$", "AC" + "0" * 32),
    ("^sk_(test|live)_[0-9a-zA-Z]{24}$", "sk_test_" + "0" * 24),
])
def test_pattern(pattern, expected):
    check({"type": "string", "pattern": pattern}, expected)


@pytest.mark.parametrize("schema, expected", [
    ({"type": "string", "pattern": "^(0|[1-9][0-9]*)$", "minLength": 3}, "100"),
    ({"type": "string", "pattern": "[a-z]", "minLength": 4}, "axxx"),
    ({"type": "string", "pattern": "^https?://", "format": "uri"}, "https://example.com/"),
    ({"type": "string", "pattern": "^2024", "format": "date"}, "2024-01-01"),
    ({"type": "string", "pattern": "^[a-z]+$", "maxLength": 3, "minLength": 3}, "aaa"),
    ({"allOf": [{"pattern": "^a"}, {"pattern": "b$"}], "type": "string"}, "ab"),
])
def test_pattern_with_lengths_and_format(schema, expected):
    check(schema, expected)


PETS = {
    "Cat": {"type": "object", "required": ["petType"], "additionalProperties": False,
            "properties": {"petType": {"type": "string"}, "meows": {"type": "boolean"}}},
    "Dog": {"type": "object", "required": ["petType"], "additionalProperties": False,
            "properties": {"petType": {"type": "string"}, "barks": {"type": "boolean"}}},
}


def test_discriminator_without_mapping_uses_the_schema_name():
    schema = {"$defs": PETS, "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
              "discriminator": {"propertyName": "petType"}}
    check(schema, {"petType": "Cat", "meows": True})


def test_discriminator_with_mapping_uses_its_key():
    schema = {"$defs": PETS, "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
              "discriminator": {"propertyName": "petType",
                                "mapping": {"dog": "#/$defs/Dog", "cat": "#/$defs/Cat"}}}
    check(schema, {"petType": "cat", "meows": True})


def test_discriminator_under_an_openapi_document_root():
    doc = {"components": {"schemas": {**PETS, "Pet": {
        "oneOf": [{"$ref": "#/components/schemas/Dog"}, {"$ref": "#/components/schemas/Cat"}],
        "discriminator": {"propertyName": "petType",
                          "mapping": {"doggo": "#/components/schemas/Dog"}}}}}}
    pet = doc["components"]["schemas"]["Pet"]
    assert example_for(pet, doc) == {"petType": "doggo", "barks": True}


def test_discriminator_value_the_branch_refuses_is_dropped():
    # the branch only allows "c" for petType: the discriminator's "Cat" cannot be used
    schema = {"$defs": {"Cat": {"type": "object", "required": ["petType"],
                                "properties": {"petType": {"enum": ["c"]}}}},
              "oneOf": [{"$ref": "#/$defs/Cat"}, {"type": "string"}],
              "discriminator": {"propertyName": "petType"}}
    check(schema, {"petType": "c"})


def test_one_of_branches_told_apart_by_an_enum_property():
    kinds = {"oneOf": [{"type": "object", "properties": {"kind": {"enum": ["a"]}}},
                       {"type": "object", "properties": {"kind": {"enum": ["b"]}}}]}
    check(kinds, {"kind": "a"})
    deep = kinds  # past FULL_DEPTH optional properties are dropped: {} would match both
    for _ in range(8):
        deep = {"type": "object", "required": ["n"], "properties": {"n": deep}}
    value = example_for(deep)
    assert valid(value, deep)
    for _ in range(8):
        value = value["n"]
    assert value == {"kind": "a"}


@pytest.mark.parametrize("schema, expected", [
    ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 0.5),  # 0 would match both
    ({"oneOf": [{"type": "integer"}, {"type": "integer", "minimum": 0}]}, -1),
    # "str" has both lengths: a shorter string of the first branch is looked for
    ({"oneOf": [{"type": "string", "maxLength": 3}, {"type": "string", "minLength": 2}]},
     "a"),
    ({"anyOf": [{"type": "null"}, {"type": "string"}]}, "string"),  # null last
    ({"oneOf": [{"enum": []}, {"type": "boolean"}]}, True),
    ({"anyOf": [{"type": "integer", "minimum": 5}, {"type": "string"}], "maximum": 3},
     "string"),
])
def test_one_of_and_any_of(schema, expected):
    check(schema, expected)


@pytest.mark.parametrize("items, expected", [
    ({"enum": ["x", "y", "z"]}, ["x", "y", "z"]),
    ({"type": "string"}, ["string", "string1", "string2"]),
    ({"type": "string", "pattern": "^[A-Z]{2}$"}, ["AA", "BA", "CA"]),
    ({"type": "string", "format": "date"}, ["2024-01-01", "2024-01-02", "2024-01-03"]),
    ({"type": "string", "format": "uuid"}, [f"00000000-0000-4000-8000-00000000000{i}"
                                            for i in range(3)]),
    ({"type": "integer", "multipleOf": 5}, [0, 5, -5]),
    ({"type": "integer", "minimum": 1}, [1, 2, 3]),
    ({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
     [{"a": "string"}, {"a": "string1"}, {"a": "string2"}]),
    ({"enum": [[1], [1.0], [2]]}, None),  # [1] and [1.0] are the same: only two distinct
])
def test_unique_items(items, expected):
    schema = {"type": "array", "uniqueItems": True, "minItems": 3, "items": items}
    value = example_for(schema)
    if expected is None:
        assert not jsonschema.Draft202012Validator(schema).is_valid(value)
    else:
        check(schema, expected)


def test_unique_booleans_and_bounded_counts():
    check({"type": "array", "uniqueItems": True, "minItems": 2, "items": {"type": "boolean"}},
          [True, False])
    check({"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
          ["string", "string"])
    check({"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 1},
          [0])


def test_read_only_and_write_only_by_direction():
    schema = {"type": "object", "required": ["name"], "properties": {
        "id": {"type": "integer", "readOnly": True},
        "password": {"type": "string", "writeOnly": True},
        "owner": {"$ref": "#/$defs/Owner"},
        "name": {"type": "string"}},
        "$defs": {"Owner": {"type": "string", "readOnly": True}}}
    everything = {"id": 0, "password": "string", "owner": "string", "name": "string"}
    check(schema, everything)
    check(schema, {"password": "string", "name": "string"}, direction="request")
    check(schema, {"id": 0, "owner": "string", "name": "string"}, direction="response")
    required = {**schema, "required": ["id", "password"]}  # required ones always stay
    check(required, {"id": 0, "password": "string", "name": "string"}, direction="request")
    check(required, {"id": 0, "password": "string", "owner": "string", "name": "string"},
          direction="response")
    with pytest.raises(ValueError):
        example_for(schema, direction="sideways")


def test_empty_enum_gives_none_without_raising():
    assert example_for({"enum": []}) is None
    assert example_for({"type": "string", "enum": []}) is None
    assert example_for({"type": "integer", "enum": ["a"]}) is None
    assert example_for({"type": "string", "nullable": True, "enum": []}) is None
    # an optional property no value satisfies is left out
    check({"type": "object", "properties": {"a": {"enum": []}, "b": {"type": "integer"}}},
          {"b": 0})
    # a required one makes the object unsatisfiable
    assert example_for({"type": "object", "required": ["a"],
                        "properties": {"a": {"enum": []}}}) is None


@pytest.mark.parametrize("schema, expected", [
    ({"type": "number", "multipleOf": 0.01, "minimum": 0.07}, 0.08),  # 0.07 / 0.01 != 7
    ({"type": "number", "multipleOf": 0.1, "minimum": 1.05}, 1.1),
    ({"type": "number", "multipleOf": 0.01, "exclusiveMinimum": 10.5, "maximum": 11}, 10.75),
    ({"type": "number", "multipleOf": 0.25, "minimum": -1, "maximum": -0.5}, -0.5),
    ({"type": "integer", "multipleOf": 0.5, "minimum": 3}, 3),
    ({"allOf": [{"type": "integer", "multipleOf": 4}, {"multipleOf": 6}], "minimum": 1}, 12),
    ({"type": "integer", "minimum": 10, "maximum": 12, "multipleOf": 5}, 10),
    ({"type": "integer", "format": "int32", "minimum": 3000000000}, 3000000000),
    ({"type": "integer", "format": "int64"}, 0),
    ({"type": "number", "exclusiveMaximum": -3}, -4),
])
def test_numbers(schema, expected):
    check(schema, expected)


@pytest.mark.parametrize("schema, expected", [
    ({"type": "object", "additionalProperties": False, "minProperties": 2, "required": ["a"],
      "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
     {"a": "string", "b": 0}),
    # past FULL_DEPTH optional properties are added back for minProperties
    ({"type": "object", "additionalProperties": False, "minProperties": 2,
      "patternProperties": {"^x-[a-z]+$": {"type": "integer"}}}, {"x-a": 0, "x-b": 0}),
    ({"type": "object", "minProperties": 2, "propertyNames": {"pattern": "^[A-Z]+$"}},
     {"A": "string", "B": "string"}),
    ({"type": "object", "minProperties": 2}, {"property1": "string", "property2": "string"}),
    ({"type": "object", "minProperties": 1, "additionalProperties": {"type": "integer"}},
     {"property1": 0}),
    ({"type": "object", "maxProperties": 1, "minProperties": 1,
      "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}, {"a": "string"}),
    ({"type": "object", "properties": {"a": {"type": "string"}},
      "dependentRequired": {"a": ["c"]}}, {"a": "string", "c": "string"}),
    ({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
      "propertyNames": {"maxLength": 1}, "patternProperties": {"^a": {"minLength": 7}}},
     {"a": "stringx", "b": 0}),
    ({"allOf": [{"type": "object", "additionalProperties": False,
                 "properties": {"a": {"type": "string"}}},
                {"properties": {"b": {"type": "string"}}}]}, {"a": "string"}),
    ({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
      "not": {"required": ["a", "b"]}}, {"a": 0}),
    ({"type": "object", "properties": {"a": {"type": "integer"}},
      "dependentSchemas": {"a": {"required": ["z"]}}}, {}),
])
def test_objects(schema, expected):
    check(schema, expected)


def test_additional_properties_false_with_min_properties_deep_down():
    leaf = {"type": "object", "additionalProperties": False, "minProperties": 2,
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"},
                           "c": {"type": "boolean"}}}
    deep = leaf
    for _ in range(8):
        deep = {"type": "object", "required": ["n"], "properties": {"n": deep}}
    value = example_for(deep)
    for _ in range(8):
        value = value["n"]
    assert value == {"a": "string", "b": 0}


@pytest.mark.parametrize("schema, expected", [
    ({"type": "array", "contains": {"type": "integer", "minimum": 5},
      "items": {"type": "integer"}, "minContains": 2}, [5, 5]),
    ({"type": "array", "contains": {"const": 3}, "maxContains": 1, "minItems": 3,
      "items": {"type": "integer"}}, [3, 0, 0]),
    ({"type": "array", "contains": {"type": "string"}}, ["string"]),
    ({"type": "array", "prefixItems": [{"type": "integer"}], "items": {"type": "string"},
      "minItems": 2}, [0, "string"]),
])
def test_arrays(schema, expected):
    check(schema, expected)


@pytest.mark.parametrize("schema, expected", [
    ({"type": ["string", "integer"], "not": {"type": "string"}}, 0),
    ({"type": "integer", "not": {"enum": [0, 1]}}, -1),
    ({"type": "string", "not": {"const": "string"}}, "string1"),
    ({"type": "string", "not": {"pattern": "^s"}}, "example"),
    ({"type": "number", "not": {"type": "integer"}}, 0.5),
    ({"not": {"type": "null"}}, "string"),
    ({"type": "integer", "if": {"minimum": 0}, "then": {"multipleOf": 3},
      "else": {"maximum": -10}}, 0),
    ({"type": "integer", "if": {"minimum": 0}, "then": {"minimum": 5, "maximum": 4},
      "else": {"multipleOf": 7}}, -7),
    ({"type": "object", "properties": {"country": {"enum": ["US", "CA"]},
                                       "zip": {"type": "string"}},
      "if": {"properties": {"country": {"const": "US"}}, "required": ["country"]},
      "then": {"required": ["zip"], "properties": {"zip": {"pattern": "^[0-9]{5}$"}}}},
     {"country": "US", "zip": "00000"}),
])
def test_not_and_if_then_else(schema, expected):
    check(schema, expected)


@pytest.mark.parametrize("schema, expected", [
    ({"const": "x", "type": "string"}, "x"),
    ({"enum": [1, "a", None], "type": "string"}, "a"),  # the first member that fits
    ({"enum": ["ab", "abc", "abcd"], "minLength": 3, "pattern": "d$"}, "abcd"),
    ({"type": "string", "nullable": True}, "string"),
    ({"type": ["string", "null"], "enum": [None]}, None),
    ({"type": ["null", "boolean"]}, True),
    ({"type": "string", "example": 5}, "string"),  # an example of the wrong type is skipped
    ({"type": "integer", "minimum": 1, "default": 0}, 1),
    ({"type": "string", "examples": ["x", "long enough"], "minLength": 3}, "long enough"),
    ({"type": "object", "required": ["a"], "example": {"b": 1}}, {"a": "string"}),
    ({"type": "string", "format": "email", "minLength": 30},
     "user" + "x" * 30 + "@example.com"),
    ({"type": "string", "format": "hostname"}, "example.com"),
    ({"type": "string", "format": "ipv6"}, "2001:db8::1"),
    ({"type": "string", "format": "byte"}, "ZXhhbXBsZQ=="),
    ({"type": "string", "format": "time"}, "00:00:00Z"),
    ({"type": "string", "format": "uri"}, "https://example.com/"),
    ({"type": "string", "format": "unheard-of", "maxLength": 2}, "st"),
])
def test_values_and_formats(schema, expected):
    check(schema, expected)


def test_openapi_example_that_does_not_validate_is_replaced():
    # deeper than the cheap check looks: found by validation, then repaired
    schema = {"type": "object", "properties": {"tags": {
        "type": "array", "items": {"type": "integer"}, "example": [1, "two"]}}}
    check(schema, {"tags": [0]})


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": []},
    {"items": 5},
    {"$ref": "https://example.com/elsewhere.json"},
    {"allOf": [{"$ref": "#"}], "type": "string"},
    {"anyOf": [{"$ref": "#"}]},
    {"pattern": "("},
    {"type": "string", "pattern": "(?=a)b"},
    {"$ref": "#/$defs/A", "$defs": {"A": {"type": "object", "required": ["a"],
                                          "properties": {"a": {"$ref": "#/$defs/A"}}}}},
    {"required": "a"}, {"enum": "x"}, {"type": 5}, {"minimum": "3"}, {"oneOf": []},
    {"not": {}}, {"multipleOf": 0}, {"type": "number", "minimum": float("inf")},
    {"type": "integer", "minimum": 1e308, "multipleOf": 0.1},
    {"type": "object", "required": ["a", "b"], "not": {"required": ["a", "b"]}},
    {"$schema": "http://example.com/not-a-draft", "type": "string"},
])
def test_strange_schemas_never_raise(schema):
    first = example_for(schema)
    assert example_for(schema) == first


def test_draft_07_schema_is_validated_as_draft_07():
    schema = {"$schema": "http://json-schema.org/draft-07/schema#",
              "type": "array", "items": [{"type": "integer"}], "additionalItems": False}
    assert example_for(schema) == [0]


@pytest.mark.parametrize("schema, expected", [
    # a not with two bounds: the numbers between come last
    ({"type": "number", "not": {"type": "number", "minimum": -1.5, "maximum": 1.1}}, -2),
    ({"type": "integer", "minimum": 0, "not": {"type": "number", "minimum": 0, "maximum": 9}},
     10),
    # formats of several allOf members: their examples in turn
    ({"allOf": [{"type": "string", "format": "hostname"}, {"format": "date"}]}, "2024-01-01"),
    # multipleOf of several members: their least common multiple, floats too
    ({"allOf": [{"multipleOf": 0.25}, {"multipleOf": 2.5}], "type": "number",
      "minimum": 0.07}, 2.5),
    # unique items differ by type, or by a made-up property
    ({"type": "array", "uniqueItems": True, "minItems": 3,
      "items": {"type": ["string", "null"]}}, ["string", None, "string2"]),
    ({"type": "array", "uniqueItems": True, "minItems": 3,
      "items": {"type": "object", "additionalProperties": {"type": "null"}}},
     [{}, {"property1": None}, {"property2": None}]),
    # a oneOf's branches told apart by an item: [0] would match both
    ({"oneOf": [{"type": "array", "items": {"type": ["number", "null"]}},
                {"type": "array", "items": {"type": "number"}}]}, [None]),
])
def test_found_by_trying(schema, expected):
    check(schema, expected)
