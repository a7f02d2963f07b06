"""A short string that a schema's ``pattern`` finds: what the example generator
(:mod:`specclient.schema.examples`) puts in a string with a ``pattern``.

The pattern is parsed here (:class:`_Parser`: JSON Schema's ECMA-262 syntax — groups, named
groups, classes, escapes, alternation, quantifiers, anchors; lookaround and ``\\p{...}`` are not
written) and walked once: a literal is written as it is, a
class ``[...]`` gives its first allowed character (letters and digits before anything else, so
``[_a-z]`` gives ``a``), a negated class or ``.`` the first printable ASCII character it allows,
``\\d`` / ``\\w`` / ``\\s`` ``0`` / ``a`` / a space, an alternation its first branch, and a
quantifier its minimum count. When the string must be longer (``minLength``), quantifiers
with room to spare repeat more, left to right; failing that, an unanchored end is padded. A
second and third reading take, at each alternation, the shortest branch and the branch with
the most room.

``variant`` asks for another string: ``variant`` is written in mixed radix over the free
characters, left to right (``[A-Z]{2}`` gives ``AA``, ``BA``, ``CA``... for 0, 1, 2), so that
``uniqueItems`` can have distinct strings.

Every answer is checked with the pattern's compiled search (RE2, as validation runs it) and the
length bounds; None when no string was found (a pattern the parser cannot read — ``\\p{L}``,
say — is tried against a few plain strings first). Nothing here raises.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from .regex import UnsafePattern, compile_pattern

__all__ = ["text_matching"]

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#: Printable ASCII, letters and digits first: where a free character is taken from.
_UNIVERSE = _ALNUM + "_-.~ !#$%&'()*+,/:;<=>?@[]^`{|}\"\\"
_SPACE = " \t\n\r\f\v"
#: How many choices one free character keeps (variants beyond are made by length).
_POOL = 36
#: Longest repetition count written out.
_MAX_COUNT = 10_000

class _Op:
    """One kind of node of a parsed pattern."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


class _c:  # noqa: N801 - the node kinds, named as Python's own parser names them
    LITERAL, NOT_LITERAL, ANY, IN, BRANCH, SUBPATTERN, MAX_REPEAT, GROUPREF, AT, RANGE, \
        CATEGORY, NEGATE = (_Op(n) for n in (
            "LITERAL", "NOT_LITERAL", "ANY", "IN", "BRANCH", "SUBPATTERN", "MAX_REPEAT",
            "GROUPREF", "AT", "RANGE", "CATEGORY", "NEGATE"))
    CATEGORY_DIGIT, CATEGORY_NOT_DIGIT, CATEGORY_SPACE, CATEGORY_NOT_SPACE, CATEGORY_WORD, \
        CATEGORY_NOT_WORD, CATEGORY_LINEBREAK, CATEGORY_NOT_LINEBREAK = (_Op(n) for n in (
            "DIGIT", "NOT_DIGIT", "SPACE", "NOT_SPACE", "WORD", "NOT_WORD", "LINEBREAK",
            "NOT_LINEBREAK"))
    MAXREPEAT = 2**31  # no upper bound


_REPEATS = {_c.MAX_REPEAT}
_ATOMIC = None


class _Fail(Exception):
    """The pattern has something this walk does not write (lookaround, a conditional)."""


_CLASS_ESCAPES = {"d": _c.CATEGORY_DIGIT, "D": _c.CATEGORY_NOT_DIGIT,
                  "s": _c.CATEGORY_SPACE, "S": _c.CATEGORY_NOT_SPACE,
                  "w": _c.CATEGORY_WORD, "W": _c.CATEGORY_NOT_WORD}
_CONTROL = {"n": 10, "r": 13, "t": 9, "f": 12, "v": 11, "0": 0}


