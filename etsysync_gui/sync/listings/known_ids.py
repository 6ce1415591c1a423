"""The ids of the listings stored before a read, kept small (``pages.PageStore.known``)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable


class KnownIds:
    """A set of listing ids held as a sorted list: a fifth of a set's memory for a
    large shop, and ``in`` stays cheap (a binary search)."""

    def __init__(self, ids: Iterable[int]) -> None:
        self._ids = sorted(ids)

    def __contains__(self, listing_id: object) -> bool:
        if not isinstance(listing_id, int):
            return False
        at = bisect_left(self._ids, listing_id)
        return at < len(self._ids) and self._ids[at] == listing_id
