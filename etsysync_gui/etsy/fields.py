"""Strict-but-tolerant readers for fields of Etsy JSON objects.

Why: the models must accept any extra field Etsy adds tomorrow, yet fail loudly
(``MalformedResponseError``, naming the object and field) when a field the app
relies on is missing or has the wrong type, instead of a ``KeyError`` or, worse,
a silently wrong value deep inside the sync.  ``bool`` is rejected where an
``int`` is expected because Python would otherwise accept ``True`` as 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from etsysync_gui.etsy.errors import MalformedResponseError

_MISSING: Any = object()


class Fields:
    """A view of one JSON object; ``where`` names it in error messages."""

    __slots__ = ("_data", "where")

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise MalformedResponseError(
                f"Etsy sent {type(data).__name__} where {where} (an object) was expected"
            )
        self._data: Mapping[str, Any] = data
        self.where = where

    def has(self, name: str) -> bool:
        return self._data.get(name) is not None

    def raw(self, name: str) -> Any:
        return self._data.get(name)

    def _get(self, name: str, required: bool) -> Any:
        value = self._data.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise MalformedResponseError(f"Etsy's {self.where} has no {name!r}")
            return None
        return value

    def _bad(self, name: str, expected: str, value: object) -> MalformedResponseError:
        return MalformedResponseError(
            f"Etsy's {self.where} has {name!r} = {value!r:.60}, expected {expected}"
        )

    def req_int(self, name: str) -> int:
        value = self._get(name, True)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(name, "an integer", value)
        return value

    def opt_int(self, name: str) -> int | None:
        value = self._get(name, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(name, "an integer", value)
        return value

    def req_str(self, name: str) -> str:
        value = self._get(name, True)
        if not isinstance(value, str):
            raise self._bad(name, "a string", value)
        return value

    def opt_str(self, name: str) -> str | None:
        value = self._get(name, False)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._bad(name, "a string", value)
        return value

    def flag(self, name: str, default: bool | None = None) -> bool:
        value = self._get(name, default is None)
        if value is None:
            assert default is not None
            return default
        if not isinstance(value, bool):
            raise self._bad(name, "true or false", value)
        return value

    def array(self, name: str, required: bool = False) -> Sequence[Any]:
        """The array ``name``; an absent or null array reads as empty unless required."""
        value = self._get(name, required)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self._bad(name, "an array", value)
        return value

    def ints(self, name: str, required: bool = False) -> tuple[int, ...]:
        items = self.array(name, required)
        for item in items:
            if isinstance(item, bool) or not isinstance(item, int):
                raise self._bad(name, "an array of integers", items)
        return tuple(items)

    def strs(self, name: str, required: bool = False) -> tuple[str, ...]:
        items = self.array(name, required)
        for item in items:
            if not isinstance(item, str):
                raise self._bad(name, "an array of strings", items)
        return tuple(items)

    def obj(self, name: str, where: str) -> Fields:
        return Fields(self._get(name, True), f"{self.where}.{where}")

    def opt_obj(self, name: str, where: str) -> Fields | None:
        value = self._get(name, False)
        return None if value is None else Fields(value, f"{self.where}.{where}")
