"""The default stock interval, sized from the shop's listings and Etsy's daily budget."""

from __future__ import annotations

import pytest

from etsysync_gui.scheduling.interval_budget import (
    INVENTORY_SHARE,
    IntervalAdvice,
    calls_per_run,
    explain,
    suggest_inventory_interval,
)


@pytest.mark.parametrize(
    ("listings", "minutes", "calls"),
    [
        (0, 10, 4),
        (50, 10, 4),
        (300, 15, 6),
        (1_000, 30, 13),
        (5_000, 120, 53),
        (20_000, 480, 203),
    ],
)
def test_the_interval_grows_with_the_shop(listings: int, minutes: int, calls: int) -> None:
    advice = suggest_inventory_interval(listings)
    assert (advice.interval_s // 60, advice.calls_per_run) == (minutes, calls)
    assert advice.calls_per_day <= 10_000 * INVENTORY_SHARE


def test_a_few_hundred_listings_sync_every_10_to_15_minutes() -> None:
    for listings in (100, 200, 300, 400):
        assert 10 * 60 <= suggest_inventory_interval(listings).interval_s <= 15 * 60


def test_a_bigger_daily_budget_allows_a_shorter_interval() -> None:
    assert suggest_inventory_interval(5_000, 100_000).interval_s == 10 * 60
    assert suggest_inventory_interval(5_000, None).interval_s == 120 * 60  # unknown: 10,000


def test_a_huge_shop_gets_the_longest_interval_offered() -> None:
    assert suggest_inventory_interval(10_000_000).interval_s == 24 * 3600


def test_calls_per_run_counts_batches_of_100() -> None:
    assert calls_per_run(100) == 4
    assert calls_per_run(101) == 5


def test_the_explanation_is_one_sentence_with_the_numbers() -> None:
    assert explain(suggest_inventory_interval(300)) == (
        "Every 15 min: a run costs about 6 calls; 96 runs a day use 6 % of Etsy's daily 10,000."
    )
    assert explain(IntervalAdvice(7200, 3, 10_000)) == (
        "Every 2 h: a run costs about 3 calls; 12 runs a day use less than 1 % "
        "of Etsy's daily 10,000."
    )
