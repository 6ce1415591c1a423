"""Work-arounds for bugs in the Qt binding this app runs on.

**PySide6 6.12 on CPython 3.11 under-counts references to ``None`` and ``True``.**
Measured here (``tests/ui/test_compat.py`` keeps measuring it): every call from
Qt into Python (a slot, a virtual override such as ``paintEvent`` or
``QRunnable.run``) drops one reference to ``None`` that it never took, and
every ``Signal.emit()`` from Python drops one to ``True``.  CPython 3.12 made
these singletons immortal, so a binding built with that assumption is
harmless there; on 3.11 the count reaches zero after a few hundred emits or a
few thousand callbacks and the interpreter aborts ("deallocating True or
False").  The app would crash minutes into a sync.

The cure is what CPython 3.12 does: make the three singletons immortal by
giving them a reference count no program can spend (2**60).  They are
statically allocated and never freed, so extra references cost nothing and
change no behaviour.  Done once, before any Qt callback can run (importing
``etsysync_gui.ui`` does it).  Remove when the binding is fixed or the app
requires Python 3.12.
"""

from __future__ import annotations

import ctypes
import logging
import platform
import sys

log = logging.getLogger(__name__)

_IMMORTAL_EXTRA = 1 << 60
_done = False


def make_singletons_immortal() -> bool:
    """Give ``None``, ``True`` and ``False`` an unspendable refcount (CPython < 3.12 only)."""
    global _done
    if _done or platform.python_implementation() != "CPython" or sys.version_info >= (3, 12):
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object; id() is its address.
        ctypes.c_ssize_t.from_address(id(obj)).value += _IMMORTAL_EXTRA
    _done = True
    log.debug("None/True/False made immortal (PySide6 reference-count work-around)")
    return True
