"""Secrets from credentials=, the environment and a credentials file with profiles."""

from __future__ import annotations

import os
import pathlib

import pytest
import responses as responses_lib

import specclient
from specclient import Credentials, CredentialsFileError, MissingCredentialError
from specclient.cli import main
from specclient.credentials import default_credentials_path

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

FILE = """\
default:
  THIRDWATCH_API_KEY: tw-default-key
sandbox:
  THIRDWATCH_API_KEY: tw-sandbox-key
  INGRAM_WEBHOOK_SECRET: [new-hook-secret, old-hook-secret]
  NUMBER: 12345
production:
  THIRDWATCH_API_KEY: tw-production-key
"""
TW_URL = "https://api.thirdwatch.ai/event/v1/order_status"


@pytest.fixture
def creds_file(tmp_path, monkeypatch) -> pathlib.Path:
    path = tmp_path / "credentials.yaml"
    path.write_text(FILE)
    path.chmod(0o600)
    monkeypatch.setenv("SPECCLIENT_CREDENTIALS", str(path))
    return path


def test_default_location_follows_xdg_and_the_override(monkeypatch, tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert default_credentials_path(env) == str(tmp_path / "specclient" / "credentials.yaml")
    env["SPECCLIENT_CREDENTIALS"] = "/etc/x.yaml"
    assert default_credentials_path(env) == "/etc/x.yaml"
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_credentials_path() == str(tmp_path / ".config/specclient/credentials.yaml")


def test_profiles_and_precedence(creds_file, monkeypatch):
    assert Credentials().get("THIRDWATCH_API_KEY") == "tw-default-key"
    assert Credentials(profile="sandbox").get("THIRDWATCH_API_KEY") == "tw-sandbox-key"
    monkeypatch.setenv("SPECCLIENT_PROFILE", "production")
    assert Credentials().get("THIRDWATCH_API_KEY") == "tw-production-key"
    assert Credentials(profile="sandbox").get("THIRDWATCH_API_KEY") == "tw-sandbox-key"
    # the environment beats the file; credentials= beats both
    monkeypatch.setenv("THIRDWATCH_API_KEY", "tw-env-key")
    assert Credentials().get("THIRDWATCH_API_KEY") == "tw-env-key"
    assert Credentials({"THIRDWATCH_API_KEY": "tw-given"}).get("THIRDWATCH_API_KEY") \
        == "tw-given"


def test_several_values_and_non_string_scalars(creds_file):
    c = Credentials(profile="sandbox")
    assert c.get_all("INGRAM_WEBHOOK_SECRET") == ["new-hook-secret", "old-hook-secret"]
    assert c.get("INGRAM_WEBHOOK_SECRET") == "new-hook-secret"
    assert c.get("NUMBER") == "12345"
    with pytest.raises(MissingCredentialError) as e:
        c.get("NOPE", "svc.op")
    assert str(e.value) == ("svc.op: missing secret 'NOPE': set it in credentials=, the "
                            "environment, or the credentials file")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o660])
def test_a_file_group_or_others_can_access_is_refused(creds_file, mode):
    creds_file.chmod(mode)
    with pytest.raises(CredentialsFileError) as e:
        Credentials().get("THIRDWATCH_API_KEY")
    assert str(e.value) == (f"credentials file {creds_file}: is accessible by group or others "
                            f"(mode {mode:04o}); refusing to use it. Run: chmod 600 "
                            f"{creds_file}")
    assert "tw-" not in str(e.value)


def test_an_unsafe_file_is_not_read_when_nothing_is_needed_from_it(creds_file):
    creds_file.chmod(0o644)
    assert Credentials({"THIRDWATCH_API_KEY": "given"}).get("THIRDWATCH_API_KEY") == "given"


def test_unknown_profile_bad_yaml_and_bad_shape(creds_file, tmp_path, monkeypatch):
    with pytest.raises(CredentialsFileError) as e:
        Credentials(profile="staging").get("X")
    assert str(e.value) == (f"credentials file {creds_file}: has no profile 'staging' (it has "
                            "default, production, sandbox)")
    creds_file.write_text("default:\n  A: [unclosed\n")
    with pytest.raises(CredentialsFileError) as e:
        Credentials().get("A")
    assert e.value.line == 3 and str(e.value).startswith(f"credentials file {creds_file}:3: ")
    creds_file.write_text("A: secret-value-here\n")
    with pytest.raises(CredentialsFileError) as e:
        Credentials().get("A")
    assert "secret-value-here" not in str(e.value)
    assert str(e.value).endswith("expected profiles at the top level, each a mapping of "
                                 "secret names to values")


def test_missing_file_is_fine_unless_named_or_a_profile_is_asked_for(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert Credentials().find("X") is None
    with pytest.raises(CredentialsFileError, match="not found, so profile 'sandbox' has no"):
        Credentials(profile="sandbox").find("X")
    with pytest.raises(CredentialsFileError, match="not found"):
        Credentials(file=tmp_path / "nope.yaml").find("X")
    assert Credentials(file=False, profile="sandbox").find("X") is None


def test_repr_hides_values(creds_file):
    c = Credentials({"THIRDWATCH_API_KEY": "tw-given"}, profile="sandbox")
    c.get("INGRAM_WEBHOOK_SECRET")
    assert repr(c) == "<Credentials: 1 given explicitly, profile 'sandbox', values hidden>"


def test_client_profile_and_cli_profile_reach_the_wire(creds_file, capsys):
    with responses_lib.RequestsMock() as rsps:
        rsps.post(TW_URL, json={"status": "OK"})
        rsps.post(TW_URL, json={"status": "OK"})
        specclient.Client(profile="sandbox").call("thirdwatch.order_status",
                                                  body={"_userId": "u1"})
        assert main(["call", "thirdwatch.order_status", "--body", '{"_userId": "u1"}',
                     "--profile", "production"]) == 0
        keys = [c.request.headers["X-THIRDWATCH-API-KEY"] for c in rsps.calls]
    assert keys == ["tw-sandbox-key", "tw-production-key"]
    assert capsys.readouterr().out == '{"status":"OK"}\n'  # compact JSON on a pipe
    with pytest.raises(ValueError, match="give profile= to the Credentials object"):
        specclient.Client(credentials=Credentials(), profile="x")
