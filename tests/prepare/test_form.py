"""Form bodies as OpenAPI's ``encoding`` describes each field: the exact bytes on the wire,
read back typed by the schema (what the mock validates), and carried over by the importer."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
import yaml

import specclient
from specclient.openapi import import_openapi
from specclient.prepare.form import decode, encode

SCHEMA = {
    "type": "object",
    "properties": {
        "email": {"type": "string"},
        "balance": {"type": "integer"},
        "tax_exempt": {"type": "boolean"},
        "expand": {"type": "array", "items": {"type": "string"}},
        "address": {"anyOf": [{"type": "object", "properties": {
            "city": {"type": "string"}, "line": {"type": "integer"}}}, {"enum": [""]}]},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "price": {"type": "string"}, "quantity": {"type": "integer"}}}},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "tags": {"type": "array", "items": {"type": "string"}},
        "ids": {"type": "array", "items": {"type": "integer"}},
        "plain": {"type": "object", "properties": {"a": {"type": "integer"}}},
    },
}
ENCODING = {"expand": {"style": "deepObject", "explode": True},
            "address": {"style": "deepObject", "explode": True},
            "items": {"style": "deepObject", "explode": True},
            "metadata": {"style": "deepObject", "explode": True},
            "ids": {"style": "pipeDelimited", "explode": False}}
BODY = {"email": "a+b@example.com", "balance": 12, "tax_exempt": False,
        "expand": ["customer", "invoice"], "address": {"city": "Köln", "line": 2},
        "items": [{"price": "p_1", "quantity": 3}, {"price": "p_2", "quantity": 1}],
        "metadata": {"order id": "67/35"}, "tags": ["x", "y"], "ids": [4, 5],
        "plain": {"a": 1}}


def test_each_field_is_written_in_its_style():
    raw = encode("op", BODY, ENCODING)
    pairs = [tuple(unquote(x.replace("+", " ")) for x in p.split("=", 1))
             for p in raw.decode().split("&")]
    assert pairs == [
        ("email", "a+b@example.com"), ("balance", "12"),
        ("tax_exempt", "false"),
        ("expand[0]", "customer"), ("expand[1]", "invoice"),
        ("address[city]", "Köln"), ("address[line]", "2"),
        ("items[0][price]", "p_1"), ("items[0][quantity]", "3"),
        ("items[1][price]", "p_2"), ("items[1][quantity]", "1"),
        ("metadata[order id]", "67/35"),
        ("tags", "x"), ("tags", "y"),
        ("ids", "4|5"),
        ("plain", '{"a":1}'),
    ]
    # the bytes as a form encoder writes them: '+' and '/' escaped, brackets escaped
    assert raw.startswith(b"email=a%2Bb%40example.com&balance=12&tax_exempt=false&"
                          b"expand%5B0%5D=customer&expand%5B1%5D=invoice&")
    assert b"metadata%5Border+id%5D=67%2F35" in raw


def test_read_back_typed_by_the_schema():
    assert decode(encode("op", BODY, ENCODING), SCHEMA, ENCODING) == BODY


def test_a_single_value_of_an_array_field_is_an_array():
    assert decode(b"tags=x&balance=oops", SCHEMA) == {"tags": ["x"], "balance": "oops"}


def test_a_delimiter_inside_a_value_is_refused():
    with pytest.raises(specclient.ArgumentError, match="delimiter '\\|'"):
        encode("op", {"ids": ["1|2"]}, {"ids": {"style": "pipeDelimited", "explode": False}})


DOC = {
    "openapi": "3.0.0", "info": {"title": "Pay", "version": "1"},
    "servers": [{"url": "https://pay.example.test"}],
    "paths": {"/v1/customers": {"post": {
        "operationId": "PostCustomers",
        "requestBody": {"required": False, "content": {
            "application/x-www-form-urlencoded": {
                "schema": SCHEMA,
                "encoding": {**ENCODING, "email": {"contentType": "text/plain"}}}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}}}},
}


def test_the_importer_carries_the_encoding_and_the_mock_reads_it(tmp_path):
    result = import_openapi(DOC, "pay")
    assert any("only a form body's style and explode" in w.message for w in result.warnings)
    folder = result.write(tmp_path)
    op = yaml.safe_load(open(f"{folder}/operations/post_customers.yaml"))
    assert op["body"]["encoding"] == ENCODING
    assert specclient.lint([tmp_path]) == []
    c = specclient.Client([tmp_path], include_bundled=False, mock=True)
    req = c.prepare("pay.post_customers", BODY, dry_run=True)
    assert b"items%5B1%5D%5Bquantity%5D=1" in req.body
    resp = c.call("pay.post_customers", BODY, response_validation="strict")
    assert resp.status_code == 200
    # a wrong type inside a nested field is found where it is
    bad = {**BODY, "items": [{"price": "p_1", "quantity": "three"}]}
    with pytest.raises(specclient.ValidationError, match=r"body\.items\[0\]\.quantity"):
        c.prepare("pay.post_customers", bad)


UNIONS = {"type": "object", "properties": {
    "share": {"anyOf": [{"type": "number"}, {"type": "string", "enum": [""]}]},
    "aliases": {"anyOf": [{"type": "array", "items": {"type": "string"}},
                          {"type": "string", "enum": [""]}]},
    "dob": {"anyOf": [{"type": "object", "properties": {"day": {"type": "integer"}}},
                      {"type": "string", "enum": [""]}]},
}}


@pytest.mark.parametrize("raw, expected", [
    (b"share=0", {"share": 0}),
    (b"share=", {"share": ""}),
    (b"aliases=ann", {"aliases": ["ann"]}),
    (b"aliases=", {"aliases": ""}),
    (b"dob=%7B%22day%22%3A3%7D", {"dob": {"day": 3}}),
    (b"dob%5Bday%5D=3", {"dob": {"day": 3}}),
    (b"dob=", {"dob": ""}),
])
def test_a_union_field_is_read_as_the_branch_its_text_fits(raw, expected):
    """Stripe's fields take a value or "" (to unset): the text is read as the branch of the
    union that accepts it."""
    assert decode(raw, UNIONS, {"dob": {"style": "deepObject"}}) == expected


def test_the_mock_reads_a_one_item_array_of_a_multipart_body_as_an_array(tmp_path):
    """Stripe's POST /v1/files: multipart, with `expand` an array; one item is one part."""
    svc = tmp_path / "files"
    (svc / "operations").mkdir(parents=True)
    (svc / "service.yaml").write_text("environments: {main: 'https://files.example.test'}\n")
    (svc / "operations" / "upload.yaml").write_text(yaml.safe_dump({
        "method": "POST", "path": "/files",
        "body": {"content_type": "multipart/form-data", "schema": {
            "type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"},
                "expand": {"type": "array", "items": {"type": "string"}},
                "link": {"type": "object", "properties": {"create": {"type": "boolean"}}},
                "size": {"type": "integer"}}}},
        "responses": {"200": {"schema": {"type": "object"}}}}))
    c = specclient.Client([tmp_path], include_bundled=False, mock=True)
    seen = []
    c.mock.on_request = lambda ex: seen.append(ex.reply.status)
    resp = c.call("files.upload", {"file": ("a.txt", b"hello", "text/plain"),
                                   "expand": ["customer"], "link": {"create": True},
                                   "size": 5})
    assert resp.status_code == 200 and seen == [200]
    with pytest.raises(specclient.ValidationError, match=r"body\.size"):
        c.prepare("files.upload", {"file": b"x", "size": "five"})
