"""Files on disk: the credentials file is read exactly as written and only when it is yours;
the cache is used only when nobody else can write to it."""

from __future__ import annotations

import json
import logging
import os

import pytest
import responses

import specclient
from specclient.credentials import Credentials
from specclient.spec import index

AS_WRITTEN = ["0012345", "0x1F", "1_000", "12:30:45", "yes", "no", "on", "off", "true",
              "False", "~", "null", "1e3", ".inf", "-.nan", "0o17", "2026-12-03",
              "2026-12-03T10:00:00Z", "+12", "0b101", "1,000", "010"]


def creds_file(tmp_path, body: str, mode: int = 0o600):
    path = tmp_path / "credentials.yaml"
    path.write_text(body)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("text", AS_WRITTEN)
def test_a_credential_value_is_the_text_as_written(tmp_path, text):
    path = creds_file(tmp_path, f"default:\n  KEY: {text}\n")
    assert Credentials(file=path, environ={}).get("KEY") == text


def test_values_are_sent_as_written(tmp_path):
    path = creds_file(tmp_path, "default:\n  THIRDWATCH_API_KEY: 0012345\n")
    client = specclient.Client(credentials=Credentials(file=path, environ={}))
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, "https://api.thirdwatch.ai/event/v1/order_status",
                 json={"status": "OK"})
        client.call("thirdwatch.order_status", {"_userId": "u"})
        assert rsps.calls[0].request.headers["X-THIRDWATCH-API-KEY"] == "0012345"


def test_a_list_still_gives_several_values_each_as_written(tmp_path):
    path = creds_file(tmp_path, "default:\n  KEY: [0012345, yes, '0x1F']\n")
    assert Credentials(file=path, environ={}).get_all("KEY") == ["0012345", "yes", "0x1F"]


@pytest.mark.parametrize("value", [12345, 1.5, True, b"bytes", {"a": 1}])
def test_a_non_string_value_given_in_python_is_refused_naming_the_key(value):
    with pytest.raises(TypeError) as info:
        Credentials({"API_KEY": value}, environ={})
    assert "credentials['API_KEY']" in str(info.value)
    assert repr(value) not in str(info.value) or value is True


@pytest.mark.parametrize("body,secret", [
    ("default:\n  KEY: 'unterminated-s3cr3t-value\n", "s3cr3t"),
    ("default:\n  KEY: \"bad \\q-esc4pe-s3cr3t\"\n", "s3cr3t"),
    ("default:\n  KEY: s3cr3t: more\n", "s3cr3t"),
    ("default:\n  KEY: [s3cr3t-in-a-list\n", "s3cr3t"),
    ("default:\n\tKEY: tab-s3cr3t\n", "s3cr3t"),
])
def test_a_syntax_error_never_quotes_a_value(tmp_path, body, secret):
    path = creds_file(tmp_path, body)
    with pytest.raises(specclient.CredentialsFileError) as info:
        Credentials(file=path, environ={}).get("KEY")
    assert secret not in str(info.value) and "not valid YAML" in str(info.value)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o666, 0o644])
def test_a_file_others_can_read_is_refused(tmp_path, mode):
    path = creds_file(tmp_path, "default: {KEY: v}\n", mode)
    with pytest.raises(specclient.CredentialsFileError, match="chmod 600"):
        Credentials(file=path, environ={}).get("KEY")


def test_a_file_owned_by_another_user_is_refused(tmp_path):
    path = creds_file(tmp_path, "default: {KEY: value-of-someone-else}\n")
    try:
        os.chown(path, os.getuid() + 4242, -1)
    except PermissionError:
        pytest.skip("changing a file's owner needs root")
    with pytest.raises(specclient.CredentialsFileError) as info:
        Credentials(file=path, environ={}).get("KEY")
    assert "owned by another user" in str(info.value)
    assert "value-of-someone-else" not in str(info.value)


