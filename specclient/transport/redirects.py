"""Which redirects a call follows, and the request it sends next.

The policy (a service may widen the first rule with ``redirects: cross_origin``, or turn
following off with ``redirects: never``):

- 301, 302, 303, 307 and 308 are followed, at most :data:`MAX_HOPS` times, only to the
  request's own origin (scheme, host and port);
- an idempotent request keeps its method and body, except after a 303, which turns it into a
  GET without a body; a non-idempotent request follows only a 303 (the server says where the
  result is: fetching it cannot repeat the request), never a 301/302/307/308 (which would send
  it again, or silently turn it into something else);
- never from https to plain http, whatever the setting;
- auth and signing are applied afresh for the new URL on the request's own origin; a hop to
  another origin (only with ``cross_origin``) carries no credentials, no signature, no
  ``Authorization`` / ``Cookie`` / ``Proxy-Authorization`` header given to the call, and no
  session auth.

Anything else is not followed: the 3xx answer comes back with the reason, and
:func:`specclient.response.check_status` raises :class:`specclient.RedirectError`.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import requests

from ..request import PreparedRequest, url_origin

__all__ = ["REDIRECT_STATUSES", "MAX_HOPS", "SETTINGS", "next_hop"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_HOPS = 5
#: The values of a service's ``redirects`` setting.
SETTINGS = ("same_origin", "cross_origin", "never")
#: Headers a call was given that never cross to another origin.
_PERSONAL = ("authorization", "cookie", "proxy-authorization")


def next_hop(base: PreparedRequest, sent: PreparedRequest, resp: requests.Response, *,
             idempotent: bool, redirects: str = "same_origin", hops: int = 0,
             max_hops: int = MAX_HOPS) -> tuple[PreparedRequest, bool] | str:
    """The request to send after ``resp`` (a 3xx answer to ``sent``) and whether it may carry
    credentials (True only on ``base``'s origin) — or, when the answer is not followed, why
    not (a sentence). ``base`` is the call's request before auth and signing."""
    status = resp.status_code
    if status not in REDIRECT_STATUSES:
        return f"HTTP {status} is not a redirect to follow"
    location = resp.headers.get("Location")
    if not location:
        return "the answer has no Location header"
    if redirects == "never":
        return "the service does not follow redirects (redirects: never)"
    try:
        url = urljoin(sent.url, location.strip())
        parts = urlsplit(url)
        target = url_origin(url)
    except ValueError:
        return "its Location is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "its Location is not an http(s) URL"
    if urlsplit(sent.url).scheme == "https" and parts.scheme != "https":
        return "it would leave https for plain http"
    home = url_origin(base.url)
    if target != home and redirects != "cross_origin":
        return ("its Location is on another origin (a service may allow that with "
                "redirects: cross_origin; credentials never go there)")
    get = status == 303
    if not idempotent and not get:
        return (f"the request is not idempotent: following a {status} would send it again "
                f"(only a 303 is followed, as a GET)")
    if hops >= max_hops:
        return f"more than {max_hops} redirects"
    headers = base.headers.copy()
    body, json_body = base.body, base.json
    method = base.method
    if get and method != "HEAD":
        method, body, json_body = "GET", None, None
        headers.pop("Content-Type", None)
    same = target == home
    if not same:
        for name in _PERSONAL:
            headers.pop(name, None)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    hop = PreparedRequest(base.operation, method, f"{parts.scheme}://{parts.netloc}", path, [],
                          headers, body, json_body, base.explicit_headers, base.path_params)
    return hop, same
