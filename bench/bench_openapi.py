"""7. Real public OpenAPI documents (GitHub's and Stripe's, from ``../shared/reference/openapi``;
skipped when that folder is absent): for each, specclient importing it and listing its
operations with a cold cache, against loading the same document with openapi-core and with
aiopenapi3 in the same run; then lint time, and how many operations prepare with generated
arguments (``--example``) and are answered by the built-in mock with a response that passes
its own schema (strict validation). Each timed step runs in a fresh process, after its
imports. openapi-core is timed as it loads by default (it validates the document) and, where
that fails or to compare like with like, without the validation and up to its first request
validated (it builds the rest lazily)."""

from __future__ import annotations

import os
import shutil
import tempfile

from .common import REPO, Figure, run_python, show, skip

NAME = "openapi"

DOCS = {  # service: (file under shared/reference/openapi, a GET path, its operation, arguments)
    "github": ("github/api.github.com.json", "/repos/python/cpython", "github.repos_get",
               {"owner": "python", "repo": "cpython"}),
    "stripe": ("stripe/spec3.json", "/v1/customers", "stripe.get_customers", {}),
}

IMPORT = """
import time
from specclient.openapi import import_openapi
t = time.perf_counter()
result = import_openapi({path!r}, {svc!r})
result.write({out!r})
print(time.perf_counter() - t, len(result.operations))
"""

FIRST_CALL = """
import time
import specclient
t = time.perf_counter()
c = specclient.Client([{out!r}], include_bundled=False, credentials={{}})
names = c.operations()
c.prepare({op!r}, dry_run=True, **{args!r})
print(time.perf_counter() - t, len(names))
"""

LIST_WARM = """
import time
t = time.perf_counter()
import specclient
names = specclient.Client([{out!r}], include_bundled=False).operations()
print(time.perf_counter() - t)
"""

LINT = """
import time
from specclient.spec.lint import lint_report
t = time.perf_counter()
report = lint_report([{out!r}])
print(time.perf_counter() - t, len(report.problems))
"""

COVERAGE = """
import specclient
c = specclient.Client([{out!r}], include_bundled=False, credentials={{}})
m = specclient.Client([{out!r}], include_bundled=False, mock=True)
names = c.operations()
prepared = answered = 0
for n in names:
    try:
        body, params = c.example_arguments(n)
        c.prepare(n, body, dry_run=True, **params)
    except specclient.SpecClientError:
        continue
    prepared += 1
    try:
        m.call(n, body, response_validation="strict", **params)
    except specclient.SpecClientError:
        continue
    answered += 1
print(len(names), prepared, answered)
"""

OPENAPI_CORE = """
import json, time, warnings
warnings.simplefilter("ignore")
from openapi_core import Config, OpenAPI
t = time.perf_counter()
with open({path!r}, "rb") as fh:
    doc = json.load(fh)
try:
    api = OpenAPI.from_dict(doc)
except Exception as exc:
    print("failed", type(exc).__name__)
else:
    print(time.perf_counter() - t)
"""

OPENAPI_CORE_LAZY = """
import json, time, warnings
warnings.simplefilter("ignore")
import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest
t = time.perf_counter()
with open({path!r}, "rb") as fh:
    doc = json.load(fh)
api = OpenAPI.from_dict(doc, config=Config(spec_validator_cls=None))
server = doc["servers"][0]["url"].rstrip("/")
req = requests.Request("GET", server + {get!r}).prepare()
try:
    api.validate_request(RequestsOpenAPIRequest(req))
except Exception:  # the measured work is done either way
    pass
print(time.perf_counter() - t)
"""

AIOPENAPI3 = """
import json, time, warnings
warnings.simplefilter("ignore")
import httpx2
from aiopenapi3 import OpenAPI
t = time.perf_counter()
with open({path!r}, "rb") as fh:
    doc = json.load(fh)
try:
    OpenAPI("https://api.example.test/", doc, session_factory=httpx2.Client)
except Exception as exc:
    print("failed", type(exc).__name__)
else:
    print(time.perf_counter() - t)
"""


def reference_folder() -> str | None:
    for c in (os.path.join(REPO, "..", "shared", "reference", "openapi"),
              "/work/shared/reference/openapi"):
        if os.path.isdir(c):
            return os.path.abspath(c)
    return None


def _peer(code: str, env: dict[str, str]) -> float | str:
    try:
        out = run_python(code, env=env, cwd=REPO).split()
    except Exception as exc:  # noqa: BLE001 - a peer that crashes is reported, not fatal
        return f"failed ({str(exc).strip().splitlines()[-1][:80]})"
    return f"failed ({out[1]})" if out[0] == "failed" else float(out[0])


def run(quick: bool = False) -> list[Figure]:
    folder = reference_folder()
    if folder is None:
        return [skip(NAME, "public OpenAPI documents", "../shared/reference/openapi absent")]
    figs: list[Figure] = []
    for svc, (rel, get, op, args) in DOCS.items():
        path = os.path.join(folder, rel)
        if not os.path.isfile(path):
            figs.append(skip(NAME, f"{svc}'s document", "not found"))
            continue
        tmp = tempfile.mkdtemp()
        try:
            env = {**os.environ, "SPECCLIENT_CACHE_DIR": os.path.join(tmp, "cache")}
            out = os.path.join(tmp, "specs")
            secs, imported = run_python(IMPORT.format(path=path, svc=svc, out=out),
                                        env=env, cwd=REPO).split()
            figs.append(show(Figure(NAME, f"{svc}: specclient import (once: {imported} "
                                          f"operations to YAML)", float(secs), "s")))
            secs, listed = run_python(FIRST_CALL.format(out=out, op=op, args=args),
                                      env=env, cwd=REPO).split()
            sc = float(secs)
            figs.append(show(Figure(NAME, f"{svc}: specclient list ({listed} operations) + "
                                          f"first request prepared, cold cache", sc, "s")))
            for label, code in (("openapi-core: load (validates the document)", OPENAPI_CORE),
                                ("openapi-core: load without validation + first request "
                                 "validated", OPENAPI_CORE_LAZY),
                                ("aiopenapi3: load", AIOPENAPI3)):
                t = _peer(code.format(path=path, get=get), env)
                if isinstance(t, str):
                    figs.append(show(Figure(NAME, f"{svc}: {label}", float("nan"), "s",
                                            note=t)))
                else:
                    figs.append(show(Figure(NAME, f"{svc}: {label}", t, "s",
                                            "specclient list + first request", sc)))
            warm = float(run_python(LIST_WARM.format(out=out), env=env, cwd=REPO))
            figs.append(show(Figure(NAME, f"{svc}: specclient list, warm cache (in process, "
                                          f"import included)", warm, "s")))
            secs, problems = run_python(LINT.format(out=out), env=env, cwd=REPO).split()
            figs.append(show(Figure(NAME, f"{svc}: specclient lint ({problems} problems)",
                                    float(secs), "s")))
            if not quick:
                total, prepared, answered = (int(x) for x in run_python(
                    COVERAGE.format(out=out), env=env, cwd=REPO).split())
                figs.append(show(Figure(
                    NAME, f"{svc}: operations prepared with generated arguments", prepared,
                    "ops", "operations", total)))
                figs.append(show(Figure(
                    NAME, f"{svc}: operations answered by the mock, passing their own "
                          f"schema", answered, "ops", "operations", total)))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return figs


if __name__ == "__main__":
    run()
