"""Safe YAML loading that remembers where every value came from.

Mappings load as :class:`YamlMap` and sequences as :class:`YamlList`: plain ``dict`` / ``list``
subclasses that also carry the line of the node and of each key / item, so that any later check
can point a person at ``file:line``. Only YAML's safe subset is accepted (no object
construction), and duplicate keys in one mapping are refused.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..errors import SpecError
from . import parsecache
from .lines import YamlList, YamlMap

if TYPE_CHECKING:  # pragma: no cover
    import yaml

__all__ = ["YamlMap", "YamlList", "load_yaml", "line_of"]


_LOADER: Any = None


def _loader_class() -> Any:
    """The safe loader with our constructors, made on first use: PyYAML is imported only when
    a file is actually parsed (a warm start reads parsed files from the cache instead)."""
    global _LOADER
    if _LOADER is None:
        import yaml  # PyYAML only when a YAML file is read or written (start-up)

        # libyaml's parser is ~10x faster; the constructor stays Python so we keep our hooks.
        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loader = type("_Loader", (base,), {})
        loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                               _construct_mapping)
        loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                               _construct_sequence)
        # An unquoted date (`2023-01-17T00:00:00Z`) stays the text it is, as JSON has it:
        # specs and OpenAPI documents are JSON data written as YAML, where a timestamp type
        # would fail every `type: string` schema and every JSON encoder.
        loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)
        _LOADER = loader
    return _LOADER


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> YamlMap:
    result = YamlMap()
    result.line = node.start_mark.line + 1
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as exc:
            raise SpecError.at(
                loader.name, key_node.start_mark.line + 1, "a mapping key must be a plain value"
            ) from exc
        if key in result:
            raise SpecError.at(
                loader.name,
                key_node.start_mark.line + 1,
                f"duplicate key {key!r} (first at line {result.key_lines[key]})",
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_text(loader: Any, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> YamlList:
    result = YamlList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def load_yaml(path: str | os.PathLike[str], *, keep: bool = True) -> Any:
    """Load one YAML file safely, with line information; raise :class:`SpecError` on any fault.

    An unchanged file parsed before comes from the parsed-file cache
    (:mod:`specclient.spec.parsecache`), the same values with the same lines. ``keep=False``: do
    not add this file to that cache (building the index reads every operation file once; only
    the files calls load are worth keeping)."""
    path = os.fspath(path)
    try:
        st = os.stat(path)  # before reading, so a change made meanwhile is not trusted
        cached = parsecache.load(path, st)
        if cached is not parsecache.MISS:
            return cached
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise SpecError.at(path, None, "file not found") from None
    except OSError as exc:
        raise SpecError.at(path, None, f"cannot read file: {exc.strerror}") from None
    value = loads_yaml(data, path)
    if keep:
        parsecache.store(path, st, value)
    return value


def loads_yaml(data: bytes | str, name: str = "<string>") -> Any:
    """Parse YAML text (safe subset, line-annotated); ``name`` is used in error messages."""
    import yaml  # PyYAML only when a YAML file is read or written (start-up)

    loader = _loader_class()(data)
    loader.name = name
    try:
        result = loader.get_single_data()
        _check_expanded_size(result, name, len(data))
        return result
    except SpecError:
        raise
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or "cannot construct this value"
        if "constructor for the tag" in what:
            what = (f"{what.replace('could not determine a constructor for the', 'the')} is "
                    f"not allowed: specs are plain YAML (no object construction)")
        raise SpecError.at(name, line, what) from None
    except yaml.reader.ReaderError as exc:
        raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
        line = raw[:exc.position].count(b"\n") + 1
        raise SpecError.at(name, line, f"not valid text ({exc.reason}, byte "
                                       f"{exc.position}); save the file as UTF-8") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        raise SpecError.at(name, line, f"YAML syntax error: {what}") from None
    except yaml.YAMLError as exc:
        raise SpecError.at(name, None, f"YAML error: {exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise SpecError.at(name, None, f"cannot decode YAML: {exc}") from None
    except RecursionError:
        raise SpecError.at(name, None, "YAML nested too deeply to load") from None
    finally:
        loader.dispose()


#: A file may expand (aliases followed) to at most this many values per byte of its text (and
#: never more than MAX_EXPANDED_NODES): plain YAML holds well under one value per byte, so real
#: specs (even ones that share parts through aliases) stay far below, and a "billion laughs"
#: of nested aliases is refused before anything walks it.
EXPANSION_PER_BYTE = 20
MIN_EXPANDED_NODES = 10_000
MAX_EXPANDED_NODES = 1_000_000
#: How deeply a spec file may nest mappings and sequences (a schema inside a schema ...).
MAX_NESTING = 100


class _TooBig(Exception):
    def __init__(self, node: Any, why: str):
        self.node = node
        self.why = why


def _check_expanded_size(root: Any, name: str, text_size: int = 0) -> None:
    """Refuse a value that expands (through aliases) to far more than its text, or that nests
    deeper than :data:`MAX_NESTING`; counted without expanding anything."""
    limit = min(MAX_EXPANDED_NODES, max(MIN_EXPANDED_NODES, EXPANSION_PER_BYTE * text_size))
    memo: dict[int, int] = {}

    def size(node: Any, depth: int) -> int:
        if not isinstance(node, (dict, list)):
            return 1
        if depth > MAX_NESTING:
            raise _TooBig(node, f"nested more than {MAX_NESTING} levels deep; refused")
        key = id(node)
        if key in memo:
            return memo[key]
        children = node.values() if isinstance(node, dict) else node
        n = 1 + sum(size(child, depth + 1) for child in children)
        if n > limit:
            raise _TooBig(node, f"this value expands to more than {limit:,} values through "
                                f"YAML aliases ({text_size:,} bytes of text); refused")
        memo[key] = n
        return n

    try:
        size(root, 0)
    except _TooBig as big:
        raise SpecError.at(name, line_of(big.node), big.why) from None


def line_of(container: Any, key: Any = None) -> int | None:
    """The line of ``container[key]`` (or of ``container`` itself when key is None), if known."""
    if key is not None:
        if isinstance(container, YamlMap):
            line = container.key_lines.get(key)
            if line is not None:
                return line
        elif isinstance(container, YamlList) and isinstance(key, int):
            if 0 <= key < len(container.item_lines):
                return container.item_lines[key]
    return getattr(container, "line", None)


def line_at_path(root: Any, path: list[Any] | tuple[Any, ...]) -> int | None:
    """The line of the deepest node reachable along ``path`` from ``root``."""
    node = root
    best = line_of(root)
    for part in path:
        line = line_of(node, part)
        if line is not None:
            best = line
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return best
