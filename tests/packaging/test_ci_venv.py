"""``.ci/venv`` says what it is doing: a silent first minute looked like a hang."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform == "win32", reason="a bash script")
def test_venv_script_reports_each_step(tmp_path: Path) -> None:
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "venv", tmp_path / ".ci" / "venv")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    fake_python = tmp_path / ".venv" / "bin" / "python"
    fake_python.parent.mkdir(parents=True)
    fake_python.write_text('#!/bin/sh\necho "$@" >> "$(dirname "$0")/calls"\n')
    fake_python.chmod(0o755)
    done = subprocess.run(
        ["bash", str(tmp_path / ".ci" / "venv")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "installing EtsySync and its development tools" in done.stderr
    assert "done: the commands are in .venv/bin" in done.stderr
    again = subprocess.run(
        ["bash", str(tmp_path / ".ci" / "venv")], capture_output=True, text=True, check=False
    )
    assert again.returncode == 0
    assert again.stderr == ""
