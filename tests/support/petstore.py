"""A small petstore service written to a folder (the new-service, CLI and testing tests)."""

from __future__ import annotations

import textwrap

SERVICE = """
service: petstore
title: Pet Store
environments:
  live: https://pets.example.com/api/v2
  staging: https://staging.pets.example.com/api/v2
auth:
  key:
    type: api_key
    in: query
    name: api_key
    secret: PETSTORE_KEY
defaults:
  auth: key
"""

GET_PET = """
summary: Fetch one pet
method: GET
path: /owners/{owner}/pets/{petId}
parameters:
  owner: {in: path, schema: {type: string}}
  petId: {in: path, schema: {type: integer, minimum: 1}}
  include: {in: query, schema: {type: array, items: {enum: [photos, tags]}}}
  verbose: {in: query, schema: {type: boolean}, required: false}
  X-Request-Id: {in: header, required: true, schema: {type: string, maxLength: 32}}
responses:
  "200":
    schema:
      type: object
      required: [id, name]
      properties:
        id: {type: integer}
        name: {type: string}
"""

ADD_PET = """
summary: Add a pet
method: POST
path: /pets
body:
  schema: {$ref: ../schemas/pet.yaml}
responses:
  "201": {schema: {$ref: ../schemas/pet.yaml}}
"""

PET_SCHEMA = """
type: object
required: [name]
properties:
  name: {type: string, minLength: 1}
  tag: {$ref: "common.yaml#/$defs/Tag"}
"""

COMMON = """
$defs:
  Tag: {type: string, pattern: "^[a-z]+$"}
"""


def write_service(root, name="petstore", service=SERVICE):
    folder = root / name
    (folder / "operations").mkdir(parents=True)
    (folder / "schemas").mkdir()
    (folder / "service.yaml").write_text(textwrap.dedent(service))
    (folder / "operations" / "get_pet.yaml").write_text(GET_PET)
    (folder / "operations" / "add_pet.yaml").write_text(ADD_PET)
    (folder / "schemas" / "pet.yaml").write_text(PET_SCHEMA)
    (folder / "schemas" / "common.yaml").write_text(COMMON)
    return folder
