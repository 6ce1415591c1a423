"""Stock and listing sync between the seller's catalog and Etsy; never imports Qt.

The pure core (no database, no network, no clock), tested exhaustively:

* ``pools``: which Etsy products share one quantity, and a key for each pool that
  survives Etsy regenerating every id on each inventory write;
* ``decide``: the three-way (local, Etsy, last-synced bases) decision per pool;
* ``inventory_edit``: the one full-inventory PUT that changes only quantities and
  ``is_enabled``, the zero-stock policy, and checking Etsy's answer.

The engine around it, a thin layer that reads, calls the core, and writes:
``listing_sync`` (+ ``listing_rows``, ``listing_db``, ``autolink``, ``importing``),
``planner`` / ``plan`` / ``states`` (the ``SyncPlan``), ``apply`` / ``prepare`` /
``commit`` / ``writeahead`` / ``recovery`` (crash-safe writes), ``lease`` (single
flight), ``runs`` / ``run_frame`` / ``audit`` (history), ``linking``, ``report``,
and ``service`` (``SyncService``, the entry point for the GUI, scheduler and CLI).
"""
