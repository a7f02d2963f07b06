"""The shell: list, describe, call (dry run, exit codes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import responses

from conftest import CREDS, INGRAM_URL, REPO, THIRDWATCH_URL, hub_signature
from specclient.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_both_seed_operations(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("ingram.order_status_event") and
               "POST /resellers/v1/webhooks/orderstatusevent" in line and "Order Status" in line
               for line in lines)
    assert any(line.startswith("thirdwatch.order_status") and "POST /v1/order_status" in line
               for line in lines)


def test_list_from_any_directory_as_a_real_command(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECCLIENT")}
    env["PYTHONPATH"] = str(REPO)
    out = subprocess.run([sys.executable, "-m", "specclient", "list", "--names-only"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["ingram.order_status_event", "thirdwatch.order_status"]


def test_describe(capsys):
    code, out, _ = run(capsys, "describe", "ingram.order_status_event")
    assert code == 0
    assert "targeturl" in out and "x_hub_signature" in out and "computed by signing" in out
    assert "* eventId" in out
    assert "HMAC-SHA512" in out and "INGRAM_WEBHOOK_SECRET" in out
    assert "OAuth2 client credentials" in out
    assert "specclient call ingram.order_status_event" in out


def test_dry_run_prints_request_with_secrets_hidden(capsys, monkeypatch):
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)
    code, out, _ = run(capsys, "call", "ingram.order_status_event", "--example",
                       "--param", "targeturl=https://hooks.example.com/x", "--dry-run")
    assert code == 0
    shown = json.loads(out)
    assert set(shown) == {"method", "url", "headers", "body"}
    assert shown["method"] == "POST" and shown["url"] == INGRAM_URL
    assert shown["headers"]["Authorization"] == "Bearer ***"
    assert shown["headers"]["x-hub-signature"] == hub_signature(
        CREDS["INGRAM_WEBHOOK_SECRET"], "N01CIB9VVFYKR9J6ZW")
    assert shown["body"]["eventId"] == "N01CIB9VVFYKR9J6ZW"
    for secret in CREDS.values():
        assert secret not in out


def test_dry_run_thirdwatch_key_hidden(capsys, monkeypatch):
    monkeypatch.setenv("THIRDWATCH_API_KEY", CREDS["THIRDWATCH_API_KEY"])
    code, out, _ = run(capsys, "call", "thirdwatch.order_status",
                       "--body", '{"_userId": "u1", "_orderStatus": "_fulfilled"}', "--dry-run")
    assert code == 0
    shown = json.loads(out)
    assert shown["headers"]["X-THIRDWATCH-API-KEY"] == "***"
    assert shown["body"] == {"_userId": "u1", "_orderStatus": "_fulfilled"}


def test_invalid_input_exits_2_with_violations(capsys, monkeypatch, mocked):
    monkeypatch.setenv("THIRDWATCH_API_KEY", "k" * 10)
    code, out, err = run(capsys, "call", "thirdwatch.order_status", "--body", '{"_orderId": 1}')
    assert code == 2
    assert "body._userId: required property is missing" in err
    assert 'body._orderId: 1 is not of type "string"' in err  # JSON, as the shell speaks
    assert len(mocked.calls) == 0


def test_body_from_file_and_success_exit_0(capsys, monkeypatch, mocked, tmp_path):
    monkeypatch.setenv("THIRDWATCH_API_KEY", "k" * 10)
    f = tmp_path / "b.json"
    f.write_text('{"_userId": "u9"}')
    mocked.add(responses.POST, THIRDWATCH_URL, json={"status": "OK"})
    code, out, _ = run(capsys, "call", "thirdwatch.order_status", "--body", f"@{f}")
    assert code == 0
    assert json.loads(out) == {"status": "OK"}
    assert mocked.calls[0].request.body == b'{"_userId":"u9"}'


def test_api_error_exits_1_and_shows_response(capsys, monkeypatch, mocked):
    monkeypatch.setenv("THIRDWATCH_API_KEY", "k" * 10)
    mocked.add(responses.POST, THIRDWATCH_URL, json={"message": "Invalid key"}, status=403)
    code, out, err = run(capsys, "call", "thirdwatch.order_status", "--body", '{"_userId":"u"}')
    assert code == 1
    assert "HTTP 403" in err and "Invalid key" in out  # the body on stdout, for `| jq`


def test_unknown_operation_exits_2_with_suggestion(capsys):
    code, _, err = run(capsys, "call", "thirdwatch.order_stat", "--dry-run")
    assert code == 2
    assert "did you mean 'thirdwatch.order_status'" in err


def test_a_dry_run_without_its_secret_shows_a_placeholder_and_says_how_to_set_it(capsys):
    code, out, err = run(capsys, "call", "thirdwatch.order_status", "--example", "--dry-run")
    assert code == 0
    assert json.loads(out)["headers"]["X-THIRDWATCH-API-KEY"] == "***"
    assert "note: not set: THIRDWATCH_API_KEY (placeholders stand in" in err
    assert "export THIRDWATCH_API_KEY=..." in err


def test_every_missing_secret_is_named_at_once_when_one_is_needed(capsys, monkeypatch):
    for name in ("INGRAM_CLIENT_ID", "INGRAM_CLIENT_SECRET", "INGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "call", "ingram.order_status_event", "--example",
                       "--targeturl", "https://hooks.example.com/x", "--curl",
                       "--show-secrets")
    assert code == 2
    assert ("missing secrets 'INGRAM_CLIENT_ID', 'INGRAM_CLIENT_SECRET', "
            "'INGRAM_WEBHOOK_SECRET'") in err
    assert "export INGRAM_CLIENT_ID=... INGRAM_CLIENT_SECRET=... INGRAM_WEBHOOK_SECRET=..." in err


def test_shipped_format_schema_is_current(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    shipped = (REPO / "specclient" / "spec-format.schema.json").read_text()
    assert json.loads(out) == json.loads(shipped), \
        "regenerate with: specclient schema > specclient/spec-format.schema.json"


def test_specs_before_and_after_the_subcommand_both_count(capsys, tmp_path):
    for name in ("alpha", "beta"):
        svc = tmp_path / name / name
        (svc / "operations").mkdir(parents=True)
        (svc / "service.yaml").write_text("environments:\n  prod: https://x.example\n")
        (svc / "operations" / "ping.yaml").write_text("method: GET\npath: /ping\n")
    code = main(["--specs", str(tmp_path / "alpha"), "list", "--names-only",
                 "--specs", str(tmp_path / "beta")])
    names = capsys.readouterr().out.split()
    assert code == 0
    assert "alpha.ping" in names and "beta.ping" in names
    assert main(["--specs", str(tmp_path / "alpha"), "list", "--names-only"]) == 0
    assert "alpha.ping" in capsys.readouterr().out.split()
