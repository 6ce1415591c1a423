"""A page Etsy sends again byte for byte is recalled, not decoded, and yields the same records.

The adversary here is anything that would make a recalled page differ from a
decoded one: a listing edited between reads, a page's order shifting, a
damaged memo, a listing that must be parsed after all.  Each must give exactly
what decoding the body gives.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence

import httpx
import pytest
import respx

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import MalformedResponseError
from etsysync_gui.etsy.models import LISTING_STATES
from etsysync_gui.etsy.oauth.tokens import TokenManager
from etsysync_gui.etsy.reads import page_memo
from etsysync_gui.etsy.reads.page_memo import PageMemo, pack_page, page_key, unpack_page
from etsysync_gui.etsy.reads.records import ListingRecord
from etsysync_gui.etsy.reads.shop_pages import ListingsPage

from .helpers import SHOP_ID, FakeShop, listing_json

LISTINGS_PATH = f"/application/shops/{SHOP_ID}/listings"
Row = tuple[int, int | None, int]


@pytest.fixture
def client(
    make_client: Callable[..., EtsyClient], make_tokens: Callable[..., TokenManager]
) -> EtsyClient:
    return make_client(token_manager=make_tokens())


def read(client: EtsyClient, memo: PageMemo) -> list[ListingRecord]:
    got: list[ListingRecord] = []
    client.stream_listings_by_shop(SHOP_ID, got.extend, memo=memo)
    return sorted(got, key=lambda r: r.listing_id)


def rows(records: Sequence[ListingRecord]) -> list[Row]:
    return [(r.listing_id, r.state_timestamp, r.digest) for r in records]


def body(listings: list[dict[str, object]]) -> bytes:
    return json.dumps({"count": len(listings), "results": listings}).encode()


def test_a_repeat_read_recalls_every_page_with_the_records_decoding_gave(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    shop = FakeShop({"active": 250, "draft": 30})
    router.get(LISTINGS_PATH).mock(side_effect=shop.listings_page)
    memo = PageMemo()
    first = read(client, memo)
    pages = 3 + 1 + len(LISTING_STATES) - 2  # 250 active, 30 drafts, the other states empty
    # The empty states' pages are one body: one decoded, the others may be recalled.
    assert memo.decoded + memo.recalled == pages
    assert memo.decoded >= 5

    again = PageMemo(memo.take_fresh())  # as the next run loads it
    second = read(client, again)
    assert (again.decoded, again.recalled) == (0, pages)
    assert rows(second) == rows(first)
    assert [r.parse() for r in second[:5]] == [r.parse() for r in first[:5]]
    assert again.unseen() == []


def test_an_edit_between_reads_decodes_its_page_and_recalls_the_others(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    shop = FakeShop({"active": 250})
    router.get(LISTINGS_PATH).mock(side_effect=shop.listings_page)
    memo = PageMemo()
    read(client, memo)
    edited = shop.in_state("active")[120]["listing_id"]
    shop.listings[edited]["inventory"]["products"][0]["offerings"][0]["quantity"] = 1

    again = PageMemo(memo.take_fresh())
    second = read(client, again)
    assert again.decoded == 1  # the page holding the edit
    assert again.recalled == 3 + len(LISTING_STATES) - 1 - 1  # all other pages
    changed = next(r for r in second if r.listing_id == edited)
    assert changed.parse().inventory is not None
    assert changed.parse().inventory.products[0].offerings[0].quantity == 1
    assert len(again.unseen()) == 1  # the page as it was before the edit


def test_a_listing_on_a_recalled_page_parses_as_from_the_body() -> None:
    listings = [listing_json(7, state_timestamp=None), listing_json(8)]
    listings[0].pop("state_timestamp")
    raw = body(listings)
    decoded = ListingsPage(2, tuple(ListingRecord.from_json(x) for x in listings))
    packed = pack_page(decoded)
    assert packed is not None
    recalled = unpack_page(packed, raw)
    assert recalled is not None
    assert rows(recalled.listings) == rows(decoded.listings)
    assert recalled.listings[0].state_timestamp is None
    assert [r.parse() for r in recalled.listings] == [r.parse() for r in decoded.listings]


def test_a_damaged_memo_is_decoded_again_never_trusted() -> None:
    listings = [listing_json(7), listing_json(8)]
    raw = body(listings)
    assert unpack_page(b"not a page", raw) is None
    memo = PageMemo({page_key(raw): b"\x00" * 5})
    probe = memo.probe()
    assert probe.recall(raw) is None  # decoded as if unknown, then remembered afresh
    probe.remember(ListingsPage(2, tuple(ListingRecord.from_json(x) for x in listings)))
    assert list(memo.take_fresh()) == [page_key(raw)]

    # A row whose ids were altered (the key is a hash of the body, so only by hand):
    swapped = ListingsPage(2, tuple(ListingRecord.from_json(x) for x in reversed(listings)))
    packed = pack_page(swapped)
    assert packed is not None
    recalled = unpack_page(packed, raw)
    assert recalled is not None
    with pytest.raises(MalformedResponseError):
        recalled.listings[0].parse()


def test_a_page_remembered_by_another_reading_of_listings_is_not_recalled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = body([listing_json(7)])
    before = page_key(raw)
    monkeypatch.setattr(page_memo, "_PERSON", b"etsysync-pg2.1")  # a new DIGEST_VERSION
    assert page_key(raw) != before


def test_a_malformed_body_is_still_retried_and_never_remembered(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    shop = FakeShop({"active": 3})
    answers = iter([httpx.Response(200, content=b"{not json")])

    def page(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or shop.listings_page(request)

    router.get(LISTINGS_PATH).mock(side_effect=page)
    memo = PageMemo()
    assert len(read(client, memo)) == 3
    assert memo.decoded + memo.recalled == len(LISTING_STATES)
    fresh = memo.take_fresh()
    assert page_key(b"{not json") not in fresh
    assert len(fresh) == 2  # the page of 3 and the empty page


@pytest.mark.parametrize("seed", range(3))
def test_seeded_shop_life_reads_the_same_with_the_memo_as_without(
    router: respx.MockRouter, client: EtsyClient, seed: int
) -> None:
    """Thirty reads of a shop that changes between them (edits, moves, new and deleted
    listings, quiet spells): the memo's reads equal fresh decodes, listing for listing."""
    rng = random.Random(seed)
    shop = FakeShop({"active": 230, "draft": 40, "inactive": 15})
    router.get(LISTINGS_PATH).mock(side_effect=shop.listings_page)
    stored: dict[bytes, bytes] = {}
    recalled = decoded = 0
    for step in range(30):
        for _ in range(rng.choice((0, 0, 1, 3))):
            victim = rng.choice(sorted(shop.ids()))
            change = rng.random()
            if change < 0.4:
                offering = shop.listings[victim]["inventory"]["products"][0]["offerings"][0]
                offering["quantity"] = rng.randint(0, 9)
            elif change < 0.6:
                shop.listings[victim]["title"] = f"Edited {step}"
            elif change < 0.8:
                shop.move(victim, rng.choice(("active", "draft", "sold_out")), 1_700_000_000 + step)
            elif change < 0.9:
                shop.delete(victim)
            else:
                shop.add(shop.next_id, "active", created=1_800_000_000 + step)
                shop.next_id += 1
        memo = PageMemo(stored)
        with_memo = read(client, memo)
        fresh = read(client, PageMemo())
        assert rows(with_memo) == rows(fresh)
        assert [r.parse() for r in with_memo] == [r.parse() for r in fresh]
        recalled, decoded = recalled + memo.recalled, decoded + memo.decoded
        stored.update(memo.take_fresh())
        for key in memo.unseen():
            del stored[key]
    assert recalled > 100
    assert decoded > 10
