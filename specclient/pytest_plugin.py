"""pytest fixtures of specclient (registered through the ``pytest11`` entry point).

- ``specclient_mock``: a started :class:`specclient.testing.SpecMock`, stopped after the test.
- ``specclient_client``: the :class:`specclient.Client` it resolves operations with (bundled
  specs and ``SPECCLIENT_SPECS``). Override this fixture in your ``conftest.py`` to use your
  own spec folders or environment.

Nothing heavy is imported until a fixture is used; ``responses`` only by ``specclient_mock``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def specclient_client() -> Iterator[Any]:
    """The client ``specclient_mock`` resolves operation names and URLs with."""
    # the plugin loads specclient only when a test asks for the fixture
    from specclient import Client

    client = Client()
    yield client
    client.close()


@pytest.fixture
def specclient_mock(specclient_client: Any) -> Iterator[Any]:
    """Mock operations by name: ``specclient_mock.add("svc.op", json={...})``."""
    # the plugin loads specclient only when a test asks for the fixture
    from specclient.testing import SpecMock

    with SpecMock(specclient_client) as mock:
        yield mock
