"""The ``specclient`` command: a thin layer over :class:`specclient.Client`.

Exit codes: 0 success; 1 the API answered 4xx/5xx; 2 usage, spec or validation error;
3 transport error (timeout, connection); 4 a webhook did not verify (``verify``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from .. import __version__
from ..errors import ApiError, ResponseDecodeError, SpecClientError, SpecError, TransportError

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_TRANSPORT = 0, 1, 2, 3

#: Modules that add subcommands: each has ``register(subparsers, common_parent)`` and keeps its
#: heavy imports inside its handlers, so that start-up stays fast.
EXTENSIONS: list[str] = ["verify", "lint", "mock", "openapi", "completion"]

__all__ = ["main", "build_parser"]


class UsageError(Exception):
    """A command-line argument is wrong (exit code 2)."""


EXIT_CODES_TEXT = """exit codes:
  0  success (2xx/3xx)
  1  the API answered with an error (4xx/5xx); in a batch: some lines failed
  2  usage, spec or validation error (nothing was sent)
  3  transport error: no response (timeout, connection refused, DNS)
  130 interrupted (Ctrl-C)"""

CALL_EPILOG = """request items (HTTPie style; the first separator in an item counts):
  field=value          string body field           name=Ann
  field:=json          typed body field            qty:=3  ok:=true  tags:='["a","b"]'
  a.b=value            nested field                address.city=Oslo
  list[]=value         append to a list            tags[]=a tags[]=b  (list[0]=... by index)
  field=@file          field from a text file      note=@note.txt
  field:=@file.json    field from a JSON file      items:=@items.json
  Header:value         header                      targeturl:https://example.com/hook
  name==value          query parameter             page==2
  A backslash escapes a separator in a name: 'a\\=b=c' sets the field "a=b".
  Declared parameters are also options: --targeturl URL, --x-hub-signature SIG.
  Fields are applied on top of --body / --example when those are given.