class _Parser:
    """ECMA-262 pattern syntax (JSON Schema's) into nodes ``(kind, argument)`` shaped as
    Python's own parser shapes them; :class:`_Fail` for what is not written."""

    def __init__(self, text: str):
        self.s, self.i, self.groups = text, 0, 0

    def parse(self) -> list[Any]:
        seq = self.alternation()
        if self.i != len(self.s):
            raise _Fail
        return seq

    def peek(self, n: int = 0) -> str:
        return self.s[self.i + n] if self.i + n < len(self.s) else ""

    def alternation(self) -> list[Any]:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else [(_c.BRANCH, (None, branches))]

    def sequence(self) -> list[Any]:
        items: list[Any] = []
        while self.i < len(self.s) and self.peek() not in "|)":
            items.append(self.quantified(self.atom()))
        return items

    def atom(self) -> Any:
        c = self.s[self.i]
        self.i += 1
        if c == "(":
            group: int | None = None
            if self.s.startswith("?:", self.i):
                self.i += 2
            elif self.s.startswith(("?<", "?P<"), self.i) and self.peek(2) not in "=!":
                end = self.s.find(">", self.i)
                if end < 0:
                    raise _Fail
                self.i = end + 1
                self.groups += 1
                group = self.groups
            elif self.peek() == "?":
                raise _Fail  # lookaround and the like
            else:
                self.groups += 1
                group = self.groups
            seq = self.alternation()
            if self.peek() != ")":
                raise _Fail
            self.i += 1
            return (_c.SUBPATTERN, (group, 0, 0, seq))
        if c == "[":
            return self.klass()
        if c == ".":
            return (_c.ANY, None)
        if c in "^$":
            return (_c.AT, c)
        if c == "\\":
            return self.escape(in_class=False)
        if c in "*+?":
            raise _Fail  # a quantifier with nothing before it
        return (_c.LITERAL, ord(c))

    def escape(self, in_class: bool) -> Any:
        c = self.peek()
        if not c:
            raise _Fail
        self.i += 1
        if c in _CLASS_ESCAPES:
            cat = (_c.CATEGORY, _CLASS_ESCAPES[c])
            return cat if in_class else (_c.IN, [cat])
        if c in "bB" and not in_class:
            return (_c.AT, c)
        if c == "b":
            return (_c.LITERAL, 8)
        if c in _CONTROL and not (c == "0" and self.peek().isdigit()):
            return (_c.LITERAL, _CONTROL[c])
        if c in "xu":
            size = 2 if c == "x" else 4
            digits = self.s[self.i:self.i + size]
            if c == "u" and self.peek() == "{":
                end = self.s.find("}", self.i)
                digits, size = self.s[self.i + 1:end], end + 1 - self.i
            try:
                code = int(digits, 16)
            except ValueError:
                raise _Fail from None
            self.i += size
            return (_c.LITERAL, code)
        if c.isdigit() and not in_class:
            return (_c.GROUPREF, int(c))
        if c in "pPck":
            raise _Fail  # Unicode properties, control letters, named references
        return (_c.LITERAL, ord(c))

    def klass(self) -> Any:
        items: list[Any] = []
        negate = self.peek() == "^"
        if negate:
            self.i += 1
        first = True
        while True:
            c = self.peek()
            if not c:
                raise _Fail
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            low = self.class_char()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.i += 1
                high = self.class_char()
                if low[0] is not _c.LITERAL or high[0] is not _c.LITERAL or high[1] < low[1]:
                    raise _Fail
                items.append((_c.RANGE, (low[1], high[1])))
            else:
                items.append(low)
        return (_c.IN, [(_c.NEGATE, None), *items] if negate else items)

    def class_char(self) -> Any:
        c = self.s[self.i]
        self.i += 1
        return self.escape(in_class=True) if c == "\\" else (_c.LITERAL, ord(c))

    def quantified(self, atom: Any) -> Any:
        c = self.peek()
        if c in ("*", "+", "?"):
            self.i += 1
            low, high = {"*": (0, _c.MAXREPEAT), "+": (1, _c.MAXREPEAT), "?": (0, 1)}[c]
        elif c == "{":
            m = _BOUNDS.match(self.s, self.i)
            if m is None:  # a literal brace
                return atom
            self.i = m.end()
            low = int(m.group(1))
            high = low if m.group(2) is None else (
                int(m.group(3)) if m.group(3) else _c.MAXREPEAT)
            if high < low:
                raise _Fail
        else:
            return atom
        if self.peek() in ("?", "+"):  # lazy or possessive: the same strings
            self.i += 1
        if atom[0] is _c.AT:
            raise _Fail
        return (_c.MAX_REPEAT, (low, high, [atom]))


