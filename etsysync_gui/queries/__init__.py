"""Read models for the GUI: plain SQLAlchemy functions returning frozen dataclasses.

Why a package of its own: the views must not build queries (they hold no
rules and never touch the database on the GUI thread), and these reads are
shaped for screens, not for syncing.  Every function here is called on a
worker thread; each opens one short session and returns plain values.
Read-only: the few writes (catalog edits, a local quantity) live in ``catalog.editing``.
"""
