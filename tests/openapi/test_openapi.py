"""OpenAPI import and export on documents written for the tests (tests/openapi/): the wire of
every imported operation, the warnings a messy document gets, and the round trip."""

from __future__ import annotations

import base64
import json
import pathlib
import urllib.parse

import jsonschema
import pytest
import responses
import yaml
from support.openapi_support import HERE, read_tree

import specclient
from conftest import CREDS, hub_signature
from specclient.cli import main
from specclient.openapi import export_openapi, import_openapi, openapi_text

PETSTORE = HERE / "petstore-3.1.yaml"
SHOP = HERE / "shop-swagger2.yaml"
MESSY = HERE / "messy-3.0.yaml"

PET_CREDS = {"PETSTORE_API_KEY": "pet-key-123456", "PETSTORE_USERNAME": "ann",
             "PETSTORE_PASSWORD": "pw-secret-987", "SHOP_CLIENT_ID": "shop-id",
             "SHOP_CLIENT_SECRET": "shop-secret-555", "SHOP_API_KEY": "shop-key-777"}
PET_BASE = "https://eu.pets.example.com/v2"
SHOP_BASE = "https://api.shop.example.com/v1"


def imported_client(tmp_path, doc, service):
    result = import_openapi(doc, service)
    result.write(tmp_path)
    return specclient.Client(spec_dirs=[tmp_path], credentials=PET_CREDS,
                             include_bundled=False), result


@pytest.fixture
def pets(tmp_path):
    c, result = imported_client(tmp_path, PETSTORE, "petstore")
    assert result.warnings == []
    yield c
    c.close()


@pytest.fixture
def shop(tmp_path):
    c, result = imported_client(tmp_path, SHOP, "shop")
    assert result.warnings == []
    yield c
    c.close()


# ---------------------------------------------------------------------- OpenAPI 3.1


def test_petstore_service_and_names(pets, tmp_path):
    assert pets.operations() == ["petstore.add_pet", "petstore.get_categories_tree",
                                 "petstore.list_pets", "petstore.put_note"]
    svc = pets.operation("petstore.list_pets").service
    # Server variables take their defaults; names come from the descriptions.
    assert svc.environments == {"production": PET_BASE,
                                "sandbox": "https://sandbox.pets.example.com/v2"}
    assert svc.default_environment == "production"
    assert pets.operation("listPets") is pets.operation("petstore.list_pets")
    assert pets.operation("categories_tree_get").name == "get_categories_tree"
    assert (tmp_path / "petstore" / "schemas" / "Pet.yaml").read_text().startswith(
        "# yaml-language-server: $schema=https://json-schema.org/draft/2020-12/schema\n")
    assert yaml.safe_load((tmp_path / "petstore/schemas/Pet.yaml").read_text()) == {
        "allOf": [{"$ref": "NewPet.yaml"},
                  {"type": "object", "required": ["id"],
                   "properties": {"id": {"type": "integer"}}}]}


def test_petstore_path_query_header_and_api_key_on_the_wire(pets, mocked):
    mocked.add(responses.GET, f"{PET_BASE}/owners/7/pets",
               json=[{"id": 1, "name": "Rex", "kind": {"type": "dog"}}])
    resp = pets.call("listPets", owner_id=7, tag=["a b", "c"], x_request_id="r-1",
                     response_validation="strict")
    assert resp.data == [{"id": 1, "name": "Rex", "kind": {"type": "dog"}}]
    sent = mocked.calls[0].request
    assert sent.url == f"{PET_BASE}/owners/7/pets?tag=a%20b&tag=c"  # no default sent
    assert sent.headers["X-API-Key"] == "pet-key-123456"
    assert sent.headers["X-Request-Id"] == "r-1"
    assert sent.body is None
    with pytest.raises(specclient.ValidationError) as exc:
        pets.prepare("petstore.list_pets", owner_id=0, x_request_id="r", limit=101)
    assert [v.path for v in exc.value.violations] == ["path.ownerId", "query.limit"]


