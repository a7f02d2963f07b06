"""OpenAPI 3.0 / 3.1 and Swagger 2.0 -> a specclient service folder.

One pass over the source document (a dict, as loaded with line numbers by
:mod:`specclient.spec.yamlio`) builds the files of the service folder in memory:

- ``service.yaml`` from ``info``, ``servers`` (3.x) or ``host``/``basePath``/``schemes`` (2.0),
  ``securitySchemes`` / ``securityDefinitions`` and the global ``security``;
- one ``operations/NAME.yaml`` per operation (parameters, body, responses, auth);
- one ``schemas/NAME.yaml`` per component schema (``components.schemas`` / ``definitions``),
  referred to with relative ``$ref`` s, never inlined.

Schemas are turned into JSON Schema 2020-12 (``nullable`` / ``x-nullable`` become type lists,
boolean ``exclusiveMinimum`` becomes a number, ``type: file`` a binary string). Whatever cannot
be carried over, or is wrong in the source (a default of the wrong type, a ``required`` entry
naming no property, a vendor extension, an unknown ``format``), becomes an
:class:`ImportWarning` with its JSON pointer and line in the source; the import carries on,
dropping what is unsafe to keep. Nothing is written until the whole document is converted.
"""


from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from ..errors import SpecError
from .common import EXTENSION, NAME_RE, load_document, pointer, snake_name, unpointer
from .operations import OperationPart
from .result import ImportResult, ImportWarning
from .yamlout import plain

__all__ = ["ImportWarning", "ImportResult", "import_openapi", "load_document", "snake_name",
           "EXTENSION"]


