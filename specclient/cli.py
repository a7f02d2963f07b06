"""The ``specclient`` command: a thin layer over :class:`specclient.Client`.

Exit codes: 0 success; 1 the API answered 4xx/5xx; 2 usage, spec or validation error;
3 transport error (timeout, connection).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from . import __version__
from .errors import ApiError, ResponseDecodeError, SpecClientError, TransportError

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_TRANSPORT = 0, 1, 2, 3

#: Modules that add subcommands: each has ``register(subparsers, common_parent)`` and keeps its
#: heavy imports inside its handlers, so that start-up stays fast.
EXTENSIONS: list[str] = []

__all__ = ["main", "build_parser"]


class UsageError(Exception):
    pass


def _client(args: argparse.Namespace, **kw: Any) -> Any:
    from .client import Client

    return Client(spec_dirs=args.specs or (), **kw)


def _print_json(value: Any, out: TextIO) -> None:
    pretty = out.isatty()
    out.write(json.dumps(value, indent=2 if pretty else None, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------- list


def cmd_list(args: argparse.Namespace) -> int:
    client = _client(args)
    names = client.operations()
    if args.names_only:
        sys.stdout.write("".join(n + "\n" for n in names))
        return EXIT_OK
    rows = []
    for name, head in client.catalog.headers():  # the cached index: no operation is loaded
        title = client.catalog.service(name.partition(".")[0]).title
        rows.append((name, f"{head.method} {head.path}", f"{head.summary} ({title})"))
    width = [max((len(r[i]) for r in rows), default=0) for i in range(2)]
    for r in rows:
        sys.stdout.write(f"{r[0]:<{width[0]}}  {r[1]:<{width[1]}}  {r[2]}\n")
    return EXIT_OK


# ---------------------------------------------------------------------- describe


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


def _fields(schema: Any, prefix: str = "", depth: int = 0) -> list[tuple[str, str, bool, str]]:
    """(path, type, required, description) of a schema's properties, nested a few levels."""
    out: list[tuple[str, str, bool, str]] = []
    if not isinstance(schema, dict) or depth > 4:
        return out
    defs = schema.get("$defs", {})

    def deref(s: Any) -> Any:
        while isinstance(s, dict) and "$ref" in s and s["$ref"].startswith("#/$defs/"):
            s = {**defs.get(s["$ref"][8:], {}), **{k: v for k, v in s.items() if k != "$ref"}}
        return s

    schema = deref(schema)
    required = set(schema.get("required", []))
    for key, sub in (schema.get("properties") or {}).items():
        sub = deref(sub)
        path = f"{prefix}{key}"
        desc = " ".join(str(sub.get("description", "")).split()) if isinstance(sub, dict) else ""
        out.append((path, _type_of(sub), key in required, desc))
        if isinstance(sub, dict):
            if sub.get("type") == "object":
                out.extend(_fields({**sub, "$defs": defs}, path + ".", depth + 1))
            elif sub.get("type") == "array" and isinstance(sub.get("items"), dict):
                items = deref(sub["items"])
                out.extend(_fields({**items, "$defs": defs}, path + "[].", depth + 1))
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
    lines.append(f"  idempotent: {'yes' if op.idempotent else 'no'}")
    lines.append("")
    lines.append("Parameters:")
    if not op.parameters:
        lines.append("  (none)")
    signed = {h.lower() for s in op.signing for h in s.headers()}
    for p in op.parameters:
        req = "required" if p.required else "optional"
        if p.name.lower() in signed:
            req += ", computed by signing"
        desc = " ".join(p.description.split())
        lines.append(f"  {p.python_name:<20} {p.location} {p.name!r}, {_type_of(p.schema)}, {req}"
                     + (f" — {desc}" if desc else ""))
    lines.append("")
    if op.body is not None:
        lines.append(f"Body ({op.body.content_type}, "
                     f"{'required' if op.body.required else 'optional'}):")
        for path, typ, required, desc in _fields(op.body.schema):
            mark = "*" if required else " "
            lines.append(f"  {mark} {path:<45} {typ}" + (f" — {desc[:80]}" if desc else ""))
        lines.append("  (* required)")
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
    lines.append("Example:")
    lines.append("  " + example_command(op))
    return "\n".join(lines) + "\n"


def example_command(op: Any) -> str:
    parts = ["specclient", "call", op.full_name]
    signed = {h.lower() for s in op.signing for h in s.headers()}
    for p in op.parameters:
        if p.required and p.name.lower() not in signed:
            value = p.example if p.example is not None else f"<{p.python_name}>"
            parts.append(f"--param {p.name}={_shell(str(value))}")
    if op.body is not None and op.body.example is not None:
        parts.append("--example")
    parts.append("--dry-run")
    return " ".join(parts)


def _shell(text: str) -> str:
    import shlex

    return shlex.quote(text)


def cmd_describe(args: argparse.Namespace) -> int:
    client = _client(args)
    op = client.operation(args.name)
    sys.stdout.write(describe_text(op))
    return EXIT_OK


# ---------------------------------------------------------------------- call


