"""The sales ledger closes the read-then-write race: no Etsy sale is lost, none counted twice.

Over real HTTP against the fake Etsy, on SQLite and PostgreSQL.  The fake and
the client share one ``ManualClock`` (the client's clock stands for Etsy's, as
NTP makes it), so a purchase lands at an exact second and a trigger lands it
exactly between the engine's batch read of a listing and that listing's PUT.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from etsysync_gui import etsy_account
from etsysync_gui.cli import main
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyTransaction
from etsysync_gui.etsy.client import EtsyClient
from fake_etsy import FakeEtsyServer, ManualClock
from tests.sync.test_support import (
    Env,
    linked_listing,
    make_client,
    make_env,
    one_property,
    simple,
)
from tests.sync.test_sync_crash import Kill, KillAt

PUT = "updateListingInventory"


def _client(server: FakeEtsyServer, clock: ManualClock, scopes: tuple[str, ...]) -> EtsyClient:
    return make_client(server, clock=clock, scopes=scopes)


SCOPES = ("listings_r", "listings_w", "shops_r", "transactions_r")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def env(database: Database, clock: ManualClock) -> Iterator[Env]:
    with make_env(database, clock=clock, client_for=lambda s: _client(s, clock, SCOPES)) as made:
        yield made


def _lines(env: Env) -> list[EtsyTransaction]:
    with env.database.session() as session:
        return list(session.scalars(select(EtsyTransaction).order_by(EtsyTransaction.created_ts)))


def _both(env: Env, sku: str, listing_id: int) -> tuple[int, int]:
    return env.local(sku), env.etsy(listing_id)[f"sku:{sku}"]


def _sale_during_the_next_put(env: Env, clock: ManualClock) -> int:
    """A linked MUG (5 both sides), 2 sold locally, and 1 bought on Etsy during its next PUT."""
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    clock.advance(120)
    env.set_local("MUG", 3)
    buy = lambda: env.server.simulate_purchase(listing_id, 1)  # noqa: E731
    env.server.on_request("before", PUT, buy, listing_id=listing_id)
    return listing_id


def test_a_sale_landing_between_the_read_and_the_put_is_counted_at_the_next_run(
    env: Env, clock: ManualClock
) -> None:
    """Base 5 each; 2 sold locally on both listings; a buyer buys 1 of B while A is written."""
    a = linked_listing(env, "MUG", etsy=5, local=5)
    env.catalog({"CUP": 5}, title="Cup")
    b = env.add(simple("CUP", 5))
    env.service().sync_all("manual")
    clock.advance(120)
    env.set_local("MUG", 3)
    env.set_local("CUP", 3)
    buy = lambda: env.server.simulate_purchase(b, 1)  # noqa: E731
    env.server.on_request("before", PUT, buy, listing_id=a)
    first = env.service().sync_inventory("manual")
    assert first.counts.pushes == 2
    assert env.server.triggers.fired == [("before", PUT, a)]
    receipt = env.server.last_receipt_id()
    assert _both(env, "CUP", b) == (3, 3)  # the race: Etsy's sale was erased by B's PUT
    clock.advance(120)
    env.server.reset_stats()
    second = env.service().sync_inventory("manual")
    assert _both(env, "CUP", b) == (2, 2)  # base 5 - 2 local - 1 on Etsy
    assert _both(env, "MUG", a) == (3, 3)
    assert env.calls("getShopReceipts") == 1
    assert second.counts.pulls == 1
    last = env.log(b)[-1]
    assert f"receipt {receipt}" in (last.message or "")
    assert "sold 1 on Etsy that an earlier write had erased" in (last.message or "")
    (line,) = _lines(env)
    assert line.overwritten_by is not None
    assert line.applied_run_id == second.run_id
    assert line.pool_key == "sku:CUP"
    clock.advance(120)
    third = env.service().sync_inventory("manual")  # counted once: nothing moves again
    assert _both(env, "CUP", b) == (2, 2)
    assert third.counts.pulls == third.counts.pushes == 0


def test_a_sale_already_in_the_snapshot_is_not_subtracted_twice(
    env: Env, clock: ManualClock
) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    clock.advance(120)
    env.server.simulate_purchase(listing_id, 1)
    clock.advance(120)
    env.set_local("MUG", 3)
    merged = env.service().sync_inventory("manual")
    assert merged.counts.merges == 1
    assert _both(env, "MUG", listing_id) == (2, 2)
    for _ in range(2):
        clock.advance(120)
        again = env.service().sync_inventory("manual")
        assert again.counts.pulls == again.counts.pushes == again.counts.merges == 0
    assert _both(env, "MUG", listing_id) == (2, 2)
    (line,) = _lines(env)
    assert line.overwritten_by is None
    assert line.applied_run_id is None


def test_an_erased_sale_whose_order_was_canceled_is_recorded_not_counted(
    env: Env, clock: ManualClock
) -> None:
    listing_id = _sale_during_the_next_put(env, clock)
    env.service().sync_inventory("manual")
    clock.advance(60)
    env.server.cancel_order(env.server.last_receipt_id(), restock=False)
    clock.advance(60)
    env.service().sync_inventory("manual")
    assert _both(env, "MUG", listing_id) == (3, 3)
    (line,) = _lines(env)
    assert line.canceled
    assert line.overwritten_by is not None
    assert line.applied_run_id is None


def test_without_the_orders_permission_the_stock_sync_still_runs(
    database: Database, clock: ManualClock
) -> None:
    old = ("listings_r", "listings_w", "shops_r")
    with make_env(database, clock=clock, client_for=lambda s: _client(s, clock, old)) as env:
        listing_id = linked_listing(env, "MUG", etsy=5, local=5)
        env.set_local("MUG", 4)
        result = env.service().sync_inventory("manual")
        assert result.status == "completed"
        assert _both(env, "MUG", listing_id) == (4, 4)
        assert env.calls("getShopReceipts") == 2
        assert _lines(env) == []


def test_the_log_filters_decisions_by_receipt(
    env: Env,
    clock: ManualClock,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    listing_id = _sale_during_the_next_put(env, clock)
    env.service().sync_inventory("manual")
    receipt = env.server.last_receipt_id()
    clock.advance(120)
    env.service().sync_inventory("manual")
    monkeypatch.setenv("ETSYSYNC_DATABASE_URL", db_url)
    monkeypatch.setenv("ETSY_SHOP_ID", str(env.shop_id))
    monkeypatch.setattr(etsy_account, "client_from_settings", lambda *_a, **_k: env.client)
    assert main(["log", "--receipt", str(receipt), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["listing_id"], r["sync_action"]) for r in rows] == [(listing_id, "pull_from_etsy")]
    assert f"receipt {receipt}" in rows[0]["message"]
    assert main(["log", "--receipt", str(receipt + 1)]) == 0
    assert capsys.readouterr().out.strip() == f"No stock decision names receipt {receipt + 1}."


def test_a_sale_erased_by_a_write_whose_run_was_killed_is_counted_after_recovery(
    env: Env, clock: ManualClock
) -> None:
    """The snapshot travels in the write-ahead record: recovery keeps it."""
    listing_id = _sale_during_the_next_put(env, clock)
    with pytest.raises(Kill):
        env.service(hooks=KillAt("after_put", listing_id)).sync_inventory("manual")
    assert env.etsy(listing_id) == {"sku:MUG": 3}  # the sale is erased, the run is dead
    clock.advance(120)
    recovering = env.service().sync_inventory("manual")  # recovers, reads orders, counts it
    assert recovering.recovered == 1
    assert _both(env, "MUG", listing_id) == (2, 2)
    clock.advance(120)
    env.service().sync_inventory("manual")
    assert _both(env, "MUG", listing_id) == (2, 2)


def test_a_sale_of_an_unlinked_variation_erased_by_a_write_is_put_right(
    env: Env, clock: ManualClock
) -> None:
    """Only Red is linked; a buyer buys Blue while EtsySync writes Red's stock."""
    env.catalog({"R": 5})
    listing_id = env.add(one_property([("Red", "R", 5, "9.00"), ("Blue", "B", 5, "9.00")]))
    env.service().sync_all("manual")
    clock.advance(120)
    env.set_local("R", 3)
    buy = lambda: env.server.simulate_purchase(listing_id, 1, sku="B")  # noqa: E731
    env.server.on_request("before", PUT, buy, listing_id=listing_id)
    env.service().sync_inventory("manual")
    assert env.etsy(listing_id) == {"sku:R": 3, "sku:B": 5}  # Blue's sale was erased
    receipt = env.server.last_receipt_id()
    clock.advance(120)
    env.service().sync_inventory("manual")
    assert env.etsy(listing_id) == {"sku:R": 3, "sku:B": 4}
    assert env.local("R") == 3
    assert f"receipt {receipt}" in (env.log(listing_id)[-1].message or "")
    clock.advance(120)
    env.server.reset_stats()
    env.service().sync_inventory("manual")  # put right once
    assert env.etsy(listing_id) == {"sku:R": 3, "sku:B": 4}
    assert env.calls(PUT) == 0