def test_petstore_json_body_with_oneof_and_nullable(pets, mocked):
    mocked.add(responses.POST, f"{PET_BASE}/owners/7/pets", status=201,
               json={"id": 9, "name": "Rex", "kind": {"type": "dog", "barks": True},
                     "owner": None})
    op = pets.operation("petstore.add_pet")
    assert op.body.example == {"name": "Rex", "kind": {"type": "dog", "barks": True},
                               "tags": ["good"], "owner": None}
    resp = pets.call("petstore.add_pet", op.body.example, owner_id=7,
                     response_validation="strict")
    assert resp.status_code == 201
    sent = mocked.calls[0].request
    assert sent.body == (b'{"name":"Rex","kind":{"type":"dog","barks":true},'
                         b'"tags":["good"],"owner":null}')
    assert sent.headers["Content-Type"] == "application/json"
    with pytest.raises(specclient.ValidationError) as exc:
        pets.prepare("petstore.add_pet", {"name": "Rex", "kind": {"type": "fish"},
                                          "owner": 5}, owner_id=7)
    assert [v.path for v in exc.value.violations] == ["body.kind.type", "body.owner"]


def test_petstore_form_body_and_basic_auth(pets, mocked):
    mocked.add(responses.PUT, f"{PET_BASE}/pets/p%2F1/notes", status=204)
    pets.call("petstore.put_note", {"note": "hi there", "stars": 5, "seen": ["a", "b"]},
              pet_id="p/1")
    sent = mocked.calls[0].request
    assert sent.body == b"note=hi+there&stars=5&seen=a&seen=b"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(
        b"ann:pw-secret-987").decode()
    assert "X-API-Key" not in sent.headers
    with pytest.raises(specclient.ValidationError) as exc:
        pets.prepare("petstore.put_note", {"stars": 6}, pet_id="p")
    assert [v.path for v in exc.value.violations] == ["body.note", "body.stars"]


def test_petstore_recursive_schema_and_no_auth(pets, mocked):
    tree = {"name": "all", "children": [{"name": "dogs", "children": [{"name": "small"}]}]}
    mocked.add(responses.GET, f"{PET_BASE}/categories/tree", json=tree)
    resp = pets.call("petstore.get_categories_tree", response_validation="strict")
    assert resp.data == tree
    sent = mocked.calls[0].request
    assert "X-API-Key" not in sent.headers and "Authorization" not in sent.headers
    bad = {"name": "all", "children": [{"name": "dogs", "children": [{"name": 5}]}]}
    mocked.replace(responses.GET, f"{PET_BASE}/categories/tree", json=bad)
    with pytest.raises(specclient.ValidationError) as exc:
        pets.call("petstore.get_categories_tree", response_validation="strict")
    assert [v.path for v in exc.value.violations] == ["response.children[0].children[0].name"]


def test_petstore_sandbox_environment(pets):
    req = pets.prepare("petstore.get_categories_tree", environment="sandbox")
    assert req.url == "https://sandbox.pets.example.com/v2/categories/tree"


# ---------------------------------------------------------------------- Swagger 2.0


def test_shop_oauth2_path_query_header_on_the_wire(shop, mocked):
    mocked.add(responses.POST, "https://auth.shop.example.com/token",
               json={"access_token": "tok-1", "expires_in": 3600})
    mocked.add(responses.GET, f"{SHOP_BASE}/orders/o%2F1",
               json={"id": "o/1", "lines": [{"sku": "A", "qty": 2}], "note": None})
    resp = shop.call("getOrder", order_id="o/1", expand=["lines", "parent"], x_trace="t-1",
                     response_validation="strict")
    assert resp.data["note"] is None
    token_req, call = mocked.calls[0].request, mocked.calls[1].request
    assert urllib.parse.parse_qs(token_req.body.decode()) == {
        "grant_type": ["client_credentials"], "client_id": ["shop-id"],
        "client_secret": ["shop-secret-555"], "scope": ["orders"]}
    assert call.url == f"{SHOP_BASE}/orders/o%2F1?expand=lines&expand=parent"
    assert call.headers["Authorization"] == "Bearer tok-1"
    assert call.headers["X-Trace"] == "t-1"
    with pytest.raises(specclient.ValidationError) as exc:
        shop.prepare("shop.get_order", order_id="o", expand=["everything"], dry_run=True)
    assert [v.path for v in exc.value.violations] == ["query.expand[0]"]


