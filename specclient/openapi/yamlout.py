"""Deterministic, readable YAML output for generated spec files.

Block style, keys in the order the generator built them (it builds them in a fixed order),
multi-line text as ``|`` blocks, no aliases, no line folding; the same input always gives the
same bytes.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["dump_yaml", "plain"]


# libyaml's emitter is ~10x faster than the pure-Python one; the output is the same YAML.
_Base: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: Any, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        text = "\n".join(line.rstrip() for line in value.split("\n"))
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def plain(value: Any) -> Any:
    """``value`` as plain dicts and lists (the YAML loader's line-annotated subclasses and
    tuples converted), so that it can be dumped and compared."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def dump_yaml(data: Any, header: str | None = None) -> str:
    """``data`` as YAML text, optionally after a comment line (e.g. the schema hint)."""
    text = yaml.dump(plain(data), Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=100_000, indent=2)
    return (f"# {header}\n" if header else "") + text