def test_orders_etsy_cannot_serve_skip_the_ledger_not_the_stock_sync(
    env: Env, clock: ManualClock
) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    clock.advance(120)
    env.server.simulate_purchase(listing_id, 1)
    clock.advance(120)  # clearly before the read: the ledger cannot vouch for it this time
    env.set_local("MUG", 3)
    env.server.faults.fail_next(status=503, count=10, operations=["getShopReceipts"])
    result = env.service().sync_inventory("manual")
    assert result.status == "completed"
    assert _both(env, "MUG", listing_id) == (2, 2)
    assert _lines(env) == []  # nothing read, the watermark kept: the next run reads it
    env.server.faults.clear()
    clock.advance(120)
    env.service().sync_inventory("manual")
    assert len(_lines(env)) == 1
    assert _both(env, "MUG", listing_id) == (2, 2)


def test_a_sale_erased_right_after_a_recovered_write_is_counted(
    env: Env, clock: ManualClock
) -> None:
    """Two writes of one listing with overlapping windows: the sale's product id tells which.

    Run A is killed after its PUT; a minute later run B completes A's write (its
    window reaches up to B's recovery) and writes the listing again; a buyer buys
    between B's batch read and B's PUT, so the sale lies in both windows.  Only
    B's snapshot knows the product id the buyer bought (A's PUT made it); the
    sale must be matched with B's write, not dropped because A's window came first.
    """
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    clock.advance(120)
    env.set_local("MUG", 3)
    with pytest.raises(Kill):
        env.service(hooks=KillAt("after_put", listing_id)).sync_inventory("manual")
    clock.advance(60)
    env.set_local("MUG", 2)
    buy = lambda: env.server.simulate_purchase(listing_id, 1)  # noqa: E731
    env.server.on_request("before", PUT, buy, listing_id=listing_id)
    recovering = env.service().sync_inventory("manual")
    assert recovering.recovered == 1
    assert env.server.triggers.fired == [("before", PUT, listing_id)]
    assert _both(env, "MUG", listing_id) == (2, 2)  # the sale was erased by B's PUT
    receipt = env.server.last_receipt_id()
    clock.advance(120)
    env.service().sync_inventory("manual")
    assert _both(env, "MUG", listing_id) == (1, 1)  # base 5 - 3 local - 1 on Etsy
    assert f"receipt {receipt}" in (env.log(listing_id)[-1].message or "")
    clock.advance(120)
    env.service().sync_inventory("manual")
    assert _both(env, "MUG", listing_id) == (1, 1)
