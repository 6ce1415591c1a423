"""Injection points in the per-listing write sequence, for crash and fault tests.

Why: crash safety is only believable if a test can stop the engine at every
step where a real kill could land and then show that the next run ends in the
same state as a run without faults.  ``apply`` and ``recovery`` call these hooks
at each such step; the default does nothing.  A test subclasses ``SyncHooks``
and raises (any exception, or a ``BaseException`` to mimic a kill that no
``except Exception`` can swallow) from the step it wants to interrupt.

The write sequence for one listing, in order::

    before_write_ahead -> [commit write-ahead record] -> after_write_ahead
    -> [PUT inventory] -> after_put -> [PATCH state] -> after_state_change
    -> [commit local changes, bases, log; clear record] -> after_commit

Listings that need no Etsy call skip the write-ahead steps and only pass
``after_commit``.
"""

from __future__ import annotations


class SyncHooks:
    """No-op hooks; override the steps a test wants to observe or interrupt."""

    def before_write_ahead(self, listing_id: int) -> None:
        """Before the write-ahead record is committed (nothing written yet)."""

    def after_write_ahead(self, listing_id: int) -> None:
        """The record is committed; Etsy has not been written."""

    def after_put(self, listing_id: int) -> None:
        """The inventory PUT succeeded; the local side is not committed yet."""

    def after_state_change(self, listing_id: int) -> None:
        """The listing's state was changed on Etsy (only for state changes)."""

    def after_commit(self, listing_id: int) -> None:
        """The listing's local changes, bases and log rows are committed."""


NO_HOOKS = SyncHooks()
