"""check_headers refuses exactly the header values that cannot go on the wire as they are:
a CR, LF or NUL anywhere, or a character beyond Latin-1, in any header, whatever its place."""

from __future__ import annotations

import pytest
from requests.structures import CaseInsensitiveDict

from specclient.errors import ArgumentError
from specclient.request import PreparedRequest
from specclient.transport.wire import check_headers

# every Latin-1 character, the edges beyond it, surrogates, and the last code point
CHARS = [chr(i) for i in range(0x300)] + ["\u2603", "\ud800", "\udfff", "\ufffd", "\U0001f600",
                                          "\U0010ffff"]


def _request(headers: dict[str, str]) -> PreparedRequest:
    return PreparedRequest("svc.op", "POST", "https://api.example.com", "/x", [],
                           CaseInsensitiveDict(headers), b"{}")


def _why(c: str) -> str | None:
    if c in "\r\n\0":
        return "contains a line break (CR/LF) or NUL"
    if ord(c) > 0xFF:
        return "has characters HTTP headers cannot carry (only Latin-1)"
    return None


@pytest.mark.parametrize("position", [0, 1, 2])
def test_each_character_in_each_header(position):
    for c in CHARS:
        headers = {"Accept": "application/json", "X-Key": "k-123", "X-Note": "plain"}
        name = list(headers)[position]
        headers[name] = f"a{c}b"
        why = _why(c)
        if why is None:
            check_headers("svc.op", _request(headers))
            continue
        with pytest.raises(ArgumentError) as info:
            check_headers("svc.op", _request(headers))
        assert str(info.value).startswith(f"svc.op: header {name!r} {why}; refused"), repr(c)
        assert info.value.parameter == name
        assert f"a{c}b" not in str(info.value)


def test_the_first_bad_header_is_named_and_a_line_break_wins():
    headers = {"X-One": "ok", "X-Two": "snow \u2603 and \n", "X-Three": "\r"}
    with pytest.raises(ArgumentError, match="header 'X-Two' contains a line break"):
        check_headers("svc.op", _request(headers))
    check_headers("svc.op", _request({}))
