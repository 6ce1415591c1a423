"""When a background plan waits for the seller (``hold_reason``), on real plans."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.policies import WriteMode
from etsysync_gui.sync.inventory.hold import HoldRules, hold_reason
from tests.sync.test_support import Env, linked_listing, make_env


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def test_nothing_to_do_never_waits(env: Env) -> None:
    linked_listing(env, "MUG", etsy=10, local=10)
    plan = env.service().plan_inventory()
    assert hold_reason(plan, HoldRules(WriteMode.DRAFTS)) is None


def test_drafts_hold_every_change_and_autopilot_only_unusual_ones(env: Env) -> None:
    linked_listing(env, "MUG", etsy=10, local=10)
    env.set_local("MUG", 8)
    plan = env.service().plan_inventory()
    assert "drafts mode" in (hold_reason(plan, HoldRules(WriteMode.DRAFTS)) or "")
    assert hold_reason(plan, HoldRules()) is None
    assert "more than the 0" not in (hold_reason(plan, HoldRules(max_listings=1)) or "")
    assert "would write 1 listings" in (hold_reason(plan, HoldRules(max_listings=0)) or "")


def test_a_drop_of_more_than_half_waits(env: Env) -> None:
    linked_listing(env, "MUG", etsy=10, local=10)
    env.set_local("MUG", 4)
    plan = env.service().plan_inventory()
    reason = hold_reason(plan, HoldRules())
    assert reason is not None
    assert "would drop from 10 to 4" in reason
    assert hold_reason(plan, HoldRules(drop_percent=70)) is None
