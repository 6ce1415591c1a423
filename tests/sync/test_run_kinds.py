"""What a run kind stores and what the seller reads for it.

The stored words are in existing ``sync_runs`` rows and the table's check
constraint, so the listing sync keeps storing ``'products'`` whatever the code
calls it.
"""

from __future__ import annotations

from etsysync_gui.db.models import SYNC_RUN_KINDS
from etsysync_gui.sync.runs.records import RunCounts, RunKind


def test_the_stored_words_stay_those_of_existing_rows() -> None:
    assert [kind.value for kind in RunKind] == list(SYNC_RUN_KINDS)
    assert RunKind("products") is RunKind.LISTINGS


def test_each_kind_has_one_title() -> None:
    titles = {kind: kind.title for kind in RunKind}
    assert titles == {
        RunKind.LISTINGS: "Listing sync",
        RunKind.INVENTORY: "Inventory sync",
        RunKind.ALL: "Sync",
    }


def test_counts_add_up_and_keep_their_json_names() -> None:
    counts = RunCounts(listings=3).plus(pushes=2, etsy_writes=1).plus(pushes=1)
    assert counts.to_json() == {
        "listings": 3,
        "pushes": 3,
        "pulls": 0,
        "merges": 0,
        "conflicts": 0,
        "errors": 0,
        "api_calls": 0,
        "etsy_writes": 1,
    }
    assert "3 pushed" in counts.describe()
    assert "1 Etsy writes" in counts.describe()
