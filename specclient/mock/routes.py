"""Routing: which operation (or OAuth2 token endpoint) a request reached, and the values of its
parameters. One matcher, used by :class:`~specclient.mock.MockApp` (the in-process adapter and
the server) and by :class:`specclient.testing.SpecMock`.

A request is routed by method and path template across every loaded service's environments
(``https://api.ingrammicro.com:443/sandbox/resellers/...``), or by its path alone when it came
to some other address (a base-URL override, the loopback server). Path parameters match one
segment each (``[^/]+``); when several templates match, the one with the most literal
characters wins (``/pets/mine`` over ``/pets/{id}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from ..auth import AuthScheme, url_origin
from ..model import Operation, Parameter
from ..prepare.styles import ABSENT, raw_pairs, read_header, read_path, read_query
from ..spec.catalog import Catalog

__all__ = ["Route", "Routes", "TokenEndpoint", "build_routes", "parameter_values",
           "read_parameters"]


@dataclass
class Route:
    """One operation's path template as a regular expression over the path after the base."""

    op: Operation
    regex: re.Pattern[str]
    names: list[str]
    literal: int  # characters outside {params}: more is more specific
    #: the ``#fragment`` of a path such as Box's ``/shared_items#folders`` (several
    #: operations on one path): never sent, so it only tells them apart in process
    fragment: str = ""

    @classmethod
    def of(cls, op: Operation) -> Route:
        pattern, names, literal, pos = "", [], 0, 0
        path, _, fragment = op.path.partition("#")
        for m in re.finditer(r"\{([^{}/]+)\}", path):
            text = path[pos:m.start()]
            pattern += re.escape(text) + f"(?P<p{len(names)}>[^/?#]+)"
            literal += len(text)
            names.append(m.group(1))
            pos = m.end()
        pattern += re.escape(path[pos:])
        literal += len(path) - pos
        return cls(op, re.compile(pattern.rstrip("/") + "/?"), names, literal, fragment)

    def match(self, path: str, raw: bool = False) -> dict[str, str] | None:
        """The path parameters (percent-decoded, or as sent with ``raw``) when ``path`` fits
        the template, else None."""
        m = self.regex.fullmatch(path)
        if m is None:
            return None
        if raw:
            return {name: m.group(f"p{i}") for i, name in enumerate(self.names)}
        return {name: unquote(m.group(f"p{i}")) for i, name in enumerate(self.names)}


@dataclass
class Base:
    origin: tuple[str, str, int]
    prefix: str  # the environment's path, without a trailing slash


@dataclass
class TokenEndpoint:
    """An OAuth2 token URL, and the schemes (of any service) that fetch tokens there."""

    url: str  # as declared
    origin: tuple[str, str, int]
    path: str
    schemes: list[tuple[str, AuthScheme]] = field(default_factory=list)  # (service, scheme)

    @property
    def label(self) -> str:
        return ", ".join(f"{svc}.{s.name}" for svc, s in self.schemes) + " token endpoint"