class _Importer(OperationPart):
    """One import: the parts in reader, schemas, security and operations; here, the run
    that puts them together and checks the output's references."""

    def run(self) -> ImportResult:
        for key in self.doc:
            if str(key).startswith("x-") and key != EXTENSION:
                self.warn([key], f"vendor extension {key} is not carried over")
            elif key == "webhooks" and self.doc[key]:
                self.warn([key], "webhooks (requests the API sends) are not imported")
        ops = self.collect()
        self.name_operations(ops)
        ops = self.select(ops)
        service: dict[str, Any] = {"service": self.service}
        info = self.doc.get("info") if isinstance(self.doc.get("info"), dict) else {}
        service["title"] = str(info.get("title") or self.service)
        if isinstance(info.get("description"), str) and info["description"].strip():
            service["description"] = info["description"]
        if info.get("version") is not None:
            service["version"] = str(info["version"])
        else:
            self.warn(["info"], "info.version is missing")
        docs = (self.doc.get("externalDocs") or {}).get("url") \
            if isinstance(self.doc.get("externalDocs"), dict) else None
        if isinstance(docs, str):
            service["docs"] = docs
        envs = self.environments()
        service["environments"] = envs
        service["default_environment"] = next(iter(envs))
        decls, auth_names = self.security_schemes(ops)
        if decls:
            service["auth"] = decls
        root_ext = self.doc.get(EXTENSION) if isinstance(self.doc.get(EXTENSION), dict) else {}
        if isinstance(root_ext.get("signing"), dict) and root_ext["signing"]:
            service["signing"] = plain(root_ext["signing"])
        defaults: dict[str, Any] = {}
        default_auth: list[str] | None = None
        glob = self.doc.get("security")
        if isinstance(glob, list):
            o = {"has_security": True, "security": [(r, ["security", i])
                                                    for i, r in enumerate(glob)
                                                    if isinstance(r, dict)]}
            default_auth = self.auth_for(o, auth_names, decls)
            if default_auth:
                defaults["auth"] = default_auth[0] if len(default_auth) == 1 else default_auth
        for key in ("signing", "timeout", "retries", "headers"):
            if key in (root_ext.get("defaults") or {}):
                defaults[key] = plain(root_ext["defaults"][key])
        if defaults:
            service["defaults"] = defaults
        self.files["service.yaml"] = service

        # Component schemas first (operation examples are checked against them).
        names = list(self.components)
        for name in names:
            where = list(self.comp_prefix) + [name]
            try:
                schema = self.top_schema(self.components[name], where, name)
            except Exception as exc:  # noqa: BLE001 - a part that cannot be read: a warning
                self.warn(where, f"could not be converted ({type(exc).__name__}: {exc}); "
                                 f"imported as an open schema")
                schema = {}
            self.files[f"schemas/{self.component_files[name]}.yaml"] = schema
        operations = []
        for o in ops:
            try:
                data = self.operation(o, auth_names, decls, default_auth or [])
            except Exception as exc:  # noqa: BLE001 - one operation never stops the rest
                self.warn(o.get("loc") or ["paths"],
                          f"operation {o['name']} could not be converted "
                          f"({type(exc).__name__}: {exc}); not imported")
                continue
            self.files[f"operations/{o['name']}.yaml"] = data
            operations.append(o["name"])
        self._check_output_refs()
        if self.only:  # keep only the schemas the chosen operations reach
            reach = self._reachable()
            for name in names:
                if name not in reach:
                    del self.files[f"schemas/{self.component_files[name]}.yaml"]
        self.warnings.sort(key=lambda w: (w.line is None, w.line or 0))  # stable: by line
        return ImportResult(self.service, self.files, self.warnings, operations)

    def _check_output_refs(self) -> None:
        """Safety net over the written files: a ``$ref`` whose target is missing, or a chain
        of pure references that never reaches a schema, is replaced by ``{}`` (warned), so
        that the loader never meets either."""
        def target(rel: str, ref: str) -> tuple[str, str]:
            path, _, frag = ref.partition("#")
            if not path:
                return rel, frag
            return "schemas/" + path.rsplit("/", 1)[-1], frag

        def lookup(rel: str, frag: str) -> Any:
            node = self.files.get(rel)
            for token in unpointer(frag):
                if isinstance(node, dict) and token in node:
                    node = node[token]
                elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                    node = node[int(token)]
                else:
                    return None
            return node

        def fix(rel: str, node: Any, where: list[Any]) -> None:
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    seen = []
                    cur_rel, cur = rel, node
                    while isinstance(cur, dict) and isinstance(cur.get("$ref"), str):
                        key = target(cur_rel, cur["$ref"])
                        if key in seen:
                            cur = None
                            break
                        seen.append(key)
                        nxt = lookup(*key)
                        if nxt is None:
                            cur = None
                            break
                        cur_rel, cur = key[0], nxt
                        if not isinstance(cur, dict) or set(cur) != {"$ref"}:
                            break
                    if cur is None:
                        self.warnings.append(ImportWarning(
                            self.file, "", None,
                            f"{rel}#{pointer(where)}: $ref {ref!r} leads nowhere (missing "
                            f"or circular); replaced by an unconstrained schema"))
                        node.clear()
                        return
                for k, v in node.items():
                    fix(rel, v, where + [k])
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    fix(rel, v, where + [i])

        for rel in sorted(self.files):
            if rel != "service.yaml":
                fix(rel, self.files[rel], [])

    def _reachable(self) -> set[str]:
        by_stem = {f"{s}.yaml": n for n, s in self.component_files.items()}
        seen: set[str] = set()
        todo = [v for k, v in self.files.items() if k.startswith("operations/")]
        while todo:
            node = todo.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    name = by_stem.get(ref.split("#")[0].rsplit("/", 1)[-1])
                    if name is not None and name not in seen:
                        seen.add(name)
                        todo.append(self.files[f"schemas/{self.component_files[name]}.yaml"])
                todo.extend(node.values())
            elif isinstance(node, list):
                todo.extend(node)
        return seen



def import_openapi(source: str | os.PathLike[str] | dict[str, Any], service: str,
                   only: Iterable[str] = (), file: str | None = None) -> ImportResult:
    """Convert an OpenAPI 3.0 / 3.1 or Swagger 2.0 document into a service folder (in memory).

    ``source`` is a path (YAML or JSON) or an already-loaded document (see
    :func:`load_document`; ``file`` then names it in warnings); ``service`` the folder and
    service name; ``only`` limits the import to operations whose operationId, generated
    name or tag is listed. Raises :class:`SpecError` when the document is not OpenAPI at all
    or a ``--only`` value matches nothing; everything else is an :class:`ImportWarning`.
    """
    if not NAME_RE.match(service):
        raise SpecError.at(file or str(service), None,
                           f"service name {service!r} must be a valid name "
                           f"(letters, digits, _; not starting with a digit)")
    if isinstance(source, dict):
        doc, name = source, file or "<document>"
    else:
        doc, name = load_document(source), file or os.fspath(source)
    return _Importer(doc, name, service, list(only)).run()
