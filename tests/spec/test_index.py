"""The index cache and lazy loading (issue 7): deterministic checks, no timings."""

from __future__ import annotations

import json
import os
import pathlib
import sys

import pytest

import specclient
from specclient.cli import main
from specclient.errors import SpecError

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from bench.specgen import make_service, op_name  # noqa: E402
from conftest import count_parses  # noqa: E402


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(d))
    monkeypatch.setenv("GEN_API_KEY", "gen-key-0123456789")
    return d


@pytest.fixture
def parsed(monkeypatch):
    """Names of the YAML files parsed, in order (the parsed-file cache off: these tests are
    about the index; tests/spec/test_parsecache.py covers that cache)."""
    from specclient.spec import parsecache

    monkeypatch.setattr(parsecache, "load", lambda path, st: parsecache.MISS)
    return count_parses(monkeypatch)


def catalog(folder) -> specclient.Client:
    return specclient.Client([folder], include_bundled=False)


def index_file(cache: pathlib.Path) -> pathlib.Path:
    (found,) = cache.glob("services/*/index.json")
    return found


def test_index_is_written_then_hit_without_parsing(tmp_path, cache_dir, parsed):
    folder = make_service(str(tmp_path), 5)
    first = catalog(folder).catalog.headers()
    assert sorted(parsed) == sorted(f"{op_name(i)}.yaml" for i in range(5))
    data = json.loads(index_file(cache_dir).read_text())
    assert data["ops"]["op_00003.yaml"]["summary"] == "Update thing number 3"
    assert data["ops"]["op_00003.yaml"]["aliases"] == ["update_thing_3"]

    parsed.clear()
    again = catalog(folder).catalog.headers()
    assert parsed == []  # every entry came from the index
    assert again == first
    name, head = again[2]
    assert (name, head.method, head.path, head.summary, head.aliases) == (
        "gen.op_00002", "PUT", "/v1/group0/things/{thing_id}/op2", "Update thing number 2",
        ("update_thing_2",))


def test_a_changed_file_is_read_again(tmp_path, cache_dir, parsed):
    folder = make_service(str(tmp_path), 5)
    catalog(folder).catalog.headers()
    path = pathlib.Path(folder, "operations", "op_00001.yaml")
    path.write_text(path.read_text().replace("Update thing number 1", "Renamed"))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    parsed.clear()
    heads = dict(catalog(folder).catalog.headers())
    assert parsed == ["op_00001.yaml"]
    assert heads["gen.op_00001"].summary == "Renamed"
    assert json.loads(index_file(cache_dir).read_text())["ops"]["op_00001.yaml"]["summary"] \
        == "Renamed"


