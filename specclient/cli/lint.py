"""``specclient lint [DIR]...``: check spec folders and list every problem (file:line: message).

Exit status 0 when clean (with a one-line summary on stderr), 2 when any problem is found.
With no DIR it checks the folders given by ``--specs`` / ``SPECCLIENT_SPECS``, or else the
bundled specs.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..spec.catalog import bundled_specs_dir
from .common import EXIT_OK, EXIT_USAGE, add_command

__all__ = ["register", "cmd_lint"]


def register(subparsers: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> None:
    """Add ``lint``; its option strings go into ``options['lint']``."""
    p = add_command(
        subparsers, options, "lint", parents=[common],
        help="check spec folders; list every problem as file:line: message",
        description="Load every service and operation in each folder (refs, auth and signing "
                    "references, schemas, examples) and list every problem. Exit 0 when clean, "
                    "2 otherwise.")
    p.add_argument("dirs", nargs="*", metavar="DIR",
                   help="a spec folder, or one service folder (default: --specs folders, "
                        "SPECCLIENT_SPECS, else the bundled specs)")
    p.set_defaults(func=cmd_lint)


def cmd_lint(args: argparse.Namespace) -> int:
    from ..spec.lint import lint_report  # the linter only for the lint command

    dirs = list(args.dirs or [])
    if not dirs:
        env = [d for d in os.environ.get("SPECCLIENT_SPECS", "").split(os.pathsep) if d]
        dirs = env + list(args.specs or [])
    elif args.specs:
        dirs += list(args.specs)
    if not dirs:
        dirs = [bundled_specs_dir()]
    report = lint_report(dirs)
    for problem in report.problems:
        sys.stdout.write(f"{problem}\n")
    n = len(report.problems)
    summary = (f"{report.services} service{'s' if report.services != 1 else ''}, "
               f"{report.operations} operation{'s' if report.operations != 1 else ''}, "
               f"{report.files} file{'s' if report.files != 1 else ''} checked")
    if n:
        sys.stderr.write(f"{n} problem{'s' if n != 1 else ''} ({summary})\n")
        return EXIT_USAGE
    sys.stderr.write(f"ok: {summary}; no problems\n")
    return EXIT_OK
