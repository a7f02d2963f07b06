"""The request as specclient builds it: what would go on the wire, byte for byte."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from requests.structures import CaseInsensitiveDict

from .redaction import MIN_SUBSTRING_SECRET, REDACTED, Redactor

__all__ = ["PreparedRequest", "REDACTED", "MIN_SUBSTRING_SECRET", "Headers", "merged_headers",
           "url_origin", "Encoded", "encode_query"]


class Encoded(str):
    """Query text that is already percent-encoded and goes into the URL as it is: a
    serialisation style's delimiters stay literal (the commas of ``id=3,4``) while each value
    inside was encoded (see :mod:`specclient.prepare.styles`)."""

    __slots__ = ()


def _quoted(text: Any) -> str:
    if text.__class__ is Encoded:
        return text  # type: ignore[no-any-return]
    if isinstance(text, bytes):
        return quote(text, safe="")
    return quote(str(text), safe="")


def encode_query(pairs: Iterable[tuple[Any, Any]]) -> str:
    """``pairs`` as a query string, each name and value percent-encoded (as ``urlencode`` with
    ``quote`` does) unless it is :class:`Encoded` already."""
    return "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in pairs)


class PreparedRequest:
    """A fully built, validated, authenticated and signed request, not yet sent.

    ``method``, ``url``, ``headers`` (case-insensitive) and ``body`` (the exact bytes, or None)
    are what goes on the wire. Auth schemes and signers may still add to it while it is being
    prepared; every secret value they use is registered with :meth:`add_secret` into
    ``secrets`` (the call's :class:`~specclient.redaction.Redactor`), so that :meth:`redacted`,
    ``repr`` and every message about this request never show it.
    """

    __slots__ = ("operation", "method", "base_url", "path", "query", "headers", "body", "json",
                 "path_params", "secrets", "explicit_headers", "missing_secrets")

    def __init__(
        self,
        operation: str,
        method: str,
        base_url: str,
        path: str,
        query: list[tuple[str, str]],
        headers: CaseInsensitiveDict[str],
        body: bytes | None,
        json_body: Any = None,
        explicit_headers: frozenset[str] = frozenset(),
        path_params: dict[str, Any] | None = None,
    ):
        self.operation = operation
        self.method = method
        self.base_url = base_url
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.json = json_body
        self.explicit_headers = explicit_headers
        self.path_params = path_params or {}
        self.secrets = Redactor()
        #: a dry run's secrets that had no value: placeholders stand in for them
        self.missing_secrets: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        """The full URL: base URL, encoded path and encoded query string (and the path's
        ``#fragment``, when an operation's path has one, after the query: never sent, it
        tells operations on one path apart in the in-process mock)."""
        path, hash_, fragment = self.path.partition("#")
        if self.query:
            return f"{self.base_url}{path}?{encode_query(self.query)}{hash_}{fragment}"
        return self.base_url + self.path

    @property
    def sent_url(self) -> str:
        """:attr:`url` as it goes on the wire (without a ``#fragment``): what is signed."""
        return self.url.partition("#")[0]

    def copy(self) -> PreparedRequest:
        """A fresh request with the same method, URL, headers, body and secrets (one attempt is
        authenticated and signed on a copy of the built one)."""
        out = PreparedRequest(self.operation, self.method, self.base_url, self.path,
                              list(self.query), self.headers.copy(), self.body, self.json,
                              self.explicit_headers, self.path_params)
        if self.secrets:
            out.secrets.update(self.secrets)
        return out

    @property
    def query_string(self) -> str:
        return encode_query(self.query)

    def add_secret(self, value: str | bytes | None, *, header: str | None = None,
                   query: str | None = None) -> None:
        """Register a value that must never be shown (a key, a token, an auth header), and
        optionally the header or query parameter that carries it (hidden whatever its length).
        """
        self.secrets.add(value, header=header, query=query)

    def redact(self, text: str) -> str:
        """``text`` with every registered secret (and its URL-encoded forms) shown as ***."""
        return self.secrets.text(text)

    def redacted(self) -> dict[str, Any]:
        """The request as a JSON-able dict with every secret value shown as ``***``.

        ``body`` is the decoded JSON value when the body is JSON, else text.
        """
        body: Any
        if self.json is not None:
            body = self.secrets.value(self.json)
        elif self.body is None:
            body = None
        else:
            body = self.secrets.text(self.body.decode("utf-8", "replace"))
        return {
            "method": self.method,
            "url": self.secrets.url(self.url),
            "headers": self.secrets.headers(self.headers),
            "body": body,
        }

    def __repr__(self) -> str:
        return f"<PreparedRequest {self.operation}: {self.method} {self.redacted()['url']}>"


class Headers(CaseInsensitiveDict):  # type: ignore[type-arg]
    """Case-insensitive headers, as ``requests``' :class:`CaseInsensitiveDict` (and an instance
    of it, so code that checks for one is content), with storage of its own so that copying and
    merging cost a dict copy rather than a method call per header. Remembers the case a header
    was last set with; iteration is in insertion order."""

    __slots__ = ("_items",)

    def __init__(self, data: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
                 **kwargs: str):
        self._items: dict[str, tuple[str, str]] = {}
        if data is not None:
            self.update(data)
        if kwargs:
            self.update(kwargs)

    def __setitem__(self, key: str, value: str) -> None:
        self._items[key.lower()] = (key, value)

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()][1]

    def __delitem__(self, key: str) -> None:
        del self._items[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (cased for cased, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        hit = self._items.get(key.lower())
        return default if hit is None else hit[1]

    def items(self) -> Any:  # type: ignore[override]
        return self._items.values()

    def lower_items(self) -> Iterator[tuple[str, str]]:
        return ((lower, kv[1]) for lower, kv in self._items.items())

    def update(self, other: Any = (), /, **kwargs: str) -> None:  # type: ignore[override]
        if isinstance(other, Headers):
            self._items.update(other._items)
        elif other:
            items = self._items
            for key, value in (other.items() if isinstance(other, Mapping) else other):
                items[key.lower()] = (key, value)
        for key, value in kwargs.items():
            self._items[key.lower()] = (key, value)

    def add_missing(self, other: Mapping[str, str]) -> None:
        """Add each header of ``other`` that this one does not have (any case)."""
        items = self._items
        if isinstance(other, Headers):  # our own kind (a client's own session): no lowering
            for lower, pair in other._items.items():
                if lower not in items:
                    items[lower] = pair
            return
        for key in other:
            lower = key.lower()
            if lower not in items:
                items[lower] = (key, other[key])

    def setdefault(self, key: str, default: str) -> str:  # type: ignore[override]
        return self._items.setdefault(key.lower(), (key, default))[1]

    def pop(self, key: str, *default: Any) -> Any:  # type: ignore[override]
        hit = self._items.pop(key.lower(), None)
        if hit is None:
            if default:
                return default[0]
            raise KeyError(key)
        return hit[1]

    def copy(self) -> Headers:
        new = Headers.__new__(Headers)
        new._items = self._items.copy()
        return new

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.lower_items()) == {str(k).lower(): v for k, v in other.items()}
        return NotImplemented

    def __repr__(self) -> str:
        return repr(dict(self.items()))


def merged_headers(*layers: Mapping[str, str]) -> Headers:
    """One :class:`Headers` of ``layers``, a later layer's header replacing an earlier one of
    the same name (any case)."""
    out = Headers()
    for layer in layers:
        if layer:
            out.update(layer)
    return out


def url_origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``, lower-cased, with the scheme's default port filled in:
    ``https://API.x.com/a`` and ``https://api.x.com:443/b`` have the same origin."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # not a number: no origin of ours has such a port
        port = -1
    return scheme, (parts.hostname or "").lower(), port or (443 if scheme == "https" else 80)
