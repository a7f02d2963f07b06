"""The mock on a spec written here: path/query/header parameters, basic auth, a form body,
OAuth2 with client_auth: basic, generated responses, and token URLs following a base URL."""

from __future__ import annotations

import base64
import json
import textwrap

import jsonschema
import pytest
import requests
import responses

import specclient
from conftest import CREDS, INGRAM_URL, REPO
from specclient.auth import follow_base_url
from specclient.credentials import Credentials
from specclient.mock import MockAdapter, MockApp, demo_secret
from specclient.schema.examples import example_for
from specclient.spec.catalog import Catalog

SERVICE = """
service: shop
environments:
  live: https://shop.example.com/api
  staging: https://shop.example.com:443/staging-api
auth:
  token:
    type: oauth2
    token_url: https://shop.example.com/oauth/token
    client_id: SHOP_ID
    client_secret: SHOP_SECRET
    client_auth: basic
    scope: [read, write]
  idp:
    type: oauth2
    token_url: https://login.idp.example/token
    client_id: SHOP_ID
    client_secret: SHOP_SECRET
  qkey:
    type: api_key
    in: query
    name: api_key
    secret: SHOP_KEY
  admin:
    type: basic
    username: SHOP_USER
    password: SHOP_PASSWORD
defaults:
  auth: token
"""

GET_ITEM = """
method: GET
path: /items/{itemId}
parameters:
  itemId: {in: path, schema: {type: integer, minimum: 1}}
  limit: {in: query, required: true, schema: {type: integer, maximum: 50}}
  tags: {in: query, schema: {type: array, items: {type: string}}}
  X-Req: {in: header, required: true, schema: {type: string, maxLength: 8}}
responses:
  "200":
    schema: {$ref: ../schemas/item.yaml}
  default: {description: error}
"""

# Person refers to itself: the resolved schema keeps it under $defs, referred to by $ref.
ITEM = """
type: object
required: [id, sku, created, owner]
properties:
  id: {type: integer, minimum: 1}
  sku: {type: string, format: uuid}
  created: {type: string, format: date-time}
  state: {enum: [open, closed]}
  price: {type: number, exclusiveMinimum: 0}
  owner: {$ref: "#/$defs/Person"}
  history: {type: array, minItems: 2, items: {$ref: "#/$defs/Person"}}
$defs:
  Person:
    type: object
    required: [email]
    properties:
      email: {type: string, format: email}
      nick: {oneOf: [{type: string, minLength: 3}, {type: integer}]}
      friends: {type: array, items: {$ref: "#/$defs/Person"}}
"""

ADMIN = """
method: POST
path: /admin/items
auth: admin
body:
  content_type: application/x-www-form-urlencoded
  schema:
    type: object
    required: [name]
    properties:
      name: {type: string, minLength: 2}
responses:
  "201":
    schema: {type: object, properties: {created: {const: true}}}
"""

REMOTE = """
method: GET
path: /remote
auth: idp
responses:
  "204": {description: nothing}
"""

SEARCH = """
method: GET
path: /search
auth: qkey
parameters:
  q: {in: query, required: true}
responses:
  "200": {schema: {type: array, items: {type: string}}, example: [lamp]}
"""

SHOP_CREDS = {"SHOP_ID": "shop-id", "SHOP_SECRET": "shop-s3cret", "SHOP_USER": "ann",
              "SHOP_PASSWORD": "ann-passw0rd", "SHOP_KEY": "shop-query-k3y"}
SHOP = "https://shop.example.com/api"


@pytest.fixture
def specs(tmp_path):
    folder = tmp_path / "shop"
    (folder / "operations").mkdir(parents=True)
    (folder / "schemas").mkdir()
    (folder / "schemas" / "item.yaml").write_text(ITEM)
    (folder / "service.yaml").write_text(textwrap.dedent(SERVICE))
    (folder / "operations" / "get_item.yaml").write_text(GET_ITEM)
    (folder / "operations" / "admin.yaml").write_text(ADMIN)
    (folder / "operations" / "remote.yaml").write_text(REMOTE)
    (folder / "operations" / "search.yaml").write_text(SEARCH)
    return tmp_path


@pytest.fixture
def app(specs):
    return MockApp(Catalog([specs]), Credentials(SHOP_CREDS, environ={}, file=False))


@pytest.fixture
def http(app):
    s = requests.Session()
    s.mount("https://", MockAdapter(app))
    s.mount("http://", MockAdapter(app))
    return s