""" + EXIT_CODES_TEXT


def _client(args: argparse.Namespace, **kw: Any) -> Any:
    from ..client import Client

    if getattr(args, "mock", False):
        kw["mock"] = True
    if getattr(args, "profile", None):
        kw.setdefault("profile", args.profile)
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
    problems: list[Any] = []  # a broken file hides only itself; reported after the list
    titles: dict[str, str] = {}
    for name, head in client.catalog.headers(problems=problems):  # the cached index
        sname = name.partition(".")[0]
        if sname not in titles:
            try:
                titles[sname] = client.catalog.service(sname).title
            except SpecError as exc:
                problems.extend(exc.problems)
                titles[sname] = sname
        rows.append((name, f"{head.method} {head.path}", f"{head.summary} ({titles[sname]})"))
    width = [max((len(r[i]) for r in rows), default=0) for i in range(2)]
    for r in rows:
        sys.stdout.write(f"{r[0]:<{width[0]}}  {r[1]:<{width[1]}}  {r[2]}\n")
    if problems:
        sys.stdout.flush()
        for p in sorted(problems, key=lambda p: (p.file, p.line or 0)):
            sys.stderr.write(f"{p}\n")
        return EXIT_USAGE
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

    def deref(s: Any, depth: int = 0) -> Any:
        while isinstance(s, dict) and "$ref" in s and s["$ref"].startswith("#/$defs/"):
            s = {**defs.get(s["$ref"][8:], {}), **{k: v for k, v in s.items() if k != "$ref"}}
        if isinstance(s, dict) and isinstance(s.get("allOf"), list) and depth < 8:
            # a $ref with siblings resolves to allOf: its members' fields all apply
            merged: dict[str, Any] = {k: v for k, v in s.items() if k != "allOf"}
            props = dict(merged.get("properties") or {})
            required = list(merged.get("required") or [])
            for member in s["allOf"]:
                member = deref(member, depth + 1)
                if not isinstance(member, dict):
                    continue
                for k, v in member.items():
                    merged.setdefault(k, v)
                for k, v in (member.get("properties") or {}).items():
                    props.setdefault(k, v)
                required += [r for r in member.get("required") or [] if r not in required]
            if props:
                merged["properties"] = props
            if required:
                merged["required"] = required
            s = merged
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
        lines.append(f"  --{p.name:<20} {p.location}, {_type_of(p.schema)}, {req}; "
                     f"Python: {p.python_name}=" + (f" — {desc}" if desc else ""))
    lines.append("")
    if op.body is not None:
        lines.append(f"Body ({op.body.content_type}, "
                     f"{'required' if op.body.required else 'optional'}):")
        for path, typ, required, desc in _fields(op.body.schema):
            mark = "*" if required else " "
            lines.append(f"  {mark} {path:<45} {typ}" + (f" — {desc[:80]}" if desc else ""))
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


#: A body example longer than this (as items) is sent with --example instead of as fields.
EXAMPLE_ITEMS_MAX = 240


def example_command(op: Any) -> str:
    """A ready-to-run ``specclient call`` for ``op``: required parameters as ``--name value``
    (their examples, else placeholders) and the example body as request items (or
    ``--example`` when it is long or not an object)."""
    from .items import format_field

    parts = ["specclient", "call", op.full_name]
    signed = {h.lower() for s in op.signing for h in s.headers()}
    for p in op.parameters:
        if p.required and p.name.lower() not in signed:
            value = p.example if p.example is not None else f"<{p.python_name}>"
            parts.append(f"--{p.name} {_shell(str(value))}")
    if op.body is not None and op.body.example is not None:
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
    from ..prepare.binding import MISSING

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


def param_options(call_parser: argparse.ArgumentParser, op: Any) -> dict[str, Any]:
    """Add ``--NAME VALUE`` for each of ``op``'s declared parameters to ``call_parser`` (both
    the spec name and the keyword name, dashed: ``--x-hub-signature``, ``--pet-id``), except
    where that would shadow one of the command's own options. Returns dest -> parameter."""
    taken = set(call_parser._option_string_actions)
    dests: dict[str, Any] = {}
    group = call_parser.add_argument_group(f"parameters of {op.full_name}")
    for p in op.parameters:
        names = []
        for n in (p.name, p.python_name.replace("_", "-")):
            opt = "--" + n
            if opt not in taken and opt not in names and " " not in n:
                names.append(opt)
        if not names:
            continue
        dest = f"param__{p.python_name}"
        desc = " ".join(p.description.split())
        group.add_argument(*names, dest=dest, metavar=p.python_name.upper(),
                           help=f"{p.location} parameter {p.name!r}"
                                + (f": {desc}" if desc else ""))
        taken.update(names)
        dests[dest] = p
    return dests


def _reparse_call(args: argparse.Namespace, op: Any) -> argparse.Namespace:
    """Parse the ``call`` arguments again, now that the operation is known: its parameters as
    ``--name value`` options, and request items anywhere among the options."""
    call_parser = getattr(args, "call_parser", None)
    argv = getattr(args, "call_argv", None)
    if call_parser is None or argv is None:  # built by hand (tests, embedding): use as is
        return args
    dests = param_options(call_parser, op)
    if getattr(args, "call_help", False):
        call_parser.print_help()
        raise SystemExit(EXIT_OK)
    ns = call_parser.parse_intermixed_args(argv)
    ns.specs, ns.func = args.specs, args.func
    for key, value in vars(args).items():  # e.g. --profile given before the subcommand
        if not hasattr(ns, key):
            setattr(ns, key, value)
    ns.param_values = {}
    for dest, p in dests.items():
        value = getattr(ns, dest, None)
        if value is not None:
            ns.param_values[p.python_name] = coerce(p.schema, value)
    return ns