def coerce(schema: Any, text: str) -> Any:
    """A command-line string as the type its schema asks for."""
    types = schema.get("type") if isinstance(schema, dict) else None
    types = types if isinstance(types, list) else [types]
    if "string" in types or types == [None]:
        return text
    for t in types:
        try:
            if t == "integer":
                return int(text)
            if t == "number":
                return float(text)
            if t == "boolean" and text.lower() in ("true", "false", "1", "0", "yes", "no"):
                return text.lower() in ("true", "1", "yes")
            if t == "array":
                item = schema.get("items", {})
                return [coerce(item, part) for part in text.split(",")] if text else []
            if t in ("object", "null"):
                return json.loads(text)
        except ValueError:
            continue
    return text


def read_body(spec: str) -> Any:
    """``--body`` value: JSON text, ``@file`` (JSON, or raw text if not JSON) or ``-``."""
    if spec == "-":
        text = sys.stdin.read()
    elif spec.startswith("@"):
        try:
            with open(spec[1:], encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise UsageError(f"--body {spec}: {exc.strerror}") from None
    else:
        text = spec
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"--body is not valid JSON: {exc}") from None


def call_kwargs(client: Any, args: argparse.Namespace) -> tuple[Any, Any, dict[str, Any]]:
    """(operation, body, params) from --body / --example / --param."""
    from .binding import MISSING

    op = client.operation(args.name)
    body: Any = MISSING
    if args.example and op.body is not None and op.body.example is not None:
        body = op.body.example
    if args.body is not None:
        body = read_body(args.body)
    params: dict[str, Any] = {}
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--param {item!r}: expected name=value")
        p = op.parameter(key) or op.parameter(key.replace("-", "_"))
        if p is None:
            known = ", ".join(x.name for x in op.parameters) or "none"
            raise UsageError(f"{op.full_name}: unknown parameter {key!r} (it takes {known})")
        params[p.python_name] = coerce(p.schema, value)
    if args.example:
        signed = {h.lower() for s in op.signing for h in s.headers()}
        for p in op.parameters:
            if (p.python_name not in params and p.example is not None
                    and p.name.lower() not in signed):
                params[p.python_name] = p.example
    return op, body, params


def cmd_call(args: argparse.Namespace) -> int:
    kw: dict[str, Any] = {}
    if args.env:
        kw["environment"] = args.env
    if args.base_url:
        kw["base_url"] = args.base_url
    if args.timeout:
        kw["timeout"] = args.timeout
    client = _client(args, **kw)
    op, body, params = call_kwargs(client, args)
    if args.dry_run:
        req = client.prepare(op.full_name, body, dry_run=True, **params)
        _print_json(req.redacted(), sys.stdout)
        return EXIT_OK
    try:
        resp = client.call(op.full_name, body, raise_for_status=False, **params)
    finally:
        client.close()
    out = sys.stdout if resp.ok else sys.stderr
    if not resp.ok:
        sys.stderr.write(f"{op.full_name}: HTTP {resp.status_code}\n")
    if resp.data is None:
        if resp.ok:
            sys.stderr.write(f"HTTP {resp.status_code} (empty body)\n")
    elif isinstance(resp.data, str):
        out.write(resp.data + ("" if resp.data.endswith("\n") else "\n"))
    else:
        _print_json(resp.data, out)
    return EXIT_OK if resp.ok else EXIT_API


def cmd_schema(args: argparse.Namespace) -> int:
    from .specformat import format_schema

    sys.stdout.write(json.dumps(format_schema(), indent=2) + "\n")
    return EXIT_OK


# ---------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--specs", action="append", metavar="DIR",
                        help="another spec folder (repeatable); also SPECCLIENT_SPECS")
    parser = argparse.ArgumentParser(
        prog="specclient", description="Call web APIs by name, from operations declared in YAML.",
        epilog="exit codes: 0 ok, 1 API error (4xx/5xx), 2 usage/spec/validation error, "
               "3 transport error", parents=[common])
    parser.add_argument("--version", action="version", version=f"specclient {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", parents=[common], help="list every operation")
    p.add_argument("--names-only", action="store_true", help="names only, one per line")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("describe", parents=[common], help="show an operation's parameters, "
                                                          "body, auth, signing and an example")
    p.add_argument("name")
    p.set_defaults(func=cmd_describe)

    p = sub.add_parser("call", parents=[common], help="call an operation by name")
    p.add_argument("name")
    p.add_argument("--body", metavar="JSON|@FILE|-", help="the request body")
    p.add_argument("--example", action="store_true",
                   help="use the spec's example body (and parameter examples)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a path, query or header parameter (repeatable)")
    p.add_argument("--env", metavar="NAME", help="the service environment (e.g. production)")
    p.add_argument("--base-url", metavar="URL", help="send to this base URL instead")
    p.add_argument("--timeout", type=float, metavar="SECONDS")
    p.add_argument("--dry-run", action="store_true",
                   help="print the request (secrets as ***) instead of sending it")
    p.set_defaults(func=cmd_call)

    p = sub.add_parser("schema", parents=[common],
                       help="print the JSON Schema of the spec format (for editors)")
    p.set_defaults(func=cmd_schema)

    for module in EXTENSIONS:
        importlib.import_module(f"{__package__}.{module}").register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except TransportError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_TRANSPORT
    except (ApiError, ResponseDecodeError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_API
    except (SpecClientError, UsageError) as exc:  # spec, validation, argument, auth
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
