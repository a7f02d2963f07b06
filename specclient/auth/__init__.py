"""Auth schemes, looked up by the ``type`` a service's YAML gives them (see
:func:`register_auth`)."""

from .schemes import (
    AUTH_TYPES,
    AuthContext,
    AuthScheme,
    TokenCache,
    follow_base_url,
    register_auth,
    url_origin,
)

__all__ = ["AUTH_TYPES", "AuthContext", "AuthScheme", "TokenCache", "follow_base_url",
           "register_auth", "url_origin"]
