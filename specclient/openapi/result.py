"""The import's outcome: the files of the service folder (in memory) and the warnings, each
with its JSON pointer and line in the source."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from .common import SCHEMA_HINT
from .yamlout import dump_yaml

__all__ = ["ImportWarning", "ImportResult"]

# ---------------------------------------------------------------------- results


@dataclass(frozen=True)
class ImportWarning:
    """Something in the source document that was dropped, repaired or could not be mapped.

    ``pointer`` is the JSON pointer of the offending node in the source document and ``line``
    its line (when the document was YAML or JSON read with line numbers).
    """

    file: str
    pointer: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: #{self.pointer}: {self.message}"


@dataclass
class ImportResult:
    """A converted service folder, not yet written: ``files`` maps a path inside the folder
    (``service.yaml``, ``operations/x.yaml``, ``schemas/X.yaml``) to its content."""

    service: str
    files: dict[str, Any] = field(default_factory=dict)
    warnings: list[ImportWarning] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)

    def texts(self) -> dict[str, str]:
        """Each file's YAML text (with the editor hint line), deterministically."""
        out = {}
        for rel, data in sorted(self.files.items()):
            if rel == "service.yaml":
                hint = "yaml-language-server: $schema=../spec-format.schema.json"
            elif rel.startswith("operations/"):
                hint = "yaml-language-server: $schema=../../spec-format.schema.json"
            else:
                hint = SCHEMA_HINT
            out[rel] = dump_yaml(data, hint)
        return out

    def write(self, out_dir: str | os.PathLike[str], force: bool = False) -> str:
        """Write the service folder ``out_dir/<service>`` and return its path.

        An existing, non-empty folder is refused unless ``force``; then its ``service.yaml``,
        ``operations/`` and ``schemas/`` YAML files are replaced. ``out_dir`` also gets
        ``spec-format.schema.json`` (the editor hint target) when it has none.
        """
        # the format schema only when a document is imported
        from ..spec.format_schema import format_schema

        out_dir = os.fspath(out_dir)
        folder = os.path.join(out_dir, self.service)
        if os.path.isdir(folder) and os.listdir(folder):
            if not force:
                raise FileExistsError(f"{folder} already exists and is not empty "
                                      f"(use --force to replace its spec files)")
            for sub in ("operations", "schemas"):
                d = os.path.join(folder, sub)
                if os.path.isdir(d):
                    for entry in os.listdir(d):
                        if entry.endswith((".yaml", ".yml")):
                            os.remove(os.path.join(d, entry))
        for rel, text in self.texts().items():
            path = os.path.join(folder, *rel.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        hint_target = os.path.join(out_dir, "spec-format.schema.json")
        if not os.path.exists(hint_target):
            with open(hint_target, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(format_schema(), indent=2) + "\n")
        return folder


