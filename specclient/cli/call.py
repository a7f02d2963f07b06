"""``specclient call NAME``: one call (or a batch of them), its dry run and its curl form."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from ..prepare.binding import MISSING
from ..schema.coerce import coerce
from .common import (
    COMMON_OPTIONS,
    EXIT_API,
    EXIT_CODES_TEXT,
    EXIT_OK,
    UsageError,
    add_command,
    client_from_args,
    print_json,
)

__all__ = ["register", "cmd_call", "call_kwargs", "apply_items", "read_body"]

CALL_EPILOG = """request items (HTTPie style; the first separator in an item counts):
  field=value          string body field           name=Ann
  field:=json          typed body field            qty:=3  ok:=true  tags:='["a","b"]'
  a.b=value            nested field                address.city=Oslo
  list[]=value         append to a list            tags[]=a tags[]=b  (list[0]=... by index)
  field=@file          field from a text file      note=@note.txt
  field:=@file.json    field from a JSON file      items:=@items.json
  field@file           a file (multipart body)     photo@cat.png  doc@a.bin;type=application/pdf
  Header:value         header                      targeturl:https://example.com/hook
  name==value          query parameter             page==2
  A backslash escapes a separator in a name: 'a\\=b=c' sets the field "a=b".
  Declared parameters are also options: --targeturl URL, --x-hub-signature SIG.
  Fields are applied on top of --body / --example when those are given.

