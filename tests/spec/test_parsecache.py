"""The parsed-file cache: a warm load gives the same values with the same lines as parsing,
follows every change of the file, and a warm `specclient call` does not import PyYAML."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CREDS, SPECS, count_parses
from specclient.spec import parsecache
from specclient.spec.yamlio import YamlList, YamlMap, load_yaml, loads_yaml


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(root))
    return root


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    return count_parses(monkeypatch)


def same(a, b) -> None:
    """Equal values, types and lines, all the way down."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, YamlMap):
        assert list(a) == list(b) and [type(k) for k in a] == [type(k) for k in b]
        assert (a.line, a.key_lines) == (b.line, b.key_lines)
        for k in a:
            same(a[k], b[k])
    elif isinstance(a, YamlList):
        assert (a.line, a.item_lines, len(a)) == (b.line, b.item_lines, len(b))
        for x, y in zip(a, b, strict=True):
            same(x, y)
    elif isinstance(a, float) and a != a:
        assert b != b
    else:
        assert a == b


KINDS = """\
name: kinds
7: int key
true: bool key
~: null key
1.5: float key
floats: [.inf, -.inf, .nan, 1.0e-7, 0.1]
big: 123456789012345678901234567890
text: "café ✓ \\u00e9"
empty: {}
nested:
  - [1, [2, [3]]]
  - {a: {b: null}}
  - ""
multi: |
  two
  lines
"""


def test_bundled_specs_and_odd_values_come_back_the_same(cache_dir, tmp_path, parses) -> None:
    files = sorted(str(p) for p in SPECS.rglob("*.yaml"))
    odd = tmp_path / "kinds.yaml"
    odd.write_text(KINDS, encoding="utf-8")
    files.append(str(odd))
    cold = [load_yaml(f) for f in files]
    assert len(parses) == len(files)
    parses.clear()
    warm = [load_yaml(f) for f in files]
    assert parses == []  # every file from the cache
    for f, a, b in zip(files, cold, warm, strict=True):
        same(a, b)
        same(loads_yaml(Path(f).read_bytes(), f), b)


def test_a_changed_file_is_parsed_again(cache_dir, tmp_path, parses) -> None:
    f = tmp_path / "op.yaml"
    f.write_text("a: 1\n")
    assert load_yaml(f) == {"a": 1}
    f.write_text("a: 22\n")  # another size
    assert load_yaml(f) == {"a": 22}
    st = f.stat()
    f.write_text("a: 33\n")  # same size, another mtime
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert load_yaml(f) == {"a": 33}
    assert parses == ["op.yaml"] * 3
    assert load_yaml(f) == {"a": 33} and len(parses) == 3


def test_an_unquoted_date_is_its_text_and_cached(cache_dir, tmp_path, parses) -> None:
    """JSON data written as YAML: a timestamp is the text it is (a datetime would fail
    every `type: string` schema and every JSON encoder)."""
    f = tmp_path / "when.yaml"
    f.write_text("when: 2021-11-01T13:02:06Z\nday: 2024-01-01\n")
    assert load_yaml(f) == {"when": "2021-11-01T13:02:06Z", "day": "2024-01-01"}
    assert load_yaml(f) == {"when": "2021-11-01T13:02:06Z", "day": "2024-01-01"}
    assert parses == ["when.yaml"]


@pytest.mark.parametrize("text", [
    "blob: !!binary aGVsbG8=\n",              # bytes
    "base: &b {x: 1}\nuse: *b\n",             # one container shared through an alias
])
def test_what_is_not_plain_data_is_parsed_every_time(cache_dir, tmp_path, parses, text) -> None:
    f = tmp_path / "odd.yaml"
    f.write_text(text)
    first = load_yaml(f)
    again = load_yaml(f)
    assert parses == ["odd.yaml", "odd.yaml"]
    assert first == again


@pytest.mark.parametrize("garbage", [b"{not json", b"[]", b'{"format": 1}',
                                     b'{"format": 1, "file": "x", "stamp": [], "tree": 1}'])
def test_a_corrupt_entry_is_ignored_and_rewritten(cache_dir, tmp_path, parses, garbage) -> None:
    f = tmp_path / "op.yaml"
    f.write_text("a: [1, 2]\n")
    load_yaml(f)
    (entry,) = (cache_dir / "parsed").iterdir()
    entry.write_bytes(garbage)
    assert load_yaml(f) == {"a": [1, 2]}
    assert load_yaml(f) == {"a": [1, 2]}
    assert parses == ["op.yaml", "op.yaml"]  # parsed again once, then cached again


