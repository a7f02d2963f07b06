"""Operations: collected from ``paths``, selected (``--only``), named, and each converted
(parameters, body, responses, auth)."""

from __future__ import annotations

import copy
from typing import Any

from ..errors import SpecError
from ..model import RESERVED_ARGS, is_json, python_name
from ..prepare.form import STYLES as FORM_STYLES
from .common import (
    EXTENSION,
    METHODS,
    NAME_RE,
    NO_EXAMPLE,
    PATH_PARAM,
    STATUS,
    pick_type,
    snake_name,
)
from .schemas import SchemaPart
from .security import SecurityPart
from .yamlout import plain


class OperationPart(SchemaPart, SecurityPart):
    """Operations, built on the schema and security parts."""

    def collect(self) -> list[dict[str, Any]]:
        """Every operation in the document: (method, path, op, locations), --only applied."""
        ops = []
        for path, item in self.doc["paths"].items():
            ploc = ["paths", path]
            if isinstance(path, str) and path.startswith("x-"):
                self.warn(ploc, f"vendor extension {path} is not carried over")
                continue
            if not isinstance(item, dict):
                continue
            if "$ref" in item:
                self.warn(ploc + ["$ref"], "path item $ref is not followed; skipped")
                continue
            for key in item:
                if key in METHODS or key in ("parameters", "summary", "description"):
                    continue
                if str(key).startswith("x-"):
                    self.warn(ploc + [key], f"vendor extension {key} is not carried over")
                else:
                    self.warn(ploc + [key], f"{key} on a path cannot be mapped; ignored")
            for method in METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                oloc = ploc + [method]
                security = op.get("security", self.doc.get("security"))
                sec_loc = oloc + ["security"] if "security" in op else ["security"]
                reqs = []
                for i, req in enumerate(self.sequence(security, sec_loc)):
                    if isinstance(req, dict):
                        reqs.append((req, sec_loc + [i]))
                ops.append({"method": method, "path": str(path), "op": op, "loc": oloc,
                            "item": item, "ploc": ploc, "security": reqs,
                            "has_security": security is not None})
        return ops

    def select(self, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not self.only:
            return ops
        wanted = set(self.only)
        hit: set[str] = set()
        chosen = []
        for o in ops:
            op = o["op"]
            keys = {str(op.get("operationId", "")), o["name"], *o["aliases"],
                    *(str(t) for t in op.get("tags") or [] if isinstance(op.get("tags"), list))}
            match = wanted & keys
            if match:
                hit |= match
                chosen.append(o)
        missing = sorted(wanted - hit)
        if missing:
            raise SpecError.at(self.file, None, f"--only {', '.join(missing)}: no operation "
                                                f"has that operationId, name or tag")
        return chosen

    def name_operations(self, ops: list[dict[str, Any]]) -> None:
        taken: set[str] = set()
        for o in ops:
            op = o["op"]
            op_id = op.get("operationId")
            ext = op.get(EXTENSION) if isinstance(op.get(EXTENSION), dict) else {}
            if isinstance(op_id, str) and op_id.strip():
                name = snake_name(op_id)
                sdk = snake_name(op_id)
            else:
                name = snake_name(f"{o['method']}_{o['path']}")
                sdk = snake_name(f"{o['path']}_{o['method']}")
            base, n = name, 1
            while name in taken:
                n += 1
                name = f"{base}_{n}"
            if name != base:
                self.warn(o["loc"] + ["operationId"], f"operation name {base!r} is taken; "
                                                      f"named {name!r}")
            taken.add(name)
            o["name"] = name
            listed = ext.get("aliases")
            candidates = list(listed) if isinstance(listed, list) else []
            if isinstance(op_id, str):
                candidates.append(op_id)
            candidates.append(sdk)
            o["aliases"] = [a for a in dict.fromkeys(str(c) for c in candidates)
                            if NAME_RE.match(a) and a != name]
        names = {o["name"] for o in ops}
        seen: dict[str, str] = {}
        for o in ops:
            keep = []
            for alias in o["aliases"]:
                if alias in names or alias in seen:
                    other = alias if alias in names else seen[alias]
                    self.warn(o["loc"], f"alias {alias!r} would collide with operation "
                                        f"{other!r}; not kept")
                    continue
                seen[alias] = o["name"]
                keep.append(alias)
            o["aliases"] = keep

    def parameters(self, o: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[Any, list]]]:
        """(specclient parameters, 2.0 body/formData parameters)."""
        merged: dict[tuple[str, str], tuple[Any, list[Any]]] = {}
        for base_loc, source in ((o["ploc"], o["item"]), (o["loc"], o["op"])):
            for i, p in enumerate(self.sequence(source.get("parameters"),
                                                base_loc + ["parameters"])):
                p, loc = self.deref(p, base_loc + ["parameters", i])
                if not isinstance(p, dict):
                    continue
                if "name" not in p or "in" not in p:
                    self.warn(loc, "a parameter without name or in; skipped")
                    continue
                merged[(str(p["name"]), str(p["in"]))] = (p, loc)
        params: dict[str, Any] = {}
        body_params: list[tuple[Any, list]] = []
        py_seen: dict[str, str] = {}
        for (name, where), (p, loc) in merged.items():
            if where in ("body", "formData") and self.version == 2:
                body_params.append((p, loc))
                continue
            if where not in ("path", "query", "header"):
                self.warn(loc + ["in"], f"{where} parameter {name!r} cannot be mapped "
                                        f"(path, query and header can); skipped")
                continue
            if where == "header" and name.lower() in ("accept", "content-type",
                                                      "authorization"):
                self.warn(loc, f"header parameter {name!r} is ignored (OpenAPI says so: the "
                               f"content type and auth set it)")
                continue
            if name in params:
                self.warn(loc, f"parameter {name!r} appears in two places; the {where} one "
                               f"is skipped")
                continue
            params[name] = self.parameter(p, loc, name, where)
            py = params[name].get("x_py") or python_name(name)
            params[name].pop("x_py", None)
            if py in RESERVED_ARGS or py in py_seen:
                alt = f"{py}_{where}"
                n = 1
                while alt in py_seen or alt in RESERVED_ARGS:
                    n += 1
                    alt = f"{py}_{where}_{n}"
                params[name]["python_name"] = alt
                py = alt
            py_seen[py] = name
        in_path = PATH_PARAM.findall(o["path"])
        for name in list(params):
            if params[name]["in"] == "path" and name not in in_path:
                self.warn(o["loc"], f"path parameter {name!r} does not appear in the path; "
                                    f"dropped")
                del params[name]
        for name in in_path:
            if name not in params or params[name]["in"] != "path":
                if name in params:
                    del params[name]
                self.warn(o["loc"], f"path parameter {{{name}}} is not declared; declared as "
                                    f"a required string")
                params[name] = {"in": "path", "required": True, "schema": {"type": "string"}}
        return params, body_params

    def parameter(self, p: dict[str, Any], loc: list[Any], name: str,
                  where: str) -> dict[str, Any]:
        out: dict[str, Any] = {"in": where}
        required = bool(p.get("required", False)) or where == "path"
        if where == "path" and p.get("required") is not True:
            self.warn(loc, f"path parameter {name!r} must be required; made required")
        if required:
            out["required"] = True
        if isinstance(p.get("description"), str) and p["description"].strip():
            out["description"] = p["description"]
        if p.get("deprecated") is True:
            out["deprecated"] = True
        ext = p.get(EXTENSION) if isinstance(p.get(EXTENSION), dict) else {}
        if self.version == 2:
            schema_src = {k: v for k, v in p.items()
                          if k not in ("name", "in", "description", "required",
                                       "collectionFormat", "allowEmptyValue")
                          and not str(k).startswith("x-")}
            schema = self.top_schema(schema_src, loc, None)
            fmt = p.get("collectionFormat")
            if fmt not in (None, "multi", "csv") and p.get("type") == "array":
                styled = {"ssv": "spaceDelimited", "pipes": "pipeDelimited"}.get(fmt)
                if styled and where == "query":
                    out["style"] = styled
                else:
                    self.warn(loc + ["collectionFormat"], f"collectionFormat {fmt!r} is not "
                                                          f"supported here: sent comma-"
                                                          f"separated (path, header) or as "
                                                          f"repeated keys (query)")
            elif fmt == "csv" and where == "query" and p.get("type") == "array":
                out["style"], out["explode"] = "form", False
        else:
            if "schema" in p:
                schema = self.top_schema(p["schema"], loc + ["schema"], None)
            elif isinstance(p.get("content"), dict) and p["content"]:
                ct = next(iter(p["content"]))
                media = self.mapping(p["content"][ct], loc + ["content", ct])
                schema = self.top_schema(media.get("schema", {}), loc + ["content", ct, "schema"],
                                     None)
                self.warn(loc + ["content"], f"parameter serialised as {ct} is sent as "
                                             f"plain text")
            else:
                schema = {"type": "string"}
            style, explode = p.get("style"), p.get("explode")
            allowed = {"query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
                       "path": ("simple", "label", "matrix"), "header": ("simple",)}[where]
            if style is not None and style not in allowed:
                self.warn(loc + ["style"], f"style {style!r} is not one {where} parameters "
                                           f"take; the default {allowed[0]!r} is used")
            elif style is not None and style != allowed[0]:
                out["style"] = style
            effective = style if style in allowed else allowed[0]
            if isinstance(explode, bool) and explode != (effective == "form"):
                out["explode"] = explode  # only when it differs from the style's default
            if p.get("allowReserved"):
                self.warn(loc + ["allowReserved"], "allowReserved is not supported; values "
                                                   "are percent-encoded")
        for key in p:
            if str(key).startswith("x-") and key != EXTENSION:
                self.warn(loc + [key], f"vendor extension {key} is not carried over")
        out["schema"] = schema
        self._example_loc = []
        example = self.example_of(p, loc)
        ex_loc = self._example_loc
        if example is NO_EXAMPLE and isinstance(schema, dict) and "example" in schema:
            example = copy.deepcopy(schema["example"])
            ex_loc = loc + (["example"] if self.version == 2 else ["schema", "example"])
        if example is not NO_EXAMPLE:
            out["example"] = example
            out["x_loc"] = ex_loc
        if isinstance(ext.get("python_name"), str) and NAME_RE.match(ext["python_name"]):
            out["python_name"] = ext["python_name"]
            out["x_py"] = ext["python_name"]
        if "default" in ext:
            out["default"] = plain(ext["default"])
        return out

    def body(self, o: dict[str, Any], body_params: list[tuple[Any, list]]) -> dict[str, Any] | None:
        op = o["op"]
        if self.version == 2:
            return self._body_v2(o, body_params)
        if "requestBody" not in op:
            return None
        rb, loc = self.deref(op["requestBody"], o["loc"] + ["requestBody"])
        if not isinstance(rb, dict):
            return None
        content = self.mapping(rb.get("content"), loc + ["content"])
        if not isinstance(content, dict) or not content:
            self.warn(loc, "requestBody without content; skipped")
            return None
        ct, mloc, media = self.media(content, loc)
        out: dict[str, Any] = {"content_type": ct}
        out["required"] = rb.get("required") is True
        if isinstance(rb.get("description"), str) and rb["description"].strip():
            out["description"] = rb["description"]
        if "schema" in media:
            out["schema"] = self.top_schema(media["schema"], mloc + ["schema"], None)
        self._non_json_note(ct, mloc)
        if "encoding" in media:
            encoding = self.encoding(ct, media["encoding"], mloc + ["encoding"])
            if encoding:
                out["encoding"] = encoding
        example = self.example_of(media, mloc)
        if example is not NO_EXAMPLE:
            out["example"] = example
        return out

    def encoding(self, ct: str, decl: Any, loc: list[Any]) -> dict[str, Any]:
        """A form body's per-field ``style``/``explode`` (the rest of an encoding object --
        a part's contentType or headers, anything of a multipart body -- is left out, said
        once per body)."""
        out: dict[str, Any] = {}
        if not isinstance(decl, dict):
            return out
        form = ct.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"
        dropped = False
        for field, e in decl.items():
            if not isinstance(e, dict):
                continue
            kept = {}
            if form and e.get("style") in FORM_STYLES:
                kept["style"] = e["style"]
            if form and isinstance(e.get("explode"), bool):
                kept["explode"] = e["explode"]
            if kept:
                out[str(field)] = kept
            dropped = dropped or any(k not in kept for k in e if k != "allowReserved")
        if dropped:
            self.warn(loc, "encoding: only a form body's style and explode are carried over")
        return out

    def _non_json_note(self, ct: str, loc: list[Any]) -> None:
        base = ct.split(";")[0].strip().lower()
        if not is_json(ct) and base not in ("application/x-www-form-urlencoded",
                                             "multipart/form-data"):
            self.warn(loc, f"{ct} bodies are sent as given: pass bytes or str")

    def _body_v2(self, o: dict[str, Any], params: list[tuple[Any, list]]) -> dict[str, Any] | None:
        op = o["op"]
        consumes = self.media_types(op.get("consumes", self.doc.get("consumes")),
                                    o["loc"] + ["consumes"]) or ["application/json"]
        body = [(p, loc) for p, loc in params if p.get("in") == "body"]
        form = [(p, loc) for p, loc in params if p.get("in") == "formData"]
        if body:
            p, loc = body[0]
            ct = pick_type({c: None for c in consumes})
            out: dict[str, Any] = {"content_type": ct, "required": p.get("required") is True}
            if isinstance(p.get("description"), str) and p["description"].strip():
                out["description"] = p["description"]
            if "schema" in p:
                out["schema"] = self.top_schema(p["schema"], loc + ["schema"], None)
            ex = p.get("x-example")
            if ex is not None:
                example = self._literal(ex, loc + ["x-example"])
                if example is not NO_EXAMPLE:
                    out["example"] = example
            self._non_json_note(ct, loc)
            if form:
                self.warn(form[0][1], "formData beside a body parameter; skipped")
            return out
        if not form:
            return None
        has_file = any(p.get("type") == "file" for p, _ in form)
        ct = "multipart/form-data" if has_file or ("multipart/form-data" in consumes and
                                                   "application/x-www-form-urlencoded"
                                                   not in consumes) \
            else "application/x-www-form-urlencoded"
        props: dict[str, Any] = {}
        required = []
        for p, loc in form:
            name = str(p["name"])
            sub = {k: v for k, v in p.items() if k not in ("name", "in", "required",
                                                            "collectionFormat",
                                                            "allowEmptyValue")}
            props[name] = self.top_schema(sub, loc, None)
            if p.get("required") is True:
                required.append(name)
        schema: dict[str, Any] = {"type": "object", "properties": props}
        if required:
            schema["required"] = required
        self._non_json_note(ct, form[0][1])
        return {"content_type": ct, "required": bool(required), "schema": schema}

    def responses(self, o: dict[str, Any]) -> dict[str, Any]:
        op = o["op"]
        raw = self.mapping(op.get("responses"), o["loc"] + ["responses"])
        out: dict[str, Any] = {}
        produces = self.media_types(op.get("produces", self.doc.get("produces")),
                                    o["loc"] + ["produces"]) or ["application/json"]
        for status, resp in raw.items():
            rloc = o["loc"] + ["responses", status]
            key = str(status).upper() if str(status).lower() != "default" else "default"
            if str(status).startswith("x-"):
                self.warn(rloc, f"vendor extension {status} is not carried over")
                continue
            if not STATUS.match(key):
                self.warn(rloc, f"response status {status!r} is not a status code; skipped")
                continue
            resp, loc = self.deref(resp, rloc)
            if not isinstance(resp, dict):
                continue
            r: dict[str, Any] = {}
            if isinstance(resp.get("description"), str) and resp["description"].strip():
                r["description"] = resp["description"]
            if resp.get("headers"):
                self.warn(loc + ["headers"], f"response headers "
                                             f"({', '.join(map(str, resp['headers']))}) are "
                                             f"not carried over")
            if resp.get("links"):
                self.warn(loc + ["links"], "links are not carried over")
            if self.version == 2:
                if "schema" in resp:
                    ct = pick_type({c: None for c in produces})
                    r["content_type"] = ct
                    r["schema"] = self.top_schema(resp["schema"], loc + ["schema"], None)
                    examples = resp.get("examples")
                    if isinstance(examples, dict) and examples:
                        ex_ct = ct if ct in examples else next(iter(examples))
                        example = self._literal(examples[ex_ct], loc + ["examples", ex_ct])
                        if example is not NO_EXAMPLE:
                            r["example"] = example
                        r["x_loc"] = loc + ["examples", ex_ct]
            else:
                content = self.mapping(resp.get("content"), loc + ["content"])
                if isinstance(content, dict) and content:
                    ct, mloc, media = self.media(content, loc)
                    r["content_type"] = ct
                    if "schema" in media:
                        r["schema"] = self.top_schema(media["schema"], mloc + ["schema"], None)
                    self._example_loc = []
                    example = self.example_of(media, mloc)
                    if example is not NO_EXAMPLE:
                        r["example"] = example
                        r["x_loc"] = self._example_loc or mloc
            for k in resp:
                if str(k).startswith("x-"):
                    self.warn(loc + [k], f"vendor extension {k} is not carried over")
            out[key] = r
        return dict(sorted(out.items(), key=lambda kv: (kv[0] == "default", kv[0])))

    def operation(self, o: dict[str, Any], auth_names: dict[str, str],
                  decls: dict[str, Any], default_auth: list[str] | None) -> dict[str, Any]:
        op = o["op"]
        out: dict[str, Any] = {"operation": o["name"]}
        if o["aliases"]:
            out["aliases"] = o["aliases"]
        for key in ("summary", "description"):
            if isinstance(op.get(key), str) and op[key].strip():
                out[key] = op[key]
        if isinstance(op.get("tags"), list) and op["tags"]:
            out["tags"] = [str(t) for t in op["tags"]]
        if op.get("deprecated") is True:
            out["deprecated"] = True
        out["method"] = o["method"].upper()
        out["path"] = o["path"] if o["path"].startswith("/") else "/" + o["path"]
        ext = op.get(EXTENSION) if isinstance(op.get(EXTENSION), dict) else {}
        for key in ("idempotent", "timeout", "retries", "signing"):
            if key in ext:
                out[key] = plain(ext[key])
        auth = self.auth_for(o, auth_names, decls)
        if auth is not None:
            value: Any = auth if len(auth) != 1 else auth[0]
            if not auth:
                value = "none"
            if (default_auth or []) != auth:
                out["auth"] = value
        params, body_params = self.parameters(o)
        if params:
            out["parameters"] = params
        op_file = f"operations/{o['name']}.yaml"
        for pname, p in params.items():
            if "example" in p:
                if not self._check_example(p["schema"], p["example"],
                                           p.pop("x_loc", o["loc"]),
                                           f"example of parameter {pname!r}", op_file):
                    del p["example"]
            p.pop("x_loc", None)
        self._example_loc = []
        body = self.body(o, body_params)
        if body is not None and "example" in body and "schema" in body:
            if not self._check_example(body["schema"], body["example"],
                                       self._example_loc or o["loc"], "body example", op_file):
                del body["example"]
        if body is not None:
            if o["method"] in ("get", "head", "delete", "options"):
                self.warn(o["loc"], f"a request body on {o['method'].upper()}: kept, though "
                                    f"many servers ignore it")
            out["body"] = body
        responses = self.responses(o)
        for status, r in responses.items():
            if "example" in r and "schema" in r:
                if not self._check_example(r["schema"], r["example"], r["x_loc"],
                                           f"example of response {status}", op_file):
                    del r["example"]
            r.pop("x_loc", None)
        if responses:
            out["responses"] = responses
        for key in op:
            if key in ("operationId", "summary", "description", "tags", "deprecated",
                       "parameters", "requestBody", "responses", "security", EXTENSION,
                       "consumes", "produces", "schemes"):
                continue
            if str(key).startswith("x-"):
                self.warn(o["loc"] + [key], f"vendor extension {key} is not carried over")
            else:
                self.warn(o["loc"] + [key], f"{key} cannot be mapped; ignored")
        return out

