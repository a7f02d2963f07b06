"""The deadline while a response's status line and headers arrive.

A socket timeout bounds each wait for a byte, not the whole: a server that sends its headers
a byte every half second keeps ``timeout=(1, 1)`` waiting forever. The body is read by
:meth:`Transport.read <specclient.transport.send.Transport.read>`, which checks the deadline
between chunks; the headers are read inside ``http.client``, so a watchdog bounds them: one
thread, started when a request is in flight and gone when none is, shuts down the socket of a
request whose call's deadline has passed. The blocked read then fails at once, and the call
ends in :class:`~specclient.errors.TimeoutError`.

It works through the connection classes of :class:`DeadlineAdapter`, which a client's own
session mounts; a session you pass in keeps its own adapters (its calls' headers are bounded by
the socket timeout per byte only).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import requests.adapters
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

from .limits import CURRENT_LIMITS

__all__ = ["DeadlineAdapter", "Watchdog", "WATCHDOG"]


class Watchdog:
    """Calls ``abort`` for every armed entry whose deadline (monotonic) passes before it is
    disarmed. One daemon thread, alive only while something is armed."""

    POLL = 0.1

    def __init__(self) -> None:
        self._entries: dict[int, tuple[float, Callable[[], None]]] = {}
        self._next = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, abort: Callable[[], None]) -> int:
        with self._cond:
            self._next += 1
            handle = self._next
            self._entries[handle] = (deadline, abort)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="specclient-deadline",
                                                daemon=True)
                self._thread.start()
            return handle

    def disarm(self, handle: int) -> None:
        with self._cond:
            self._entries.pop(handle, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._entries:
                    self._thread = None
                    return
                now = time.monotonic()
                due = [h for h, (d, _) in self._entries.items() if d <= now]
                aborts = [self._entries.pop(h)[1] for h in due]
                wait = min([d for d, _ in self._entries.values()] + [now + self.POLL]) - now
            for abort in aborts:
                try:
                    abort()
                except OSError:
                    pass
            if not aborts:
                with self._cond:
                    self._cond.wait(max(0.0, min(wait, self.POLL)))


WATCHDOG = Watchdog()


def _watched(conn: HTTPConnection, getresponse: Callable[[], Any]) -> Any:
    left = CURRENT_LIMITS.get().remaining()
    if left is None:
        return getresponse()

    def abort() -> None:
        sock = conn.sock
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns at once

    handle = WATCHDOG.arm(time.monotonic() + max(left, 0.0), abort)
    try:
        return getresponse()
    finally:
        WATCHDOG.disarm(handle)


class _HTTPConnection(HTTPConnection):
    def getresponse(self) -> Any:  # type: ignore[override]
        return _watched(self, super().getresponse)


class _HTTPSConnection(HTTPSConnection):
    def getresponse(self) -> Any:  # type: ignore[override]
        return _watched(self, super().getresponse)


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """requests' own adapter, with connections whose status line and headers are read under
    the watchdog (see the module docstring). Everything else is HTTPAdapter's."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools are urllib3's own kind
            manager.pool_classes_by_scheme = _POOLS
        return manager
