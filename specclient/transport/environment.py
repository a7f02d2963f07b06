"""TLS and proxy settings of one request, chosen as ``requests`` would choose them from the
session and the environment as they are at the time of the call.

TLS precedence, one rule for every request the client makes (token requests included):
``Client(verify=...)`` (False, or a CA bundle path) wins; then the session's own ``verify`` if
the user changed it; then ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` when the session trusts
the environment; else True (verify with certifi's bundle). The client certificate is the
session's ``cert``. Verification is never turned back on once turned off, and never off unless
asked.
"""

from __future__ import annotations

import os
import threading
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import requests
import requests.utils
from requests.sessions import merge_setting

__all__ = ["tls_settings", "proxy_settings"]


def tls_settings(session: requests.Session, url: str,
                 verify: bool | str | None) -> dict[str, Any]:
    """``verify`` and ``cert`` for one request, as ``requests.Session.request`` would choose them.

    An explicit ``verify`` (False, or a CA bundle path) wins; then the session's own setting if
    the user changed it; then ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` (when the session
    trusts the environment); else True. Verification is never turned off here.

    Read afresh on every call (the environment and the session may change between calls). For
    a plain :class:`requests.Session` these are the rules of its ``merge_environment_settings``
    for ``verify`` and ``cert``, applied without the environment proxy lookup that method also
    does (it scans the whole environment twice, and its proxies would be thrown away here:
    :func:`proxy_settings` chooses them). A session class with its own
    ``merge_environment_settings`` is asked as before.
    """
    if verify is None and session.verify is not True:
        verify = session.verify  # the user configured their session: keep it over the env
    if type(session).merge_environment_settings is not _MERGE_ENVIRONMENT_SETTINGS:
        merged = session.merge_environment_settings(url, {}, None, verify, None)
        return {"verify": merged["verify"], "cert": merged["cert"]}
    if session.trust_env and (verify is True or verify is None):
        verify = (os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                  or verify)
    return {"verify": merge_setting(verify, session.verify),
            "cert": merge_setting(None, session.cert)}


_MERGE_ENVIRONMENT_SETTINGS = requests.Session.merge_environment_settings


def proxy_settings(session: requests.Session, url: str) -> dict[str, str]:
    """The proxies for one request to ``url``: what ``requests.Session.send`` works out itself
    (``requests.utils.resolve_proxies``) when given none, for the session and environment as
    they are now.

    The session's own ``proxies`` win over the environment's (``http_proxy``, ``all_proxy``...,
    when the session trusts the environment), and ``no_proxy`` (the session's, else the
    environment's) exempts matching hosts. Computed here, and passed to ``send``, because
    ``resolve_proxies`` scans the whole environment three times per request (~0.1 ms each
    for a typical environment). The answer depends only on the URL's scheme and host, the
    session's ``proxies`` and ``trust_env``, and ``os.environ`` (where proxies come from the
    environment alone, as on Linux; elsewhere the system's settings are asked every time), so
    it is remembered for as long as the proxy variables (:data:`_PROXY_VARIABLES`) keep the
    values they had when it was worked out.
    """
    proxies = session.proxies if session.proxies is not None else {}
    if not session.trust_env:
        return proxies.copy()
    key: tuple[Any, ...] | None = None
    if _proxies_from_environment_only():
        try:
            # scheme://host:port and the rest up to the path: all of the URL the answer uses
            key = ("/".join(url.split("/", 3)[:3]), tuple(proxies.items()))
            hash(key)
        except TypeError:  # odd values in session.proxies: not remembered
            key = None
    if key is None:
        return _resolve_proxies(proxies, url)
    env = _environment()
    snapshot, known = _PROXY_CACHE
    if env == snapshot:
        hit = known.get(key)
        if hit is not None:
            return hit.copy()
    chosen = _resolve_proxies(proxies, url)
    with _PROXY_CACHE_LOCK:
        if _environment() == env:  # the environment did not change while we looked
            snapshot, known = _PROXY_CACHE
            if snapshot != env or len(known) >= _PROXY_CACHE_SIZE:
                known = {}
                _set_proxy_cache(env, known)
            known[key] = chosen.copy()
    return chosen


#: The variables that decide the proxies of an http(s) URL on a platform whose proxy settings
#: come from the environment alone: urllib's ``getproxies_environment`` keeps ``*_proxy``
#: (lower case first) and ignores ``HTTP_PROXY`` under CGI (``REQUEST_METHOD``); of those,
#: only the URL's scheme, ``all`` and ``no_proxy`` are used (:func:`_resolve_proxies`).
_PROXY_VARIABLES = tuple(v for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
                         for v in (name, name.upper())) + ("REQUEST_METHOD",)
_PROXY_KEYS: tuple[Any, ...] = tuple(v.encode() for v in _PROXY_VARIABLES) \
    if os.supports_bytes_environ else _PROXY_VARIABLES


def _environment() -> tuple[Any, ...]:
    """The values of :data:`_PROXY_VARIABLES` now, through the environment's public mapping
    (bytes where the platform has them: nothing decoded; ~1 us, where copying the whole
    environment took ~14 us and requests' own scans ~100 us each)."""
    env = os.environb if os.supports_bytes_environ else os.environ
    get = env.get
    return tuple([get(k) for k in _PROXY_KEYS])  # type: ignore[arg-type]


def _resolve_proxies(proxies: Mapping[str, str], url: str) -> dict[str, str]:
    """``requests.utils.resolve_proxies`` for a session that trusts the environment, without
    its second, identical ``should_bypass_proxies`` check (inside ``get_environ_proxies``)."""
    chosen = dict(proxies)
    if not requests.utils.should_bypass_proxies(url, no_proxy=proxies.get("no_proxy")):
        env = requests.utils.getproxies()
        scheme = urlparse(url).scheme
        proxy = env.get(scheme, env.get("all"))
        if proxy:
            chosen.setdefault(scheme, proxy)
    return chosen


def _proxies_from_environment_only() -> bool:
    """True where requests' proxy lookups read nothing but ``os.environ`` (not the Windows
    registry or macOS system settings, which can change without the environment changing)."""
    return (requests.utils.getproxies is urllib.request.getproxies_environment
            and requests.utils.proxy_bypass is urllib.request.proxy_bypass_environment)


def _set_proxy_cache(snapshot: tuple[Any, ...], known: dict[Any, dict[str, str]]) -> None:
    global _PROXY_CACHE
    _PROXY_CACHE = (snapshot, known)


#: (the proxy variables' values, {(URL scheme and host, session proxies): proxies}).
_PROXY_CACHE: tuple[tuple[Any, ...] | None, dict[Any, dict[str, str]]] = (None, {})
_PROXY_CACHE_LOCK = threading.Lock()
_PROXY_CACHE_SIZE = 256