_BOUNDS = re.compile(r"\{(\d+)(,(\d*))?\}")


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


_CATEGORIES = {
    _c.CATEGORY_DIGIT: lambda ch: ch.isdigit(),
    _c.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdigit(),
    _c.CATEGORY_SPACE: lambda ch: ch in _SPACE,
    _c.CATEGORY_NOT_SPACE: lambda ch: ch not in _SPACE,
    _c.CATEGORY_WORD: _is_word,
    _c.CATEGORY_NOT_WORD: lambda ch: not _is_word(ch),
    _c.CATEGORY_LINEBREAK: lambda ch: ch == "\n",
    _c.CATEGORY_NOT_LINEBREAK: lambda ch: ch != "\n",
}
_CATEGORY_CHARS = {
    _c.CATEGORY_DIGIT: "0123456789",
    _c.CATEGORY_SPACE: _SPACE,
    _c.CATEGORY_WORD: _ALNUM + "_",
    _c.CATEGORY_LINEBREAK: "\n",
}


@lru_cache(maxsize=512)
def _parse(pattern: str) -> Any:
    try:
        return _Parser(pattern).parse()
    except (_Fail, RecursionError, IndexError, ValueError):  # "cannot walk": plain tries
        return None


def _member(ch: str, items: list[Any]) -> bool:
    """Whether ``ch`` is in the (non-negated) class ``items``."""
    code = ord(ch)
    for op, av in items:
        if op is _c.LITERAL and code == av:
            return True
        if op is _c.RANGE and av[0] <= code <= av[1]:
            return True
        if op is _c.CATEGORY and _CATEGORIES.get(av, lambda _: False)(ch):
            return True
    return False


def _class_pool(items: list[Any]) -> str:
    """The characters a class allows, in the order they are preferred."""
    if items and items[0][0] is _c.NEGATE:
        rest = items[1:]
        return "".join(ch for ch in _UNIVERSE if not _member(ch, rest))[:_POOL]
    chars: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            chars.append(chr(av))
        elif op is _c.RANGE:
            chars.extend(chr(code) for code in range(av[0], min(av[1], av[0] + _POOL) + 1))
        elif op is _c.CATEGORY:
            known = _CATEGORY_CHARS.get(av)
            test = _CATEGORIES.get(av)
            if known is not None:
                chars.extend(known)
            elif test is not None:
                chars.extend(ch for ch in _UNIVERSE if test(ch))
    first = [ch for ch in chars if ch.isascii() and ch.isalnum()]
    return "".join(dict.fromkeys(first + chars))[:_POOL]


def _min_len(items: list[Any], strategy: str) -> int:
    total = 0
    for op, av in items:
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
            total += 1
        elif op is _c.BRANCH:
            total += _min_len(_choose(av[1], strategy), strategy)
        elif op is _c.SUBPATTERN:
            total += _min_len(av[-1], strategy)
        elif op in _REPEATS:
            total += av[0] * _min_len(av[2], strategy)
        elif op is _ATOMIC:
            total += _min_len(av, strategy)
    return total


def _max_len(items: list[Any]) -> float:
    total: float = 0
    for op, av in items:
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
            total += 1
        elif op is _c.BRANCH:
            total += max(_max_len(alt) for alt in av[1])
        elif op is _c.SUBPATTERN:
            total += _max_len(av[-1])
        elif op in _REPEATS:
            unit = _max_len(av[2])
            total += 0 if unit == 0 else (math.inf if av[1] == _c.MAXREPEAT else av[1] * unit)
        elif op is _ATOMIC:
            total += _max_len(av)
    return total


