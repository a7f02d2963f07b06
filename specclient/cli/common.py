"""What every command shares: exit codes, the usage error, building the client from the
command line, printing JSON, and recording the options a parser takes (so that completion and
``call``'s per-operation options never read argparse's internals)."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

__all__ = ["EXIT_OK", "EXIT_API", "EXIT_USAGE", "EXIT_TRANSPORT", "EXIT_CODES_TEXT",
           "UsageError", "add_command", "client_from_args", "print_json", "Recorder",
           "COMMON_OPTIONS", "common_options"]

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_TRANSPORT = 0, 1, 2, 3

class UsageError(Exception):
    """A command-line argument is wrong (exit code 2)."""


EXIT_CODES_TEXT = """exit codes:
  0  success (2xx)
  1  the API answered with an error (4xx/5xx), or a redirect not followed;
     in a batch: some lines failed
  2  usage, spec or validation error (nothing was sent)
  3  transport error: no response (timeout, connection refused, DNS)
  130 interrupted (Ctrl-C)"""


#: Options every subcommand takes (from the common parent parser), and argparse's own help.
COMMON_OPTIONS = frozenset({"--specs", "--profile", "-h", "--help"})


def common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Options every command takes, before or after the subcommand. The subcommands' copies
    default to SUPPRESS, so that they do not overwrite a value given before the subcommand; the
    top-level ``--specs`` has its own dest and :func:`main` joins both lists."""
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--specs", action="append", metavar="DIR", default=default,
                        dest="specs_before" if top else "specs",
                        help="another spec folder (repeatable); also SPECCLIENT_SPECS")
    parser.add_argument("--profile", metavar="NAME", default=default,
                        help="the credentials file's profile (default: SPECCLIENT_PROFILE, "
                             "else 'default')")


class Recorder:
    """A parser or argument group that records the option strings of every argument added
    through it into ``taken`` (argparse keeps them only in private attributes)."""

    def __init__(self, container: Any, taken: set[str]):
        self.container = container
        self.taken = taken

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = self.container.add_argument(*args, **kwargs)
        self.taken.update(action.option_strings)
        return action

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Recorder:
        return Recorder(self.container.add_argument_group(*args, **kwargs), self.taken)

    def set_defaults(self, **kwargs: Any) -> None:
        self.container.set_defaults(**kwargs)


def add_command(subparsers: Any, options: dict[str, set[str]], name: str,
                **parser_kwargs: Any) -> Recorder:
    """Add subcommand ``name`` (``parser_kwargs`` go to ``add_parser``) and return it as a
    :class:`Recorder` whose option strings go into ``options[name]`` (with the common ones
    when it takes the common options as ``parents``)."""
    taken = options.setdefault(
        name, set(COMMON_OPTIONS) if parser_kwargs.get("parents") else {"-h", "--help"})
    return Recorder(subparsers.add_parser(name, **parser_kwargs), taken)


def client_from_args(args: argparse.Namespace, **kw: Any) -> Any:
    """The :class:`specclient.Client` the command line asks for."""

    if getattr(args, "mock", False):
        kw["mock"] = True
    if getattr(args, "profile", None):
        kw.setdefault("profile", args.profile)
    from ..client import Client  # the client (and requests) only once a command needs them

    return Client(spec_dirs=args.specs or (), **kw)


def print_json(value: Any, out: TextIO) -> None:
    """``value`` as JSON: indented on a terminal, one line otherwise."""
    pretty = out.isatty()
    out.write(json.dumps(value, indent=2 if pretty else None, ensure_ascii=False) + "\n")


def shell_text(exc: BaseException) -> str:
    """An error as the shell says it: options (``--pet-id VALUE``) rather than keywords, and
    values in violations written as JSON (``true``, ``{"k": [1, 2]}``)."""
    shell = getattr(exc, "shell", None)
    if isinstance(shell, str):
        return shell
    violations = getattr(exc, "violations", None)
    if violations and any(getattr(v, "as_json", "") for v in violations):
        text = str(exc)
        for v in violations:
            if v.as_json:
                text = text.replace(f"  - {v.path}: {v.message}", f"  - {v.path}: {v.as_json}")
        return text
    return str(exc)
