"""HTTPie-style request items: splitting, escapes, paths, files, and errors that name the item."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specclient.cli.items import (
    ItemError,
    apply_fields,
    format_field,
    parse_item,
    parse_items,
    parse_path,
)


@pytest.mark.parametrize("raw, key, sep, value", [
    ("name=Ann", "name", "=", "Ann"),
    ("qty:=3", "qty", ":=", "3"),
    ("Authorization:Bearer a=b", "Authorization", ":", "Bearer a=b"),  # first separator wins
    ("page==2", "page", "==", "2"),
    ("note=@n.txt", "note", "=@", "n.txt"),
    ("items:=@i.json", "items", ":=@", "i.json"),
    ("url=http://x/?a=b", "url", "=", "http://x/?a=b"),
    ("q==a==b", "q", "==", "a==b"),
    ("empty=", "empty", "=", ""),
    ("a\\=b=c", "a=b", "=", "c"),                  # escaped separator in the key
    ("x\\:y:=1", "x:y", ":=", "1"),
    ("at\\@=v", "at@", "=", "v"),
    ("a\\.b=c", "a\\.b", "=", "c"),                # kept for the path parser
])
def test_parse_item(raw, key, sep, value):
    it = parse_item(raw)
    assert (it.key, it.sep, it.value) == (key, sep, value)


@pytest.mark.parametrize("raw, message", [
    ("plain", "not an item: expected field=value"),
    ("=x", "empty name before '='"),
    (":=1", "empty name before ':='"),
    ("==1", "empty name before '=='"),
])
def test_parse_item_errors_name_the_item(raw, message):
    with pytest.raises(ItemError) as e:
        parse_item(raw)
    assert str(e.value).startswith(f"item {raw!r}: {message}")
    assert e.value.item == raw


@pytest.mark.parametrize("key, path", [
    ("a", ["a"]),
    ("a.b.c", ["a", "b", "c"]),
    ("list[]", ["list", None]),
    ("list[2]", ["list", 2]),
    ("a[b][c]", ["a", "b", "c"]),
    ("a[0].b[]", ["a", 0, "b", None]),
    ("[]", [None]),
    ("a\\.b", ["a.b"]),
    ("a\\[0\\]", ["a[0]"]),
    ("back\\\\slash", ["back\\slash"]),
])
def test_parse_path(key, path):
    assert parse_path("item", key) == path


@pytest.mark.parametrize("key, message", [
    ("a.", "empty name in field path 'a.'"),
    (".a", "empty name in field path '.a'"),
    ("a..b", "empty name in field path 'a..b'"),
    ("a[0", "unclosed '[' in field path 'a[0'"),
    ("a]", "unmatched ']' in field path 'a]'"),
    ("a[0]b", "expected '.' or '[' after ']' in field path 'a[0]b'"),
    ("a.[0]", "empty name in field path 'a.[0]'"),
])
def test_parse_path_errors(key, message):
    with pytest.raises(ItemError, match=r"^item 'it': " + __import__("re").escape(message)):
        parse_path("it", key)


def build(*items, base=None):
    return apply_fields(base, parse_items(list(items)).fields)


def test_fields_build_nested_bodies():
    body = build("name=Ann", "age:=42", "ok:=true", "tags[]=a", "tags[]=b",
                 "address.city=Oslo", "address.zip=0150", "lines[0].sku=X", "lines[0].qty:=2",
                 "lines[1].sku=Y", "raw:={\"k\": [1, null]}", "a\\=b=c", "dot\\.key=v")
    assert body == {"name": "Ann", "age": 42, "ok": True, "tags": ["a", "b"],
                    "address": {"city": "Oslo", "zip": "0150"},
                    "lines": [{"sku": "X", "qty": 2}, {"sku": "Y"}],
                    "raw": {"k": [1, None]}, "a=b": "c", "dot.key": "v"}


def test_fields_apply_on_top_of_a_base_body_without_changing_it():
    base = {"a": 1, "nested": {"x": 1}}
    assert build("nested.y=2", "b=3", base=base) == {"a": 1, "nested": {"x": 1, "y": "2"},
                                                     "b": "3"}
    assert base == {"a": 1, "nested": {"x": 1}}
    assert build("a:=2", base=base)["a"] == 2  # overriding the base once is fine


def test_top_level_list_body():
    assert build("[]=a", "[]:=1") == ["a", 1]


@pytest.mark.parametrize("items, message", [
    (["a=1", "a=2"], "item 'a=2': a is set twice (use a[]=... for a list)"),
    (["a=1", "a.b=2"], "item 'a.b=2': a is not an object; cannot set 'b' in it"),
    (["a:=[1]", "a.b=2"], "item 'a.b=2': a is not an object; cannot set 'b' in it"),
    (["a.b=1", "a[]=2"], "item 'a[]=2': a is not a list"),
    (["l[2]=x"], "item 'l[2]=x': index 2 skips past the end of l (length 0)"),
    (["n:=tru"], "item 'n:=tru': the value is not valid JSON: Expecting value: line 1 "
                 "column 1 (char 0)"),
])
def test_field_errors(items, message):
    with pytest.raises(ItemError) as e:
        build(*items)
    assert str(e.value) == message


def test_files(tmp_path):
    (tmp_path / "note.txt").write_text("line one\nline two\n")
    (tmp_path / "items.json").write_text('[{"sku": "X"}]')
    (tmp_path / "bad.json").write_text("{nope")
    body = build(f"note=@{tmp_path / 'note.txt'}", f"items:=@{tmp_path / 'items.json'}")
    assert body == {"note": "line one\nline two\n", "items": [{"sku": "X"}]}
    with pytest.raises(ItemError, match=r"cannot read .*missing.txt.*No such file"):
        build(f"n=@{tmp_path / 'missing.txt'}")
    with pytest.raises(ItemError, match=r"bad.json' is not valid JSON"):
        build(f"n:=@{tmp_path / 'bad.json'}")


def test_headers_and_query_are_sorted_out():
    items = parse_items(["X-Trace:abc", "page==2", "page==3", "f=v", "X\\:Odd:1"])
    assert items.headers == [("X-Trace", "abc", "X-Trace:abc"), ("X:Odd", "1", "X\\:Odd:1")]
    assert items.query == [("page", "2", "page==2"), ("page", "3", "page==3")]
    assert [f[0] for f in items.fields] == [["f"]]
    with pytest.raises(ItemError, match="'Bad Name' is not a valid header name"):
        parse_items(["Bad Name:x"])


names = st.text(st.characters(codec="utf-8", exclude_characters="\\=:@.[]\r\n\0"), min_size=1)


@given(st.dictionaries(names, st.one_of(st.text(), st.integers(), st.booleans(), st.none()),
                       max_size=5))
def test_any_flat_object_round_trips_through_items(obj):
    # a string starting with @ or = would read as field=@file or name==value: it goes as JSON
    items = [format_field(k, v) for k, v in obj.items()]
    assert all(i.startswith(f"{k}:=") for i, (k, v) in zip(items, obj.items(), strict=True)
               if not isinstance(v, str) or v[:1] in ("@", "="))
    assert build(*items) == (obj or None)


@given(st.text(min_size=1, max_size=20))
def test_any_key_survives_escaping(key):
    escaped = "".join("\\" + c if c in "\\=:@.[]" else c for c in key)
    assert build(f"{escaped}=v") == {key: "v"}
