"""4. Scaling with the size of the spec folder (10, 100, 1,000 and 10,000 generated operations):
the first call of one operation in a fresh process (Client() + prepare, warm cache), and the
wall time of ``specclient list`` (warm cache). Peers in the same run: openapi-core loading
Ingram's real document (27 operations) and a generated 1,000-operation OpenAPI document,
aiopenapi3 loading the same two documents, and bravado-core loading the same 1,000 operations as
Swagger 2.0, each up to its first validated request."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile

from .common import REPO, Figure, ingram_document, run_python, show, skip, wall_time
from .specgen import make_service, op_name, write_openapi

NAME = "scaling"
SIZES = (10, 100, 1_000, 10_000)

FIRST_CALL = """
import time
t0 = time.perf_counter()
import specclient
t1 = time.perf_counter()
c = specclient.Client([{folder!r}], include_bundled=False)
c.prepare({op!r}, {{"id": "t-1", "name": "x"}}, thing_id="t-1", dry_run=True)
t2 = time.perf_counter()
print(t2 - t1)
"""

OPENAPI_CORE = """
import json, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import yaml, requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest
t1 = time.perf_counter()
with open({path!r}, "rb") as fh:
    doc = yaml.load(fh, Loader=yaml.CSafeLoader)
api = OpenAPI.from_dict(doc, config=Config(spec_validator_cls=None))
req = requests.Request({method!r}, {url!r}, data={body!r}, headers={headers!r}).prepare()
try:
    api.validate_request(RequestsOpenAPIRequest(req))
except Exception as exc:  # the measured work is done either way
    pass
print(time.perf_counter() - t1)
"""

BRAVADO = """
import json, time
t0 = time.perf_counter()
import bravado_core.model
from bravado_core.spec import Spec
from bravado_core.param import marshal_param
t1 = time.perf_counter()
with open({path!r}) as fh:
    doc = json.load(fh)
bravado_core.model._run_post_processing = lambda spec: None  # see bench_overhead.py
spec = Spec.from_dict(doc, config={{"validate_requests": True, "use_models": False,
                                   "validate_swagger_spec": False}})
op = spec.resources["things"].operations[{op!r}]
request = {{"url": "", "method": "PUT", "headers": {{}}, "params": {{}}}}
values = {{"thing_id": "t-1", "verbose": True, "body": {{"id": "t-1", "name": "x"}}}}
for p in op.params.values():
    marshal_param(p, values[p.name], request)
print(time.perf_counter() - t1)
"""

AIOPENAPI3 = """
import json, time
t0 = time.perf_counter()
import yaml, httpx2
from aiopenapi3 import OpenAPI
from aiopenapi3.plugin import Message
session = httpx2.Client(headers={{"user-agent": "x"}})  # opened before the clock (see below)
t1 = time.perf_counter()
with open({path!r}, "rb") as fh:
    doc = yaml.load(fh, Loader=yaml.CSafeLoader)
class Bearer(Message):  # see bench_overhead.aiopenapi3_peer
    def sending(self, ctx):
        ctx.headers["Authorization"] = "Bearer t"
        return ctx
api = OpenAPI({url!r}, doc, session_factory=httpx2.Client, plugins=[Bearer()])
if {auth!r}:
    api.authenticate(**{auth!r})
