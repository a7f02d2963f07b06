"""Pagination, declared in YAML: how an operation's answers link to the next page, and where
its items are.

An operation (or its service's ``defaults``) declares one of four styles::

    pagination: {style: link}                       # Link: <...>; rel="next" (GitHub)
    pagination:                                     # a cursor from the body or a header
      style: cursor
      items: data                                   # where the items are (default: the body)
      cursor: body.data[-1].id                      # Stripe: the last item's id...
      param: starting_after                         # ...sent back as this query parameter
      has_more: body.has_more                       # stop when this is false
    pagination: {style: cursor, cursor: body.response_metadata.next_cursor, param: cursor}
    pagination: {style: page, param: page, start: 1, size_param: per_page, size: 100}
    pagination: {style: offset, param: offset, size_param: limit, size: 50}

An expression is ``body.`` followed by a path (``a.b``, ``items[0]``, ``data[-1].id``) or
``header.`` followed by a header name. Paging stops when the next link or cursor is missing
or empty, when ``has_more`` is false, when a page has no items (or, for ``page`` and
``offset`` with a known page size, fewer than a full page), when a cursor or link repeats,
or at ``max_pages`` / ``max_items``.

:class:`Pagination` is the declaration and the rule for the next page; the client sends each
page through its usual pipeline (:meth:`specclient.Client.paginate`); the mock pages with the
same rule (:func:`mock_page`). The format of the declaration is part of the spec format's
schema (:data:`specclient.spec.format_schema.PAGINATION_SCHEMA`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from .errors import PaginationError
from .request import PreparedRequest, url_origin
from .spec.format_schema import PAGINATION_SCHEMA
from .spec.format_schema import PAGINATION_STYLES as STYLES

__all__ = ["Pagination", "PaginationError", "Paginator", "PageWalk", "PAGINATION_SCHEMA", "lookup",
           "mock_page", "STYLES"]

_SEGMENT = re.compile(r"\[(-?[0-9]+)\]|([^.\[\]]+)")


def _path(text: str) -> list[str | int]:
    return [int(i) if i else name for i, name in _SEGMENT.findall(text)]


def _walk(value: Any, path: Iterable[str | int]) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or not -len(value) <= part < len(value):
                return None
            value = value[part]
        elif isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return None
    return value


def lookup(expression: str, body: Any, headers: Mapping[str, str]) -> Any:
    """The value of ``body.PATH`` or ``header.NAME`` in an answer; None where there is none."""
    if expression.startswith("header."):
        return headers.get(expression[7:])
    return _walk(body, _path(expression[4:]))


@dataclass(frozen=True)
class Pagination:
    """An operation's ``pagination`` declaration, read."""

    style: str
    items: str = ""
    cursor: str | None = None
    param: str | None = None
    has_more: str | None = None
    start: int | None = None
    size_param: str | None = None
    size: int | None = None

    @classmethod
    def from_spec(cls, decl: Mapping[str, Any]) -> Pagination:
        items = decl.get("items", "")
        return cls(style=decl["style"], items="" if items == "." else items,
                   cursor=decl.get("cursor"), param=decl.get("param"),
                   has_more=decl.get("has_more"), start=decl.get("start"),
                   size_param=decl.get("size_param"), size=decl.get("size"))

    @property
    def first(self) -> int:
        """The first page number or offset."""
        if self.start is not None:
            return self.start
        return 1 if self.style in ("page", "link") else 0

    def items_of(self, data: Any) -> list[Any]:
        """The items of one page's decoded body (empty when there are none)."""
        found = _walk(data, _path(self.items)) if self.items else data
        return found if isinstance(found, list) else []

    def first_query(self, query: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The first request's query: the page size asked for, unless the call sets it."""
        if self.size_param and self.size and not any(k == self.size_param for k, _ in query):
            return [*query, (self.size_param, str(self.size))]
        return query

    def page_size(self, query: list[tuple[str, str]]) -> int | None:
        """The page size in force: the call's own, else the declared one."""
        for k, v in query:
            if k == self.size_param and v.isdigit():
                return int(v)
        return self.size

    def next(self, data: Any, headers: Mapping[str, str], links: Mapping[str, Any],
             query: list[tuple[str, str]]) -> str | dict[str, str] | None:
        """Where the next page is, after an answer (``data``, ``headers``, parsed ``links``)
        to a request with ``query``: a URL (style link), the query parameters to change, or
        None when this was the last page."""
        if self.has_more is not None and not _truthy(lookup(self.has_more, data, headers)):
            return None
        if self.style == "link":
            nxt = links.get("next") or {}
            return nxt.get("url") or None
        assert self.param is not None  # required by the format for these styles
        if self.style == "cursor":
            assert self.cursor is not None
            value = lookup(self.cursor, data, headers)
            if value is None or value == "" or value is False:
                return None
            text = _text(value)
            if any(k == self.param and v == text for k, v in query):
                return None  # the same cursor again: the server would answer the same page
            return {self.param: text}
        items = self.items_of(data)
        size = self.page_size(query)
        if not items or (size is not None and len(items) < size):
            return None
        current = next((int(v) for k, v in query if k == self.param and v.lstrip("-").isdigit()),
                       self.first)
        step = 1 if self.style == "page" else len(items)
        return {self.param: str(current + step)}


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0", "no")
    return bool(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class PageWalk:
    """The requests of one paging, without I/O: ``request`` is the next to send; after its
    answer, :meth:`advance` works out the one after (False: that was the last page). A
    ``link`` to another origin raises :class:`PaginationError`; a request already sent ends
    the walk. Shared by the blocking and the async client."""

    def __init__(self, operation: str, pagination: Pagination, first: PreparedRequest):
        first.query = pagination.first_query(first.query)
        self.operation = operation
        self.pagination = pagination
        self.request = first
        self.origin = url_origin(first.url)
        self.seen = {first.url}

    def advance(self, resp: Any) -> bool:
        nxt = self.pagination.next(resp.data, resp.headers, resp.links, self.request.query)
        if nxt is None:
            return False
        req = self.request.copy()
        if isinstance(nxt, str):  # a Link: the same origin only, never elsewhere
            parts = urlsplit(urljoin(req.url, nxt))
            if url_origin(parts.geturl()) != self.origin:
                raise PaginationError(
                    f"{self.operation}: the next page's link leads to another origin "
                    f"({resp.redactor.url(parts.geturl())}); not followed, so no credentials "
                    f"go there")
            req.base_url = f"{parts.scheme}://{parts.netloc}"
            req.path = parts.path
            req.query = parse_qsl(parts.query, keep_blank_values=True)
        else:
            req.query = [(k, v) for k, v in req.query if k not in nxt] + list(nxt.items())
        if req.url in self.seen:  # the server led back to a page already fetched
            return False
        self.seen.add(req.url)
        self.request = req
        return True


class Paginator:
    """The items of every page, fetched lazily as they are iterated (``for item in ...``);
    :meth:`pages` gives the whole responses instead. ``max_items`` / ``max_pages`` stop early.
    Made by :meth:`specclient.Client.paginate`."""

    def __init__(self, pages: Callable[[], Iterator[Any]], pagination: Pagination,
                 max_items: int | None = None, max_pages: int | None = None):
        for name, value in (("max_items", max_items), ("max_pages", max_pages)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f"{name} must be a positive integer, not {value!r}")
        self._pages = pages
        self.pagination = pagination
        self.max_items = max_items
        self.max_pages = max_pages

    def pages(self) -> Iterator[Any]:
        """Each page's :class:`~specclient.Response`, fetched as the previous one is used."""
        count = 0
        for resp in self._pages():
            yield resp
            count += 1
            if self.max_pages is not None and count >= self.max_pages:
                return

    def __iter__(self) -> Iterator[Any]:
        count = 0
        for resp in self.pages():
            for item in self.pagination.items_of(resp.data):
                yield item
                count += 1
                if self.max_items is not None and count >= self.max_items:
                    return


# -- the mock's side: the same rule, answered


#: How many items a mocked paginated operation has in all, and its page size when neither the
#: request nor the spec says.
MOCK_TOTAL = 25
MOCK_PAGE_SIZE = 10


def mock_page(pagination: Pagination, body: Any, url_without_query: str,
              query: list[tuple[str, str]]) -> tuple[Any, dict[str, str]]:
    """The mock's answer for one page: ``body`` (the operation's example answer) with its items
    replaced by this page's share of :data:`MOCK_TOTAL` items made from its first item, and the
    fields or headers that lead to the next page. Returns (body, extra headers)."""
    body = copy.deepcopy(body)
    template = pagination.items_of(body)
    if not template:
        return body, {}
    size = pagination.page_size(query) or MOCK_PAGE_SIZE
    everything = [_nth(template[0], i) for i in range(MOCK_TOTAL)]
    start = _position(pagination, everything, query)
    page = everything[start:start + size]
    body = _assign(body, _path(pagination.items), page)
    more = start + size < MOCK_TOTAL
    headers: dict[str, str] = {}
    if pagination.has_more is not None:
        body, headers = _set(pagination.has_more, body, headers, more)
    if pagination.style == "link":
        if more:
            pname = pagination.param or "page"
            nxt = [(k, v) for k, v in query if k not in (pname, pagination.size_param)]
            nxt += [(pname, str(start // size + 2))]
            if pagination.size_param:
                nxt.append((pagination.size_param, str(size)))
            headers["Link"] = f'<{url_without_query}?{urlencode(nxt)}>; rel="next"'
    elif pagination.style == "cursor" and pagination.cursor is not None:
        if not _item_cursor(pagination):
            body, headers = _set(pagination.cursor, body, headers,
                                 f"page-{start + size}" if more else "")
    return body, headers


def _nth(item: Any, i: int) -> Any:
    """Item ``i`` of a mocked list: the template with its strings and numbers made unique."""
    if i == 0:
        return copy.deepcopy(item)
    if isinstance(item, str):
        return f"{item}_{i}"
    if isinstance(item, bool) or item is None:
        return item
    if isinstance(item, (int, float)):
        return item + i
    if isinstance(item, Mapping):
        return {k: _nth(v, i) for k, v in item.items()}
    if isinstance(item, list):
        return [_nth(v, i) for v in item]
    return item


def _item_cursor(p: Pagination) -> list[str | int] | None:
    """For a cursor read from an item (``body.data[-1].id``): the path within an item."""
    assert p.cursor is not None
    prefix = "body." + p.items + "[-1]" if p.items else "body[-1]"
    if p.cursor.startswith(prefix):
        return _path(p.cursor[len(prefix):])
    return None


def _position(p: Pagination, items: list[Any], query: list[tuple[str, str]]) -> int:
    given = next((v for k, v in query if k == (p.param or "page")), None)
    if given is None:
        return 0
    if p.style in ("page", "link"):
        return (int(given) - p.first) * (p.page_size(query) or MOCK_PAGE_SIZE) \
            if given.lstrip("-").isdigit() else 0
    if p.style == "offset":
        return int(given) - p.first if given.isdigit() else 0
    inside = _item_cursor(p)
    if inside is not None:
        for i, item in enumerate(items):
            if _text(_walk(item, inside)) == given:
                return i + 1
        return len(items)
    return int(given[5:]) if given.startswith("page-") and given[5:].isdigit() else len(items)


def _assign(body: Any, path: list[str | int], value: Any) -> Any:
    if not path:
        return value
    target = body
    for part in path[:-1]:
        nxt = _walk(target, [part])
        if nxt is None and isinstance(target, dict) and isinstance(part, str):
            nxt = target[part] = {}
        target = nxt
    last = path[-1]
    if isinstance(target, dict) and isinstance(last, str):
        target[last] = value
    elif isinstance(target, list) and isinstance(last, int) and -len(target) <= last < len(target):
        target[last] = value
    return body


def _set(expression: str, body: Any, headers: dict[str, str],
         value: Any) -> tuple[Any, dict[str, str]]:
    if expression.startswith("header."):
        headers[expression[7:]] = _text(value)
        return body, headers
    return _assign(body, _path(expression[4:]), value), headers
