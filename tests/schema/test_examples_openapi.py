"""Every component schema of two large public OpenAPI documents (GitHub's and Stripe's REST
APIs): the example generated with the whole document as ``root`` validates against it.

The documents live outside the repository (../shared/reference/openapi/ beside the checkout,
or $SPECCLIENT_SHARED_DIR, or /work/shared); the test is skipped where they are absent. They
are OpenAPI 3.0: for validation, a copy has ``nullable: true`` turned into a type list (and
null added to an ``enum``), the way the OpenAPI importer converts them.
"""

from __future__ import annotations

import json
import os
import pathlib

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from specclient.schema.examples import example_for

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCUMENTS = {"github": "github/api.github.com.json", "stripe": "stripe/spec3.json"}
URI = "urn:specclient-test:openapi"


def found(name):
    """The document's path: under $SPECCLIENT_SHARED_DIR, else ../shared beside the checkout,
    else /work/shared (as tests/support finds Ingram's); None when absent."""
    folders = [pathlib.Path(os.environ["SPECCLIENT_SHARED_DIR"])] \
        if os.environ.get("SPECCLIENT_SHARED_DIR") else []
    folders += [REPO.parent / "shared", pathlib.Path("/work/shared")]
    paths = (f / "reference" / "openapi" / DOCUMENTS[name] for f in folders)
    return next((p for p in paths if p.is_file()), None)


def nullable_as_type(node):
    """OpenAPI 3.0's ``nullable: true`` in JSON Schema 2020-12 terms (a copy)."""
    if isinstance(node, list):
        return [nullable_as_type(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: v if k in ("example", "examples", "default", "enum", "const")
           else nullable_as_type(v) for k, v in node.items()}
    if out.pop("nullable", False) is True:
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
            if isinstance(out.get("enum"), list) and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        elif isinstance(out.get("enum"), list):
            if None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        elif any(k in out for k in ("allOf", "oneOf", "anyOf", "$ref")):
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def load(path):
    """The document, and a validator for the schema at a JSON pointer in it (its references
    resolved in the document, OpenAPI 3.0's nullable read as a type)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    resource = Resource.from_contents(nullable_as_type(doc), default_specification=DRAFT202012)
    registry = Registry().with_resource(URI, resource)
    cls = jsonschema.Draft202012Validator

    def validator_for(pointer):
        return cls({"$ref": f"{URI}#{pointer}"}, registry=registry,
                   format_checker=cls.FORMAT_CHECKER)
    return doc, validator_for


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_component_schema_example_validates(name):
    path = found(name)
    if path is None:
        pytest.skip(f"{name}'s OpenAPI document is not here")
    doc, validator_for = load(path)
    schemas = doc["components"]["schemas"]
    failures = []
    for key, schema in schemas.items():
        value = example_for(schema, doc)
        assert example_for(schema, doc) == value  # deterministic
        error = jsonschema.exceptions.best_match(
            validator_for(f"/components/schemas/{key}").iter_errors(value))
        if error is not None:
            failures.append(f"{key}: at {list(error.absolute_path)}: {error.message[:200]}")
    print(f"\n{name}: {len(schemas) - len(failures)} of {len(schemas)} component schemas "
          f"give an example that validates")
    assert not failures, "\n".join(failures)


def request_bodies(doc):
    """(JSON pointer, schema) of every operation's request body."""
    for path, item in doc.get("paths", {}).items():
        escaped = path.replace("~", "~0").replace("/", "~1")
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            for media, body in ((op.get("requestBody") or {}).get("content") or {}).items():
                if "schema" in body:
                    yield (f"/paths/{escaped}/{method}/requestBody/content/"
                           f"{media.replace('~', '~0').replace('/', '~1')}/schema",
                           body["schema"])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_request_body_example_validates(name):
    path = found(name)
    if path is None:
        pytest.skip(f"{name}'s OpenAPI document is not here")
    doc, validator_for = load(path)
    failures = []
    bodies = list(request_bodies(doc))
    for pointer, schema in bodies:
        value = example_for(schema, doc, direction="request")
        error = jsonschema.exceptions.best_match(validator_for(pointer).iter_errors(value))
        if error is not None:
            failures.append(f"{pointer}: at {list(error.absolute_path)}: {error.message[:200]}")
    print(f"\n{name}: {len(bodies) - len(failures)} of {len(bodies)} request bodies give an "
          f"example that validates")
    assert not failures, "\n".join(failures)