@dataclass
class Routes:
    """Every loaded operation and token endpoint, ready to match URLs."""

    ops: dict[str, list[Route]]  # service -> its routes
    bases: dict[str, list[Base]]  # service -> its environments
    tokens: list[TokenEndpoint]
    origins: set[tuple[str, str, int]]
    secret_query: frozenset[str]  # query parameters that carry API keys
    decodings: dict[str, str]  # signing secret name -> how its value is decoded

    def match(self, url: str) -> tuple[TokenEndpoint | None, list[tuple[Route, dict[str, str]]]]:
        """The token endpoint at ``url``, or the operations whose path matches it (each with
        its path parameters, as sent: still percent-encoded, for their style to read)."""
        origin = url_origin(url)
        path = urlsplit(url).path or "/"
        known = origin in self.origins
        for ep in self.tokens:
            if ep.path.rstrip("/") == path.rstrip("/") and (ep.origin == origin or not known):
                return ep, []
        found: list[tuple[Route, dict[str, str]]] = []
        for sname, svc_routes in self.ops.items():
            rests = []
            for base in self.bases[sname]:
                if base.origin == origin and (path == base.prefix
                                              or path.startswith(base.prefix + "/")):
                    rests.append(path[len(base.prefix):] or "/")
            if not known:  # sent somewhere else: by path alone, with or without the env path
                rests.append(path)
                rests += [path[len(b.prefix):] for b in self.bases[sname]
                          if b.prefix and path.startswith(b.prefix + "/")]
            for route in svc_routes:
                for rest in dict.fromkeys(rests):
                    params = route.match(rest, raw=True)
                    if params is not None:
                        found.append((route, params))
                        break
        return None, found

    def pick(self, method: str, found: list[tuple[Route, dict[str, str]]], fragment: str = ""
             ) -> tuple[Route, dict[str, str]] | None:
        """Of the routes ``match`` found, the most specific one taking ``method`` (HEAD as
        GET), or None; among those on one path, the one whose ``#fragment`` the URL names
        (an in-process call of ``/shared_items#folders``), else the one without any."""
        wanted = "GET" if method == "HEAD" else method
        same = [(r, p) for r, p in found if r.op.method == wanted]
        if not same:
            return None
        same.sort(key=lambda rp: (-rp[0].literal, rp[0].fragment != fragment,
                                  rp[0].fragment != "", rp[0].op.full_name))
        return same[0]


def build_routes(catalog: Catalog, services: list[str] | None = None) -> Routes:
    """Routes for every operation and token endpoint of ``services`` (default: all)."""
    ops: dict[str, list[Route]] = {}
    bases: dict[str, list[Base]] = {}
    tokens: dict[str, TokenEndpoint] = {}
    origins: set[tuple[str, str, int]] = set()
    secret_query: set[str] = set()
    decodings: dict[str, str] = {}
    for sname in services if services is not None else catalog.service_names():
        svc = catalog.service(sname)
        ops[sname] = [Route.of(catalog.operation(n)) for n in catalog.operation_names(sname)]
        for signer in svc.signing.values():
            spec = getattr(signer, "secret_spec", None)
            if isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
                decodings.setdefault(spec["name"], spec.get("decode", "utf8"))
        bases[sname] = []
        for url in svc.environments.values():
            base = Base(url_origin(url), urlsplit(url).path.rstrip("/"))
            bases[sname].append(base)
            origins.add(base.origin)
        for scheme in svc.auth.values():
            if scheme.type == "api_key" and scheme.decl.get("in") == "query":
                secret_query.add(scheme.decl["name"])
            if scheme.type == "oauth2":
                url = scheme.decl["token_url"]
                ep = tokens.get(url)
                if ep is None:
                    ep = tokens[url] = TokenEndpoint(url, url_origin(url),
                                                     urlsplit(url).path or "/")
                    origins.add(ep.origin)
                ep.schemes.append((sname, scheme))
    return Routes(ops, bases, list(tokens.values()), origins, frozenset(secret_query),
                  decodings)


def parameter_values(op: Operation, headers: Mapping[str, str], query: str,
                     raw_path: Mapping[str, str]) -> dict[str, Any]:
    """Each declared parameter present, by its Python name, read by its style and typed by
    its schema exactly as the mock reads it before validating. ``query``: the raw query
    string; ``raw_path``: the path parameters as sent (:meth:`Route.match` with ``raw``)."""
    out: dict[str, Any] = {}
    pairs = raw_pairs(query)
    for p, value in read_parameters(op, headers, pairs, raw_path):
        if value is not ABSENT:
            out[p.python_name] = value
    return out


def read_parameters(op: Operation, headers: Mapping[str, str], pairs: list[tuple[str, str]],
                    raw_path: Mapping[str, str]) -> list[tuple[Parameter, Any]]:
    """Every declared parameter of ``op`` with the value it arrived as (``ABSENT``: not
    there)."""
    names = frozenset(p.name for p in op.parameters if p.location == "query")
    out = []
    for p in op.parameters:
        if p.location == "query":
            value = read_query(p, pairs, names - {p.name})
        elif p.location == "path":
            value = read_path(p, raw_path[p.name]) if p.name in raw_path else ABSENT
        else:
            value = read_header(p, headers[p.name]) if p.name in headers else ABSENT
        out.append((p, value))
    return out