def _choose(alternatives: list[Any], strategy: str) -> Any:
    if strategy == "short":
        return min(alternatives, key=lambda alt: _min_len(alt, "short"))
    if strategy == "long":
        return max(alternatives, key=_max_len)
    return alternatives[0]


class _Writer:
    """One walk of a parsed pattern: ``need`` more characters than the minimum are to be
    written (by repeating), and ``rem`` is the variant still to be spent on free characters."""

    def __init__(self, strategy: str, need: int, variant: int):
        self.strategy = strategy
        self.need = need
        self.rem = variant
        self.groups: dict[int, str] = {}

    def free(self, pool: str) -> str:
        if not pool:
            raise _Fail
        index = self.rem % len(pool)
        self.rem //= len(pool)
        return pool[index]

    def write(self, items: list[Any]) -> str:
        out: list[str] = []
        for op, av in items:
            if op is _c.LITERAL:
                out.append(chr(av))
            elif op is _c.IN:
                out.append(self.free(_class_pool(av)))
            elif op is _c.ANY:
                out.append(self.free(_UNIVERSE[:_POOL]))
            elif op is _c.NOT_LITERAL:
                out.append(self.free("".join(ch for ch in _UNIVERSE if ord(ch) != av)[:_POOL]))
            elif op is _c.BRANCH:
                out.append(self.write(_choose(av[1], self.strategy)))
            elif op is _c.SUBPATTERN:
                text = self.write(av[-1])
                if av[0] is not None:
                    self.groups[av[0]] = text
                out.append(text)
            elif op is _ATOMIC:
                out.append(self.write(av))
            elif op in _REPEATS:
                low, high, sub = av
                count = low
                unit = _min_len(sub, self.strategy)
                if self.need > 0 and high > low and unit > 0:
                    extra = min(high - low, -(-self.need // unit))
                    count += extra
                    self.need -= extra * unit
                if count > _MAX_COUNT:
                    raise _Fail
                out.extend(self.write(sub) for _ in range(count))
            elif op is _c.GROUPREF:
                out.append(self.groups.get(av, ""))
            elif op is _c.AT:
                continue  # anchors and word boundaries: the final check judges them
            else:  # lookaround, conditionals: not written
                raise _Fail
        return "".join(out)


_PLAIN = ("a", "A", "0", "string", "_", "-", " ", "a0")


@lru_cache(maxsize=4096)
def text_matching(pattern: str, min_length: int = 0, max_length: int | None = None,
                  variant: int = 0) -> str | None:
    """A string that ``pattern`` finds (a search, as JSON Schema's ``pattern`` is), with a
    length in ``[min_length, max_length]``; another one for each ``variant``; None when none
    was found."""
    try:
        search = compile_pattern(pattern)
    except UnsafePattern:
        return None
    high = math.inf if max_length is None else max_length

    def ok(text: str) -> bool:
        return min_length <= len(text) <= high and search(text) is not None

    tree = _parse(pattern)
    if tree is not None:
        for strategy in ("first", "short", "long"):
            base = _min_len(tree, strategy)
            for grow in range(4):  # a variant that needs more free characters makes room
                writer = _Writer(strategy, max(0, min_length - base) + grow, variant)
                try:
                    text = writer.write(tree)
                except (_Fail, RecursionError, ValueError, OverflowError):
                    break
                if writer.rem:
                    continue
                short = max(0, min_length - len(text))
                for candidate in (text, text + "x" * short, "x" * short + text,
                                  text + " " * short, " " * short + text):
                    if ok(candidate):
                        return candidate
                break
    if variant:  # no free character left to vary: a suffix or a prefix, where unanchored
        suffix = str(variant)
        plain = text_matching(pattern, max(0, min_length - len(suffix)), None, 0)
        if plain is not None:
            for candidate in (plain + suffix, suffix + plain):
                if ok(candidate):
                    return candidate
        return None
    for plain in _PLAIN:
        text = plain * max(1, -(-min_length // len(plain)))
        if ok(text):
            return text
    return None
