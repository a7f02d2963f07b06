"""`specclient describe` (the example command really runs) and shell completion scripts."""

from __future__ import annotations

import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys

import pytest
from support.petstore import write_service

from conftest import CREDS, REPO, hub_signature
from specclient.cli import main
from specclient.cli.completion import script
from specclient.cli.main import command_options


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def example_of(capsys, *argv):
    code, out, _ = run(capsys, "describe", *argv)
    assert code == 0
    lines = out.splitlines()
    return lines[lines.index(next(x for x in lines if x.startswith("Example"))) + 1].strip()


@pytest.fixture
def creds(monkeypatch):
    for k, v in CREDS.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("PETSTORE_KEY", "pet-key-secret-987")


def test_describe_shows_options_fields_auth_and_signing(capsys):
    code, out, _ = run(capsys, "describe", "ingram.order_status_event")
    assert code == 0
    assert "  --targeturl        header, string, required; Python: targeturl=" in out
    assert "  --x-hub-signature  header, string, required, computed by signing" in out
    assert "  * eventId " in out
    assert "idempotent: yes (declared idempotent: true in the spec" in out
    assert "resource[].eventType" in out
    assert "HMAC-SHA512" in out and "OAuth2 client credentials" in out


def test_describe_aligns_columns_and_never_cuts_a_word_without_an_ellipsis(capsys):
    code, out, _ = run(capsys, "describe", "ingram.order_status_event")
    import re

    body = out.split("Body (")[1].split("\n\n")[0].splitlines()[1:-1]
    columns = {re.match(r"  [* ] (\S+)( +)\S", line).end(2) for line in body}
    assert len(body) > 20 and len(columns) == 1  # every type starts in the same column
    for line in out.splitlines():
        if " — " in line:
            text = line.split(" — ", 1)[1]
            assert text.endswith(("…", ".", ")", "?")) or len(text) < 100, line


def test_describe_says_why_an_operation_is_idempotent_or_not(capsys, tmp_path):
    from specclient.cli.describe import idempotence

    class Op:
        def __init__(self, method, idempotent=False):
            self.method, self.idempotent = method, idempotent
    assert idempotence(Op("GET")).startswith("yes (GET is idempotent by HTTP")
    assert idempotence(Op("PUT")).startswith("yes (PUT is idempotent by HTTP")
    assert idempotence(Op("DELETE")).startswith("yes (DELETE is idempotent by HTTP")
    assert idempotence(Op("POST")).startswith("no (POST, not declared idempotent")
    assert idempotence(Op("POST", True)).startswith("yes (declared idempotent: true")
    code, out, _ = run(capsys, "describe", "thirdwatch.order_status")
    assert "idempotent: no (POST, not declared idempotent" in out


