"""``specclient list`` with a broken file: every other operation is still listed, each broken
file is reported on stderr as ``file:line: message``, and the exit status is 2."""

from __future__ import annotations

import pathlib

from specclient.cli import main


def make(tmp_path: pathlib.Path) -> pathlib.Path:
    svc = tmp_path / "svc"
    (svc / "operations").mkdir(parents=True)
    (svc / "service.yaml").write_text("environments: {live: 'https://x.example.com'}\n"
                                      "title: Svc\n")
    (svc / "operations" / "a.yaml").write_text("method: GET\npath: /a\nsummary: Get a\n")
    (svc / "operations" / "b.yaml").write_text("method: GET\npath: /b\nsummary: {oops\n")
    (svc / "operations" / "c.yaml").write_text("method: POST\npath: /c\nsummary: Make c\n")
    other = tmp_path / "other"
    (other / "operations").mkdir(parents=True)
    (other / "service.yaml").write_text("environments: [unclosed\n")
    (other / "operations" / "x.yaml").write_text("method: GET\npath: /x\nsummary: Get x\n")
    return tmp_path


def test_list_shows_every_readable_operation_and_reports_each_broken_file(tmp_path, capsys):
    specs = make(tmp_path)
    assert main(["list", "--specs", str(specs)]) == 2
    out, err = capsys.readouterr()
    names = [line.split()[0] for line in out.splitlines()]
    assert {"svc.a", "svc.c", "other.x"} <= set(names)
    assert "svc.b" not in names
    assert "svc.a  " in out and "GET /a" in out and "Get a (Svc)" in out
    assert "Get x (other)" in out  # its service file is broken: named by its folder
    assert err.splitlines() == [
        f"{specs / 'other' / 'service.yaml'}:2: YAML syntax error: did not find expected "
        f"',' or ']'",
        f"{specs / 'svc' / 'operations' / 'b.yaml'}:4: YAML syntax error: did not find "
        f"expected ',' or '}}'",
    ]


def test_list_of_good_specs_still_exits_0(tmp_path, capsys):
    specs = make(tmp_path)
    (specs / "svc" / "operations" / "b.yaml").write_text("method: GET\npath: /b\n")
    (specs / "other" / "service.yaml").write_text(
        "environments: {live: 'https://x.example.com'}\n")
    assert main(["list", "--specs", str(specs)]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "svc.b" in out and "other.x" in out


def test_a_call_by_alias_still_refuses_an_unreadable_file(tmp_path):
    """The tolerant listing does not make the (strict) alias table skip a broken file."""
    import pytest

    import specclient

    specs = make(tmp_path)
    client = specclient.Client([specs], include_bundled=False)
    client.catalog.headers(problems=[])
    with pytest.raises(specclient.SpecError) as info:
        client.catalog.aliases()
    assert info.value.line == 4 and info.value.file.endswith("b.yaml")
