"""Several Etsy writes in flight (``SyncOptions.writes_in_flight``): same results, same log.

The engine keeps several writes in flight by default; ``test_sync_apply`` and
``test_sync_crash`` also run their cases one write at a time.  These tests check
what must not change: every listing written once and committed after its
answer, progress for each, a stop for the user or a cancel starting no new
write, and the writes still in flight at a stop left to the next run's recovery.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyWriteSnapshot
from etsysync_gui.etsy.errors import EtsyError
from etsysync_gui.sync.inventory.hooks import SyncHooks
from etsysync_gui.sync.inventory.inflight import Window
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.lease import Lease
from tests.sync.test_support import Env, make_client, make_env, simple

COUNT = 12
PUSHED = ("push_to_etsy", "success")
DEFAULT = SyncOptions(shop_id=1).writes_in_flight
MANY = 2 * DEFAULT + 4  # more listings than a window holds


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def restocked_shop(env: Env, count: int = COUNT) -> list[int]:
    """``count`` linked listings at 5 on both sides, then every local one set to 2."""
    env.catalog({f"F-{i}": 5 for i in range(count)})
    ids = [env.add(simple(f"F-{i}", 5)) for i in range(count)]
    env.service().sync_all("manual")
    for i in range(count):
        env.set_local(f"F-{i}", 2)
    return ids


def outcomes(env: Env, ids: list[int]) -> list[str]:
    """Per listing: "committed", "recorded" (its write-ahead record waits for
    recovery) or "untouched"; never Etsy written with neither a commit nor a record."""
    pushed = {r.etsy_listing_id for r in env.log() if (r.sync_action, r.sync_result) == PUSHED}
    found = []
    for i, lid in enumerate(ids):
        written = env.etsy(lid) == {f"sku:F-{i}": 2}
        pending = env.listing_row(lid).pending_write is not None
        if lid in pushed:
            assert written, i
            assert not pending, i
            found.append("committed")
        elif pending:
            found.append("recorded")
        else:
            assert not written, f"listing {i} written on Etsy, neither committed nor recorded"
            found.append("untouched")
    return found


def finish_and_check_each_written_once(env: Env, ids: list[int]) -> None:
    """The next run completes the rest; Etsy accepted exactly one PUT per listing."""
    again = env.service().sync_inventory("manual")
    assert again.status == "completed"
    assert outcomes(env, ids) == ["committed"] * len(ids)
    pushes = [r.etsy_listing_id for r in env.log() if (r.sync_action, r.sync_result) == PUSHED]
    assert sorted(pushes) == sorted(ids)  # each push applied and logged exactly once
    assert env.server.stats.accepted_writes == len(ids)  # a landed write is never resent


class Order(SyncHooks):
    """Records the order of write-ahead commits, PUT answers and commits."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def after_write_ahead(self, listing_id: int) -> None:
        self.events.append(("record", listing_id))

    def after_put(self, listing_id: int) -> None:
        with self._lock:
            self.threads.add(threading.current_thread().name)

    def after_commit(self, listing_id: int) -> None:
        self.events.append(("commit", listing_id))


def test_a_push_with_writes_in_flight_writes_each_listing_once_in_order(env: Env) -> None:
    ids = restocked_shop(env)
    hooks = Order()
    seen: list[int] = []
    result = env.service(hooks=hooks, writes_in_flight=4).sync_inventory(
        "manual", progress=lambda phase, done, total: seen.append(done)
    )
    assert result.status == "completed"
    assert result.counts.pushes == COUNT
    assert env.calls("updateListingInventory") == COUNT
    assert all(env.etsy(lid) == {f"sku:F-{i}": 2} for i, lid in enumerate(ids))
    assert all(env.listing_row(lid).pending_write is None for lid in ids)
    commits = [lid for step, lid in hooks.events if step == "commit"]
    records = [lid for step, lid in hooks.events if step == "record"]
    assert commits == records == sorted(ids)
    # A listing's commit never comes before its own write-ahead record.
    assert all(
        hooks.events.index(("record", lid)) < hooks.events.index(("commit", lid)) for lid in ids
    )
    assert any(name.startswith("etsy-write") for name in hooks.threads)
    assert seen[-1] == COUNT


