"""A cache of what a service folder holds, so that big folders stay fast.

Two small JSON files per service folder, under the user's cache directory
(``$SPECCLIENT_CACHE_DIR``, else ``$XDG_CACHE_HOME/specclient``, else ``~/.cache/specclient``):

``index.json``
    For every operation file: its modification time and size, and the header fields that
    ``specclient list`` shows and name resolution needs (method, path, summary, aliases). An
    entry is reused only while the file's mtime and size are unchanged; changed files are
    re-read and the file is rewritten. ``specclient list`` of 10,000 operations then reads one
    JSON file and stats the folder instead of parsing 10,000 YAML files.
``checked.json``
    Files that passed the spec-format check, with their mtime, size and a digest of the format
    schema, so an unchanged file is not checked (and ``jsonschema`` not imported) again.

The cache is only ever an accelerator: a missing, corrupt or unwritable cache is ignored (and
rewritten when possible), and a stale entry can never be used because every use compares the
file's current mtime and size. Writes are atomic (a temporary file renamed into place).

The cache is trusted only when it is yours, pip's rule: the cache directory (made 0700 when
missing) must be owned by you and writable by nobody else, and so must every file read from
it; otherwise it is not used at all (one warning says why), since a planted entry could change
what a spec says. No secret is ever stored in it (only spec files are cached).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import tempfile
from collections.abc import Callable
from typing import Any

from ..errors import SpecError, SpecProblem
from ..record import FrozenRecord

__all__ = ["cache_root", "ServiceCache", "OperationHeader", "write_json", "file_stamp",
           "trusted_dir", "trusted_file"]

log = logging.getLogger("specclient")

FORMAT = 1


def cache_root() -> str | None:
    """The cache directory, or None when caching is switched off (``SPECCLIENT_CACHE_DIR=``
    set to an empty string) or the directory is not trusted (see :func:`trusted_dir`)."""
    explicit = os.environ.get("SPECCLIENT_CACHE_DIR")
    if explicit is not None:
        root = explicit or None
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                ".cache")
        root = os.path.join(base, "specclient")
    return root if root is not None and trusted_dir(root) else None


_TRUSTED: dict[str, bool] = {}


def trusted_dir(path: str) -> bool:
    """True when ``path`` is a directory owned by this user and writable by nobody else (made,
    0700, when missing). Worked out once per path per process; an untrusted one is warned
    about once."""
    known = _TRUSTED.get(path)
    if known is not None:
        return known
    why = ""
    try:
        if not os.path.lexists(path):
            os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.stat(path)
        if not stat.S_ISDIR(st.st_mode):
            why = "not a directory"
        elif os.name == "posix" and st.st_uid != os.getuid():
            why = f"owned by another user (uid {st.st_uid})"
        elif os.name == "posix" and st.st_mode & 0o022:
            why = f"writable by group or others (mode {stat.S_IMODE(st.st_mode):04o})"
    except OSError as exc:
        why = f"unusable ({exc.strerror})"
    if why:
        log.warning("specclient: not using the cache directory %s: %s (a planted entry could "
                    "change a spec); specs are read without it. Fix: chmod 700 it, or set "
                    "SPECCLIENT_CACHE_DIR", path, why)
    _TRUSTED[path] = not why
    return not why


def trusted_file(fh: Any) -> bool:
    """True when the open cache file ``fh`` is this user's and writable by nobody else."""
    if os.name != "posix":
        return True
    st = os.fstat(fh.fileno())
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


class OperationHeader(FrozenRecord):
    """What the index knows about one operation file without loading it."""

    __slots__ = ("name", "file", "method", "path", "summary", "aliases")
    _fields = __slots__

    def __init__(self, name: str, file: str, method: str, path: str, summary: str,
                 aliases: tuple[str, ...]):
        self.name = name
        self.file = file
        self.method = method
        self.path = path
        self.summary = summary
        self.aliases = aliases


def write_json(path: str, data: Any) -> bool:
    """Write ``data`` as compact JSON to ``path`` atomically (a temporary file in the same
    folder, renamed into place; the folder is made if needed). False if it could not be
    written (a read-only or full disk, text JSON cannot carry): a cache only ever saves time."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.",
                                   suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except (OSError, ValueError):
        return False
    return True


def file_stamp(st: os.stat_result) -> list[int]:
    """What a cache entry is valid for: the file's modification time (ns) and size."""
    return [st.st_mtime_ns, st.st_size]


