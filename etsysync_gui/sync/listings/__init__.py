"""The listing sync (Etsy → local): listings, their products and stock pools, and links.

``run`` reads every listing and stores it (``rows`` shapes the rows, ``store`` holds the
set-based SQL); ``autolink`` links pools to local variants by SKU; ``linking`` is linking by
hand; ``import_unlinked`` makes catalog entries for listings nobody linked.
"""
