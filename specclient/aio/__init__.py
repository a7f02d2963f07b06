"""Async I/O: :class:`AsyncClient` (the client's stages, awaited) on aiohttp."""

from .client import AsyncClient, AsyncPaginator, arun
from .transport import AsyncTransport

__all__ = ["AsyncClient", "AsyncPaginator", "AsyncTransport", "arun"]
