"""One operation's compiled validators: one per parameter, the body, and each declared
response. Built once per operation by whoever checks its values (the client before sending and
after receiving, the mock on the other side)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import Violation
from .validation import SchemaValidator

if TYPE_CHECKING:
    from ..model import Operation
    from ..prepare.binding import BoundCall

__all__ = ["OperationValidators", "example_arguments"]


class OperationValidators:
    """An operation's compiled validators: one per parameter, the body, each response."""

    def __init__(self, op: Operation):
        self.params = {p.name: SchemaValidator(p.schema) for p in op.parameters}
        self.body = SchemaValidator(op.body.schema) if op.body is not None else None
        self._responses = {k: SchemaValidator(r.schema) for k, r in op.responses.items()
                           if r.schema is not None}
        self.op = op

    def response(self, status: int) -> SchemaValidator | None:
        spec = self.op.response_for(status)
        return self._responses.get(spec.status) if spec is not None else None

    def check(self, bound: BoundCall, body_value: Any, body_is_data: bool) -> list[Violation]:
        out: list[Violation] = []
        for location in ("path", "query", "header"):
            for name, value in getattr(bound, location).items():
                v = self.params[name]
                if not v.is_valid(value):
                    out.extend(v.violations(value, f"{location}.{name}"))
        if self.body is not None and body_is_data and not self.body.is_valid(body_value):
            out.extend(self.body.violations(body_value, "body"))
        return out


def example_arguments(op: Operation) -> tuple[Any, dict[str, Any]]:
    """The arguments of an example call of ``op``: ``(body, params)`` by keyword name.

    Declared examples first; where there is none, a value made up from the schema (see
    :func:`specclient.schema.examples.example_for`) for the body and for each required
    parameter without a default. Optional parameters without an example are left out, as are
    headers a signing rule computes, and an optional body with nothing in it (``body`` is then
    :data:`~specclient.prepare.binding.MISSING`)."""
    from ..prepare.binding import MISSING  # the generator only for an example (start-up)
    from .examples import example_for  # (start-up)

    body: Any = MISSING
    if op.body is not None:
        if op.body.example is not None:
            body = op.body.example
        else:
            body = example_for(op.body.schema, direction="request")
            if body in ({}, [], "", None) and not op.body.required:
                body = MISSING
    signed = {h.lower() for s in op.signing for h in s.headers()}
    params: dict[str, Any] = {}
    for p in op.parameters:
        if p.name.lower() in signed:
            continue
        if p.example is not None:
            params[p.python_name] = p.example
        elif p.required and not p.has_default:
            params[p.python_name] = example_for(p.schema, direction="request")
    return body, params
