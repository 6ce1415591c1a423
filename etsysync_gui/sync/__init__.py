"""Pure stock-sync logic: no Qt, no database, no network, no clock.

* ``pools``: which Etsy products share one quantity, and a key for each pool that
  survives Etsy regenerating every id on each inventory write;
* ``decide``: the three-way (local, Etsy, last-synced bases) decision per pool;
* ``inventory_edit``: the one full-inventory PUT that changes only quantities and
  ``is_enabled``, the zero-stock policy, and checking Etsy's answer.

Kept pure so every rule can be tested exhaustively and the engine stays a thin
layer that reads, calls these, and writes.
"""
