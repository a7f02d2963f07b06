"""``specclient schema``: the JSON Schema of the spec format (for editors)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import EXIT_OK, add_command

__all__ = ["register", "cmd_schema"]


def register(subparsers: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> None:
    """Add ``schema``; its option strings go into ``options['schema']``."""
    p = add_command(subparsers, options, "schema", parents=[common],
                    help="print the JSON Schema of the spec format "
                         "(for editors)")
    p.set_defaults(func=cmd_schema)


def cmd_schema(args: argparse.Namespace) -> int:
    # the format schema only for the schema command
    from ..spec.format_schema import format_schema

    sys.stdout.write(json.dumps(format_schema(), indent=2) + "\n")
    return EXIT_OK
