"""Property tests: any body that fits an operation's schema is built, validated and sent byte
for byte; any body that breaks it is refused before the wire (zero HTTP calls, no token fetch).

Bodies come from a small strategy-from-JSON-Schema written here for the keywords the schemas
use (type and type lists, properties, required, additionalProperties, items, min/maxItems,
min/maxLength, minimum/maximum, enum, const, local ``$ref`` with recursion). hypothesis-jsonschema
is on PyPI (0.23.1, checked with ``pip index versions``) but is not used: it targets JSON
Schema drafts 4 to 7 while our schemas are 2020-12, and the subset needed here is small enough
that another test dependency would not pay for itself.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import hypothesis.strategies as st
import pytest
import responses
from hypothesis import HealthCheck, given, settings

import specclient
from conftest import CREDS, INGRAM_TOKEN_URL, INGRAM_URL, THIRDWATCH_URL, hub_signature
from specclient.schema.validation import SchemaValidator

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# ------------------------------------------------------------------ strategy from a schema

JSON_SCALARS = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
ANY_JSON = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
TYPE_CHECK = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)
                          or isinstance(v, float) and v.is_integer()),  # as JSON Schema says
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}
OF_TYPE = {
    "string": st.text(max_size=8),
    "integer": st.integers(-1000, 1000),
    "number": st.floats(-1e6, 1e6, allow_nan=False),
    "boolean": st.booleans(),
    "null": st.none(),
    "object": st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    "array": st.lists(st.integers(), max_size=2),
}


def deref(schema: Any, root: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), ref
        node = root
        for part in ref[2:].split("/"):
            node = node[part]
        schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def from_schema(schema: Any, root: Any = None, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that satisfy ``schema`` (for the keyword subset in the module docstring)."""
    root = schema if root is None else root
    if schema is True or schema == {}:
        return ANY_JSON
    if schema is False:
        return st.nothing()
    schema = deref(schema, root)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    types = schema.get("type", "object" if "properties" in schema else None)
    if types is None:
        return ANY_JSON
    if isinstance(types, list):
        return st.one_of(*(from_schema({**schema, "type": t}, root, depth) for t in types))
    if types == "string":
        return st.text(min_size=schema.get("minLength", 0),
                       max_size=schema.get("maxLength", max(schema.get("minLength", 0), 12)))
    if types == "integer":
        return st.integers(schema.get("minimum", -10**9), schema.get("maximum", 10**9))
    if types == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False,
                         allow_infinity=False)
    if types == "boolean":
        return st.booleans()
    if types == "null":
        return st.none()
    if types == "array":
        hi = schema.get("maxItems", 3 if depth < 3 else 0)
        lo = schema.get("minItems", 0)
        return st.lists(from_schema(schema.get("items", True), root, depth + 1),
                        min_size=lo, max_size=max(lo, hi))
    assert types == "object", types
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    fixed = {k: from_schema(v, root, depth + 1) for k, v in props.items() if k in required}
    optional = {k: from_schema(v, root, depth + 1) for k, v in props.items()
                if k not in required and depth < 4}
    extra = schema.get("additionalProperties", True)
    base = st.fixed_dictionaries(fixed, optional=optional)
    if extra is False:
        return base
    extra_values = ANY_JSON if extra is True else from_schema(extra, root, depth + 1)
    extras = st.dictionaries(st.text(max_size=6).filter(lambda k: k not in props),
                             extra_values, max_size=2)
    return st.builds(lambda b, e: {**e, **b}, base, extras)


def wrong_value(schema: Any, root: Any) -> st.SearchStrategy[Any]:
    """Values of a JSON type that ``schema`` does not allow (``schema`` must give a type)."""
    schema = deref(schema, root)
    allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    others = [t for t in OF_TYPE if t not in allowed and not (t == "integer" and "number"
                                                                in allowed)]
    return st.sampled_from(others).flatmap(lambda t: OF_TYPE[t]).filter(
        lambda v: not any(TYPE_CHECK[t](v) for t in allowed))


def typed_properties(schema: dict) -> list[str]:
    return sorted(k for k, v in schema.get("properties", {}).items()
                  if "type" in deref(v, schema))


