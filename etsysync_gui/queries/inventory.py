"""The inventory table: one row per stock pool, with what the next sync would do.

"What the next sync would do" is ``sync.decide.decide`` on the numbers EtsySync
knows now (the local variant, Etsy's quantity from the last read, the bases)
under the shop's conflict policy.  It is pure and cheap, so it is computed for
every row as the table loads; the real sync reads Etsy fresh and may differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, ProductVariant, SyncRun
from etsysync_gui.policies import ConflictPolicy
from etsysync_gui.queries.dashboard import ATTENTION_STATUSES
from etsysync_gui.sync.inventory.decide import Action, FirstTruth, PoolState, decide
from etsysync_gui.sync.inventory.plan_types import RELINK

ACTION_WORDS = {
    Action.NO_CHANGE: "nothing",
    Action.PUSH: "push to Etsy",
    Action.PULL: "pull from Etsy",
    Action.MERGE: "merge",
    Action.SKIP: "skip (conflict)",
}


@dataclass(frozen=True, slots=True)
class PoolRow:
    pool_id: int
    listing_id: int
    listing_title: str
    pool_key: str
    label: str
    sku: str | None
    local_variant_id: int | None
    local_sku: str | None
    local_quantity: int | None
    etsy_quantity: int | None
    base_local: int | None
    base_etsy: int | None
    status: str
    message: str | None
    last_synced_at: datetime | None
    next_action: str
    next_reason: str
    conflict: bool
    clamped: bool
    first_truth: str = "etsy"

    @property
    def base(self) -> str:
        if self.base_local is None:
            return ""
        if self.base_local == self.base_etsy:
            return str(self.base_local)
        return f"{self.base_local} / {self.base_etsy}"

    @property
    def needs_attention(self) -> bool:
        return self.status in ATTENTION_STATUSES or self.conflict or self.clamped

    @property
    def editable(self) -> bool:
        return self.local_variant_id is not None


def next_step(
    local: int | None,
    etsy: int | None,
    base_local: int | None,
    base_etsy: int | None,
    *,
    policy: ConflictPolicy,
    first_truth: FirstTruth,
) -> tuple[str, str, bool, bool]:
    """``(action words, reason, conflict, clamped)`` for a linked pool."""
    if local is None:
        return "not linked", "link a local variant to sync this stock", False, False
    if etsy is None:
        return "read Etsy", "Etsy's quantity is not known yet", False, False
    if (base_local is None) != (base_etsy is None):
        base_local = base_etsy = None
    decision = decide(
        PoolState(max(local, 0), max(etsy, 0), base_local, base_etsy),
        policy=policy,
        first_truth=first_truth,
    )
    return ACTION_WORDS[decision.action], decision.reason, decision.conflict, decision.clamped


def load_pools(
    database: Database, shop_id: int | None, policy: ConflictPolicy = ConflictPolicy.MERGE
) -> list[PoolRow]:
    p, v, e = EtsyStockPool, ProductVariant, EtsyProduct
    query = (
        select(
            p.id,
            p.etsy_listing_id,
            e.title,
            p.pool_key,
            p.label,
            p.sku,
            p.local_variant_id,
            v.sku,
            v.quantity,
            p.etsy_quantity,
            p.base_local,
            p.base_etsy,
            p.status,
            p.message,
            p.last_synced_at,
            p.first_truth,
        )
        .join(e, e.etsy_listing_id == p.etsy_listing_id)
        .outerjoin(v, v.id == p.local_variant_id)
        .where(e.missing_since.is_(None))
        .order_by(p.etsy_listing_id, p.id)
    )
    if shop_id is not None:
        query = query.where(e.shop_id == shop_id)
    rows = []
    with database.session() as session:
        for r in session.execute(query):
            local = r[8] if r[6] is not None else None
            action, reason, conflict, clamped = next_step(
                local,
                r[9],
                r[10],
                r[11],
                policy=policy,
                first_truth=FirstTruth(r[15] or "etsy"),
            )
            if r[12] == RELINK:  # the variation vanished on Etsy: deciding it means nothing
                action, reason = "link again", r[13] or "the variation no longer exists on Etsy"
            rows.append(
                PoolRow(
                    r[0], r[1], r[2] or "", r[3], r[4] or r[3], r[5], r[6], r[7], local,
                    r[9], r[10], r[11], r[12], r[13], r[14], action, reason, conflict, clamped,
                    r[15] or "etsy",
                )
            )  # fmt: skip
    return rows


def last_etsy_read(database: Database, shop_id: int | None) -> datetime | None:
    """When Etsy's quantities were last read: the last finished inventory run (not a
    dry run), so the Inventory header can say how old the "Etsy qty" column is."""
    if shop_id is None:
        return None
    query = select(func.max(SyncRun.finished_at)).where(
        SyncRun.shop_id == shop_id, SyncRun.kind == "inventory", SyncRun.dry_run.is_(False)
    )
    with database.session() as session:
        return session.scalar(query)