def test_shop_body_parameter_recursive_allof_and_x_nullable(shop):
    order = {"id": "o2", "note": None, "lines": [{"sku": "A", "qty": 1}],
             "parent": {"id": "o1", "parent": {"id": "o0"}},
             "total": {"amount": 9.5, "currency": "EUR"}}
    req = shop.prepare("shop.create_order", order, dry_run=True)
    assert req.method == "POST" and req.url == f"{SHOP_BASE}/orders"
    assert req.body == json.dumps(order, separators=(",", ":")).encode()
    bad = {"id": "o2", "note": 5, "lines": [{"qty": 0}], "parent": {"parent": {}},
           "total": {"currency": "GBP"}}
    with pytest.raises(specclient.ValidationError) as exc:
        shop.prepare("shop.create_order", bad, dry_run=True)
    assert [v.path for v in exc.value.violations] == [
        "body.lines[0].qty", "body.lines[0].sku", "body.note", "body.parent.id",
        "body.parent.parent.id", "body.total.currency"]


def test_shop_form_data_and_api_key_in_query(shop, mocked):
    mocked.add(responses.POST, f"{SHOP_BASE}/orders/o1/notes")
    shop.call("shop.add_note", {"text": "hello", "tags": ["a", "b"]}, order_id="o1")
    sent = mocked.calls[0].request
    assert sent.url == f"{SHOP_BASE}/orders/o1/notes?api_key=shop-key-777"
    assert sent.body == b"text=hello&tags=a&tags=b"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in sent.headers
    with pytest.raises(specclient.ArgumentError, match="missing the request body"):
        shop.prepare("shop.add_note", order_id="o1")


def test_shop_response_example_kept(shop):
    op = shop.operation("shop.get_order")
    assert op.responses["200"].example == {"id": "o1", "lines": [], "note": None}
    assert op.responses["404"].schema is None


# ---------------------------------------------------------------------- a messy document


def test_messy_document_warns_with_pointer_and_line_and_still_loads(tmp_path):
    result = import_openapi(MESSY, "messy")
    got = [(w.line, w.pointer, w.message) for w in result.warnings]
    assert got == [
        (6, "/x-logo", "vendor extension x-logo is not carried over"),
        (8, "/servers/0", "server URL '/relative' is not an absolute http(s) URL; skipped"),
        (15, "/paths/~1things~1{id}/get/x-internal",
         "vendor extension x-internal is not carried over"),
        (18, "/paths/~1things~1{id}/get/security/1",
         "2 alternative security requirements; using key only"),
        (23, "/paths/~1things~1{id}/get/parameters/1/schema/default",
         "default '1' does not match its schema ('1' is not of type 'integer'); dropped"),
        (24, "/paths/~1things~1{id}/get/parameters/2/in",
         "cookie parameter 'session' cannot be mapped (path, query and header can); skipped"),
        (27, "/paths/~1things~1{id}/get/parameters/3/schema/format",
         "unknown format 'date-ish' (kept as an annotation; not checked)"),
        (34, "/paths/~1things~1{id}/trace", "trace on a path cannot be mapped; ignored"),
        (38, "/paths/~1things~1{thingId}~1parts/get",
         "alias 'get_thing' would collide with operation 'get_thing'; not kept"),
        (38, "/paths/~1things~1{thingId}~1parts/get",
         "path parameter {thingId} is not declared; declared as a required string"),
        (39, "/paths/~1things~1{thingId}~1parts/get/operationId",
         "operation name 'get_thing' is taken; named 'get_thing_2'"),
        (46, "/components/schemas/Thing/required/1",
         "required names 'ghost', which is not one of the properties; dropped"),
        (62, "/components/schemas/Owner/x-vendor-note",
         "vendor extension x-vendor-note is not carried over"),
        (66, "/components/securitySchemes/oidc",
         "security scheme 'oidc' of type 'openIdConnect' cannot be mapped (api key, HTTP "
         "basic/bearer and OAuth2 client credentials can)"),
    ]
    assert str(result.warnings[0]) == f"{MESSY}:6: #/x-logo: vendor extension x-logo is not " \
                                      f"carried over"
    files = result.files
    thing = files["schemas/Thing.yaml"]
    assert thing["required"] == ["id"]
    assert thing["properties"]["label"] == {"type": ["string", "null"]}
    assert thing["properties"]["color"] == {"type": ["string", "null"],
                                            "enum": ["red", "blue", None]}
    assert thing["properties"]["owner"] == {"anyOf": [{"$ref": "Owner.yaml"},
                                                      {"type": "null"}]}
    assert thing["properties"]["x-extra"] == {"type": "string"}  # a property, not an extension
    page = files["operations/get_thing.yaml"]["parameters"]["page"]
    assert page["schema"] == {"type": "integer", "exclusiveMinimum": 0}
    assert "aliases" not in files["operations/get_thing.yaml"]  # "get-thing" is no name
    assert files["operations/get_thing_2.yaml"]["aliases"] == ["getThing"]
    result.write(tmp_path)
    with specclient.Client(spec_dirs=[tmp_path], credentials={"MESSY_API_KEY": "k-123456"},
                           include_bundled=False) as c:
        assert c.operations() == ["messy.get_thing", "messy.get_thing_2"]
        req = c.prepare("messy.get_thing", id=3, page=1)
        assert req.url == "https://api.messy.example.com/things/3?page=1"
        assert req.headers["X-Key"] == "k-123456"
        assert c.operation("getThing").name == "get_thing_2"
        req = c.prepare("messy.get_thing_2", thing_id="t")
        assert req.url == "https://api.messy.example.com/things/t/parts"


