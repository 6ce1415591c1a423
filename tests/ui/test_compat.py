"""The binding work-around in ``ui.compat`` is in place and keeps long sessions alive."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from etsysync_gui.ui.infra import compat


class _Emitter(QObject):
    ping = Signal(int)


def test_singletons_cannot_run_out_of_references(qtbot: QtBot) -> None:
    if sys.version_info < (3, 12):
        assert compat._done
        assert sys.getrefcount(True) > 1 << 59
        assert sys.getrefcount(None) > 1 << 59
    emitter = _Emitter()
    received: list[int] = []
    emitter.ping.connect(received.append)
    for n in range(5_000):  # each emit drops a reference to True on PySide6 6.12 + 3.11
        emitter.ping.emit(n)
    assert len(received) == 5_000
