"""Plain record classes: what ``@dataclass`` generates, written once by hand.

Every ``specclient`` command imports the model, the errors and the auth and signing classes.
Made with ``@dataclass``, those fifteen classes cost about 11 ms of each start-up (the
``dataclasses`` module brings in ``inspect``, and each class compiles its generated methods with
``exec``, about 0.5 ms a class): a third of what specclient adds to ``import requests``. So a
class on that path writes its ``__init__`` by hand and lists its fields in ``_fields``;
:class:`Record` gives it the ``__repr__`` and ``__eq__`` a dataclass would have, and
:class:`FrozenRecord` a ``__hash__`` too (it is treated as immutable; nothing enforces it, as
nothing enforced it cheaply before). Classes off the start-up path keep ``@dataclass``.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["Record", "FrozenRecord"]


class Record:
    """Base of a hand-written record: ``__repr__`` and ``__eq__`` over ``_fields``, in order.
    Unhashable, as a mutable dataclass is."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields)

    __hash__ = None  # type: ignore[assignment]

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)


class FrozenRecord(Record):
    """A record treated as a value: hashable by its fields."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values())
