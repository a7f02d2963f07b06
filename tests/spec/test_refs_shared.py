"""Schemas that refer to each other heavily (as Stripe's expandable fields do): each referred
schema is resolved once per service and shared under ``$defs``, so loading and linting stay
linear in the size of the folder; lint checks each referred schema once, at its own file and
line."""

from __future__ import annotations

import json
import time

import jsonschema
import yaml

import specclient
from specclient.spec.lint import lint_report

N = 60  # schemas, each referring to the next five (and so, indirectly, to all of them)


def write_web(root, n_ops: int = 40, bad: bool = False):
    svc = root / "web"
    (svc / "operations").mkdir(parents=True)
    (svc / "schemas").mkdir()
    (svc / "service.yaml").write_text("environments: {main: 'https://web.example.com'}\n")
    for i in range(N):
        props = {f"to{k}": {"anyOf": [{"type": "string"},
                                      {"$ref": f"s{(i + k) % N}.yaml"}]}
                 for k in range(1, 6)}
        props["id"] = {"type": "string", "minLength": 1}
        if bad and i == 17:
            props["id"]["uniqueItems"] = "yes"  # the meta-schema says: a boolean
        (svc / "schemas" / f"s{i}.yaml").write_text(
            yaml.safe_dump({"type": "object", "required": ["id"], "properties": props}))
    for j in range(n_ops):
        (svc / "operations" / f"get{j}.yaml").write_text(yaml.safe_dump({
            "method": "GET", "path": f"/s/{j}",
            "responses": {"200": {"schema": {"$ref": f"../schemas/s{j % N}.yaml"}}}}))
    return root


def test_a_web_of_references_resolves_once_and_validates(tmp_path):
    specs = write_web(tmp_path)
    start = time.perf_counter()
    c = specclient.Client([specs], include_bundled=False)
    a = c.operation("web.get0").responses["200"].schema
    b = c.operation("web.get1").responses["200"].schema
    took = time.perf_counter() - start
    # every schema reachable once under $defs, the same object in both operations
    assert len(a["$defs"]) == N and len(b["$defs"]) == N
    assert a["$defs"]["s7"] is b["$defs"]["s7"]
    # every schema here refers back to itself through the others: the whole under $defs
    assert {k: v for k, v in a.items() if k != "$defs"} == {"$ref": "#/$defs/s0"}
    assert a["$defs"]["s0"]["properties"]["to1"]["anyOf"][1] == {"$ref": "#/$defs/s1"}
    assert len(json.dumps(a)) < 200_000
    # the resolved schema means what the files say: jsonschema agrees on a deep instance
    deep = {"id": "x"}
    for _ in range(30):
        deep = {"id": "x", "to1": deep}
    jsonschema.Draft202012Validator(a).validate(deep)
    bad = json.loads(json.dumps(deep).replace('"id": "x"}', '"id": ""}', 1))
    assert not jsonschema.Draft202012Validator(a).is_valid(bad)
    assert took < 30  # a generous bound that exponential inlining could never meet


def test_lint_checks_each_referred_schema_once_at_its_own_line(tmp_path):
    specs = write_web(tmp_path, bad=True)
    report = lint_report(specs)
    assert report.operations == 40
    bad = [p for p in report.problems if "uniqueItems" in p.message or "yes" in p.message]
    # s17.yaml's own problem, once, though 40 operations reach it; at the file and line
    assert len(bad) == 1, report.problems
    (p,) = bad
    assert p.file.endswith("s17.yaml")
    text = (tmp_path / "web" / "schemas" / "s17.yaml").read_text().splitlines()
    assert "uniqueItems: 'yes'" in text[p.line - 1] or "uniqueItems" in text[p.line - 1]