def apply_items(op: Any, body: Any, params: dict[str, Any],
                raw_items: Sequence[str]) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """Apply HTTPie-style items (see :mod:`specclient.cli.items`) on top of ``body`` and
    ``params``; returns (body, params, extra headers)."""
    from ..prepare.binding import MISSING
    from .items import ItemError, apply_fields, parse_items

    try:
        items = parse_items(list(raw_items))
        if items.fields:
            base = None if body is MISSING else body
            if isinstance(base, (str, bytes)):
                raise ItemError(items.fields[0][2], "cannot add fields to a body given as text")
            body = apply_fields(base, items.fields)
    except ItemError as exc:
        raise UsageError(str(exc)) from None
    params = dict(params)
    headers: dict[str, str] = {}
    for name, value, _raw in items.headers:
        p = next((x for x in op.parameters
                  if x.location == "header" and x.name.lower() == name.lower()), None)
        if p is None:
            headers[name] = value
        else:
            params[p.python_name] = coerce(p.schema, value)
    seen: set[str] = set()
    for name, value, raw in items.query:
        p = op.parameter(name) or op.parameter(name.replace("-", "_"))
        if p is None or p.location != "query":
            declared = [x.name for x in op.parameters if x.location == "query"]
            hint = (f"it is a {p.location} parameter; use --{p.name} VALUE" if p is not None
                    else f"its query parameters: {', '.join(declared) or 'none'}")
            raise UsageError(f"item {raw!r}: {op.full_name} has no query parameter "
                             f"{name!r} ({hint})")
        v = coerce(p.schema, value)
        is_list = isinstance(p.schema, dict) and p.schema.get("type") == "array"
        if p.python_name in seen:
            if not is_list:
                raise UsageError(f"item {raw!r}: query parameter {name!r} given twice, and it "
                                 f"is not a list")
            params[p.python_name] = params[p.python_name] + (v if isinstance(v, list) else [v])
        else:
            params[p.python_name] = v
        seen.add(p.python_name)
    return body, params, headers


#: Extra headers given on the command line whose values are treated as secrets (shown as ***).
SECRET_HEADER = re.compile(r"authorization|cookie|api[-_]?key|token|secret|password", re.I)


def _hide_given_secrets(req: Any, headers: dict[str, str]) -> None:
    """Register credentials typed as ``Header:value`` items (``Authorization:...``,
    ``X-Api-Key:...``) as secrets of ``req``, so dry runs and --curl show ``***``."""
    for name, value in headers.items():
        if SECRET_HEADER.search(name):
            req.add_secret(value, header=name)


def _client_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if args.env:
        kw["environment"] = args.env
    if args.base_url:
        kw["base_url"] = args.base_url
    if args.timeout:
        kw["timeout"] = args.timeout
    if getattr(args, "mock", False):  # --mock (the built-in mock), when that flag exists
        kw["mock"] = True
    return kw


def _check_call_flags(args: argparse.Namespace) -> None:
    """Refuse option combinations where one option would silently be ignored."""
    if getattr(args, "show_secrets", False) and not getattr(args, "curl", False):
        raise UsageError("--show-secrets only applies to --curl (it shows the secrets in the "
                         "printed curl command); add --curl or drop --show-secrets")
    if getattr(args, "example", False) and getattr(args, "body", None) is not None:
        raise UsageError("--body and --example both give the request body; use one (fields "
                         "such as name=value apply on top of either)")


def cmd_call(args: argparse.Namespace) -> int:
    client = _client(args, **_client_kwargs(args))
    try:
        args = _reparse_call(args, client.operation(args.name))
        _check_call_flags(args)
        op, body, params = call_kwargs(client, args)
        params.update(getattr(args, "param_values", None) or {})
        body, params, headers = apply_items(op, body, params, getattr(args, "items", None) or [])
        if getattr(args, "batch", None):
            return _cmd_batch(client, op, args, body, params, headers)
        if getattr(args, "curl", False):
            from .output import curl_command

            show = bool(getattr(args, "show_secrets", False))
            req = client.prepare(op.full_name, body, extra_headers=headers or None,
                                 dry_run=not show, **params)
            _hide_given_secrets(req, headers)
            sys.stdout.write(curl_command(req, show_secrets=show) + "\n")
            return EXIT_OK
        if args.dry_run:
            req = client.prepare(op.full_name, body, extra_headers=headers or None,
                                 dry_run=True, **params)
            _hide_given_secrets(req, headers)
            _print_json(req.redacted(), sys.stdout)
            return EXIT_OK
        resp = client.call(op.full_name, body, raise_for_status=False,
                           extra_headers=headers or None, **params)
    finally:
        client.close()
    show_response(resp, args)
    return EXIT_OK if resp.ok else EXIT_API