def record(app, monkeypatch):
    """Every (method, url, status) the app answers."""
    seen = []
    original = app.respond

    def spy(method, url, headers, body):
        reply = original(method, url, headers, body)
        seen.append((method, url, reply.status))
        return reply

    monkeypatch.setattr(app, "respond", spy)
    return seen


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def shop_token(http):
    r = http.post("https://shop.example.com/oauth/token", data={"grant_type":
                                                                 "client_credentials"},
                  headers={"Authorization": basic("shop-id", "shop-s3cret")})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def test_client_round_trip_with_generated_response(specs, monkeypatch):
    client = specclient.Client([specs], credentials=SHOP_CREDS, mock=True,
                               response_validation="strict")
    seen = record(client.mock, monkeypatch)
    resp = client.call("shop.get_item", item_id=7, limit=3, tags=["a", "b"], x_req="r1")
    assert resp.status_code == 200
    schema = client.operation("shop.get_item").responses["200"].schema
    assert resp.data == example_for(schema)
    assert resp.data["sku"] == "00000000-0000-4000-8000-000000000000"
    owner = resp.data["owner"]
    assert (owner["email"], owner["nick"]) == ("user@example.com", "string")
    depth, node = 0, owner  # a recursive schema: nested a few levels, then stopped
    while node["friends"]:
        depth, node = depth + 1, node["friends"][0]
    assert 1 <= depth < 10
    assert len(resp.data["history"]) == 2
    jsonschema.validate(resp.data, schema, format_checker=jsonschema.FormatChecker())
    assert seen == [
        ("POST", "https://shop.example.com/oauth/token", 200),
        ("GET", f"{SHOP}/items/7?limit=3&tags=a&tags=b", 200),
    ]


def test_token_request_must_use_basic_when_declared(http):
    r = http.post("https://shop.example.com/oauth/token",
                  data={"grant_type": "client_credentials", "client_id": "shop-id",
                        "client_secret": "shop-s3cret"})
    assert r.status_code == 401
    assert r.json()["message"] == ("client credentials expected as HTTP basic auth "
                                   "(client_auth: basic)")
    assert shop_token(http)


def test_parameters_checked_against_their_schemas(http):
    token = shop_token(http)
    auth = {"Authorization": f"Bearer {token}"}
    r = http.get(f"{SHOP}/items/0?limit=x", headers={**auth, "X-Req": "far-too-long"})
    assert r.status_code == 422
    assert r.json()["violations"] == [
        {"path": "path.itemId", "message": "0 is less than the minimum of 1"},
        {"path": "query.limit", "message": "'x' is not of type 'integer'"},
        {"path": "header.X-Req", "message": "'far-too-long' is too long"},
    ]
    r = http.get(f"{SHOP}/items/3", headers={**auth, "X-Req": "r"})
    assert r.status_code == 422
    assert r.json()["violations"] == [
        {"path": "query.limit", "message": "required query parameter is missing"}]
    r = http.get(f"{SHOP}/items/3?limit=51", headers={**auth, "X-Req": "r"})
    assert r.json()["violations"] == [
        {"path": "query.limit", "message": "51 is greater than the maximum of 50"}]
    r = http.get(f"{SHOP}/items/3?limit=50&tags=x&tags=y", headers={**auth, "X-Req": "r"})
    assert r.status_code == 200
    r = http.head(f"{SHOP}/items/3?limit=50", headers={**auth, "X-Req": "r"})
    assert r.status_code == 200 and r.content == b""  # HEAD: the GET, without its body
    assert int(r.headers["Content-Length"]) > 0


def test_basic_auth_and_form_body(http):
    url = f"{SHOP}/admin/items"
    r = http.post(url, data={"name": "lamp"})
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="specclient-mock"'
    r = http.post(url, data={"name": "lamp"}, headers={"Authorization": basic("ann", "guess")})
    assert r.status_code == 401
    assert r.json()["message"] == ("admin: wrong HTTP basic credentials "
                                   "(not SHOP_USER / SHOP_PASSWORD)")
    good = {"Authorization": basic("ann", "ann-passw0rd")}
    r = http.post(url, data={"name": "x"}, headers=good)
    assert r.status_code == 422
    assert r.json()["violations"] == [{"path": "body.name", "message": "'x' is too short"}]
    r = http.post(url, data={"name": "lamp"}, headers=good)
    assert r.status_code == 201 and r.json() == {"created": True}


# ---------------------------------------------------------------------- token URLs and base URLs


@pytest.mark.parametrize("url, override, expected", [
    # same origin as an environment: follows the override, path and query kept
    ("https://shop.example.com/oauth/token", "http://127.0.0.1:4010",
     "http://127.0.0.1:4010/oauth/token"),
    ("https://shop.example.com:443/oauth/token?x=1", "http://127.0.0.1:4010/base",
     "http://127.0.0.1:4010/oauth/token?x=1"),
    # another host, or another port: an identity provider of its own, left alone
    ("https://login.idp.example/token", "http://127.0.0.1:4010",
     "https://login.idp.example/token"),
    ("https://shop.example.com:8443/oauth/token", "http://127.0.0.1:4010",
     "https://shop.example.com:8443/oauth/token"),
    # no override: unchanged
    ("https://shop.example.com/oauth/token", None, "https://shop.example.com/oauth/token"),
])
def test_follow_base_url_rule(url, override, expected):
    envs = ["https://shop.example.com/api", "https://shop.example.com:443/staging-api"]
    assert follow_base_url(url, envs, override) == expected


