"""JSON Schema's keywords by role: the one table every schema walk in specclient reads (the
validator's fast-path check, the compiled check, the spec format's structure check, ``$ref``
resolution, example generation and the OpenAPI importer)."""

from __future__ import annotations

__all__ = ["TYPES", "SUBSCHEMA", "SUBSCHEMA_MAPS", "SUBSCHEMA_LISTS", "NUMBER_BOUNDS",
           "COUNTS", "LOWER_BOUNDS", "UPPER_BOUNDS", "ANNOTATIONS", "PORTABLE_SUBSCHEMA",
           "PORTABLE_MAPS", "PORTABLE_LISTS", "PORTABLE_LIMITS", "PORTABLE_PLAIN",
           "REF_SIBLINGS", "OPENAPI_ANNOTATIONS"]

#: The seven instance types.
TYPES = frozenset({"null", "boolean", "object", "array", "number", "string", "integer"})

# ---------------------------------------------------------------- where subschemas are (2020-12)

#: Keywords whose value is one subschema.
SUBSCHEMA = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then",
             "else", "unevaluatedProperties", "unevaluatedItems", "additionalItems",
             "contentSchema")
#: Keywords whose value maps names to subschemas.
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
#: Keywords whose value is a list of subschemas.
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")

# ---------------------------------------------------------------- bounds

#: Bounds on a number.
NUMBER_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
#: Bounds on a count (string length, items, properties, contains).
COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
          "minContains", "maxContains")
#: Lower and upper bounds, paired by position (a generated value must lie between them).
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")

# ---------------------------------------------------------------- annotations

#: Keywords that say something about a schema without constraining a value.
ANNOTATIONS = frozenset({"title", "description", "default", "examples", "example",
                         "deprecated", "readOnly", "writeOnly", "$comment", "contentMediaType",
                         "contentEncoding"})
#: Keys allowed beside a ``$ref`` that do not change what it points to (OpenAPI's ``summary``
#: included): a ``$ref`` with only these beside it is resolved to its target alone.
REF_SIBLINGS = frozenset({"description", "summary", "title", "example", "examples",
                          "deprecated"})
#: Annotations an OpenAPI schema object may carry (its own ``externalDocs`` and ``xml`` too).
OPENAPI_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "deprecated",
                                 "readOnly", "writeOnly", "default", "externalDocs", "xml"})

# ------------------------------------- what means the same in drafts 7, 2019-09 and 2020-12
# (what jsonschema applies by default, and all that specclient.schema.compiled compiles; a
# schema using anything else — prefixItems, unevaluated*, dependentRequired, $dynamicRef, $id,
# uniqueItems... — is left to jsonschema)

PORTABLE_SUBSCHEMA = frozenset({"additionalProperties", "items", "not", "if", "then", "else",
                                "contains", "propertyNames"})
PORTABLE_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})
PORTABLE_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
PORTABLE_LIMITS = frozenset(NUMBER_BOUNDS) | frozenset(COUNTS[:6])
PORTABLE_PLAIN = frozenset({"type", "required", "pattern", "format", "enum", "const", "$ref",
                            "$schema"})