""" + EXIT_CODES_TEXT


FORMATS = ("json", "yaml", "raw")

#: The option strings ``call`` takes itself (per-operation ``--NAME`` options never shadow
#: them), filled by :func:`register`.
CALL_OPTIONS: set[str] = set(COMMON_OPTIONS)


def register(subparsers: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> argparse.ArgumentParser:
    """Add ``call``; its option strings go into ``options["call"]`` (and :data:`CALL_OPTIONS`).
    Returns the parser: ``call`` is parsed again once the operation is known."""
    p = add_command(
        subparsers, options, "call", parents=[common], help="call an operation by name",
        allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="specclient call NAME [ITEM...] [--PARAMETER VALUE...] [options]",
        epilog=CALL_EPILOG)
    p.add_argument("name")
    p.add_argument("items", nargs="*", metavar="ITEM",
                   help="field=value, field:=json, a.b=value, list[]=value, Header:value, "
                        "name==value, field=@file, field:=@file.json (see below)")
    p.add_argument("--body", metavar="JSON|@FILE|-", help="the request body")
    p.add_argument("--example", action="store_true",
                   help="use the spec's example body and parameter examples; where the spec "
                        "declares none, one made up from the schema (the body, and each "
                        "required parameter)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a path, query or header parameter (repeatable)")
    p.add_argument("--env", metavar="NAME", help="the service environment (e.g. production)")
    p.add_argument("--base-url", metavar="URL", help="send to this base URL instead")
    p.add_argument("--mock", action="store_true",
                   help="answer from the built-in mock (built from the specs); nothing is sent "
                        "over the network, and missing secrets take demo values")
    p.add_argument("--timeout", type=float, metavar="SECONDS")
    p.add_argument("--max-response-bytes", type=int, metavar="N",
                   help="the largest response body read, decoded (default: the operation's, "
                        "else 64 MiB)")
    p.add_argument("--allow-insecure-http", action="store_true",
                   help="send credentials over plain http to hosts other than this machine "
                        "(e.g. a mock in another container); a warning each time")
    p.add_argument("--dry-run", action="store_true",
                   help="print the request (secrets as ***) instead of sending it")
    g = p.add_argument_group("output")
    g.add_argument("-f", "--format", choices=FORMATS,
                   help="json (default; pretty on a terminal), yaml, or raw response bytes")
    g.add_argument("-o", "--output", metavar="FILE",
                   help="write the response body to FILE as it arrives (a download: not held "
                        "in memory; a progress bar on a terminal); - for stdout")
    g.add_argument("--filter", metavar="EXPR",
                   help="print only what the JMESPath expression EXPR selects from the response "
                        "(with --all: from each item), e.g. 'data[].id' or "
                        "'items[?status==`open`]'")
    g.add_argument("-v", "--verbose", action="store_true",
                   help="show the status line, the response headers and the request line and "
                        "headers as sent (on stderr; secrets as ***)")
    g.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour on a terminal unless NO_COLOR is set (default auto)")
    g.add_argument("--curl", action="store_true",
                   help="print the equivalent curl command instead of sending")
    g.add_argument("--show-secrets", action="store_true",
                   help="with --curl: show secret values (fetches a real OAuth2 token)")
    g = p.add_argument_group("pages")
    g.add_argument("--all", action="store_true",
                   help="every page (as the operation declares its pagination): its items, "
                        "one JSON line each, streamed as pages arrive")
    g.add_argument("--max-items", type=int, metavar="N", help="with --all: stop after N items")
    g.add_argument("--max-pages", type=int, metavar="N", help="with --all: stop after N pages")
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
    g.add_argument("--dask", metavar="ADDRESS",
                   help="run the batch on a Dask cluster (tcp://SCHEDULER:8786): the lines in "
                        "partitions, one worker each; --out on a filesystem the workers share "
                        "(pip install 'specclient[dask]')")
    g.add_argument("--partitions", type=int, metavar="N",
                   help="with --dask: how many partitions (default: twice the workers)")
    g.add_argument("--in-doubt", choices=("auto", "resend", "skip"), default="auto",
                   help="on --resume, a line whose request was sent but whose result was not "
                        "recorded (a crash): send it again (resend), report it as failed "
                        "without sending (skip), or resend only if the operation is "
                        "idempotent (auto, the default)")
    p.set_defaults(func=cmd_call)
    CALL_OPTIONS.update(p.taken)
    return p.container


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

    op = client.operation(args.name)
    body: Any = MISSING
    example_params: dict[str, Any] = {}
    if args.example:
        body, example_params = client.example_arguments(op.full_name)
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
    for key, value in example_params.items():
        params.setdefault(key, value)
    return op, body, params


def param_options(call_parser: argparse.ArgumentParser, op: Any) -> dict[str, Any]:
    """Add ``--NAME VALUE`` for each of ``op``'s declared parameters to ``call_parser`` (both
    the spec name and the keyword name, dashed: ``--x-hub-signature``, ``--pet-id``), except
    where that would shadow one of the command's own options. Returns dest -> parameter."""
    taken = set(CALL_OPTIONS)
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
    if not raw_items:
        return body, dict(params), {}
    # the item syntax only when items are given (start-up of a plain call)
    from .items import ItemError, apply_fields, parse_items

    try:
        items = parse_items(list(raw_items))
        if items.fields:
            base = None if body is MISSING else body
            if isinstance(base, (str, bytes)):
                raise ItemError(items.fields[0][2], "cannot add fields to a body given as text")
            body = apply_fields(base, items.fields)
            uploads = [raw for _, v, raw in items.fields if isinstance(v, tuple)]
            if uploads and (op.body is None or not op.body.content_type.lower().startswith(
                    "multipart/form-data")):
                raise ItemError(uploads[0], f"a file goes in a multipart/form-data body; "
                                            f"{op.full_name} takes "
                                            f"{op.body.content_type if op.body else 'none'}")
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


def _client_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if getattr(args, "allow_insecure_http", False):
        kw["allow_insecure_http"] = True
    if getattr(args, "max_response_bytes", None) is not None:
        if args.max_response_bytes < 1:
            raise UsageError("--max-response-bytes must be a positive number of bytes")
        kw["max_response_bytes"] = args.max_response_bytes
    if args.env:
        kw["environment"] = args.env
    if args.base_url:
        if not args.base_url.lower().startswith(("http://", "https://")):
            raise UsageError(f"--base-url {args.base_url!r} has no scheme: write "
                             f"http://{args.base_url} or https://{args.base_url}")
        kw["base_url"] = args.base_url
    if args.timeout:
        kw["timeout"] = args.timeout
    if getattr(args, "mock", False):  # --mock (the built-in mock), when that flag exists
        kw["mock"] = True
    return kw