def test_not_openapi_is_an_error_with_its_place(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 4.0.0\npaths: {}\n")
    with pytest.raises(specclient.SpecError) as exc:
        import_openapi(bad, "x")
    assert str(exc.value) == (f"{bad}:1: not an OpenAPI 3.0/3.1 or Swagger 2.0 document "
                              f"(openapi/swagger: '4.0.0')")
    with pytest.raises(specclient.SpecError, match="service name 'a-b' must be a valid name"):
        import_openapi(PETSTORE, "a-b")


def test_json_source_gives_the_same_folder(tmp_path):
    doc = yaml.safe_load(PETSTORE.read_text())
    src = tmp_path / "petstore.json"
    src.write_text(json.dumps(doc, indent=1))
    from_json = import_openapi(src, "petstore")
    from_yaml = import_openapi(PETSTORE, "petstore")
    assert from_json.texts() == from_yaml.texts()


# ---------------------------------------------------------------------- export and round trip


def _resolve_pointer(doc, ref):
    node = doc
    for raw in ref[2:].split("/"):
        token = urllib.parse.unquote(raw).replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


OPENAPI_31_SHAPE = {
    "type": "object",
    "required": ["openapi", "info"],
    "anyOf": [{"required": ["paths"]}, {"required": ["components"]}],
    "properties": {
        "openapi": {"type": "string", "pattern": r"^3\.1\.\d+$"},
        "info": {"type": "object", "required": ["title", "version"],
                 "properties": {"title": {"type": "string"}, "version": {"type": "string"}}},
        "externalDocs": {"type": "object", "required": ["url"]},
        "security": {"type": "array", "items": {"type": "object"}},
        "tags": {"type": "array"},
        "webhooks": {"type": "object"},
        "jsonSchemaDialect": {"type": "string"},
        "servers": {"type": "array", "items": {
            "type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}}},
        "paths": {"type": "object", "propertyNames": {"pattern": "^/"},
                  "additionalProperties": {
                      "type": "object",
                      "propertyNames": {"enum": ["get", "put", "post", "delete", "options",
                                                 "head", "patch", "trace"]},
                      "additionalProperties": {"$ref": "#/$defs/operation"}}},
        "components": {"type": "object", "properties": {
            "schemas": {"type": "object", "additionalProperties": {"type": ["object",
                                                                            "boolean"]}},
            "securitySchemes": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["type"],
                "properties": {"type": {"enum": ["apiKey", "http", "oauth2", "mutualTLS",
                                                 "openIdConnect"]}}}}}},
    },
    "patternProperties": {"^x-": {}},
    "additionalProperties": False,
    "$defs": {
        "operation": {
            "type": "object",
            "patternProperties": {"^x-": {}},
            "additionalProperties": False,
            "properties": {
                "operationId": {"type": "string"}, "summary": {"type": "string"},
                "description": {"type": "string"}, "deprecated": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "security": {"type": "array", "items": {"type": "object"}},
                "parameters": {"type": "array", "items": {
                    "type": "object", "required": ["name", "in", "schema"],
                    "properties": {"in": {"enum": ["path", "query", "header", "cookie"]}},
                    "if": {"properties": {"in": {"const": "path"}}},
                    "then": {"required": ["required"],
                             "properties": {"required": {"const": True}}}}},
                "requestBody": {"type": "object", "required": ["content"]},
                "responses": {"type": "object", "minProperties": 1, "additionalProperties": {
                    "type": "object", "required": ["description"],
                    "properties": {"content": {"type": "object", "additionalProperties": {
                        "type": "object"}}}}},
            },
        },
    },
}


def check_openapi_31(doc):
    """Structural check of an OpenAPI 3.1 document: its shape, every schema a valid 2020-12
    schema, and every $ref resolving inside the document."""
    jsonschema.Draft202012Validator(OPENAPI_31_SHAPE).validate(doc)
    for schema in (doc.get("components", {}).get("schemas") or {}).values():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    for ref in refs:
        assert ref.startswith("#/"), ref
        _resolve_pointer(doc, ref)  # raises if it points at nothing
    return refs


@pytest.mark.parametrize("doc,service", [(PETSTORE, "petstore"), (SHOP, "shop"),
                                         (MESSY, "messy")])
def test_round_trip_changes_nothing(tmp_path, doc, service):
    first = pathlib.Path(import_openapi(doc, service).write(tmp_path / "a"))
    exported, warnings = export_openapi(service, spec_dirs=[tmp_path / "a"],
                                        include_bundled=False)
    assert warnings == []
    refs = check_openapi_31(exported)
    assert any(r.startswith("#/components/schemas/") for r in refs)
    out = tmp_path / "exported.yaml"
    out.write_text(openapi_text(exported))
    again = import_openapi(out, service)
    assert [w for w in again.warnings if "format" not in w.message] == []
    second = pathlib.Path(again.write(tmp_path / "b"))
    assert read_tree(second) == read_tree(first)


def test_export_of_the_bundled_ingram_spec_keeps_its_signing_rule(tmp_path, client,
                                                                 ingram_example):
    doc, warnings = export_openapi("ingram")
    assert warnings == []
    check_openapi_31(doc)
    assert list(doc["components"]["schemas"]) == ["order_status_event"]  # example inlined
    op = doc["paths"]["/resellers/v1/webhooks/orderstatusevent"]["post"]
    assert op["requestBody"]["content"]["application/json"]["example"] == ingram_example
    assert op["x-specclient"]["signing"] == "hub_signature"
    assert doc["x-specclient"]["signing"]["hub_signature"]["message"] == "{body.eventId}"
    # ... so that importing it back gives a spec that signs like the hand-written one.
    src = tmp_path / "ingram.yaml"
    src.write_text(openapi_text(doc))
    import_openapi(src, "ingram").write(tmp_path / "specs")
    with specclient.Client(spec_dirs=[tmp_path / "specs"], credentials=CREDS,
                           include_bundled=False) as back:
        req = back.prepare("resellers_v1_webhooks_orderstatusevent_post", ingram_example,
                           targeturl="https://t.example.com", dry_run=True)
    bundled = client.prepare("ingram.order_status_event", ingram_example,
                             targeturl="https://t.example.com", dry_run=True)
    assert req.headers["x-hub-signature"] == hub_signature(CREDS["INGRAM_WEBHOOK_SECRET"],
                                                           "N01CIB9VVFYKR9J6ZW")
    assert (req.method, req.url, req.body, dict(req.headers)) == (
        bundled.method, bundled.url, bundled.body, dict(bundled.headers))


def test_export_thirdwatch_as_json(tmp_path, capsys):
    out = tmp_path / "tw.json"
    assert main(["export-openapi", "thirdwatch", "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    check_openapi_31(doc)
    assert doc["components"]["securitySchemes"]["api_key"] == {
        "type": "apiKey", "in": "header", "name": "X-THIRDWATCH-API-KEY",
        "x-specclient": {"type": "api_key", "in": "header", "name": "X-THIRDWATCH-API-KEY",
                         "secret": "THIRDWATCH_API_KEY"}}
    assert doc["security"] == [{"api_key": []}]
    assert doc["x-specclient"] == {"defaults": {"timeout": {"connect": 5, "read": 30}}}
    assert main(["export-openapi", "thirdwatch"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == doc


# ---------------------------------------------------------------------- the command line


def test_cli_import_writes_warns_and_refuses_to_overwrite(tmp_path, capsys):
    argv = ["import", str(MESSY), "--service", "messy", "--out", str(tmp_path)]
    assert main(argv + ["--verbose"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"warning: {MESSY}:6: #/x-logo: vendor extension x-logo is not carried over"
    assert len(err) == 15
    assert err[-1] == f"imported 2 operations into {tmp_path / 'messy'} (14 warnings)"
    assert (tmp_path / "messy" / "operations" / "get_thing.yaml").read_text().startswith(
        "# yaml-language-server: $schema=../../spec-format.schema.json\noperation: get_thing\n")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "already exists and is not empty (use --force" in err
    assert err.startswith("14 warnings of ")  # without --verbose: counted by kind
    stale = tmp_path / "messy" / "operations" / "old.yaml"
    stale.write_text("method: GET\npath: /old\n")
    assert main(argv + ["--force", "--only", "get-thing"]) == 0
    assert sorted(p.name for p in (tmp_path / "messy" / "operations").iterdir()) == [
        "get_thing.yaml"]
    assert main(["list", "--names-only", "--specs", str(tmp_path)]) == 0
    assert "messy.get_thing\n" in capsys.readouterr().out


def test_cli_import_errors_exit_2(tmp_path, capsys):
    assert main(["import", str(PETSTORE), "--service", "p", "--out", str(tmp_path),
                 "--only", "nope"]) == 2
    assert "--only nope: no operation has that operationId, name or tag" in \
        capsys.readouterr().err
    assert not (tmp_path / "p").exists()
    assert main(["export-openapi", "nosuch"]) == 2
    assert "no service named 'nosuch'" in capsys.readouterr().err
    assert main(["export-openapi", "thirdwatc"]) == 2
    assert "no service named 'thirdwatc'; did you mean 'thirdwatch'?" in capsys.readouterr().err
    missing = tmp_path / "missing.yaml"
    assert main(["import", str(missing), "--service", "m", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: {missing}: cannot read: No such file or " \
                                      f"directory\n"


def test_unparsable_source_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.0\npaths:\n  /a: [unclosed\n")
    with pytest.raises(specclient.SpecError) as exc:
        import_openapi(bad, "x")
    assert exc.value.file == str(bad) and exc.value.line == 4
    assert "YAML syntax error" in exc.value.message
    # JSON that YAML 1.1 cannot read (an escaped surrogate pair): still imported, as JSON.
    emoji = tmp_path / "emoji.json"
    emoji.write_text('{"openapi": "3.0.0", "info": {"title": "\\ud83d\\ude00", "version": "1"},'
                     ' "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}')
    result = import_openapi(emoji, "t")
    assert result.operations == ["get_a"]
    assert result.files["service.yaml"]["title"] == "\U0001f600"


def test_swagger2_file_upload_becomes_multipart_with_a_binary_field(tmp_path):
    doc = {"swagger": "2.0", "info": {"title": "Up", "version": "1"},
           "host": "up.example.com", "schemes": ["http", "https"],
           "paths": {"/files": {"post": {
               "operationId": "upload", "consumes": ["multipart/form-data"],
               "parameters": [
                   {"name": "file", "in": "formData", "type": "file", "required": True},
                   {"name": "note", "in": "formData", "type": "string"}],
               "responses": {"201": {"description": "stored"}}}}}}
    result = import_openapi(doc, "up", file="up.yaml")
    body = result.files["operations/upload.yaml"]["body"]
    assert body == {"content_type": "multipart/form-data", "required": True,
                    "schema": {"type": "object",
                               "properties": {"file": {"type": "string", "format": "binary"},
                                              "note": {"type": "string"}},
                               "required": ["file"]}}
    assert [str(w) for w in result.warnings] == []
    assert result.files["service.yaml"]["environments"] == {"default": "https://up.example.com"}
    result.write(tmp_path)
    with specclient.Client(spec_dirs=[tmp_path], include_bundled=False) as c:
        raw = b"--b\r\nContent-Disposition: form-data; name=note\r\n\r\nhi\r\n--b--\r\n"
        req = c.prepare("up.upload", raw)
        assert req.body == raw  # the boundary it starts with is named in the header
        assert req.headers["Content-Type"] == "multipart/form-data; boundary=b"


@pytest.mark.parametrize("doc, service", [(PETSTORE, "petstore"), (SHOP, "shop")])
def test_imported_test_documents_pass_lint(tmp_path, doc, service):
    import_openapi(doc, service).write(tmp_path)
    assert specclient.lint(tmp_path) == []


@pytest.mark.parametrize("service", ["ingram", "thirdwatch"])
def test_bundled_service_descriptions_point_at_no_file_outside_the_product(service, capsys):
    """Descriptions end up in export-openapi output and docs; the review notes they came
    from (shared/reference/FACTS.md) do not ship."""
    assert main(["export-openapi", service]) == 0
    out = capsys.readouterr().out
    assert "FACTS.md" not in out and "shared/reference" not in out
