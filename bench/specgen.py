"""Generated spec folders and OpenAPI documents of any size, for the scaling and memory benches
(and the index-cache tests)."""

from __future__ import annotations

import json
import os

SERVICE = """\
service: {name}
title: Generated service with {n} operations
environments:
  production: http://127.0.0.1:9/api
auth:
  api_key: {{type: api_key, in: header, name: X-Api-Key, secret: GEN_API_KEY}}
defaults:
  auth: api_key
"""

THING = """\
type: object
required: [id, name]
properties:
  id: {type: string, minLength: 1}
  name: {type: string, maxLength: 200}
  count: {type: integer, minimum: 0}
  tags: {type: array, items: {type: string}}
  owner:
    type: object
    properties:
      email: {type: string, format: email}
      since: {type: string, format: date-time}
"""

OPERATION = """\
operation: {op}
summary: Update thing number {i}
description: >
  Generated operation {i}: a path parameter, a query parameter, a JSON body and a JSON
  response, like a typical REST endpoint.
aliases: [{alias}]
method: PUT
path: /v1/group{g}/things/{{thing_id}}/op{i}
parameters:
  thing_id: {{in: path, schema: {{type: string, minLength: 1}}}}
  verbose: {{in: query, required: false, schema: {{type: boolean}}}}
body:
  schema: {{$ref: ../schemas/thing.yaml}}
  example: {{id: t-{i}, name: Thing {i}, count: {i}}}
responses:
  "200":
    description: The updated thing.
    schema: {{$ref: ../schemas/thing.yaml}}
"""


def op_name(i: int) -> str:
    return f"op_{i:05d}"


def make_service(root: str, n: int, name: str = "gen") -> str:
    """A service folder ``root/name`` with ``n`` operations; returns its path."""
    folder = os.path.join(root, name)
    os.makedirs(os.path.join(folder, "operations"), exist_ok=True)
    os.makedirs(os.path.join(folder, "schemas"), exist_ok=True)
    with open(os.path.join(folder, "service.yaml"), "w") as fh:
        fh.write(SERVICE.format(name=name, n=n))
    with open(os.path.join(folder, "schemas", "thing.yaml"), "w") as fh:
        fh.write(THING)
    for i in range(n):
        with open(os.path.join(folder, "operations", op_name(i) + ".yaml"), "w") as fh:
            fh.write(OPERATION.format(op=op_name(i), i=i, g=i // 100, alias=f"update_thing_{i}"))
    return folder


def openapi_document(n: int) -> dict:
    """An OpenAPI 3.0 document with ``n`` operations equivalent to :func:`make_service`'s."""
    import yaml

    thing = yaml.safe_load(THING)
    paths = {}
    for i in range(n):
        paths[f"/v1/group{i // 100}/things/{{thing_id}}/op{i}"] = {"put": {
            "operationId": op_name(i), "summary": f"Update thing number {i}",
            "parameters": [
                {"name": "thing_id", "in": "path", "required": True,
                 "schema": {"type": "string", "minLength": 1}},
                {"name": "verbose", "in": "query", "schema": {"type": "boolean"}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Thing"}}}},
            "responses": {"200": {"description": "The updated thing.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
        }}
    return {"openapi": "3.0.3", "info": {"title": "Generated", "version": "1"},
            "servers": [{"url": "http://127.0.0.1:9/api"}], "paths": paths,
            "components": {"schemas": {"Thing": thing}}}


def write_openapi(path: str, n: int) -> str:
    with open(path, "w") as fh:
        json.dump(openapi_document(n), fh)
    return path
