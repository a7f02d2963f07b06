"""``specclient stubs``: what the facade says about each schema, and that at run time it only
forwards to the generic client (the type checker's side is in test_stubs_mypy.py)."""

from __future__ import annotations

import json
import typing

import pytest
import responses
from support.petstore import write_service
from support.stubs import generate, load, write_shop

import specclient
from conftest import CREDS, THIRDWATCH_URL
from specclient.cli.main import main
from specclient.model import python_name
from specclient.stubs import GENERATED_MARK, Namer, Types, render


def ann(schema):
    return Types(Namer()).annotation(schema, "Thing")


@pytest.mark.parametrize("schema, expected", [
    ({"type": "string"}, "str"),
    ({"type": "integer"}, "int"),
    ({"type": "number"}, "float"),
    ({"type": "boolean"}, "bool"),
    ({"type": "null"}, "None"),
    ({"type": ["string", "null"]}, "str | None"),
    ({"type": "array", "items": {"type": "integer"}}, "list[int]"),
    ({"type": "array"}, "list[Any]"),
    ({"enum": ["a", "b", 3, True, None]}, "Literal['a', 'b', 3, True] | None"),
    ({"enum": [1.5, "x"]}, "Any"),
    ({"const": "tree"}, "Literal['tree']"),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, "str | int"),
    ({"anyOf": [{"type": "string"}, {}]}, "Any"),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, "dict[str, int]"),
    ({"type": "object"}, "dict[str, Any]"),
    ({"type": "string", "nullable": True}, "str | None"),
    ({"not": {"type": "string"}}, "Any"),
    ({}, "Any"),
    (True, "Any"),
])
def test_json_schema_to_python_types(schema, expected):
    assert ann(schema) == expected


def test_object_is_a_typed_dict_with_required_fields():
    types = Types(Namer())
    name = types.annotation({"type": "object", "required": ["a"],
                             "properties": {"a": {"type": "string"},
                                            "b": {"type": "object",
                                                  "properties": {"c": {"type": "integer"}}}}},
                            "Thing")
    assert name == "Thing"
    [outer, inner] = types.defs
    assert outer.fields == [("a", "str", True), ("b", "ThingB", False)]
    assert inner.name == "ThingB" and inner.fields == [("c", "int", False)]


def test_names_are_sanitised_and_unique():
    namer = Namer()
    assert namer.new("order status") == "OrderStatus"
    assert namer.new("order-status") == "OrderStatus2"
    assert namer.new("Client") == "Client2"  # the facade's own name
    assert namer.new("str") == "Str"
    assert namer.new("1st") == "T1st"
    assert namer.new("") == "Schema"
    assert namer.new("None") == "None_"


@pytest.fixture
def shop_facade(tmp_path):
    specs = write_shop(tmp_path)
    return generate(tmp_path / "shopfacade", specs, bundled=False), tmp_path


def test_recursive_ref_is_named_once(shop_facade):
    source, _ = shop_facade
    assert source.count("class Node(TypedDict, total=False):") == 1
    assert "    children: list[Node]\n" in source
    assert "'root': 'Required[Node]'" in source


def test_awkward_keys_use_the_functional_form(shop_facade):
    source, _ = shop_facade
    # 'content-type' is no identifier, 'from' a keyword, 'str' shadows a type it uses
    assert "Client2 = TypedDict('Client2', {" in source
    for line in ("'content-type': 'str'", "'from': 'str'", "'str': 'int'",
                 "'kind': \"Required[Literal['tree']]\"",
                 "'colour': \"Literal['red', 'green'] | None\"",
                 "'size': 'int | None'", "'meta': 'dict[str, int]'", "'anything': 'Any'",
                 "'shape': 'Client2ShapeOption1 | Client2ShapeOption2'"):
        assert line in source
    assert "class Client2Both(TypedDict, total=False):\n    b: Required[bool]\n    a: str\n" \
        in source  # allOf merged


def test_parameters_use_the_engines_python_names(shop_facade, tmp_path):
    source, _ = shop_facade
    assert python_name("X-Request-Id") == "x_request_id" and python_name("treeId") == "tree_id"
    facade = load(tmp_path / "shopfacade")
    hints = typing.get_type_hints(facade.ShopService.add_tree)
    assert hints["tree_id"] is int and hints["x_request_id"] is str
    assert hints["class_"] is bool  # a keyword gets a trailing _, sent as 'class'
    assert hints["mode"] == typing.Literal["fast", "slow"]
    assert hints["tags"] == list[str]
    assert hints["body"] is facade.Client2
    assert "{'tree_id': tree_id, 'x_request_id': x_request_id, 'mode': mode, " \
           "'tags': tags, 'class': class_}" in source
    # the 201 body types data; the 400 body is named in the docstring
    assert "-> TypedResponse[Client3]:" in source
    assert "error bodies: 400: Problem" in facade.ShopService.add_tree.__doc__


