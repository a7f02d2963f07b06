"""1. Per-call overhead without a network: bind + build + validate + sign + prepare.

specclient (validation on) against the same request written by hand with ``requests`` (HMAC
inline, ``requests.Request(...).prepare()``, no validation), and against the runtime OpenAPI
peers validating the same request: openapi-core on Ingram's published OpenAPI document,
bravado-core on the equivalent Swagger 2.0 document (derived from it here), and aiopenapi3 on
Ingram's published document as it is. A peer's figure is what it costs to get the same result
with that library. openapi-core and bravado-core only validate, so their figure is the request
built by hand (as above) plus the library's validation of it (openapi-core
``validate_request``; bravado-core ``marshal_param`` of every parameter with
``validate_requests`` on, as bravado's client does). aiopenapi3 builds the wire request itself,
so its figure is what ``Request.request()`` does before it sends, minus the send: a new
``createRequest`` (its requests are single-use), the HMAC computed inline and passed as the
declared ``x-hub-signature`` header parameter, the body validated with the document's pydantic
model, ``_prepare`` (security, parameters validated and encoded, body encoded) and
``_build_req`` (the ``httpx2.Request`` on the wire), on one client opened once. The peers
validate a copy of the body made valid under Ingram's own document (FACTS.md).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import time
import warnings
from collections.abc import Callable
from typing import Any

import requests

import specclient
from specclient.prepare.jsoncodec import dumps
from specclient.schema.validation import SchemaValidator
from specclient.transport.wire import to_requests

from .common import CREDS, Figure, fmt, ingram_document, interleaved, show, skip

NAME = "overhead"
INGRAM_OP = "/resellers/v1/webhooks/orderstatusevent"
INGRAM_URL = "https://api.ingrammicro.com:443/sandbox" + INGRAM_OP
THIRDWATCH_URL = "https://api.thirdwatch.ai/event/v1/order_status"
TARGET = "https://hooks.example.com/ingram/order-status"


def _load_document(path: str) -> dict[str, Any]:
    import yaml

    with open(path, "rb") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def peer_body(body: dict[str, Any]) -> dict[str, Any]:
    """The seed example made valid under Ingram's own document (which wants string quantities
    and a top-level customerOrderNumber, FACTS.md), so the peers do the passing path too."""
    out = copy.deepcopy(body)
    out["customerOrderNumber"] = out["resource"][0]["customerOrderNumber"]
    for res in out["resource"]:
        for line in res.get("lines", []):
            for k, v in list(line.items()):
                if isinstance(v, int):
                    line[k] = str(v)
    return out


def swagger2(doc: dict[str, Any]) -> dict[str, Any]:
    """The order status operation of Ingram's OpenAPI 3 document as Swagger 2.0 (bravado-core
    reads only Swagger 2.0): the same parameters, body schema and definitions."""
    op = doc["paths"][INGRAM_OP]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schemas = doc["components"]["schemas"]
    wanted, todo = set(), [ref.rsplit("/", 1)[1]]
    while todo:  # the schemas the body refers to, directly or not
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(r.rsplit("/", 1)[1] for r in _refs(schemas[name]))
    text = json.dumps({n: schemas[n] for n in wanted}).replace("#/components/schemas/",
                                                               "#/definitions/")
    definitions = json.loads(text)
    for schema in definitions.values():  # OpenAPI-3-only keywords
        _strip(schema)
    params = [{k: v for k, v in p.items() if k != "schema"} | {"type": "string"}
              for p in op["parameters"]]
    params.append({"name": "body", "in": "body", "required": True,
                   "schema": {"$ref": ref.replace("#/components/schemas/", "#/definitions/")}})
    return {
        "swagger": "2.0", "info": {"title": "Ingram", "version": "1"},
        "host": "api.ingrammicro.com", "basePath": "/", "schemes": ["https"],
        "consumes": ["application/json"], "produces": ["application/json"],
        "paths": {INGRAM_OP: {"post": {"operationId": "orderStatusEvent", "tags": ["OrderStatus"],
                                       "parameters": params,
                                       "responses": {"200": {"description": "OK"}}}}},
        "definitions": definitions,
    }


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _strip(node: Any) -> None:
    if isinstance(node, dict):
        for k in ("nullable", "example", "examples", "deprecated", "oneOf", "anyOf"):
            node.pop(k, None)
        for v in node.values():
            _strip(v)
    elif isinstance(node, list):
        for v in node:
            _strip(v)


def aiopenapi3_peer(doc: dict[str, Any], pbody: dict[str, Any], bad_body: dict[str, Any],
                    key: bytes, token: str) -> tuple[Callable[[], object], Callable[[], None],
                                                     Callable[[], None]]:
    """aiopenapi3 on Ingram's document as published (it loads it unchanged): a function that
    builds and validates one order status request, one that opens and closes the client its
    ``request()`` opens per call (for a note), and one that closes what was opened here.

    The operation has no operationId, so it is created by (path, method). Its security is
    OAuth2 client credentials; aiopenapi3 wants the scheme set (``authenticate``) but sets no
    header for it without the optional httpx2-auth (which would fetch a token itself), so the
    bearer token is added by a Message plugin's ``sending`` hook, aiopenapi3's way to add a
    header. A plain dict body is sent unvalidated, so the body is validated with the
    document's model first (``model_validate``) and the dict passed on: passing the model
    instead would send different bytes (``model_dump`` adds ``null`` for every absent optional
    property, which the document does not allow either: none of them is ``nullable``).
    Checked once here: the request on the wire has the hand-written request's method, path,
    ``targeturl``, ``x-hub-signature`` (recomputed here), bearer token and content type, and
    the peer body as ``json.dumps`` writes it; and the model refuses the seed body as it is
    (integer quantities)."""
    import httpx2
    import pydantic
    from aiopenapi3 import OpenAPI as Aio
    from aiopenapi3.plugin import Message

    class Bearer(Message):
        def sending(self, ctx: Message.Context) -> Message.Context:
            ctx.headers["Authorization"] = f"Bearer {token}"
            return ctx

    api = Aio("https://api.ingrammicro.com:443/", doc, session_factory=httpx2.Client,
              plugins=[Bearer()])
    api.authenticate(application=token)
    op = (INGRAM_OP, "post")
    model = api.createRequest(op).data.get_type()
    session_args = api.createRequest(op)._session_factory_default_args
    session = httpx2.Client(**session_args)

    def build() -> object:
        sig = base64.b64encode(hmac.new(key, pbody["eventId"].encode(), hashlib.sha512)
                               .digest()).decode()
        req = api.createRequest(op)
        model.model_validate(pbody)
        req._prepare(pbody, {"targeturl": TARGET, "x-hub-signature": sig})
        return req._build_req(session)

    def open_client() -> None:
        httpx2.Client(**session_args).close()

    wire = build()
    sig = base64.b64encode(hmac.new(key, pbody["eventId"].encode(), hashlib.sha512)
                           .digest()).decode()
    want = {"targeturl": TARGET, "x-hub-signature": sig, "authorization": f"Bearer {token}",
            "content-type": "application/json"}
    got = {k: wire.headers.get(k) for k in want}
    if (wire.method, wire.url.path, got, wire.content) != (
            "POST", INGRAM_OP, want, json.dumps(pbody).encode()):
        raise RuntimeError(f"aiopenapi3 built another request: {wire.method} {wire.url} {got}")
    try:
        model.model_validate(bad_body)
    except pydantic.ValidationError:
        pass
    else:
        raise RuntimeError("aiopenapi3's model accepted integer quantities")
    return build, open_client, session.close


def run(quick: bool = False) -> list[Figure]:
    number, repeat = (200, 5) if quick else (1000, 25)
    figs: list[Figure] = []
    client = specclient.Client(credentials=CREDS)
    # The seed examples as a caller has them: plain dicts and lists (the spec's own example
    # objects are dict subclasses that remember their YAML lines, slower for every encoder).
    body = json.loads(json.dumps(client.operation("ingram.order_status_event").body.example))
    tw_body = json.loads(json.dumps(client.operation("thirdwatch.order_status").body.example))
    key = CREDS["INGRAM_WEBHOOK_SECRET"].encode()

    def sc_ingram() -> object:
        req = client.prepare("ingram.order_status_event", body, targeturl=TARGET,
                             dry_run=True)
        return to_requests(req, client.session)

    def hand_ingram() -> object:
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        mac = hmac.new(key, body["eventId"].encode(), hashlib.sha512).digest()
        return requests.Request("POST", INGRAM_URL, data=data, headers={
            "Content-Type": "application/json", "Authorization": "Bearer token-123",
            "targeturl": TARGET, "x-hub-signature": base64.b64encode(mac).decode(),
        }).prepare()

    def sc_thirdwatch() -> object:
        return to_requests(client.prepare("thirdwatch.order_status", tw_body), client.session)

    def hand_thirdwatch() -> object:
        data = json.dumps(tw_body, separators=(",", ":"), ensure_ascii=False).encode()
        return requests.Request("POST", THIRDWATCH_URL, data=data, headers={
            "Content-Type": "application/json", "Accept": "application/json",
            "X-THIRDWATCH-API-KEY": CREDS["THIRDWATCH_API_KEY"]}).prepare()

    candidates: dict[str, Any] = {"sc_ingram": sc_ingram, "hand_ingram": hand_ingram,
                                  "sc_thirdwatch": sc_thirdwatch,
                                  "hand_thirdwatch": hand_thirdwatch}

    # The validator alone: why the fast path matters.
    schema = client.operation("ingram.order_status_event").body.schema
    fast = SchemaValidator(schema)
    import jsonschema

    slow = jsonschema.Draft202012Validator(schema)
    candidates["fast_validator"] = lambda: fast.is_valid(body)
    candidates["jsonschema_validator"] = lambda: slow.is_valid(body)
    try:  # the compiled validator specclient used before its own (schemacheck)
        import fastjsonschema
    except ImportError:
        pass
    else:
        fjs = fastjsonschema.compile({k: v for k, v in schema.items() if k != "$schema"},
                                     use_default=False, use_formats=False)
        candidates["fastjsonschema_validator"] = lambda: fjs(body)
    # The encoder: specclient's (orjson where it writes json's bytes) against json's own.
    candidates["sc_encode"] = lambda: dumps(body)
    candidates["json_encode"] = lambda: json.dumps(body, separators=(",", ":"),
                                                   ensure_ascii=False).encode()

    # Peers.
    peer_notes: dict[str, str] = {}
    doc_path = ingram_document()
    doc = _load_document(doc_path) if doc_path else None
    pbody = peer_body(body)
    wire = hand_ingram()
    wire.body = json.dumps(pbody).encode()
    try:
        from openapi_core import Config, OpenAPI
        from openapi_core.contrib.requests import RequestsOpenAPIRequest
    except ImportError:
        peer_notes["openapi-core"] = "not installed (pip install -e '.[bench]')"
    else:
        if doc is None:
            peer_notes["openapi-core"] = "Ingram's OpenAPI document not found"
        else:
            wire_oc = wire.copy()
            wire_oc.url = "https://api.ingrammicro.com:443" + INGRAM_OP  # its servers entry
            api = OpenAPI.from_dict(doc, config=Config(spec_validator_cls=None))

            def openapi_core() -> None:
                hand_ingram()  # the request itself, as written by hand
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    api.validate_request(RequestsOpenAPIRequest(wire_oc))

            openapi_core()  # fails loudly here if the request does not pass
            candidates["openapi_core"] = openapi_core
    try:
        from bravado_core.param import marshal_param
        from bravado_core.spec import Spec
    except ImportError:
        peer_notes["bravado-core"] = "not installed (pip install -e '.[bench]')"
    else:
        if doc is None:
            peer_notes["bravado-core"] = "Ingram's OpenAPI document not found"
        else:
            import bravado_core.model

            # bravado-core 6.4 with jsonschema >= 4.18 walks jsonschema's bundled metaschemas
            # while post-processing models and tries to download one (no network here). Models
            # are off (use_models False), so that step is skipped while the spec is built;
            # request marshalling and validation are untouched.
            post = bravado_core.model._run_post_processing
            bravado_core.model._run_post_processing = lambda spec: None
            try:
                spec = Spec.from_dict(swagger2(doc), config={
                    "validate_requests": True, "validate_responses": False,
                    "use_models": False, "validate_swagger_spec": False})
            finally:
                bravado_core.model._run_post_processing = post
            bop = spec.resources["OrderStatus"].operations["orderStatusEvent"]
            sig = wire.headers["x-hub-signature"]
            values = {"targeturl": TARGET, "x-hub-signature": sig, "body": pbody}

            def bravado_core() -> None:
                hand_ingram()  # the request itself (bravado's client also prepares one)
                request: dict[str, Any] = {"url": INGRAM_URL, "method": "POST", "headers": {},
                                           "params": {}}
                for param in bop.params.values():
                    marshal_param(param, values[param.name], request)

            bravado_core()
            candidates["bravado_core"] = bravado_core
    aio_close: Callable[[], None] | None = None
    aio_client = float("nan")
    try:
        import aiopenapi3  # noqa: F401
    except ImportError:
        peer_notes["aiopenapi3"] = "not installed (pip install -e '.[bench]')"
    else:
        if doc is None:
            peer_notes["aiopenapi3"] = "Ingram's OpenAPI document not found"
        else:
            build, open_client, aio_close = aiopenapi3_peer(doc, pbody, body, key, "token-123")
            candidates["aiopenapi3"] = build
            opened = []
            for _ in range(3 if quick else 10):  # too slow to interleave (tens of ms)
                t0 = time.perf_counter()
                open_client()
                opened.append(time.perf_counter() - t0)
            aio_client = min(opened)

    t = interleaved(candidates, number, repeat)
    b = NAME
    figs.append(show(Figure(b, "Ingram order status: specclient prepare (validated, signed)",
                            t["sc_ingram"], "s", "hand-written requests", t["hand_ingram"],
                            "<= 0.36x", t["sc_ingram"] <= 0.36 * t["hand_ingram"])))
    figs.append(show(Figure(b, "Thirdwatch order_status: specclient prepare (validated)",
                            t["sc_thirdwatch"], "s", "hand-written requests",
                            t["hand_thirdwatch"], "<= 1.25x",
                            t["sc_thirdwatch"] <= 1.25 * t["hand_thirdwatch"])))
    figs.append(show(Figure(b, "Ingram body: jsonschema validator (cached)",
                            t["jsonschema_validator"], "s", "specclient's validator",
                            t["fast_validator"])))
    if "fastjsonschema_validator" in t:
        figs.append(show(Figure(b, "Ingram body: fastjsonschema validator (compiled)",
                                t["fastjsonschema_validator"], "s", "specclient's validator",
                                t["fast_validator"])))
    figs.append(show(Figure(b, "Ingram body: json.dumps (compact, UTF-8)", t["json_encode"],
                            "s", "specclient's encoder (same bytes)", t["sc_encode"])))
    notes = {"aiopenapi3": "not counted: its request() also opens and closes an httpx2.Client "
                           f"per call, {fmt(aio_client, 's')} each"}
    for peer, key_ in (("openapi-core", "openapi_core"), ("bravado-core", "bravado_core"),
                       ("aiopenapi3", "aiopenapi3")):
        if key_ in t:
            figs.append(show(Figure(
                b, f"Ingram order status: hand-written + {peer} validation", t[key_], "s",
                "specclient prepare", t["sc_ingram"], ">= 10x",
                t[key_] >= 10 * t["sc_ingram"], note=notes.get(peer, ""))))
        else:
            figs.append(skip(b, f"Ingram order status: {peer}", peer_notes[peer]))
    if aio_close is not None:
        aio_close()
    client.close()
    return figs


if __name__ == "__main__":
    run()
