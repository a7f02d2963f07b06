"""``$ref`` resolution for schemas, relative to the file that holds the reference.

``{$ref: schemas/order.yaml}``, ``{$ref: schemas/common.yaml#/$defs/Money}`` and
``{$ref: "#/$defs/Line"}`` all work. The result is one self-contained schema. A reference is
inlined (the target copied in its place) while fewer than :data:`INLINE_DEPTH` references lead
to it, so a schema reads as written for its first levels; a deeper one, and any reference back
to a schema it is inside (a tree, a linked list), lands once under ``$defs`` and is referred to
locally (``#/$defs/customer``). Each distinct target is then resolved once per service and
shared by every schema that refers to it, however many paths lead to it: a document whose
schemas refer to each other heavily (Stripe's expandable fields) loads and lints in time linear
in its size, not exponential. A chain of references that never reaches
a schema (A -> B -> A) is a :class:`SpecError`, and so are missing files and bad pointers — each
naming the file and line of the ``$ref``.

A spec may come from a stranger, so a reference stays inside its service's folder: an absolute
path, a URL (``http:``, ``file:`` ...), a ``..`` that climbs out, or a symlink that leads out is
refused with a :class:`SpecError` naming the reference — the target is never opened, so its
contents can appear in no message, no request and no cache. A resolved schema nested more than
:data:`MAX_DEPTH` levels deep is refused too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from ..errors import SpecError
from ..schema.flatten import PointerMiss, walk_pointer
from ..schema.keywords import REF_SIBLINGS
from .lines import SharedSchema
from .yamlio import YamlList, YamlMap, line_of, load_yaml

__all__ = ["FileCache", "resolve_refs", "ref_targets", "check_inside"]


class FileCache:
    """Parsed YAML files by absolute path, so each file is read once per service.

    ``roots``: the spec folders files may really be in. A file that is a symlink leading out of
    them (an operation file pointing at ``~/.config/specclient/credentials.yaml``) is refused
    before it is read, so its text reaches no message and no cache."""

    def __init__(self, roots: Iterable[str] = ()) -> None:
        self._files: dict[str, Any] = {}
        self.roots = [os.path.realpath(r) for r in roots]
        #: (service folder, referring file, $ref) -> (file, pointer) it was found to lead to,
        #: inside the folder (symlinks are followed once per reference, not per use)
        self.targets: dict[tuple[str, str, str], tuple[str, str]] = {}
        #: schemas resolved under $defs, shared by every schema of a service that refers to
        #: them: (service folder, target) -> (name, resolved body, the targets it refers to)
        self.defs: dict[tuple[str, tuple[str, str]], tuple[str, Any, list[tuple[str, str]]]] = {}
        self.def_names: set[tuple[str, str]] = set()  # (service folder, name) taken
        self._real: dict[str, str] = {}

    def real(self, path: str) -> str:
        """``os.path.realpath(path)``, worked out once."""
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = os.path.realpath(path)
        return real

    def loaded(self, path: str) -> bool:
        """Whether ``path`` has been read already."""
        return path in self._files

    def load(self, path: str) -> Any:
        data = self._files.get(path)
        if data is None:
            check_inside(path, self.roots)
            data = self._files[path] = load_yaml(path)
        return data


def check_inside(path: str, roots: list[str]) -> None:
    """Raise :class:`SpecError` when ``path`` really (symlinks followed) lies outside every one
    of ``roots`` (real paths); no roots: no check."""
    if not roots:
        return
    real = os.path.realpath(path)
    if not any(os.path.commonpath([real, root]) == root for root in roots):
        raise SpecError.at(path, None, "a symlink leading outside the spec folder; refused "
                                       "(a spec may only read its own files)")


_ANNOTATIONS = REF_SIBLINGS


#: How deeply a schema may nest once its references are inlined.
MAX_DEPTH = 100
#: How many references deep targets are inlined; deeper ones are referred to under ``$defs``.
INLINE_DEPTH = 3

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class _Resolution:
    def __init__(self, files: FileCache, root: str):
        self.files = files
        self.root = files.real(root)
        self.root_given = root
        self.active: list[tuple[str, str]] = []
        self.used: list[tuple[str, str]] = []  # targets referred to under $defs
        self.refers: list[tuple[str, str]] | None = None  # those of the body being resolved
        self.recursive: set[tuple[str, str]] = set()  # inlined targets that refer to themselves
        self.memo: dict[tuple[tuple[str, str], int], Any] = {}

    def target(self, ref: Any, file: str, line: int | None) -> tuple[str, str]:
        if not isinstance(ref, str):
            raise SpecError.at(file, line, "$ref must be a string")
        path, _, pointer = ref.partition("#")
        if not path:
            return file, pointer
        known = self.files.targets.get((self.root, file, ref))
        if known is not None:
            return known
        shown = ref if len(ref) <= 200 else ref[:200] + "..."
        if _SCHEME.match(path) or path.startswith("//"):
            raise SpecError.at(file, line, f"$ref {shown!r}: only files in the service's folder "
                                           f"may be referred to (not URLs); refused")
        if os.path.isabs(path) or path.startswith(("/", "\\")):
            raise SpecError.at(file, line, f"$ref {shown!r}: an absolute path; refused: refer "
                                           f"to files in the service's folder by relative path")
        target_file = os.path.normpath(os.path.join(os.path.dirname(file), path))
        real = os.path.realpath(target_file)  # symlinks followed: where it really is
        if os.path.commonpath([real, self.root]) != self.root:
            lexical = os.path.abspath(target_file)
            inside = os.path.commonpath([lexical, os.path.abspath(self.root_given)]) \
                == os.path.abspath(self.root_given)
            how = "through a symlink" if inside else "with .."
            raise SpecError.at(file, line, f"$ref {shown!r} leads outside the service's folder "
                                           f"({how}); refused: a spec may only refer to its own "
                                           f"files")
        self.files.targets[self.root, file, ref] = (target_file, pointer)
        return target_file, pointer

    def lookup(self, key: tuple[str, str], file: str, line: int | None) -> Any:
        target_file, pointer = key
        if not self.files.loaded(target_file) and not os.path.isfile(target_file):
            raise SpecError.at(file, line, f"$ref to a missing file: {target_file}")
        node = self.files.load(target_file)
        if pointer in ("", "/"):
            return node
        if not pointer.startswith("/"):
            raise SpecError.at(file, line, f"$ref pointer must start with '/': #{pointer}")
        try:
            return walk_pointer(node, pointer)
        except PointerMiss as miss:
            raise SpecError.at(file, line, f"$ref pointer #{pointer} not found in "
                                           f"{target_file} (no {miss.token!r})") from None

    def follow(self, node: dict[str, Any], file: str) -> tuple[tuple[str, str], Any, str]:
        """Follow a chain of pure references to the first real schema; refuse cycles."""
        seen: list[tuple[str, str]] = []
        line = line_of(node, "$ref")
        key = self.target(node["$ref"], file, line)
        while True:
            if key in seen:
                chain = " -> ".join(f"{os.path.basename(f)}#{p}" for f, p in seen + [key])
                raise SpecError.at(file, line, f"$ref cycle: {chain}")
            seen.append(key)
            target = self.lookup(key, file, line)
            if isinstance(target, dict) and set(target) == {"$ref"}:
                file, line = key[0], line_of(target, "$ref")
                key = self.target(target["$ref"], file, line)
                continue
            return key, target, key[0]

    def resolve(self, node: Any, file: str, depth: int = 0, refs: int = 0) -> Any:
        """``node`` resolved; ``depth``: how deeply it nests, ``refs``: how many references
        led to it."""
        if depth > MAX_DEPTH:
            raise SpecError.at(file, line_of(node), f"schema nested more than {MAX_DEPTH} "
                                                    f"levels deep (its $refs inlined); refused")
        if isinstance(node, dict):
            if "$ref" in node:
                return self.resolve_ref(node, file, depth, refs)
            out = YamlMap((k, self.resolve(v, file, depth + 1, refs)) for k, v in node.items())
            out.line = line_of(node)
            out.key_lines = getattr(node, "key_lines", {})
            return out
        if isinstance(node, list):
            lst = YamlList(self.resolve(v, file, depth + 1, refs) for v in node)
            lst.line = line_of(node)
            lst.item_lines = getattr(node, "item_lines", [])
            return lst
        return node

    def resolve_ref(self, node: dict[str, Any], file: str, depth: int, refs: int) -> Any:
        key, target, target_file = self.follow(node, file)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if key in self.active or refs >= INLINE_DEPTH:  # recursion, or deep: under $defs
            resolved: Any = {"$ref": f"#/$defs/{self.define(key, target, target_file)}"}
        elif (key, refs) in self.memo:
            resolved = self.memo[key, refs]
        else:
            self.active.append(key)
            try:
                resolved = self.resolve(target, target_file, depth + 1, refs + 1)
            finally:
                self.active.pop()
            if key in self.recursive:  # it refers back to itself: the whole of it under $defs
                resolved = {"$ref": f"#/$defs/{self.files.defs[self.root, key][0]}"}
            self.memo[key, refs] = resolved
        if not siblings:
            return resolved
        extra = {k: self.resolve(v, file, depth + 1, refs) for k, v in siblings.items()}
        if set(extra) <= _ANNOTATIONS and isinstance(resolved, dict):
            return {**resolved, **extra}
        return {"allOf": [resolved], **extra}

    def define(self, key: tuple[str, str], target: Any, target_file: str) -> str:
        """The name of ``key``'s target under ``$defs``, its body resolved once per service
        (every reference inside it to ``$defs`` too) and shared by every schema that refers
        to it. Bodies are resolved one after another, not one inside another, so a long
        chain of references cannot exhaust the stack."""
        inside_body = self.refers is not None
        if key in self.active:
            self.recursive.add(key)
        (self.refers if self.refers is not None else self.used).append(key)
        defs = self.files.defs
        entry = defs.get((self.root, key))
        if entry is not None:
            return entry[0]
        name = self.def_name(key)
        self.files.def_names.add((self.root, name))
        defs[self.root, key] = (name, None, [])
        if inside_body:  # resolved by the loop of the define() that is running
            return name
        pending, queued = [key], {key}
        try:
            while pending:
                key = pending.pop()
                self.refers = []
                body = self.resolve(self.lookup(key, key[0], None), key[0], 1, INLINE_DEPTH)
                if isinstance(body, YamlMap):
                    shared = SharedSchema(body)
                    shared.line, shared.key_lines = body.line, body.key_lines
                    body = shared
                refers, self.refers = self.refers, None
                defs[self.root, key] = (defs[self.root, key][0], body, refers)
                for k in refers:
                    if defs[self.root, k][1] is None and k not in queued:
                        queued.add(k)
                        pending.append(k)
        except BaseException:  # nothing half-done is kept
            self.refers = None
            for k, entry in list(defs.items()):
                if k[0] == self.root and entry[1] is None:
                    del defs[k]
                    self.files.def_names.discard((self.root, entry[0]))
            raise
        return name

    def closure(self) -> dict[str, Any]:
        """Every body under ``$defs`` the resolved schema needs, by name."""
        out: dict[str, Any] = {}
        seen: set[tuple[str, str]] = set()
        todo = list(self.used)
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            name, body, refers = self.files.defs[self.root, key]
            out[name] = body
            todo.extend(refers)
        return out

    def def_name(self, key: tuple[str, str]) -> str:
        stem = os.path.splitext(os.path.basename(key[0]))[0]
        base = re.sub(r"[^A-Za-z0-9_]+", "_", f"{stem}{key[1]}").strip("_") or "schema"
        name, n = base, 1
        while (self.root, name) in self.files.def_names:
            n += 1
            name = f"{base}_{n}"
        return name


def _service_folder(file: str, root: str | None) -> str:
    if root is not None:
        return root
    folder = os.path.dirname(os.path.abspath(file))
    return os.path.dirname(folder) if os.path.basename(folder) in ("operations", "schemas") \
        else folder


def resolve_refs(node: Any, file: str, files: FileCache, root: str | None = None) -> Any:
    """``node`` (read from ``file``) with every ``$ref`` resolved; see the module docstring.
    ``root``: the folder references must stay in (default: the service folder ``file`` is in,
    that is the folder above ``operations/`` or ``schemas/``, else ``file``'s own)."""
    res = _Resolution(files, _service_folder(file, root))
    out = res.resolve(node, os.path.abspath(file))
    if res.used:
        if not isinstance(out, dict):
            raise SpecError.at(file, line_of(node), "a recursive schema must be an object")
        out = {**out, "$defs": {**out.get("$defs", {}), **res.closure()}}
    return out


def ref_targets(node: Any, file: str, files: FileCache, root: str | None = None,
                seen: set[tuple[str, str]] | None = None) -> list[tuple[str, str, Any]]:
    """Every schema ``node`` (read from ``file``) refers to, directly or through others, as
    ``(file, pointer, the schema as written)``; each once, and none whose ``(file, pointer)``
    is in ``seen`` already (``seen`` is added to: share it to list each target once across
    many schemas). Walks without recursion; raises what resolving would."""
    res = _Resolution(files, _service_folder(file, root))
    seen = set() if seen is None else seen
    out: list[tuple[str, str, Any]] = []
    stack: list[tuple[Any, str]] = [(node, os.path.abspath(file))]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            if "$ref" in item:
                key, target, target_file = res.follow(item, where)
                if key not in seen:
                    seen.add(key)
                    out.append((key[0], key[1], target))
                    stack.append((target, target_file))
            stack.extend((v, where) for k, v in item.items() if k != "$ref")
        elif isinstance(item, list):
            stack.extend((v, where) for v in item)
    return out
