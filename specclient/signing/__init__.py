"""Signing rules, looked up by the ``type`` a service's YAML gives them (see
:func:`register_signer`): ``base`` (the registry and :class:`Signer`), ``template`` (message
templates), ``message`` (the parts of a request they read), ``hmac_rule`` (``type: hmac``),
``aws_sigv4`` (``type: aws_sigv4``, AWS Signature Version 4); and the receiving side,
``webhooks`` (:func:`specclient.Client.verify_webhook`)."""

from .aws_sigv4 import AwsSigV4Signer
from .base import SIGNER_TYPES, Signer, register_signer
from .hmac_rule import HmacSigner
from .message import HeaderLookup
from .template import Template

__all__ = ["SIGNER_TYPES", "AwsSigV4Signer", "HeaderLookup", "HmacSigner", "Signer", "Template",
           "register_signer"]
