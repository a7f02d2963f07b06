"""Bad and oversize input: refused with a clear error before the wire, or sent intact.

Path and query encoding are checked on a real socket (the loopback server records the raw
request line), since that is where a path-changing value would do its harm.
"""

from __future__ import annotations

import json
import textwrap

import pytest
import responses
from support.faultserver import FaultServer

import specclient
from conftest import THIRDWATCH_URL
from specclient.prepare.building import MAX_DEPTH, json_depth

SERVICE = """
service: files
environments:
  live: {url}
"""
OPS = {
    "get_file": """
        method: GET
        path: /files/{folder}/{name}
        parameters:
          folder: {in: path}
          name: {in: path}
          q: {in: query, required: false}
          tags: {in: query, required: false, schema: {type: array, items: {type: string}}}
          X-Note: {in: header, required: false}
    """,
    "joined": """
        method: GET
        path: /j/{a}{b}
        parameters:
          a: {in: path}
          b: {in: path}
    """,
}
TREE_SCHEMA = """
type: object
properties:
  c: {type: array, items: {$ref: node.yaml}}
"""


@pytest.fixture
def srv():
    with FaultServer() as server:
        yield server


@pytest.fixture
def files(srv, tmp_path):
    folder = tmp_path / "files"
    (folder / "operations").mkdir(parents=True)
    (folder / "schemas").mkdir()
    (folder / "service.yaml").write_text(SERVICE.format(url=srv.url))
    for name, text in OPS.items():
        (folder / "operations" / f"{name}.yaml").write_text(textwrap.dedent(text))
    (folder / "operations" / "tree.yaml").write_text(
        "method: POST\npath: /tree\nbody:\n  schema: {$ref: ../schemas/node.yaml}\n")
    (folder / "schemas" / "node.yaml").write_text(TREE_SCHEMA)
    client = specclient.Client([tmp_path], retries={"attempts": 1})
    yield client
    client.close()


# ------------------------------------------------------------------ paths and queries


@pytest.mark.parametrize("folder,name,raw_path", [
    ("../admin", "x", "/files/..%2Fadmin/x"),
    ("a/b", "../../etc/passwd", "/files/a%2Fb/..%2F..%2Fetc%2Fpasswd"),
    ("%2e%2e", "x?y#z", "/files/%252e%252e/x%3Fy%23z"),
    ("sp ace", "ünï", "/files/sp%20ace/%C3%BCn%C3%AF"),
])
def test_path_parameters_cannot_change_the_path(srv, files, folder, name, raw_path):
    files.call("files.get_file", folder=folder, name=name)
    assert srv.seen[-1].path == raw_path


@pytest.mark.parametrize("value", [".", "..", ""])
def test_dot_segments_refused(srv, files, value):
    with pytest.raises(specclient.ArgumentError) as info:
        files.call("files.get_file", folder=value, name="x")
    assert str(info.value) == f"files.get_file: path parameter 'folder' cannot be {value!r}"
    assert srv.seen == []


def test_dots_inside_a_segment_are_fine(srv, files):
    files.call("files.joined", a="..x", b=".y")
    assert [s.path for s in srv.seen] == ["/j/..x.y"]


def test_query_values_are_encoded(srv, files):
    files.call("files.get_file", folder="f", name="n", q="a&b=c#d e+f",
               tags=["x y", "z&w"])
    assert srv.seen[-1].path == "/files/f/n?q=a%26b%3Dc%23d%20e%2Bf&tags=x%20y&tags=z%26w"


# ------------------------------------------------------------------ headers


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b"])
def test_header_values_with_cr_lf_nul_refused(srv, files, value):
    with pytest.raises(specclient.ArgumentError) as info:
        files.call("files.get_file", folder="f", name="n", x_note=value)
    assert str(info.value) == ("files.get_file: header 'X-Note': the value contains a line "
                               "break (CR/LF) or NUL; refused (header injection)")
    assert info.value.parameter == "X-Note"
    with pytest.raises(specclient.ArgumentError):
        files.call("files.get_file", folder="f", name="n", extra_headers={"X-Other": value})
    assert srv.seen == []


@pytest.mark.parametrize("name", ["X Bad", "X-Bad:", "X-\r\nBad", ""])
def test_bad_header_names_refused(srv, files, name):
    with pytest.raises(specclient.ArgumentError, match="is not a valid HTTP token"):
        files.call("files.get_file", folder="f", name="n", extra_headers={name: "v"})
    assert srv.seen == []