# ------------------------------------------------------------------ the cache


@pytest.fixture
def fresh_trust(monkeypatch):
    """Each test works the cache's trust out afresh (it is remembered per process)."""
    monkeypatch.setattr(index, "_TRUSTED", {})


def _plant(cache_dir, specs_dir):
    """Run once to fill the cache, then plant a changed environment in every cached parse of
    service.yaml (what an attacker with write access to the cache would do)."""
    specclient.Client([specs_dir], include_bundled=False).operation("svc.op")
    planted = 0
    for entry in cache_dir.rglob("*.json"):
        text = entry.read_text()
        if "https://api.example.com" in text:
            entry.write_text(text.replace("https://api.example.com", "https://evil.example"))
            planted += 1
    assert planted, "the cache held the service file"


def _specs(tmp_path):
    svc = tmp_path / "specs" / "svc"
    (svc / "operations").mkdir(parents=True)
    (svc / "service.yaml").write_text(
        "environments: {main: 'https://api.example.com'}\n"
        "auth: {k: {type: api_key, in: header, name: X-Key, secret: KEY}}\n"
        "defaults: {auth: k}\n")
    (svc / "operations" / "op.yaml").write_text("method: GET\npath: /x\n")
    return tmp_path / "specs"


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757, 0o1777])
def test_a_cache_others_can_write_is_not_used(tmp_path, monkeypatch, fresh_trust, caplog, mode):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(cache))
    specs = _specs(tmp_path)
    _plant(cache, specs)
    cache.chmod(mode)
    index._TRUSTED.clear()
    with caplog.at_level(logging.WARNING, "specclient"):
        client = specclient.Client([specs], include_bundled=False, credentials={"KEY": "k" * 8})
        assert client.prepare("svc.op").url == "https://api.example.com/x"
    assert any("not using the cache directory" in r.getMessage() for r in caplog.records)


def test_a_planted_file_in_a_trusted_cache_is_ignored_unless_it_is_yours(tmp_path, monkeypatch,
                                                                        fresh_trust):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(cache))
    specs = _specs(tmp_path)
    _plant(cache, specs)
    for entry in cache.rglob("*.json"):
        entry.chmod(0o666)  # writable by anyone: not trusted
    client = specclient.Client([specs], include_bundled=False, credentials={"KEY": "k" * 8})
    assert client.prepare("svc.op").url == "https://api.example.com/x"


def test_a_cache_owned_by_another_user_is_not_used(tmp_path, monkeypatch, fresh_trust):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(cache))
    specs = _specs(tmp_path)
    _plant(cache, specs)
    try:
        os.chown(cache, os.getuid() + 4242, -1)
    except PermissionError:
        pytest.skip("changing a folder's owner needs root")
    index._TRUSTED.clear()
    client = specclient.Client([specs], include_bundled=False, credentials={"KEY": "k" * 8})
    assert client.prepare("svc.op").url == "https://api.example.com/x"


def test_a_missing_cache_is_made_private_and_used(tmp_path, monkeypatch, fresh_trust):
    cache = tmp_path / "new" / "cache"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(cache))
    specs = _specs(tmp_path)
    specclient.Client([specs], include_bundled=False).operation("svc.op")
    assert (cache.stat().st_mode & 0o777) == 0o700
    assert list(cache.rglob("*.json"))


def test_no_secret_is_ever_written_to_the_cache(tmp_path, monkeypatch, fresh_trust):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(cache))
    specs = _specs(tmp_path)
    secret = "cache-canary-s3cr3t-value"
    client = specclient.Client([specs], include_bundled=False, credentials={"KEY": secret})
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, "https://api.example.com/x", json={"echo": secret})
        client.call("svc.op")
    texts = "".join(p.read_text() for p in cache.rglob("*") if p.is_file())
    assert texts and secret not in texts
    assert json.loads(next(cache.rglob("*.json")).read_text())
