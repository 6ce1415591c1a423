"""Review an inventory plan before it is applied: totals, then one row per change.

Shows exactly what ``SyncService.apply_plan`` will do (the plan object is what
gets applied): pushes, pulls, merges, conflicts, clamps, zero-stock actions
and listings that cannot be synced, each with the engine's own reason.
Each row has a tick box: unticked rows (whole listings, see ``plan_subset``)
are left out of ``chosen_plan``, keep their bases and come back next time.
"Apply" accepts the dialog; the caller hands ``chosen_plan()`` to the sync runner.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.sync.inventory.decide import Action
from etsysync_gui.sync.inventory.plan_subset import without_listings
from etsysync_gui.sync.inventory.plan_types import RELINK, ListingPlan, PlanTotals, SyncPlan
from etsysync_gui.ui.plan_choice import ChoiceModel
from etsysync_gui.ui.row_model import Column
from etsysync_gui.ui.widgets import FastTableView, gui_settings
from etsysync_gui.ui.wizard.model import CONFLICT_LABELS

SKIP_SMALL_KEY = "review/skip_small_plans"
SMALL_LIMIT_KEY = "review/small_plan_limit"
DEFAULT_SMALL_LIMIT = 5


@dataclass(frozen=True, slots=True)
class PlanRow:
    listing_id: int
    title: str
    pool: str
    action: str
    local: str
    etsy: str
    reason: str
    flags: str


def _arrow(before: int, after: int) -> str:
    return str(before) if before == after else f"{before} → {after}"


def plan_rows(plan: SyncPlan) -> list[PlanRow]:
    rows: list[PlanRow] = []
    for listing in plan.changes:
        rows.extend(_listing_rows(listing))
    return rows


def _listing_rows(listing: ListingPlan) -> list[PlanRow]:
    rows = []
    if listing.error is not None or listing.gone:
        reason = "no longer on Etsy" if listing.gone else (listing.error or "")
        rows.append(PlanRow(listing.listing_id, listing.title, "", "error", "", "", reason, ""))
    for pool in listing.pools:
        relink = pool.status == RELINK
        if not (pool.needs_commit or pool.conflict or pool.clamped or relink):
            continue
        flags = ", ".join(
            word
            for word, on in (
                ("conflict", pool.conflict),
                ("clamped", pool.clamped),
                ("relink", relink),
                ("first sync", pool.first_link),
            )
            if on
        )
        action = "skip" if pool.action is Action.SKIP else pool.action.value.replace("_", " ")
        rows.append(
            PlanRow(
                listing.listing_id,
                listing.title,
                pool.label or pool.pool_key,
                action,
                _arrow(pool.local_before, pool.new_local),
                _arrow(pool.etsy_before, pool.etsy_after),
                pool.reason,
                flags,
            )
        )
    zero = (
        "deactivate listing"
        if listing.deactivate
        else "reactivate listing"
        if listing.reactivate
        else "left to sell out"
        if listing.left_to_sell_out
        else None
    )
    if zero is not None:
        notes = "; ".join(listing.notes)
        rows.append(
            PlanRow(listing.listing_id, listing.title, "", zero, "", "", notes, "zero stock")
        )
    return rows


def totals_text(totals: PlanTotals) -> str:
    return (
        f"{totals.listings_to_write} of {totals.listings} listings to write on Etsy · "
        f"{totals.pushes} pushes · {totals.pulls} pulls · {totals.merges} merges · "
        f"{totals.conflicts} conflicts · {totals.clamps} clamped · "
        f"{totals.zero_stock_actions} zero-stock actions · {totals.errors} errors"
    )


def is_small(plan: SyncPlan, limit: int) -> bool:
    """Small enough to apply without review: few writes, nothing the seller must judge."""
    t = plan.totals
    return (
        t.listings_to_write <= limit
        and t.conflicts == 0
        and t.errors == 0
        and t.zero_stock_actions == 0
    )


def skip_review_for(plan: SyncPlan) -> bool:
    settings = gui_settings()
    if str(settings.value(SKIP_SMALL_KEY, "false")).lower() != "true":
        return False
    limit = int(str(settings.value(SMALL_LIMIT_KEY, DEFAULT_SMALL_LIMIT)))
    return is_small(plan, limit)


COLUMNS: list[Column[PlanRow]] = [
    Column("Write", lambda r: "", width=50),
    Column("Listing", lambda r: r.listing_id, right=True, width=110),
    Column("Title", lambda r: r.title, width=220),
    Column("Stock pool", lambda r: r.pool, width=120),
    Column("Action", lambda r: r.action, width=110),
    Column("Local", lambda r: r.local, width=80),
    Column("Etsy", lambda r: r.etsy, width=80),
    Column("Flags", lambda r: r.flags, width=110),
    Column("Why", lambda r: r.reason, tooltip=lambda r: r.reason),
]


class PlanReviewDialog(QDialog):
    def __init__(self, plan: SyncPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle("Review the inventory sync")
        self.resize(980, 520)
        layout = QVBoxLayout(self)
        policy = f"When both sides changed: {CONFLICT_LABELS[plan.policy]}"
        self.summary = QLabel(f"<b>{totals_text(plan.totals)}</b><br>{policy}")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = ChoiceModel(COLUMNS, self)
        self.model.set_rows(plan_rows(plan))
        self.model.ticks_changed.connect(self._show_left_out)
        self.table = FastTableView("planReview", self)
        self.table.setModel(self.model)
        self.table.restore_state([c.width for c in COLUMNS])
        layout.addWidget(self.table)
        if not self.model.total:
            layout.addWidget(QLabel("Nothing to change: both sides agree."))
        self.left_out = QLabel("Untick a row to leave its listing out; it comes back next time.")
        layout.addWidget(self.left_out)
        self.skip_small = QCheckBox(
            f"Apply small plans without asking (up to {DEFAULT_SMALL_LIMIT} listings, "
            "no conflicts or zero-stock actions)"
        )
        layout.addWidget(self.skip_small)
        buttons = QDialogButtonBox(self)
        self.apply_button = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen_plan(self) -> SyncPlan:
        """The plan without the listings the seller unticked."""
        return without_listings(self.plan, self.model.left_out)

    def _show_left_out(self) -> None:
        count = len(self.model.left_out)
        self.left_out.setText(
            f"{count} listing(s) left out: they are not written, keep their bases and come "
            "back in the next plan."
            if count
            else "Untick a row to leave its listing out; it comes back next time."
        )

    def done(self, result: int) -> None:
        self.table.save_state()
        if self.skip_small.isChecked():
            gui_settings().setValue(SKIP_SMALL_KEY, "true")
        super().done(result)
