"""The built-in mock: answers every operation from its spec (in process, or as a server)."""

from .app import (
    AUTH_CHECKS,
    TOKEN_LIFETIME,
    DemoCredentials,
    MockAdapter,
    MockApp,
    MockExchange,
    MockReply,
    MockServer,
    demo_secret,
    format_verdict,
    register_auth_check,
)

__all__ = ["AUTH_CHECKS", "TOKEN_LIFETIME", "DemoCredentials", "MockAdapter", "MockApp",
           "MockExchange", "MockReply", "MockServer", "demo_secret", "format_verdict",
           "register_auth_check"]
