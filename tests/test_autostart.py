"""Start at login: an XDG autostart entry a desktop accepts, removable again."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from etsysync_gui import autostart


def test_enable_writes_a_valid_entry_and_disable_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert not autostart.is_enabled()
    path = autostart.enable("staging")
    assert path == tmp_path / "autostart" / autostart.ENTRY_NAME
    text = path.read_text(encoding="utf-8")
    assert "--profile staging --minimized" in text
    assert autostart.is_enabled()
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    autostart.disable()
    assert not autostart.is_enabled()
    autostart.disable()  # idempotent
