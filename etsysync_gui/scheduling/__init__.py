"""The parts of the scheduler that are not the ``Scheduler`` itself (no Qt here).

``requests``: what any caller hands to the sync runner and gets back;
``policy``: pure rules (next run, back-off, stretching for the API budget);
``state``: the ``scheduled_jobs`` rows; ``driver``: APScheduler, or the hand
crank tests and benchmarks turn.  ``etsysync_gui.scheduling.scheduler`` ties them together.
"""
