"""Stock and listing sync between the seller's catalog and Etsy; never imports Qt.

* ``listings/``: the listing sync (Etsy → local) and linking;
* ``inventory/``: the stock sync: pools, the three-way decision, the plan, safe writes;
* ``runs/``: what every run shares: lease, run records, audit journal, budget, progress;
* ``service``: ``SyncService``, the one entry point for the GUI, the scheduler and the CLI;
* ``options``: the settings a run takes from the profile.
"""
