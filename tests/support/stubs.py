"""A spec folder with the schemas a typed facade has to get right, and writing and importing
a generated facade."""

from __future__ import annotations

import importlib.util
import sys
import textwrap

from specclient.cli.main import main

SERVICE = """
service: shop
title: Shop
environments:
  live: https://shop.example.com/v1
"""

ADD_TREE = """
summary: Add a tree
method: POST
path: /trees/{treeId}
parameters:
  treeId: {in: path, required: true, schema: {type: integer}}
  X-Request-Id: {in: header, required: true, schema: {type: string}}
  mode: {in: query, schema: {enum: [fast, slow]}}
  tags: {in: query, schema: {type: array, items: {type: string}}}
  class: {in: query, schema: {type: boolean}}
body:
  content_type: application/json
  schema: {$ref: ../schemas/tree.yaml}
responses:
  "201":
    schema: {title: Client, type: object, properties: {id: {type: integer}}}
  "400":
    schema: {title: Problem, type: object, properties: {detail: {type: string}}}
"""

PING = """
method: GET
path: /ping
"""

TREE = """
title: Client
type: object
required: [root, kind]
properties:
  root: {$ref: "#/$defs/Node"}
  kind: {const: tree}
  colour: {enum: [red, green, null]}
  size: {type: [integer, "null"]}
  "content-type": {type: string}
  from: {type: string}
  str: {type: integer}
  meta: {type: object, additionalProperties: {type: integer}}
  anything: {}
  shape:
    oneOf:
      - {type: object, required: [r], properties: {r: {type: number}}}
      - {type: object, required: [w, h], properties: {w: {type: number}, h: {type: number}}}
  both:
    allOf:
      - {type: object, properties: {a: {type: string}}}
      - {type: object, required: [b], properties: {b: {type: boolean}}}
$defs:
  Node:
    type: object
    required: [name]
    properties:
      name: {type: string}
      children: {type: array, items: {$ref: "#/$defs/Node"}}
"""


def write_shop(root) -> str:
    """The ``shop`` service under ``root``/specs; returns the spec folder."""
    folder = root / "specs" / "shop"
    (folder / "operations").mkdir(parents=True)
    (folder / "schemas").mkdir()
    (folder / "service.yaml").write_text(textwrap.dedent(SERVICE))
    (folder / "operations" / "add_tree.yaml").write_text(ADD_TREE)
    (folder / "operations" / "ping.yaml").write_text(PING)
    (folder / "schemas" / "tree.yaml").write_text(TREE)
    return str(root / "specs")


def generate(out, *specs: str, bundled: bool = True) -> str:
    """Run ``specclient stubs`` into the package folder ``out``; returns its source."""
    argv = ["stubs", "--out", str(out)]
    for s in specs:
        argv += ["--specs", s]
    if not bundled:
        argv.append("--no-bundled")
    assert main(argv) == 0
    return (out / "__init__.py").read_text()


def load(folder):
    """Import the generated package in ``folder`` under its folder's name (fresh each time)."""
    name = folder.name
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
