"""The fast validation path agrees with jsonschema, and failures keep their full report."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import specclient
from conftest import CREDS, SPECS
from specclient.schema.validation import SchemaValidator, fast_compilable

CLIENT = specclient.Client(include_bundled=True)


def seed_schemas() -> list[tuple[str, object, object]]:
    """(label, schema, example) for every schema in the seed specs."""
    out = []
    for name in CLIENT.operations():
        op = CLIENT.operation(name)
        if op.body is not None:
            out.append((f"{name} body", op.body.schema, op.body.example))
        for p in op.parameters:
            out.append((f"{name} {p.name}", p.schema, p.example))
        for status, r in op.responses.items():
            if r.schema is not None:
                out.append((f"{name} {status}", r.schema, r.example))
    return out


EXTRA = [
    ("formats", {"type": "object", "properties": {
        "when": {"type": "string", "format": "date-time"},
        "mail": {"type": "string", "format": "email"},
        "uri": {"type": "string", "format": "uri"}}, "required": ["when"]},
     {"when": "2021-11-01T13:02:06Z", "mail": "a@b.c", "uri": "https://x"}),
    ("recursive tree", {"$ref": "#/$defs/node", "$defs": {"node": {
        "type": "object", "required": ["name"], "additionalProperties": False,
        "properties": {"name": {"type": "string", "minLength": 1},
                       "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}},
     {"name": "root", "children": [{"name": "a", "children": [{"name": "b"}]}]}),
    ("numbers", {"type": "object", "properties": {
        "n": {"type": "integer", "minimum": 0, "exclusiveMaximum": 10},
        "x": {"type": "number", "multipleOf": 0.5},
        "s": {"enum": ["a", "b", None]}, "k": {"const": "fixed"},
        "p": {"type": "string", "pattern": "^[a-z]+-[0-9]+$"}}},
     {"n": 3, "x": 1.5, "s": "a", "k": "fixed", "p": "ab-12"}),
    ("combinators", {"oneOf": [{"type": "string", "maxLength": 3},
                               {"type": "array", "minItems": 1, "items": {"type": "integer"}}],
                     "not": {"const": "bad"}},
     [1, 2]),
]

CASES = seed_schemas() + EXTRA
IDS = [c[0] for c in CASES]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 20) | st.floats(allow_nan=False,
                                                                allow_infinity=False)
    | st.text(max_size=6) | st.sampled_from(["", "ab-12", "2021-11-01T13:02:06Z", "fixed"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["name", "children", "n", "x", "eventId", "resource",
                                       "lines", "_userId", "status", "when", "a"]),
                      inner, max_size=4),
    max_leaves=12)


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, (*prefix, i))


@st.composite
def mutated(draw, example):
    """The example with one part replaced by another JSON value, or removed."""
    value = copy.deepcopy(example)
    where = draw(st.sampled_from(list(paths(value))))
    if not where:
        return draw(json_values)
    parent = value
    for part in where[:-1]:
        parent = parent[part]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[where[-1]]
    else:
        parent[where[-1]] = draw(json_values)
    return value


def verdicts(schema, instance):
    v = SchemaValidator(schema)
    assert v.uses_fast_path
    fast = v._fast(instance)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return fast, cls(schema).is_valid(instance)


@pytest.mark.parametrize("label,schema,example", CASES, ids=IDS)
def test_every_seed_schema_takes_the_fast_path_and_its_example_passes(label, schema, example):
    v = SchemaValidator(schema)
    assert v.uses_fast_path
    if example is not None:
        assert verdicts(schema, example) == (True, True)
        assert v.is_valid(example) and v.violations(example, "body") == []


@pytest.mark.slow
@pytest.mark.parametrize("label,schema,example", CASES, ids=IDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_and_jsonschema_agree(label, schema, example, data):
    instance = data.draw(mutated(example) if example is not None else json_values)
    fast, slow = verdicts(schema, instance)
    assert fast == slow, (label, json.dumps(instance))
    assert SchemaValidator(schema).is_valid(instance) == slow


@pytest.mark.parametrize("schema", [
    {"type": "array", "prefixItems": [{"type": "string"}]},
    {"type": "object", "unevaluatedProperties": False},
    {"type": "array", "uniqueItems": True},
    {"$ref": "#/$defs/a", "minLength": 2, "$defs": {"a": {"type": "string"}}},
    {"dependentRequired": {"a": ["b"]}},
    {"$ref": "https://example.com/schema.json"},
    {"$schema": "http://json-schema.org/draft-04/schema#", "type": "string"},
])
def test_keywords_the_fast_path_cannot_be_trusted_with_go_to_jsonschema(schema):
    assert not fast_compilable(schema)
    assert not SchemaValidator(schema).uses_fast_path


@pytest.mark.parametrize("schema,good,bad", [
    ({"type": "array", "uniqueItems": True}, [1, True], [1, 1]),
    ({"enum": [1, 2]}, 1, True),
    ({"$ref": "#/$defs/a", "minLength": 2, "$defs": {"a": {"type": "string"}}}, "ab", "a"),
])
def test_jsonschema_semantics_where_the_fast_path_would_differ(schema, good, bad):
    v = SchemaValidator(schema)
    assert v.is_valid(good) and not v.is_valid(bad)


def test_a_schema_the_fast_compiler_rejects_falls_back_silently(monkeypatch):
    from specclient.schema import compiled as schemacheck

    monkeypatch.setattr(schemacheck, "compile_check", lambda schema: None)
    v = SchemaValidator({"type": "object", "required": ["a"]})
    assert not v.uses_fast_path
    assert v.is_valid({"a": 1}) and not v.is_valid({})
    assert [x.path for x in v.violations({}, "body")] == ["body.a"]


def test_the_fast_path_never_fills_in_defaults():
    schema = {"type": "object", "properties": {"a": {"type": "string", "default": "x"}}}
    value: dict = {}
    assert SchemaValidator(schema).is_valid(value)
    assert value == {}


def test_a_failing_body_reports_every_violation_with_its_json_path(client):
    body = copy.deepcopy(client.operation("ingram.order_status_event").body.example)
    del body["eventId"]
    body["topic"] = 7
    body["resource"][0]["lines"][0]["shipmentDetails"] = "none"
    with pytest.raises(specclient.ValidationError) as exc:
        client.prepare("ingram.order_status_event", body, targeturl="https://h.example/x",
                       dry_run=True)
    got = [(v.path, v.message) for v in exc.value.violations]
    assert got == [
        ("body.eventId", "required property is missing"),
        ("body.resource[0].lines[0].shipmentDetails", "'none' is not of type 'array'"),
        ("body.topic", "7 is not of type 'string'"),
    ]


def test_a_passing_call_does_not_import_jsonschema(tmp_path):
    """With a cold or a warm cache, a dry-run call never imports jsonschema (~60 ms, or far
    more with optional format packages installed)."""
    env = {**os.environ, "SPECCLIENT_CACHE_DIR": str(tmp_path / "cache"), **CREDS}
    env.pop("SPECCLIENT_SPECS", None)
    code = (
        "import sys, specclient\n"
        "c = specclient.Client()\n"
        "op = c.operation('thirdwatch.order_status')\n"
        "c.prepare('thirdwatch.order_status', op.body.example)\n"
        "c.prepare('ingram.order_status_event', c.operation('ingram.order_status_event')"
        ".body.example, targeturl='https://h.example/x', dry_run=True)\n"
        "print('jsonschema' in sys.modules)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, timeout=120, cwd=str(SPECS.parent)) for _ in range(2)]
    assert [r.stderr for r in runs] == ["", ""]
    # cold too: the spec-format check of good files is compiled (schemacheck); jsonschema
    # only explains a file that breaks the format
    assert [r.stdout.strip() for r in runs] == ["False", "False"]