def _check_call_flags(args: argparse.Namespace) -> None:
    """Refuse option combinations where one option would silently be ignored."""
    output = getattr(args, "output", None)
    if output in FORMATS and not getattr(args, "format", None):  # the old -o json|yaml|raw
        sys.stderr.write(f"note: -o {output} is read as --format {output} (-o FILE writes the "
                         f"body to a file; write ./{output} for a file of that name)\n")
        args.format, args.output = output, None
    if not getattr(args, "all", False) and (getattr(args, "max_items", None) is not None
                                            or getattr(args, "max_pages", None) is not None):
        raise UsageError("--max-items and --max-pages apply to --all; add --all")
    if getattr(args, "all", False) and (args.dry_run or getattr(args, "curl", False)
                                        or getattr(args, "batch", None) or output):
        raise UsageError("--all cannot be combined with --dry-run, --curl, --batch or "
                         "--output")
    if output and (args.dry_run or getattr(args, "curl", False)
                   or getattr(args, "batch", None)):
        raise UsageError("--output FILE saves one response body; it cannot be combined with "
                         "--dry-run, --curl or --batch (whose results go to --out)")
    if getattr(args, "show_secrets", False) and not getattr(args, "curl", False):
        raise UsageError("--show-secrets only applies to --curl (it shows the secrets in the "
                         "printed curl command); add --curl or drop --show-secrets")
    if getattr(args, "example", False) and getattr(args, "body", None) is not None:
        raise UsageError("--body and --example both give the request body; use one (fields "
                         "such as name=value apply on top of either)")


def cmd_call(args: argparse.Namespace) -> int:
    client = client_from_args(args, **_client_kwargs(args))
    try:
        args = _reparse_call(args, client.operation(args.name))
        _check_call_flags(args)
        if getattr(args, "filter", None) is not None:
            args.filter = compile_filter(args.filter)
        if args.env:  # --env names one of this operation's service's environments
            client.base_url(client.operation(args.name), environment=args.env)
        op, body, params = call_kwargs(client, args)
        params.update(getattr(args, "param_values", None) or {})
        body, params, headers = apply_items(op, body, params, getattr(args, "items", None) or [])
        if getattr(args, "batch", None):
            return _cmd_batch(client, op, args, body, params, headers)
        if getattr(args, "curl", False):
            from .output import curl_command  # printing code only when it prints (start-up)

            show = bool(getattr(args, "show_secrets", False))
            req = client.prepare(op.full_name, body, extra_headers=headers or None,
                                 dry_run=not show, **params)
            sys.stdout.write(curl_command(req, show_secrets=show) + "\n")
            _note_missing(req)
            return EXIT_OK
        if args.dry_run:
            req = client.prepare(op.full_name, body, extra_headers=headers or None,
                                 dry_run=True, **params)
            print_json(req.redacted(), sys.stdout)
            _note_missing(req)
            return EXIT_OK
        if getattr(args, "all", False):
            return _all_pages(client, op, body, params, headers, args)
        if getattr(args, "output", None):
            return _download(client, op, body, params, headers, args)
        resp = client.call(op.full_name, body, raise_for_status=False,
                           extra_headers=headers or None, **params)
    finally:
        client.close()
    show_response(resp, args)
    return EXIT_OK if resp.ok else EXIT_API