req = api.createRequest({op!r})
body = json.loads({body!r})
req.data.get_type().model_validate(body)
req._prepare(body, {params!r})
req._build_req(session)
print(time.perf_counter() - t1)
"""


def swagger_from_openapi(doc: dict) -> dict:
    paths = {}
    for path, item in doc["paths"].items():
        op = item["put"]
        params = [dict(p, type=p["schema"]["type"]) for p in op["parameters"]]
        for p in params:
            p.pop("schema")
        params.append({"name": "body", "in": "body", "required": True,
                       "schema": {"$ref": "#/definitions/Thing"}})
        paths[path] = {"put": {"operationId": op["operationId"], "tags": ["things"],
                               "parameters": params,
                               "responses": {"200": {"description": "OK"}}}}
    return {"swagger": "2.0", "info": {"title": "g", "version": "1"}, "basePath": "/api",
            "paths": paths, "definitions": doc["components"]["schemas"]}


def _median_of(code: str, runs: int, env: dict[str, str]) -> float:
    return statistics.median(float(run_python(code, env=env, cwd=REPO)) for _ in range(runs))


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    return wall_time(cmd, env)


def run(quick: bool = False) -> list[Figure]:
    runs = 3 if quick else 9
    figs: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SPECCLIENT_CACHE_DIR": os.path.join(tmp, "cache"),
               "GEN_API_KEY": "gen-key-0123456789"}
        env.pop("SPECCLIENT_SPECS", None)
        folders = {n: make_service(os.path.join(tmp, f"s{n}"), n) for n in SIZES}
        first: dict[int, list[float]] = {n: [] for n in SIZES}
        for n in SIZES:  # warm the cache (format check of the files called)
            run_python(FIRST_CALL.format(folder=folders[n], op=f"gen.{op_name(n // 2)}"),
                       env=env, cwd=REPO)
        # A first call takes ~5 ms, and one process's start can be ~2 ms off: many short runs,
        # interleaved across sizes, in alternating order.
        for r in range(runs * 3):
            for n in (SIZES if r % 2 else SIZES[::-1]):
                code = FIRST_CALL.format(folder=folders[n], op=f"gen.{op_name(n // 2)}")
                first[n].append(float(run_python(code, env=env, cwd=REPO)))
        base = statistics.median(first[10])
        for n in SIZES:
            med = statistics.median(first[n])
            figs.append(show(Figure(NAME, f"first call, {n:,} operations present", med, "s",
                                    "the same with 10", base,
                                    "<= 1.2x" if n == 10_000 else "",
                                    med <= 1.2 * base if n == 10_000 else None)))
        cmd = [sys.executable, "-m", "specclient", "list", "--specs"]
        listed: dict[int, float] = {}
        for n in SIZES:
            cold = _wall(cmd + [folders[n]], env)  # builds the index
            listed[n] = statistics.median(_wall(cmd + [folders[n]], env) for _ in range(runs))
            figs.append(show(Figure(
                NAME, f"specclient list, {n:,} operations (warm cache)", listed[n], "s",
                "the same with 10", listed[10] if n != 10 else listed[n],
                "< 1 s" if n == 10_000 else "", listed[n] < 1.0 if n == 10_000 else None,
                note=f"cold (index built): {cold:.2f} s")))
        figs.extend(_peers(tmp, env, runs, base, statistics.median(first[1_000])))
    return figs


def _peers(tmp: str, env: dict[str, str], runs: int, sc10: float,
           sc1000: float) -> list[Figure]:
    figs = []
    gen_doc = write_openapi(os.path.join(tmp, "gen1000.json"), 1_000)
    body = json.dumps({"id": "t-1", "name": "x"})
    # specclient's own first call of Ingram's operation, for the real-document comparison.
    sc_ingram = _median_of(
        "import time\nimport specclient\nt=time.perf_counter()\n"
        "c=specclient.Client(credentials={'INGRAM_CLIENT_ID':'a','INGRAM_CLIENT_SECRET':'b',"
        "'INGRAM_WEBHOOK_SECRET':'c'})\n"
        "op=c.operation('ingram.order_status_event')\n"
        "c.prepare('ingram.order_status_event', op.body.example, targeturl='https://h/x',"
        " dry_run=True)\nprint(time.perf_counter()-t)", runs, env)
    figs.append(show(Figure(NAME, "specclient first call, Ingram order status (bundled)",
                            sc_ingram, "s")))
    try:
        import openapi_core  # noqa: F401
    except ImportError:
        figs.append(skip(NAME, "openapi-core loading", "not installed"))
    else:
        doc = ingram_document()
        if doc is None:
            figs.append(skip(NAME, "openapi-core loading Ingram's document", "not found"))
        else:
            from .bench_overhead import INGRAM_OP

            t = _median_of(OPENAPI_CORE.format(
                path=doc, method="POST", url="https://api.ingrammicro.com:443" + INGRAM_OP,
                body=_ingram_peer_body(),
                headers={"Content-Type": "application/json", "targeturl": "https://h/x",
                         "x-hub-signature": "sig"}), runs, env)
            figs.append(show(Figure(
                NAME, "openapi-core: load Ingram's document (27 ops) + first validation", t,
                "s", "specclient first call (Ingram)", sc_ingram)))
        t = _median_of(OPENAPI_CORE.format(
            path=gen_doc, method="PUT", url="http://127.0.0.1:9/api/v1/group5/things/t-1/op500",
            body=body, headers={"Content-Type": "application/json"}), runs, env)
        figs.append(show(Figure(NAME, "openapi-core: load 1,000-op document + first validation",
                                t, "s", "specclient first call, 1,000 ops", sc1000)))
    figs.extend(_aiopenapi3(gen_doc, body, runs, env, sc_ingram, sc1000))
    try:
        import bravado_core  # noqa: F401
    except ImportError:
        figs.append(skip(NAME, "bravado-core loading", "not installed"))
    else:
        from .specgen import openapi_document

        sw = os.path.join(tmp, "gen1000.swagger.json")
        with open(sw, "w") as fh:
            json.dump(swagger_from_openapi(openapi_document(1_000)), fh)
        t = _median_of(BRAVADO.format(path=sw, op=op_name(500)), runs, env)
        figs.append(show(Figure(NAME, "bravado-core: load 1,000-op Swagger + first validation",
                                t, "s", "specclient first call, 1,000 ops", sc1000)))
    return figs


def _ingram_peer_body() -> str:
    """The seed Ingram example made valid under Ingram's own document, as JSON text."""
    import specclient

    from .bench_overhead import peer_body

    example = specclient.Client().operation("ingram.order_status_event").body.example
    return json.dumps(peer_body(example))


