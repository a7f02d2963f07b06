"""``specclient verify``: check an incoming webhook against an operation's signing rule.

    specclient verify ingram.order_status_event \\
        --header 'x-hub-signature: 7Q...==' --body @event.json

Prints the decoded body (JSON) and exits 0 when the signature is good; prints
``not verified: <reason>`` to stderr and exits 4 when it is not (missing, malformed or
mismatched signature, stale timestamp, or a body that breaks the schema). Other failures keep
the usual codes (2: usage, spec or missing secret). Secrets come from the environment or the
credentials file (``--profile``), never from the command line.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import WebhookVerificationError
from .common import (
    EXIT_OK,
    UsageError,
    add_command,
    client_from_args,
    print_json,
)

EXIT_NOT_VERIFIED = 4

__all__ = ["register", "EXIT_NOT_VERIFIED"]


def register(subparsers: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> None:
    """Add ``verify``; its option strings go into ``options['verify']``."""
    p = add_command(
        subparsers, options, "verify", parents=[common],
        help="verify an incoming webhook's signature (exit 0 and print its body, or exit 4)",
        description="Verify an incoming webhook against operation NAME's signing rule. "
                    "Exit 0 and print the decoded body if it verifies; exit 4 with the "
                    "reason if not.")
    p.add_argument("name")
    p.add_argument("--header", "-H", action="append", default=[], metavar="'NAME: VALUE'",
                   help="a header as received (repeatable)")
    p.add_argument("--body", required=True, metavar="@FILE|-|TEXT",
                   help="the raw body received: @file, - for stdin, or the text itself")
    p.add_argument("--url", metavar="URL", help="the URL it was received at (for rules that "
                                                "sign the path or query)")
    p.add_argument("--method", metavar="METHOD", help="its HTTP method (default: the "
                                                      "operation's)")
    p.add_argument("--tolerance", type=float, metavar="SECONDS",
                   help="how far a signed timestamp may be from now (default: the rule's, "
                        "else 300)")
    p.add_argument("--now", type=float, metavar="UNIX_SECONDS",
                   help="check the timestamp against this time instead of the clock")
    p.set_defaults(func=cmd_verify)


def _raw_body(spec: str) -> bytes:
    if spec == "-":
        return sys.stdin.buffer.read()
    if spec.startswith("@"):
        try:
            with open(spec[1:], "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise UsageError(f"--body {spec}: {exc.strerror}") from None
    return spec.encode("utf-8")


def cmd_verify(args: argparse.Namespace) -> int:

    headers: list[tuple[str, str]] = []
    for item in args.header:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--header {item!r}: expected 'Name: value'")
        headers.append((name.strip(), value.strip()))
    body = _raw_body(args.body)
    client = client_from_args(args)
    try:
        data = client.verify_webhook(args.name, headers, body, tolerance=args.tolerance,
                                     now=args.now, url=args.url, method=args.method)
    except WebhookVerificationError as exc:
        sys.stderr.write(f"not verified: {exc}\n")
        return EXIT_NOT_VERIFIED
    finally:
        client.close()
    if isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    elif isinstance(data, str):
        sys.stdout.write(data)
    else:
        print_json(data, sys.stdout)
    return EXIT_OK
