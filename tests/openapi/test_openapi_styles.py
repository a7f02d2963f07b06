"""OpenAPI ``style`` / ``explode`` (and 2.0's ``collectionFormat``) carried over by the import,
sent as declared, and written back by the export."""

from __future__ import annotations

import specclient
from specclient.openapi import export_openapi, import_openapi

DOC = {
    "openapi": "3.1.0", "info": {"title": "S", "version": "1"},
    "servers": [{"url": "https://s.example.com"}],
    "paths": {"/items/{ids}": {"get": {
        "operationId": "listItems",
        "parameters": [
            {"name": "ids", "in": "path", "required": True, "style": "matrix",
             "explode": True, "schema": {"type": "array", "items": {"type": "integer"}}},
            {"name": "tags", "in": "query", "explode": False,
             "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "pipes", "in": "query", "style": "pipeDelimited",
             "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "filter", "in": "query", "style": "deepObject", "explode": True,
             "schema": {"type": "object", "properties": {"a": {"type": "integer"}}}},
            {"name": "plain", "in": "query", "style": "form", "explode": True,
             "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "X-Pt", "in": "header", "explode": True, "schema": {"type": "object"}},
            {"name": "odd", "in": "header", "style": "matrix", "schema": {"type": "string"}},
        ],
        "responses": {"200": {"description": "ok"}}}}},
}


def test_import_keeps_style_and_explode_and_the_wire_follows(tmp_path):
    result = import_openapi(DOC, "s", file="s.yaml")
    params = result.files["operations/list_items.yaml"]["parameters"]
    assert {k: (v.get("style"), v.get("explode")) for k, v in params.items()} == {
        "ids": ("matrix", True), "tags": (None, False), "pipes": ("pipeDelimited", None),
        "filter": ("deepObject", True), "plain": (None, None), "X-Pt": (None, True),
        "odd": (None, None)}
    assert [str(w) for w in result.warnings] == [
        "s.yaml: #/paths/~1items~1{ids}/get/parameters/6/style: style 'matrix' is not one "
        "header parameters take; the default 'simple' is used"]
    result.write(tmp_path)
    with specclient.Client(spec_dirs=[tmp_path], include_bundled=False) as c:
        req = c.prepare("s.list_items", ids=[3, 4], tags=["a", "b"], pipes=["x", "y"],
                        filter={"a": 1}, plain=["p", "q"], x_pt={"k": 1, "l": 2})
        assert req.url == ("https://s.example.com/items/;ids=3;ids=4?tags=a,b&pipes=x%7Cy"
                           "&filter%5Ba%5D=1&plain=p&plain=q")
        assert req.headers["X-Pt"] == "k=1,l=2"


def test_export_writes_them_back_and_the_round_trip_keeps_them(tmp_path):
    first = import_openapi(DOC, "s", file="s.yaml")
    first.write(tmp_path / "a")
    exported, warnings = export_openapi("s", spec_dirs=[tmp_path / "a"], include_bundled=False)
    assert warnings == []
    op = exported["paths"]["/items/{ids}"]["get"]
    got = {p["name"]: (p.get("style"), p.get("explode")) for p in op["parameters"]}
    assert got["ids"] == ("matrix", True) and got["tags"] == (None, False)
    again = import_openapi(exported, "s", file="x.yaml")
    assert again.files["operations/list_items.yaml"]["parameters"] == \
        first.files["operations/list_items.yaml"]["parameters"]


def test_swagger2_collection_formats_become_styles(tmp_path):
    doc = {"swagger": "2.0", "info": {"title": "C", "version": "1"},
           "host": "c.example.com", "schemes": ["https"],
           "paths": {"/x": {"get": {
               "operationId": "x",
               "parameters": [
                   {"name": f, "in": "query", "type": "array", "items": {"type": "string"},
                    "collectionFormat": f} for f in ("csv", "ssv", "pipes", "multi", "tsv")],
               "responses": {"200": {"description": "ok"}}}}}}
    result = import_openapi(doc, "c", file="c.yaml")
    params = result.files["operations/x.yaml"]["parameters"]
    assert {k: (v.get("style"), v.get("explode")) for k, v in params.items()} == {
        "csv": ("form", False), "ssv": ("spaceDelimited", None),
        "pipes": ("pipeDelimited", None), "multi": (None, None), "tsv": (None, None)}
    assert [w.message for w in result.warnings] == [
        "collectionFormat 'tsv' is not supported here: sent comma-separated (path, header) "
        "or as repeated keys (query)"]
    result.write(tmp_path)
    with specclient.Client(spec_dirs=[tmp_path], include_bundled=False) as c:
        req = c.prepare("c.x", csv=["a", "b"], ssv=["a", "b"], pipes=["a", "b"],
                        multi=["a", "b"])
        assert req.url == ("https://c.example.com/x?csv=a,b&ssv=a%20b&pipes=a%7Cb"
                           "&multi=a&multi=b")
