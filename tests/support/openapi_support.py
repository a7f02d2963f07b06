"""Helpers for the OpenAPI tests: find the shared reference document, make schema-valid sample
values, and compare service folders."""

from __future__ import annotations

import os
import pathlib
from typing import Any

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parents[1] / "openapi" / "data"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
INGRAM_DOC_NAME = "XI-Resellers-API-Spec.yaml"


def shared_dir() -> pathlib.Path | None:
    """The shared reference folder: $SPECCLIENT_SHARED_DIR, else ../shared beside the checkout
    (where CI puts it), else /work/shared. None when none exists."""
    candidates = []
    if os.environ.get("SPECCLIENT_SHARED_DIR"):
        candidates.append(pathlib.Path(os.environ["SPECCLIENT_SHARED_DIR"]))
    candidates += [REPO.parent / "shared", pathlib.Path("/work/shared")]
    for c in candidates:
        if (c / "reference" / "ingram" / INGRAM_DOC_NAME).is_file():
            return c
    return None


def ingram_document() -> pathlib.Path | None:
    d = shared_dir()
    return d / "reference" / "ingram" / INGRAM_DOC_NAME if d else None


def sample(schema: Any, depth: int = 0) -> Any:
    """A value valid against ``schema`` (an inlined schema with local ``#/$defs`` refs), built
    from examples, defaults, enums and types. Enough for the schemas the tests meet."""
    return _sample(schema, schema.get("$defs", {}) if isinstance(schema, dict) else {}, depth)


def _sample(s: Any, defs: dict[str, Any], depth: int) -> Any:
    if not isinstance(s, dict):
        return "x"
    if "$ref" in s and s["$ref"].startswith("#/$defs/"):
        return _sample(defs[s["$ref"][8:]], defs, depth + 1)
    for key in ("const",):
        if key in s:
            return s[key]
    if "enum" in s:
        return next((v for v in s["enum"] if v is not None), s["enum"][0])
    if "example" in s:
        return s["example"]
    if "default" in s:
        return s["default"]
    if "allOf" in s:
        out: dict[str, Any] = {}
        for part in s["allOf"]:
            v = _sample(part, defs, depth + 1)
            if isinstance(v, dict):
                out.update(v)
            else:
                return v
        rest = {k: v for k, v in s.items() if k != "allOf"}
        if rest.get("properties"):
            out.update(_sample(rest, defs, depth + 1))
        return out
    for key in ("oneOf", "anyOf"):
        if key in s:
            options = [o for o in s[key] if o.get("type") != "null"] or s[key]
            return _sample(options[0], defs, depth + 1)
    t = s.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "null")
    if t is None:
        t = "object" if "properties" in s else "string"
    if t == "object":
        props = s.get("properties", {})
        required = s.get("required", [])
        keys = required if depth > 2 else list(props)
        return {k: _sample(props.get(k, {}), defs, depth + 1) for k in keys if k in props}
    if t == "array":
        n = max(1, s.get("minItems", 1)) if depth <= 3 else s.get("minItems", 0)
        return [_sample(s.get("items", {}), defs, depth + 1) for _ in range(n)]
    if t == "integer":
        return max(1, int(s.get("minimum", 1)))
    if t == "number":
        return float(s.get("minimum", 1.5))
    if t == "boolean":
        return True
    if t == "null":
        return None
    text = "2024-01-02" if s.get("format") == "date" else "sample"
    lo, hi = s.get("minLength", 0), s.get("maxLength", 100)
    text = (text * 10)[:max(lo, min(hi, len(text)))]
    return text


def read_tree(folder: pathlib.Path) -> dict[str, Any]:
    """Every YAML file under ``folder`` (relative path -> parsed content)."""
    out = {}
    for path in sorted(folder.rglob("*.yaml")):
        text = path.read_text("utf-8")
        out[path.relative_to(folder).as_posix()] = yaml.load(text, Loader=_LOADER)
    return out
