"""Specs are untrusted input: a spec copied from a stranger may try to read files outside its
folder through ``$ref``, explode through YAML aliases, or nest deeper than any walker can go.
Each is refused with a SpecError at file:line, fast, never quoting what it tried to read."""

from __future__ import annotations

import json
import os
import time

import pytest

import specclient
from specclient.cli import main

PRIVATE = "PRIVATE-CONTENT-d41d8cd9"


def make_service(root, op_text: str, *, schemas: dict[str, str] | None = None):
    svc = root / "specs" / "svc"
    (svc / "operations").mkdir(parents=True)
    (svc / "schemas").mkdir()
    (svc / "service.yaml").write_text("environments: {main: 'https://api.example.com'}\n")
    (svc / "operations" / "op.yaml").write_text(op_text)
    for name, text in (schemas or {}).items():
        (svc / "schemas" / name).write_text(text)
    outside = root / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "private.yaml").write_text(f"secret: {PRIVATE}\ntype: object\n")
    return root / "specs"


def op_with_example_ref(ref: str) -> str:
    return ("method: POST\npath: /x\n"
            "body:\n  content_type: application/json\n  schema: {type: object}\n"
            f"  example: {{$ref: '{ref}'}}\n")


def op_with_schema_ref(ref: str) -> str:
    return ("method: POST\npath: /x\n"
            f"body:\n  content_type: application/json\n  schema: {{$ref: '{ref}'}}\n")


def refused(specs, capsys=None) -> specclient.SpecError:
    client = specclient.Client([specs], include_bundled=False, credentials={})
    with pytest.raises(specclient.SpecError) as info:
        client.operation("svc.op")
    return info.value


REFS = {
    "dotdot": "../../outside/private.yaml",
    "dotdot-deeper": "../schemas/../../outside/private.yaml",
    "dotdot-pointer": "../../outside/private.yaml#/secret",
    "absolute": "{outside}/private.yaml",
    "etc-passwd": "/etc/passwd",
    "etc-passwd-pointer": "/etc/passwd#/root",
    "file-url": "file:///etc/passwd",
    "file-url-outside": "file://{outside}/private.yaml",
    "http-url": "http://attacker.example/schema.yaml",
    "https-url": "https://attacker.example/schema.yaml#/x",
    "network-path": "//attacker.example/schema.yaml",
    "backslash-absolute": "\\\\server\\share\\x.yaml",
    "proc": "/proc/self/environ",
}


@pytest.mark.parametrize("where", ["example", "schema"])
@pytest.mark.parametrize("name", sorted(REFS))
def test_a_ref_leaving_the_service_folder_is_refused(tmp_path, name, where):
    ref = REFS[name].format(outside=tmp_path / "outside")
    text = op_with_example_ref(ref) if where == "example" else op_with_schema_ref(ref)
    specs = make_service(tmp_path, text)
    err = refused(specs)
    message = str(err)
    assert "op.yaml:" in message and "refused" in message
    assert PRIVATE not in message and "root:" not in message


def test_a_symlink_leading_out_is_refused(tmp_path):
    specs = make_service(tmp_path, op_with_schema_ref("../schemas/link.yaml"))
    os.symlink(tmp_path / "outside" / "private.yaml", specs / "svc" / "schemas" / "link.yaml")
    err = refused(specs)
    assert "through a symlink" in str(err) and PRIVATE not in str(err)


def test_a_symlinked_folder_leading_out_is_refused(tmp_path):
    specs = make_service(tmp_path, op_with_schema_ref("../shared/private.yaml"))
    os.symlink(tmp_path / "outside", specs / "svc" / "shared")
    assert "leads outside" in str(refused(specs))


def test_refs_inside_the_folder_still_work(tmp_path):
    specs = make_service(tmp_path, op_with_schema_ref("../schemas/item.yaml#/$defs/Item"),
                         schemas={"item.yaml": "$defs:\n  Item: {type: object, required: [a]}\n"})
    client = specclient.Client([specs], include_bundled=False)
    assert client.operation("svc.op").body.schema["required"] == ["a"]


def test_a_symlink_inside_the_folder_still_works(tmp_path):
    specs = make_service(tmp_path, op_with_schema_ref("../schemas/alias.yaml"),
                         schemas={"real.yaml": "type: object\nrequired: [b]\n"})
    os.symlink(specs / "svc" / "schemas" / "real.yaml", specs / "svc" / "schemas" / "alias.yaml")
    client = specclient.Client([specs], include_bundled=False)
    assert client.operation("svc.op").body.schema["required"] == ["b"]


