"""The JSON Schema of the spec format itself.

Every spec file is checked against it at load time (so a malformed spec fails with its file and
line), ``specclient schema`` prints it, and the bundled specs point YAML editors at it.

Auth schemes and signers add the schema of their own YAML entries (``spec_schema`` on each
class), so registering a new scheme extends the format without touching this file.
"""

from __future__ import annotations

import copy
from typing import Any

from ..auth import AUTH_TYPES
from ..signing import SIGNER_TYPES

SCHEMA_ID = "https://specclient.dev/schema/spec-format.json"

NAME = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
SECRET_NAME = {
    "type": "string",
    "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
    "description": "The *name* of a secret (resolved at call time), never its value.",
}
TIMEOUT = {
    "description": "Seconds: one number for both, or connect and read apart.",
    "oneOf": [
        {"type": "number", "exclusiveMinimum": 0},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "connect": {"type": "number", "exclusiveMinimum": 0},
                "read": {"type": "number", "exclusiveMinimum": 0},
            },
        },
    ],
}
RETRIES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "attempts": {"type": "integer", "minimum": 1, "maximum": 20,
                     "description": "Total attempts, the first included."},
        "backoff": {"type": "number", "minimum": 0,
                    "description": "Base delay in seconds; doubles each attempt, full jitter."},
        "max_backoff": {"type": "number", "minimum": 0},
        "max_retry_after": {"type": "number", "minimum": 0,
                            "description": "Cap on a server's Retry-After, in seconds."},
        "total_timeout": {"type": "number", "exclusiveMinimum": 0,
                          "description": "Give up retrying after this many seconds in all."},
        "statuses": {"type": "array", "items": {"type": "integer", "minimum": 100,
                                                "maximum": 599}},
    },
}
NAME_LIST = {
    "oneOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}},
    ]
}
JSON_SCHEMA = {"type": ["object", "boolean"], "description": "A JSON Schema (2020-12)."}

PARAMETER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["in"],
    "properties": {
        "in": {"enum": ["path", "query", "header"]},
        "required": {"type": "boolean"},
        "schema": JSON_SCHEMA,
        "description": {"type": "string"},
        "python_name": {**NAME, "description": "Keyword-argument name (default: derived)."},
        "default": {},
        "example": {},
        "deprecated": {"type": "boolean"},
        "style": {
            "enum": ["form", "spaceDelimited", "pipeDelimited", "deepObject", "simple",
                     "label", "matrix"],
            "description": "How an array or object goes on the wire, as OpenAPI 3 says: query "
                           "form (default), spaceDelimited, pipeDelimited or deepObject; path "
                           "simple (default), label or matrix; header simple.",
        },
        "explode": {"type": "boolean",
                    "description": "Default true for style form, false for the others."},
    },
    "allOf": [
        {"if": {"properties": {"in": {"const": where}}, "required": ["in", "style"]},
         "then": {"properties": {"style": {"enum": list(styles)}}}}
        for where, styles in (("query", ("form", "spaceDelimited", "pipeDelimited",
                                         "deepObject")),
                              ("path", ("simple", "label", "matrix")),
                              ("header", ("simple",)))
    ],
}

BODY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "content_type": {"type": "string"},
        "required": {"type": "boolean"},
        "schema": JSON_SCHEMA,
        "description": {"type": "string"},
        "example": {},
        "encoding": {
            "type": "object",
            "description": "How each field of a form body that is an array or an object is "
                           "written (OpenAPI's encoding object): style and explode.",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "style": {"enum": ["form", "spaceDelimited", "pipeDelimited",
                                       "deepObject"]},
                    "explode": {"type": "boolean"},
                },
            },
        },
    },
}

RESPONSE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "description": {"type": "string"},
        "content_type": {"type": "string"},
        "schema": JSON_SCHEMA,
        "example": {},
    },
}

MAX_RESPONSE_BYTES = {
    "type": "integer", "minimum": 1,
    "description": "The largest response body read, in decoded bytes (default 64 MiB); a "
                   "larger one stops with ResponseTooLargeError.",
}

PAGINATION_STYLES = ("link", "cursor", "page", "offset")

_EXPRESSION = r"^(body(\.[^.\[\]]+|\[-?[0-9]+\])*|header\.[!#$%&'*+.^_`|~0-9A-Za-z-]+)$"
_PATH = r"^(\.|[^.\[\]]+(\.[^.\[\]]+|\[-?[0-9]+\])*)?$"

