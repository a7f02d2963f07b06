"""docs/architecture.md stays the map: every module of the package is on it."""

from __future__ import annotations

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_module_is_on_the_map():
    text = (ROOT / "docs" / "architecture.md").read_text()
    pkg = ROOT / "specclient"
    missing = []
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(pkg)
        if path.name in ("__init__.py", "__main__.py", "version.py"):
            continue
        # named by its path (``transport/send.py``) or, in a row of its folder, by file name
        if str(rel) not in text and not (len(rel.parts) > 1 and f"`{rel.name}`" in text
                                         and f"{rel.parts[0]}/" in text):
            missing.append(str(rel))
    assert missing == []
