"""specclient.prepare.jsoncodec.dumps writes exactly what the standard library writes, whichever
encoder does the work; the fast one (orjson) does it for ordinary bodies."""

from __future__ import annotations

import collections
import enum
import json
import math
import random
import struct
import subprocess
import sys
import textwrap
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specclient.prepare import jsoncodec
from specclient.prepare.jsoncodec import dumps


def stdlib(value: object) -> bytes:
    """The definition, computed independently."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


class Spy:
    """Stands in for the stdlib encoder and counts the bodies it is asked for."""

    def __init__(self) -> None:
        self.calls = 0
        self.real = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                                     allow_nan=False)

    def encode(self, value: object) -> str:
        self.calls += 1
        return self.real.encode(value)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    jsoncodec.fast_encoder()  # as after the first FAST_AFTER bodies
    s = Spy()
    monkeypatch.setattr(jsoncodec, "_JSON", s)
    return s


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=4),
    max_leaves=20,
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(JSON)
def test_any_json_value_is_written_as_the_standard_library_writes_it(value: object) -> None:
    assert dumps(value) == stdlib(value)


def test_every_code_point_is_escaped_or_kept_as_the_standard_library_does() -> None:
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    for i in range(0, len(points), 4096):
        chunk = points[i:i + 4096]
        value = {"".join(chunk): chunk}
        assert dumps(value) == stdlib(value), f"code points from {ord(chunk[0]):#x}"


def test_floats_match_including_the_shapes_orjson_writes_differently() -> None:
    rnd = random.Random(7)
    values = [1e-5, 9.999e-5, 1e-7, 2.5e-8, 1e-4, 1e-10, 1e15, 1e16, 1e22, 5e-324, -0.0, 0.0,
              1.7976931348623157e308, 123456789.123]
    values += [float(f"{m}e{e}") for e in range(-320, 300) for m in ("1", "1.5", "9.99")]
    for _ in range(20000):
        v = struct.unpack("d", rnd.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(v):
            values.append(v)
    for v in values:
        assert dumps([v]) == stdlib([v]), v


def test_an_ordinary_body_takes_the_fast_encoder(spy: Spy) -> None:
    if jsoncodec.orjson is None:  # pragma: no cover - orjson is a dependency
        pytest.skip("orjson not installed")
    body = {"eventId": "e-1", "resource": [{"lines": [{"qty": 2, "price": 10.5}]}],
            "flag": True, "note": "café ✓ \n"}
    assert dumps(body) == stdlib(body)
    assert spy.calls == 0


@pytest.mark.parametrize("value", [
    {"a": None},                                  # null: could have been NaN
    {"a": 1e-05},                                 # orjson: 0.00001
    {"a": 1.5e-07},                               # orjson: 1.5e-7
    {1: "int key", None: "null key", 2.5: "b"},  # non-string keys
    {"a": 2**64},                                 # beyond 64 bits
    collections.OrderedDict(a=1),                 # a subclass
    [1, 2, 3.0],
], ids=["null", "1e-05", "1.5e-07", "keys", "bigint", "subclass", "control"])
def test_where_orjson_would_differ_json_writes_it(spy: Spy, value: object) -> None:
    assert dumps(value) == stdlib(value)
    expect_fallback = not isinstance(value, list)
    assert spy.calls == (1 if expect_fallback or jsoncodec.orjson is None else 0)


def test_a_reordered_ordered_dict_keeps_its_own_order() -> None:
    od = collections.OrderedDict(a=1, b=2)
    od.move_to_end("a")

    class Items(dict):
        def items(self):  # type: ignore[override]
            return [("z", 1)]

    assert dumps(od) == b'{"b":2,"a":1}'
    assert dumps({"x": Items(a=1)}) == b'{"x":{"z":1}}' == stdlib({"x": Items(a=1)})


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


def test_refusals_are_the_standard_library_s() -> None:
    for bad, exc in ((float("nan"), ValueError), ({"a": [float("inf")]}, ValueError),
                     ({"a": object()}, TypeError), ({"when": __import__("datetime").date.today()},
                                                    TypeError)):
        with pytest.raises(exc):
            stdlib(bad)
        with pytest.raises(exc):
            dumps(bad)
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps(loop)


def test_enums_and_uuids() -> None:
    # int and str mixins are subclasses: json writes them; plain Enum and UUID are orjson's
    assert dumps({"l": Level.HIGH}) == b'{"l":3}' == stdlib({"l": Level.HIGH})
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    expected = b'["red","12345678-1234-5678-1234-567812345678"]'
    if jsoncodec.fast_encoder() is not None:
        assert dumps([Colour.RED, u]) == expected
    # the standard library alone (a process's first bodies) writes them the same way
    assert jsoncodec._JSON.encode([Colour.RED, u]).encode() == expected
    with pytest.raises(TypeError, match="Object of type Colour"):
        stdlib([Colour.RED])


def test_the_fast_encoder_is_imported_only_after_the_first_bodies() -> None:
    """A shell command writes one body: orjson's import (about 6 ms) would cost it more than
    it saves. A long-running process imports it once it has written FAST_AFTER bodies."""
    code = textwrap.dedent("""
        import sys
        from specclient.prepare import jsoncodec
        bodies = [{"n": i, "s": "x"} for i in range(jsoncodec.FAST_AFTER)]
        out = [jsoncodec.dumps(b) for b in bodies]
        assert "orjson" not in sys.modules, "imported too early"
        assert jsoncodec.dumps({"n": 1}) == b'{"n":1}'
        assert "orjson" in sys.modules, "never imported"
        print(len(out))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(32)


def test_without_orjson_the_standard_library_does_it_all(monkeypatch: pytest.MonkeyPatch,
                                                        spy: Spy) -> None:
    monkeypatch.setattr(jsoncodec, "orjson", None)
    body = {"a": [1, "two", 3.5]}
    assert dumps(body) == stdlib(body)
    assert spy.calls == 1
