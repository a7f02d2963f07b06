"""``specclient import`` and ``specclient export-openapi``: OpenAPI in and out (thin CLI glue
over :mod:`specclient.openapi`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import UsageError, add_command

__all__ = ["register", "summarise", "fetch_document"]


def register(sub: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> None:
    """Add ``import`` and ``export-openapi``; their option strings go into ``options``."""
    p = add_command(
        sub, options, "import", parents=[common],
        help="convert an OpenAPI 3.0/3.1 or Swagger 2.0 document into a service folder",
        description="Convert an OpenAPI 3.0/3.1 or Swagger 2.0 document (YAML or JSON) into "
                    "the service folder OUT/NAME. Whatever cannot be carried over is a warning "
                    "on stderr (file:line: #/json/pointer: what); exit 0 when the folder was "
                    "written.")
    p.add_argument("file", metavar="FILE|URL",
                   help="the document: a file, or an http(s) URL to fetch it from")
    p.add_argument("--verbose", action="store_true",
                   help="list every warning (default: a count per kind, with an example each)")
    p.add_argument("--service", required=True, metavar="NAME",
                   help="the service name (and folder name)")
    p.add_argument("--out", default=".", metavar="DIR",
                   help="the spec folder to write NAME/ into (default: .)")
    p.add_argument("--only", action="append", metavar="OPERATION_ID_OR_TAG",
                   help="import only operations with this operationId, name or tag "
                        "(repeatable)")
    p.add_argument("--force", action="store_true",
                   help="replace the spec files of an existing service folder")
    p.set_defaults(func=cmd_import)

    p = add_command(
        sub, options, "export-openapi", parents=[common],
        help="write a service out as an OpenAPI 3.1 document",
        description="Write service NAME as an OpenAPI 3.1 document (YAML; JSON when FILE "
                    "ends in .json). What OpenAPI cannot say (secret names, signing rules, "
                    "aliases, retries) travels in x-specclient extensions, so that "
                    "`specclient import` reads it back unchanged.")
    p.add_argument("name", metavar="NAME")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    p.set_defaults(func=cmd_export)


def cmd_import(args: argparse.Namespace) -> int:
    # the OpenAPI importer/exporter only for the import/export commands
    from ..openapi import import_openapi

    source = args.file
    if source.lower().startswith(("http://", "https://")):
        result = import_openapi(fetch_document(source), args.service, only=args.only or (),
                                file=source)
    else:
        result = import_openapi(source, args.service, only=args.only or ())
    if args.verbose:
        for warning in result.warnings:
            sys.stderr.write(f"warning: {warning}\n")
    else:
        sys.stderr.write(summarise(result.warnings))
    try:
        folder = result.write(args.out, force=args.force)
    except FileExistsError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    n = len(result.operations)
    sys.stderr.write(f"imported {n} operation{'s' if n != 1 else ''} into {folder} "
                     f"({len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''})"
                     f"\n")
    return 0


#: The largest document fetched from a URL (GitHub's description is ~11 MB).
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024


def fetch_document(url: str, timeout: float = 30.0) -> dict[str, Any]:
    """The OpenAPI document at ``url`` (JSON or YAML), read within a size bound and a timeout;
    a failure is a :class:`UsageError` naming the URL."""
    import requests  # only to import from a URL

    from ..openapi.common import parse_document  # the importer only for import (start-up)

    try:
        with requests.get(url, timeout=timeout, stream=True,
                          headers={"Accept": "application/json, application/yaml, */*"}) as r:
            if r.status_code >= 400:
                raise UsageError(f"{url}: HTTP {r.status_code} {r.reason or ''}".rstrip())
            chunks, total = [], 0
            for chunk in r.iter_content(1 << 16):
                total += len(chunk)
                if total > MAX_DOCUMENT_BYTES:
                    raise UsageError(f"{url}: larger than {MAX_DOCUMENT_BYTES:,} bytes; "
                                     f"download it and import the file")
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise UsageError(f"{url}: could not be fetched ({type(exc).__name__})") from None
    return parse_document(b"".join(chunks), url)


def _kind(message: str) -> str:
    """A warning's kind: its message with the quoted names and numbers taken out."""
    import re  # only when warnings are summarised

    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "…", message)
    while True:  # what is inside brackets is this warning's own detail
        shorter = re.sub(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}", "…", text)
        if shorter == text:
            break
        text = shorter
    text = re.sub(r" at \S+", " at …", text)
    text = re.sub(r"\b\d+\b", "N", text)
    return re.sub(r"…(\W*…)+", "…", text)


def summarise(warnings: list[Any], examples: int = 1) -> str:
    """Warnings counted by kind, most frequent first, each with an example (``--verbose``
    lists them all)."""
    if not warnings:
        return ""
    kinds: dict[str, list[Any]] = {}
    for w in warnings:
        kinds.setdefault(_kind(w.message), []).append(w)
    lines = [f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} of "
             f"{len(kinds)} kind{'s' if len(kinds) != 1 else ''} (--verbose lists each):"]
    for kind, items in sorted(kinds.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"  {len(items):5d} x {kind}")
        for w in items[:examples]:
            lines.append(f"          e.g. {w}")
    return "\n".join(lines) + "\n"


def cmd_export(args: argparse.Namespace) -> int:
    from ..openapi import (  # the OpenAPI importer/exporter only for the import/export commands
        export_openapi,
        openapi_text,
    )

    doc, warnings = export_openapi(args.name, spec_dirs=args.specs or ())
    for warning in warnings:
        sys.stderr.write(f"warning: {warning}\n")
    as_json = bool(args.output and args.output.lower().endswith(".json"))
    text = openapi_text(doc, as_json=as_json)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0