def test_writes_in_flight_confirm_the_lease_and_keep_a_snapshot_per_listing(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each listing's lease confirmation comes right before its write-ahead record, and
    each landed PUT keeps the snapshot it was based on (the sales ledger needs both)."""
    ids = restocked_shop(env)
    hooks = Order()
    confirm = Lease.confirm

    def confirm_noted(lease: Lease) -> None:
        hooks.events.append(("confirm", 0))
        confirm(lease)

    monkeypatch.setattr(Lease, "confirm", confirm_noted)
    result = env.service(hooks=hooks, writes_in_flight=4).sync_inventory("manual")
    assert result.status == "completed"
    events = hooks.events
    assert all(events[events.index(("record", lid)) - 1] == ("confirm", 0) for lid in ids)
    with env.database.session() as session:
        snapshots = session.scalars(select(EtsyWriteSnapshot)).all()
        mine = [x for x in snapshots if x.run_id == result.run_id]
        assert sorted(x.etsy_listing_id for x in mine) == sorted(ids)
        assert all(x.read_ts <= x.written_ts for x in mine)


def test_a_stop_for_the_user_leaves_writes_in_flight_to_recovery(env: Env) -> None:
    ids = restocked_shop(env)

    class RevokeAfterFirst(SyncHooks):
        def after_commit(self, listing_id: int) -> None:
            env.server.revoke_all_tokens()

    with pytest.raises(EtsyError) as caught:
        env.service(hooks=RevokeAfterFirst(), writes_in_flight=4).sync_inventory("cli")
    assert caught.value.needs_user
    assert env.runs()[-1].status == "failed"
    env.client.close()
    env.client = make_client(env.server)  # the seller reconnects
    again = env.service(writes_in_flight=4).sync_inventory("manual")
    assert again.status == "completed"
    assert all(env.etsy(lid) == {f"sku:F-{i}": 2} for i, lid in enumerate(ids))
    assert all(env.listing_row(lid).pending_write is None for lid in ids)
    log = env.log()
    pushes = [r.etsy_listing_id for r in log if (r.sync_action, r.sync_result) == PUSHED]
    assert sorted(pushes) == sorted(ids)  # each push applied and logged exactly once


def test_the_default_keeps_several_writes_in_flight() -> None:
    assert DEFAULT > 1


def test_an_authentication_failure_in_flight_starts_no_new_write(env: Env) -> None:
    """The first PUT lands, then the seller's tokens are revoked: the run stops for the
    user.  Listings are committed, then recorded (in flight at the failure, left to
    recovery), then untouched: no listing is started once the failure is handled, so at
    most a window's worth of listings past the last commit were started."""
    ids = restocked_shop(env, MANY)
    revoke = env.server.revoke_all_tokens
    env.server.on_request("before", "updateListingInventory", revoke, listing_id=ids[0])
    env.server.reset_stats()
    with pytest.raises(EtsyError) as caught:
        env.service().sync_inventory("cli")
    assert caught.value.needs_user
    assert env.runs()[-1].status == "failed"
    found = outcomes(env, ids)
    committed, recorded = found.count("committed"), found.count("recorded")
    assert found == sorted(found)  # committed, then recorded, then untouched: in order
    assert committed >= 1
    assert committed + recorded <= committed + DEFAULT < MANY
    assert env.calls("updateListingInventory") <= committed + recorded
    env.client.close()
    env.client = make_client(env.server)  # the seller reconnects
    finish_and_check_each_written_once(env, ids)


def test_a_cancel_with_writes_in_flight_commits_them_and_starts_no_new_one(env: Env) -> None:
    ids = restocked_shop(env, MANY)
    cancel = threading.Event()

    class CancelDuringFirst(SyncHooks):
        def after_put(self, listing_id: int) -> None:
            if listing_id == ids[0]:
                cancel.set()

    env.server.reset_stats()
    result = env.service(hooks=CancelDuringFirst()).sync_inventory("manual", cancel=cancel)
    assert result.status == "cancelled"
    found = outcomes(env, ids)
    assert "recorded" not in found  # the writes in flight were committed, not left
    assert found == sorted(found)
    assert 1 <= found.count("committed") <= DEFAULT < MANY
    finish_and_check_each_written_once(env, ids)


def test_the_window_finishes_in_start_order_and_abandons_after_a_failure() -> None:
    finished: list[int] = []
    with Window[int](3) as window:
        for n in range(5):
            window.submit(lambda n=n: n, lambda result: finished.append(result()))
        window.drain()
    assert finished == [0, 1, 2, 3, 4]

    def boom() -> int:
        raise ValueError("no")

    later: list[int] = []

    def fail_first() -> None:
        with Window[int](3) as window:
            window.submit(boom, lambda result: later.append(result()))
            window.submit(lambda: 7, lambda result: later.append(result()))
            window.drain()

    with pytest.raises(ValueError, match="no"):
        fail_first()
    assert later == []  # the call after the failure was waited for, not finished
