"""``multipart/form-data`` bodies: a dict of fields and files, validated against the field
schema, encoded with a boundary (the exact bytes sent over a socket checked), read back and
validated by the mock, given in the shell as ``field@file``, and kept by the OpenAPI import."""

from __future__ import annotations

import io
import json
import os

import pytest
import requests
import yaml

import specclient
import specclient.prepare.multipart as multipart
from specclient.cli import main
from specclient.credentials import Credentials
from specclient.mock import MockApp, MockExchange, MockServer
from specclient.openapi import import_openapi
from specclient.spec.catalog import Catalog

BOUNDARY = "specclient-0123456789abcdef0123456789abcdef"
SCHEMA = {
    "type": "object",
    "required": ["photo", "title"],
    "properties": {
        "title": {"type": "string", "maxLength": 20},
        "count": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "meta": {"type": "object", "properties": {"k": {"type": "integer"}}},
        "photo": {"type": "string", "format": "binary"},
        "raw": {"type": "string", "format": "binary"},
    },
}

EXPECTED = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="title"\r\n'
    "\r\n"
    "Caf\u00e9 \"1\"\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="count"\r\n'
    "\r\n"
    "3\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="tags"\r\n'
    "\r\n"
    "a\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="tags"\r\n'
    "\r\n"
    "b\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="meta"\r\n'
    "Content-Type: application/json\r\n"
    "\r\n"
    '{"k":1}\r\n'
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="photo"; filename="c%22a\u0074.png"\r\n'
    "Content-Type: image/png\r\n"
    "\r\n"
).encode() + b"\x89PNG\r\n\x00\xff" + (
    "\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="raw"; filename="raw"\r\n'
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
).encode() + bytes(range(256)) + f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def fixed_boundary(monkeypatch):
    monkeypatch.setattr(multipart, "new_boundary", lambda: BOUNDARY)


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    root = tmp_path_factory.mktemp("mp")
    svc = root / "files"
    (svc / "operations").mkdir(parents=True)
    (svc / "service.yaml").write_text(yaml.safe_dump({
        "environments": {"local": "http://127.0.0.1:9"}, "defaults": {"auth": "none"}}))
    (svc / "operations" / "upload.yaml").write_text(yaml.safe_dump({
        "method": "POST", "path": "/upload",
        "body": {"content_type": "multipart/form-data", "schema": SCHEMA},
        "responses": {"201": {"description": "stored", "example": {"ok": True},
                              "content_type": "application/json"}}}))
    (svc / "operations" / "note.yaml").write_text(yaml.safe_dump({
        "method": "POST", "path": "/note", "body": {"schema": {"type": "object"}},
        "responses": {"200": {"description": "ok"}}}))
    return root


@pytest.fixture(scope="module")
def server(specs):
    seen: list[MockExchange] = []
    app = MockApp(Catalog([str(specs)]), Credentials({}, environ={}, file=False),
                  on_request=seen.append)
    with MockServer(app, "127.0.0.1", 0) as srv:
        yield srv, seen


def _fields():
    return {"title": 'Café "1"', "count": 3, "tags": ["a", "b"], "meta": {"k": 1},
            "photo": ('c"at.png', b"\x89PNG\r\n\x00\xff", "image/png"),
            "raw": bytes(range(256))}


def test_the_exact_bytes_on_the_wire_and_the_mock_accepts_them(server, specs, fixed_boundary):
    srv, seen = server
    with specclient.Client(spec_dirs=[str(specs)], base_url=srv.url) as client:
        resp = client.call("files.upload", _fields())
    exchange = seen[-1]
    assert exchange.body == EXPECTED
    assert exchange.headers["Content-Type"] == f"multipart/form-data; boundary={BOUNDARY}"
    assert exchange.headers["Content-Length"] == str(len(EXPECTED))
    assert (resp.status_code, resp.data) == (201, {"ok": True})
    assert exchange.verdict.endswith("files.upload: ok")


def test_an_open_file_is_read_and_named_after_itself(specs, tmp_path, fixed_boundary):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 x")
    with specclient.Client(spec_dirs=[str(specs)]) as client, open(path, "rb") as fh:
        req = client.prepare("files.upload", {"title": "t", "photo": fh})
    assert req.body == (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nt\r\n"
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"; "
        f"filename=\"report.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 x\r\n"
        f"--{BOUNDARY}--\r\n").encode()
    # shown (dry runs, hooks) as its fields, a file as its name and size
    assert req.redacted()["body"] == {"title": "t", "photo": "<file report.pdf, 10 bytes>"}


def test_fields_are_validated_before_anything_is_sent(specs):
    with specclient.Client(spec_dirs=[str(specs)]) as client:
        with pytest.raises(specclient.ValidationError) as info:
            client.prepare("files.upload", {"title": "x" * 21, "count": "three"})
    assert sorted((v.path, v.message) for v in info.value.violations) == [
        ("body.count", "'three' is not of type 'integer'"),
        ("body.photo", "required property is missing"),
        ("body.title", "'xxxxxxxxxxxxxxxxxxxxx' is too long")]