def _aiopenapi3(gen_doc: str, body: str, runs: int, env: dict[str, str], sc_ingram: float,
                sc1000: float) -> list[Figure]:
    """aiopenapi3 loading Ingram's document as published and the 1,000-op document, up to its
    first request built and validated as in bench_overhead (model_validate, _prepare,
    _build_req). The httpx2.Client that ``request()`` would open (tens of ms, its SSL
    context) is opened before the clock starts, like the imports."""
    try:
        import aiopenapi3  # noqa: F401
    except ImportError:
        return [skip(NAME, "aiopenapi3 loading", "not installed")]
    figs = []
    doc = ingram_document()
    if doc is None:
        figs.append(skip(NAME, "aiopenapi3 loading Ingram's document", "not found"))
    else:
        from .bench_overhead import INGRAM_OP

        t = _median_of(AIOPENAPI3.format(
            path=doc, url="https://api.ingrammicro.com:443/", auth={"application": "t"},
            op=(INGRAM_OP, "post"), body=_ingram_peer_body(),
            params={"targeturl": "https://h/x", "x-hub-signature": "sig"}), runs, env)
        figs.append(show(Figure(
            NAME, "aiopenapi3: load Ingram's document (27 ops) + first validation", t, "s",
            "specclient first call (Ingram)", sc_ingram)))
    t = _median_of(AIOPENAPI3.format(
        path=gen_doc, url="http://127.0.0.1:9/api", auth={}, op=op_name(500), body=body,
        params={"thing_id": "t-1", "verbose": True}), runs, env)
    figs.append(show(Figure(NAME, "aiopenapi3: load 1,000-op document + first validation",
                            t, "s", "specclient first call, 1,000 ops", sc1000)))
    return figs


if __name__ == "__main__":
    run()
