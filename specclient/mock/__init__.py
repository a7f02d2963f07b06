"""The built-in mock: answers every operation from its spec, in process or as a server.

``app`` (:class:`MockApp`, the one core that checks and answers a request), ``routes`` (which
operation a URL reached; shared with :class:`specclient.testing.SpecMock`), ``adapter`` (the
in-process ``requests`` adapter) and ``server`` (the HTTP server of ``specclient mock``)."""

from .adapter import MockAdapter
from .app import (
    TOKEN_LIFETIME,
    DemoCredentials,
    MockApp,
    MockExchange,
    MockReply,
    demo_secret,
    escape_controls,
    format_verdict,
)
from .server import MockServer

__all__ = ["TOKEN_LIFETIME", "DemoCredentials", "MockAdapter", "MockApp", "MockExchange",
           "MockReply", "MockServer", "demo_secret", "escape_controls", "format_verdict"]
