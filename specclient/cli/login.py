"""``specclient login SERVICE``: the OAuth2 authorization-code login (PKCE, a loopback
redirect on 127.0.0.1), its tokens kept on disk for later calls (see
:mod:`specclient.auth.oauth2_code`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import AuthError
from .common import EXIT_OK, UsageError, add_command, client_from_args

__all__ = ["register", "cmd_login"]


def register(subparsers: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> None:
    """Add ``login``; its option strings go into ``options['login']``."""
    p = add_command(subparsers, options, "login", parents=[common],
                    help="log in to a service with OAuth2 (authorization code, PKCE) and keep "
                         "its tokens for later calls")
    p.add_argument("service", metavar="SERVICE")
    p.add_argument("--scheme", metavar="NAME", help="the auth scheme (when it has several)")
    p.add_argument("--no-browser", action="store_true",
                   help="print the URL to open instead of opening a browser")
    p.add_argument("--wait", type=float, default=300.0, metavar="SECONDS",
                   help="how long to wait for the redirect (default 300)")
    p.set_defaults(func=cmd_login)


def cmd_login(args: argparse.Namespace) -> int:
    client = client_from_args(args)
    try:
        client.login(args.service, args.scheme, open_browser=not args.no_browser,
                     show=lambda text: print(text, file=sys.stderr, flush=True),
                     wait=args.wait)
    except AuthError as exc:
        raise UsageError(str(exc)) from None
    sys.stderr.write(f"logged in to {args.service}\n")
    return EXIT_OK
