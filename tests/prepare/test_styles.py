"""OpenAPI 3 parameter styles (``style`` / ``explode``) on the wire and back.

Each case is a row and column of OpenAPI 3.1's "Style Examples" table (parameter ``color``;
string ``"blue"``, array ``["blue", "black", "brown"]``, object ``{"R": 100, "G": 200,
"B": 150}``), sent over a real socket to the built-in mock's server: the request target the
server read is compared byte for byte, and the mock (which reads the parameter back by the same
style and checks it against a ``const`` schema of the value sent) must answer 200. The label
rows follow RFC 6570 and OpenAPI 3.1.1 (``.blue,black,brown`` without explode), where 3.1.0's
table had a misprint. ``|``, ``[`` and ``]`` may not appear in a URL as they are (RFC 3986):
they go out as ``%7C``, ``%5B``, ``%5D`` (urllib3 would encode them anyway), which the table,
written before percent-encoding, shows decoded.
"""

from __future__ import annotations

import pathlib
from urllib.parse import unquote

import pytest
import requests
import yaml

import specclient
from specclient.credentials import Credentials
from specclient.mock import MockApp, MockExchange, MockServer
from specclient.spec.catalog import Catalog
from specclient.testing import SpecMock

STRING = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}
OBJECT_SCHEMA = {"type": "object", "properties": {k: {"type": "integer"} for k in OBJECT}}

# (in, style, explode, value, what the table shows)
TABLE = [
    ("path", "matrix", False, "", ";color"),
    ("path", "matrix", False, STRING, ";color=blue"),
    ("path", "matrix", False, ARRAY, ";color=blue,black,brown"),
    ("path", "matrix", False, OBJECT, ";color=R,100,G,200,B,150"),
    ("path", "matrix", True, "", ";color"),
    ("path", "matrix", True, STRING, ";color=blue"),
    ("path", "matrix", True, ARRAY, ";color=blue;color=black;color=brown"),
    ("path", "matrix", True, OBJECT, ";R=100;G=200;B=150"),
    ("path", "label", False, STRING, ".blue"),
    ("path", "label", False, ARRAY, ".blue,black,brown"),
    ("path", "label", False, OBJECT, ".R,100,G,200,B,150"),
    ("path", "label", True, STRING, ".blue"),
    ("path", "label", True, ARRAY, ".blue.black.brown"),
    ("path", "label", True, OBJECT, ".R=100.G=200.B=150"),
    ("path", "simple", False, STRING, "blue"),
    ("path", "simple", False, ARRAY, "blue,black,brown"),
    ("path", "simple", False, OBJECT, "R,100,G,200,B,150"),
    ("path", "simple", True, STRING, "blue"),
    ("path", "simple", True, ARRAY, "blue,black,brown"),
    ("path", "simple", True, OBJECT, "R=100,G=200,B=150"),
    ("query", "form", False, "", "color="),
    ("query", "form", False, STRING, "color=blue"),
    ("query", "form", False, ARRAY, "color=blue,black,brown"),
    ("query", "form", False, OBJECT, "color=R,100,G,200,B,150"),
    ("query", "form", True, "", "color="),
    ("query", "form", True, STRING, "color=blue"),
    ("query", "form", True, ARRAY, "color=blue&color=black&color=brown"),
    ("query", "form", True, OBJECT, "R=100&G=200&B=150"),
    ("query", "spaceDelimited", False, ARRAY, "color=blue%20black%20brown"),
    ("query", "spaceDelimited", False, OBJECT, "color=R%20100%20G%20200%20B%20150"),
    ("query", "pipeDelimited", False, ARRAY, "color=blue|black|brown"),
    ("query", "pipeDelimited", False, OBJECT, "color=R|100|G|200|B|150"),
    ("query", "deepObject", True, OBJECT, "color[R]=100&color[G]=200&color[B]=150"),
    ("header", "simple", False, STRING, "blue"),
    ("header", "simple", False, ARRAY, "blue,black,brown"),
    ("header", "simple", False, OBJECT, "R,100,G,200,B,150"),
    ("header", "simple", True, STRING, "blue"),
    ("header", "simple", True, ARRAY, "blue,black,brown"),
    ("header", "simple", True, OBJECT, "R=100,G=200,B=150"),
]


def _schema(value):
    if isinstance(value, list):
        return {"type": "array", "items": {"type": "string"}, "const": value}
    if isinstance(value, dict):
        return {**OBJECT_SCHEMA, "const": value}
    return {"type": "string", "const": value}


def _op_name(i):
    return f"case_{i}"


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("styles")
    svc = root / "styles"
    (svc / "operations").mkdir(parents=True)
    (svc / "service.yaml").write_text(yaml.safe_dump({
        "environments": {"local": "http://127.0.0.1:9"}, "defaults": {"auth": "none"}}))
    for i, (where, style, explode, value, _) in enumerate(TABLE):
        path = f"/c{i}/{{color}}" if where == "path" else f"/c{i}"
        op = {"method": "GET", "path": path,
              "parameters": {"color": {"in": where, "required": True, "style": style,
                                       "explode": explode, "schema": _schema(value)}},
              "responses": {"200": {"description": "ok"}}}
        (svc / "operations" / f"{_op_name(i)}.yaml").write_text(yaml.safe_dump(op))
    return root


@pytest.fixture(scope="module")
def server(specs):
    seen: list[MockExchange] = []
    app = MockApp(Catalog([str(specs)]), Credentials({}, environ={}, file=False),
                  on_request=seen.append)
    with MockServer(app, "127.0.0.1", 0) as srv:
        yield srv, seen


