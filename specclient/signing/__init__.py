"""Signing rules, looked up by the ``type`` a service's YAML gives them (see
:func:`register_signer`), and the receiving side: :func:`verify_webhook`."""

from .signers import SIGNER_TYPES, HeaderLookup, HmacSigner, Signer, Template, register_signer

__all__ = ["SIGNER_TYPES", "HeaderLookup", "HmacSigner", "Signer", "Template",
           "register_signer"]
