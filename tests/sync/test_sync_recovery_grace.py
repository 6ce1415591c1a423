"""A write a dead process may still have in flight is not judged before it could land.

The adversary: a sync is killed with PUTs in flight (``writes_in_flight``), and
a new sync on the same machine takes the lease over at once (the holder is
gone).  A PUT that reaches Etsy after that run's recovery read would be judged
"never landed", its record dropped, and the late write later taken for a
change made on Etsy.  Recovery therefore leaves a record saved moments ago by a
gone holder for the next run.  The clock is ``FakeClock``; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsySyncConfig
from etsysync_gui.sync.inventory.recovery import IN_FLIGHT_GRACE_S
from etsysync_gui.sync.runs import lease as lease_module
from tests.sync.test_support import Env, linked_listing, make_env
from tests.sync.test_sync_crash import Kill, KillAt


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def killed_after_put(env: Env) -> int:
    """A push whose PUT landed; the process died before it applied anything locally."""
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 3)
    with pytest.raises(Kill):
        env.service(hooks=KillAt("after_put", listing_id)).sync_inventory("manual")
    assert env.listing_row(listing_id).pending_write is not None
    return listing_id


def held_by_a_gone_process(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The killed run's lease, unexpired, held by a process of this machine that is gone."""
    with env.database.session() as session:
        session.execute(
            update(EtsySyncConfig).values(
                lease_holder="host:4242:dead@machine:1",
                # The lease is judged by the database's clock, which is real time.
                lease_expires_at=datetime.now(UTC) + timedelta(days=1),
            )
        )
    monkeypatch.setattr(lease_module, "holder_is_gone", lambda _holder: True)


def test_a_gone_holders_fresh_write_waits_for_the_next_run(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing_id = killed_after_put(env)
    held_by_a_gone_process(env, monkeypatch)
    env.clock.advance(5)  # the new sync starts seconds after the kill
    puts = env.calls("updateListingInventory")
    result = env.service().sync_inventory("manual")
    assert env.listing_row(listing_id).pending_write is not None  # not judged yet
    assert [e.listing_id for e in result.listing_errors] == [listing_id]
    assert "pending" in result.listing_errors[0].message
    assert env.calls("updateListingInventory") == puts  # nothing written meanwhile
    assert env.local("MUG") == 3

    env.clock.advance(IN_FLIGHT_GRACE_S)
    later = env.service().sync_inventory("manual")
    assert later.status == "completed", later.listing_errors
    assert env.listing_row(listing_id).pending_write is None
    assert (env.local("MUG"), env.etsy(listing_id)) == (3, {"sku:MUG": 3})
    assert env.calls("updateListingInventory") == puts  # completed, not written again


def test_a_record_older_than_the_grace_is_recovered_at_once(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing_id = killed_after_put(env)
    held_by_a_gone_process(env, monkeypatch)
    env.clock.advance(IN_FLIGHT_GRACE_S + 1)
    result = env.service().sync_inventory("manual")
    assert result.status == "completed", result.listing_errors
    assert env.listing_row(listing_id).pending_write is None
    assert (env.local("MUG"), env.etsy(listing_id)) == (3, {"sku:MUG": 3})


def test_a_lease_free_or_expired_is_no_reason_to_wait(env: Env) -> None:
    """The in-process kill releases the lease: no gone holder, recovery runs as before."""
    listing_id = killed_after_put(env)
    result = env.service().sync_inventory("manual")
    assert result.status == "completed", result.listing_errors
    assert env.listing_row(listing_id).pending_write is None
