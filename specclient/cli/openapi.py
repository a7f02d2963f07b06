"""``specclient import`` and ``specclient export-openapi``: OpenAPI in and out (thin CLI glue
over :mod:`specclient.openapi`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import add_command

__all__ = ["register"]


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
    p.add_argument("file", metavar="FILE")
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

    result = import_openapi(args.file, args.service, only=args.only or ())
    for warning in result.warnings:
        sys.stderr.write(f"warning: {warning}\n")
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
