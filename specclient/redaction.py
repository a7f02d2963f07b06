"""One redaction: the secret values of a call, and every way of hiding them.

A :class:`Redactor` knows the secret values a call uses (keys, tokens, client secrets, the
``Authorization`` header it built), the headers and query parameters that carry them, and hides
them in text, URLs, headers, decoded JSON, validation messages and excerpts. Every exit — an
exception message or repr, a log line or warning, a dry run, ``--curl``, ``-v``, batch result
files, the mock's log — goes through one of these methods, so there is one rule to get right:

- a value is replaced by ``***`` wherever it appears, and so are its URL-encoded forms
  (``%2F`` and ``+`` for a space), so a key echoed in a query string is hidden too;
- a value shorter than :data:`MIN_SUBSTRING_SECRET` characters is hidden only where it is a
  whole value (hunting for ``"ab"`` inside text would hide half of every message, and a
  two-character secret is no secret);
- a header or query parameter registered as secret is hidden whatever its value;
- text is redacted *before* it is cut to an excerpt, so a cut never leaves half a secret.

This module imports nothing of specclient's: anything may use it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

__all__ = ["Redactor", "REDACTED", "MIN_SUBSTRING_SECRET", "SECRET_HEADER", "QUERY_LOG_FILTER"]

REDACTED = "***"
#: Secrets shorter than this are redacted where they are a whole value, not inside other text.
MIN_SUBSTRING_SECRET = 6
#: Header names whose values are secret whatever they hold (a user's own ``Authorization``).
SECRET_HEADER = re.compile(r"authorization|cookie|api[-_]?key|token|secret|password", re.I)
#: How deep :meth:`Redactor.value` walks decoded JSON; deeper parts are replaced wholesale.
MAX_DEPTH = 64


class Redactor:
    """The secret values of one call (or one client, or one mock) and how to hide them."""

    __slots__ = ("_values", "_headers", "_query", "_forms")

    def __init__(self, values: Iterable[str | bytes | None] = (), *,
                 headers: Iterable[str] = (), query: Iterable[str] = ()):
        self._values: set[str] = set()
        self._headers: set[str] = {h.lower() for h in headers} if headers else set()
        self._query: set[str] = set(query) if query else set()
        self._forms: list[str] | None = None
        if values:
            for value in values:
                self.add(value)

    # ------------------------------------------------------------------ what is secret

    def add(self, value: str | bytes | None, *, header: str | None = None,
            query: str | None = None) -> None:
        """Register a value that must never be shown, and optionally the header or query
        parameter that carries it (hidden whatever its value)."""
        if value:
            text = value if value.__class__ is str else (
                value.decode("latin-1") if isinstance(value, bytes) else str(value))
            if text not in self._values:
                self._values.add(text)
                self._forms = None
        if header:
            self._headers.add(header.lower())
        if query:
            self._query.add(query)

    def update(self, other: Redactor) -> None:
        """Add everything ``other`` hides."""
        for value in other._values:
            self.add(value)
        self._headers |= other._headers
        self._query |= other._query

    def copy(self) -> Redactor:
        out = Redactor()
        out.update(self)
        return out

    @property
    def secret_headers(self) -> frozenset[str]:
        """The (lower-case) names of the headers hidden whatever their value."""
        return frozenset(self._headers)

    @property
    def secret_query(self) -> frozenset[str]:
        """The names of the query parameters hidden whatever their value."""
        return frozenset(self._query)

    def __bool__(self) -> bool:
        return bool(self._values or self._headers or self._query)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:  # never the values
        return (f"<Redactor: {len(self._values)} secret value(s), "
                f"headers={sorted(self._headers)}, query={sorted(self._query)}>")

    # ------------------------------------------------------------------ hiding

    def _long_forms(self) -> list[str]:
        """Every long secret as given and URL-encoded, longest first (so a secret that
        contains another is replaced whole)."""
        if self._forms is None:
            forms: set[str] = set()
            for value in self._values:
                if len(value) >= MIN_SUBSTRING_SECRET:
                    forms |= {value, quote(value, safe=""), quote_plus(value)}
            self._forms = sorted(forms, key=len, reverse=True)
        return self._forms

    def text(self, text: str) -> str:
        """``text`` with every secret (and its URL-encoded forms) replaced by ``***``."""
        if not self._values or not text:
            return text
        if text in self._values:
            return REDACTED
        for form in self._long_forms():
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def header(self, name: str, value: str) -> str:
        """A header's value as it may be shown: all ``***`` for a secret header (or the
        secret parts of it, such as ``Bearer ***``), else with any secret inside hidden."""
        if name.lower() in self._headers:
            hidden = self.text(value)
            return hidden if REDACTED in hidden else REDACTED
        return self.text(value)

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
        """``headers`` as a plain dict, every value as :meth:`header` shows it."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        return {str(k): self.header(str(k), str(v)) for k, v in items}

    def url(self, url: str) -> str:
        """``url`` with the secret query parameters' values and any secret inside hidden."""
        if self._query and "?" in url:
            parts = urlsplit(url)
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            if any(k in self._query for k, _ in pairs):
                query = urlencode([(k, REDACTED if k in self._query else v) for k, v in pairs],
                                  quote_via=quote, safe="*")
                url = urlunsplit(parts._replace(query=query))
        return self.text(url)

    def value(self, value: Any) -> Any:
        """Decoded JSON (or any str/list/dict/tuple tree) with every secret string hidden, keys
        included. Walks iteratively: a response nested 100,000 deep costs no recursion, and
        anything below :data:`MAX_DEPTH` levels is replaced by ``"***"`` (such a body is not
        data anybody reads, and it is the only part that could hide an unchecked secret)."""
        if not self._values:
            return value
        if isinstance(value, str):
            return self.text(value)
        if not isinstance(value, (list, tuple, dict)):
            return value
        root: list[Any] = [None]
        stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 0)]
        while stack:
            node, parent, slot, depth = stack.pop()
            if isinstance(node, str):
                parent[slot] = self.text(node)
            elif isinstance(node, (list, tuple, dict)):
                if depth >= MAX_DEPTH:
                    parent[slot] = REDACTED
                    continue
                if isinstance(node, dict):
                    out: Any = {}
                    parent[slot] = out
                    for k, v in node.items():
                        key = self.text(k) if isinstance(k, str) else k
                        out[key] = None
                        stack.append((v, out, key, depth + 1))
                else:
                    out = [None] * len(node)
                    parent[slot] = out
                    for i, v in enumerate(node):
                        stack.append((v, out, i, depth + 1))
            else:
                parent[slot] = node
        return root[0]

    def excerpt(self, raw: bytes | str, limit: int = 80) -> str:
        """The start of ``raw`` for a message: redacted first, then cut to ``limit``
        characters (bytes) and shown as a Python literal, so control characters stay visible
        and a cut never leaves part of a secret."""
        # a secret that starts inside the excerpt ends at most its length later
        longest = max((len(f.encode("utf-8")) for f in self._long_forms()), default=0)
        if isinstance(raw, str):
            return repr(self.text(raw[:limit + longest])[:limit])
        # bytes as latin-1 (one character per byte), searched for each secret's UTF-8 bytes
        text = raw[:limit + longest].decode("latin-1")
        for form in self._long_forms():
            wire = form.encode("utf-8").decode("latin-1")
            if wire in text:
                text = text.replace(wire, REDACTED)
        return repr(text[:limit].encode("latin-1"))

    def carried_in(self, url: str, headers: Mapping[str, str], body: bytes | None) -> str:
        """Where a registered secret would travel in a request: e.g. ``"header Authorization"``
        or ``"the URL, the body"`` (names only, never a value); ``""`` when nowhere."""
        if not self._values:
            return ""
        forms = self._long_forms()
        short = {v for v in self._values if len(v) < MIN_SUBSTRING_SECRET}
        where = [f"header {k}" for k, v in headers.items()
                 if k.lower() in self._headers or v in short or any(f in v for f in forms)]
        query = urlsplit(url).query
        if any(f in url for f in forms) or (short and any(
                v in short for _, v in parse_qsl(query, keep_blank_values=True))):
            where.append("the URL")
        if body:
            text = body.decode("latin-1")
            if any(f.encode("utf-8").decode("latin-1") in text for f in forms):
                where.append("the body")
        return ", ".join(where)

    def violations(self, violations: list[Any]) -> list[Any]:
        """Validation violations with any secret in their message (or path) hidden."""
        if not self._values:
            return violations
        return [type(v)(self.text(v.path), self.text(v.message), v.validator,
                        self.text(v.as_json) if getattr(v, "as_json", "") else "")
                for v in violations]


class _QueryLogFilter(logging.Filter):
    """Hides the values of secret query parameters (``api_key=...``) in urllib3's DEBUG log of
    each request line, so that a key sent in the URL never reaches a log. Auth schemes that put
    a secret in the query register its parameter name with :meth:`add`."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, name: str) -> None:
        if name not in self.names:
            self.names.add(name)
            alternatives = "|".join(sorted({re.escape(quote(n, safe="")) for n in self.names}
                                           | {re.escape(n) for n in self.names}))
            self._pattern = re.compile(rf"([?&](?:{alternatives})=)[^&\s\"#]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if self._pattern is not None:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                return True
            masked = self._pattern.sub(r"\1***", message)
            if masked != message:
                record.msg, record.args = masked, ()
        return True


#: The one log filter, on urllib3's request-line logger.
QUERY_LOG_FILTER = _QueryLogFilter()
logging.getLogger("urllib3.connectionpool").addFilter(QUERY_LOG_FILTER)
