"""Plain-text reports of plans, runs and listing syncs, for the CLI and logs.

Why here and not in the CLI: the GUI's "copy report" and the log file want the
same words, and none of it needs a terminal.  Lines are short and say what a
seller will see on Etsy and in their catalog, not internal names.
"""

from __future__ import annotations

from etsysync_gui.sync.inventory.decide import Action
from etsysync_gui.sync.inventory.plan_types import RELINK, ListingPlan, SyncPlan
from etsysync_gui.sync.listings.run import ListingSyncResult
from etsysync_gui.sync.runs.records import RunResult

MAX_PROBLEM_LINES = 20
ACTION_WORDS = {
    Action.PUSH: "push",
    Action.PULL: "pull",
    Action.MERGE: "merge",
    Action.NO_CHANGE: "no change",
    Action.SKIP: "conflict, skipped",
}


def format_plan(plan: SyncPlan) -> list[str]:
    """The plan as a seller reads it: totals, then each listing that changes."""
    t = plan.totals
    lines = [
        f"Plan for shop {plan.shop_id} (policy {plan.policy.value}, zero stock: "
        f"{plan.zero_stock_policy}; Etsy numbers: {plan.source})",
        f"  {t.listings} linked listing(s), {t.listings_to_write} to write on Etsy: "
        f"{t.pushes} push(es), {t.pulls} pull(s), {t.merges} merge(s), "
        f"{t.conflicts} conflict(s), {t.clamps} clamped at 999, "
        f"{t.zero_stock_actions} zero-stock action(s), {t.errors} error(s)",
    ]
    changes = plan.changes
    if not changes and t.listings == 0:
        lines.append("  Nothing to sync yet: no Etsy stock pool is linked to a catalog variant.")
    elif not changes:
        lines.append("  Nothing to do: both sides agree.")
    for listing in changes:
        lines.extend(_listing_lines(listing))
    return lines


def _listing_lines(listing: ListingPlan) -> list[str]:
    head = f"  Listing {listing.listing_id} {listing.title!r}"
    if listing.error is not None:
        return [f"{head}: {listing.error}"]
    lines = [head + (" (writes Etsy)" if listing.etsy_write else "")]
    for pool in listing.pools:
        if pool.action is Action.NO_CHANGE and not pool.needs_commit:
            continue
        if pool.status == RELINK:  # no numbers: Etsy no longer has this variation
            lines.append(f"    {pool.label}: flagged, skipped ({pool.reason})")
            continue
        lines.append(
            f"    {pool.label}: {ACTION_WORDS[pool.action]}; local {pool.local_before} → "
            f"{pool.new_local}, Etsy {pool.etsy_before} → {pool.etsy_after} ({pool.reason})"
        )
    lines.extend(f"    {note}" for note in listing.notes)
    return lines


def format_run(result: RunResult) -> list[str]:
    """One summary line for a run, then its listing errors and listing-sync findings."""
    dry = " (dry run: nothing was written)" if result.dry_run else ""
    lines = [f"{result.kind.title} {result.status.replace('_', ' ')}{dry}."]
    if result.kind.syncs_inventory:
        c = result.counts
        verb = "would be" if result.dry_run else ""
        lines.append(
            f"  {c.listings} linked listing(s); {c.pushes} push(es), {c.pulls} pull(s), "
            f"{c.merges} merge(s), {c.conflicts} conflict(s) {verb}".rstrip()
            + f"; {c.errors} error(s); {c.api_calls} Etsy call(s)"
            + ("." if result.dry_run else f"; {c.etsy_writes} change(s) written to Etsy.")
        )
    if result.recovered:
        lines.append(f"  Completed {result.recovered} write(s) an interrupted run left behind.")
    if result.redecided:
        lines.append(
            f"  Re-decided {len(result.redecided)} listing(s) that changed on Etsy meanwhile."
        )
    if result.listing_sync is not None:
        lines.extend(format_listing_sync(result.listing_sync))
    for error in result.listing_errors[:MAX_PROBLEM_LINES]:
        lines.append(f"  Listing {error.listing_id}: {error.message}")
    if len(result.listing_errors) > MAX_PROBLEM_LINES:
        lines.append(f"  ... and {len(result.listing_errors) - MAX_PROBLEM_LINES} more")
    lines.extend(_next_step(result))
    return lines


def _next_step(result: RunResult) -> list[str]:
    """What to do when stock went unsynced because nothing (or little) is linked.

    A first ``sync all`` on a fresh catalog reads every listing and links none;
    "0 listing(s)" next to "Read 200 listing(s)" read like a failure.  The
    seller needs the three ways to link, not the counts alone.
    """
    unlinked = 0
    if result.listing_sync is not None:
        unlinked = sum(result.listing_sync.problem_counts().values())
    nothing_linked = result.kind.syncs_inventory and result.counts.listings == 0
    if not unlinked and not nothing_linked:
        return []
    head = (
        f"Next: {unlinked} Etsy stock pool(s) are not linked to your catalog, so their stock "
        "is not synced."
        if unlinked
        else "Next: no Etsy listing is linked to your catalog yet, so no stock was synced."
    )
    return [
        head,
        "  Give catalog variants the same SKUs as on Etsy ('etsysync catalog import FILE.csv') "
        "and sync again,",
        "  or copy them into the catalog with 'etsysync sync listings --import-unlinked',",
        "  or link one by hand with 'etsysync link SKU LISTING_ID'.",
    ]


def format_listing_sync(result: ListingSyncResult) -> list[str]:
    lines = [
        f"  Read {result.listings_read} listing(s): {result.new} new, {result.updated} updated, "
        f"{len(result.missing)} no longer on Etsy, {len(result.returned)} back again; "
        f"{result.pools} stock pool(s)."
    ]
    lines.append(
        f"  Linked {result.linked} stock pool(s) by SKU"
        + (
            f"; imported {result.imported_variants} variant(s) in "
            f"{result.imported_products} new product(s)"
            if result.imported_variants
            else ""
        )
        + "."
    )
    counts = {k: v for k, v in result.problem_counts().items() if v}
    if counts:
        lines.append(
            "  Not linked: " + ", ".join(f"{count} {kind}" for kind, count in counts.items())
        )
    for problem in result.link_problems[:MAX_PROBLEM_LINES]:
        where = f" {problem.label}" if problem.label else ""
        lines.append(
            f"    Listing {problem.listing_id}{where}: {problem.problem} ({problem.detail})"
        )
    if len(result.link_problems) > MAX_PROBLEM_LINES:
        lines.append(f"    ... and {len(result.link_problems) - MAX_PROBLEM_LINES} more")
    return lines
