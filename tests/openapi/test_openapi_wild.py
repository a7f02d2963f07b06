"""Documents as written in the wild: bodies of any type, wildcard media types, and parts that
cannot be converted never end the import in a traceback; GitHub's whole description imports
(read from the shared reference folder, skipped when it is absent)."""

from __future__ import annotations

import pathlib

import pytest
import yaml
from support.openapi_support import shared_dir

import specclient
from specclient.openapi import import_openapi

DOC = {
    "openapi": "3.0.3",
    "info": {"title": "Wild", "version": "1"},
    "servers": [{"url": "https://wild.example.test"}],
    "paths": {
        "/upload": {"post": {
            "operationId": "upload",
            "requestBody": {"content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}},
            "responses": {"201": {"description": "ok"}}}},
        "/anything": {"post": {
            "operationId": "anything",
            "requestBody": {"content": {"*/*": {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "ok",
                                  "content": {"*/*": {"schema": {"type": "string"}}}}}}},
        "/image": {"get": {
            "operationId": "image",
            "responses": {"200": {"description": "a PNG", "content": {
                "image/png": {"schema": {"type": "string", "format": "binary"}}}}}}},
    },
}


def test_binary_and_wildcard_bodies_import_and_are_sent_as_given(tmp_path):
    result = import_openapi(DOC, "wild")
    assert result.operations == ["upload", "anything", "image"]
    folder = pathlib.Path(result.write(tmp_path))
    upload = yaml.safe_load((folder / "operations" / "upload.yaml").read_text())
    assert upload["body"]["content_type"] == "application/octet-stream"
    anything = yaml.safe_load((folder / "operations" / "anything.yaml").read_text())
    assert anything["body"]["content_type"] == "application/octet-stream"
    assert specclient.lint([tmp_path]) == []
    c = specclient.Client([tmp_path], include_bundled=False)
    req = c.prepare("wild.upload", b"\x89PNG\x00\xff")
    assert (req.body, req.headers["Content-Type"]) == (b"\x89PNG\x00\xff",
                                                       "application/octet-stream")
    png = c.operation("wild.image").response_for(200)
    assert png.content_type == "image/png"


def test_a_part_that_cannot_be_converted_is_a_warning_and_the_rest_imports(monkeypatch):
    from specclient.openapi.importer import _Importer

    real = _Importer.operation

    def broken(self, o, *args, **kwargs):
        if o["name"] == "anything":
            raise KeyError("something nobody expected")
        return real(self, o, *args, **kwargs)

    monkeypatch.setattr(_Importer, "operation", broken)
    result = import_openapi(DOC, "wild")
    assert result.operations == ["upload", "image"]
    (warning,) = [w for w in result.warnings if "could not be converted" in w.message]
    assert warning.pointer == "/paths/~1anything/post"
    assert "KeyError" in warning.message and warning.message.endswith("not imported")


def reference_document(rel: str) -> pathlib.Path | None:
    d = shared_dir()
    path = d / "reference" / "openapi" / rel if d else None
    return path if path is not None and path.is_file() else None


DOCUMENTS = {"github": "github/api.github.com.json", "stripe": "stripe/spec3.json"}


@pytest.mark.slow
@pytest.mark.parametrize("service, count", [("github", 771), ("stripe", 417)])
def test_a_big_public_description_imports_lints_prepares_and_is_mocked_whole(
        tmp_path, service, count):
    """Every operation imported; lint clean; every operation prepared with generated
    arguments (what --example sends), and answered by the mock with a body that passes the
    operation's own response schema."""
    doc = reference_document(DOCUMENTS[service])
    if doc is None:
        pytest.skip("the shared reference folder is absent")
    result = import_openapi(doc, service)
    assert len(result.operations) == count
    result.write(tmp_path)
    assert specclient.lint([tmp_path]) == []
    c = specclient.Client([tmp_path], include_bundled=False, credentials={})
    m = specclient.Client([tmp_path], include_bundled=False, mock=True)
    names = c.operations()
    assert len(names) == count
    for name in names:
        body, params = c.example_arguments(name)
        c.prepare(name, body, dry_run=True, **params)
        assert m.call(name, body, response_validation="strict", **params).ok, name
    if service == "github":
        req = c.prepare("github.repos_get", owner="python", repo="cpython", dry_run=True)
        assert req.url == "https://api.github.com/repos/python/cpython"


def test_a_discriminated_oneof_whose_branches_overlap_still_accepts_its_values(tmp_path):
    """DigitalOcean: droplet_action_snapshot is droplet_action plus an optional name, so
    every action matches both branches and "exactly one" (oneOf) would accept none."""
    doc = {
        "openapi": "3.0.3", "info": {"title": "Drops", "version": "1"},
        "servers": [{"url": "https://drops.example.test"}],
        "paths": {"/actions": {"post": {
            "operationId": "act",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "oneOf": [{"$ref": "#/components/schemas/action"},
                          {"$ref": "#/components/schemas/snapshot"}],
                "discriminator": {"propertyName": "type"}}}}},
            "responses": {"201": {"description": "ok"}}}}},
        "components": {"schemas": {
            "action": {"type": "object", "required": ["type"], "properties": {
                "type": {"type": "string", "enum": ["reboot", "snapshot"]}}},
            "snapshot": {"allOf": [{"$ref": "#/components/schemas/action"},
                                   {"type": "object",
                                    "properties": {"name": {"type": "string"}}}]}}},
    }
    result = import_openapi(doc, "drops")
    assert any("imported as anyOf" in w.message for w in result.warnings)
    result.write(tmp_path)
    c = specclient.Client([tmp_path], include_bundled=False, mock=True)
    assert c.call("drops.act", {"type": "reboot"}).status_code == 201
    assert c.call("drops.act", {"type": "snapshot", "name": "n"}).status_code == 201
    with pytest.raises(specclient.ValidationError, match=r"body"):
        c.prepare("drops.act", {"type": "explode"})
