"""Shared fixtures. Nothing here reaches the network: `responses` intercepts every request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import pathlib
import shutil
import tempfile

import pytest
import responses as responses_lib

import specclient

REPO = pathlib.Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"

CREDS = {
    "THIRDWATCH_API_KEY": "tw-key-0123456789",
    "INGRAM_CLIENT_ID": "ingram-client-id-42",
    "INGRAM_CLIENT_SECRET": "ingram-client-secret-xyz",
    "INGRAM_WEBHOOK_SECRET": "ingram-webhook-secret-abc",
}

INGRAM_TOKEN_URL = "https://api.ingrammicro.com:443/oauth/oauth30/token"
INGRAM_SANDBOX = "https://api.ingrammicro.com:443/sandbox"
INGRAM_URL = INGRAM_SANDBOX + "/resellers/v1/webhooks/orderstatusevent"
THIRDWATCH_URL = "https://api.thirdwatch.ai/event/v1/order_status"


def hub_signature(secret: str, event_id: str) -> str:
    """Ingram's x-hub-signature, computed independently of specclient (FACTS.md)."""
    mac = hmac.new(secret.encode(), event_id.encode(), hashlib.sha512).digest()
    return base64.b64encode(mac).decode()


#: The folder that stands in for the user's home, cache and config folders for the whole run.
_HOME: str | None = None


def pytest_configure(config):
    """Before any test module is imported (some build a ``Client`` at import time), the user's
    home, cache and config folders are replaced by fresh empty ones, so no test reads the
    developer's credentials or writes to the real cache, even at collection time."""
    global _HOME
    _HOME = tempfile.mkdtemp(prefix="specclient-tests-")
    for name, sub in (("HOME", "home"), ("XDG_CACHE_HOME", "cache"),
                      ("XDG_CONFIG_HOME", "config")):
        folder = os.path.join(_HOME, sub)
        os.makedirs(folder, exist_ok=True)
        os.environ[name] = folder
    config.addinivalue_line("markers", "slow: a slower test (system tests: loopback servers, "
                                       "subprocesses, kill -9, load); `-m 'not slow'` skips them")


def pytest_unconfigure(config):
    if _HOME is not None:
        shutil.rmtree(_HOME, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """Every test under tests/system/ is slow."""
    system = REPO / "tests" / "system"
    for item in items:
        if system in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)


def test_home() -> str:
    """The stand-in home folder of this run (see :func:`pytest_configure`)."""
    assert _HOME is not None
    return _HOME


test_home.__test__ = False  # a helper, not a test


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path_factory):
    """Tests never see the developer's own secrets, credentials file, spec folders or cache."""
    for key in list(os.environ):
        if key.startswith(("INGRAM_", "THIRDWATCH_", "SPECCLIENT_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))  # spec index


@pytest.fixture
def client():
    c = specclient.Client(credentials=CREDS)
    yield c
    c.close()


@pytest.fixture
def mocked():
    with responses_lib.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def ingram_example(client):
    import copy

    return copy.deepcopy(client.operation("ingram.order_status_event").body.example)


def sigint_default() -> None:
    """``preexec_fn`` for a child that a test stops with Ctrl-C: a shell running the suite
    without job control (``cmd &`` in a script) starts it with SIGINT ignored, and Python
    keeps an ignored SIGINT ignored, so the child would never see the KeyboardInterrupt."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def count_parses(monkeypatch) -> list[str]:
    """Start counting YAML parses: the returned list gets each parsed file's name, in order."""
    from specclient.spec import yamlio

    seen: list[str] = []
    real = yamlio.loads_yaml

    def counting(data, name="<string>"):
        seen.append(os.path.basename(name))
        return real(data, name)

    monkeypatch.setattr(yamlio, "loads_yaml", counting)
    return seen
