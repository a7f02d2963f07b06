"""``specclient describe NAME``: an operation's parameters, body fields, auth, signing and a
command that calls it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..schema.flatten import flatten
from .common import EXIT_OK, add_command, client_from_args

__all__ = ["register", "cmd_describe", "describe_text", "example_command", "idempotence",
           "shorten"]


def register(subparsers: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> None:
    """Add ``describe``; its option strings go into ``options['describe']``."""
    p = add_command(subparsers, options, "describe", parents=[common],
                    help="show an operation's parameters, body, auth, "
                         "signing and an example")
    p.add_argument("name")
    p.set_defaults(func=cmd_describe)


def _type_of(schema: Any) -> str:
    if not isinstance(schema, dict):
        return "any"
    t = schema.get("type")
    if isinstance(t, list):
        return "|".join(t)
    if t == "array":
        return f"array of {_type_of(schema.get('items', {}))}"
    if t:
        return str(t)
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            return f"{key}(" + ", ".join(_type_of(s) for s in schema[key]) + ")"
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    return "any"


def _fields(schema: Any, prefix: str = "", depth: int = 0,
            root: Any = None) -> list[tuple[str, str, bool, str]]:
    """(path, type, required, description) of a schema's properties, nested a few levels;
    ``$ref`` and ``allOf`` seen through (``oneOf``/``anyOf`` are shown as such)."""
    out: list[tuple[str, str, bool, str]] = []
    if not isinstance(schema, dict) or depth > 4:
        return out
    root = schema if root is None else root
    schema = flatten(schema, root)
    required = set(schema.get("required", []))
    for key, sub in (schema.get("properties") or {}).items():
        sub = flatten(sub, root) if isinstance(sub, dict) else sub
        path = f"{prefix}{key}"
        desc = " ".join(str(sub.get("description", "")).split()) if isinstance(sub, dict) else ""
        out.append((path, _type_of(sub), key in required, desc))
        if isinstance(sub, dict):
            if sub.get("type") == "object":
                out.extend(_fields(sub, path + ".", depth + 1, root))
            elif sub.get("type") == "array" and isinstance(sub.get("items"), dict):
                out.extend(_fields(sub["items"], path + "[].", depth + 1, root))
    return out


def describe_text(op: Any) -> str:
    """A person-readable description of an operation (no secret values: names only)."""
    lines = [f"{op.full_name} — {op.method} {op.path}"]
    if op.summary:
        lines.append(f"  {op.summary}")
    if op.description:
        lines.append("  " + " ".join(op.description.split()))
    lines.append(f"  service: {op.service.title} ({', '.join(op.service.environments)}; "
                 f"default {op.service.default_environment})")
    if op.aliases:
        lines.append(f"  aliases: {', '.join(op.aliases)}")
    lines.append(f"  idempotent: {idempotence(op)}")
    lines.append("")
    lines.append("Parameters:")
    if not op.parameters:
        lines.append("  (none)")
    signed = {h.lower() for s in op.signing for h in s.headers()}
    width = max((len(p.name) for p in op.parameters), default=0)
    for p in op.parameters:
        req = "required" if p.required else "optional"
        if p.name.lower() in signed:
            req += ", computed by signing"
        desc = " ".join(p.description.split())
        lines.append(f"  --{p.name:<{width}}  {p.location}, {_type_of(p.schema)}, {req}; "
                     f"Python: {p.python_name}=" + (f" — {shorten(desc)}" if desc else ""))
    lines.append("")
    if op.body is not None:
        lines.append(f"Body ({op.body.content_type}, "
                     f"{'required' if op.body.required else 'optional'}):")
        fields = _fields(op.body.schema)
        width = max((len(path) for path, _, _, _ in fields), default=0)
        for path, typ, required, desc in fields:
            mark = "*" if required else " "
            lines.append(f"  {mark} {path:<{width}}  {typ}"
                         + (f" — {shorten(desc)}" if desc else ""))
        lines.append("  (* required; set fields as field=value, field:=json, a.b=value, "
                     "list[]=value)")
        lines.append("")
    lines.append("Auth:")
    for a in op.auth or []:
        lines.append(f"  {a.name}: {a.describe()}")
    if not op.auth:
        lines.append("  none")
    if op.signing:
        lines.append("Signing:")
        for s in op.signing:
            lines.append(f"  {s.name}: {s.describe()}")
    if op.responses:
        lines.append("Responses:")
        for status, r in op.responses.items():
            lines.append(f"  {status}: {r.description or ''}"
                         + (f" ({_type_of(r.schema)})" if r.schema is not None else ""))
    lines.append("")
    lines.append("Example (add --dry-run to see the request without sending it, --curl for "
                 "curl):")
    lines.append("  " + example_command(op))
    return "\n".join(lines) + "\n"


def idempotence(op: Any) -> str:
    """Whether the engine treats ``op`` as idempotent (it retries such calls after timeouts,
    resets and retryable statuses), and why."""
    from ..transport.policy import IDEMPOTENT_METHODS  # only for describe (start-up)

    if op.idempotent:
        return "yes (declared idempotent: true in the spec; retried after timeouts, resets " \
               "and retryable statuses)"
    if op.method in IDEMPOTENT_METHODS:
        return f"yes ({op.method} is idempotent by HTTP; retried after timeouts, resets and " \
               f"retryable statuses)"
    return f"no ({op.method}, not declared idempotent: retried only when the connection was " \
           f"never made, so nothing is sent twice)"


#: Descriptions longer than this are cut, at a word, with an ellipsis.
DESCRIPTION_MAX = 100


def shorten(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


#: A body example longer than this (as items) is sent with --example instead of as fields.
EXAMPLE_ITEMS_MAX = 240


def example_command(op: Any) -> str:
    """A ready-to-run ``specclient call`` for ``op``: required parameters as ``--name value``
    (their examples, else placeholders) and the example body as request items (or
    ``--example`` when it is long or not an object)."""

    parts = ["specclient", "call", op.full_name]
    signed = {h.lower() for s in op.signing for h in s.headers()}
    for p in op.parameters:
        if p.required and p.name.lower() not in signed:
            value = p.example if p.example is not None else f"<{p.python_name}>"
            parts.append(f"--{p.name} {_shell(str(value))}")
    if op.body is not None and op.body.example is not None:
        from .items import format_field  # the item syntax only for describe (start-up)

        example = op.body.example
        items = ([_shell(format_field(k, v)) for k, v in example.items()]
                 if isinstance(example, dict) and example else [])
        if items and len(" ".join(items)) <= EXAMPLE_ITEMS_MAX:
            parts.extend(items)
        else:
            parts.append("--example")
    elif op.body is not None and op.body.required:
        schema = op.body.schema if isinstance(op.body.schema, dict) else {}
        for name in schema.get("required", []):
            parts.append(_shell(f"{name}=<{name}>"))
    return " ".join(parts)


def _shell(text: str) -> str:
    import shlex  # only for describe's example command line (start-up of other commands)

    return shlex.quote(text)


def cmd_describe(args: argparse.Namespace) -> int:
    client = client_from_args(args)
    op = client.operation(args.name)
    sys.stdout.write(describe_text(op))
    return EXIT_OK
