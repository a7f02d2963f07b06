"""A specclient service -> an OpenAPI 3.1 document.

The service is loaded (and so checked) through the ordinary loader, then converted from its raw
YAML files so that shared schemas stay shared: every YAML file under ``schemas/`` becomes a
component schema named after the file (``schemas/Pet.yaml`` -> ``#/components/schemas/Pet``)
and file references become component references. Files referred to only from examples are
inlined into those examples instead.

What OpenAPI cannot say travels in ``x-specclient`` extensions, which ``specclient import``
reads back: secret names and OAuth2 details on each security scheme, aliases / idempotency /
timeouts / retries / signing on operations, ``python_name`` on parameters, and the service's
signing rules and defaults at the top level.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from ..spec.catalog import Catalog
from ..spec.refs import FileCache, resolve_refs
from ..spec.yamlio import load_yaml
from .importer import EXTENSION
from .yamlout import dump_yaml, plain

__all__ = ["export_openapi", "openapi_text"]

OPENAPI_VERSION = "3.1.0"


class _Exporter:
    def __init__(self, catalog: Any, name: str):
        self.catalog = catalog
        self.name = name
        self.svc = catalog.service(name)
        self.warnings: list[str] = []
        self.files = FileCache()
        self.schema_dir = os.path.join(self.svc.folder, "schemas")
        self.components: dict[str, str] = {}  # absolute file -> component name
        if os.path.isdir(self.schema_dir):
            for entry in sorted(os.listdir(self.schema_dir)):
                stem, ext = os.path.splitext(entry)
                if ext in (".yaml", ".yml"):
                    self.components[os.path.join(self.schema_dir, entry)] = stem
        self.example_only: set[str] = set()

    # -- references

    def schema(self, node: Any, file: str) -> Any:
        """A schema read from ``file`` with its file references as component references."""
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    out[key] = self.ref(value, file, node)
                    if isinstance(out[key], dict):  # inlined
                        rest = {k: self.schema(v, file) for k, v in node.items() if k != "$ref"}
                        return {**out[key], **rest} if rest else out[key]
                else:
                    out[key] = self.schema(value, file)
            return out
        if isinstance(node, list):
            return [self.schema(v, file) for v in node]
        return node

    def ref(self, ref: str, file: str, node: dict[str, Any]) -> Any:
        path, _, frag = ref.partition("#")
        target = os.path.normpath(os.path.join(os.path.dirname(file), path)) if path else file
        comp = self.components.get(target)
        if comp is not None:
            return f"#/components/schemas/{comp}" + frag
        self.warnings.append(f"{file}: $ref {ref!r} is not a schema under schemas/; inlined")
        return plain(resolve_refs({"$ref": ref}, file, self.files, self.svc.folder))

    def example(self, value: Any, file: str) -> Any:
        self._mark_examples(value, file)
        return plain(resolve_refs(value, file, self.files, self.svc.folder))

    def _mark_examples(self, value: Any, file: str) -> None:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                path = ref.partition("#")[0]
                if path:
                    self.example_only.add(os.path.normpath(
                        os.path.join(os.path.dirname(file), path)))
            for v in value.values():
                self._mark_examples(v, file)
        elif isinstance(value, list):
            for v in value:
                self._mark_examples(v, file)

    # -- pieces

    def security_schemes(self, raw: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, decl in (raw.get("auth") or {}).items():
            t = decl["type"]
            if t == "api_key":
                scheme: dict[str, Any] = {"type": "apiKey", "in": decl["in"],
                                          "name": decl["name"]}
            elif t == "bearer":
                scheme = {"type": "http", "scheme": "bearer"}
            elif t == "basic":
                scheme = {"type": "http", "scheme": "basic"}
            elif t == "oauth2":
                scope = decl.get("scope") or []
                scopes = [scope] if isinstance(scope, str) else list(scope)
                scheme = {"type": "oauth2", "flows": {"clientCredentials": {
                    "tokenUrl": decl["token_url"], "scopes": {s: "" for s in scopes}}}}
            else:
                self.warnings.append(f"{self.svc.file}: auth {name!r} of type {t!r} has no "
                                     f"OpenAPI equivalent; left out")
                continue
            if decl.get("description"):
                scheme["description"] = decl["description"]
            scheme[EXTENSION] = plain(decl)
            out[name] = scheme
        return out

    def requirement(self, names: Any, auth: dict[str, Any]) -> list[dict[str, list[str]]]:
        if names is None or names == "none" or names == []:
            return []
        names = [names] if isinstance(names, str) else list(names)
        req = {}
        for n in names:
            decl = auth.get(n, {})
            scope = decl.get("scope") or [] if decl.get("type") == "oauth2" else []
            req[n] = [scope] if isinstance(scope, str) else list(scope)
        return [req]

    def operation(self, op: Any, raw: dict[str, Any], auth: dict[str, Any]) -> dict[str, Any]:
        file = op.file
        out: dict[str, Any] = {"operationId": op.name}
        for key in ("summary", "description"):
            if raw.get(key):
                out[key] = raw[key]
        if raw.get("tags"):
            out["tags"] = list(raw["tags"])
        if raw.get("deprecated"):
            out["deprecated"] = True
        if "auth" in raw:
            out["security"] = self.requirement(raw["auth"], auth)
        params = []
        for pname, decl in (raw.get("parameters") or {}).items():
            p: dict[str, Any] = {"name": pname, "in": decl["in"]}
            if decl.get("description"):
                p["description"] = decl["description"]
            if decl.get("required", decl["in"] == "path"):
                p["required"] = True
            if decl.get("deprecated"):
                p["deprecated"] = True
            for key in ("style", "explode"):  # the same words, the same meaning
                if key in decl:
                    p[key] = decl[key]
            p["schema"] = self.schema(decl.get("schema", {"type": "string"}), file)
            if "example" in decl:
                p["example"] = self.example(decl["example"], file)
            ext = {k: plain(decl[k]) for k in ("python_name", "default") if k in decl}
            if ext:
                p[EXTENSION] = ext
            params.append(p)
        if params:
            out["parameters"] = params
        if "body" in raw:
            b = raw["body"]
            media: dict[str, Any] = {}
            if "schema" in b:
                media["schema"] = self.schema(b["schema"], file)
            if "example" in b:
                media["example"] = self.example(b["example"], file)
            body: dict[str, Any] = {}
            if b.get("description"):
                body["description"] = b["description"]
            body["required"] = bool(b.get("required", True))
            body["content"] = {b.get("content_type", "application/json"): media}
            out["requestBody"] = body
        responses = {}
        for status, r in (raw.get("responses") or {}).items():
            resp: dict[str, Any] = {"description": r.get("description", "")}
            ct = r.get("content_type", "application/json" if "schema" in r else None)
            if ct is not None or "example" in r:
                media = {}
                if "schema" in r:
                    media["schema"] = self.schema(r["schema"], file)
                if "example" in r:
                    media["example"] = self.example(r["example"], file)
                resp["content"] = {ct or "application/json": media}
            responses[str(status)] = resp
        if responses:
            out["responses"] = responses
        ext = {k: plain(raw[k]) for k in ("aliases", "idempotent", "timeout", "retries",
                                           "signing") if k in raw}
        if ext:
            out[EXTENSION] = ext
        return out

    def run(self) -> dict[str, Any]:
        raw_svc = load_yaml(self.svc.file)
        info: dict[str, Any] = {"title": raw_svc.get("title", self.name),
                                "version": str(raw_svc.get("version", "0.0.0"))}
        if raw_svc.get("description"):
            info["description"] = raw_svc["description"]
        doc: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info}
        if raw_svc.get("docs"):
            doc["externalDocs"] = {"url": raw_svc["docs"]}
        envs = dict(raw_svc["environments"])
        default = self.svc.default_environment
        order = [default] + [e for e in envs if e != default]
        doc["servers"] = [{"url": envs[e], "description": e} for e in order]
        auth = dict(raw_svc.get("auth") or {})
        defaults = dict(raw_svc.get("defaults") or {})
        if "auth" in defaults:
            doc["security"] = self.requirement(defaults["auth"], auth)
        paths: dict[str, dict[str, Any]] = {}
        for full in self.catalog.operation_names(self.name):
            op = self.catalog.operation(full)  # loads and checks it
            raw = load_yaml(op.file)
            item = paths.setdefault(op.path, {})
            method = op.method.lower()
            if method in item:
                self.warnings.append(f"{op.file}: {op.method} {op.path} is already exported "
                                     f"as {item[method]['operationId']}; left out")
                continue
            item[method] = self.operation(op, raw, auth)
        doc["paths"] = {p: paths[p] for p in sorted(paths)}
        components: dict[str, Any] = {}
        schemas = {}
        for file, comp in self.components.items():
            if file in self.example_only:
                continue
            schemas[comp] = self.schema(self.files.load(file), file)
        if schemas:
            components["schemas"] = schemas
        schemes = self.security_schemes(raw_svc)
        if schemes:
            components["securitySchemes"] = schemes
        if components:
            doc["components"] = components
        ext: dict[str, Any] = {}
        if raw_svc.get("signing"):
            ext["signing"] = plain(raw_svc["signing"])
        rest = {k: plain(v) for k, v in defaults.items() if k != "auth"}
        if rest:
            ext["defaults"] = rest
        if ext:
            doc[EXTENSION] = ext
        return doc


def export_openapi(name: str, spec_dirs: Iterable[str | os.PathLike[str]] = (),
                   include_bundled: bool = True) -> tuple[dict[str, Any], list[str]]:
    """Service ``name`` (found like :class:`specclient.Client` finds it) as an OpenAPI 3.1
    document, and warnings about anything left out. Every operation is loaded and checked
    first, so a broken spec is a :class:`SpecError`, not a broken document."""
    dirs = [d for d in os.environ.get("SPECCLIENT_SPECS", "").split(os.pathsep) if d]
    catalog = Catalog(dirs + list(spec_dirs), include_bundled=include_bundled)
    exporter = _Exporter(catalog, name)
    return exporter.run(), exporter.warnings


def openapi_text(doc: dict[str, Any], as_json: bool = False) -> str:
    """The document as YAML (default) or JSON text."""
    if as_json:
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return dump_yaml(doc)
