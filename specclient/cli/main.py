"""The ``specclient`` command: a thin layer over :class:`specclient.Client`. This module only
assembles the parser from the command modules (one per command: ``listing``, ``describe``,
``call``, ``schema``, ``verify``, ``lint``, ``mock``, ``openapi``, ``stubs``,
``completion``) and maps
errors to exit codes.

Exit codes: 0 success; 1 the API answered 3xx (not followed) / 4xx / 5xx; 2 usage, spec or
validation error; 3 transport error (timeout, connection); 4 a webhook did not verify
(``verify``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ..credentials import shell_hint
from ..errors import (
    ApiError,
    MissingCredentialError,
    ResponseDecodeError,
    SpecClientError,
    TransportError,
)
from ..version import __version__
from . import call, completion, describe, lint, listing, login, mock, openapi, schema, stubs, verify
from .common import (
    EXIT_API,
    EXIT_CODES_TEXT,
    EXIT_OK,
    EXIT_TRANSPORT,
    EXIT_USAGE,
    UsageError,
    common_options,
    shell_text,
)

__all__ = ["main", "build_parser", "parse_args", "command_options"]

#: The command modules, in the order ``--help`` lists them. Each has ``register(subparsers,
#: common_parent, taken)`` and keeps its heavy imports inside its handler (fast start-up).
COMMANDS = (listing, describe, call, schema, verify, lint, mock, openapi, stubs, login,
            completion)


#: Which module registers each command (``import`` and ``export-openapi`` share one).
COMMAND_MODULES = {"list": listing, "describe": describe, "call": call, "schema": schema,
                   "verify": verify, "lint": lint, "mock": mock, "import": openapi,
                   "export-openapi": openapi, "stubs": stubs, "login": login,
                   "completion": completion}


def build_parser(options: dict[str, list[str]] | None = None,
                 parsers: dict[str, argparse.ArgumentParser] | None = None,
                 only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line. ``options`` (if given) gets each command's ``--`` options
    (for completion) and ``parsers`` the ``call`` parser (parsed again once the operation is
    known). ``only``: build that command's parser alone (the one being run: argparse costs
    ~0.3 ms a command, most of it looking for translations)."""
    common = argparse.ArgumentParser(add_help=False)
    common_options(common, top=False)
    parser = argparse.ArgumentParser(
        prog="specclient", description="Call web APIs by name, from operations declared in YAML.",
        epilog=EXIT_CODES_TEXT, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_options(parser, top=True)
    parser.add_argument("--version", action="version", version=f"specclient {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    taken: dict[str, set[str]] = {}
    for module in COMMANDS:
        if only is not None and module is not COMMAND_MODULES[only]:
            continue
        made = module.register(sub, common, taken)
        if module is call and parsers is not None:
            parsers["call"] = made
    if options is not None:
        options.update({name: sorted(o for o in opts if o.startswith("--"))
                        for name, opts in taken.items()})
    return parser


def command_options() -> dict[str, list[str]]:
    """Each command's ``--`` options, in the order ``--help`` lists the commands."""
    options: dict[str, list[str]] = {}
    build_parser(options)
    return options


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None,
               parsers: dict[str, argparse.ArgumentParser] | None = None,
               ) -> argparse.Namespace:
    """Parse the command line. ``call``'s arguments are parsed again once the operation is
    known (its parameters become ``--name`` options), so here unknown options are kept."""
    argv = list(sys.argv[1:] if argv is None else argv)
    without_help = _help_after_name(argv)
    if without_help is not None:
        argv = without_help
    args, extras = parser.parse_known_args(argv)
    args.call_help = without_help is not None
    if getattr(args, "command", None) != "call":
        if extras:
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        return args
    i = 0
    while i < len(argv) and argv[i] != "call":
        i += 2 if argv[i] in ("--specs", "--profile") else 1
    args.call_argv = argv[i + 1:]
    args.call_parser = (parsers or {}).get("call")
    return args


def _help_after_name(argv: list[str]) -> list[str] | None:
    """``call NAME --help``: argv without the help flag (help is then printed with NAME's
    parameters as options), or None when there is no help flag or no NAME before it."""
    try:
        i = argv.index("call")
    except ValueError:
        return None
    rest = argv[i + 1:]
    flags = [a for a in rest if a in ("-h", "--help")]
    if not flags or not rest or rest[0].startswith("-"):
        return None
    return argv[:i + 1] + [a for a in rest if a not in ("-h", "--help")]


def _command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, when that is plain from the words before it (the global
    options take a value each); None for help, completion, or anything unclear."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in ("--specs", "--profile"):
            i += 2
            continue
        if word.startswith("--specs=") or word.startswith("--profile="):
            i += 1
            continue
        if word in COMMAND_MODULES and word != "completion":
            return word
        return None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    options: dict[str, list[str]] = {}
    parsers: dict[str, argparse.ArgumentParser] = {}
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(options, parsers, only=_command_in(argv))
    args = parse_args(parser, argv, parsers)
    args.command_options = options  # for completion
    args.specs = (args.specs_before or []) + (getattr(args, "specs", None) or [])
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except TransportError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_TRANSPORT
    except (ApiError, ResponseDecodeError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_API
    except (SpecClientError, UsageError) as exc:  # spec, validation, argument, auth
        sys.stderr.write(f"error: {shell_text(exc)}\n")
        if isinstance(exc, MissingCredentialError):  # the shell's way to set them
            sys.stderr.write(f"  {shell_hint(exc.names)}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
