"""The static schemes: ``none``, ``api_key`` (header or query), ``bearer`` and ``basic``."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ..redaction import QUERY_LOG_FILTER
from ..request import PreparedRequest
from .base import SECRET, AuthContext, AuthScheme, register_auth

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

    def secret_names(self) -> list[str]:
        return [self.decl["secret"]]

    def describe(self) -> str:
        return (f"API key {self.decl['secret']} in {self.decl['in']} "
                f"{self.decl['name']!r}")


@register_auth
class Bearer(AuthScheme):
    """``type: bearer`` — a static token sent as ``Authorization: Bearer <token>``."""

    type = "bearer"
    spec_schema = {
        "additionalProperties": False,
        "required": ["secret"],
        "properties": {"secret": SECRET},
    }

    def apply(self, request: PreparedRequest, ctx: AuthContext) -> None:
        token = ctx.secret(self.decl["secret"])
        request.add_secret(token, header="Authorization")
        request.headers["Authorization"] = f"Bearer {token}"

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

    def secret_names(self) -> list[str]:
        return [self.decl["username"], self.decl["password"]]

    def describe(self) -> str:
        return f"HTTP basic {self.decl['username']} / {self.decl['password']}"
