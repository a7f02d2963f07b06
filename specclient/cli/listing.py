"""``specclient list``: every operation, with its service and summary."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import SpecError
from .common import EXIT_OK, EXIT_USAGE, add_command, client_from_args

__all__ = ["register", "cmd_list"]


def register(subparsers: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> None:
    """Add ``list``; its option strings go into ``options['list']``."""
    p = add_command(subparsers, options, "list", parents=[common], help="list every operation")
    p.add_argument("--names-only", action="store_true", help="names only, one per line")
    p.set_defaults(func=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    client = client_from_args(args)
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