def test_a_value_that_cannot_be_a_part_is_refused(specs):
    with specclient.Client(spec_dirs=[str(specs)]) as client:
        with pytest.raises(specclient.ArgumentError, match="file is"):
            client.prepare("files.upload", {"title": "t", "photo": ("a", b"x", "t/x", 4)})


def test_raw_bytes_with_a_leading_boundary_get_it_in_the_content_type(specs):
    raw = b"--xyz\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nt\r\n--xyz--\r\n"
    with specclient.Client(spec_dirs=[str(specs)]) as client:
        req = client.prepare("files.upload", raw)
    assert req.body == raw
    assert req.headers["Content-Type"] == "multipart/form-data; boundary=xyz"


def test_the_mock_validates_multipart_bodies(server):
    srv, _ = server
    body, boundary, _ = multipart.encode({"title": "x" * 30, "count": "nope",
                                          "photo": ("p.png", b"P", "image/png")})
    ctype = f"multipart/form-data; boundary={boundary}"
    resp = requests.post(f"{srv.url}/upload", data=body, headers={"Content-Type": ctype},
                         timeout=5)
    assert resp.status_code == 422
    assert {v["path"] for v in resp.json()["violations"]} == {"body.title", "body.count"}
    resp = requests.post(f"{srv.url}/upload", data=b"--" + boundary.encode() + b"\r\nbroken",
                         headers={"Content-Type": ctype}, timeout=5)
    assert resp.status_code == 400 and "multipart" in resp.text
    resp = requests.post(f"{srv.url}/upload", data=body,
                         headers={"Content-Type": "multipart/form-data"}, timeout=5)
    assert resp.status_code == 400 and "boundary" in resp.text


def test_decode_reads_back_what_encode_wrote():
    fields = _fields()
    body, boundary, _ = multipart.encode(fields)
    got = multipart.decode(body, f"multipart/form-data; boundary=\"{boundary}\"")
    assert got == {"title": 'Café "1"', "count": "3", "tags": ["a", "b"], "meta": '{"k":1}',
                   "photo": multipart.FilePart('c"at.png', "image/png", fields["photo"][1]),
                   "raw": multipart.FilePart("raw", "application/octet-stream",
                                             bytes(range(256)))}


def test_the_shell_takes_field_at_file(specs, tmp_path, capsys, fixed_boundary):
    photo = tmp_path / "cat.png"
    photo.write_bytes(b"\x89PNG-cat")
    doc = tmp_path / "d.bin"
    doc.write_bytes(b"\x00doc")
    code = main(["--specs", str(specs), "call", "files.upload", "title=Tom", "count:=2",
                 f"photo@{photo}", f"raw@{doc};type=application/x-thing", "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 0, err
    shown = json.loads(out)
    assert shown["headers"]["Content-Type"] == f"multipart/form-data; boundary={BOUNDARY}"
    assert shown["body"] == {"title": "Tom", "count": 2, "photo": "<file cat.png, 8 bytes>",
                             "raw": "<file d.bin, 4 bytes>"}
    code = main(["--specs", str(specs), "call", "files.upload", "title=Tom",
                 f"photo@{photo}", "--mock"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) == {"ok": True}


def test_the_shell_refuses_a_file_for_a_json_body(specs, tmp_path, capsys):
    f = tmp_path / "x.txt"
    f.write_text("x")
    code = main(["--specs", str(specs), "call", "files.note", f"doc@{f}", "--dry-run"])
    _, err = capsys.readouterr()
    assert code == 2 and "multipart/form-data" in err
    code = main(["--specs", str(specs), "call", "files.upload", "title=t",
                 f"photo@{os.path.join(str(tmp_path), 'missing.png')}", "--dry-run"])
    _, err = capsys.readouterr()
    assert code == 2 and "cannot read" in err


def test_import_keeps_multipart_bodies_without_a_warning(tmp_path, fixed_boundary):
    doc = {"openapi": "3.0.3", "info": {"title": "U", "version": "1"},
           "servers": [{"url": "https://u.example.com"}],
           "paths": {"/files": {"post": {
               "operationId": "upload",
               "requestBody": {"required": True, "content": {"multipart/form-data": {
                   "schema": {"type": "object", "required": ["file"], "properties": {
                       "file": {"type": "string", "format": "binary"},
                       "note": {"type": "string"}}}}}},
               "responses": {"201": {"description": "stored"}}}}}}
    result = import_openapi(doc, "u", file="u.yaml")
    assert result.warnings == []
    body = result.files["operations/upload.yaml"]["body"]
    assert body["content_type"] == "multipart/form-data"
    result.write(tmp_path)
    with specclient.Client(spec_dirs=[tmp_path], include_bundled=False) as c:
        req = c.prepare("u.upload", {"file": io.BytesIO(b"abc"), "note": "n"})
    assert req.body == (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\nabc\r\n"
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nn\r\n"
        f"--{BOUNDARY}--\r\n").encode()
