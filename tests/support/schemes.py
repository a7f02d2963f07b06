"""A service declaring one operation per auth scheme (the auth and canary tests)."""

from __future__ import annotations

import pathlib

API = "https://api.example.test/v1"
TOKEN_URL = "https://auth.example.test/token"
CREDS = {"KEY": "k-123456", "TOKEN": "t-static-token", "USER": "ann", "PASS": "pa:ss-word",
         "CID": "client-7", "CSECRET": "cs-very-secret", "SIGNKEY": "sign-key-99"}

SERVICE = """\
service: schemes
title: Every auth scheme
environments: {test: "https://api.example.test/v1"}
auth:
  key_header: {type: api_key, in: header, name: X-Api-Key, secret: KEY, prefix: "Token "}
  key_query: {type: api_key, in: query, name: api_key, secret: KEY}
  bearer: {type: bearer, secret: TOKEN}
  basic: {type: basic, username: USER, password: PASS}
  oauth_body:
    type: oauth2
    token_url: TOKEN_URL
    client_id: CID
    client_secret: CSECRET
    scope: [read, write]
    extra: {audience: "https://api.example.test"}
  oauth_basic:
    type: oauth2
    token_url: TOKEN_URL
    client_id: CID
    client_secret: CSECRET
    client_auth: basic
    scope: read
signing:
  sig:
    type: hmac
    algorithm: sha256
    secret: SIGNKEY
    message: "{method}\\n{path}\\n{query}\\n{raw_body}"
    encoding: hex
    header: X-Signature
defaults: {auth: none, timeout: 5}
"""


def op(auth: str, method: str = "GET", signing: str = "[]") -> str:
    body = "body: {content_type: application/json, schema: {type: object}}\n" \
        if method == "POST" else ""
    return (f"method: {method}\npath: /things\nauth: {auth}\nsigning: {signing}\n"
            "parameters:\n  q: {in: query, schema: {type: string}}\n" + body
            + 'responses: {"200": {description: ok, schema: {type: object}}}\n')


OPS = {
    "none": op("none"),
    "key_header": op("key_header"),
    "key_query": op("key_query"),
    "bearer": op("bearer"),
    "basic": op("basic"),
    "key_and_basic": op("[key_header, basic]"),
    "oauth_body": op("oauth_body"),
    "oauth_body_again": op("oauth_body"),
    "oauth_basic": op("oauth_basic"),
    "oauth_signed": op("oauth_body", "POST", "sig"),
}


def make_specs(root: pathlib.Path, token_url: str = TOKEN_URL, api: str = API) -> pathlib.Path:
    folder = root / "schemes"
    (folder / "operations").mkdir(parents=True)
    (folder / "service.yaml").write_text(SERVICE.replace("TOKEN_URL", token_url)
                                         .replace("https://api.example.test/v1", api))
    for name, text in OPS.items():
        (folder / "operations" / f"{name}.yaml").write_text(text)
    return root
