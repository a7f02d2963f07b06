"""Servers and security: ``servers`` / ``host`` + ``basePath`` to environments, and
``securitySchemes`` / ``securityDefinitions`` to auth schemes with secret names."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..auth import AUTH_TYPES
from .common import ENV_WORDS, EXTENSION, WORD, first_error, snake_name
from .reader import Reader
from .yamlout import plain


class SecurityPart(Reader):
    """Environments and auth schemes."""

    def environments(self) -> dict[str, str]:
        servers: list[tuple[str, str, list[Any]]] = []  # (url, description, loc)
        if self.version == 2:
            host = self.doc.get("host")
            base = self.doc.get("basePath", "") or ""
            schemes = self.media_types(self.doc.get("schemes"), ["schemes"]) or ["https"]
            scheme = "https" if "https" in schemes else str(schemes[0])
            if isinstance(host, str) and host:
                servers.append((f"{scheme}://{host}{base}", "", ["host"]))
        else:
            for i, srv in enumerate(self.sequence(self.doc.get("servers"), ["servers"])):
                loc = ["servers", i]
                if not isinstance(srv, dict) or not isinstance(srv.get("url"), str):
                    self.warn(loc, "a server without a url; skipped")
                    continue
                url = srv["url"]
                for var, decl in self.mapping(srv.get("variables"),
                                              loc + ["variables"]).items():
                    default = decl.get("default") if isinstance(decl, dict) else None
                    if default is None:
                        self.warn(loc + ["variables", var], f"server variable {var!r} has no "
                                                            f"default; left in the URL")
                        continue
                    url = url.replace("{" + var + "}", str(default))
                if url.startswith("//"):
                    url = "https:" + url
                servers.append((url, str(srv.get("description") or ""), loc))
        envs: dict[str, str] = {}
        good = [(u, d, loc) for u, d, loc in servers if self._absolute(u, loc)]
        for i, (url, desc, _loc) in enumerate(good, 1):
            name = self._env_name(url, desc, i, len(good))
            base, n = name, 1
            while name in envs:
                n += 1
                name = f"{base}_{n}"
            envs[name] = url.rstrip("/") if url.rstrip("/") not in ("http:", "https:") else url
        if not envs:
            self.warn(["servers"] if self.version != 2 else ["host"],
                      "no absolute server URL; environment 'default' is a placeholder "
                      "(http://localhost): set the real base URL in service.yaml")
            envs["default"] = "http://localhost"
        return envs

    def _absolute(self, url: str, loc: list[Any]) -> bool:
        if re.match(r"^https?://", url) and "{" not in url:
            return True
        self.warn(loc, f"server URL {url!r} is not an absolute http(s) URL; skipped")
        return False

    @staticmethod
    def _env_name(url: str, desc: str, index: int, count: int) -> str:
        if WORD.match(desc.strip()):
            return snake_name(desc.strip())
        text = f"{desc} {url}".lower()
        for word, name in ENV_WORDS:
            if re.search(rf"(?<![a-z]){word}(?![a-z])", text):
                return name
        return "default" if count == 1 else f"env{index}"

    def security_schemes(self, ops: list[dict[str, Any]]) -> tuple[dict[str, Any],
                                                                   dict[str, str]]:
        """(auth declarations, source scheme name -> auth name) for the schemes used."""
        key = ("securityDefinitions",) if self.version == 2 else ("components",
                                                                  "securitySchemes")
        schemes = self._get(key) or {}
        if not isinstance(schemes, dict):
            return {}, {}
        kinds = Counter()
        decls: dict[str, Any] = {}
        prefix = re.sub(r"[^A-Za-z0-9]+", "_", self.service).upper().strip("_") or "API"
        raw: dict[str, tuple[str, Any, list[Any]]] = {}
        for sname, decl in schemes.items():
            decl, loc = self.deref(decl, list(key) + [sname])
            if decl is None:
                continue
            if not isinstance(decl, dict):
                self.warn(loc, f"security scheme {sname!r} is not a mapping; skipped")
                continue
            raw[sname] = (str(decl.get("type", "")), decl, loc)
            kinds[self._kind(decl)] += 1
        for sname, (_stype, decl, loc) in raw.items():
            mapped = self._auth_decl(sname, decl, loc, prefix, kinds, ops)
            if mapped is not None:
                name = "none_scheme" if sname == "none" else str(sname)
                decls[name] = mapped
        names = {s: ("none_scheme" if s == "none" else str(s)) for s in raw
                 if ("none_scheme" if s == "none" else str(s)) in decls}
        return decls, names

    def _kind(self, decl: dict[str, Any]) -> str:
        t = decl.get("type")
        if t == "apiKey":
            return "api_key"
        if t == "basic" or (t == "http" and str(decl.get("scheme", "")).lower() == "basic"):
            return "basic"
        if t == "http" and str(decl.get("scheme", "")).lower() == "bearer":
            return "bearer"
        return str(t)

    def _auth_decl(self, sname: str, decl: dict[str, Any], loc: list[Any], prefix: str,
                   kinds: Counter, ops: list[dict[str, Any]]) -> dict[str, Any] | None:
        ext = decl.get(EXTENSION)
        if isinstance(ext, dict) and ext.get("type") in AUTH_TYPES:
            schema = {**AUTH_TYPES[ext["type"]].spec_schema, "type": "object"}
            schema = {**schema, "properties": {**schema.get("properties", {}),
                                               "type": {}, "description": {}}}
            problem = first_error(schema, plain(ext))
            if problem is None:
                return plain(ext)
            self.warn(loc + [EXTENSION], f"{EXTENSION} is not a valid auth declaration "
                                         f"({problem}); derived from the scheme instead")
        kind = self._kind(decl)
        part = "" if kinds[kind] == 1 else "_" + snake_name(sname).upper()
        desc = decl.get("description")
        out: dict[str, Any]
        if kind == "api_key":
            where = decl.get("in")
            if where not in ("header", "query") or not decl.get("name"):
                self.warn(loc, f"API key in {where!r} cannot be mapped (only header and query "
                               f"keys); operations using {sname!r} get no auth for it")
                return None
            out = {"type": "api_key", "in": where, "name": str(decl["name"]),
                   "secret": f"{prefix}{part}_API_KEY"}
        elif kind == "basic":
            out = {"type": "basic", "username": f"{prefix}{part}_USERNAME",
                   "password": f"{prefix}{part}_PASSWORD"}
        elif kind == "bearer":
            out = {"type": "bearer", "secret": f"{prefix}{part}_TOKEN"}
        elif kind == "oauth2":
            if self.version == 2:
                token_url = decl.get("tokenUrl") if decl.get("flow") == "application" else None
            else:
                flow = self.mapping(decl.get("flows"), loc + ["flows"]).get("clientCredentials")
                token_url = flow.get("tokenUrl") if isinstance(flow, dict) else None
            if not isinstance(token_url, str) or not re.match(r"^https?://", token_url):
                self.warn(loc, f"OAuth2 scheme {sname!r} has no client-credentials flow with "
                               f"an absolute token URL; only that flow can be mapped")
                return None
            out = {"type": "oauth2", "flow": "client_credentials", "token_url": token_url,
                   "client_id": f"{prefix}{part}_CLIENT_ID",
                   "client_secret": f"{prefix}{part}_CLIENT_SECRET"}
            scopes = self._scopes_used(sname, ops)
            if scopes:
                out["scope"] = scopes[0] if len(scopes) == 1 else scopes
        else:
            self.warn(loc, f"security scheme {sname!r} of type {decl.get('type')!r}"
                           f"{' ' + str(decl.get('scheme')) if decl.get('scheme') else ''} "
                           f"cannot be mapped (api key, HTTP basic/bearer and OAuth2 client "
                           f"credentials can)")
            return None
        if isinstance(desc, str) and desc.strip():
            out["description"] = desc
        return out

    def _scopes_used(self, sname: str, ops: list[dict[str, Any]]) -> list[str]:
        """The scopes operations ask of ``sname`` (the most common set; others warned)."""
        sets: Counter = Counter()
        first_loc: dict[tuple[str, ...], list[Any]] = {}
        for op in ops:
            for req, loc in op["security"]:
                if sname in req:
                    listed = req[sname] if isinstance(req[sname], list) else []
                    scopes = tuple(sorted(str(s) for s in listed))
                    sets[scopes] += 1
                    first_loc.setdefault(scopes, loc)
        if not sets:
            return []
        best = sets.most_common(1)[0][0]
        for other in sets:
            if other != best:
                self.warn(first_loc[other], f"scopes {list(other)} of {sname!r} differ from "
                                            f"the ones most operations use ({list(best)}); "
                                            f"the token is requested with {list(best)}")
        return list(best)

    # -- operations

    def auth_for(self, o: dict[str, Any], names: dict[str, str],
                 decls: dict[str, Any]) -> list[str] | None:
        """The operation's auth names (None: no security given at all)."""
        if not o["has_security"]:
            return None
        reqs = o["security"]
        if not reqs:
            return []
        chosen = None
        for req, loc in reqs:
            mapped = [names[s] for s in req if s in names]
            if len(mapped) == len(req):
                chosen = (mapped, loc)
                break
        if chosen is None:
            req, loc = reqs[0]
            missing = [s for s in req if s not in names]
            self.warn(loc, f"security scheme(s) {', '.join(map(str, missing))} cannot be "
                           f"mapped or are not declared; this operation gets "
                           f"{'the rest' if len(missing) < len(req) else 'no auth'}")
            chosen = ([names[s] for s in req if s in names], loc)
        if len(reqs) > 1:
            self.warn(chosen[1], f"{len(reqs)} alternative security requirements; using "
                                 f"{' + '.join(chosen[0]) or 'none'} only")
        return chosen[0]

