"""Signing rules, looked up by the ``type`` a service's YAML gives them (see
:func:`register_signer`): ``base`` (the registry and :class:`Signer`), ``template`` (message
templates), ``message`` (the parts of a request they read), ``hmac_rule`` (``type: hmac``);
and the receiving side, ``webhooks`` (:func:`specclient.Client.verify_webhook`)."""

from .base import SIGNER_TYPES, Signer, register_signer
from .hmac_rule import HmacSigner
from .message import HeaderLookup
from .template import Template

__all__ = ["SIGNER_TYPES", "HeaderLookup", "HmacSigner", "Signer", "Template",
           "register_signer"]
