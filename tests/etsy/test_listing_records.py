"""A listing's digest moves with what EtsySync reads, and only with that."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest

from etsysync_gui.etsy.errors import MalformedResponseError
from etsysync_gui.etsy.models import Listing
from etsysync_gui.etsy.reads import records
from etsysync_gui.etsy.reads.records import ListingRecord, listing_digest


def listing() -> dict[str, Any]:
    return {
        "listing_id": 101,
        "shop_id": 7,
        "title": "Mug",
        "description": "A mug",
        "state": "active",
        "quantity": 5,
        "price": {"amount": 1200, "divisor": 100, "currency_code": "EUR"},
        "skus": ["MUG"],
        "url": "https://www.etsy.com/listing/101",
        "has_variations": False,
        "state_timestamp": 1_700_000_000,
        "last_modified_timestamp": 1_700_000_000,
        "views": 12,
        "num_favorers": 3,
        "inventory": {
            "products": [
                {
                    "product_id": 9001,
                    "sku": "MUG",
                    "is_deleted": False,
                    "property_values": [],
                    "offerings": [
                        {
                            "offering_id": 8001,
                            "quantity": 5,
                            "is_enabled": True,
                            "is_deleted": False,
                            "price": {"amount": 1200, "divisor": 100, "currency_code": "EUR"},
                        }
                    ],
                }
            ],
            "price_on_property": [],
            "quantity_on_property": [],
            "sku_on_property": [],
        },
    }


def test_fields_etsysync_ignores_do_not_move_the_digest() -> None:
    data = listing()
    busier = {**data, "views": 9999, "num_favorers": 77, "featured_rank": 1}
    assert listing_digest(busier) == listing_digest(data)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(title="Big mug"),
        lambda d: d.update(state="inactive"),
        lambda d: d["inventory"]["products"][0]["offerings"][0].update(quantity=4),
        lambda d: d["inventory"]["products"][0].update(product_id=9002),  # a seller's save
        lambda d: d["inventory"]["products"][0].update(sku="MUG-2"),
    ],
)
def test_what_etsysync_reads_moves_the_digest(edit: Any) -> None:
    data = listing()
    changed = copy.deepcopy(data)
    edit(changed)
    assert listing_digest(changed) != listing_digest(data)


def test_a_new_reading_of_listings_invalidates_every_stored_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = listing_digest(listing())
    monkeypatch.setattr(records, "DIGEST_VERSION", records.DIGEST_VERSION + 1)
    assert listing_digest(listing()) != before


def test_a_record_parses_to_the_listing_with_its_digest() -> None:
    record = ListingRecord.from_json(listing())
    assert (record.listing_id, record.state_timestamp) == (101, 1_700_000_000)
    parsed = record.parse()
    assert parsed.digest == record.digest == listing_digest(listing())
    assert parsed == replace(Listing.from_json(listing()), digest=record.digest)


def test_a_record_without_a_usable_id_is_a_clear_error() -> None:
    with pytest.raises(MalformedResponseError, match="listing_id"):
        ListingRecord.from_json({**listing(), "listing_id": "101"})
    with pytest.raises(MalformedResponseError):
        ListingRecord.from_json(["not", "an", "object"])


def test_a_record_of_a_bad_listing_fails_when_parsed_not_before() -> None:
    record = ListingRecord.from_json({**listing(), "title": None})
    with pytest.raises(MalformedResponseError, match="title"):
        record.parse()


def test_the_digest_is_the_same_in_another_process() -> None:
    """Stored by one run, compared by the next: equal data must give the same digest."""
    text = json.dumps(listing())
    code = (
        "import json, sys; from etsysync_gui.etsy.reads.records import listing_digest; "
        "print(listing_digest(json.loads(sys.stdin.read())))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True
    )
    assert int(other.stdout) == listing_digest(json.loads(text))
