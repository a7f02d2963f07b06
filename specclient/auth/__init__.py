"""Auth schemes, looked up by the ``type`` a service's YAML gives them (see
:func:`register_auth`): ``base`` (the registry, :class:`AuthScheme`, :class:`AuthContext`,
the token cache), ``static`` (none, api_key, bearer, basic), ``oauth2`` (client
credentials) and ``oauth2_code`` (authorization code with PKCE, tokens on disk)."""

from .base import (
    AUTH_TYPES,
    AuthContext,
    AuthScheme,
    Presented,
    TokenCache,
    follow_base_url,
    register_auth,
    same_secret,
    url_origin,
)
from .oauth2 import OAuth2ClientCredentials
from .oauth2_code import OAuth2, OAuth2AuthorizationCode
from .static import ApiKey, Basic, Bearer, NoAuth, basic_header

__all__ = ["AUTH_TYPES", "AuthContext", "AuthScheme", "Presented", "same_secret",
           "TokenCache", "follow_base_url",
           "register_auth", "url_origin", "NoAuth", "ApiKey", "Bearer", "Basic",
           "OAuth2ClientCredentials", "OAuth2", "OAuth2AuthorizationCode", "basic_header"]
