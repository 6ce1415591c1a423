"""A built wheel carries the migrations and resources the installed app looks for.

(.ci/installed-smoke goes further: it installs the wheel into a fresh venv and
migrates real databases with the installed ``etsysync`` command.)
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_ships_migrations_resources_and_entry_points(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("etsysync-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "etsysync_gui/migrations/env.py" in names
    assert "etsysync_gui/migrations/script.py.mako" in names
    assert any(n.startswith("etsysync_gui/migrations/versions/0001_") for n in names)
    assert "etsysync_gui/resources/icons/etsysync.svg" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "etsysync = etsysync_gui.cli:main" in text
    assert "etsysync-gui = etsysync_gui.app:main" in text
