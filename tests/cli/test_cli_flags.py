"""`specclient call` refuses option combinations where one option would silently do nothing:
usage error (exit 2) with a clear message, and nothing is sent."""

from __future__ import annotations

import json

import pytest
import responses

from conftest import CREDS, THIRDWATCH_URL
from specclient.cli import main


@pytest.fixture
def creds(monkeypatch):
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("extra", [(), ("--dry-run",)])
def test_show_secrets_without_curl_is_a_usage_error(capsys, creds, mocked, extra):
    mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
    code, out, err = run(capsys, "call", "thirdwatch.order_status", "_userId=u",
                         "--show-secrets", *extra)
    assert code == 2
    assert out == ""
    assert err == ("error: --show-secrets only applies to --curl (it shows the secrets in "
                   "the printed curl command); add --curl or drop --show-secrets\n")
    assert len(mocked.calls) == 0
    assert CREDS["THIRDWATCH_API_KEY"] not in out + err


def test_show_secrets_with_curl_still_shows_them(capsys, creds, mocked):
    code, out, _ = run(capsys, "call", "thirdwatch.order_status", "_userId=u", "--curl",
                       "--show-secrets")
    assert code == 0
    assert f"--header 'X-THIRDWATCH-API-KEY: {CREDS['THIRDWATCH_API_KEY']}'" in out
    assert len(mocked.calls) == 0


@pytest.mark.parametrize("extra", [(), ("--dry-run",)])
def test_body_and_example_together_is_a_usage_error(capsys, creds, mocked, extra):
    mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
    code, out, err = run(capsys, "call", "thirdwatch.order_status", "--example",
                         "--body", json.dumps({"_userId": "u"}), *extra)
    assert code == 2
    assert out == ""
    assert err == ("error: --body and --example both give the request body; use one (fields "
                   "such as name=value apply on top of either)\n")
    assert len(mocked.calls) == 0


def test_body_alone_and_example_alone_still_work(capsys, creds, mocked):
    code, out, err = run(capsys, "call", "thirdwatch.order_status", "--dry-run",
                         "--body", '{"_userId": "u"}')
    assert code == 0, err
    assert json.loads(out)["body"] == {"_userId": "u"}
    code, out, err = run(capsys, "call", "thirdwatch.order_status", "--dry-run", "--example")
    assert code == 0, err
    assert json.loads(out)["body"] is not None
    assert len(mocked.calls) == 0