def test_header_value_outside_latin1_refused_not_crashing(srv, files):
    with pytest.raises(specclient.ArgumentError, match="only Latin-1"):
        files.call("files.get_file", folder="f", name="n", x_note="snow ☃")
    files.call("files.get_file", folder="f", name="n", x_note="café")  # Latin-1 is fine
    assert srv.seen[-1].headers["X-Note"].encode("latin-1") == "café".encode("latin-1")


def test_thirdwatch_extra_header_injection_refused(client, mocked):
    with pytest.raises(specclient.ArgumentError):
        client.call("thirdwatch.order_status", body={"_userId": "u"},
                    extra_headers={"X-Trace": "1\r\nX-THIRDWATCH-API-KEY: stolen"})
    assert len(mocked.calls) == 0


# ------------------------------------------------------------------ oversize and deep input


def nested(depth: int) -> dict:
    node: dict = {}
    for _ in range((depth - 1) // 2):
        node = {"c": [node]}
    return node


def test_json_depth_counts_without_recursion():
    assert json_depth({"c": [{}]}) == 3
    assert json_depth(1) == 0
    deep: list = []
    for _ in range(50_000):
        deep = [deep]
    assert json_depth(deep) == MAX_DEPTH + 1  # stops counting past the limit


def test_deep_body_10k_levels_refused_as_value_and_as_text(srv, files):
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    for body in (deep, "[" * 10_000 + "]" * 10_000, b"[" * 10_000 + b"]" * 10_000):
        with pytest.raises(specclient.ArgumentError) as info:
            files.call("files.tree", body=body)
        assert str(info.value) == (f"files.tree: body is nested more than {MAX_DEPTH} levels "
                                   f"deep; refused")
    assert srv.seen == []


def test_body_just_within_the_depth_limit_validates_and_goes_out(srv, files):
    body = nested(MAX_DEPTH - 1)
    files.call("files.tree", body=body)
    assert json.loads(srv.seen[-1].body) == body
    bad = nested(MAX_DEPTH - 1)
    leaf = bad
    while leaf.get("c"):
        leaf = leaf["c"][0]
    leaf["c"] = "not a list"
    with pytest.raises(specclient.ValidationError) as info:
        files.call("files.tree", body=bad)
    (v,) = info.value.violations
    assert v.path.startswith("body.c[0].c[0]") and v.path.endswith(".c")


def test_20_mb_json_body_is_validated_and_sent_whole(mocked, client):
    mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
    big = {"_userId": "u", "_description": "x" * (20 * 1024 * 1024)}
    client.call("thirdwatch.order_status", body=big)
    assert len(mocked.calls[0].request.body) > 20 * 1024 * 1024
    assert json.loads(mocked.calls[0].request.body) == big


def test_huge_number_of_violations_is_a_clear_error(client, mocked):
    body = {"_userId": "u", "_customInfo": {f"k{i}": i for i in range(10_000)}}
    with pytest.raises(specclient.ValidationError) as info:
        client.call("thirdwatch.order_status", body=body)
    assert len(info.value.violations) == 10_000
    lines = str(info.value).splitlines()
    assert lines[0] == ("thirdwatch.order_status: invalid request (10000 violations); nothing "
                        "was sent:")
    assert len(lines) == 22 and lines[-1] == "  ... and 9980 more (all in .violations)"
    assert len(mocked.calls) == 0


def test_unserialisable_body_is_an_argument_error(client, mocked):
    for body in ({"_userId": object()}, {"_userId": float("nan")}, {1j: "x"}):
        with pytest.raises(specclient.ArgumentError, match="body cannot be sent as JSON"):
            client.call("thirdwatch.order_status", body=body)
    assert len(mocked.calls) == 0


def test_secret_with_trailing_newline_is_refused_without_echoing_it(mocked):
    key = "tw-key-0123456789\n"
    c = specclient.Client(credentials={"THIRDWATCH_API_KEY": key})
    with pytest.raises(specclient.ArgumentError) as info:
        c.call("thirdwatch.order_status", body={"_userId": "u"})
    assert str(info.value) == (
        "thirdwatch.order_status: header 'X-THIRDWATCH-API-KEY' contains a line break (CR/LF) "
        "or NUL; refused, nothing was sent. If auth or signing sets it, check that secret's "
        "value (a trailing newline?)")
    assert key.strip() not in str(info.value)
    assert len(mocked.calls) == 0
