"""The seller's sync policies: one definition for the configuration file and the engine.

Why a module of its own at the bottom: ``config`` stores these choices and
``sync`` acts on them, and ``config`` must not import ``sync``.  Defining them
once here means the value read from config.toml is the very value the engine
compares, with no conversion in between.
"""

from __future__ import annotations

from enum import StrEnum


class ConflictPolicy(StrEnum):
    """What a sync does when the catalog and Etsy both changed a listing's stock."""

    MERGE = "merge"
    LOCAL_WINS = "local_wins"
    ETSY_WINS = "etsy_wins"
    SKIP = "skip"


class ZeroStockPolicy(StrEnum):
    """What a sync does with an Etsy listing whose stock reaches zero everywhere."""

    DEACTIVATE = "deactivate"
    LEAVE = "leave"


class WriteMode(StrEnum):
    """Whether background (scheduled) syncs write to Etsy on their own or wait for review.

    ``AUTOPILOT`` writes every scheduled plan except an unusual one (see
    ``sync.inventory.hold``); ``DRAFTS`` stops every scheduled run at its plan
    and leaves it in Needs you.  Syncs the seller starts are reviewed either way.
    """

    AUTOPILOT = "autopilot"
    DRAFTS = "drafts"
