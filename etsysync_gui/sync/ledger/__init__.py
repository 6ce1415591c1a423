"""The sales ledger: Etsy's orders, stored once, and the sales an inventory write erased.

Why: Etsy has no conditional inventory write.  The engine reads a listing, then
writes the whole inventory a few seconds later; a buyer who buys in between is
erased by the PUT (Etsy shows one more than exists) and no later read can see
it.  Only the orders tell.  So every inventory run reads the receipts changed
since the last read (``read``), stores each order line once (``store``), matches
lines created inside a write's read-to-write window with that write
(``overwrites``), and the next decision of the pool counts them as Etsy sales
(``states`` attaches them, ``decide_listing`` subtracts them, the commit marks
them applied).  See ``docs/stock-sync.md`` for a worked example.
"""
