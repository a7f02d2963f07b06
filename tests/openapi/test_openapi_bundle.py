"""A document split over files (as DigitalOcean publishes its own): references to other files
are followed, relative to the file that holds them; schemas become shared component schemas,
anything else is inlined; nothing outside the document's folder is read."""

from __future__ import annotations

import pytest
import yaml

import specclient
from specclient.openapi import import_openapi

SECRET = "OUTSIDE-CONTENT-5f2b"

FILES = {
    "api/main.yaml": """
openapi: 3.0.3
info: {title: Split, version: "1"}
servers: [{url: "https://split.example.test/v2"}]
paths:
  /items:
    $ref: paths/items.yml
  /items/{item_id}:
    get:
      operationId: getItem
      parameters:
        - $ref: shared/parameters.yml#/item_id
      responses:
        "200":
          description: one
          content:
            application/json:
              schema: {$ref: models/item.yml}
  /trees:
    get:
      operationId: getTree
      responses:
        "200":
          description: a tree
          content:
            application/json:
              schema: {$ref: "models/node.yml#/node"}
  /leak:
    get:
      operationId: leak
      responses:
        "200":
          description: refers outside the folder
          content:
            application/json:
              schema: {$ref: ../outside.yml}
""",
    "api/paths/items.yml": """
get:
  operationId: listItems
  parameters:
    - $ref: ../shared/parameters.yml#/per_page
  responses:
    "200":
      description: many
      content:
        application/json:
          schema:
            type: object
            properties:
              items: {type: array, items: {$ref: ../models/item.yml}}
          examples:
            two: {$ref: ../examples/two.yml}
post:
  operationId: createItem
  requestBody:
    required: true
    content:
      application/json:
        schema: {$ref: ../models/item.yml}
  responses:
    "201": {description: made}
""",
    "api/shared/parameters.yml": """
per_page:
  name: per_page
  in: query
  schema: {type: integer, minimum: 1, maximum: 200, default: 20}
item_id:
  name: item_id
  in: path
  required: true
  schema: {type: string, pattern: "^it_[0-9]+$"}
""",
    "api/models/item.yml": """
type: object
required: [id, created]
properties:
  id: {type: string, pattern: "^it_[0-9]+$"}
  created: {type: string, format: date-time, example: 2023-01-17T00:00:00Z}
  price: {$ref: "#/$defs/money"}
$defs:
  money: {type: integer, minimum: 0}
""",
    "api/models/node.yml": """
node:
  type: object
  properties:
    name: {type: string}
    children: {type: array, items: {$ref: "#/node"}}
""",
    "api/examples/two.yml": """
summary: two items
value:
  items:
    - {id: it_1, created: 2023-01-17T00:00:00Z}
    - {id: it_2, created: 2023-01-18T00:00:00Z}
""",
    "outside.yml": f"secret: {SECRET}\ntype: object\n",
}


@pytest.fixture
def split(tmp_path):
    for rel, text in FILES.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def test_a_split_document_imports_whole(split, tmp_path):
    result = import_openapi(split / "api" / "main.yaml", "split")
    assert sorted(result.operations) == ["create_item", "get_item", "get_tree", "leak",
                                         "list_items"]
    out = tmp_path / "out"
    folder = result.write(out)
    schemas = sorted(p.name for p in (out / "split" / "schemas").iterdir())
    # each referred schema once, named by its file (or its pointer's last part)
    assert schemas == ["item.yaml", "money.yaml", "node.yaml"]
    listing = yaml.safe_load(open(f"{folder}/operations/list_items.yaml"))
    assert listing["parameters"]["per_page"]["schema"]["maximum"] == 200
    assert listing["responses"]["200"]["example"]["items"][0]["created"] == \
        "2023-01-17T00:00:00Z"  # an unquoted date stays its text
    leak = [w.message for w in result.warnings if "../outside.yml" in w.message]
    assert leak == ["external $ref '../outside.yml' is not followed; replaced by an "
                    "unconstrained schema"]
    every = "".join(p.read_text() for p in out.rglob("*.yaml"))
    assert SECRET not in every and all(SECRET not in w.message for w in result.warnings)
    assert specclient.lint([out]) == []

    c = specclient.Client([out], include_bundled=False, mock=True)
    body, params = c.example_arguments("split.create_item")
    made = c.call("split.create_item", body, response_validation="strict", **params)
    assert made.status_code == 201
    with pytest.raises(specclient.ValidationError, match=r"body\.price"):
        c.prepare("split.create_item", {"id": "it_1", "created": "x", "price": -1})
    tree = c.call("split.get_tree", response_validation="strict")
    assert tree.status_code == 200
    got = c.call("split.get_item", item_id="it_7", response_validation="strict")
    assert got.data["id"].startswith("it_")


def test_a_document_in_one_file_is_left_as_it_is(tmp_path):
    from specclient.openapi.bundle import bundle

    doc = {"openapi": "3.0.0", "paths": {"/a": {"$ref": "#/x"}}, "x": {}}
    assert bundle(doc, str(tmp_path / "doc.yaml"), lambda loc, msg: None) is doc