def wire(body: Any) -> bytes:
    """The bytes a JSON body must go out as, computed independently of specclient."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


# ------------------------------------------------------------------ thirdwatch

CLIENT = specclient.Client(credentials=CREDS)
TW = CLIENT.operation("thirdwatch.order_status").body.schema
IG = CLIENT.operation("ingram.order_status_event").body.schema


@SETTINGS
@given(body=from_schema({**TW, "required": ["_userId"]}))  # from_schema knows no if/then
def test_thirdwatch_valid_bodies_go_out_byte_exact(body):
    assert SchemaValidator(TW).is_valid(body)
    with responses.RequestsMock() as mocked:
        mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
        resp = CLIENT.call("thirdwatch.order_status", body=body)
        assert resp.status_code == 200 and len(mocked.calls) == 1
        sent = mocked.calls[0].request
    assert sent.body == wire(body)
    assert sent.headers["X-THIRDWATCH-API-KEY"] == CREDS["THIRDWATCH_API_KEY"]


def broken(schema: dict) -> st.SearchStrategy[tuple[Any, str]]:
    """(body, JSON path of what was broken) for bodies that break ``schema``."""
    required = sorted(schema.get("required", []))
    typed = typed_properties(schema)

    @st.composite
    def make(draw: Any) -> tuple[Any, str]:
        how = draw(st.sampled_from(["drop", "retype", "top"]))
        if how == "top":
            return draw(ANY_JSON.filter(lambda v: not isinstance(v, (dict, str)))), "body"
        body = copy.deepcopy(draw(from_schema(schema)))
        if how == "drop" and required:
            key = draw(st.sampled_from(required))
            del body[key]
            return body, f"body.{key}"
        key = draw(st.sampled_from(typed))
        body[key] = draw(wrong_value(schema["properties"][key], schema))
        return body, f"body.{key}"

    return make()


@SETTINGS
@given(case=broken(TW))
def test_thirdwatch_invalid_bodies_never_reach_the_wire(case):
    body, path = case
    assert not SchemaValidator(TW).is_valid(body)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
        with pytest.raises(specclient.ValidationError) as info:
            CLIENT.call("thirdwatch.order_status", body=body)
        assert len(mocked.calls) == 0
    assert any(v.path.startswith(path) for v in info.value.violations), info.value


# ------------------------------------------------------------------ ingram (OAuth2 + HMAC)


@SETTINGS
@given(body=from_schema(IG))
def test_ingram_valid_bodies_signed_and_sent_byte_exact(body):
    client = specclient.Client(credentials=CREDS)
    with responses.RequestsMock() as mocked:
        mocked.add(responses.POST, INGRAM_TOKEN_URL, json={"access_token": "T", "expires_in": 60})
        mocked.add(responses.POST, INGRAM_URL)
        client.call("ingram.order_status_event", body=body, targeturl="https://h.example/x")
        sent = mocked.calls[1].request
    assert sent.body == wire(body)
    assert sent.headers["x-hub-signature"] == hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"],
                                                             body["eventId"])
    assert sent.headers["Authorization"] == "Bearer T"


@SETTINGS
@given(case=broken(IG))
def test_ingram_invalid_bodies_fetch_no_token_and_send_nothing(case):
    body, path = case
    client = specclient.Client(credentials=CREDS)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add(responses.POST, INGRAM_TOKEN_URL, json={"access_token": "T"})
        mocked.add(responses.POST, INGRAM_URL)
        with pytest.raises(specclient.ValidationError) as info:
            client.call("ingram.order_status_event", body=body, targeturl="https://h.example/x")
        assert len(mocked.calls) == 0
    assert any(v.path.startswith(path) for v in info.value.violations), info.value


# ------------------------------------------------------------------ a richer schema

RICH = """
type: object
required: [sku, qty, kind, tree]
additionalProperties: false
properties:
  sku: {type: string, minLength: 3, maxLength: 10}
  qty: {type: integer, minimum: 1, maximum: 99}
  price: {type: number, minimum: 0}
  kind: {enum: [box, bag, crate]}
  gift: {type: boolean}
  note: {type: [string, "null"]}
  tags: {type: array, items: {type: string}, maxItems: 3}
  tree: {$ref: "#/$defs/node"}
$defs:
  node:
    type: object
    required: [name]
    properties:
      name: {type: string}
      kids: {type: array, items: {$ref: "#/$defs/node"}}
"""


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    root = tmp_path_factory.mktemp("rich")
    folder = root / "store"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text("environments: {live: 'https://store.example.com'}\n")
    (folder / "schemas").mkdir()
    (folder / "schemas" / "item.yaml").write_text(RICH)
    (folder / "operations" / "put.yaml").write_text(
        "method: PUT\npath: /items\nbody: {schema: {$ref: ../schemas/item.yaml}}\n")
    client = specclient.Client([root], include_bundled=False)
    return client, client.operation("store.put").body.schema


def rich_cases() -> st.SearchStrategy[tuple[bool, Any]]:
    import yaml

    schema = yaml.safe_load(RICH)
    good = from_schema(schema).map(lambda b: (True, b))
    bad = broken(schema).map(lambda c: (False, c[0]))
    return good | bad


@SETTINGS
@given(case=rich_cases())
def test_rich_schema_valid_sent_invalid_refused(rich, case):
    client, schema = rich
    ok, body = case
    assert SchemaValidator(schema).is_valid(body) is ok
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add(responses.PUT, "https://store.example.com/items")
        if ok:
            client.call("store.put", body=body)
            assert mocked.calls[0].request.body == wire(body)
        else:
            with pytest.raises(specclient.ValidationError):
                client.call("store.put", body=body)
            assert len(mocked.calls) == 0
