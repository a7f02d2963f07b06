"""The static schemes: ``none``, ``api_key`` (header or query), ``bearer`` and ``basic``."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ..redaction import QUERY_LOG_FILTER
from ..request import PreparedRequest
from .base import SECRET, AuthContext, AuthScheme, Presented, register_auth, same_secret

__all__ = ["NoAuth", "ApiKey", "Bearer", "Basic", "basic_header"]




@register_auth
class NoAuth(AuthScheme):
    """``type: none`` — the operation needs no credentials."""

    type = "none"
    spec_schema = {"additionalProperties": False}

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        return None

    def describe(self) -> str:
        return "none"


@register_auth
class ApiKey(AuthScheme):
    """``type: api_key`` — a key in a header (optionally prefixed) or a query parameter."""

    type = "api_key"
    spec_schema = {
        "additionalProperties": False,
        "required": ["in", "name", "secret"],
        "properties": {
            "in": {"enum": ["header", "query"]},
            "name": {"type": "string", "minLength": 1},
            "secret": SECRET,
            "prefix": {"type": "string", "description": "e.g. 'Token ' before the key"},
        },
    }

    def __init__(self, name: str, decl: Mapping[str, Any]):
        super().__init__(name, decl)
        if decl.get("in") == "query":
            QUERY_LOG_FILTER.add(decl["name"])

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        key = ctx.secret(self.decl["secret"])
        value = self.decl.get("prefix", "") + key
        if self.decl["in"] == "header":
            request.add_secret(key, header=self.decl["name"])
            request.headers[self.decl["name"]] = value
        else:
            request.add_secret(key, query=self.decl["name"])
            request.query = [(k, v) for k, v in request.query if k != self.decl["name"]]
            request.query.append((self.decl["name"], value))

    def check(self, presented: Presented) -> str | None:
        decl = self.decl
        where = f"{decl['in']} {decl['name']!r}"
        if decl["in"] == "header":
            value = presented.headers.get(decl["name"])
        else:
            value = next((v for k, v in presented.query if k == decl["name"]), None)
        if not value:
            return f"missing API key ({where})"
        prefix = decl.get("prefix", "")
        if prefix and not value.startswith(prefix):
            return f"API key in {where} lacks its prefix {prefix!r}"
        if not same_secret(value[len(prefix):], presented.configured(decl["secret"])):
            return f"wrong API key in {where} (not {decl['secret']})"
        return None

    def secret_names(self) -> list[str]:
        return [self.decl["secret"]]

    def describe(self) -> str:
        return (f"API key {self.decl['secret']} in {self.decl['in']} "
                f"{self.decl['name']!r}")


@register_auth
class Bearer(AuthScheme):
    """``type: bearer`` — a static token sent as ``Authorization: Bearer <token>``."""

    type = "bearer"
    challenge = 'Bearer realm="specclient-mock"'
    spec_schema = {
        "additionalProperties": False,
        "required": ["secret"],
        "properties": {"secret": SECRET},
    }

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        token = ctx.secret(self.decl["secret"])
        request.add_secret(token, header="Authorization")
        request.headers["Authorization"] = f"Bearer {token}"

    def check(self, presented: Presented) -> str | None:
        token = presented.authorization("Bearer")
        if token is None:
            return "missing bearer token (Authorization: Bearer ...)"
        if not same_secret(token, presented.configured(self.decl["secret"])):
            return f"wrong bearer token (not {self.decl['secret']})"
        return None

    def secret_names(self) -> list[str]:
        return [self.decl["secret"]]

    def describe(self) -> str:
        return f"bearer token {self.decl['secret']}"


def basic_header(username: str, password: str) -> str:
    raw = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


@register_auth
class Basic(AuthScheme):
    """``type: basic`` — HTTP basic auth; username and password are both named secrets."""

    type = "basic"
    challenge = 'Basic realm="specclient-mock"'
    spec_schema = {
        "additionalProperties": False,
        "required": ["username", "password"],
        "properties": {"username": SECRET, "password": SECRET},
    }

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        user = ctx.secret(self.decl["username"])
        password = ctx.secret(self.decl["password"])
        header = basic_header(user, password)
        request.add_secret(password)
        request.add_secret(header, header="Authorization")
        request.headers["Authorization"] = header

    def check(self, presented: Presented) -> str | None:
        pair = presented.basic_pair()
        if pair is None:
            return "missing or malformed HTTP basic credentials (Authorization: Basic ...)"
        if not (same_secret(pair[0], presented.configured(self.decl["username"]))
                and same_secret(pair[1], presented.configured(self.decl["password"]))):
            return (f"wrong HTTP basic credentials (not {self.decl['username']} / "
                    f"{self.decl['password']})")
        return None

    def secret_names(self) -> list[str]:
        return [self.decl["username"], self.decl["password"]]

    def describe(self) -> str:
        return f"HTTP basic {self.decl['username']} / {self.decl['password']}"
