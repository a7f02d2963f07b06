"""Finding, loading and checking spec folders.

A spec folder holds one folder per service::

    specs/
      thirdwatch/
        service.yaml            # environments, auth schemes, signing rules, defaults
        operations/
          order_status.yaml     # one operation per file; its name is the file's name
        schemas/
          order_status.yaml     # JSON Schemas, $ref'd from operations

The bundled folder comes first; user folders given later replace a bundled service of the same
name. Loading is lazy: listing names reads directory entries only, and a call parses just its
service and its one operation, each once (a full name is found without even listing the folder).
What ``list`` shows and the aliases come from a cached index (:mod:`specclient.spec.index`), and a
file that passed the format check is not checked again while it is unchanged.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from ..auth import AUTH_TYPES
from ..errors import OperationNotFound, SpecError, SpecProblem
from ..model import (
    RESERVED_ARGS,
    Body,
    Operation,
    Parameter,
    ResponseSpec,
    Service,
    python_name,
)
from ..signing import SIGNER_TYPES
from .checks import check_format, check_schema, close_names, format_digest, format_error_paths
from .index import OperationHeader, ServiceCache, stat_or_none
from .refs import FileCache, check_inside, ref_targets, resolve_refs
from .yamlio import line_of, load_yaml

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = ["Catalog", "bundled_specs_dir"]

SERVICE_FILE = "service.yaml"
OPERATIONS_DIR = "operations"
_EXTS = (".yaml", ".yml")
_PATH_PARAM = re.compile(r"\{([^{}/]+)\}")


def bundled_specs_dir() -> str:
    """The folder of specs shipped with specclient (inside the installed package, or the
    repository's top-level ``specs/`` when running from a checkout)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # specclient/
    inside = os.path.join(package, "_bundled_specs")
    if os.path.isdir(inside):
        return inside
    return os.path.join(os.path.dirname(package), "specs")


def _parts(problems: list[SpecProblem], misshapen: bool,
           ) -> Callable[[], AbstractContextManager[None]]:
    """A context manager for checking one independent part of a spec file: a
    :class:`SpecError` inside adds its problems to ``problems`` and the next part goes on.
    When the file already broke the format (``misshapen``), a part that trips over a shape the
    format refused is skipped too (that problem is already reported)."""

    @contextmanager
    def part() -> Iterator[None]:
        try:
            yield
        except SpecError as exc:
            problems.extend(exc.problems)
        except (KeyError, TypeError, AttributeError, ValueError):
            if not misshapen:
                raise  # a bug, not a spec problem: the format check passed

    return part


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [] if value == "none" else [value]
    return list(value)


class _ServiceEntry:
    """A service folder found on disk; parsed on first use."""

    def __init__(self, name: str, folder: str, root: str | None = None):
        self.name = name
        self.folder = folder
        #: the spec folder it was found in: no file of it may really lie outside
        self.root = os.path.realpath(root if root is not None else folder)
        self._ops: dict[str, str] | None = None
        self._headers: dict[str, OperationHeader] | None = None
        self._header_problems: list[SpecProblem] = []
        self.cache = ServiceCache(folder)

    def file_for(self, op: str) -> str | None:
        """The file of operation ``op``, or None; looks up just that name (no listing)."""
        if self._ops is not None:
            return self._ops.get(op)
        if not op or op in (".", "..") or "/" in op or os.sep in op or "\0" in op:
            return None
        d = os.path.join(self.folder, OPERATIONS_DIR)
        found = [p for p in (os.path.join(d, op + ext) for ext in _EXTS) if os.path.isfile(p)]
        if len(found) > 1:
            raise SpecError.at(found[1], None, f"duplicate operation name {op!r} "
                                               f"(also {found[0]})")
        return found[0] if found else None

    def headers(self, problems: list[SpecProblem] | None = None) -> dict[str, OperationHeader]:
        """Operation name -> method, path, summary and aliases, from the cached index. A file
        that cannot be read raises :class:`SpecError`; with a ``problems`` list, its problems
        go there and the other files' headers are returned."""
        if self._headers is None:
            self.operation_files  # noqa: B018 - raises on duplicate names
            found: list[SpecProblem] = []
            def read(path: str) -> Any:
                check_inside(path, [self.root])  # a symlink leading out is never read
                return _read_for_index(path)

            self._headers = self.cache.headers(os.path.join(self.folder, OPERATIONS_DIR),
                                               _EXTS, read, found)
            self._header_problems = found
        if self._header_problems:
            if problems is None:
                raise SpecError(self._header_problems)
            problems.extend(self._header_problems)
        return self._headers

    @property
    def operation_files(self) -> dict[str, str]:
        """Operation name -> file, from directory entries alone."""
        if self._ops is None:
            ops: dict[str, str] = {}
            d = os.path.join(self.folder, OPERATIONS_DIR)
            try:
                entries = sorted(os.listdir(d))
            except FileNotFoundError:
                entries = []
            for entry in entries:
                stem, ext = os.path.splitext(entry)
                if ext not in _EXTS:
                    continue
                path = os.path.join(d, entry)
                if stem in ops:
                    raise SpecError.at(path, None, f"duplicate operation name {stem!r} "
                                                   f"(also {ops[stem]})")
                ops[stem] = path
            self._ops = ops
        return self._ops


def _read_for_index(path: str) -> Any:
    """An operation file read to index it: not added to the parsed-file cache."""
    return load_yaml(path, keep=False)


class Catalog:
    """All services and operations visible to one client."""

    def __init__(self, spec_dirs: Iterable[str | os.PathLike[str]] = (),
                 include_bundled: bool = True):
        dirs = [bundled_specs_dir()] if include_bundled else []
        dirs += [os.fspath(d) for d in spec_dirs]
        self.spec_dirs = dirs
        self._entries: dict[str, _ServiceEntry] = {}
        for d in dirs:
            for name, folder in self._discover(d):
                self._entries[name] = folder  # later folders replace earlier ones
        self._services: dict[str, Service] = {}
        self._operations: dict[str, Operation] = {}
        self._aliases: dict[str, str] | None = None
        self._ambiguous: dict[str, list[str]] = {}
        self._files = FileCache(dirs)  # no spec file may lead out of the spec folders
        self._lock = threading.RLock()

    @staticmethod
    def _discover(d: str) -> list[tuple[str, _ServiceEntry]]:
        if not os.path.isdir(d):
            raise SpecError.at(d, None, "spec folder not found")
        if os.path.isfile(os.path.join(d, SERVICE_FILE)):  # a single service folder
            name = os.path.basename(os.path.normpath(d))
            return [(name, _ServiceEntry(name, d, d))]
        found = []
        for entry in sorted(os.listdir(d)):
            folder = os.path.join(d, entry)
            if os.path.isfile(os.path.join(folder, SERVICE_FILE)):
                found.append((entry, _ServiceEntry(entry, folder, d)))
        return found

    # -- names

    def service_names(self) -> list[str]:
        return sorted(self._entries)

    def operation_names(self, service: str | None = None) -> list[str]:
        """Sorted full names (``service.operation``), from directory entries alone."""
        names = []
        for sname, entry in self._entries.items():
            if service is None or sname == service:
                names.extend(f"{sname}.{op}" for op in entry.operation_files)
        return sorted(names)

    def has_service(self, name: str) -> bool:
        return name in self._entries

    def service_folder(self, name: str) -> str:
        """The folder service ``name`` was found in."""
        return self._entries[name].folder

    def raw(self, path: str) -> Any:
        """The parsed (line-annotated, unresolved) YAML of a spec file, read once."""
        return self._files.load(path)

    def ref_targets(self, node: Any, file: str, folder: str,
                    seen: set[tuple[str, str]]) -> list[tuple[str, str, Any]]:
        """The schemas ``node`` (in ``file``, of the service in ``folder``) refers to, as
        written, each once across calls sharing ``seen`` (see
        :func:`specclient.spec.refs.ref_targets`)."""
        return ref_targets(node, file, self._files, folder, seen)

    def resolve_name(self, name: str) -> str:
        """The full name of an operation given by full name, ``service.alias`` or a bare alias
        (e.g. a generated SDK's method name); :class:`OperationNotFound` otherwise."""
        service, dot, op = name.partition(".")
        if dot:
            entry = self._entries.get(service)
            if entry is not None and entry.file_for(op) is not None:
                return name
        aliases = self.aliases()
        if name in aliases:
            return aliases[name]
        if name in self._ambiguous:
            raise OperationNotFound(name, sorted(self._ambiguous[name]))
        candidates = self.operation_names() + sorted(aliases)
        near = close_names(name, candidates, n=3, cutoff=0.5)
        if not near and dot:  # a right operation under a wrong service name, or vice versa
            near = [c for c in candidates if c.endswith("." + op) or c.startswith(service + ".")]
        raise OperationNotFound(name, near[:3])

    def headers(self, service: str | None = None, problems: list[SpecProblem] | None = None,
                ) -> list[tuple[str, OperationHeader]]:
        """(full name, header) of every operation, sorted, from the cached index: what
        ``specclient list`` shows, without loading any operation. A file that cannot be read
        raises :class:`SpecError`; with a ``problems`` list, its problems (and those of a
        service with duplicate operation names) go there and every other operation is
        listed."""
        out = []
        for sname, entry in self._entries.items():
            if service is None or sname == service:
                try:
                    heads = entry.headers(problems)
                except SpecError as exc:
                    if problems is None:
                        raise
                    problems.extend(exc.problems)
                    continue
                out.extend((f"{sname}.{op}", h) for op, h in heads.items())
        return sorted(out, key=lambda item: item[0])

    def _alias_line(self, path: str, i: int) -> int | None:
        """The line of a file's i-th alias (read again only to report a conflict)."""
        listed = self._files.load(path).get("aliases")
        return line_of(listed, i)

    def aliases(self) -> dict[str, str]:
        """Every alias (bare and ``service.alias``) -> full name, from the cached index.

        ``service.alias`` must be unique within its service. A bare alias that two services
        declare (an SDK method name in the bundled spec and in your own import, say) is
        ambiguous: it is left out here, and naming it suggests both full names."""
        with self._lock:
            if self._aliases is None:
                aliases: dict[str, str] = {}
                origin: dict[str, str] = {}
                ambiguous: dict[str, list[str]] = {}
                for sname, entry in sorted(self._entries.items()):
                    for op, header in entry.headers().items():
                        path = header.file
                        full = f"{sname}.{op}"
                        for i, alias in enumerate(header.aliases):
                            bare, qualified = str(alias), f"{sname}.{alias}"
                            if qualified in aliases and aliases[qualified] != full:
                                raise SpecError.at(path, self._alias_line(path, i),
                                                   f"alias {alias!r} is already used by "
                                                   f"{aliases[qualified]} ({origin[qualified]})")
                            if entry.file_for(str(alias)) is not None:
                                raise SpecError.at(path, self._alias_line(path, i),
                                                   f"alias {alias!r} is also an operation "
                                                   f"name in {sname}")
                            aliases[qualified] = full
                            origin[qualified] = path
                            if bare in ambiguous:
                                ambiguous[bare].append(full)
                            elif bare in aliases and aliases[bare] != full:
                                ambiguous[bare] = [aliases.pop(bare), full]
                            else:
                                aliases[bare] = full
                self._aliases = aliases
                self._ambiguous = ambiguous
            return self._aliases

    # -- loading

    def service(self, name: str) -> Service:
        with self._lock:
            svc = self._services.get(name)
            if svc is None:
                entry = self._entries.get(name)
                if entry is None:
                    raise OperationNotFound(name, close_names(name, self.service_names(), n=3),
                                            kind="service")
                svc = self._services[name] = self._load_service(entry)
            return svc

    def operation(self, name: str) -> Operation:
        """The loaded operation called ``name`` (full name or alias)."""
        op = self._operations.get(name)
        if op is not None:
            return op
        full = self.resolve_name(name)
        with self._lock:
            op = self._operations.get(full)
            if op is None:
                sname, _, oname = full.partition(".")
                svc = self.service(sname)
                path = self._entries[sname].file_for(oname)
                assert path is not None  # resolve_name found it
                op = self._load_operation(svc, oname, path)
                self._operations[full] = op
            self._operations[name] = op
            return op

    def check_service(self, name: str) -> tuple[Service | None, list[SpecProblem]]:
        """Load service ``name`` without stopping at the first problem, for ``specclient
        lint``: the format check, then each environment setting, auth scheme, signing rule and
        default on its own. Returns the service as far as it could be built (None when its
        file is not even a mapping; an auth scheme or signing rule that failed is left out)
        and every problem found."""
        entry = self._entries.get(name)
        if entry is None:
            raise OperationNotFound(name, close_names(name, self.service_names(), n=3),
                                    kind="service")
        return self._read_service(entry, keep_going=True)

    def _load_service(self, entry: _ServiceEntry) -> Service:
        svc, problems = self._read_service(entry, keep_going=False)
        if problems:
            raise SpecError(problems)
        assert svc is not None
        return svc

    def _read_service(self, entry: _ServiceEntry,
                      keep_going: bool) -> tuple[Service | None, list[SpecProblem]]:
        """The service in ``entry`` and the problems found in it, each part checked on its
        own. Unless ``keep_going``, a file that breaks the format raises at once."""
        file = os.path.join(entry.folder, SERVICE_FILE)
        problems: list[SpecProblem] = []
        if keep_going:
            data = self._files.load(file)
            problems.extend(check_format(data, "service", file))
            if not isinstance(data, dict):
                return None, problems
        else:
            self._check_format(entry.cache, file, "service")
            data = self._files.load(file)
        part = _parts(problems, misshapen=bool(problems))
        broken = format_error_paths(data, "service") if problems else []

        declared = data.get("service")
        if declared is not None and declared != entry.name:
            problems.append(SpecProblem(file, line_of(data, "service"),
                                        f"service: {declared!r} does not match its folder "
                                        f"{entry.name!r}"))
        envs: dict[str, str] = {}
        with part():
            envs = dict(data["environments"])
        default_env = data.get("default_environment", next(iter(envs), ""))
        if envs and default_env not in envs and ("default_environment",) not in broken:
            problems.append(SpecProblem(file, line_of(data, "default_environment"),
                                        f"default_environment {default_env!r} is not one of "
                                        f"{sorted(envs)}"))
        auth = {}
        raw_auth = data.get("auth") or {}
        for aname, decl in (raw_auth.items() if isinstance(raw_auth, dict) else ()):
            with part():
                auth[aname] = AUTH_TYPES[decl["type"]](aname, decl)
        signing = {}
        rules = data.get("signing") or {}
        for sname, decl in (rules.items() if isinstance(rules, dict) else ()):
            with part():
                signing[sname] = SIGNER_TYPES[decl["type"]](sname, decl, file,
                                                            line_of(rules, sname))
        defaults = data.get("defaults") or {}
        defaults = dict(defaults) if isinstance(defaults, dict) else {}
        for key, raw in (("auth", raw_auth), ("signing", rules)):
            with part():
                for n in _names(defaults.get(key)):
                    if n not in raw:  # declared but broken: that problem is reported
                        problems.append(SpecProblem(
                            file, line_of(data["defaults"], key),
                            f"defaults.{key} names {n!r}, which this service does not "
                            f"declare"))
        if problems and not keep_going:
            return None, problems

        def text(key: str, default: str) -> str:
            value = data.get(key, default)
            return value if isinstance(value, str) else default

        return Service(
            name=entry.name, folder=entry.folder, file=file,
            title=text("title", entry.name), description=text("description", ""),
            environments=envs, default_environment=default_env, auth=auth, signing=signing,
            defaults=defaults, docs=text("docs", ""),
            redirects=text("redirects", "same_origin"),
            allow_insecure_http=data.get("allow_insecure_http") is True,
        ), problems

    def _check_format(self, cache: ServiceCache, file: str, kind: str) -> None:
        """Raise :class:`SpecError` unless ``file`` follows the spec format (skipped for a file
        that passed before and has not changed since)."""
        st = stat_or_none(file)  # before reading, so a change made meanwhile is not trusted
        digest = format_digest(kind)
        if cache.was_checked(file, st, digest):
            return
        problems = check_format(self._files.load(file), kind, file)
        if problems:
            raise SpecError(problems)
        cache.mark_checked(file, st, digest)

    def check_operation(self, name: str, service: Service | None = None,
                        ) -> tuple[Operation | None, list[SpecProblem]]:
        """Load operation ``name`` (a full name) without stopping at the first problem, for
        ``specclient lint``: the format check, then each independent part (each parameter,
        the path parameters, the body, each response, the auth and signing references) on
        its own. Returns the operation as far as it could be built (None when the file is
        not even a mapping) and every problem found. ``service``: its service as far as
        :meth:`check_service` could build it (default: loaded, and a broken one raises
        :class:`SpecError`)."""
        sname, _, oname = name.partition(".")
        svc = service if service is not None else self.service(sname)
        path = self._entries[sname].file_for(oname)
        if path is None:
            raise OperationNotFound(name, [])
        return self._read_operation(svc, oname, path, keep_going=True)

    def _load_operation(self, svc: Service, name: str, file: str) -> Operation:
        op, problems = self._read_operation(svc, name, file, keep_going=False)
        if problems:
            raise SpecError(problems)
        assert op is not None
        return op

    def _read_operation(self, svc: Service, name: str, file: str,
                        keep_going: bool) -> tuple[Operation | None, list[SpecProblem]]:
        """The operation in ``file`` and the problems found in it. Each part is checked on its
        own, so one run finds the problems of every part. Unless ``keep_going``, a file that
        breaks the format raises at once (nothing after relies on a shape it does not have)."""
        problems: list[SpecProblem] = []
        if keep_going:
            data = self._files.load(file)
            problems.extend(check_format(data, "operation", file))
            if not isinstance(data, dict):
                return None, problems
        else:
            self._check_format(self._entries[svc.name].cache, file, "operation")
            data = self._files.load(file)
        # a part may raise on a shape the format refused
        part = _parts(problems, misshapen=bool(problems))
        broken = format_error_paths(data, "operation") if problems else []

        def misshapen(*prefix: Any) -> bool:
            """The format check refused something at or under ``prefix`` (already reported:
            checking that part further would only report the same mistake again)."""
            return any(b[:len(prefix)] == prefix for b in broken)

        def problem(node: Any, key: Any, message: str) -> None:
            problems.append(SpecProblem(file, line_of(node, key), message))

        declared = data.get("operation")
        if declared is not None and declared != name:
            problem(data, "operation", f"operation: {declared!r} does not match its file name "
                                       f"{name!r}")

        def resolve(node: Any) -> Any:
            return resolve_refs(node, file, self._files, svc.folder)

        params: list[Parameter] = []
        raw_params = data.get("parameters") or {}
        if not isinstance(raw_params, dict):
            raw_params = {}  # the format check said so
        seen_py: dict[str, str] = {}
        for pname, decl in raw_params.items():
            if misshapen("parameters", pname):
                continue
            with part():
                py = decl.get("python_name") or python_name(pname)
                if py in RESERVED_ARGS:
                    problem(raw_params, pname, f"parameter {pname!r}: the Python name {py!r} "
                                               f"is reserved; set python_name")
                if py in seen_py:
                    problem(raw_params, pname, f"parameters {seen_py[py]!r} and {pname!r} "
                                               f"both have the Python name {py!r}; set "
                                               f"python_name")
                seen_py[py] = pname
                required = decl.get("required", decl["in"] == "path")
                if decl["in"] == "path" and not required:
                    problem(decl, "required", f"path parameter {pname!r} must be required")
                schema = resolve(decl.get("schema", {"type": "string"}))
                problems.extend(check_schema(schema, decl.get("schema"), file,
                                             line_of(decl, "schema"),
                                             f"parameters.{pname}.schema"))
                params.append(Parameter(
                    name=pname, location=decl["in"], required=required,
                    schema=schema, python_name=py,
                    description=decl.get("description", ""), default=decl.get("default"),
                    has_default="default" in decl, example=decl.get("example"),
                    deprecated=decl.get("deprecated", False),
                    style=decl.get("style", ""), explode=decl.get("explode"),
                ))

        path = data.get("path")
        with part():
            in_path = _PATH_PARAM.findall(path)
            # from the declarations, so a parameter whose schema failed still counts
            declared_path = {pname for pname, decl in raw_params.items()
                             if isinstance(decl, dict) and decl.get("in") == "path"}
            unsure = {pname for pname in raw_params if misshapen("parameters", pname)}
            for pname in in_path:
                if pname not in declared_path | unsure:
                    problem(data, "path", f"path parameter {{{pname}}} is not declared under "
                                          f"parameters (with in: path)")
            for pname in sorted(declared_path - set(in_path)):
                problem(raw_params, pname, f"path parameter {pname!r} does not appear in the "
                                           f"path {path!r}")

        body = None
        if "body" in data and not misshapen("body"):
            b = data["body"]
            with part():
                schema = resolve(b.get("schema", {}))
                problems.extend(check_schema(schema, b.get("schema"), file,
                                             line_of(b, "schema"), "body.schema"))
                example = None
                with part():
                    example = resolve(b["example"]) if "example" in b else None
                body = Body(
                    content_type=b.get("content_type", "application/json"),
                    required=b.get("required", True),
                    schema=schema,
                    example=example,
                    description=b.get("description", ""),
                    encoding=b.get("encoding") or {},
                )

        responses = {}
        raw_responses = data.get("responses") or {}
        for status, r in (raw_responses.items() if isinstance(raw_responses, dict) else ()):
            if misshapen("responses", status):
                continue
            with part():
                rschema = resolve(r["schema"]) if "schema" in r else None
                if rschema is not None:
                    problems.extend(check_schema(rschema, r["schema"], file,
                                                 line_of(r, "schema"),
                                                 f"responses.{status}.schema"))
                rexample = None
                with part():
                    rexample = resolve(r["example"]) if "example" in r else None
                responses[str(status)] = ResponseSpec(
                    status=str(status), description=r.get("description", ""),
                    content_type=r.get("content_type",
                                       "application/json" if "schema" in r else None),
                    schema=rschema,
                    example=rexample,
                )

        svc_data = self._files.load(svc.file) if keep_going else {}

        def pick(key: str, table: dict[str, Any]) -> list[Any]:
            found: list[Any] = []
            if misshapen(key):
                return found
            with part():
                names = _names(data[key]) if key in data else _names(svc.defaults.get(key))
                declared = svc_data.get(key) if isinstance(svc_data, dict) else None
                for n in names:
                    if n in table:
                        found.append(table[n])
                    elif (isinstance(declared, dict) and n in declared) \
                            or (keep_going and key not in data):
                        pass  # broken in service.yaml or its defaults: reported there
                    else:
                        node = data if key in data else svc.defaults
                        problems.append(SpecProblem(
                            file if key in data else svc.file, line_of(node, key),
                            f"{key}: {n!r} is not declared in {svc.file} (known: "
                            f"{', '.join(sorted(table)) or 'none'})"))
            return found

        auth = pick("auth", svc.auth)
        signing = pick("signing", svc.signing)
        if problems and not keep_going:
            return None, problems

        def get(key: str, kind: type | tuple[type, ...], default: Any) -> Any:
            """``data[key]`` when it has the right type (always, once the format passed)."""
            value = data.get(key, default)
            return value if isinstance(value, kind) else default

        method = get("method", str, "")
        return Operation(
            service=svc, name=name, file=file, method=method.upper(), path=get("path", str, ""),
            summary=get("summary", str, ""), description=get("description", str, ""),
            aliases=list(get("aliases", list, [])), tags=list(get("tags", list, [])),
            parameters=params, body=body, responses=responses, auth=auth, signing=signing,
            idempotent=get("idempotent", bool, False),
            timeout=data.get("timeout", svc.defaults.get("timeout")),
            retries={**svc.defaults.get("retries", {}), **get("retries", dict, {})},
            max_response_bytes=get("max_response_bytes", int,
                                   svc.defaults.get("max_response_bytes")),
            deprecated=get("deprecated", bool, False),
            pagination=_pagination(data.get("pagination", svc.defaults.get("pagination"))),
        ), problems


def _pagination(decl: Any) -> Any:
    """An operation's pagination (its own, else its service's default): None without one, or
    with ``pagination: none`` in the operation to opt out of the service's."""
    if not isinstance(decl, dict) or "style" not in decl:
        return None
    from ..pagination import Pagination  # only for an operation that pages (start-up)

    return Pagination.from_spec(decl)
