"""A cache of parsed spec files, so that a warm start neither parses YAML nor imports PyYAML.

A YAML file, once parsed, is kept under the cache directory (see :func:`index.cache_root`) as
JSON, with the line numbers :mod:`specclient.spec.yamlio` attaches to every mapping and sequence.
It is reused only while the file's path, modification time and size are those it was parsed
from; importing PyYAML (~25 ms, most of it compiling one regular expression) and parsing are
then skipped, which is a large part of a one-shot ``specclient call``'s start-up.

Only plain data is kept: mappings, sequences, strings, numbers, booleans and null, each
container once (a file whose YAML aliases share a container, or that holds a binary
or set value, is simply parsed every time). Like the index, the cache is only an accelerator:
a missing, corrupt, stale or unwritable entry is ignored, and writes are atomic.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from typing import Any

from .index import cache_root, file_stamp, trusted_file, write_json
from .lines import YamlList, YamlMap

__all__ = ["load", "store", "MISS"]

FORMAT = 1
MISS: Any = object()


class _NotPlain(Exception):
    """The value holds something the cache does not keep."""


def _entry_path(path: str) -> str | None:
    root = cache_root()
    if not root:
        return None
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(root, "parsed", digest[:32] + ".json")


def _encode(node: Any, seen: set[int]) -> Any:
    """``node`` as JSON data: a mapping is ``["M", line, [key, key line, value, ...]]``, a
    sequence ``["S", line, [item line, ...], [item, ...]]`` (scalars are never lists, so a list
    here is always one of those)."""
    if isinstance(node, (YamlMap, YamlList)):
        if id(node) in seen:
            raise _NotPlain  # shared through an alias: parse it instead
        seen.add(id(node))
        if isinstance(node, YamlMap):
            flat: list[Any] = []
            for key, value in node.items():
                flat += [_scalar(key), node.key_lines.get(key), _encode(value, seen)]
            return ["M", node.line, flat]
        return ["S", node.line, list(node.item_lines), [_encode(v, seen) for v in node]]
    return _scalar(node)


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(value)}  # .inf, .nan
    raise _NotPlain  # timestamps, binary, sets, or a bare dict/list


def _decode(data: Any) -> Any:
    if isinstance(data, list):
        if data[0] == "M":
            out = YamlMap()
            out.line = data[1]
            flat = data[2]
            for i in range(0, len(flat), 3):
                key = _decode_scalar(flat[i])
                out[key] = _decode(flat[i + 2])
                if flat[i + 1] is not None:
                    out.key_lines[key] = flat[i + 1]
            return out
        seq = YamlList(_decode(v) for v in data[3])
        seq.line = data[1]
        seq.item_lines = data[2]
        return seq
    return _decode_scalar(data)


def _decode_scalar(value: Any) -> Any:
    if isinstance(value, dict):
        return float(value["float"])
    return value


def load(path: str, st: os.stat_result) -> Any:
    """The parsed content of ``path`` as cached for this very file (path, mtime and size), or
    :data:`MISS`."""
    entry = _entry_path(path)
    if entry is None:
        return MISS
    try:
        with open(entry, "rb") as fh:
            if not trusted_file(fh):
                return MISS
            data = json.loads(fh.read())
        if data["format"] != FORMAT or data["file"] != path or data["stamp"] != file_stamp(st):
            return MISS
        return _decode(data["tree"])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return MISS  # missing or corrupt: parse the file


def store(path: str, st: os.stat_result, value: Any) -> None:
    """Keep the parsed ``value`` of ``path`` (as it was when stat'ed as ``st``), if it is
    plain data and a cache directory is usable."""
    entry = _entry_path(path)
    if entry is None:
        return
    try:
        tree = _encode(value, set())
    except (_NotPlain, RecursionError):
        return
    write_json(entry, {"format": FORMAT, "file": path, "stamp": file_stamp(st), "tree": tree})
