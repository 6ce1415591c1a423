"""Local stock moved by the deltas a run applies (``commit``), set-based."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case

from etsysync_gui.db.bulk import update_rows
from etsysync_gui.db.models import ProductVariant
from etsysync_gui.db.sql_helpers import table_of

VARIANTS = table_of(ProductVariant)


def move_quantities(session: Any, deltas: Sequence[dict[str, int]], now: datetime) -> None:
    """Add each delta to its variant's quantity (never below 0), set-based.

    A variant moved twice (two pools linked to it in one batch) takes its deltas
    in order, one round each, so each clamp at 0 applies as it did row by row.
    """
    rounds: list[list[dict[str, int]]] = []
    seen: dict[int, int] = {}
    for delta in deltas:
        turn = seen.get(delta["b_vid"], 0)
        seen[delta["b_vid"]] = turn + 1
        if turn == len(rounds):
            rounds.append([])
        rounds[turn].append(delta)
    for batch in rounds:
        update_rows(
            session,
            VARIANTS,
            batch,
            match={"b_vid": "id"},
            values={},
            inputs={"b_delta": "quantity"},
            computed=_moved_quantity,
            constants={"updated_at": now},
        )


def _moved_quantity(value: Mapping[str, Any]) -> dict[str, Any]:
    moved = VARIANTS.c.quantity + value["b_delta"]
    return {"quantity": case((moved < 0, 0), else_=moved)}
