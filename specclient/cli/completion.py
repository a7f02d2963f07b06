"""``specclient completion bash|zsh|fish``: shell completion of commands, options and
operation names (operation names come from ``specclient list --names-only`` when you press
Tab, so they follow your spec folders and ``SPECCLIENT_SPECS``).

Install with one command::

    echo 'eval "$(specclient completion bash)"' >> ~/.bashrc
    echo 'eval "$(specclient completion zsh)"' >> ~/.zshrc        # after compinit
    specclient completion fish > ~/.config/fish/completions/specclient.fish
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import add_command

__all__ = ["register", "script", "SHELLS"]

SHELLS = ("bash", "zsh", "fish")
#: Subcommands whose first argument is an operation name.
OPERATION_COMMANDS = ("call", "describe", "verify")


def _bash(commands: list[str], options: dict[str, list[str]]) -> str:
    cases = "\n".join(f'        {c}) opts="{" ".join(o)}" ;;' for c, o in options.items())
    return f"""# specclient completion for bash. Install: eval "$(specclient completion bash)"
_specclient() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" cmd="" pos=0 i opts=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            --specs) ((i++)) ;;
            -*) ;;
            *) if [[ -z "$cmd" ]]; then cmd="${{COMP_WORDS[i]}}"; else ((pos++)); fi ;;
        esac
    done
    if [[ -z "$cmd" ]]; then
        COMPREPLY=($(compgen -W "{' '.join(commands)} --specs --version --help" -- "$cur"))
        return
    fi
    case "$cmd" in
{cases}
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
    elif [[ $pos -eq 0 && " {' '.join(OPERATION_COMMANDS)} " == *" $cmd "* ]]; then
        COMPREPLY=($(compgen -W "$(specclient list --names-only 2>/dev/null)" -- "$cur"))
    elif [[ "$cmd" == completion && $pos -eq 0 ]]; then
        COMPREPLY=($(compgen -W "{' '.join(SHELLS)}" -- "$cur"))
    fi
}}
complete -o default -F _specclient specclient
"""


def _zsh(commands: list[str], options: dict[str, list[str]]) -> str:
    cases = "\n".join(f"    {c}) opts=({' '.join(o)}) ;;" for c, o in options.items())
    ops = "|".join(OPERATION_COMMANDS)
    return f"""#compdef specclient
# specclient completion for zsh. Install (after compinit): eval "$(specclient completion zsh)"
_specclient() {{
  local cmd="" i pos=0
  local -a opts
  for ((i = 2; i < CURRENT; i++)); do
    case "${{words[i]}}" in
      --specs) ((i++)) ;;
      -*) ;;
      *) if [[ -z "$cmd" ]]; then cmd="${{words[i]}}"; else ((pos++)); fi ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    compadd -- {' '.join(commands)}
    return
  fi
  case "$cmd" in
{cases}
  esac
  if [[ "$PREFIX" == -* ]]; then
    compadd -- $opts --help
  elif (( pos == 0 )) && [[ "$cmd" == ({ops}) ]]; then
    compadd -- ${{(f)"$(specclient list --names-only 2>/dev/null)"}}
  elif (( pos == 0 )) && [[ "$cmd" == completion ]]; then
    compadd -- {' '.join(SHELLS)}
  else
    _files
  fi
}}
compdef _specclient specclient
"""


def _fish(commands: list[str], options: dict[str, list[str]]) -> str:
    lines = [
        "# specclient completion for fish. Install:",
        "#   specclient completion fish > ~/.config/fish/completions/specclient.fish",
        "complete -c specclient -f",
        f"complete -c specclient -n __fish_use_subcommand -a '{' '.join(commands)}'",
        "complete -c specclient -n '__fish_seen_subcommand_from "
        f"{' '.join(OPERATION_COMMANDS)}' -a '(specclient list --names-only 2>/dev/null)'",
        "complete -c specclient -n '__fish_seen_subcommand_from completion' "
        f"-a '{' '.join(SHELLS)}'",
    ]
    for c, opts in options.items():
        for o in opts:
            lines.append(f"complete -c specclient -n '__fish_seen_subcommand_from {c}' "
                         f"-l {o[2:]}")
    return "\n".join(lines) + "\n"


def script(shell: str, options: dict[str, list[str]]) -> str:
    """The completion script for ``shell`` (bash, zsh or fish), for the commands and the
    ``--`` options of each that ``options`` gives (see
    :func:`specclient.cli.main.command_options`)."""
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](list(options), options)


def cmd_completion(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell, args.command_options))
    return 0


def register(subparsers: Any, common: argparse.ArgumentParser,
             options: dict[str, set[str]]) -> None:
    """Add ``completion`` (it takes no spec options)."""
    p = add_command(
        subparsers, options, "completion", help="print a shell completion script (bash, zsh, fish)",
        description="Tab-completes commands, options and operation names. Install with one "
                    "command: echo 'eval \"$(specclient completion bash)\"' >> ~/.bashrc "
                    "(zsh: the same with zsh and ~/.zshrc; fish: specclient completion fish "
                    "> ~/.config/fish/completions/specclient.fish)")
    p.add_argument("shell", choices=SHELLS)
    p.set_defaults(func=cmd_completion)
