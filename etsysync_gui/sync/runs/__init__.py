"""What every sync run shares: the frame, its context, the lease, the budget and the records.

``frame`` (lease, run row, outcome, cleanup), ``context`` (the services a run hands its
steps), ``lease`` (single flight across processes), ``budget`` (Etsy's request budget
saved for the dashboard), ``audit`` (the decision journal), ``records`` (``sync_runs``,
``RunKind``, ``RunCounts``, ``RunResult``), ``progress`` (progress and cancellation).
"""
