"""Sending: the one path every HTTP request of a client takes (:class:`Transport`), over
``requests``. ``policy`` (timeouts, retries, ``Retry-After``), ``environment`` (TLS and proxies,
one precedence rule), ``wire`` (our request as ``requests`` sends it; the last header check),
``redirects`` (which are followed), ``send`` (the transport, the retry loop, one call's whole
exchange)."""

from .policy import IDEMPOTENT_METHODS, RetryPolicy, resolve_timeout
from .send import Sent, Transport, exchange, send_with_retries

__all__ = ["IDEMPOTENT_METHODS", "RetryPolicy", "resolve_timeout", "Sent", "Transport",
           "exchange", "send_with_retries"]