def test_bundled_facade(tmp_path):
    source = generate(tmp_path / "typed")
    assert source.startswith(GENERATED_MARK)
    for text in ("class OrderStatus(TypedDict, total=False):",
                 "    _customInfo: dict[str, str]\n",
                 "class OrderStatusAsyncNotificationRequest(TypedDict, total=False):",
                 "    eventId: Required[str]\n",
                 "    LineNumber: str | int\n",
                 "    def order_status(\n", "    def order_status_event(\n",
                 "        targeturl: str,\n",
                 "        x_hub_signature: str = _UNSET,\n",  # computed by signing: optional
                 "    'resellers_v1_webhooks_orderstatusevent_post',\n",
                 ") -> TypedResponse[EventResponse]:"):
        assert text in source
    facade = load(tmp_path / "typed")
    assert set(typing.get_args(facade.OperationName)) >= {"thirdwatch.order_status",
                                                          "ingram.order_status_event"}
    assert issubclass(facade.Client, specclient.Client)
    assert (tmp_path / "typed" / "py.typed").exists()
    assert render(specclient.Client().catalog) == source  # the same text every time


def test_only_named_operations(tmp_path):
    assert main(["stubs", "--out", str(tmp_path / "tw"), "thirdwatch.order_status"]) == 0
    source = (tmp_path / "tw" / "__init__.py").read_text()
    assert "class ThirdwatchService" in source and "Ingram" not in source


def test_refuses_to_overwrite_a_file_it_did_not_write(tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "__init__.py").write_text("print('my code')\n")
    assert main(["stubs", "--out", str(tmp_path / "mine")]) == 2
    assert "not written by specclient stubs" in capsys.readouterr().err
    assert (tmp_path / "mine" / "__init__.py").read_text() == "print('my code')\n"
    assert main(["stubs", "--out", str(tmp_path / "not-a-name")]) == 2
    assert "must be a Python identifier" in capsys.readouterr().err
    generate(tmp_path / "again")
    generate(tmp_path / "again")  # its own file is replaced


@responses.activate
def test_runtime_forwards_to_the_generic_client(tmp_path):
    generate(tmp_path / "typed_rt")
    facade = load(tmp_path / "typed_rt")
    responses.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
    client = facade.Client(credentials=CREDS)
    resp = client.thirdwatch.order_status({"_userId": "u1", "_orderStatus": "_fulfilled"})
    assert isinstance(resp, specclient.Response) and resp.data == {"status": "OK"}
    sent = responses.calls[0].request
    assert sent.method == "POST" and sent.url == THIRDWATCH_URL
    assert json.loads(sent.body) == {"_userId": "u1", "_orderStatus": "_fulfilled"}
    assert sent.headers["X-THIRDWATCH-API-KEY"] == CREDS["THIRDWATCH_API_KEY"]
    assert client.call("thirdwatch.order_status", body={"_userId": "u2"}).data == {"status": "OK"}
    with pytest.raises(specclient.ValidationError):  # the engine still validates
        client.thirdwatch.order_status({"_userId": 3})  # type: ignore[typeddict-item]


@responses.activate
def test_runtime_parameters_on_the_wire(tmp_path):
    write_service(tmp_path)
    generate(tmp_path / "pets_rt", str(tmp_path), bundled=False)
    facade = load(tmp_path / "pets_rt")
    url = "https://pets.example.com/api/v2/owners/ann/pets/7?include=photos&verbose=true&api_key=k"
    responses.add(responses.GET, url, json={"id": 7, "name": "Rex"})
    client = facade.Client([tmp_path], credentials={"PETSTORE_KEY": "k"}, include_bundled=False)
    resp = client.petstore.get_pet(owner="ann", pet_id=7, include=["photos"], verbose=True,
                                   x_request_id="r-1", timeout=5)
    assert resp.data == {"id": 7, "name": "Rex"}
    sent = responses.calls[0].request
    assert sent.url == url and sent.headers["X-Request-Id"] == "r-1"
    # an optional parameter not given is left out, not sent as a placeholder
    short = "https://pets.example.com/api/v2/owners/ann/pets/7?api_key=k"
    responses.add(responses.GET, short, json={"id": 7, "name": "Rex"})
    client.petstore.get_pet(owner="ann", pet_id=7, x_request_id="r-2")
    assert responses.calls[1].request.url == short


def test_runtime_with_the_mock(tmp_path):
    specs = write_shop(tmp_path)
    generate(tmp_path / "shop_rt", specs, bundled=False)
    facade = load(tmp_path / "shop_rt")
    seen = []
    client = facade.Client([specs], include_bundled=False, mock=True)
    client.mock.on_request = seen.append
    body = {"root": {"name": "a", "children": [{"name": "b"}]}, "kind": "tree"}
    resp = client.shop.add_tree(body, tree_id=3, x_request_id="r1", mode="fast", class_=True)
    assert resp.status_code == 201
    [exchange] = seen
    assert exchange.method == "POST"
    assert exchange.url == "https://shop.example.com/v1/trees/3?mode=fast&class=true"
    assert exchange.headers["X-Request-Id"] == "r1"
    assert json.loads(exchange.body) == body
    assert client.shop.ping().status_code == 200