def header_fields(data: Any) -> dict[str, Any]:
    """The indexed fields of a parsed operation file (tolerant: a broken file still lists)."""
    if not isinstance(data, dict):
        data = {}
    aliases = data.get("aliases")
    return {
        "method": str(data.get("method", "")).upper(),
        "path": str(data.get("path", "")),
        "summary": str(data.get("summary", "") or ""),
        "aliases": [str(a) for a in aliases] if isinstance(aliases, list) else [],
    }


class ServiceCache:
    """The cache files of one service folder. Every method works (more slowly) without a
    usable cache directory."""

    def __init__(self, folder: str, root: str | None = None):
        self.folder = os.path.abspath(folder)
        root = cache_root() if root is None else root
        if root:
            digest = hashlib.sha256(self.folder.encode("utf-8", "surrogateescape")).hexdigest()
            name = os.path.basename(self.folder) or "root"
            self.dir: str | None = os.path.join(root, "services", f"{name}-{digest[:16]}")
        else:
            self.dir = None
        self._checked: dict[str, Any] | None = None

    # ------------------------------------------------------------------ files

    def _path(self, name: str) -> str | None:
        return os.path.join(self.dir, name) if self.dir else None

    def _read(self, name: str) -> dict[str, Any] | None:
        path = self._path(name)
        if path is None:
            return None
        try:
            with open(path, "rb") as fh:
                if not trusted_file(fh):
                    return None
                data = json.loads(fh.read())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT \
                or data.get("folder") != self.folder:
            return None
        return data

    def _write(self, name: str, data: dict[str, Any]) -> bool:
        path = self._path(name)
        if path is None:
            return False
        return write_json(path, {"format": FORMAT, "folder": self.folder, **data})

    # ------------------------------------------------------------------ the index

    def headers(self, ops_dir: str, exts: tuple[str, ...], parse: Callable[[str], Any],
                problems: list[SpecProblem] | None = None) -> dict[str, OperationHeader]:
        """Every operation file in ``ops_dir`` -> its header, re-reading (with ``parse``) only
        files that are new or changed since the cached index was written. A file ``parse``
        refuses raises :class:`SpecError`; with a ``problems`` list, its problems go there
        instead and the file is left out."""
        cached = self._read("index.json")
        old: dict[str, Any] = cached.get("ops", {}) if cached else {}
        if not isinstance(old, dict):
            old = {}
        new: dict[str, Any] = {}
        out: dict[str, OperationHeader] = {}
        changed = cached is None
        try:
            entries = sorted(os.scandir(ops_dir), key=lambda e: e.name)
        except FileNotFoundError:
            entries = []
        for entry in entries:
            stem, ext = os.path.splitext(entry.name)
            if ext not in exts:
                continue
            try:
                if not entry.is_file():
                    continue
                stamp = file_stamp(entry.stat())
            except OSError:
                continue
            rec = old.get(entry.name)
            if not (isinstance(rec, dict) and rec.get("stamp") == stamp
                    and isinstance(rec.get("aliases"), list)
                    and all(isinstance(rec.get(k), str) for k in ("method", "path", "summary"))):
                try:
                    data = parse(entry.path)
                except SpecError as exc:
                    if problems is None:
                        raise
                    problems.extend(exc.problems)
                    changed = True
                    continue
                rec = {"stamp": stamp, **header_fields(data)}
                changed = True
            new[entry.name] = rec
            out.setdefault(stem, OperationHeader(stem, entry.path, rec["method"], rec["path"],
                                                 rec["summary"], tuple(rec["aliases"])))
        if changed or set(new) != set(old):
            self._write("index.json", {"ops": new})
        return out

    # ------------------------------------------------------------------ format-check stamps

    def was_checked(self, file: str, st: os.stat_result | None, digest: str) -> bool:
        """Whether ``file``, as it is now, already passed the format check ``digest``."""
        if st is None:
            return False
        if self._checked is None:
            data = self._read("checked.json")
            files = data.get("files") if data else None
            self._checked = files if isinstance(files, dict) else {}
        return self._checked.get(os.path.abspath(file)) == [*file_stamp(st), digest]

    def mark_checked(self, file: str, st: os.stat_result | None, digest: str) -> None:
        """Remember that ``file`` (as stat'ed before it was read) passed check ``digest``."""
        if st is None or self.dir is None:
            return
        if self._checked is None:
            self.was_checked(file, st, digest)
        assert self._checked is not None
        self._checked[os.path.abspath(file)] = [*file_stamp(st), digest]
        self._write("checked.json", {"files": self._checked})


def stat_or_none(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None
