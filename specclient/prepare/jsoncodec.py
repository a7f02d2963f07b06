"""How specclient writes JSON: one function, :func:`dumps`, byte for byte the standard library's
``json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)`` as UTF-8.

The standard library's encoder is the definition; ``orjson`` (about 10x faster, the largest
single cost of preparing a call otherwise) is used only where its output is the same bytes:

- strings, ``true``/``false``, integers within 64 bits, lists, tuples and dicts with string keys
  are written identically by both (checked for every code point and random floats in
  ``tests/test_jsoncodec.py``);
- floats are identical except below 1e-4, where ``json`` writes ``1e-05`` / ``1e-07`` and orjson
  ``0.00001`` / ``1e-7``: output containing either shape goes to ``json``;
- orjson writes NaN and infinities as ``null`` where ``json`` refuses them: output containing
  ``null`` goes to ``json`` (which refuses NaN, or writes the same ``null`` for None);
- subclasses of dict, list, str and int go to ``json`` (an ``OrderedDict`` reordered with
  ``move_to_end``, or an overridden ``items()``, is written in its own order by ``json`` only),
  as do non-string keys, integers beyond 64 bits, and every type orjson does not know.

Where the two differ, ``json`` decides. The exceptions are the types orjson writes natively and
``json`` refuses (``enum.Enum`` members without a str/int mixin, ``uuid.UUID``): both encoders
write them as orjson does, their value and their string form.

orjson is imported once this process has written :data:`FAST_AFTER` bodies: importing it costs
about 6 ms (it brings in ``dataclasses``, ``inspect`` and ``uuid``), more than a process that
writes a handful of bodies (a shell command) could ever save with it. The bytes are the same
either way.
"""

from __future__ import annotations

import enum
import json
import sys
from typing import Any

__all__ = ["dumps", "FAST_AFTER", "fast_encoder"]

#: How many bodies are written by ``json`` alone before orjson is imported.
FAST_AFTER = 32
_UNLOADED: Any = object()
orjson: Any = _UNLOADED  # the module, once imported (None: not installed)
_written = 0


def _orjson_types(value: Any) -> Any:
    """What orjson writes for the types it knows and ``json`` refuses, for ``json`` too."""
    if isinstance(value, enum.Enum):
        return value.value
    uuid = sys.modules.get("uuid")  # a UUID exists only where uuid was imported
    if uuid is not None and isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                         default=_orjson_types)
_DIGITS = frozenset(b"0123456789")
_OPTIONS = 0


def fast_encoder() -> Any:
    """orjson, imported now if it was not (None where it is not installed)."""
    global orjson, _OPTIONS
    if orjson is _UNLOADED:
        try:
            import orjson as module  # deferred: see the module's docstring (start-up)
        except ImportError:  # pragma: no cover - a declared dependency; json alone is right
            module = None
        if module is not None:
            _OPTIONS = (module.OPT_PASSTHROUGH_SUBCLASS | module.OPT_PASSTHROUGH_DATETIME
                        | module.OPT_PASSTHROUGH_DATACLASS)
        orjson = module
    return orjson


def _not_native(value: Any) -> Any:
    raise TypeError  # orjson hands over what it does not write itself: json decides


def _floats_may_differ(raw: bytes) -> bool:
    """Whether orjson's ``raw`` may hold a float that json writes differently: 0.0000... (json:
    1e-05) or a one-digit negative exponent after a digit (1e-7; json: 1e-07). Such text inside
    a string only sends that body the slower way."""
    if b"0.0000" in raw:
        return True
    i = raw.find(b"e-", 1)
    while i != -1:
        if raw[i - 1] in _DIGITS and raw[i + 2:i + 3].isdigit() \
                and not raw[i + 3:i + 4].isdigit():
            return True
        i = raw.find(b"e-", i + 2)
    return False


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, exactly as ``json.dumps(value, ensure_ascii=False,
    separators=(",", ":"), allow_nan=False).encode()``.

    Raises what that raises: ``TypeError`` for a value JSON cannot hold, ``ValueError`` for
    NaN, an infinity or a circular reference, ``RecursionError`` for one nested too deeply.
    """
    global _written
    fast = orjson
    if fast is _UNLOADED:
        _written += 1
        fast = fast_encoder() if _written > FAST_AFTER else None
    if fast is not None:
        try:
            raw: bytes = fast.dumps(value, default=_not_native, option=_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError included
            pass
        else:
            if b"null" not in raw and not _floats_may_differ(raw):
                return raw
    return _JSON.encode(value).encode()
