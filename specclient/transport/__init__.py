"""Sending: the one path every HTTP request of the client takes (timeouts, retries, TLS,
proxies), over ``requests``."""

from .send import IDEMPOTENT_METHODS, RetryPolicy, resolve_timeout, send_with_retries

__all__ = ["IDEMPOTENT_METHODS", "RetryPolicy", "resolve_timeout", "send_with_retries"]
