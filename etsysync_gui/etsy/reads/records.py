"""A listing as Etsy sent it, fingerprinted and parsed only when the caller needs it.

Why: a repeat ``sync all`` reads the whole shop again (``getListingsByShop`` has
no "changed since" filter), and turning 5,000 listings with their inventories
into ``Listing`` objects costs more CPU than everything else a repeat run needs
to do with them.  The read hands each listing on as a ``ListingRecord``: its id,
its ``state_timestamp`` (the paging checks need both) and a 64-bit digest of the
fields ``Listing.from_json`` reads.  A caller that stored the digest of the last
read can tell an unchanged listing without parsing it; any other is parsed with
``parse()``, which validates it as before.

The digest covers only what EtsySync reads (``DIGEST_FIELDS``), so a field
EtsySync ignores (``views``, ``num_favorers``) changing on Etsy does not make a
listing look changed.  ``DIGEST_VERSION`` is part of the hash: a release that
reads a listing differently bumps it, and every stored digest stops matching,
so nothing is skipped on the strength of an older reading.  A digest that
differs for any other reason (key order, number formatting) only costs a parse;
two different listings with one digest would need a 64-bit collision between a
listing's reads, which we accept (about 1 in 10^19 per changed listing).
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import cast

from etsysync_gui.etsy.fields import Fields
from etsysync_gui.etsy.models import Listing

DIGEST_VERSION = 1
DIGEST_FIELDS = (
    "listing_id",
    "shop_id",
    "title",
    "description",
    "state",
    "quantity",
    "price",
    "skus",
    "url",
    "has_variations",
    "created_timestamp",
    "updated_timestamp",
    "last_modified_timestamp",
    "state_timestamp",
    "inventory",
)


# ``marshal`` format 2 serialises the decoded JSON (dicts, lists, str, int, float, bool,
# None) in C without object references, so equal values give equal bytes; it is about
# 2.5x faster than ``json.dumps``, which cost as much as decoding the page.  Keys stay in
# the order Etsy sent them.  Should a Python upgrade write format 2 differently, every
# digest differs once: one full read, nothing skipped wrongly.
MARSHAL_FORMAT = 2


def listing_digest(data: Mapping[str, object]) -> int:
    """A signed 64-bit fingerprint of the fields of ``data`` EtsySync reads (fits BIGINT)."""
    picked = [DIGEST_VERSION, *(data.get(name) for name in DIGEST_FIELDS)]
    raw = hashlib.blake2b(marshal.dumps(picked, MARSHAL_FORMAT), digest_size=8).digest()
    return int.from_bytes(raw, "big", signed=True)


@dataclass(frozen=True, slots=True)
class ListingRecord:
    """One listing of a page, not yet parsed (see the module notes)."""

    listing_id: int
    state_timestamp: int | None
    digest: int
    # The listing's JSON, or how to get it: a page recalled without decoding
    # (``page_memo``) decodes its body only when one of its listings is parsed.
    data: Mapping[str, object] | Callable[[], Mapping[str, object]]

    @classmethod
    def from_json(cls, data: object) -> ListingRecord:
        """The id, state time and digest of one ``results`` item (raises on a bad id)."""
        f = Fields(data, "listing")  # raises unless ``data`` is an object
        mapping = cast(Mapping[str, object], data)
        return cls(
            f.req_int("listing_id"), f.opt_int("state_timestamp"), listing_digest(mapping), mapping
        )

    def parse(self) -> Listing:
        """The listing, validated as ``Listing.from_json`` validates it, with its digest."""
        data = self.data() if callable(self.data) else self.data
        return replace(Listing.from_json(data), digest=self.digest)
