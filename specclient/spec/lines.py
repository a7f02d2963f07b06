"""Values that remember where they came from: the ``dict`` and ``list`` subclasses a spec file
loads as (from YAML by :mod:`.yamlio`, or from the parsed-file cache by :mod:`.parsecache`),
carrying the line of the node and of each key / item, so that any later check can point a
person at ``file:line``."""

from __future__ import annotations

from typing import Any

__all__ = ["YamlMap", "YamlList", "SharedSchema"]


class YamlMap(dict):
    """A dict loaded from YAML; ``line`` is its own line, ``key_lines[k]`` each key's line."""

    __slots__ = ("line", "key_lines")

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.line: int | None = None
        self.key_lines: dict[Any, int] = {}


class SharedSchema(YamlMap):
    """A schema the ``$ref`` resolver put under ``$defs``, shared by every schema of a
    service that refers to it; ``checked``: its structure was found sound (so the schemas
    sharing it need not walk it again)."""

    __slots__ = ("checked",)

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.checked = False


class YamlList(list):
    """A list loaded from YAML; ``line`` is its own line, ``item_lines[i]`` each item's line."""

    __slots__ = ("line", "item_lines")

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.line: int | None = None
        self.item_lines: list[int] = []