def show_response(resp: Any, args: argparse.Namespace) -> None:
    """The response: status line (and headers with -v) on stderr, the body on stdout (stderr
    for an API error). Pretty and coloured on a terminal, plain JSON on a pipe."""
    from .output import render, render_headers, status_line, use_color

    mode = getattr(args, "color", None) or "auto"
    fmt = getattr(args, "output", None) or "json"
    verbose = bool(getattr(args, "verbose", False))
    err_color = use_color(sys.stderr, mode)
    if not resp.ok or verbose or resp.data is None or sys.stderr.isatty():
        sys.stderr.write(status_line(resp.status_code, resp.http.reason or "",
                                     resp.operation, resp.attempts, color=err_color))
    if verbose:
        sys.stderr.write(render_headers(resp.headers, color=err_color) + "\n")
    out = sys.stdout if resp.ok else sys.stderr
    if fmt == "raw":
        out.flush()
        out.buffer.write(resp.http.content)
        out.buffer.flush()
        return
    out.write(render(resp.data, fmt, pretty=out.isatty(), color=use_color(out, mode)))


def _cmd_batch(client: Any, op: Any, args: argparse.Namespace, body: Any,
               params: dict[str, Any], headers: dict[str, str]) -> int:
    from ..batch import BatchOptions, parse_rate, run_batch
    from ..prepare.binding import MISSING

    if body is not MISSING:
        raise UsageError("--batch takes each body from its file; drop --body, --example's "
                         "body and body fields")
    if args.dry_run or getattr(args, "curl", False):
        raise UsageError("--batch cannot be combined with --dry-run or --curl")
    if args.resume and not args.out:
        raise UsageError("--resume needs --out (the results recorded so far)")
    try:
        rate = parse_rate(args.rate) if args.rate else None
    except ValueError as exc:
        raise UsageError(f"--rate {args.rate!r}: {exc}") from None
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    opts = BatchOptions(lines=args.lines, concurrency=args.concurrency, rate=rate,
                        out=args.out or "-", failed=args.failed, resume=args.resume,
                        in_doubt=args.in_doubt, params=params, headers=headers)
    progress = sys.stderr if sys.stderr.isatty() else None
    summary = run_batch(client, op.full_name, args.batch, opts, progress=progress)
    sys.stderr.write(summary.describe() + "\n")
    if summary.interrupted:
        return 130
    return EXIT_OK if summary.failed == 0 and summary.in_doubt == 0 else EXIT_API


def cmd_schema(args: argparse.Namespace) -> int:
    from ..spec.format_schema import format_schema

    sys.stdout.write(json.dumps(format_schema(), indent=2) + "\n")
    return EXIT_OK


# ---------------------------------------------------------------------- main