def test_call_example_never_sends_a_file_from_outside(tmp_path, capsys):
    specs = make_service(tmp_path, op_with_example_ref("../../outside/private.yaml"))
    code = main(["call", "svc.op", "--example", "--dry-run", "--specs", str(specs)])
    out, err = capsys.readouterr()
    assert code == 2
    assert PRIVATE not in out + err
    assert "leads outside the service's folder" in err


def test_a_ref_to_the_credentials_file_never_reads_it(tmp_path, monkeypatch):
    creds = tmp_path / "outside" / "credentials.yaml"
    specs = make_service(tmp_path, op_with_example_ref(str(creds)))
    creds.write_text(f"default: {{KEY: {PRIVATE}}}\n")
    creds.chmod(0o600)
    cache = tmp_path / "cache"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(cache))
    refused(specs)
    cached = "".join(p.read_text() for p in cache.rglob("*.json")) if cache.exists() else ""
    assert PRIVATE not in cached


def _alias_bomb(levels: int) -> str:
    lines = ["method: POST", "path: /x", "x-lol:", "  - &l0 [lol, lol, lol, lol, lol, lol, lol, "
             "lol, lol]"]
    for i in range(1, levels):
        lines.append(f"  - &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [6, 7, 9])
def test_an_alias_bomb_fails_fast(tmp_path, levels):
    text = _alias_bomb(levels)
    assert len(text) < 1000  # a few hundred bytes
    specs = make_service(tmp_path, text)
    started = time.monotonic()
    err = refused(specs)
    assert time.monotonic() - started < 2  # was 52 s and 3.1 GB for 686 bytes
    assert "through YAML aliases" in str(err) and "op.yaml:" in str(err)


def test_aliases_that_share_a_little_still_load(tmp_path):
    text = ("method: POST\npath: /x\nbody:\n  content_type: application/json\n"
            "  schema: {type: object}\n"
            "  example: {a: &s {x: 1, y: [1, 2, 3]}, b: [*s, *s, *s, *s]}\n")
    specs = make_service(tmp_path, text)
    assert specclient.Client([specs], include_bundled=False).operation("svc.op")


def _nested_schema(depth: int) -> str:
    schema = "{type: string}"
    for _ in range(depth):
        schema = f"{{type: object, properties: {{a: {schema}}}}}"
    return f"method: POST\npath: /x\nbody:\n  content_type: application/json\n  schema: {schema}\n"


@pytest.mark.parametrize("depth", [150, 400])
def test_a_deeply_nested_schema_is_a_spec_error_not_a_recursion_error(tmp_path, depth):
    specs = make_service(tmp_path, _nested_schema(depth))
    err = refused(specs)
    assert "nested" in str(err) and "op.yaml" in str(err)


@pytest.mark.parametrize("length", [120, 3000])
def test_a_long_chain_of_refs_resolves_shallow_and_a_body_that_deep_is_refused(tmp_path,
                                                                             length):
    """Every file is shallow; inlined, the chain would be ``length`` levels deep. Past the
    first few references each file lands once under $defs, so the schema stays shallow, the
    resolver does not recurse per file (3000 files), and a body nested past the limit is
    refused before it is validated."""
    schemas = {f"s{i}.yaml": f"type: object\nproperties:\n  a: {{$ref: 's{i + 1}.yaml'}}\n"
               for i in range(length)}
    schemas[f"s{length}.yaml"] = "type: string\n"
    specs = make_service(tmp_path, op_with_schema_ref("../schemas/s0.yaml"), schemas=schemas)
    client = specclient.Client([specs], include_bundled=False, credentials={})
    schema = client.operation("svc.op").body.schema
    assert len(schema["$defs"]) == length + 1 - 3  # s0..s2 inlined, the rest once each
    assert schema["properties"]["a"]["properties"]["a"]["properties"]["a"] == {
        "$ref": "#/$defs/s3"}
    assert schema["$defs"]["s3"]["properties"]["a"] == {"$ref": "#/$defs/s4"}
    body: object = "x"
    for _ in range(60):
        body = {"a": body}
    with pytest.raises(specclient.ValidationError) as info:  # string expected at depth 60
        client.prepare("svc.op", body)
    assert "body" + ".a" * 60 in str(info.value)
    for _ in range(60):
        body = {"a": body}
    with pytest.raises(specclient.ArgumentError, match="nested more than 100 levels deep"):
        client.prepare("svc.op", body)


def test_a_schema_at_a_sensible_depth_works_end_to_end(tmp_path):
    specs = make_service(tmp_path, _nested_schema(40))
    client = specclient.Client([specs], include_bundled=False)
    body: object = "x"
    for _ in range(40):
        body = {"a": body}
    req = client.prepare("svc.op", body)
    assert json.loads(req.body) == body
    bad: object = 5
    for _ in range(40):
        bad = {"a": bad}
    with pytest.raises(specclient.ValidationError) as info:
        client.prepare("svc.op", bad)
    assert "body" + ".a" * 40 in str(info.value)


@pytest.mark.parametrize("pattern", ["^(a+)+$", "^(a|a)*$", "^(a|aa)+$", "^(.*a){12}$"])
def test_a_hostile_pattern_cannot_hang_a_call(tmp_path, pattern):
    specs = make_service(tmp_path, (
        "method: POST\npath: /x\nbody:\n  content_type: application/json\n"
        f"  schema: {{type: object, properties: {{s: {{type: string, pattern: '{pattern}'}}}}}}\n"))
    client = specclient.Client([specs], include_bundled=False)
    started = time.monotonic()
    with pytest.raises(specclient.ValidationError):
        client.prepare("svc.op", {"s": "a" * 40 + "!"})
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("pattern,construct", [
    ("^(a)\\1$", "invalid escape sequence"), ("^(?=a)a$", "(?="), ("^(?!b).$", "(?!"),
    ("^(?<=a)b$", "(?<="), ("^(?<!a)b$", "(?<!"),
])
def test_a_pattern_that_needs_backtracking_is_refused_where_it_is_written(tmp_path, pattern,
                                                                          construct):
    specs = make_service(tmp_path, (
        "method: POST\npath: /x\nbody:\n  content_type: application/json\n"
        f"  schema:\n    type: object\n    properties:\n      s: {{type: string, "
        f"pattern: '{pattern}'}}\n"))
    err = refused(specs)
    assert "op.yaml:" in str(err) and "cannot run in linear time" in str(err)
    assert construct in str(err)


def test_a_hostile_pattern_property_cannot_hang_a_call(tmp_path):
    specs = make_service(tmp_path, (
        "method: POST\npath: /x\nbody:\n  content_type: application/json\n"
        "  schema:\n    type: object\n    patternProperties: {'^(a+)+$': {type: integer}}\n"
        "    additionalProperties: false\n"))
    client = specclient.Client([specs], include_bundled=False)
    started = time.monotonic()
    with pytest.raises(specclient.ValidationError) as info:
        client.prepare("svc.op", {"a" * 40 + "!": 1})
    assert time.monotonic() - started < 2
    assert "does not match any of the regexes" in str(info.value)
    assert client.prepare("svc.op", {"aaa": 1})  # a key the pattern matches: fine


def test_the_importer_drops_a_backtracking_pattern_with_a_warning():
    from specclient.openapi import import_openapi

    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
           "servers": [{"url": "https://api.example.com"}],
           "paths": {"/x": {"post": {"operationId": "op", "requestBody": {"content": {
               "application/json": {"schema": {"type": "object", "properties": {
                   "s": {"type": "string", "pattern": "^(?=a).+$"}}}}}},
               "responses": {"200": {"description": "ok"}}}}}}
    result = import_openapi(doc, "svc")
    assert any("pattern dropped" in str(w) and "linear time" in str(w) for w in result.warnings)
    assert "(?=a)" not in "".join(result.texts().values())


