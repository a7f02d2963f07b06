"""Checking whole spec folders: every problem in every file, not just the first.

:func:`lint` loads every service and every operation in the given folders the way a call
would (``$ref`` s resolved, auth and signing references checked, schemas checked against the
JSON Schema meta-schema), parses every other YAML file there too, and checks every example and
default against its schema. It never raises for a bad spec: it returns the problems, each with
its file and line. ``specclient lint [DIR]...`` prints them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import SpecError, SpecProblem
from ..model import Operation
from ..schema.validation import SchemaValidator
from ..transport.limits import is_loopback
from .catalog import Catalog
from .checks import check_schema
from .yamlio import line_at_path, line_of

__all__ = ["lint", "lint_report", "LintReport"]

_EXTS = (".yaml", ".yml")


@dataclass
class LintReport:
    """What :func:`lint_report` found: the problems, and how much was checked."""

    problems: list[SpecProblem] = field(default_factory=list)
    services: int = 0
    operations: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def lint(dirs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[SpecProblem]:
    """Every problem in the spec folder(s) ``dirs``, sorted by file and line; empty when clean.

    A folder may hold service folders, or be one service folder itself.
    """
    return lint_report(dirs).problems


def lint_report(dirs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> LintReport:
    """Like :func:`lint`, with counts of what was checked."""
    if isinstance(dirs, (str, os.PathLike)):
        dirs = [dirs]
    report = LintReport()
    found: list[SpecProblem] = []
    for d in dirs:
        _lint_dir(os.fspath(d), report, found)
    found = [SpecProblem(_display(p.file), p.line, p.message) for p in found]
    seen = set()
    for p in sorted(found, key=lambda p: (p.file, p.line or 0, p.message)):
        key = (p.file, p.line, p.message)
        if key not in seen:
            seen.add(key)
            report.problems.append(p)
    return report


def _lint_dir(d: str, report: LintReport, found: list[SpecProblem]) -> None:
    try:
        catalog = Catalog([d], include_bundled=False)
    except SpecError as exc:
        found.extend(exc.problems)
        return
    if not catalog.service_names():
        found.append(SpecProblem(d, None, "no service folders here (a service folder holds "
                                          "service.yaml)"))
        return
    for name in catalog.service_names():
        for path in _yaml_files(catalog.service_folder(name)):
            report.files += 1
            try:
                catalog.raw(path)
            except SpecError as exc:
                found.extend(exc.problems)
        try:
            svc, problems = catalog.check_service(name)
        except SpecError as exc:
            found.extend(exc.problems)
            continue
        found.extend(problems)
        if svc is None:
            continue  # its operations cannot load without it
        report.services += 1
        found.extend(_check_plain_http(svc, catalog.raw(svc.file)))
        try:
            op_names = catalog.operation_names(name)
        except SpecError as exc:
            found.extend(exc.problems)
            continue
        seen: set[tuple[str, str]] = set()  # schemas referred to, checked once a service
        for full in op_names:
            # every part of the operation on its own: one run lists all of its problems
            try:
                op, problems = catalog.check_operation(full, svc)
            except SpecError as exc:
                found.extend(exc.problems)
                continue
            found.extend(problems)
            if op is None:
                continue
            report.operations += 1
            found.extend(_check_operation(op, catalog.raw(op.file)))
            found.extend(_check_referred(catalog, op, catalog.raw(op.file), seen))
    try:
        catalog.aliases()
    except SpecError as exc:
        found.extend(exc.problems)


def _check_plain_http(svc: Any, raw: Any) -> list[SpecProblem]:
    """Plain-http URLs to other machines that credentials would be sent to: calls would be
    refused (unless the service sets ``allow_insecure_http``)."""
    if svc.allow_insecure_http:
        return []
    out = []
    schemes = [s for s in svc.auth.values() if s.type != "none"]
    if schemes:
        for env, url in svc.environments.items():
            if url[:5].lower() == "http:" and not is_loopback(urlsplit(url).hostname):
                out.append(SpecProblem(
                    svc.file, line_at_path(raw, ["environments", env]),
                    f"environment {env!r} is plain http to {urlsplit(url).hostname} and this "
                    f"service sends credentials ({', '.join(s.name for s in schemes)}): calls "
                    f"would be refused; use https (or set allow_insecure_http: true to accept "
                    f"the risk)"))
    for s in schemes:
        url = s.decl.get("token_url")
        if isinstance(url, str) and url[:5].lower() == "http:" \
                and not is_loopback(urlsplit(url).hostname):
            out.append(SpecProblem(
                svc.file, line_at_path(raw, ["auth", s.name, "token_url"]),
                f"auth {s.name!r}: token_url is plain http to {urlsplit(url).hostname}: the "
                f"client secret would go in clear, so token requests are refused; use https"))
    return out


def _display(file: str) -> str:
    """A file as a person would type it: relative to the current folder when inside it."""
    path = os.path.abspath(file)
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if rel.startswith(os.pardir) else rel


def _yaml_files(folder: str) -> list[str]:
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        out.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(_EXTS))
    return out


def _check_value(schema: Any, value: Any, file: str, line: int | None,
                 what: str) -> list[SpecProblem]:
    try:
        violations = SchemaValidator(schema).violations(value, what)
    except RecursionError:
        return [SpecProblem(file, line, f"{what} is nested too deeply to check")]
    return [SpecProblem(file, line, f"{what} does not match its schema: {v}")
            for v in violations]


def _check_operation(op: Operation, raw: Any) -> list[SpecProblem]:
    """Schemas against the meta-schema, examples and defaults against their schemas, signing
    rules against the body. ``op`` may be partly built (a part that failed to load is missing
    from it); a value is checked only against a schema that is itself valid."""
    problems: list[SpecProblem] = []
    file = op.file
    raw_params = raw.get("parameters") or {}
    raw_body = raw.get("body") or {}
    raw_responses = raw.get("responses") or {}
    for p in op.parameters:
        decl = raw_params.get(p.name, {})
        bad = []
        if "schema" in decl:
            bad = check_schema(p.schema, decl["schema"], file, line_of(decl, "schema"),
                               f"parameters.{p.name}.schema", full=True)
            problems += bad
        if bad:
            continue
        if p.example is not None:
            problems += _check_value(p.schema, p.example, file, line_of(decl, "example"),
                                     f"parameters.{p.name}.example")
        if p.has_default:
            problems += _check_value(p.schema, p.default, file, line_of(decl, "default"),
                                     f"parameters.{p.name}.default")
    if op.body is not None:
        bad = []
        if "schema" in raw_body:
            bad = check_schema(op.body.schema, raw_body["schema"], file,
                               line_of(raw_body, "schema"), "body.schema", full=True)
            problems += bad
        if not bad and op.body.example is not None and op.body.is_json:
            problems += _check_value(op.body.schema, op.body.example, file,
                                     line_of(raw_body, "example"), "body.example")
    for status, r in op.responses.items():
        decl = raw_responses.get(status, raw_responses.get(_int(status))) or {}
        if r.schema is None:
            continue
        bad = check_schema(r.schema, decl.get("schema"), file, line_of(decl, "schema"),
                           f"responses.{status}.schema", full=True)
        problems += bad
        if not bad and r.example is not None:
            problems += _check_value(r.schema, r.example, file, line_of(decl, "example"),
                                     f"responses.{status}.example")
    for signer in op.signing:  # each rule says why it could never be computed here
        problems += [SpecProblem(file, line_of(raw, "signing") or line_of(raw), message)
                     for message in signer.lint(op, "body" in raw)]
    return problems


def _check_referred(catalog: Catalog, op: Operation, raw: Any,
                    seen: set[tuple[str, str]]) -> list[SpecProblem]:
    """Each schema the operation's schemas refer to, as written, against the meta-schema:
    once per service however many operations refer to it (so lint stays linear in the size
    of the folder, whatever the references)."""
    problems: list[SpecProblem] = []
    decls = [d.get("schema") for d in (raw.get("parameters") or {}).values()
             if isinstance(d, dict)]
    decls.append((raw.get("body") or {}).get("schema") if isinstance(raw.get("body"), dict)
                 else None)
    decls += [d.get("schema") for d in (raw.get("responses") or {}).values()
              if isinstance(d, dict)]
    for decl in decls:
        if not isinstance(decl, dict):
            continue
        try:
            targets = catalog.ref_targets(decl, op.file, op.service.folder, seen)
        except SpecError as exc:  # the loader said so already
            problems.extend(exc.problems)
            continue
        for file, pointer, schema in targets:
            where = f"#{pointer}" if pointer else "schema"
            if check_schema(schema, schema, file, line_of(schema), where):
                continue  # loading said so already, at the $ref
            problems += check_schema(schema, schema, file, line_of(schema), where, full=True)
    return problems


def _int(status: str) -> Any:
    return int(status) if status.isdigit() else status
