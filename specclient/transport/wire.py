"""Our :class:`~specclient.request.PreparedRequest` as ``requests`` sends it, bytes untouched,
and the last check before the wire: header values that cannot be sent as they are."""

from __future__ import annotations

from collections.abc import Mapping
from http.cookiejar import Cookie
from typing import Any

import requests
import requests.auth
from requests.cookies import RequestsCookieJar, get_cookie_header

from ..errors import ArgumentError
from ..request import Headers, PreparedRequest

__all__ = ["to_requests", "adopt", "check_headers", "CookieJar"]


def to_requests(req: PreparedRequest, session: requests.Session, *,
                session_auth: bool = False) -> requests.PreparedRequest:
    """Our request as a ``requests.PreparedRequest``, URL and body bytes untouched (nothing is
    re-encoded), with what the user's ``session`` adds as ``requests`` itself would add it:
    its headers (ours win; added to ``req.headers``, so ``req`` stays the request as sent),
    its cookies, its response hooks, and — only with ``session_auth``, for an operation whose
    spec declares no auth — its ``auth``. Session ``params`` are merged into the query before
    auth and signing, by :func:`adopt`. Cookies a response sets are stored in the session's
    jar by :meth:`~specclient.transport.Transport.send`."""
    p = requests.PreparedRequest()
    p.method = req.method
    p.url = req.url
    headers = req.headers  # this attempt's own: what the session adds is added to it, so the
    if not isinstance(headers, Headers):  # request as sent is what was sent
        headers = req.headers = Headers(headers)
    headers.add_missing(session.headers)
    if req.body is not None:
        headers["Content-Length"] = str(len(req.body))
    elif req.method not in ("GET", "HEAD"):
        headers["Content-Length"] = "0"
    p.headers = headers
    p.body = req.body
    jar = session.cookies
    if not (jar.__class__ is CookieJar and jar.never_set) and len(jar):
        # the jar's cookies for this URL, unless a Cookie header is set already
        cookie = get_cookie_header(jar, p)
        if cookie is not None:
            headers["Cookie"] = cookie
    for hook in session.hooks.get("response", ()):
        p.register_hook("response", hook)
    if session_auth and session.auth is not None:
        auth = session.auth
        if isinstance(auth, tuple) and len(auth) == 2:
            auth = requests.auth.HTTPBasicAuth(*auth)
        p = auth(p) or p
    return p


class CookieJar(RequestsCookieJar):
    """A client's own session's jar: ``requests``' own, which also knows when no cookie has
    ever been set in it, so a request need not count an empty jar (``len`` walks the whole jar,
    ~1 µs a request). Every way a cookie enters a jar — a response's ``Set-Cookie``, ``set``,
    ``update``, ``jar[name] = ...`` — goes through :meth:`set_cookie`."""

    never_set = True

    def set_cookie(self, cookie: Cookie, *args: Any, **kwargs: Any) -> None:
        self.never_set = False
        super().set_cookie(cookie, *args, **kwargs)


def adopt(req: PreparedRequest, session: requests.Session) -> None:
    """Merge the session's ``params`` into ``req``'s query as ``requests`` merges them: a
    parameter the call sets wins over the session's of the same name."""
    params = session.params
    if not params:
        return
    items = params.items() if isinstance(params, Mapping) else params
    taken = {k for k, _ in req.query}
    for name, value in items:
        if value is None or name in taken:
            continue
        for v in value if isinstance(value, (list, tuple)) else [value]:
            req.query.append((str(name), str(v)))


def _sendable(text: str) -> bool:
    """Whether header text can go on the wire: no CR, LF or NUL, nothing beyond Latin-1.
    (Not a regex: a character class up to U+10FFFF takes ~10 ms to compile at start-up.)"""
    if "\r" in text or "\n" in text or "\0" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def check_headers(operation: str, req: PreparedRequest) -> None:
    """Refuse a header that cannot go on the wire as it is: a line break or NUL (often a
    secret read from a file with its trailing newline), or characters outside Latin-1.
    Checked after auth and signing, and the value is never shown (it may be a secret)."""
    if _sendable("".join([v for _, v in req.headers.lower_items()])):
        return  # the usual case: one scan of all the values, then which header is found below
    for name, value in req.headers.items():
        if any(c in value for c in "\r\n\0"):
            why = "contains a line break (CR/LF) or NUL"
        else:
            try:
                value.encode("latin-1")
                continue
            except UnicodeEncodeError:
                why = "has characters HTTP headers cannot carry (only Latin-1)"
        raise ArgumentError(operation, f"header {name!r} {why}; refused, nothing was sent. If "
                                       f"auth or signing sets it, check that secret's value "
                                       f"(a trailing newline?)", name)
