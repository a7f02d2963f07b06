"""Binding a call's keyword arguments to an operation's parameters."""

from __future__ import annotations

from typing import Any

from ..errors import ArgumentError
from ..model import Operation

__all__ = ["BoundCall", "BindIndex", "bind", "MISSING"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class BoundCall:
    """A call's arguments sorted by where they go; values are still Python values."""

    __slots__ = ("operation", "path", "query", "header", "body")

    def __init__(self, operation: Operation, path: dict[str, Any] | None = None,
                 query: dict[str, Any] | None = None, header: dict[str, Any] | None = None,
                 body: Any = MISSING):
        self.operation = operation
        self.path: dict[str, Any] = {} if path is None else path
        self.query: dict[str, Any] = {} if query is None else query
        self.header: dict[str, Any] = {} if header is None else header
        self.body = body

    @property
    def explicit_headers(self) -> frozenset[str]:
        return frozenset(h.lower() for h in self.header)

    def __repr__(self) -> str:
        return (f"BoundCall({self.operation.full_name}, path={self.path!r}, "
                f"query={self.query!r}, header={self.header!r})")


class BindIndex:
    """What :func:`bind` looks up in an operation, worked out once: its parameters by keyword
    (Python name, then spec name) and the headers its signing rules compute (lower case)."""

    __slots__ = ("by_name", "signed")

    def __init__(self, op: Operation):
        self.by_name: dict[str, Any] = {}
        for p in op.parameters:
            self.by_name[p.python_name] = p
            self.by_name.setdefault(p.name, p)
        self.signed = frozenset(h.lower() for s in op.signing for h in s.headers())


def bind(op: Operation, body: Any, kwargs: dict[str, Any],
         index: BindIndex | None = None) -> BoundCall:
    """Sort ``kwargs`` into path, query and header values, apply defaults, and check that
    every required parameter is there (headers a signing rule computes excepted).

    ``index``: ``BindIndex(op)``, when the caller keeps one per operation."""
    bound = BoundCall(op, body=body)
    if index is None:
        index = BindIndex(op)
    by_name = index.by_name
    for key, value in kwargs.items():
        p = by_name.get(key)
        if p is None:
            known = sorted(p.python_name for p in op.parameters)
            import difflib  # only for a wrong name

            near = difflib.get_close_matches(key, known, n=1)
            hint = (f"; did you mean {near[0]!r}?" if near
                    else f"; it takes {', '.join(known)}" if known else "; it takes none")
            raise ArgumentError(op.full_name, f"unknown parameter {key!r}{hint}", key)
        if value is None:
            continue
        target = getattr(bound, p.location)
        if p.name in target:
            raise ArgumentError(op.full_name, f"parameter {p.name!r} given twice (as "
                                              f"{p.python_name}= and as {p.name!r})", p.name)
        target[p.name] = value
    signed = index.signed
    for p in op.parameters:
        target = getattr(bound, p.location)
        if p.name in target:
            continue
        if p.has_default:
            target[p.name] = p.default
        elif p.required and not (p.location == "header" and p.name.lower() in signed):
            what = f"missing required {p.location} parameter {p.name!r}"
            raise ArgumentError(op.full_name, f"{what} (keyword {p.python_name}=)", p.name,
                                shell=f"{what} (--{p.name} VALUE)")
    if bound.body is MISSING and op.body is not None and op.body.required:
        raise ArgumentError(op.full_name, "missing the request body (body=)", "body",
                            shell="missing the request body (--body JSON|@FILE, --example, "
                                  "or field=value items)")
    if bound.body is not MISSING and op.body is None:
        raise ArgumentError(op.full_name, "this operation takes no request body", "body")
    return bound
