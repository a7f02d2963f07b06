"""Whatever a document gets wrong, the import carries on and its result loads.

Hypothesis mutates the test documents (any node replaced by junk: wrong types, dangling and
circular references, invalid schemas, YAML dates) and checks that the import either refuses the
document as a whole with a SpecError, or writes a folder whose every operation passes the
loader, whose schemas are valid JSON Schema and whose kept examples match them.
"""

from __future__ import annotations

import copy
import datetime
import tempfile

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.openapi_support import HERE

import specclient
from specclient.openapi import import_openapi
from specclient.schema.validation import SchemaValidator

pytestmark = pytest.mark.slow  # left out by `pytest -m "not slow"`

DOCS = [yaml.safe_load((HERE / name).read_text()) for name in
        ("petstore-3.1.yaml", "shop-swagger2.yaml", "messy-3.0.yaml")]

JUNK = st.sampled_from([
    None, 0, 5, -1.5, "", "x", "string", True, [], {}, [1, "a"], {"a": 1},
    {"$ref": "#/components/schemas/Nope"}, {"$ref": "#/definitions/Nope"},
    {"$ref": "#/components/schemas/Pet/properties/zz"}, {"$ref": "#/components/schemas/Pet"},
    {"$ref": "#/definitions/Order"}, {"$ref": "other.yaml#/A"}, {"$ref": 5},
    {"type": "strin"}, {"type": ["string", 5]}, {"enum": "x"}, {"required": "x"},
    {"properties": []}, {"items": 3}, {"type": "integer", "default": "1"},
    {"type": "string", "nullable": True, "x-foo": 1}, {"name": "body", "in": "query"},
    {"name": "p", "in": "path"}, {"in": "header", "name": "Bad Header:"},
    datetime.date(2024, 1, 2), {"example": datetime.date(2024, 1, 2), "type": "string"},
    {"type": "object", "required": ["ghost"], "properties": {"a": {"type": "string"}}},
    {"allOf": [{"$ref": "#/components/schemas/Category"}], "nullable": True},
    {"oneOf": 5}, {"application/json": {"schema": {"type": "string"}, "example": 5}},
    {"200": {"description": 5}}, [{"api_key": ["x"]}, {}], [{"nope": []}],
    {"url": "ftp://x"}, {"url": "https://{v}.example.com"},
])


def _paths(node, prefix=()):
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(prefix + (k,))
            out.extend(_paths(v, prefix + (k,)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append(prefix + (i,))
            out.extend(_paths(v, prefix + (i,)))
    return out


def _mutate(doc, index, junk):
    paths = _paths(doc)
    path = paths[index % len(paths)]
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = copy.deepcopy(junk)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Found by hypothesis: a self-referencing example made the example check recurse, and the
# handler named an exception jsonschema does not have (AttributeError instead of a warning).
@example(which=0, mutations=[(401852, {"$ref": "#/components/schemas/Pet"})])
@given(st.sampled_from(range(len(DOCS))),
       st.lists(st.tuples(st.integers(0, 10**6), JUNK), min_size=1, max_size=4))
def test_mutated_documents_import_and_load(which, mutations):
    doc = copy.deepcopy(DOCS[which])
    for index, junk in mutations:
        _mutate(doc, index, junk)
    try:
        result = import_openapi(doc, "fuzz")
    except specclient.SpecError as exc:  # only the document as a whole may be refused
        assert any(s in str(exc) for s in ("not an OpenAPI", "has no paths",
                                           "expected a mapping")), str(exc)
        return
    with tempfile.TemporaryDirectory() as out:
        result.write(out)
        with specclient.Client(spec_dirs=[out], include_bundled=False) as client:
            client.catalog.aliases()  # no alias clashes
            for name in client.operations():
                op = client.operation(name)  # passes every loader check
                pairs = [(p.schema, p.example) for p in op.parameters
                         if p.example is not None]
                schemas = [p.schema for p in op.parameters]
                if op.body is not None:
                    schemas.append(op.body.schema)
                    if op.body.example is not None:
                        pairs.append((op.body.schema, op.body.example))
                for r in op.responses.values():
                    if r.schema is not None:
                        schemas.append(r.schema)
                        if r.example is not None:
                            pairs.append((r.schema, r.example))
                for schema in schemas:
                    jsonschema.Draft202012Validator.check_schema(schema)
                for schema, example in pairs:
                    assert SchemaValidator(schema).violations(example, "x") == []
