"""PySide6 is imported on the main thread before any other thread starts.

Why: shiboken's first import walks ``sys.modules``; a helper thread importing
at that moment (the demo opens its shop on one) aborts the whole process with
``libshiboken/signature: could not initialize part 2`` (exit 134), about once
in a few dozen launches.  The race is too rare to catch by launching, so a
spy on ``threading.Thread.start`` checks the order instead, in a fresh
interpreter (this one imported Qt long ago) for every entry point.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs the entry point given as argv[1] with a spy on the first thread start:
# it reports whether QtCore, QtGui and QtWidgets were loaded by then and ends the
# process at once (the rest of the start is not what is tested here).
SPY = """
import os, runpy, sys, threading

QT = ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets")
original_start = threading.Thread.start

def spy(self):
    missing = [name for name in QT if name not in sys.modules]
    print(f"first thread {self.name!r}: missing {missing}", flush=True)
    os._exit(0)

threading.Thread.start = spy
entry, args = sys.argv[1], sys.argv[2:]
sys.argv = [entry, *args]
if entry.endswith(".py"):
    runpy.run_path(entry, run_name="__main__")
else:
    runpy.run_module(entry, run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize(
    "entry",
    ["etsysync_gui", str(ROOT / "packaging" / "launch_gui.py")],
    ids=["python -m etsysync_gui", "packaging/launch_gui.py"],
)
def test_qt_is_loaded_before_the_first_thread_starts(entry: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SPY, entry, "--demo", "--quit-after-start"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "first thread" in done.stdout, "the demo start never started its helper thread"
    assert "missing []" in done.stdout, done.stdout


def test_main_loads_qt_before_the_demo_starts_its_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same order in process, for ``etsysync_gui.app.main`` itself (the gui-script)."""
    from etsysync_gui import app

    events: list[str] = []

    class Stop(Exception):
        pass

    def begin_demo(log_level: str) -> None:
        events.append("demo thread")
        raise Stop

    monkeypatch.setattr(app, "load_qt_on_main_thread", lambda: events.append("qt"))
    monkeypatch.setattr(app, "_begin_demo", begin_demo)
    with pytest.raises(Stop):
        app.main(["--demo", "--quit-after-start"])
    assert events == ["qt", "demo thread"]
