"""The inventory (stock) sync: pools, the three-way decision, the plan, and its safe writes.

Pure core: ``pools`` (which products share one quantity), ``decide`` (three-way decision per
pool), ``offering_changes`` (which offerings change and which EtsySync disabled),
``put_builder`` (the quantity-only full-inventory PUT) and ``answer_check`` (is Etsy's answer
what was sent).  Around it: ``states`` (what the database knows), ``planning`` (states
and Etsy's numbers to a plan), ``plan_types`` (``SyncPlan``), and the crash-safe write
sequence ``apply`` → ``prepare`` → ``writeahead`` → ``commit``, with ``recovery`` for writes
a previous run left half-done and ``hooks`` for fault tests.
"""
