"""The ``specclient`` command: a thin layer over the public Python API."""

from .main import main

__all__ = ["main"]