#: The format of a ``pagination`` entry (part of the spec format's schema).
PAGINATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["style"],
    "description": "How the operation's answers page (see docs/pagination.md).",
    "properties": {
        "style": {"enum": list(PAGINATION_STYLES)},
        "items": {"type": "string", "pattern": _PATH,
                  "description": "Where the items are in the body: a path such as data or "
                                 "response.items; empty (the default): the body itself."},
        "cursor": {"type": "string", "pattern": _EXPRESSION,
                   "description": "style cursor: where the next cursor is (body.PATH or "
                                  "header.NAME)."},
        "param": {"type": "string", "minLength": 1,
                  "description": "The query parameter that carries the cursor, page number "
                                 "or offset."},
        "has_more": {"type": "string", "pattern": _EXPRESSION,
                     "description": "Stop when this is false (body.PATH or header.NAME)."},
        "start": {"type": "integer", "minimum": 0,
                  "description": "The first page number (page, default 1) or offset (offset, "
                                 "default 0)."},
        "size_param": {"type": "string", "minLength": 1,
                       "description": "The query parameter for the page size."},
        "size": {"type": "integer", "minimum": 1,
                 "description": "The page size to ask for (with size_param) and to expect."},
    },
    "allOf": [
        {"if": {"properties": {"style": {"const": "cursor"}}},
         "then": {"required": ["cursor", "param"]}},
        {"if": {"properties": {"style": {"enum": ["page", "offset"]}}},
         "then": {"required": ["param"]}},
    ],
}


OPERATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["method", "path"],
    "properties": {
        "$schema": {"type": "string"},
        "operation": {**NAME, "description": "Must equal the file's name without .yaml."},
        "aliases": {"type": "array", "items": NAME},
        "summary": {"type": "string"},
        "description": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "method": {"type": "string",
                   "pattern": "^(?i:get|post|put|patch|delete|head|options)$"},
        "path": {"type": "string", "pattern": "^/"},
        "idempotent": {"type": "boolean",
                       "description": "Safe to retry even when the method is not idempotent."},
        "auth": NAME_LIST,
        "signing": NAME_LIST,
        "parameters": {"type": "object", "additionalProperties": PARAMETER},
        "body": BODY,
        "responses": {
            "type": "object",
            "propertyNames": {"pattern": "^([1-5][0-9][0-9]|[1-5]XX|default)$"},
            "additionalProperties": RESPONSE,
        },
        "timeout": TIMEOUT,
        "retries": RETRIES,
        "max_response_bytes": MAX_RESPONSE_BYTES,
        "deprecated": {"type": "boolean"},
        "pagination": {"oneOf": [PAGINATION_SCHEMA, {
            "const": "none", "description": "Does not page (the service's default aside)."}]},
    },
}

SERVICE_BASE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["environments"],
    "properties": {
        "$schema": {"type": "string"},
        "service": {**NAME, "description": "Must equal the folder's name."},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "docs": {"type": "string"},
        "version": {"type": "string"},
        "environments": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "string", "pattern": "^https?://"},
        },
        "default_environment": {"type": "string"},
        "redirects": {
            "enum": ["same_origin", "cross_origin", "never"],
            "description": "Which redirects calls follow (default same_origin). cross_origin "
                           "also follows to other origins, without credentials or signatures; "
                           "never follows none. https is never left for plain http.",
        },
        "allow_insecure_http": {
            "type": "boolean",
            "description": "Allow credentials to be sent over plain http to hosts other than "
                           "this machine (default false: refused, nothing sent). Each such "
                           "send is logged as a warning; lint reports the setting.",
        },
        "auth": {"type": "object", "additionalProperties": {"$ref": "#/$defs/auth_scheme"}},
        "signing": {"type": "object",
                    "additionalProperties": {"$ref": "#/$defs/signing_rule"}},
        "defaults": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "auth": NAME_LIST,
                "signing": NAME_LIST,
                "timeout": TIMEOUT,
                "retries": RETRIES,
                "max_response_bytes": MAX_RESPONSE_BYTES,
                "pagination": PAGINATION_SCHEMA,
                "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    },
}


def _typed_union(registry: dict[str, Any]) -> dict[str, Any]:
    """A schema accepting ``{type: T, ...}`` for every registered T, each checked by its own
    schema (if/then keeps error messages specific to the declared type)."""
    types = sorted(registry)
    branches = []
    for name in types:
        sub = copy.deepcopy(registry[name].spec_schema)
        sub.setdefault("type", "object")
        props = sub.setdefault("properties", {})
        props["type"] = {"const": name}
        props.setdefault("description", {"type": "string"})
        branches.append({"if": {"properties": {"type": {"const": name}}}, "then": sub})
    return {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": types}},
        "allOf": branches,
    }


def format_schema() -> dict[str, Any]:
    """The full JSON Schema of a spec file (a service file or an operation file)."""

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "specclient spec file",
        "description": "A service.yaml (has `environments`) or an operation file "
        "(has `method` and `path`).",
        "oneOf": [{"$ref": "#/$defs/service"}, {"$ref": "#/$defs/operation"}],
        "$defs": {
            "service": SERVICE_BASE,
            "operation": OPERATION,
            "auth_scheme": _typed_union(AUTH_TYPES),
            "signing_rule": _typed_union(SIGNER_TYPES),
        },
    }


def part_schema(kind: str) -> dict[str, Any]:
    """The schema for one kind of file ("service" or "operation"), with the shared $defs."""
    full = format_schema()
    return {**full["$defs"][kind], "$defs": full["$defs"]}