def _expected_wire(where, table_text, i):
    """The request target for a table entry: ``|`` ``[`` ``]`` percent-encoded (RFC 3986)."""
    encoded = table_text.replace("|", "%7C").replace("[", "%5B").replace("]", "%5D")
    if where == "path":
        return f"/c{i}/{encoded}"
    if where == "query":
        return f"/c{i}?{encoded}"
    return f"/c{i}"


@pytest.mark.parametrize("i", range(len(TABLE)),
                         ids=[f"{w}-{s}-{'explode' if e else 'no'}-{type(v).__name__}"
                              for w, s, e, v, _ in TABLE])
def test_each_style_on_the_wire_and_read_back_by_the_mock(server, specs, i):
    srv, seen = server
    where, style, explode, value, table_text = TABLE[i]
    client = specclient.Client(spec_dirs=[str(specs)], base_url=srv.url)
    resp = client.call(f"styles.{_op_name(i)}", color=value, raise_for_status=False)
    exchange = seen[-1]
    target = exchange.url.split(f":{srv.port}", 1)[1]
    assert target == _expected_wire(where, table_text, i)
    if where == "query":  # the table is written before percent-encoding those three
        assert unquote(target.split("?", 1)[1]).replace("%20", " ") == \
            unquote(table_text).replace("%20", " ")
    if where == "header":
        assert exchange.headers["color"] == table_text
    # the mock read the value back by the same style: the const schema accepts only it
    assert (resp.status_code, exchange.verdict.rsplit(": ", 1)[1]) == (200, "ok")
    # what a built request shows is what went on the wire
    if where != "header":
        req = client.prepare(f"styles.{_op_name(i)}", color=value)
        assert req.url == srv.url + target
    client.close()


@pytest.mark.parametrize("i", range(len(TABLE)))
def test_specmock_reads_each_style_back(specs, i):
    where, style, explode, value, _ = TABLE[i]
    client = specclient.Client(spec_dirs=[str(specs)])
    with SpecMock(client) as mock:
        mock.add(f"styles.{_op_name(i)}", status=200)
        client.call(f"styles.{_op_name(i)}", color=value)
        call = mock.assert_called(f"styles.{_op_name(i)}", times=1)
    assert call.params == {"color": value}


def test_a_wrong_value_is_refused_by_the_mock_at_its_path(server, specs):
    srv, seen = server
    i = next(n for n, row in enumerate(TABLE) if row[1] == "pipeDelimited")
    resp = requests.get(f"{srv.url}/c{i}?color=blue|black", timeout=5)
    assert resp.status_code == 422
    assert "query.color" in resp.text


def _one(tmp_path, decl, path="/x"):
    svc = tmp_path / "one"
    (svc / "operations").mkdir(parents=True)
    (svc / "service.yaml").write_text(yaml.safe_dump({
        "environments": {"local": "http://127.0.0.1:9"}, "defaults": {"auth": "none"}}))
    (svc / "operations" / "op.yaml").write_text(yaml.safe_dump(
        {"method": "GET", "path": path, "parameters": decl}))
    return specclient.Client(spec_dirs=[str(tmp_path)])


def test_defaults_are_openapi_defaults(tmp_path):
    client = _one(tmp_path, {
        "id": {"in": "path", "schema": {"type": "array", "items": {"type": "integer"}}},
        "q": {"in": "query", "schema": {"type": "array", "items": {"type": "integer"}}},
        "o": {"in": "query", "schema": {"type": "object"}},
        "X-Ids": {"in": "header", "schema": {"type": "array"}},
    }, path="/x/{id}")
    req = client.prepare("one.op", id=[3, 4], q=[3, 4], o={"a": 1, "b": "x y"}, x_ids=[3, 4])
    assert req.url == "http://127.0.0.1:9/x/3,4?q=3&q=4&a=1&b=x%20y"
    assert req.headers["X-Ids"] == "3,4"


def test_values_are_encoded_inside_literal_delimiters(tmp_path):
    client = _one(tmp_path, {
        "id": {"in": "path", "style": "matrix", "schema": {"type": "array"}},
        "q": {"in": "query", "explode": False, "schema": {"type": "array"}},
        "d": {"in": "query", "style": "deepObject", "schema": {"type": "object"}},
    }, path="/x/{id}")
    req = client.prepare("one.op", id=["a,b", "c/d"], q=["1,2", "é&"], d={"k k": "v&w"})
    assert req.url == ("http://127.0.0.1:9/x/;id=a%2Cb,c%2Fd"
                       "?q=1%2C2,%C3%A9%26&d%5Bk%20k%5D=v%26w")


def test_ambiguous_or_impossible_values_are_refused(tmp_path):
    client = _one(tmp_path, {
        "p": {"in": "query", "style": "pipeDelimited", "schema": {"type": "array"}},
        "s": {"in": "query", "style": "spaceDelimited", "schema": {"type": "array"}},
        "d": {"in": "query", "style": "deepObject", "schema": {}},
        "id": {"in": "path", "style": "label", "schema": {}},
    }, path="/x/{id}")
    with pytest.raises(specclient.ArgumentError, match="delimiter"):
        client.prepare("one.op", id="a", p=["a|b"])
    with pytest.raises(specclient.ArgumentError, match="delimiter"):
        client.prepare("one.op", id="a", s=["a b"])
    with pytest.raises(specclient.ArgumentError, match="takes an object"):
        client.prepare("one.op", id="a", d=[1])
    with pytest.raises(specclient.ArgumentError, match="cannot be"):  # "/x/." is a dot segment
        client.prepare("one.op", id="")


def test_a_style_the_location_does_not_take_is_a_spec_error(tmp_path):
    client = _one(tmp_path, {"id": {"in": "path", "style": "form"}}, path="/x/{id}")
    with pytest.raises(specclient.SpecError, match="style"):
        client.operation("one.op")
