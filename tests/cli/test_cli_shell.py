"""A shell without surprises, through the real entry point: unknown environments, missing
secrets, messages in shell words, JSON in violations, and did-you-mean for a body field."""

from __future__ import annotations

import subprocess
import sys

import pytest
from support.batch_support import cli_env

import specclient


def sc(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in cli_env().items()
            if not k.startswith(("THIRDWATCH_", "INGRAM_"))}
    return subprocess.run([sys.executable, "-m", "specclient", *args],
                          env={**base, **env}, capture_output=True, text=True, timeout=60)


KEY = {"THIRDWATCH_API_KEY": "tw-key-12345678"}


def test_a_misspelled_env_is_an_error_listing_the_services_environments():
    res = sc("call", "thirdwatch.order_status", "--example", "--dry-run", "--env", "prodution",
             **KEY)
    assert res.returncode == 2 and res.stdout == ""
    assert ("service 'thirdwatch' has no environment 'prodution'; it has production; did you "
            "mean 'production'?") in res.stderr


def test_specclient_env_naming_no_service_is_an_error_not_a_fallback():
    res = sc("call", "thirdwatch.order_status", "--example", "--dry-run", SPECCLIENT_ENV="prod",
             **KEY)
    assert res.returncode == 2
    assert "has no environment 'prod' (the client's environment" in res.stderr


def test_a_client_environment_another_service_has_falls_back_for_this_one():
    res = sc("call", "thirdwatch.order_status", "--example", "--dry-run",
             SPECCLIENT_ENV="sandbox", **KEY)  # Ingram's: Thirdwatch uses its default
    assert res.returncode == 0, res.stderr
    assert '"url": "https://api.thirdwatch.ai/event/v1/order_status"' in res.stdout


def test_python_client_environment_typo_is_an_error():
    c = specclient.Client(environment="prodution", credentials=KEY)
    with pytest.raises(specclient.ArgumentError, match="no environment 'prodution'"):
        c.prepare("thirdwatch.order_status", {"_userId": "u"}, dry_run=True)
    c = specclient.Client(credentials=KEY)
    with pytest.raises(specclient.ArgumentError, match="did you mean 'production'"):
        c.prepare("thirdwatch.order_status", {"_userId": "u"}, environment="prodution")


def test_a_dry_run_lists_every_missing_secret_once_with_placeholders():
    res = sc("call", "ingram.order_status_event", "--example", "--targeturl",
             "https://hooks.example.com/x", "--dry-run")
    assert res.returncode == 0, res.stderr
    assert ("note: not set: INGRAM_CLIENT_ID, INGRAM_CLIENT_SECRET, INGRAM_WEBHOOK_SECRET"
            in res.stderr)
    assert "export INGRAM_CLIENT_ID=... INGRAM_CLIENT_SECRET=... INGRAM_WEBHOOK_SECRET=..." \
        in res.stderr
    assert '"Authorization": "Bearer ***"' in res.stdout or '"Authorization": "***"' \
        in res.stdout
    curl = sc("call", "ingram.order_status_event", "--example", "--targeturl",
              "https://hooks.example.com/x", "--curl")
    assert curl.returncode == 0 and curl.stdout.startswith("curl ")
    assert "not set: INGRAM_CLIENT_ID" in curl.stderr


def test_messages_speak_shell():
    res = sc("call", "ingram.order_status_event", "eventId=e", "--dry-run")
    assert res.returncode == 2
    assert "missing required header parameter 'targeturl' (--targeturl VALUE)" in res.stderr
    assert "keyword" not in res.stderr
    res = sc("call", "ingram.order_status_event", "--targeturl", "https://h.example/x",
             "--dry-run")
    assert "missing the request body (--body JSON|@FILE, --example, or field=value items)" \
        in res.stderr and "(body=)" not in res.stderr


def test_violations_quote_values_as_json_and_suggest_a_near_miss_field():
    res = sc("call", "thirdwatch.order_status", "_userID=u", "_orderStatus:=true",
             '_customInfo:={"k": [1, 2]}', "--dry-run", **KEY)
    assert res.returncode == 2
    assert 'body._orderStatus: true is not of type "string"' in res.stderr
    assert 'body._customInfo.k: [1, 2] is not of type "string"' in res.stderr
    assert 'required property is missing (did you mean to send "_userID" as "_userId"?)' \
        in res.stderr


def test_python_keeps_python_words():
    c = specclient.Client(credentials=KEY)
    with pytest.raises(specclient.ValidationError) as err:
        c.prepare("thirdwatch.order_status", {"_orderStatus": True}, dry_run=True)
    assert "True is not of type 'string'" in str(err.value)
    with pytest.raises(specclient.ArgumentError, match=r"\(keyword targeturl=\)"):
        c.prepare("ingram.order_status_event", {"eventId": "e"}, dry_run=True)


def test_verbose_shows_the_request_as_sent_and_the_response_redacted():
    res = sc("call", "thirdwatch.order_status", "--example", "--mock", "-v", **KEY)
    assert res.returncode == 0, res.stderr
    assert "> POST https://api.thirdwatch.ai/event/v1/order_status" in res.stderr
    assert "> X-THIRDWATCH-API-KEY: ***" in res.stderr and KEY["THIRDWATCH_API_KEY"] not in \
        res.stderr + res.stdout
    assert "HTTP 200" in res.stderr


def test_an_api_error_body_goes_to_stdout_for_jq_and_its_status_to_stderr():
    res = sc("call", "thirdwatch.order_status", "--example", "--mock", "Prefer:code=400",
             **KEY)
    assert res.returncode == 1
    assert res.stdout.startswith("{") and "HTTP 400" in res.stderr
    assert "HTTP 400" not in res.stdout


def test_filter_selects_with_jmespath_and_a_bad_one_is_a_usage_error():
    res = sc("call", "thirdwatch.order_status", "--example", "--mock", "--filter", "status",
             **KEY)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == '"OK"'
    bad = sc("call", "thirdwatch.order_status", "--example", "--mock", "--filter", "[?", **KEY)
    assert bad.returncode == 2 and "--filter '[?' is not a JMESPath expression" in bad.stderr


def test_a_base_url_without_a_scheme_is_a_usage_error_not_three_attempts():
    res = sc("call", "thirdwatch.order_status", "--example", "--base-url", "127.0.0.1:8765",
             **KEY)
    assert res.returncode == 2
    assert ("--base-url '127.0.0.1:8765' has no scheme: write http://127.0.0.1:8765 or "
            "https://127.0.0.1:8765") in res.stderr
    with pytest.raises(ValueError, match="has no scheme"):
        specclient.Client(base_url="127.0.0.1:8765")
    with pytest.raises(specclient.ArgumentError, match="has no scheme"):
        specclient.Client(credentials=KEY).prepare("thirdwatch.order_status", {"_userId": "u"},
                                                   base_url="127.0.0.1:1", dry_run=True)


def test_every_command_is_known_to_the_parser_built_for_one_command():
    """The shell builds only the parser of the command it runs: each command must be in the
    table that says which module registers it."""
    from specclient.cli.main import COMMAND_MODULES, command_options

    assert set(command_options()) == set(COMMAND_MODULES)
    for name in COMMAND_MODULES:
        res = sc(name, "--help")
        assert res.returncode == 0 and f"usage: specclient {name}" in res.stdout, name
