"""Strings written from a schema's pattern: short, deterministic, and found by the pattern."""

from __future__ import annotations

import re

import pytest

from specclient.schema.examples import text_matching
from specclient.schema.regex import compile_pattern

REAL = [
    ("^(0|[1-9][0-9]*)$", "0"),
    ("^AC[0-9a-fA-F]{32}$", "AC" + "0" * 32),
    ("^[a-zA-Z0-9_-]+$", "a"),
    (r"^\d{4}-\d{2}-\d{2}$", "0000-00-00"),
    ("^[A-Z]{2}$", "AA"),
    ("^(?:[a-z0-9]+)(?:-[a-z0-9]+)*$", "a"),
    ("^https?://", "http://"),
    ("[a-z]", "a"),
    (r"^\+[1-9]\d{1,14}$", "+10"),
    ("^sk_(test|live)_[0-9a-zA-Z]{24}$", "sk_test_" + "0" * 24),
    ("^[0-9a-fA-F]+$", "0"),
    ("[^@]+@[^@]+", "a@a"),
    ("^[_a-z]$", "a"),  # letters and digits before the rest
    ("^[-.]+$", "-"),
    (r"^\s$", " "),
    (r"^\w\W$", "a-"),
    (r"(?<year>\d{4})", "0000"),  # ECMA-262's named group
    ("^a{3}b?c*$", "aaa"),
]


@pytest.mark.parametrize("pattern, expected", REAL)
def test_real_patterns(pattern, expected):
    text = text_matching(pattern)
    assert text == expected
    assert compile_pattern(pattern)(text) and re.search(pattern.replace("(?<", "(?P<"), text)


@pytest.mark.parametrize("pattern, low, high, expected", [
    ("^(0|[1-9][0-9]*)$", 3, None, "100"),  # the other branch, repeated
    (r"^\+[1-9]\d{1,14}$", 6, None, "+10000"),
    ("^[a-zA-Z0-9_-]+$", 5, 8, "aaaaa"),
    ("[a-z]", 4, None, "axxx"),  # unanchored: padded
    ("^https?://", 10, None, "https://xx"),  # the optional s repeats first
    ("^x(aaaa|b)$", 0, 2, "xb"),  # the shortest branch when the first is too long
    ("^[A-Z]{2}$", 3, None, None),  # cannot be that long
    ("^abc$", 0, 2, None),
])
def test_length_bounds(pattern, low, high, expected):
    assert text_matching(pattern, low, high) == expected


def test_variants_differ_and_match():
    for pattern in ("^[A-Z]{2}$", "^[a-z0-9]+$", r"^\d{4}-\d{2}-\d{2}$", "^https?://",
                    "^(cat|dog)-[0-9]$"):
        texts = [text_matching(pattern, 0, None, k) for k in range(6)]
        assert all(t is not None and compile_pattern(pattern)(t) for t in texts), texts
        assert len(set(texts)) == 6, texts
    assert [text_matching("^[A-Z]{2}$", 0, None, k) for k in range(3)] == ["AA", "BA", "CA"]
    assert text_matching("^abc$", 0, None, 1) is None  # nothing free to vary


@pytest.mark.parametrize("pattern", [
    r"\p{L}+",  # RE2 reads it; Python's parser does not: plain strings are tried
    r"^\p{Lu}$",
])
def test_unparsed_patterns_fall_back(pattern):
    text = text_matching(pattern)
    assert text is not None and compile_pattern(pattern)(text)


@pytest.mark.parametrize("pattern", [r"(?=a)b", r"(a)\1", "[", "^$x", 5])
def test_never_raises(pattern):
    assert text_matching(pattern) is None or isinstance(text_matching(pattern), str)
