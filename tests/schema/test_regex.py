"""Patterns run on RE2 everywhere, with jsonschema's verdicts and messages otherwise."""

from __future__ import annotations

import time

import jsonschema
import pytest

from specclient.schema.regex import UnsafePattern, compile_pattern, linear_validator
from specclient.schema.validation import SchemaValidator

UNEVALUATED = [
    ({"properties": {"a": {}}, "unevaluatedProperties": False}, {"a": 1, "b": 2}),
    ({"properties": {"a": {}}, "unevaluatedProperties": False}, {"a": 1}),
    ({"patternProperties": {"^x-": {}}, "unevaluatedProperties": False}, {"x-a": 1, "y": 2}),
    ({"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False}, {"a": 1}),
    ({"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False}, {"a": 1, "b": 1}),
    ({"anyOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"b": {}}}],
      "unevaluatedProperties": False}, {"a": 1, "b": 2}),
    ({"if": {"properties": {"k": {"const": 1}}}, "then": {"properties": {"t": {}}},
      "else": {"properties": {"e": {}}}, "unevaluatedProperties": False}, {"k": 1, "t": 0}),
    ({"if": {"properties": {"k": {"const": 1}}, "required": ["k"]},
      "then": {"properties": {"t": {}}}, "else": {"properties": {"e": {}}},
      "unevaluatedProperties": False}, {"k": 2, "t": 0}),
    ({"dependentSchemas": {"a": {"properties": {"b": {}}}}, "properties": {"a": {}},
      "unevaluatedProperties": False}, {"a": 1, "b": 2}),
    ({"$defs": {"A": {"properties": {"a": {}}}}, "$ref": "#/$defs/A",
      "unevaluatedProperties": False}, {"a": 1, "z": 1}),
    ({"properties": {"a": {}}, "unevaluatedProperties": {"type": "integer"}},
     {"a": "s", "b": 1, "c": "x"}),
    ({"additionalProperties": {"type": "integer"}, "unevaluatedProperties": False},
     {"a": 1, "b": "x"}),
]


@pytest.mark.parametrize("schema,value", UNEVALUATED, ids=repr)
def test_unevaluated_properties_agree_with_jsonschema(schema, value):
    ours = [e.message for e in linear_validator(jsonschema.Draft202012Validator, schema)(
        schema).iter_errors(value)]
    theirs = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(value)]
    assert sorted(ours) == sorted(theirs)


def test_a_hostile_pattern_under_unevaluated_properties_cannot_hang_an_explanation():
    schema = {"patternProperties": {"^(a+)+$": {"type": "integer"}},
              "unevaluatedProperties": False}
    started = time.monotonic()
    violations = SchemaValidator(schema).violations({"a" * 40 + "!": 1}, "body")
    assert time.monotonic() - started < 1
    assert violations and "Unevaluated properties are not allowed" in violations[0].message


@pytest.mark.parametrize("pattern", ["(a)\\1", "(?=a)", "(?<!a)b", "[", "a{2,1}"])
def test_patterns_re2_cannot_run_are_refused(pattern):
    with pytest.raises(UnsafePattern):
        compile_pattern(pattern)


def test_a_pattern_is_compiled_once():
    assert compile_pattern("^ab+$") is compile_pattern("^ab+$")