@pytest.mark.parametrize("which", ["operation", "service"])
def test_a_spec_file_that_is_a_symlink_leading_out_is_never_read(tmp_path, which, monkeypatch):
    """A cloned repository may hold a symlink to your credentials file as an operation."""
    creds = tmp_path / "outside" / "credentials.yaml"
    specs = make_service(tmp_path, "method: GET\npath: /x\n")
    creds.write_text(f"default: {{KEY: {PRIVATE}}}\n")
    target = specs / "svc" / ("operations/op.yaml" if which == "operation" else "service.yaml")
    target.unlink()
    os.symlink(creds, target)
    cache = tmp_path / "cache"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(cache))
    client = specclient.Client([specs], include_bundled=False)
    with pytest.raises(specclient.SpecError) as info:
        client.operation("svc.op")
    assert "symlink leading outside the spec folder" in str(info.value)
    assert PRIVATE not in str(info.value)
    code = main(["list", "--specs", str(specs)])
    assert code == 2
    cached = "".join(p.read_text() for p in cache.rglob("*.json")) if cache.exists() else ""
    assert PRIVATE not in cached


def test_a_symlink_between_services_of_one_spec_folder_is_fine(tmp_path):
    specs = make_service(tmp_path, "method: GET\npath: /x\n")
    other = specs / "other" / "operations"
    other.mkdir(parents=True)
    (specs / "other" / "service.yaml").write_text(
        "environments: {main: 'https://api.example.com'}\n")
    os.symlink(specs / "svc" / "operations" / "op.yaml", other / "op.yaml")
    client = specclient.Client([specs], include_bundled=False)
    assert client.operation("other.op").path == "/x"