def _all_pages(client: Any, op: Any, body: Any, params: dict[str, Any],
               headers: dict[str, str], args: argparse.Namespace) -> int:
    """``--all``: every item of every page as JSON Lines on stdout, written as each page
    arrives; a page that fails stops with its error (the items so far are out already)."""
    from .output import render_json  # printing code only when it prints (start-up)

    for name in ("max_items", "max_pages"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
    pages = client.paginate(op.full_name, body, extra_headers=headers or None,
                            max_items=args.max_items, max_pages=args.max_pages, **params)
    out = sys.stdout
    count = 0
    for number, resp in enumerate(pages.pages(), 1):
        if getattr(args, "verbose", False):
            sys.stderr.write(f"page {number}: HTTP {resp.status_code} {resp.url}\n")
        for item in pages.pagination.items_of(resp.redacted_data()):
            if getattr(args, "filter", None) is not None:
                item = apply_filter(args.filter, item)
            out.write(render_json(item, pretty=False, color=False) + "\n")
            count += 1
            if args.max_items is not None and count >= args.max_items:
                out.flush()
                return EXIT_OK
        out.flush()
    return EXIT_OK


def _note_missing(req: Any) -> None:
    """After a dry run: every secret that had no value, at once, and how to set them."""
    missing = getattr(req, "missing_secrets", ())
    if missing:
        from ..credentials import shell_hint  # only when secrets are missing

        sys.stderr.write(f"note: not set: {', '.join(missing)} (placeholders stand in: the "
                         f"request is shown, not sendable as is). To set them:\n  "
                         f"{shell_hint(missing)}\n")


def _download(client: Any, op: Any, body: Any, params: dict[str, Any],
              headers: dict[str, str], args: argparse.Namespace) -> int:
    """``--output FILE``: the body streamed to FILE (written to ``FILE.part``, renamed when
    complete, so FILE is never half a download), with a progress bar on a terminal. An error
    answer is shown as usual and no file is written."""
    import os  # only for a download (start-up of a plain call)

    from .output import Progress  # printing code only when it prints (start-up)

    target = args.output
    resp = client.call(op.full_name, body, raise_for_status=False, stream=True,
                       extra_headers=headers or None, **params)
    with resp:
        if not resp.ok:
            show_response(resp, args)
            return EXIT_API
        size = resp.headers.get("Content-Length")
        progress = Progress(sys.stderr, int(size) if size and size.isdigit() else None) \
            if sys.stderr.isatty() else None
        if target == "-":
            sys.stdout.flush()
            for chunk in resp.iter_bytes():
                sys.stdout.buffer.write(chunk)
                if progress:
                    progress.advance(len(chunk))
            sys.stdout.buffer.flush()
        else:
            part = target + ".part"
            try:
                with open(part, "wb") as fh:
                    for chunk in resp.iter_bytes():
                        fh.write(chunk)
                        if progress:
                            progress.advance(len(chunk))
                os.replace(part, target)
            except OSError as exc:
                raise UsageError(f"--output {target}: {exc.strerror or exc}") from None
            except BaseException:
                if os.path.exists(part):
                    os.unlink(part)
                raise
        if progress:
            progress.done()
    if target != "-" or sys.stderr.isatty():
        sys.stderr.write(f"{resp.status_code} {resp.http.reason or ''}: "
                         f"{progress.total if progress else _size_of(target)} bytes written "
                         f"to {target}\n")
    return EXIT_OK


def _size_of(path: str) -> int:
    import os  # only for a download (start-up of a plain call)

    return os.path.getsize(path) if path != "-" else 0


def show_response(resp: Any, args: argparse.Namespace) -> None:
    """The response: status line (and headers with -v) on stderr, the body on stdout (an API
    error's too, so a pipe sees it; the exit code says it failed). Pretty and coloured on a
    terminal, plain JSON on a pipe."""
    # printing code only when a response is printed (start-up of a dry run)
    from .output import render, render_headers, render_json, status_line, use_color

    mode = getattr(args, "color", None) or "auto"
    fmt = getattr(args, "format", None) or "json"
    verbose = bool(getattr(args, "verbose", False))
    err_color = use_color(sys.stderr, mode)
    if not resp.ok or verbose or resp.data is None or sys.stderr.isatty():
        sys.stderr.write(status_line(resp.status_code, resp.http.reason or "",
                                     resp.operation, resp.attempts, color=err_color))
    if verbose:
        sys.stderr.write(render_headers(resp.redacted_headers(), color=err_color) + "\n")
        sent = resp.request  # the last request as sent, shown with its secrets as ***
        if sent is not None:
            sys.stderr.write(f"> {sent.method} {sent.url}\n"
                             + render_headers(sent.headers, color=err_color, prefix="> ")
                             + "\n")
    out = sys.stdout  # an API error's body too, so `| jq` sees it (the status: stderr)
    if isinstance(resp.data, bytes) and fmt != "raw":  # an image, a PDF: never on a terminal
        if out.isatty():
            sys.stderr.write(f"(binary body, {len(resp.data):,} bytes of "
                             f"{resp.headers.get('Content-Type') or 'no content type'}, not "
                             f"shown on a terminal: use --output FILE or a pipe)\n")
            return
        fmt = "raw"
    if fmt == "raw":
        out.flush()
        out.buffer.write(resp.http.content)
        out.buffer.flush()
        return
    data = resp.redacted_data()
    query = getattr(args, "filter", None)
    if query is not None and resp.ok:  # what it selects, as JSON (a string too, as jq does)
        data = apply_filter(query, data)
        if fmt == "json":
            out.write(render_json(data, pretty=out.isatty(), color=use_color(out, mode)) + "\n")
            return
    out.write(render(data, fmt, pretty=out.isatty(), color=use_color(out, mode)))


def compile_filter(expression: str) -> Any:
    """``--filter``: a JMESPath expression (https://jmespath.org, as the AWS CLI's --query),
    compiled once; a bad one is a usage error naming it."""
    import jmespath  # only with --filter (start-up)
    import jmespath.exceptions  # only with --filter (start-up)

    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as exc:
        raise UsageError(f"--filter {expression!r} is not a JMESPath expression: "
                         f"{str(exc).splitlines()[0]}") from None


def apply_filter(compiled: Any, data: Any) -> Any:
    """The part of ``data`` that ``compiled`` (from :func:`compile_filter`) selects."""
    import jmespath.exceptions  # only with --filter (start-up)

    try:
        return compiled.search(data)
    except jmespath.exceptions.JMESPathError as exc:
        raise UsageError(f"--filter: {exc}") from None


def _cmd_batch(client: Any, op: Any, args: argparse.Namespace, body: Any,
               params: dict[str, Any], headers: dict[str, str]) -> int:
    from ..batch import (  # the batch engine only for --batch
        BATCH_GC_THRESHOLD,
        BatchOptions,
        parse_rate,
        run_batch,
    )

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
                        in_doubt=args.in_doubt, params=params, headers=headers,
                        gc_threshold=BATCH_GC_THRESHOLD)
    if getattr(args, "dask", None):
        if not args.out:
            raise UsageError("--dask needs --out FILE (on a filesystem every worker sees)")
        if args.partitions is not None and args.partitions < 1:
            raise UsageError("--partitions must be at least 1")
        try:
            from ..batch_dask import run_batch_dask  # only for --dask (start-up)
        except ImportError:
            raise UsageError("--dask needs Dask: pip install 'specclient[dask]'") from None
        kwargs = {"spec_dirs": list(args.specs or ()), **_client_kwargs(args)}
        if getattr(args, "profile", None):
            kwargs["profile"] = args.profile
        summary = run_batch_dask(op.full_name, args.batch, opts, scheduler=args.dask,
                                 client_kwargs=kwargs, partitions=args.partitions)
        sys.stderr.write(summary.describe() + "\n")
        return EXIT_OK if summary.failed == 0 and summary.in_doubt == 0 else EXIT_API
    progress = sys.stderr if sys.stderr.isatty() else None
    summary = run_batch(client, op.full_name, args.batch, opts, progress=progress)
    sys.stderr.write(summary.describe() + "\n")
    if summary.interrupted:
        return 130
    return EXIT_OK if summary.failed == 0 and summary.in_doubt == 0 else EXIT_API