def _common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Options every command takes, before or after the subcommand. The subcommands' copies
    default to SUPPRESS, so that they do not overwrite a value given before the subcommand; the
    top-level ``--specs`` has its own dest and :func:`main` joins both lists."""
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--specs", action="append", metavar="DIR", default=default,
                        dest="specs_before" if top else "specs",
                        help="another spec folder (repeatable); also SPECCLIENT_SPECS")
    parser.add_argument("--profile", metavar="NAME", default=default,
                        help="the credentials file's profile (default: SPECCLIENT_PROFILE, "
                             "else 'default')")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, top=False)
    parser = argparse.ArgumentParser(
        prog="specclient", description="Call web APIs by name, from operations declared in YAML.",
        epilog=EXIT_CODES_TEXT, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common_options(parser, top=True)
    parser.add_argument("--version", action="version", version=f"specclient {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", parents=[common], help="list every operation")
    p.add_argument("--names-only", action="store_true", help="names only, one per line")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("describe", parents=[common], help="show an operation's parameters, "
                                                          "body, auth, signing and an example")
    p.add_argument("name")
    p.set_defaults(func=cmd_describe)

    p = sub.add_parser("call", parents=[common], help="call an operation by name",
                       allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter,
                       usage="specclient call NAME [ITEM...] [--PARAMETER VALUE...] [options]",
                       epilog=CALL_EPILOG)
    p.add_argument("name")
    p.add_argument("items", nargs="*", metavar="ITEM",
                   help="field=value, field:=json, a.b=value, list[]=value, Header:value, "
                        "name==value, field=@file, field:=@file.json (see below)")
    p.add_argument("--body", metavar="JSON|@FILE|-", help="the request body")
    p.add_argument("--example", action="store_true",
                   help="use the spec's example body (and parameter examples)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a path, query or header parameter (repeatable)")
    p.add_argument("--env", metavar="NAME", help="the service environment (e.g. production)")
    p.add_argument("--base-url", metavar="URL", help="send to this base URL instead")
    p.add_argument("--mock", action="store_true",
                   help="answer from the built-in mock (built from the specs); nothing is sent "
                        "over the network, and missing secrets take demo values")
    p.add_argument("--timeout", type=float, metavar="SECONDS")
    p.add_argument("--dry-run", action="store_true",
                   help="print the request (secrets as ***) instead of sending it")
    g = p.add_argument_group("output")
    g.add_argument("-o", "--output", choices=("json", "yaml", "raw"),
                   help="json (default; pretty on a terminal), yaml, or raw response bytes")
    g.add_argument("-v", "--verbose", action="store_true",
                   help="show the status line and response headers (on stderr)")
    g.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour on a terminal unless NO_COLOR is set (default auto)")
    g.add_argument("--curl", action="store_true",
                   help="print the equivalent curl command instead of sending")
    g.add_argument("--show-secrets", action="store_true",
                   help="with --curl: show secret values (fetches a real OAuth2 token)")
    g = p.add_argument_group("batch")
    g.add_argument("--batch", metavar="FILE.jsonl",
                   help="one call per line of FILE (- for stdin); see --lines")
    g.add_argument("--lines", choices=("body", "call"), default="body",
                   help="body: each line is the request body (default); call: each line is "
                        '{"body": ..., "params": {...}, "headers": {...}}')
    g.add_argument("--concurrency", type=int, default=1, metavar="N",
                   help="calls in flight at once (default 1)")
    g.add_argument("--rate", metavar="N/s", help="at most N calls per second (or N/m, N/h)")
    g.add_argument("--out", metavar="FILE.jsonl", help="one result line per input line")
    g.add_argument("--failed", metavar="FILE.jsonl",
                   help="every input line that failed, as it was (feed it back with --batch)")
    g.add_argument("--resume", action="store_true",
                   help="skip lines that already have a result in --out")
    g.add_argument("--in-doubt", choices=("auto", "resend", "skip"), default="auto",
                   help="on --resume, a line whose request was sent but whose result was not "
                        "recorded (a crash): send it again (resend), report it as failed "
                        "without sending (skip), or resend only if the operation is "
                        "idempotent (auto, the default)")
    p.set_defaults(func=cmd_call)

    p = sub.add_parser("schema", parents=[common],
                       help="print the JSON Schema of the spec format (for editors)")
    p.set_defaults(func=cmd_schema)

    for module in EXTENSIONS:
        importlib.import_module(f"{__package__}.{module}").register(sub, common)
    return parser


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(name)
    return None


def parse_args(parser: argparse.ArgumentParser,
               argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line. ``call``'s arguments are parsed again once the operation is
    known (its parameters become ``--name`` options), so here unknown options are kept."""
    argv = list(sys.argv[1:] if argv is None else argv)
    without_help = _help_after_name(argv)
    if without_help is not None:
        argv = without_help
    args, extras = parser.parse_known_args(argv)
    args.call_help = without_help is not None
    if getattr(args, "command", None) != "call":
        if extras:
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        return args
    i = 0
    while i < len(argv) and argv[i] != "call":
        i += 2 if argv[i] in ("--specs", "--profile") else 1
    args.call_argv = argv[i + 1:]
    args.call_parser = _subparser(parser, "call")
    return args


def _help_after_name(argv: list[str]) -> list[str] | None:
    """``call NAME --help``: argv without the help flag (help is then printed with NAME's
    parameters as options), or None when there is no help flag or no NAME before it."""
    try:
        i = argv.index("call")
    except ValueError:
        return None
    rest = argv[i + 1:]
    flags = [a for a in rest if a in ("-h", "--help")]
    if not flags or not rest or rest[0].startswith("-"):
        return None
    return argv[:i + 1] + [a for a in rest if a not in ("-h", "--help")]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parse_args(parser, argv)
    args.specs = (args.specs_before or []) + (getattr(args, "specs", None) or [])
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