def test_an_entry_for_another_file_is_not_used(cache_dir, tmp_path, parses) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("who: a\n")
    b.write_text("who: b\n")
    load_yaml(a)
    (entry,) = (cache_dir / "parsed").iterdir()
    target = parsecache._entry_path(str(b))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(entry, target)  # a's entry where b's would be
    assert load_yaml(b) == {"who": "b"}


def test_no_cache_directory_no_cache(tmp_path, monkeypatch, parses) -> None:
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", "")
    f = tmp_path / "op.yaml"
    f.write_text("a: 1\n")
    load_yaml(f)
    load_yaml(f)
    assert parses == ["op.yaml", "op.yaml"]


def test_a_read_only_cache_only_costs_time(tmp_path, monkeypatch, parses) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(blocked))
    f = tmp_path / "op.yaml"
    f.write_text("a: 1\n")
    assert load_yaml(f) == {"a": 1} and load_yaml(f) == {"a": 1}
    assert parses == ["op.yaml", "op.yaml"]


def test_a_bad_file_still_says_where(cache_dir, tmp_path) -> None:
    from specclient.errors import SpecError

    f = tmp_path / "bad.yaml"
    f.write_text("a: 1\na: 2\n")
    for _ in range(2):
        with pytest.raises(SpecError, match="bad.yaml:2: duplicate key 'a'"):
            load_yaml(f)


def test_a_warm_call_does_not_import_pyyaml(tmp_path) -> None:
    env = {**os.environ, "SPECCLIENT_CACHE_DIR": str(tmp_path / "cache"), **CREDS}
    env.pop("SPECCLIENT_SPECS", None)
    code = ("import sys\nfrom specclient.cli import main\n"
            "try:\n    main(['call', 'thirdwatch.order_status', '--dry-run', '--example'])\n"
            "except SystemExit as e:\n    assert not e.code, e.code\n"
            "print('yaml' in sys.modules, file=sys.stderr)\n")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, timeout=120, cwd=str(SPECS.parent)) for _ in range(2)]
    assert [r.stderr.strip().splitlines()[-1] for r in runs] == ["True", "False"]
    assert runs[0].stdout == runs[1].stdout and "X-THIRDWATCH-API-KEY" in runs[0].stdout


def test_indexing_a_folder_keeps_only_what_calls_load(cache_dir, tmp_path) -> None:
    import specclient
    from bench.specgen import make_service, op_name

    folder = make_service(str(tmp_path / "s"), 30)
    client = specclient.Client([folder], include_bundled=False)
    assert len(client.operations()) == 30  # the index reads all 30 operation files
    kept = cache_dir / "parsed"
    before = {p.name for p in kept.iterdir()} if kept.exists() else set()
    client.operation(f"gen.{op_name(7)}")
    after = {p.name for p in kept.iterdir()}
    added = after - before
    used = [os.path.join(folder, "operations", op_name(7) + ".yaml"),
            os.path.join(folder, "schemas", "thing.yaml")]
    want = {os.path.basename(parsecache._entry_path(f)) for f in used}
    assert want <= added <= want | {os.path.basename(parsecache._entry_path(
        os.path.join(folder, "service.yaml")))}
    assert len(after) <= 3  # not the other 29 operation files the index read


def test_the_credentials_file_is_never_kept(cache_dir, tmp_path, monkeypatch) -> None:
    import specclient

    secret = "tw-secret-from-the-file-0123"
    creds = tmp_path / "credentials.yaml"
    creds.write_text(f"default:\n  THIRDWATCH_API_KEY: {secret}\n")
    creds.chmod(0o600)
    monkeypatch.setenv("SPECCLIENT_CREDENTIALS", str(creds))
    client = specclient.Client()
    req = client.prepare("thirdwatch.order_status",
                         client.operation("thirdwatch.order_status").body.example)
    assert req.headers["X-THIRDWATCH-API-KEY"] == secret  # read from the file
    kept = list((cache_dir / "parsed").iterdir())
    assert kept  # the spec files were kept...
    for entry in kept:  # ...and nothing from the credentials file
        assert secret not in entry.read_text(encoding="utf-8")
        assert str(creds) not in entry.read_text(encoding="utf-8")