def test_same_mtime_but_other_size_is_read_again(tmp_path, cache_dir, parsed):
    folder = make_service(str(tmp_path), 3)
    catalog(folder).catalog.headers()
    path = pathlib.Path(folder, "operations", "op_00002.yaml")
    st = path.stat()
    path.write_text(path.read_text().replace("Update thing number 2", "Longer summary here"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime, different size
    parsed.clear()
    heads = dict(catalog(folder).catalog.headers())
    assert parsed == ["op_00002.yaml"]
    assert heads["gen.op_00002"].summary == "Longer summary here"


def test_added_and_removed_files_are_noticed(tmp_path, cache_dir, parsed):
    folder = make_service(str(tmp_path), 3)
    catalog(folder).catalog.headers()
    ops = pathlib.Path(folder, "operations")
    (ops / "op_00000.yaml").unlink()
    (ops / "extra.yaml").write_text((ops / "op_00001.yaml").read_text()
                                    .replace("op_00001", "extra")
                                    .replace("update_thing_1", "extra_alias"))
    parsed.clear()
    names = [n for n, _ in catalog(folder).catalog.headers()]
    assert names == ["gen.extra", "gen.op_00001", "gen.op_00002"]
    assert parsed == ["extra.yaml"]
    assert sorted(json.loads(index_file(cache_dir).read_text())["ops"]) == [
        "extra.yaml", "op_00001.yaml", "op_00002.yaml"]


@pytest.mark.parametrize("garbage", [b"{not json", b"[]", b'{"format": 1, "ops": 7}',
                                     b'{"format": 1, "folder": "/elsewhere", "ops": {}}'])
def test_a_corrupt_index_is_ignored_and_rewritten(tmp_path, cache_dir, parsed, garbage):
    folder = make_service(str(tmp_path), 3)
    catalog(folder).catalog.headers()
    index = index_file(cache_dir)
    index.write_bytes(garbage)
    parsed.clear()
    heads = catalog(folder).catalog.headers()
    assert [h.summary for _, h in heads] == [f"Update thing number {i}" for i in range(3)]
    assert len(parsed) == 3
    data = json.loads(index.read_text())
    assert data["folder"] == os.path.abspath(folder) and len(data["ops"]) == 3


def test_a_corrupt_entry_is_read_again(tmp_path, cache_dir, parsed):
    folder = make_service(str(tmp_path), 2)
    catalog(folder).catalog.headers()
    index = index_file(cache_dir)
    data = json.loads(index.read_text())
    data["ops"]["op_00000.yaml"]["summary"] = ["not", "text"]
    index.write_text(json.dumps(data))
    parsed.clear()
    heads = dict(catalog(folder).catalog.headers())
    assert parsed == ["op_00000.yaml"]
    assert heads["gen.op_00000"].summary == "Update thing number 0"


def test_an_unwritable_cache_dir_still_works(tmp_path, monkeypatch, parsed):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setenv("GEN_API_KEY", "gen-key-0123456789")
    folder = make_service(str(tmp_path), 3)
    for _ in range(2):
        client = catalog(folder)
        assert [h.summary for _, h in client.catalog.headers()][1] == "Update thing number 1"
        req = client.prepare("update_thing_2", {"id": "a", "name": "b"}, thing_id="t1")
        assert req.url == "http://127.0.0.1:9/api/v1/group0/things/t1/op2"
    assert blocker.read_text() == "not a directory"


def test_caching_can_be_switched_off(tmp_path, monkeypatch, parsed):
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = make_service(str(tmp_path), 2)
    catalog(folder).catalog.headers()
    parsed.clear()
    catalog(folder).catalog.headers()
    assert len(parsed) == 2
    assert not (tmp_path / "home").exists() and not (tmp_path / "xdg").exists()


def test_xdg_cache_home_is_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("SPECCLIENT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = make_service(str(tmp_path), 2)
    catalog(folder).catalog.headers()
    assert list((tmp_path / "xdg" / "specclient" / "services").glob("gen-*/index.json"))


# ---------------------------------------------------------------------- format-check stamps


def test_an_unchanged_file_is_not_format_checked_again(tmp_path, cache_dir, monkeypatch):
    import specclient.spec.catalog as loader

    folder = make_service(str(tmp_path), 3)
    checked: list[str] = []
    real = loader.check_format

    def counting(data, kind, file):
        checked.append(os.path.basename(file))
        return real(data, kind, file)

    monkeypatch.setattr(loader, "check_format", counting)
    body = {"id": "a", "name": "b"}
    catalog(folder).prepare("gen.op_00001", body, thing_id="t")
    assert checked == ["service.yaml", "op_00001.yaml"]
    checked.clear()
    catalog(folder).prepare("gen.op_00001", body, thing_id="t")
    assert checked == []

    path = pathlib.Path(folder, "operations", "op_00001.yaml")
    path.write_text(path.read_text().replace("method: PUT", "method: PUT\nsumary: typo"))
    with pytest.raises(SpecError) as exc:
        catalog(folder).prepare("gen.op_00001", body, thing_id="t")
    assert checked == ["op_00001.yaml"]
    assert f"{path}:" in str(exc.value) and "unknown key 'sumary'" in str(exc.value)
    assert "did you mean 'summary'?" in str(exc.value)
    with pytest.raises(SpecError):  # a failed check is never remembered as passed
        catalog(folder).prepare("gen.op_00001", body, thing_id="t")


# ---------------------------------------------------------------------- lazy loading


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory):
    return make_service(str(tmp_path_factory.mktemp("big")), 10_000)


def test_a_call_among_10000_operations_parses_only_its_own_files(big_folder, cache_dir,
                                                                   parsed):
    client = catalog(big_folder)
    req = client.prepare("gen.op_04321", {"id": "a", "name": "b"}, thing_id="t 1")
    assert req.url == "http://127.0.0.1:9/api/v1/group43/things/t%201/op4321"
    assert sorted(parsed) == ["op_04321.yaml", "service.yaml", "thing.yaml"]
    assert not list(cache_dir.glob("services/*/index.json"))  # not needed for a full name


@pytest.mark.slow
def test_an_alias_among_10000_operations_uses_the_index(big_folder, cache_dir, parsed):
    catalog(big_folder).catalog.aliases()  # builds the index (parses every header once)
    assert len(parsed) == 10_000
    parsed.clear()
    client = catalog(big_folder)
    req = client.prepare("update_thing_9999", {"id": "a", "name": "b"}, thing_id="x")
    assert req.url.endswith("/v1/group99/things/x/op9999")
    assert sorted(parsed) == ["op_09999.yaml", "service.yaml", "thing.yaml"]


@pytest.mark.slow
def test_list_of_10000_operations_from_a_warm_index(big_folder, cache_dir, parsed, capsys):
    assert main(["list", "--specs", big_folder]) == 0
    parsed.clear()
    capsys.readouterr()
    assert main(["list", "--specs", big_folder]) == 0
    out = capsys.readouterr().out.splitlines()
    assert set(parsed) == {"service.yaml"}  # no operation file is parsed
    row = next(line for line in out if line.startswith("gen.op_00042 "))
    assert row.split() == ["gen.op_00042", "PUT", "/v1/group0/things/{thing_id}/op42",
                           "Update", "thing", "number", "42", "(Generated", "service", "with",
                           "10000", "operations)"]
    assert sum(line.startswith("gen.") for line in out) == 10_000
    assert any(line.startswith("thirdwatch.order_status ") for line in out)


def test_unknown_names_are_not_files(tmp_path, cache_dir):
    folder = make_service(str(tmp_path), 2)
    client = catalog(folder)
    for bad in ("gen.../service", "gen..", "gen./etc/passwd", "gen."):
        with pytest.raises(specclient.OperationNotFound):
            client.operation(bad)


def test_duplicate_yaml_and_yml_is_refused_for_a_full_name(tmp_path, cache_dir):
    folder = make_service(str(tmp_path), 2)
    ops = pathlib.Path(folder, "operations")
    (ops / "op_00001.yml").write_text((ops / "op_00001.yaml").read_text())
    with pytest.raises(SpecError, match="duplicate operation name 'op_00001'"):
        catalog(folder).operation("gen.op_00001")
