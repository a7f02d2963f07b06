"""``specclient mock``: the built-in mock as a real HTTP server on a loopback address.

Like Stoplight Prism: every loaded operation (and every OAuth2 token URL) is served from its
spec, so curl, a client in any language, or ``specclient call NAME --base-url URL`` can be
pointed at it. One line per request goes to stderr with its verdict.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any

from ..credentials import Credentials
from .common import add_command

__all__ = ["register", "cmd_mock", "DEFAULT_PORT"]

#: Prism's default port, so habits carry over.
DEFAULT_PORT = 4010


def register(subparsers: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> None:
    """Add the ``mock`` subcommand; its option strings go into ``options['mock']``."""
    p = add_command(
        subparsers, options, "mock", parents=[common],
        help="serve every operation from its spec as an HTTP mock server (like Prism)",
        description="Serve the built-in mock on HOST:PORT. Requests are checked against their "
                    "operation (route, auth, signature, parameters, body schema) and answered "
                    "with the spec's example, or one generated from the response schema. "
                    "OAuth2 token URLs are served too. Secrets are compared against the "
                    "configured ones (environment, credentials file) when set, else only their "
                    "presence is checked; signatures are verified with the configured secret, "
                    "or the demo value (demo-<name>) when there is none.")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.set_defaults(func=cmd_mock)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def cmd_mock(args: argparse.Namespace) -> int:
    """Run the mock server until Ctrl-C."""
    from ..client import Client  # the client (and the mock) only when the mock command runs
    from ..mock import MockApp, MockServer  # the mock server only for the mock command

    catalog = Client(spec_dirs=args.specs or ()).catalog
    app = MockApp(catalog, Credentials(profile=getattr(args, "profile", None)))
    operations = app.operations()  # loads every spec now: a bad one fails here, with its line
    try:
        server = MockServer(app, args.host, args.port, log=sys.stderr)
    except OSError as exc:
        sys.stderr.write(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}\n")
        return 2
    for op in operations:
        sys.stderr.write(f"  {op.method:<6} {op.path}  {op.full_name}\n")
    for ep in app.routes().tokens:
        sys.stderr.write(f"  POST   {ep.path}  {ep.label}\n")
    sys.stdout.write(f"specclient mock listening on {server.url}\n")
    sys.stdout.flush()
    if threading.current_thread() is threading.main_thread():  # `kill` stops it like Ctrl-C
        import signal  # only when the mock serves (start-up of other commands)

        signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.stderr.write("stopped\n")
    finally:
        server.httpd.server_close()
    return 0