def test_token_url_follows_base_url_through_the_mock(specs, monkeypatch):
    client = specclient.Client([specs], credentials=SHOP_CREDS, mock=True,
                               base_url="http://127.0.0.1:4010")
    seen = record(client.mock, monkeypatch)
    assert client.call("shop.get_item", item_id=1, limit=1, x_req="r").status_code == 200
    assert client.call("shop.remote").status_code == 204
    assert [u for _, u, _ in seen] == [
        "http://127.0.0.1:4010/oauth/token",
        "http://127.0.0.1:4010/items/1?limit=1",
        "https://login.idp.example/token",  # another origin: not moved
        "http://127.0.0.1:4010/remote",
    ]


def test_token_url_follows_base_url_without_the_mock(ingram_example):
    """The rule is the client's, not the mock's: plain HTTP to a base URL override."""
    client = specclient.Client(credentials=CREDS, base_url="http://127.0.0.1:4010")
    with responses.RequestsMock() as rsps:
        tok = rsps.add(responses.POST, "http://127.0.0.1:4010/oauth/oauth30/token",
                       json={"access_token": "t1", "expires_in": 60})
        api = rsps.add(responses.POST,
                       "http://127.0.0.1:4010/resellers/v1/webhooks/orderstatusevent")
        client.call("ingram.order_status_event", body=ingram_example, targeturl="https://h.x")
        client.call("ingram.order_status_event", body=ingram_example, targeturl="https://h.x")
        assert tok.call_count == 1 and api.call_count == 2
    # and without the override the declared token URL is used, as before
    plain = specclient.Client(credentials=CREDS)
    with responses.RequestsMock() as rsps:
        tok = rsps.add(responses.POST, "https://api.ingrammicro.com:443/oauth/oauth30/token",
                       json={"access_token": "t2", "expires_in": 60})
        rsps.add(responses.POST, INGRAM_URL)
        plain.call("ingram.order_status_event", body=ingram_example, targeturl="https://h.x")
        assert tok.call_count == 1


def test_generated_values_are_deterministic(specs):
    schema = Catalog([specs]).operation("shop.get_item").responses["200"].schema
    assert json.dumps(example_for(schema)) == json.dumps(example_for(schema))


def test_api_key_in_query_checked_and_never_logged(specs, caplog):
    import io
    import logging

    from specclient.mock import MockServer

    app = MockApp(Catalog([specs]), Credentials(SHOP_CREDS, environ={}, file=False))
    log = io.StringIO()
    with MockServer(app, log=log) as server, caplog.at_level(logging.INFO, "specclient.mock"):
        r = requests.get(f"{server.url}/search?q=lamp&api_key=shop-query-k3y", timeout=5)
        assert r.status_code == 200 and r.json() == ["lamp"]
        r = requests.get(f"{server.url}/search?q=lamp&api_key=guessed-k3y", timeout=5)
        assert r.status_code == 401
        assert r.json()["message"] == "qkey: wrong API key in query 'api_key' (not SHOP_KEY)"
        r = requests.get(f"{server.url}/search?q=lamp", timeout=5)
        assert r.json()["message"] == "qkey: missing API key (query 'api_key')"
        client = specclient.Client([specs], credentials=SHOP_CREDS, base_url=server.url)
        assert client.call("shop.search", q="lamp").data == ["lamp"]
    assert log.getvalue().splitlines() == [
        "GET /search?q=lamp&api_key=*** -> 200 shop.search: ok",
        "GET /search?q=lamp&api_key=*** -> 401 shop.search: qkey: wrong API key in query "
        "'api_key' (not SHOP_KEY)",
        "GET /search?q=lamp -> 401 shop.search: qkey: missing API key (query 'api_key')",
        "GET /search?q=lamp&api_key=*** -> 200 shop.search: ok",
    ]
    logged = log.getvalue() + caplog.text
    assert "shop-query-k3y" not in logged and "guessed-k3y" not in logged


def test_demo_secret_encodings():
    assert demo_secret("MY_SECRET") == "demo-my-secret"
    assert base64.b64decode(demo_secret("MY_SECRET", "base64")) == b"demo-my-secret"
    assert bytes.fromhex(demo_secret("MY_SECRET", "hex")) == b"demo-my-secret"


def test_example_webhook_specs_round_trip_with_demo_secrets(monkeypatch):
    """Signing rules with a base64 key (Standard Webhooks), hex output and a prefix (GitHub),
    generated headers and a timestamp: signed by the client, verified by the mock."""
    client = specclient.Client([REPO / "examples" / "specs"], mock=True)
    seen = record(client.mock, monkeypatch)
    event = client.operation("standard_webhooks.event").body.example
    assert client.call("standard_webhooks.event", body=event).status_code == 200
    ping = client.operation("github.delivery").body.example
    assert client.call("github.delivery", body=ping, github_event="ping").status_code == 200
    assert [(u, status) for _, u, status in seen] == [
        ("http://127.0.0.1:8000/webhook", 200), ("http://127.0.0.1:8000/github/webhook", 200)]
    with pytest.raises(specclient.ClientError) as info:
        client.call("github.delivery", body=ping, github_event="ping",
                    extra_headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})
    assert info.value.status_code == 401
    assert info.value.data["message"].startswith(
        "signature 'x_hub_signature_256' (X-Hub-Signature-256): ")
