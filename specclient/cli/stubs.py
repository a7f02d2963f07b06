"""``specclient stubs --out DIR``: a typed facade for the specs (see :mod:`specclient.stubs`),
written as the package folder DIR."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_OK, UsageError, add_command, client_from_args

__all__ = ["register", "cmd_stubs"]


def register(subparsers: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> None:
    """Add ``stubs``; its option strings go into ``options['stubs']``."""
    p = add_command(subparsers, options, "stubs", parents=[common],
                    help="write a typed facade (TypedDicts, a typed method per operation) "
                         "for mypy and editors")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="the package folder to write (its name is the import name)")
    p.add_argument("--no-bundled", action="store_true",
                   help="leave out the bundled specs (type only --specs folders)")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="only these operations (default: every operation)")
    p.set_defaults(func=cmd_stubs)


def cmd_stubs(args: argparse.Namespace) -> int:
    from ..stubs import render, write_package  # the generator only for this command (start-up)

    client = client_from_args(args, include_bundled=not args.no_bundled)
    source = render(client.catalog, args.names or None)
    try:
        written = write_package(source, args.out)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from None
    sys.stderr.write(f"wrote {written[0]}\n")
    return EXIT_OK