def test_thirdwatch_example_command_runs_and_sends_the_example_body(capsys, creds):
    cmd = example_of(capsys, "thirdwatch.order_status")
    assert cmd.startswith("specclient call thirdwatch.order_status _userId=u-1001 ")
    argv = shlex.split(cmd)[1:] + ["--dry-run"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    from specclient import Client

    example = Client().operation("thirdwatch.order_status").body.example
    assert json.loads(out)["body"] == example


def test_ingram_example_command_runs_signed(capsys, creds):
    cmd = example_of(capsys, "ingram.order_status_event")
    assert cmd == ("specclient call ingram.order_status_event --targeturl "
                   "https://hooks.example.com/ingram/order-status --example")
    code, out, err = run(capsys, *shlex.split(cmd)[1:], "--dry-run")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["headers"]["targeturl"] == "https://hooks.example.com/ingram/order-status"
    assert shown["headers"]["x-hub-signature"] == hub_signature(
        CREDS["INGRAM_WEBHOOK_SECRET"], shown["body"]["eventId"])


def test_example_without_examples_uses_placeholders(capsys, tmp_path):
    write_service(tmp_path)
    cmd = example_of(capsys, "petstore.get_pet", "--specs", str(tmp_path))
    assert cmd == ("specclient call petstore.get_pet --owner '<owner>' --petId '<pet_id>' "
                   "--X-Request-Id '<x_request_id>'")
    cmd = example_of(capsys, "petstore.add_pet", "--specs", str(tmp_path))
    assert cmd == "specclient call petstore.add_pet 'name=<name>'"


def test_bundled_specs_carry_the_editor_schema_hint():
    files = sorted((REPO / "specs").rglob("*.yaml"))
    assert files
    for f in files:
        if f.parent.name in ("operations",) or f.name == "service.yaml":
            first = f.read_text().splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema="), f
            target = (f.parent / first.split("$schema=", 1)[1]).resolve()
            assert target == (REPO / "specclient" / "spec-format.schema.json").resolve(), f


# ---------------------------------------------------------------------- completion


def test_completion_scripts_name_every_command_and_use_list_names_only(capsys):
    for shell in ("bash", "zsh", "fish"):
        code, out, _ = run(capsys, "completion", shell)
        assert code == 0
        assert "specclient list --names-only" in out
        for word in ("list", "describe", "call", "schema", "completion", "--concurrency",
                     "--curl"):
            assert (word if shell != "fish" else word.lstrip("-")) in out, (shell, word)


def test_bash_script_is_valid_and_completes_operation_names(tmp_path):
    path = tmp_path / "c.bash"
    path.write_text(script("bash", command_options()))
    subprocess.run(["bash", "-n", str(path)], check=True)
    bindir = tmp_path / "bin"  # a `specclient` on PATH that is this checkout
    bindir.mkdir()
    (bindir / "specclient").write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m "
                                       f"specclient \"$@\"\n")
    (bindir / "specclient").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECCLIENT")}
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(REPO)

    def complete(*words):
        quoted = " ".join(map(shlex.quote, words))
        probe = (f"source {shlex.quote(str(path))}; COMP_WORDS=({quoted}); "
                 f"COMP_CWORD={len(words) - 1}; _specclient; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        res = subprocess.run(["bash", "-c", probe], env=env, capture_output=True, text=True,
                             check=True, timeout=60)
        return res.stdout.split()

    assert complete("specclient", "call", "thi") == ["thirdwatch.order_status"]
    assert complete("specclient", "describe", "") == ["ingram.order_status_event",
                                                      "thirdwatch.order_status"]
    assert complete("specclient", "call", "x.y", "--conc") == ["--concurrency"]
    assert complete("specclient", "de") == ["describe"]
    assert complete("specclient", "completion", "z") == ["zsh"]
    # `verify NAME` takes an operation name like call and describe
    assert complete("specclient", "verify", "ing") == ["ingram.order_status_event"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_parse_when_installed(shell, tmp_path):
    exe = shutil.which(shell)
    if exe is None:
        pytest.skip(f"{shell} is not installed")
    path = tmp_path / f"c.{shell}"
    path.write_text(script(shell, command_options()))
    subprocess.run([exe, "-n", str(path)], check=True)


def test_readme_documents_the_one_line_install():
    readme = pathlib.Path(REPO / "README.md").read_text()
    assert 'eval "$(specclient completion bash)"' in readme


def test_describe_lists_body_fields_of_all_of_schemas(capsys, tmp_path):
    """A $ref with sibling keywords resolves to allOf, as do most imported OpenAPI bodies:
    describe must still list the fields (and what is required)."""
    ops = tmp_path / "shop" / "operations"
    ops.mkdir(parents=True)
    (tmp_path / "shop" / "service.yaml").write_text("environments: {live: https://s.example}\n")
    (tmp_path / "shop" / "schemas").mkdir()
    (tmp_path / "shop" / "schemas" / "item.yaml").write_text(
        "type: object\nrequired: [name]\nproperties:\n  name: {type: string}\n"
        "  tags: {type: array, items: {type: string}}\n")
    (ops / "add.yaml").write_text(
        "method: POST\npath: /items\nbody:\n  schema:\n    $ref: ../schemas/item.yaml\n"
        "    required: [tags]\n")
    (ops / "add2.yaml").write_text(
        "method: POST\npath: /items2\nbody:\n  schema:\n    allOf:\n"
        "      - {$ref: ../schemas/item.yaml}\n"
        "      - {properties: {note: {type: string}}}\n")
    code, out, err = run(capsys, "--specs", str(tmp_path), "describe", "shop.add")
    assert code == 0, err
    assert "  * name " in out and "  * tags " in out
    code, out, err = run(capsys, "--specs", str(tmp_path), "describe", "shop.add2")
    assert code == 0, err
    assert "  * name " in out and "    tags " in out and "    note " in out
