"""Pages of a shop read that Etsy sent before, byte for byte: recalled, not decoded.

Why: a repeat ``sync all`` reads the whole shop again (``getListingsByShop``
has no "changed since" filter).  Decoding a page of 100 listings with their
inventories (about 280 KB of JSON) and fingerprinting each listing
(``records``) cost about 4 ms of CPU a page: more than half of what a quiet
repeat run spends.  A page whose body is byte for byte one read before holds
the same listings with the same fingerprints, so what the reader made of it
then (``count``, and each listing's id, state time and digest) is kept under a
hash of the body and handed on again without decoding.  The body itself stays
with the recalled records while they are handed on, so a listing the caller
must parse after all (it is not in step: a sale at home, say) is decoded from
it then, exactly as it would have been.

The key is a 128-bit BLAKE2b hash of the body, personalised with the digest
version and this memo's format, so a release that reads listings differently
recalls nothing an older one remembered.  Two different bodies with one key
would need a 128-bit collision, which we accept.  The values are pure
functions of the body, so a remembered page never goes stale: it only stops
being recalled once Etsy sends something else.

The memo is plain data (key bytes to packed bytes) so the caller keeps it
where it likes (``sync.listings.read_memo`` stores it in the database).  It is
thread-safe: reader threads recall and remember, the caller's thread takes
what was remembered.
"""

from __future__ import annotations

import hashlib
import json
import struct
import threading
from collections.abc import Mapping
from functools import partial
from typing import cast

from etsysync_gui.etsy.errors import MalformedResponseError
from etsysync_gui.etsy.fields import Fields
from etsysync_gui.etsy.reads.records import DIGEST_VERSION, ListingRecord
from etsysync_gui.etsy.reads.shop_pages import ListingsPage

MEMO_FORMAT = 1
_PERSON = f"etsysync-pg{DIGEST_VERSION}.{MEMO_FORMAT}".encode()  # BLAKE2b allows 16 bytes
_NO_TIME = -(2**63)  # a listing without ``state_timestamp`` (int64 never used by Etsy)


def page_key(body: bytes) -> bytes:
    """The 16-byte key a page body is remembered under."""
    return hashlib.blake2b(body, digest_size=16, person=_PERSON).digest()


def pack_page(page: ListingsPage[ListingRecord]) -> bytes | None:
    """``count`` and each record's id, state time and digest as little-endian int64s
    (24 bytes a listing); None if a value does not fit (the page is then not kept)."""
    values = [page.count]
    for record in page.listings:
        stamp = record.state_timestamp
        values += (record.listing_id, _NO_TIME if stamp is None else stamp, record.digest)
    try:
        return struct.pack(f"<{len(values)}q", *values)
    except struct.error:
        return None


class _Body:
    """A recalled page's body, decoded at most once: when a listing on it must be parsed."""

    __slots__ = ("_lock", "_raw", "_results")

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._results: list[object] | None = None
        self._lock = threading.Lock()

    def item(self, index: int, listing_id: int) -> Mapping[str, object]:
        with self._lock:
            if self._results is None:
                page = Fields(json.loads(self._raw), "listings page")
                self._results = list(page.array("results", True))
                self._raw = b""
            results = self._results
        entry = results[index] if index < len(results) else None
        if Fields(entry, "listing").req_int("listing_id") != listing_id:
            # Only if the memo's store was altered: the key is a hash of this very body.
            raise MalformedResponseError("A remembered listings page does not match its body")
        return cast(Mapping[str, object], entry)


def unpack_page(packed: bytes, raw: bytes) -> ListingsPage[ListingRecord] | None:
    """The page remembered as ``packed``, its records parsed from ``raw`` on demand;
    None if ``packed`` is not a page this format wrote."""
    if len(packed) < 8 or len(packed) % 24 != 8:
        return None
    values = struct.unpack(f"<{len(packed) // 8}q", packed)
    body = _Body(raw)
    records = tuple(
        ListingRecord(
            values[i],
            None if values[i + 1] == _NO_TIME else values[i + 1],
            values[i + 2],
            partial(body.item, n, values[i]),
        )
        for n, i in enumerate(range(1, len(values), 3))
    )
    return ListingsPage(values[0], records)


class PageMemo:
    """Listing pages remembered by key (see the module notes); shared by the read's threads."""

    def __init__(self, known: Mapping[bytes, bytes] | None = None) -> None:
        self._known = dict(known or {})
        self._lock = threading.Lock()
        self._fresh: dict[bytes, bytes] = {}
        self._seen: set[bytes] = set()
        self.recalled = 0
        self.decoded = 0

    def probe(self) -> MemoProbe:
        """One page read's view of the memo: it recalls, or remembers what was decoded."""
        return MemoProbe(self)

    def take_fresh(self) -> dict[bytes, bytes]:
        """The pages remembered since the last call (for the caller to keep)."""
        with self._lock:
            fresh, self._fresh = self._fresh, {}
        return fresh

    def unseen(self) -> list[bytes]:
        """The known keys no read of this memo met (after a complete read: pages Etsy
        no longer sends, which the caller can forget)."""
        with self._lock:
            return sorted(key for key in self._known if key not in self._seen)

    def _recall(self, key: bytes, raw: bytes) -> ListingsPage[ListingRecord] | None:
        with self._lock:
            self._seen.add(key)
            packed = self._known.get(key)
        page = None if packed is None else unpack_page(packed, raw)
        if page is not None:
            with self._lock:
                self.recalled += 1
        return page

    def _remember(self, key: bytes, page: ListingsPage[ListingRecord]) -> None:
        packed = pack_page(page)
        with self._lock:
            self.decoded += 1
            if packed is not None and self._known.get(key) != packed:
                self._known[key] = packed
                self._fresh[key] = packed


class MemoProbe:
    """Recalls one response body (``recall``, given to the transport) and, if it was not
    known, remembers the page decoded from it (``remember``)."""

    __slots__ = ("_key", "_memo")

    def __init__(self, memo: PageMemo) -> None:
        self._memo = memo
        self._key: bytes | None = None

    def recall(self, raw: bytes) -> ListingsPage[ListingRecord] | None:
        self._key = page_key(raw)
        return self._memo._recall(self._key, raw)

    def remember(self, page: ListingsPage[ListingRecord]) -> None:
        if self._key is not None:
            self._memo._remember(self._key, page)
